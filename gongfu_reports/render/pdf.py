"""HTML → PDF with WeasyPrint: fonts embedded and subset, metadata from the document."""

from __future__ import annotations

import atexit
import io
import re
from pathlib import Path

from ..compose.blocks import DocumentView

_font_configs: dict[tuple[str, ...], object] = {}
atexit.register(_font_configs.clear)   # each removes its temporary font folder when dropped


def font_configuration(html: str):
    """One WeasyPrint font configuration per set of @font-face rules, kept for the life of the
    process: loading Fontconfig and copying the CJK font files again cost about 70 ms for every
    document, a third of the time of a short one (a build renders many with the same fonts)."""
    from weasyprint.text.fonts import FontConfiguration

    key = tuple(re.findall(r"@font-face\s*\{[^}]*\}", html))
    if key not in _font_configs:
        _font_configs[key] = FontConfiguration()
    return _font_configs[key]


def render_pdf(html: str, view: DocumentView, base_url: Path) -> bytes:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = HTML(string=html, base_url=str(base_url)).render(
        pdf_tags=True, font_config=font_configuration(html))
    out = io.BytesIO()
    # Fixed dates from the document itself keep rebuilds byte-identical.
    document.metadata.title = view.title
    document.metadata.created = view.date
    document.metadata.modified = view.date
    document.write_pdf(out, pdf_identifier=view.id.encode("utf-8"), pdf_tags=True)
    return out.getvalue()
