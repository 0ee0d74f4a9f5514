"""Compose: model → view model. One module per document kind; this module assembles a 通知
with the documents it issues (enclosures) and their attachments."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config import (AttachmentConfig, Config, EnclosureConfig, ListAttachmentConfig, ListConfig, ListOptions,
                      ProseConfig)
from ..errors import GongfuError, Place, display_path
from ..model import UnitRegistry
from ..sources.breakdown import (load_allocation, load_districts, load_key_tasks, load_leaders,
                                 load_tracked_tasks,
                                 load_livelihood)
from ..sources.loaders import (Collector, load_indicators, load_notice, load_tasks, load_units,
                               load_workplan)
from ..sources.markdown import load_prose
from ..files.yamlfile import LocDict, load_yaml
from . import notice as notice_kind
from .blocks import DocumentView, Paragraph, Run, Section
from ..model.numbering import level_number
from .breakdown import (allocation_sum_problems, allocation_table, leader_task_blocks,
                        livelihood_blocks)
from .listtable import ListView, list_view
from .prose import prose_blocks
from .tasklist import task_table
from .workplan import plan_blocks


@dataclass
class Composed:
    view: DocumentView
    warnings: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)   # loaded model objects, for extracts


class Context:
    """Registries loaded once per document."""

    def __init__(self, config: Config):
        self.config = config
        self.units = load_units(config.path(config.units))
        self._districts: UnitRegistry | None = None
        self.warnings: list[str] = []
        self.data: dict = {"key_tasks": [], "livelihood": [], "leaders": []}

    @property
    def districts(self) -> UnitRegistry:
        if self._districts is None:
            if not self.config.districts:
                raise GongfuError("任务分解表需要区县名录：请在 config.yaml 中设置 districts",
                                  self.config.place())
            self._districts = load_districts(self.config.path(self.config.districts))
        return self._districts


def compose_document(config: Config, doc_id: str) -> Composed:
    doc = config.documents[doc_id]
    ctx = Context(config)
    if isinstance(doc, ProseConfig):
        prose = load_prose(config.path(doc.file), ctx.units)
        view = DocumentView(id=doc_id, title=prose.title, date=_prose_date(prose), frame=None,
                            sections=[Section(False, prose_blocks(prose))])
        return Composed(view, [], {"units": ctx.units})
    if isinstance(doc, ListConfig):
        listed = _list(doc, ctx, config.place("documents", doc_id), doc_id)
        view = DocumentView(id=doc_id, title=listed.title, date="2000-01-01", frame=None,
                            sections=[Section(doc.landscape, [Paragraph("title", [Run(listed.title)])] + listed.blocks)])
        return Composed(view, ctx.warnings, {"units": ctx.units})
    errors = Collector()
    meta = errors.run(load_notice, config.path(doc.notice), ctx.units)
    enclosures = [errors.run(_enclosure, enc, ctx) for enc in doc.enclosures]
    attachments = [errors.run(_attachment, att, ctx) for att in doc.attachments]
    errors.raise_if_any()

    first = [Paragraph("plain", [Run("")]), Paragraph("plain", [Run("")])]  # two lines under the rule
    first += notice_kind.heading_blocks(meta) + notice_kind.covering_text(meta)
    sections = [Section(False, first)]
    if attachments:
        first += _blank() + notice_kind.attachment_note([a.title for a in attachments])
    first += _blank() + notice_kind.signature_blocks(meta)
    for enc, (blocks, enc_attachments) in zip(doc.enclosures, enclosures):
        _append(sections, Section(False, blocks))
        if enc_attachments:
            sections[-1].blocks += _blank() + notice_kind.attachment_note([a.title for a in enc_attachments])
        _add_attachments(sections, enc_attachments)
    _add_attachments(sections, attachments)
    imprint = notice_kind.imprint(meta)
    if imprint and sections[-1].landscape:
        sections.append(Section(False, []))   # the 版记 goes on a portrait page of its own
    view = DocumentView(id=doc_id, title=meta.title, date=meta.date.isoformat(),
                        frame=notice_kind.frame(meta), sections=sections, imprint=imprint)
    ctx.data["meta"] = meta
    ctx.data["units"] = ctx.units
    return Composed(view, ctx.warnings, ctx.data)


def compose_attachment(config: Config, doc_id: str, number: int) -> Composed:
    """Attachment `number` of a notice (counted in document order) on its own: the "附件N" label,
    its title and its content, as on the attachment's pages in the notice."""
    doc = config.documents[doc_id]
    groups = [enc.attachments for enc in getattr(doc, "enclosures", [])] + [getattr(doc, "attachments", [])]
    listed = [(att, k + 1 if len(group) > 1 else None) for group in groups for k, att in enumerate(group)]
    if not listed:
        raise GongfuError(f"文档“{doc_id}”没有附件", config.place("documents", doc_id))
    if not 1 <= number <= len(listed):
        raise GongfuError(f"文档“{doc_id}”没有第{number}个附件（共 {len(listed)} 个）", config.place("documents", doc_id),
                          hint=f"--attachment 取 1 到 {len(listed)}")
    ctx = Context(config)
    att, label = listed[number - 1]
    meta = load_notice(config.path(doc.notice), ctx.units)
    shown = _attachment(att, ctx)
    head = notice_kind.attachment_head(label, shown.title)
    view = DocumentView(id=f"{doc_id}-attachment-{number}", title=shown.title, date=meta.date.isoformat(),
                        frame=None, sections=[Section(shown.landscape, head + shown.blocks)])
    return Composed(view, ctx.warnings, {"units": ctx.units})


def _prose_date(prose) -> str:
    """The document's own date (front matter 日期) keeps rebuilds identical; else a fixed one."""
    value = str(prose.meta.get("日期") or "")
    from ..sources.loaders import parse_date

    return parse_date(value, prose.meta.place_of("日期")).isoformat() if value else "2000-01-01"


def _append(sections: list[Section], section: Section) -> None:
    """Portrait content after portrait content continues the section (its first block breaks
    the page); anything else starts a new section."""
    if not section.landscape and not sections[-1].landscape:
        if section.blocks:
            section.blocks[0].page_break_before = True
        sections[-1].blocks += section.blocks
    else:
        sections.append(section)


def _add_attachments(sections: list[Section], attachments: list[ListView]) -> None:
    numbered = len(attachments) > 1
    for index, att in enumerate(attachments, 1):
        head = notice_kind.attachment_head(index if numbered else None, att.title)
        _append(sections, Section(att.landscape, head + att.blocks))


def _blank() -> list[Paragraph]:
    return [Paragraph("plain", [Run("")])]


def _enclosure(enc: EnclosureConfig, ctx: Context):
    config = ctx.config
    path = config.path(enc.file)
    errors = Collector()
    blocks: list = []
    if enc.kind == "work_plan":
        plan = load_workplan(path, ctx.units)
        if enc.indicators:
            src = enc.indicators
            plan.indicators = errors.run(load_indicators, config.path(src.file), ctx.units, src.sheet,
                                         src.columns) or []
        blocks = plan_blocks(plan, enc.indicators.target_header if enc.indicators else "目标值",
                             enc.continuous_items)
    elif enc.kind == "prose":
        blocks = prose_blocks(load_prose(path, ctx.units))
    elif enc.kind in ("leader_tasks", "livelihood"):
        if not enc.leaders:
            raise GongfuError(f"{enc.kind} 需要 leaders（领导名单文件）", config.place())
        leaders = load_leaders(config.path(enc.leaders))
        ctx.data["leaders"] = ctx.data["leaders"] or leaders
        if enc.kind == "leader_tasks":
            tasks = load_key_tasks(path, enc.sheet, ctx.units, leaders)
            ctx.data["key_tasks"] += [(enc.title or "", t) for t in tasks]
            blocks = leader_task_blocks(enc.title or "", leaders, tasks, enc.lead_note)
        else:
            title, areas = load_livelihood(path, ctx.units, leaders)
            ctx.data["livelihood"] += [(title, item) for area in areas for item in area.items]
            blocks = livelihood_blocks(title, areas, enc.numbered_items)
    attachments = [errors.run(_attachment, att, ctx) for att in enc.attachments]
    errors.raise_if_any()
    return blocks, attachments


def _list(opts: ListOptions, ctx: Context, place: Place, default_title: str) -> ListView:
    from ..files.table import read_table

    listed = list_view(read_table(ctx.config.path(opts.file), opts.sheet), opts, ctx.units, place, default_title)
    ctx.warnings += listed.warnings
    return listed


def list_attachment_options(att: ListAttachmentConfig, config: Config) -> ListOptions:
    """A list attachment's settings: its own, or those of the list document it names (its own
    settings, such as a title, win)."""
    if att.document is None:
        if not att.file:
            raise GongfuError("清单附件需要 file（数据文件）或 document（清单文档编号）", _place_of(config, att))
        return att
    doc = config.documents.get(att.document)
    if not isinstance(doc, ListConfig):
        raise GongfuError(f"附件引用的清单文档“{att.document}”不存在，或不是 kind: list", _place_of(config, att),
                          hint=f"已有清单文档：{'、'.join(k for k, d in config.documents.items() if isinstance(d, ListConfig)) or '（无）'}")
    own = att.model_dump(include=att.model_fields_set - {"kind", "document"})
    return ListOptions(**{**doc.model_dump(include=doc.model_fields_set & set(ListOptions.model_fields)), **own})


def _place_of(config: Config, att) -> Place:
    for doc_id, doc in config.documents.items():
        for path, holder in [((), doc)] + [(("enclosures", i), e) for i, e in enumerate(getattr(doc, "enclosures", []))]:
            for k, a in enumerate(getattr(holder, "attachments", [])):
                if a is att:
                    return config.place("documents", doc_id, *path, "attachments", k)
    return config.place()


def _attachment(att, ctx: Context) -> ListView:
    if isinstance(att, ListAttachmentConfig):
        opts = list_attachment_options(att, ctx.config)
        return _list(opts, ctx, _place_of(ctx.config, att), att.document or Path(opts.file).stem)
    blocks = _fixed_attachment(att, ctx)
    return ListView(att.title, att.landscape, blocks)


def _fixed_attachment(att: AttachmentConfig, ctx: Context) -> list:
    path = ctx.config.path(att.file)
    if att.kind == "task_list":
        tasks = load_tasks(path, ctx.units, att.sheet, att.columns)
        _check_numbering(tasks)
        return [Paragraph("plain", [Run("")]), task_table(tasks, att.font_size or 10.5)]
    if att.kind == "unit_list":
        data = load_yaml(path)
        if not isinstance(data, LocDict) or not isinstance(data.get("单位"), list):
            raise GongfuError("应包含“单位”列表", Place(display_path(path), line=1))
        names = [str(n) for n in data["单位"]]
        for i, name in enumerate(names):
            ctx.units.resolve(name, data["单位"].place_of(i))
        return [Paragraph("plain", [Run("")]), Paragraph("body", [Run("、".join(names))])]
    if att.kind == "allocation":
        allocation = load_allocation(path, att.sheet, ctx.units, ctx.districts, att.name_column)
        ctx.warnings += [f"{place}：{message}" for place, message in allocation_sum_problems(allocation)]
        return [Paragraph("plain", [Run("")]), allocation_table(allocation, att.font_size or 9)]
    raise GongfuError(f"未知的附件类型“{att.kind}”")


def _check_numbering(tasks) -> None:
    seen = {}
    for t in tasks:
        if t.number in seen:
            raise GongfuError(f"序号 {t.number} 重复（另见{seen[t.number]}）", t.place)
        seen[t.number] = t.place


def _monitor(config: Config, doc, units, period: str, number: int) -> list:
    from .monitor import load_values, monitor_blocks

    src = doc.indicators
    indicators = load_indicators(config.path(src.file), units, src.sheet, src.columns)
    values = {}
    if doc.indicator_values:
        path = config.path(doc.indicator_values) / f"{period}.yaml"
        if path.exists():
            values = load_values(path, indicators)
    return monitor_blocks(number, indicators, values)


def compose_bulletin(config: Config, doc_id: str, period: str) -> Composed:
    """The progress of the breakdown's tasks in one period (see compose/bulletin.py)."""
    from ..sources.progress import load_period, period_files
    from .bulletin import bulletin_title, progress_table, summary_blocks

    doc = config.documents[doc_id]
    units = load_units(config.path(config.units))
    tasks, leaders = load_tracked_tasks(config, doc, units)
    by_id = {t.id: t for t in tasks}
    files = period_files(config.path(doc.progress))
    if period not in files:
        known = "、".join(files) or "（无）"
        raise GongfuError(f"没有 {period} 期的进展数据", Place(display_path(config.path(doc.progress))),
                          hint=f"已有期间：{known}；用 gongfu collect 收集各单位报送的表格")
    current = load_period(files[period], by_id)
    earlier = [p for p in files if p < period]
    previous = load_period(files[earlier[-1]], by_id) if earlier else None
    # A title set in config.yaml wins; else the period's own (as published); else the default.
    title = bulletin_title(doc.title, period) if "title" in doc.model_fields_set or not current.title \
        else current.title
    blocks: list = [Paragraph("title", [Run(title)]), Paragraph("plain", [Run("")])]
    if current.sample:
        blocks.append(Paragraph("note", [Run("（示例数据，仅用于演示进展变化）")]))
    if doc.summary:
        blocks += summary_blocks(tasks, leaders, units, current, previous, config.fonts.hei.pdf)
        section = 4
        if doc.indicators:
            blocks += _monitor(config, doc, units, period, section)
            section += 1
        blocks.append(Paragraph("h1", [Run(f"{level_number(1, section)}分项完成情况")]))
    blocks.append(progress_table(tasks, leaders, current))
    missing = [t.id for t in tasks if t.id not in current.by_task()]
    warnings = [f"{period} 期有 {len(missing)} 项任务未报送：{'、'.join(missing)}"] if missing else []
    view = DocumentView(id=f"{doc_id}-{period}", title=title, date=f"{period}-01", frame=None,
                        sections=[Section(False, blocks)])
    return Composed(view, warnings, {"tasks": tasks, "leaders": leaders, "units": units})
