"""完成情况 / 通报 (kind: bulletin): the progress of a breakdown's tasks in one reporting period, one
output per period (build/<id>-<period>).

- 完成情况: a title and the table of every task's progress, grouped by leader (seed 004's shape).
- 通报 (`notice:` names its 公文 parts, or `summary: true` for the default parts without a 版头): a
  红头 document — 版头, 发文字号, title, 主送, opening, the sections the data lists (总体情况, 主要进展,
  存在问题, 下步工作要求 …), 附件说明, 署名, 成文日期, 附件 tables and 版记.

`gongfu forms` and `gongfu collect` feed its progress folder (and its indicator values folder).
"""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path
from typing import Literal, Union

from pydantic import field_validator

from ..compose import notice as frame_parts
from ..compose.blocks import DocumentView, Paragraph, Run, Section
from ..compose.bulletin import PERIOD_FIELDS, bulletin_title, period_label, period_words, progress_table, task_states
from ..compose.document import add_attachments, blank
from ..compose.monitor import indicator_states
from ..compose.tongbao import TongbaoData, default_issue, fill_template, tongbao_body
from ..config import Config, DocumentSettings, IndicatorSource, find_font_file
from ..errors import Collector, GongfuError, GongfuWarning, Place, display_path
from ..model import KeyTask, UnitRegistry
from ..model.document import DocumentMeta
from ..model.progress import NOT_REPORTED, BulletinIssue, PeriodProgress
from ..model.targets import IndicatorValues
from ..model.units import split_units
from ..sources.breakdown import load_tracked_tasks
from ..sources.loaders import load_indicators, parse_date, parse_issue_number
from ..sources.progress import comparison_files, load_indicator_values, load_issue, load_period, period_files
from .base import Composed, Context, Kind, Output

NOT_COLLECTED_WORD = "不收集"   # a group's tasks are not collected (common duties: 共同落实工作)
JOINT_WORD = "统一报送"          # the group answers as one (a coordinating body such as 两局一中心)


class BulletinSettings(DocumentSettings):
    """完成情况 / 通报: the progress of a breakdown's tasks in one period."""

    kind: Literal["bulletin"]
    tasks: str                     # the tasks: a table (编号, 牵头领导, 任务内容, 责任单位) or a Markdown plan
                                   # whose items carry {#编号 单位、…}
    sheet: str | None = None
    leaders: str | None = None     # leaders list (tasks are grouped by leader); optional for a plan
    progress: str                  # folder of <period>.yaml files (written by `gongfu collect`)
    title: str = "{year}年市政府工作报告重点工作{label}完成情况"   # {year} {month} {label} {months}
    notice: str | None = None      # 通报: its 公文 parts (版头, 标题, 主送, sections and wording, 署名, 版记)
    summary: bool = False          # 通报 with the default parts and no 版头 (when `notice` is not given)
    # Tasks led by a group of units (units.yaml 类型: 集合): reported by each member, 统一报送 by the group, or 不收集.
    shared: dict[str, Union[list[str], Literal["不收集", "统一报送"]]] = {}   # noqa: UP007
    indicators: IndicatorSource | None = None   # indicator targets for monitoring
    indicator_values: str | None = None         # folder of <period>.yaml actual values
    received: str | None = None    # where collect keeps every returned workbook (default: <progress>/../received)

    @field_validator("title")
    @classmethod
    def _plain_fields(cls, title: str) -> str:
        """Only {year} {month} {label} {months} {end}, as they are: no attribute, index, conversion or
        width (“{year.real}” was a traceback, “{month:>1999999999}” 2 GB of spaces)."""
        try:
            fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(title)
                      if name is not None]
        except ValueError:
            fields = [("", "?", None)]
        if any(name not in PERIOD_FIELDS or spec or conversion for name, spec, conversion in fields):
            raise ValueError(f"标题模板只能使用 {'、'.join('{' + f + '}' for f in PERIOD_FIELDS)}，不能加格式")
        return title

    @property
    def is_tongbao(self) -> bool:
        return bool(self.notice or self.summary)


class Bulletin(Kind):
    name = "bulletin"
    label = "完成情况"
    settings = BulletinSettings
    order = 3
    word_templates = ("notice.docx", "plain.docx")   # a 通报 with a 版头, a 完成情况 without

    def periods(self, config: Config, doc_id: str) -> list[str]:
        """The periods that have progress data, in order."""
        return list(period_files(config.path(config.documents[doc_id].progress)))

    def outputs(self, config: Config, doc_id: str, period: str | None = None, required: bool = True) -> list[Output]:
        """One output per period: build/<id>-<period> (every period with data when none is asked for)."""
        periods = [period] if period else self.periods(config, doc_id)
        if not periods and required:
            raise GongfuError("还没有任何一期进展数据", config.place("documents", doc_id, "progress"),
                              hint="先用 gongfu forms 生成填报表，再用 gongfu collect 收集")
        return [Output(doc_id, f"{doc_id}-{p}", p) for p in periods]

    def inputs(self, config: Config, output: Output) -> list[Path]:
        """A period reads its progress, the period it compares with (and the 示例 periods passed over on
        the way) and its indicator values: a new period leaves the earlier outputs alone."""
        doc = config.documents[output.doc_id]
        files = [config.path(doc.tasks)]
        files += [config.path(doc.leaders)] if doc.leaders else []
        files += [config.path(doc.notice)] if doc.notice else []
        files += [config.path(config.districts)] if doc.shared and config.districts else []
        files += [config.path(doc.indicators.file)] if doc.indicators else []
        periods = period_files(config.path(doc.progress))
        files.append(config.path(doc.progress) / f"{output.period}.yaml")
        if doc.is_tongbao:
            previous, skipped = comparison_files(periods, output.period)
            files += [periods[p] for p in skipped + ([previous] if previous else [])]
        if doc.indicator_values:
            files.append(config.path(doc.indicator_values) / f"{output.period}.yaml")
        return files

    def compose(self, config: Config, output: Output) -> Composed:
        doc_id, period = output.doc_id, output.period
        doc = config.documents[doc_id]
        ctx = Context(config)
        tasks, leaders = load_tracked_tasks(config, doc, ctx.units)
        by_id = {t.id: t for t in tasks}
        files = period_files(config.path(doc.progress))
        if period not in files:
            raise GongfuError(f"没有 {period} 期的进展数据", Place(display_path(config.path(doc.progress))),
                              hint=f"已有期间：{'、'.join(files) or '（无）'}；用 gongfu collect 收集各单位报送的表格")
        current = load_period(files[period], by_id)
        reporters = reporters_of(config, doc_id, tasks, ctx)
        states = task_states(tasks, ctx.units, current, reporters)
        _check_members(current, states, ctx)
        unreported = [s.task.id for s in states if s.status == NOT_REPORTED]
        if unreported:
            ctx.warnings.append(GongfuWarning(
                f"{period} 期有 {len(unreported)} 项任务未报送（已在表中标为“未报送”）：{'、'.join(unreported)}",
                Place(display_path(files[period])), category="progress"))
        if doc.is_tongbao:
            return self._tongbao(config, doc, output, ctx, tasks, leaders, files, current, states, reporters)
        # A title set in config.yaml wins; else the period's own (as published); else the default.
        title = bulletin_title(doc.title, period) if "title" in doc.model_fields_set or not current.title \
            else current.title
        blocks: list = [Paragraph("title", [Run(title)]), Paragraph("plain", [Run("")])]
        if current.sample:
            blocks.append(Paragraph("note", [Run("（示例数据，仅用于演示进展变化）")]))
        blocks.append(progress_table(states, leaders, period_label(period)))
        view = DocumentView(id=output.stem, title=title, date=f"{period}-01", frame=None,
                            sections=[Section(False, blocks)])
        return Composed(view, ctx.warnings)

    def _tongbao(self, config: Config, doc: BulletinSettings, output: Output, ctx: Context, tasks: list[KeyTask],
                 leaders, files: dict[str, Path], current: PeriodProgress, states, reporters) -> Composed:
        period = output.period
        issue = load_issue(config.path(doc.notice)) if doc.notice else default_issue(doc.title, bool(doc.indicators))
        previous_period, skipped = comparison_files(files, period)
        previous = None
        if previous_period:
            before = load_period(files[previous_period], {t.id: t for t in tasks})
            previous = task_states(tasks, ctx.units, before, reporters)
        data = TongbaoData(issue, period, leaders, current, states, previous, previous_period, skipped,
                           self._indicators(config, doc, ctx, period, current),
                           find_font_file(config.fonts.hei.pdf))
        body = tongbao_body(data)
        ctx.warnings += body.warnings
        words = period_words(period)
        title = fill_template(issue.title, words, issue.place)
        meta = _meta(issue, current, title, words)
        first: list = (blank() + blank()) if issue.mark else []
        first.append(Paragraph("title", [Run(title)]))
        if current.sample:
            first.append(Paragraph("note", [Run("（示例数据，仅用于演示进展变化）")]))
        first += blank()
        if issue.recipients:
            first.append(Paragraph("recipients", [Run(issue.recipients + "：")]))
        first += [Paragraph("body", [Run(fill_template(p, body.values, issue.place))]) for p in issue.opening]
        first += body.blocks
        if body.attachments:
            first += blank() + frame_parts.attachment_note([a.title for a in body.attachments])
        if meta:
            first += frame_parts.closing(first, meta)
        sections = [Section(False, first)]
        add_attachments(sections, body.attachments)
        imprint = frame_parts.imprint(meta) if meta else None
        if imprint and sections[-1].landscape:
            sections.append(Section(False, []))
        frame = frame_parts.frame(meta, doc.mark_size) if meta and issue.mark else None
        date = meta.date.isoformat() if meta else f"{period}-01"
        view = DocumentView(id=output.stem, title=title, date=date, frame=frame, sections=sections, imprint=imprint)
        return Composed(view, ctx.warnings)

    @staticmethod
    def _indicators(config: Config, doc: BulletinSettings, ctx: Context, period: str, current: PeriodProgress):
        if not doc.indicators:
            return None
        src = doc.indicators
        indicators = load_indicators(config.path(src.file), ctx.units, src.sheet, src.columns)
        values = IndicatorValues(period)
        if doc.indicator_values:
            path = config.path(doc.indicator_values) / f"{period}.yaml"
            if path.exists():
                values = load_indicator_values(path, indicators)
                if values.sample and not current.sample:
                    ctx.warnings.append(GongfuWarning(
                        f"指标实际值为示例数据，不用于正式通报（{period} 期的进展不是示例）：指标均按未填报处理",
                        Place(display_path(path)), category="data"))
                    values = IndicatorValues(period)
        return indicator_states(indicators, values, period)


def _meta(issue: BulletinIssue, current: PeriodProgress, title: str, words: dict[str, str]) -> DocumentMeta | None:
    """署名, 成文日期, 发文字号 and 版记 of one period's 通报 (None when the data gives no 署名)."""
    if not issue.signer:
        return None
    place = current.place or issue.place
    number_text = current.number or (fill_template(issue.number, words, issue.place) if issue.number else "")
    number = parse_issue_number(number_text, place if current.number else issue.place) if number_text else None
    date = issue_date(current.date or issue.date, current.period, place if current.date else issue.place)
    return DocumentMeta(issue.mark, number, title, issue.recipients, [], issue.signer, date,
                        seal_note=issue.seal_note, sealed=issue.sealed, note=issue.note, copy_to=issue.copy_to,
                        printer=issue.printer)


def issue_date(rule: str, period: str, place: Place | None) -> dt.date:
    """成文日期: a date as written, or "次月5日" (the 5th of the month after the period)."""
    match = re.fullmatch(r"次月(\d{1,2})日", rule.strip())
    if match:
        year, month = int(period[:4]), int(period[5:7])
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        try:
            return dt.date(year, month, int(match.group(1)))
        except ValueError:
            raise GongfuError(f"成文日期“{rule}”不是有效日期", place) from None
    if not rule:
        raise GongfuError("缺少“成文日期”（写日期，或“次月5日”）", place)
    return parse_date(rule, place or Place("?"))


def reporters_of(config: Config, doc_id: str, tasks: list[KeyTask], ctx: Context) -> dict[str, list[str] | None]:
    """Tasks led by a group of units (units.yaml 类型: 集合) and who reports them: each member listed
    under `shared` in config.yaml, the group itself (统一报送), or None (不收集). A group lead without a
    `shared` entry is an error: nobody can fill in a form for a label."""
    doc = config.documents[doc_id]
    registry = ctx.units
    errors = Collector()
    declared: dict[str, list[str] | None] = {}
    for key, members in doc.shared.items():
        place = config.place("documents", doc_id, "shared", key)
        group = registry.find(key)
        if group is None:
            errors.errors.append(GongfuError(f"“{key}”不在单位名册中", place))
            continue
        if members == NOT_COLLECTED_WORD:
            declared[group.name] = None
            continue
        if members == JOINT_WORD:
            declared[group.name] = [group.name]
            continue
        names = [errors.run(_member, name, registry, ctx, place) for name in members]
        if not names:
            errors.errors.append(GongfuError(f"“{key}”的成员列表为空", place, hint=f"写出成员单位，或写“{NOT_COLLECTED_WORD}”"))
        declared[group.name] = [n for n in names if n]
    out: dict[str, list[str] | None] = {}
    undeclared: dict[str, list[str]] = {}
    for task in tasks:
        lead = registry.resolve(split_units(task.units)[0], task.place)
        if lead.group:
            if lead.name in declared:
                out[task.id] = declared[lead.name]
            else:
                undeclared.setdefault(lead.name, []).append(task.id)
    for group, ids in undeclared.items():
        errors.errors.append(GongfuError(
            f"任务 {'、'.join(ids)} 的牵头单位“{group}”是一组单位的统称（units.yaml 类型: 集合），不能为它生成填报表",
            config.place("documents", doc_id),
            hint=f"在 config.yaml 该文档下写明由哪些成员分别报送，如 shared: {{{group}: [定海区政府, 普陀区政府]}}；"
                 f"由该单位统一报送一份：{JOINT_WORD}；或不收集：{NOT_COLLECTED_WORD}"))
    errors.raise_if_any()
    return out


def _member(name: str, registry: UnitRegistry, ctx: Context, place: Place) -> str:
    """A member given by its unit name, or by its name in the district registry (定海区 → 定海区政府)."""
    unit = registry.find(name)
    if unit is None and ctx.config.districts:
        district = ctx.districts.find(name)
        for alias in (district.name, *district.aliases) if district else ():
            unit = registry.find(alias)
            if unit:
                break
    if unit is None:
        return registry.resolve(name, place).name   # the registry's own error, with the closest names
    if unit.group:
        raise GongfuError(f"成员“{name}”本身是一组单位的统称，请写具体单位", place)
    return unit.name


def _check_members(progress: PeriodProgress, states, ctx: Context) -> None:
    """An entry from a unit that is not among a shared task's members is kept out, with a warning."""
    by_id = {s.task.id: s for s in states}
    for entry in progress.entries:
        state = by_id.get(entry.task_id)
        if state is None or not state.shared or not entry.member:
            continue
        unit = ctx.units.find(entry.member)
        if unit is None or unit.name not in (state.reporters or []):
            ctx.warnings.append(GongfuWarning(
                f"任务 {entry.task_id} 的填报单位“{entry.member}”不是“{state.lead}”的成员，未列入",
                entry.place, category="data"))


KIND = Bulletin()
