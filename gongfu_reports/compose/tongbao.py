"""The body of a 通报: its sections and their parts as the data lists them (总体情况, 主要进展,
存在问题, 下步工作要求 …), filled in with the period's counts, highlights, lagging tasks and
changes, and its 附件 tables. Which parts appear and their wording come from the data
(model.progress.BulletinIssue); the defaults here only stand in for wording left out."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GongfuError, GongfuWarning, Place
from ..model import Leader
from ..model.numbering import level_number
from ..model.progress import (NEEDS_REASON, NO_STATUS, BulletinIssue, IssuePart, IssueSection,
                              PeriodProgress)
from .blocks import Paragraph, Run
from .bulletin import (CHANGE_KINDS, TaskState, changes, complete_paragraph, contacts_table, count_by, count_table,
                       month_text, period_words, progress_table, short_name, statistics, status_frame,
                       task_reference)
from .listtable import ListView
from .monitor import IndicatorState, attention, elapsed_share, indicator_counts, monitor_table

# Wording used where the data gives none (a part written without its text).
DEFAULT_TEXT = {
    "领导统计表": "各牵头领导重点工作推进情况",
    "单位统计表": "各牵头单位重点工作推进情况",
    "状态图": "各牵头领导重点工作推进情况",
    "与上期相比": "与上期（{上期}）相比：",
    "亮点": "",
    "滞后任务": "截至{end}，滞后{滞后}项、未启动{未启动}项，具体如下：",
    "未报送": "{未报送}项任务未按时报送进展情况，涉及{未报送单位}。",
    "指标监测": "纳入监测的{指标数}项指标（含分项）中，{指标构成}。",
}
DEFAULT_ATTACHMENT_TITLE = {
    "分项进展情况表": "重点工作{months}进展情况表",
    "指标监测表": "主要指标{months}监测情况表",
    "单位统计表": "各牵头单位重点工作{months}推进情况统计表",
    "填报联系人表": "各单位填报联系人",
}
WIDE_ATTACHMENTS = ("分项进展情况表", "指标监测表")   # on landscape pages
AUTO_HIGHLIGHTS = 10   # completed tasks shown as 主要进展 when the data picks none


@dataclass
class TongbaoData:
    """Everything a 通报 body is made from, for one period."""

    issue: BulletinIssue
    period: str
    leaders: list[Leader]
    progress: PeriodProgress
    states: list[TaskState]
    previous: list[TaskState] | None = None
    previous_period: str | None = None
    skipped_samples: list[str] = field(default_factory=list)
    indicators: list[IndicatorState] | None = None
    chart_font: Path | None = None


@dataclass
class TongbaoBody:
    blocks: list
    attachments: list[ListView]
    values: dict[str, str] = field(default_factory=dict)   # what templates could use, e.g. for the opening
    warnings: list[GongfuWarning] = field(default_factory=list)


def default_issue(title: str, with_indicators: bool) -> BulletinIssue:
    """The parts of a 通报 whose data names none (`summary: true`): no 版头, the counts, lagging tasks,
    changes and (with indicators) monitoring, and the full table as 附件."""
    sections = [IssueSection("总体情况", [IssuePart("文字", "本期应报送任务{应报送}项，其中{状态构成}；完成率{完成率}，"
                                                          "序时推进率（含已完成）{序时推进率}，滞后率{滞后率}。"),
                                          IssuePart("领导统计表"), IssuePart("状态图"), IssuePart("与上期相比")]),
                IssueSection("主要进展", [IssuePart("亮点")]),
                IssueSection("存在问题", [IssuePart("滞后任务"), IssuePart("未报送")])]
    if with_indicators:
        sections.append(IssueSection("指标监测", [IssuePart("指标监测")]))
    attachments = [IssuePart("分项进展情况表"), IssuePart("单位统计表")]
    attachments += [IssuePart("指标监测表")] if with_indicators else []
    return BulletinIssue(title.replace("完成情况", "进展情况通报") if "通报" not in title else title, sections, attachments)


def fill_template(template: str, values: dict[str, str], place: Place | None) -> str:
    return _Filler(values)(template, place)


class _Filler:
    """Templates filled with the period's values; an unknown {name} is an error at the part's line."""

    def __init__(self, values: dict[str, str]):
        self.values = values

    def __call__(self, template: str, place: Place | None) -> str:
        try:
            return string.Formatter().vformat(template, (), self.values)
        except KeyError as exc:
            raise GongfuError(f"文字中的“{{{exc.args[0]}}}”不认识", place,
                              hint=f"可用：{'、'.join('{' + k + '}' for k in self.values)}") from None
        except (ValueError, IndexError):
            raise GongfuError("文字中的花括号不成对（{…} 表示统计数字；要印出花括号请写 {{ 或 }}）", place) from None


def tongbao_body(data: TongbaoData) -> TongbaoBody:
    frame = status_frame(data.states)
    values = {**period_words(data.period), **statistics(frame)}
    values["上期"] = month_text(data.previous_period) if data.previous_period else "无"
    found = changes(data.states, data.previous) if data.previous is not None else None
    values["新完成"] = str(len(found["新完成"])) if found else "0"
    missing_units = list(dict.fromkeys(u for s in data.states if s.collected for u in s.missing))
    values["未报送单位"] = "、".join(missing_units) or "无"
    values["未报送单位数"] = str(len(missing_units))
    if data.indicators is not None:
        values.update(indicator_counts(data.indicators))
    fill = _Filler(values)
    out = TongbaoBody([], [], values)
    counters = {"表": 0, "图": 0}

    def caption(kind: str, text: str) -> Paragraph:
        counters[kind] += 1
        if not re.match(rf"{kind}\s*\d", text):
            text = f"{kind}{counters[kind]}　{text}"
        return Paragraph("caption", [Run(text)])

    for number, section in enumerate(data.issue.sections, 1):
        out.blocks.append(Paragraph("h1", [Run(f"{level_number(1, number)}{fill(section.title, section.place)}")]))
        sub = 0
        for part in section.parts:
            text = part.value if part.value else DEFAULT_TEXT.get(part.kind, "")
            if part.kind == "文字":
                paragraphs = text if isinstance(text, list) else [text]
                out.blocks += [Paragraph("body", [Run(fill(p, part.place))]) for p in paragraphs if p]
            elif part.kind == "二级标题":
                sub += 1
                out.blocks.append(Paragraph("h2", [Run(f"{level_number(2, sub)}{fill(_one(text), part.place)}")]))
            elif part.kind == "领导统计表":
                out.blocks += [caption("表", fill(_one(text), part.place)),
                               count_table("牵头领导", _by_leader(frame, data.leaders))]
            elif part.kind == "单位统计表":
                out.blocks += [caption("表", fill(_one(text), part.place)), count_table("牵头单位", _by_unit(frame))]
            elif part.kind == "状态图":
                out.blocks += [_chart(frame, data), caption("图", fill(_one(text), part.place))]
            elif part.kind == "与上期相比":
                out.blocks += _changes(data, found, fill(_one(text), part.place))
            elif part.kind == "亮点":
                out.blocks += _highlights(data, found, fill(_one(text), part.place))
            elif part.kind == "滞后任务":
                out.blocks += _lagging(data, fill(_one(text), part.place), out.warnings)
            elif part.kind == "未报送":
                out.blocks.append(Paragraph("body", [Run(fill(_one(text), part.place) if missing_units
                                                         else "各单位均已按时报送进展情况。")]))
            elif part.kind == "指标监测":
                out.blocks += _indicators(data, fill(_one(text), part.place), part.place)
    for part in data.issue.attachments:
        title = fill(_one(part.value) or DEFAULT_ATTACHMENT_TITLE[part.kind], part.place)
        out.attachments.append(ListView(title, part.kind in WIDE_ATTACHMENTS, _attachment(part, data, frame)))
    return out


def _one(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else value


def _by_leader(frame, leaders: list[Leader]):
    counts = count_by(frame, "牵头领导", [l.name for l in leaders])
    labels = {l.name: l.label.removesuffix("牵头重点工作") for l in leaders}
    counts.index = [labels.get(name, name) or "其他" for name in counts.index]
    return counts


def _by_unit(frame):
    return count_by(frame, "牵头单位", list(dict.fromkeys(frame["牵头单位"])))


def _chart(frame, data: TongbaoData):
    from .chart import status_chart
    from .bulletin import COUNT_COLUMNS

    counts = _by_leader(frame, data.leaders)
    return status_chart({name: row.to_dict() for name, row in counts.iterrows()}, list(COUNT_COLUMNS),
                        data.chart_font)


def _changes(data: TongbaoData, found: dict | None, lead: str) -> list[Paragraph]:
    samples = "、".join(month_text(p) for p in data.skipped_samples)
    passed = f"（{samples}为示例数据，不作比较。）" if samples else ""
    if found is None:
        return [Paragraph("body", [Run(f"无上期数据，本期不作比较。{passed}")])]
    blocks = [Paragraph("body", [Run(lead + passed)])] if lead or passed else []
    listed = False
    for kind in CHANGE_KINDS:
        states = found[kind]
        if not states:
            continue
        listed = True
        shown = [task_reference(s) + (f"，现为{s.status}" if kind in ("由已完成退回", "转为滞后或未启动") else "")
                 for s in states]
        blocks.append(Paragraph("body", [Run(f"{kind}{len(states)}项：", bold=True), Run("；".join(shown) + "。")]))
    unknown = _unknown(data.states)
    if listed:
        blocks += [Paragraph("body", [Run(f"另有{unknown}项任务本期未填写状态，无法与上期比较。")])] if unknown else []
    else:
        blocks.append(Paragraph("body", [Run(f"已填写状态的任务与上期相比没有变化；{unknown}项任务本期未填写状态，无法比较。"
                                             if unknown else "各项任务状态与上期相比没有变化。")]))
    return blocks


def _unknown(states: list[TaskState]) -> int:
    """Tasks reported without a status: what the text says about statuses cannot cover them."""
    return sum(1 for s in states if s.status == NO_STATUS)


def _first_report(state: TaskState) -> str:
    for member, entry in state.reports.items():
        paragraphs = [p for p in entry.text.splitlines() if p.strip()]
        if paragraphs:
            return (f"{member}：" if state.shared else "") + complete_paragraph(paragraphs[0])
    return ""


def _highlights(data: TongbaoData, found: dict | None, lead: str) -> list[Paragraph]:
    by_id = {s.task.id: s for s in data.states}
    picked = [(by_id[h.task_id], h.text) for h in data.progress.highlights]
    blocks = []
    if picked:
        blocks += [Paragraph("body", [Run(lead)])] if lead else []
    else:
        completed = found["新完成"] if found is not None else [s for s in data.states if s.status == "已完成"]
        if not completed:
            unknown = _unknown(data.states)
            return [Paragraph("body", [Run(f"{unknown}项任务未填写进展状态，无法列出新完成的重点工作。" if unknown
                                           else "本期暂无新完成的重点工作。")])]
        what = "本期新完成" if found is not None else "已完成"
        more = "，主要有（其余见附件）" if len(completed) > AUTO_HIGHLIGHTS else ""
        blocks.append(Paragraph("body", [Run(lead or f"{what}重点工作{len(completed)}项{more}：")]))
        picked = [(s, "") for s in completed[:AUTO_HIGHLIGHTS]]
    for n, (state, text) in enumerate(picked, 1):
        blocks.append(Paragraph("body", [Run(f"{level_number(3, n)}{short_name(state.task.text)}（{state.lead}）。",
                                             bold=True),
                                         Run(complete_paragraph(text) if text else _first_report(state))]))
    return blocks


def _lagging(data: TongbaoData, lead: str, warnings: list[GongfuWarning]) -> list[Paragraph]:
    late = [s for s in data.states if s.status in NEEDS_REASON]
    unknown = _unknown(data.states)
    if not late:   # never "none lagging" when some tasks have no status: that is not known
        return [Paragraph("body", [Run(f"{unknown}项任务未填写进展状态，无法判断是否滞后、未启动。" if unknown
                                       else "本期没有滞后、未启动的任务。")])]
    blocks = [Paragraph("body", [Run(lead)])] if lead else []
    for n, state in enumerate(late, 1):
        runs = [Run(f"{level_number(3, n)}{task_reference(state)}，{state.status}。", bold=True)]
        for member, entry in state.reports.items():
            if entry.status not in NEEDS_REASON:
                continue
            who = f"{member}：" if state.shared else ""
            if not entry.problems:
                warnings.append(GongfuWarning(f"任务 {state.task.id}（{member}）状态为{entry.status}，未写原因（存在问题）",
                                              entry.place, category="data"))
            reason = complete_paragraph(entry.problems.replace("\n", "；")) if entry.problems else "未说明原因。"
            step = complete_paragraph(entry.next_steps.replace("\n", "；")) if entry.next_steps else "未说明下步计划。"
            runs.append(Run(f"{who}原因：{reason}下步：{step}"))
        blocks.append(Paragraph("body", runs))
    if unknown:
        blocks.append(Paragraph("body", [Run(f"此外，{unknown}项任务未填写进展状态，无法判断是否滞后、未启动。")]))
    return blocks


def _indicators(data: TongbaoData, lead: str, place: Place | None) -> list[Paragraph]:
    if data.indicators is None:
        raise GongfuError("通报中有“指标监测”，但 config.yaml 中该文档没有设置 indicators（指标目标表）", place)
    blocks = [Paragraph("body", [Run(lead)])] if lead else []
    watch = attention(data.indicators)
    if watch:
        items = "；".join(f"{s.name}（{s.judgement.status}：{s.judgement.reason.replace(' ', '')}）" for s in watch)
        blocks.append(Paragraph("body", [Run(f"需要关注的指标{len(watch)}项：{items}。")]))
    return blocks


def _attachment(part: IssuePart, data: TongbaoData, frame) -> list:
    if part.kind == "分项进展情况表":
        return [progress_table(data.states, data.leaders, "", continuous=True, with_status=True)]
    if part.kind == "单位统计表":
        return [count_table("牵头单位", _by_unit(frame))]
    if part.kind == "填报联系人表":
        units = list(dict.fromkeys(r for s in data.states for r in s.reporters or []))
        return [contacts_table(units, data.progress)]
    if data.indicators is None:
        raise GongfuError("附件中有“指标监测表”，但 config.yaml 中该文档没有设置 indicators（指标目标表）", part.place)
    month = int(data.period[5:7])
    note = (f"注：“累计”指标以完成全年目标的比例与序时进度（{month}/12，即{elapsed_share(data.period):.1%}）比较，"
            "相差不超过1个百分点为达到序时进度；“时点”指标与目标直接比较；“年度”指标年末评价；"
            "文字表述的目标需人工判断。")
    return [monitor_table(data.indicators), Paragraph("plain", [Run(note)])]


