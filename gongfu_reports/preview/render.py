"""One document for the preview: composed and rendered to PDF by the same code as `gongfu build`,
then shown page by page as images (pdfium), so the preview is the printed form."""

from __future__ import annotations

import io
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .. import kinds
from ..errors import GongfuError
from ..render.registry import renderer_for

PAGE_SCALE = 1.5            # 108 dpi: sharp enough on screen, quick to draw
_PDFIUM = threading.Lock()  # pdfium is not thread-safe


@dataclass
class Rendered:
    title: str
    pdf: bytes
    page_sizes: list[tuple[float, float]]   # points
    page_texts: list[str]
    warnings: list[str] = field(default_factory=list)
    source: tuple = ()          # (config, view) for check_outputs


def documents(root: Path) -> list[tuple[str, str, str | None]]:
    """(id, kind, period) of every document in config.yaml; those with periods with their latest."""
    config = kinds.load_config(root)
    out = []
    for doc_id, doc in config.documents.items():
        outputs = kinds.get(doc.kind).outputs(config, doc_id, required=False)
        out.append((doc_id, doc.kind, outputs[-1].period if outputs else None))
    return out


def render_document(root: Path, doc_id: str, period: str | None) -> Rendered:
    """The document (the latest period of one that has periods, unless one is asked for) as `gongfu
    build` would make its PDF."""
    config = kinds.load_config(root)
    composed = kinds.compose(config, doc_id, period)
    pdf = renderer_for("pdf", config).render(composed.view, config)
    sizes, texts = _pages(pdf)
    notes = [str(w) for w in composed.warnings if w.category != "normalised"]
    normalised = sum(1 for w in composed.warnings if w.category == "normalised")
    if normalised:   # as `gongfu build` says it: one line (gongfu check lists the places)
        notes.append(f"数据中 {normalised} 处的半角标点已按 GB/T 15834 印为全角（数据文件未改动；gongfu check 列出位置）")
    return Rendered(composed.view.title, pdf, sizes, texts, notes, (config, composed.view))


def check_outputs(rendered: Rendered, current=lambda: True) -> list[str] | None:
    """What `gongfu build` would report besides the PDF: GB/T 9704 findings on the PDF and on the
    Word output, and errors of the Word template (the preview shows the PDF only). None when the
    inputs changed meanwhile (current() is false): a new rendering is due, these findings are not."""
    from ..lint import lint

    if not current():
        return None
    config, view = rendered.source
    findings = []
    with tempfile.TemporaryDirectory(prefix="gongfu-preview-") as folder:
        path = Path(folder) / "preview.pdf"
        path.write_bytes(rendered.pdf)
        findings += [f"PDF：{finding}" for finding in lint(path)]
        if not current():
            return None
        try:
            docx = Path(folder) / "preview.docx"
            docx.write_bytes(renderer_for("docx", config).render(view, config))
            findings += [f"Word：{finding}" for finding in lint(docx)]
        except GongfuError as exc:
            findings.append(f"Word：{exc}")
    return findings


def _pages(pdf: bytes) -> tuple[list[tuple[float, float]], list[str]]:
    import pypdfium2 as pdfium

    sizes, texts = [], []
    with _PDFIUM:
        document = pdfium.PdfDocument(pdf)
        try:
            for index in range(len(document)):
                page = document[index]
                sizes.append(page.get_size())
                textpage = page.get_textpage()
                texts.append(textpage.get_text_bounded())
                textpage.close()
                page.close()
        finally:
            document.close()
    return sizes, texts


def page_png(pdf: bytes, index: int) -> bytes:
    import pypdfium2 as pdfium

    with _PDFIUM:
        document = pdfium.PdfDocument(pdf)
        try:
            page = document[index]
            image = page.render(scale=PAGE_SCALE).to_pil()
            page.close()
        finally:
            document.close()
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()
