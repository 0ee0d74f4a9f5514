"""通知 (kind: notice): a 红头 document with its 版头, title, 主送, covering text, 署名 and date, the
documents it issues (enclosures: 工作要点, 责任分解, 民生实事, 方案 …, each on new pages) and
attachments, and the 版记. A notice with a responsibility breakdown also gives per-unit extracts."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..compose import notice as frame_parts
from ..compose.blocks import DocumentView, Section
from ..compose.breakdown import leader_task_blocks, livelihood_blocks
from ..compose.document import add_attachments, append_section, blank
from ..compose.listtable import ListView
from ..compose.prose import prose_blocks
from ..compose.workplan import plan_blocks
from ..config import Config, DocumentSettings, IndicatorSource, Strict
from ..errors import Collector, GongfuError
from ..model import Breakdown
from ..sources.breakdown import load_key_tasks, load_leaders, load_livelihood
from ..sources.loaders import load_indicators, load_notice, load_workplan
from ..sources.markdown import load_prose
from .attachments import AttachmentSettings, attachment_file, compose_attachment
from .base import Composed, Context, Kind, Output

BREAKDOWN_KINDS = ("leader_tasks", "livelihood")


class EnclosureSettings(Strict):
    """A document issued by the notice (印发的文件), starting on a new page."""

    kind: Literal["work_plan", "leader_tasks", "livelihood", "prose"]
    file: str
    sheet: str | None = None
    indicators: IndicatorSource | None = None   # work_plan: the indicator table
    continuous_items: bool = True               # work_plan: items numbered across sections
    leaders: str | None = None                  # leader_tasks, livelihood: the leaders list
    title: str | None = None                    # leader_tasks: the enclosure's title
    lead_note: str = "列第一位者为牵头单位，下同"  # leader_tasks: printed once after the first unit list
    numbered_items: bool = False                # livelihood: one numbered paragraph per item
    attachments: list[AttachmentSettings] = []


class NoticeSettings(DocumentSettings):
    kind: Literal["notice"] = "notice"
    notice: str                                 # 版头, title, 主送, covering text, 署名, date, 版记
    enclosures: list[EnclosureSettings] = []
    attachments: list[AttachmentSettings] = []


class Notice(Kind):
    name = "notice"
    label = "通知"
    settings = NoticeSettings
    order = 1
    word_templates = ("notice.docx",)

    def inputs(self, config: Config, output: Output) -> list[Path]:
        doc = config.documents[output.doc_id]
        files = [config.path(doc.notice)]
        if config.districts:
            files.append(config.path(config.districts))
        for enc in doc.enclosures:
            files.append(config.path(enc.file))
            files += [config.path(enc.indicators.file)] if enc.indicators else []
            files += [config.path(enc.leaders)] if enc.leaders else []
            files += [attachment_file(config, a) for a in enc.attachments]
        return files + [attachment_file(config, a) for a in doc.attachments]

    def compose(self, config: Config, output: Output) -> Composed:
        doc_id = output.doc_id
        doc = config.documents[doc_id]
        ctx = Context(config)
        errors = Collector()
        meta = errors.run(load_notice, config.path(doc.notice), ctx.units)
        breakdown = Breakdown("", "", "", ctx.units)
        enclosures = [errors.run(_enclosure, enc, ctx, breakdown, ("documents", doc_id, "enclosures", i))
                      for i, enc in enumerate(doc.enclosures)]
        attachments = [errors.run(compose_attachment, att, ctx, config.place("documents", doc_id, "attachments", k))
                       for k, att in enumerate(doc.attachments)]
        errors.raise_if_any()

        first = blank() + blank()   # two lines under the rule
        first += frame_parts.heading_blocks(meta) + frame_parts.covering_text(meta)
        sections = [Section(False, first)]
        if attachments:
            first += blank() + frame_parts.attachment_note([a.title for a in attachments])
        first += frame_parts.closing(first, meta)
        for (blocks, enc_attachments) in enclosures:
            append_section(sections, Section(False, blocks))
            if enc_attachments:
                sections[-1].blocks += blank() + frame_parts.attachment_note([a.title for a in enc_attachments])
            add_attachments(sections, enc_attachments)
        add_attachments(sections, attachments)
        imprint = frame_parts.imprint(meta)
        if imprint and sections[-1].landscape:
            sections.append(Section(False, []))   # the 版记 goes on a portrait page of its own
        view = DocumentView(id=doc_id, title=meta.title, date=meta.date.isoformat(),
                            frame=frame_parts.frame(meta, doc.mark_size), sections=sections, imprint=imprint)
        has_breakdown = breakdown.key_tasks or breakdown.livelihood
        if has_breakdown:
            breakdown.title, breakdown.number, breakdown.date = meta.title, str(meta.number or ""), view.date
        return Composed(view, ctx.warnings, breakdown if has_breakdown else None)

    def has_unit_extracts(self, config: Config, doc_id: str) -> bool:
        return any(e.kind in BREAKDOWN_KINDS for e in config.documents[doc_id].enclosures)

    def attachment(self, config: Config, doc_id: str, number: int) -> Composed:
        """Attachment `number` (counted in document order) on its own: the "附件N" label, its title
        and its content, as on the attachment's pages in the notice."""
        doc = config.documents[doc_id]
        groups = [(("enclosures", i, "attachments"), enc.attachments) for i, enc in enumerate(doc.enclosures)]
        groups.append((("attachments",), doc.attachments))
        listed = [(att, keys + (k,), k + 1 if len(group) > 1 else None)
                  for keys, group in groups for k, att in enumerate(group)]
        if not listed:
            raise GongfuError(f"文档“{doc_id}”没有附件", config.place("documents", doc_id))
        if not 1 <= number <= len(listed):
            raise GongfuError(f"文档“{doc_id}”没有第{number}个附件（共 {len(listed)} 个）",
                              config.place("documents", doc_id), hint=f"--attachment 取 1 到 {len(listed)}")
        att, keys, label = listed[number - 1]
        ctx = Context(config)
        meta = load_notice(config.path(doc.notice), ctx.units)
        shown = compose_attachment(att, ctx, config.place("documents", doc_id, *keys))
        head = frame_parts.attachment_head(label, shown.title)
        stem = f"{doc_id}-attachment-{number}"
        view = DocumentView(id=stem, title=shown.title, date=meta.date.isoformat(), frame=None,
                            sections=[Section(shown.landscape, head + shown.blocks)])
        return Composed(view, ctx.warnings)


def _enclosure(enc: EnclosureSettings, ctx: Context, breakdown: Breakdown,
               keys: tuple) -> tuple[list, list[ListView]]:
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
    else:
        if not enc.leaders:
            raise GongfuError(f"{enc.kind} 需要 leaders（领导名单文件）", config.place(*keys))
        leaders = load_leaders(config.path(enc.leaders))
        breakdown.leaders = breakdown.leaders or leaders
        if enc.kind == "leader_tasks":
            tasks = load_key_tasks(path, enc.sheet, ctx.units, leaders)
            breakdown.key_tasks += tasks
            blocks = leader_task_blocks(enc.title or "", leaders, tasks, enc.lead_note)
        else:
            title, areas = load_livelihood(path, ctx.units, leaders)
            breakdown.livelihood += [(title, item) for area in areas for item in area.items]
            blocks = livelihood_blocks(title, areas, enc.numbered_items)
    attachments = [errors.run(compose_attachment, att, ctx, config.place(*keys, "attachments", k))
                   for k, att in enumerate(enc.attachments)]
    errors.raise_if_any()
    return blocks, attachments


KIND = Notice()
