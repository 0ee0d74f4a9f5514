"""Progress reported by units for one period, and what a bulletin counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Place

STATUSES = ("已完成", "序时推进", "滞后", "未启动")
NEEDS_REASON = ("滞后", "未启动")   # a unit reporting these must say why and what it will do next
NO_STATUS = "未填状态"
NOT_REPORTED = "未报送"
NOT_COLLECTED = "不单独报送"         # a shared task declared not collected in config.yaml


@dataclass
class ProgressEntry:
    task_id: str
    unit: str              # 牵头单位 as reported
    text: str              # 完成情况 (paragraphs separated by newlines)
    status: str = ""       # one of STATUSES, or "" (older data without a status)
    problems: str = ""     # 存在问题 (for 滞后 / 未启动: the reason)
    next_steps: str = ""   # 下步计划
    number: str = ""       # 序号 as printed in a published bulletin (overrides the computed one)
    task_text: str = ""    # 任务内容 as reworded for this period
    place: Place | None = None
    member: str = ""       # 填报单位, for a task led by a group of units: the member that reported


@dataclass
class Contact:
    """Who filled in and who checked a unit's form (stored; printed only if configured)."""

    unit: str
    filler: str = ""       # 填报人
    phone: str = ""        # 联系电话
    reviewer: str = ""     # 审核人


@dataclass
class Highlight:
    """A task the office picked for 主要进展, optionally with its own wording."""

    task_id: str
    text: str = ""
    place: Place | None = None


@dataclass
class PeriodProgress:
    period: str            # "2024-06"
    title: str = ""
    sample: bool = False   # 示例数据: shipped only to demonstrate change tracking
    entries: list[ProgressEntry] = field(default_factory=list)
    number: str = ""       # 发文字号 of this period's 通报, when it differs from the usual pattern
    date: str = ""         # 成文日期 of this period's 通报, as written
    highlights: list[Highlight] = field(default_factory=list)
    contacts: dict[str, Contact] = field(default_factory=dict)   # by unit
    place: Place | None = None

    def by_task(self) -> dict[str, list[ProgressEntry]]:
        """Entries by task id (several for a task reported by each member of a group)."""
        out: dict[str, list[ProgressEntry]] = {}
        for entry in self.entries:
            out.setdefault(entry.task_id, []).append(entry)
        return out


def combined_status(statuses: list[str], expected: int) -> str:
    """The status of a task from its reporters' statuses (`expected` reporters; one for most tasks,
    each member for a shared task): 未报送 when nobody reported; 滞后 or 未启动 when any reporter
    says so; 已完成 only when every reporter has completed; else 序时推进."""
    given = [s for s in statuses if s]
    if not statuses:
        return NOT_REPORTED
    if not given:
        return NO_STATUS
    for lagging in ("滞后", "未启动"):
        if lagging in given:
            return lagging
    if len(given) >= expected and all(s == "已完成" for s in given):
        return "已完成"
    return "序时推进"


# ── The 通报 as a 公文: its fixed parts and the sections its body is made of ──────────────────

PART_KINDS = {
    "文字": "一段或几段文字（可用统计数字，如 {已完成}、{完成率}）",
    "二级标题": "二级标题“（一）……”，自动编号",
    "领导统计表": "按牵头领导统计各状态任务数的表格（值为表题）",
    "单位统计表": "按牵头单位统计各状态任务数的表格（值为表题）",
    "状态图": "各牵头领导任务状态的条形图（值为图题）",
    "与上期相比": "与上期相比的变化：新完成、退回、转为滞后、好转、连续未报送（值为引导句）",
    "亮点": "主要进展：进展文件“亮点”所列任务；未列时为本期新完成的任务（值为引导句）",
    "滞后任务": "滞后、未启动的任务及其原因和下步计划（值为引导句）",
    "未报送": "未报送的任务和单位（值为句子）",
    "指标监测": "主要指标监测情况及低于序时进度、未达标的指标（值为引导句）",
}
ATTACHMENT_KINDS = {
    "分项进展情况表": "全部任务的进展情况表（序号与正文一致）",
    "指标监测表": "主要指标监测表",
    "单位统计表": "按牵头单位统计各状态任务数的表格",
    "填报联系人表": "各单位的填报人、联系电话、审核人",
}


@dataclass
class IssuePart:
    kind: str              # one of PART_KINDS
    value: str | list[str] = ""   # its text, caption or lead sentence (a template)
    place: Place | None = None


@dataclass
class IssueSection:
    title: str             # the 一、 heading, without its number
    parts: list[IssuePart] = field(default_factory=list)
    place: Place | None = None


@dataclass
class BulletinIssue:
    """What the data says a 通报 looks like; templates are filled in per period ({year}, {已完成} …)."""

    title: str
    sections: list[IssueSection]
    attachments: list[IssuePart] = field(default_factory=list)   # kind: one of ATTACHMENT_KINDS
    opening: list[str] = field(default_factory=list)
    mark: str = ""         # 发文机关标志; none: no 版头 (a plain 通报)
    number: str = ""       # 发文字号 template
    recipients: str = ""
    signer: str = ""
    date: str = ""         # 成文日期: a date, or "次月5日"
    seal_note: str = ""
    sealed: bool = False
    note: str = ""         # 附注
    copy_to: str = ""
    printer: str = ""
    place: Place | None = None
