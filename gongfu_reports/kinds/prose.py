"""方案、意见、报告 (kind: prose): a Markdown outline published on its own; headings numbered by level,
items with bold lead sentences."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..compose.blocks import DocumentView, Section
from ..compose.prose import prose_blocks
from ..config import Config, DocumentSettings
from ..sources.loaders import parse_date
from ..sources.markdown import load_prose
from .base import Composed, Context, Kind, Output

UNDATED = "2000-01-01"   # a fixed date keeps rebuilds identical when the outline has none


class ProseSettings(DocumentSettings):
    """A prose document (方案、意见、报告) from a Markdown outline, published on its own."""

    kind: Literal["prose"]
    file: str


class Prose(Kind):
    name = "prose"
    label = "方案等正文"
    settings = ProseSettings
    order = 2

    def inputs(self, config: Config, output: Output) -> list[Path]:
        return [config.path(config.documents[output.doc_id].file)]

    def compose(self, config: Config, output: Output) -> Composed:
        doc = config.documents[output.doc_id]
        ctx = Context(config)
        prose = load_prose(config.path(doc.file), ctx.units)
        written = str(prose.meta.get("日期") or "")   # front matter 日期: the document's own date
        date = parse_date(written, prose.meta.place_of("日期")).isoformat() if written else UNDATED
        view = DocumentView(id=output.doc_id, title=prose.title, date=date, frame=None,
                            sections=[Section(False, prose_blocks(prose))])
        return Composed(view, ctx.warnings)


KIND = Prose()
