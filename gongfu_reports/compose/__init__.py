"""Compose: model → view model, one function per document kind."""

from __future__ import annotations

from ..config import Config, DocumentConfig
from ..sources.loaders import (Collector, load_indicators, load_notice, load_tasks, load_units,
                               load_workplan)
from ..sources.yamlfile import LocDict, load_yaml
from ..errors import GongfuError, Place, display_path
from . import notice as notice_kind
from .blocks import DocumentView, Paragraph, Run, Section
from .tasklist import task_table
from .workplan import plan_blocks


def compose_document(config: Config, doc_id: str) -> DocumentView:
    doc: DocumentConfig = config.documents[doc_id]
    registry = load_units(config.path(config.units))
    errors = Collector()
    meta = errors.run(load_notice, config.path(doc.notice), registry)
    plan = errors.run(load_workplan, config.path(doc.plan), registry) if doc.plan else None
    indicators = []
    if doc.indicators:
        src = doc.indicators
        indicators = errors.run(load_indicators, config.path(src.file), registry, src.sheet, src.columns) or []
    attachment_blocks = []
    for index, att in enumerate(doc.attachments, 1):
        blocks = errors.run(_attachment, att, config, registry)
        attachment_blocks.append((att, blocks or []))
    errors.raise_if_any()

    sections = [Section(False, notice_kind.heading_blocks(meta))]
    body = sections[0].blocks
    body[:0] = [Paragraph("plain", [Run("")]), Paragraph("plain", [Run("")])]  # two lines under the rule
    body += notice_kind.covering_text(meta)
    titles = [a.title for a, _ in attachment_blocks]
    if plan is None:
        body += _blank() + notice_kind.attachment_note(titles)
        body += _blank() + notice_kind.signature_blocks(meta)
    else:
        body += _blank() + notice_kind.signature_blocks(meta)
        plan.indicators = indicators
        body += plan_blocks(plan, doc.indicators.target_header if doc.indicators else "目标值",
                            doc.continuous_items)
        body += _blank() + notice_kind.attachment_note(titles)
    numbered = len(attachment_blocks) > 1
    for index, (att, blocks) in enumerate(attachment_blocks, 1):
        head = notice_kind.attachment_head(index if numbered else None, att.title)
        if att.landscape or sections[-1].landscape:
            sections.append(Section(att.landscape, head + blocks))
        else:
            head[0].page_break_before = True
            sections[-1].blocks += head + blocks
    return DocumentView(id=doc_id, title=meta.title, date=meta.date.isoformat(),
                        frame=notice_kind.frame(meta), sections=sections,
                        imprint=notice_kind.imprint(meta))


def _blank() -> list[Paragraph]:
    return [Paragraph("plain", [Run("")])]


def _attachment(att, config: Config, registry) -> list:
    path = config.path(att.file)
    if att.kind == "task_list":
        tasks = load_tasks(path, registry, att.sheet, att.columns)
        _check_numbering(tasks)
        return [Paragraph("plain", [Run("")]), task_table(tasks, att.font_size)]
    if att.kind == "unit_list":
        data = load_yaml(path)
        if not isinstance(data, LocDict) or not isinstance(data.get("单位"), list):
            raise GongfuError("应包含“单位”列表", Place(display_path(path), line=1))
        names = [str(n) for n in data["单位"]]
        for i, name in enumerate(names):
            registry.resolve(name, data["单位"].place_of(i))
        return [Paragraph("plain", [Run("")]), Paragraph("body", [Run("、".join(names))])]
    raise GongfuError(f"未知的附件类型“{att.kind}”")


def _check_numbering(tasks) -> None:
    seen = {}
    for t in tasks:
        if t.number in seen:
            raise GongfuError(f"序号 {t.number} 重复（另见{seen[t.number]}）", t.place)
        seen[t.number] = t.place
