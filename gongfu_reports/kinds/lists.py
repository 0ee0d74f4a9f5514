"""清单 (kind: list): a table from Excel or YAML published on its own, its columns from the header row,
groups, merges and numbering as set in config.yaml; a notice can attach it too."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..compose.blocks import DocumentView, Paragraph, Run, Section
from ..config import Config, DocumentSettings, ListOptions
from .attachments import compose_list
from .base import Composed, Context, Kind, Output
from .prose import UNDATED


class ListSettings(DocumentSettings, ListOptions):
    """A list published on its own (no 版头), or referenced by a notice's attachment."""

    kind: Literal["list"]
    file: str


class Listing(Kind):
    name = "list"
    label = "清单"
    settings = ListSettings
    order = 4

    def inputs(self, config: Config, output: Output) -> list[Path]:
        return [config.path(config.documents[output.doc_id].file)]

    def compose(self, config: Config, output: Output) -> Composed:
        doc = config.documents[output.doc_id]
        ctx = Context(config)
        listed = compose_list(doc, ctx, config.place("documents", output.doc_id), output.doc_id)
        title = [Paragraph("title", [Run(listed.title)])]
        view = DocumentView(id=output.doc_id, title=listed.title, date=UNDATED, frame=None,
                            sections=[Section(doc.landscape, title + listed.blocks)])
        return Composed(view, ctx.warnings)


KIND = Listing()
