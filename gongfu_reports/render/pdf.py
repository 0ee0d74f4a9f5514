"""HTML → PDF with WeasyPrint: fonts embedded and subset, metadata from the document."""

from __future__ import annotations

import io
from pathlib import Path

from ..compose.blocks import DocumentView


def render_pdf(html: str, view: DocumentView, base_url: Path) -> bytes:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = HTML(string=html, base_url=str(base_url)).render(pdf_tags=True)
    out = io.BytesIO()
    # Fixed dates from the document itself keep rebuilds byte-identical.
    document.metadata.title = view.title
    document.metadata.created = view.date
    document.metadata.modified = view.date
    document.write_pdf(out, pdf_identifier=view.id.encode("utf-8"), pdf_tags=True)
    return out.getvalue()
