"""Reading a period's progress file (data/…/progress/<period>.yaml), a period's indicator values, and
the 通报's parts (版头, sections and their wording)."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import Collector, GongfuError, Place, display_path
from ..files import fields
from ..files.yamlfile import LocDict, load_yaml
from ..model import Indicator, KeyTask
from ..model.targets import IndicatorValues
from ..model.progress import (ATTACHMENT_KINDS, PART_KINDS, STATUSES, BulletinIssue, Contact, Highlight,
                              IssuePart, IssueSection, PeriodProgress, ProgressEntry)
from .loaders import copy_to

PERIOD_FILE = re.compile(r"(\d{4})-(\d{2})\.yaml")
_SAMPLE_LINE = re.compile(r"^示例:\s*(true|True|TRUE|yes|是)\s*$", re.MULTILINE)


def period_files(folder: Path) -> dict[str, Path]:
    """Every <YYYY-MM>.yaml in the progress folder, by period, in order."""
    if not folder.is_dir():
        return {}
    found = {p.stem: p for p in folder.iterdir() if PERIOD_FILE.fullmatch(p.name)}
    return dict(sorted(found.items()))


def is_sample(path: Path) -> bool:
    """Whether a period file is marked 示例 (a top-level `示例: true`), without parsing it all:
    the build asks this of earlier periods to decide which one is 上期."""
    try:
        return bool(_SAMPLE_LINE.search(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError):
        return False


def comparison_files(files: dict[str, Path], period: str) -> tuple[str | None, list[str]]:
    """The period a bulletin compares with (上期) and the sample periods passed over on the way:
    the latest earlier period, except that a real period never compares with a 示例 one."""
    current_sample = period in files and is_sample(files[period])
    skipped = []
    for earlier in sorted((p for p in files if p < period), reverse=True):
        if current_sample or not is_sample(files[earlier]):
            return earlier, skipped
        skipped.append(earlier)
    return None, skipped


def load_period(path: Path, tasks: dict[str, KeyTask]) -> PeriodProgress:
    label = display_path(path)
    data = fields.mapping(load_yaml(path), Place(label, line=1), "进展文件")
    period = fields.text(data, "期间")
    if period != path.stem:
        raise GongfuError(f"“期间”为 {period}，与文件名 {path.name} 不一致", data.place_of("期间"))
    progress = PeriodProgress(period, fields.text(data, "标题", required=False), bool(data.get("示例")),
                              number=fields.text(data, "发文字号", required=False),
                              date=fields.text(data, "成文日期", required=False), place=data.place)
    errors = Collector()
    seen: dict[tuple[str, str], Place] = {}
    for i, raw in enumerate(fields.items(data, "条目")):
        item = fields.mapping(raw, data["条目"].place_of(i), "每个条目")

        def one(item=item):
            task_id = fields.text(item, "编号")
            if task_id not in tasks:
                raise GongfuError(f"编号“{task_id}”不在任务清单中", item.place_of("编号"))
            member = fields.text(item, "填报单位", required=False)
            if (task_id, member) in seen:
                who = f"（填报单位 {member}）" if member else ""
                raise GongfuError(f"编号“{task_id}”{who}重复（另见{seen[task_id, member]}）", item.place_of("编号"),
                                  hint="由几个单位分别报送的任务，每个条目写明“填报单位”")
            seen[task_id, member] = item.place
            status = fields.text(item, "状态", required=False)
            if status and status not in STATUSES:
                raise GongfuError(f"状态“{status}”无效，应为：{'、'.join(STATUSES)}", item.place_of("状态"))
            return ProgressEntry(task_id, fields.text(item, "牵头单位", required=False), fields.text(item, "完成情况"),
                                 status, fields.text(item, "存在问题", required=False),
                                 fields.text(item, "下步计划", required=False), fields.text(item, "序号", required=False),
                                 fields.text(item, "任务内容", required=False), item.place, member)
        entry = errors.run(one)
        if entry:
            progress.entries.append(entry)
    for i, raw in enumerate(fields.items(data, "亮点")):
        highlight = errors.run(_highlight, raw, data["亮点"].place_of(i), tasks)
        if highlight:
            progress.highlights.append(highlight)
    contacts = data.get("填报信息") or {}
    if not isinstance(contacts, dict):
        errors.errors.append(GongfuError("“填报信息”应为“单位: {填报人, 联系电话, 审核人}”的映射",
                                         data.place_of("填报信息")))
    else:
        for unit, raw in contacts.items():
            info = errors.run(fields.mapping, raw, contacts.place_of(unit), f"“{unit}”的填报信息")
            if info is not None:
                progress.contacts[str(unit)] = Contact(str(unit), fields.text(info, "填报人", required=False),
                                                       fields.text(info, "联系电话", required=False),
                                                       fields.text(info, "审核人", required=False))
    errors.raise_if_any()
    return progress


def _highlight(raw, place: Place, tasks: dict[str, KeyTask]) -> Highlight:
    """`- ZF24-005` or `- {编号: ZF24-005, 文字: …}`."""
    if isinstance(raw, (str, int)):
        task_id, text = str(raw).strip(), ""
    else:
        item = fields.mapping(raw, place, "“亮点”的每一项（编号，或 编号 + 文字）")
        task_id, text = fields.text(item, "编号"), fields.text(item, "文字", required=False)
    if task_id not in tasks:
        raise GongfuError(f"亮点中的编号“{task_id}”不在任务清单中", place)
    return Highlight(task_id, text, place)


# ── Indicator values ──────────────────────────────────────────────────────────────────────────

def indicator_key_error(number: int, sub_name: str, indicators: list[Indicator], place: Place) -> GongfuError | None:
    """None when (序号, 分项) names an indicator of the table; else an error that lists the valid 分项."""
    subs = [i.sub_name for i in indicators if i.number == number]
    if not subs:
        numbers = sorted({i.number for i in indicators})
        return GongfuError(f"指标表中没有序号 {number}", place,
                           hint=f"序号应为 {numbers[0]}—{numbers[-1]}" if numbers else None)
    if sub_name in subs:
        return None
    named = [s for s in subs if s]
    if not named:
        return GongfuError(f"序号 {number} 的指标没有分项，不应写“分项”（实际写了“{sub_name}”）", place)
    shown = "；".join(f"“{s}”" for s in named)
    what = f"分项“{sub_name}”不是序号 {number} 的分项" if sub_name else f"序号 {number} 的指标有分项，须写明“分项”"
    return GongfuError(what, place, hint=f"序号 {number} 的分项：{shown}")


def load_indicator_values(path: Path, indicators: list[Indicator]) -> IndicatorValues:
    """Actual values by (序号, 分项); every key must name an indicator of the table."""
    data = fields.mapping(load_yaml(path), Place(display_path(path), line=1), "指标实际值文件")
    result = IndicatorValues(fields.text(data, "期间", required=False), bool(data.get("示例")))
    if result.period and result.period != path.stem:
        raise GongfuError(f"“期间”为 {result.period}，与文件名 {path.name} 不一致", data.place_of("期间"))
    errors = Collector()
    for i, raw in enumerate(fields.items(data, "实际值")):
        item = fields.mapping(raw, data["实际值"].place_of(i), "每个实际值")

        def one(item=item):
            number = fields.text(item, "序号")
            if not number.isdigit():
                raise GongfuError(f"序号应为数字，实际为“{number}”", item.place_of("序号"))
            key = (int(number), fields.text(item, "分项", required=False))
            problem = indicator_key_error(key[0], key[1], indicators, item.place)
            if problem:
                raise problem
            if key in result.values:
                raise GongfuError(f"序号 {key[0]}{('、分项“' + key[1] + '”') if key[1] else ''} 重复", item.place)
            result.values[key] = fields.text(item, "实际值", required=False)
            note = fields.text(item, "说明", required=False)
            if note:
                result.notes[key] = note
        errors.run(one)
    errors.raise_if_any()
    return result


# ── The 通报's parts ──────────────────────────────────────────────────────────────────────────

ISSUE_KEYS = ("发文机关标志", "发文字号", "标题", "主送机关", "开头", "正文", "附件", "署名", "成文日期", "加盖印章", "代章",
              "附注", "抄送", "印发机关")


def load_issue(path: Path) -> BulletinIssue:
    """The 通报 file: 版头, 标题, 主送机关, 开头, 正文 (sections and the parts each is made of),
    附件, 署名, 成文日期, 版记."""
    data = fields.mapping(load_yaml(path), Place(display_path(path), line=1), "通报文件")
    return issue_from(data)


def issue_from(data: LocDict) -> BulletinIssue:
    errors = Collector()
    errors.errors += fields.unknown_keys(data, ISSUE_KEYS)
    sections = []
    for i, raw in enumerate(fields.items(data, "正文")):
        section = errors.run(_section, raw, data["正文"].place_of(i))
        if section:
            sections.append(section)
    attachments = []
    for i, raw in enumerate(fields.items(data, "附件")):
        part = errors.run(_part, raw, data["附件"].place_of(i), ATTACHMENT_KINDS, "附件")
        if part:
            attachments.append(part)
    if not sections and "正文" not in data:
        errors.errors.append(GongfuError("缺少“正文”（通报的各部分）", data.place))
    issue = BulletinIssue(
        title=errors.run(fields.text, data, "标题") or "", sections=sections, attachments=attachments,
        opening=fields.paragraphs(data, "开头"), mark=fields.text(data, "发文机关标志", required=False),
        number=fields.text(data, "发文字号", required=False),
        recipients=fields.text(data, "主送机关", required=False).rstrip("：:"),
        signer=fields.text(data, "署名", required=False), date=fields.text(data, "成文日期", required=False),
        seal_note=fields.text(data, "代章", required=False), sealed=errors.run(fields.yes_no, data, "加盖印章") or False,
        note=fields.text(data, "附注", required=False).strip("（）()"),
        copy_to=errors.run(copy_to, data) or "",
        printer=fields.text(data, "印发机关", required=False), place=data.place)
    if issue.mark:
        for key in ("发文字号", "署名", "成文日期"):
            if not data.get(key):
                errors.errors.append(GongfuError(f"有“发文机关标志”（红头）时须写“{key}”", data.place))
    errors.raise_if_any()
    return issue


def _section(raw, place: Place) -> IssueSection:
    section = fields.mapping(raw, place, "“正文”的每一部分（标题 + 内容）")
    parts = []
    errors = Collector()
    for key in section:
        if key not in ("标题", "内容"):
            errors.errors.append(GongfuError(f"不认识的项“{key}”", section.place_of(key), hint="每一部分写“标题”和“内容”"))
    for i, item in enumerate(fields.items(section, "内容")):
        part = errors.run(_part, item, section["内容"].place_of(i), PART_KINDS, "内容")
        if part:
            parts.append(part)
    title = errors.run(fields.text, section, "标题")
    errors.raise_if_any()
    return IssueSection(title, parts, section.place)


def _part(raw, place: Place, kinds: dict[str, str], where: str) -> IssuePart:
    """`- 亮点` (a kind with its default wording) or `- 文字: …` / `- 状态图: 图题`."""
    if isinstance(raw, str):
        kind, value = raw.strip(), ""
    elif isinstance(raw, dict) and len(raw) == 1:
        kind, value = next(iter(raw.items()))
        kind = str(kind)
        if value is None:
            value = ""
        elif isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
            value = [str(v).strip() for v in value]
        elif isinstance(value, (str, int, float)):
            value = str(value).strip()
        else:
            raise GongfuError(f"“{kind}”的值应为文字或文字列表", place)
    else:
        raise GongfuError(f"“{where}”的每一项应为一种内容（如“亮点”）或“种类: 文字”", place,
                          hint=f"可用：{'、'.join(kinds)}")
    if kind not in kinds:
        raise GongfuError(f"不认识的{where}“{kind}”", place, hint=f"可用：{'、'.join(kinds)}")
    return IssuePart(kind, value, place)
