"""One document for the preview: composed and rendered to PDF by the same code as `gongfu build`,
then shown page by page as images (pdfium), so the preview is the printed form."""

from __future__ import annotations

import io
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..config import BulletinConfig, load_config
from ..errors import GongfuError

PAGE_SCALE = 1.5            # 108 dpi: sharp enough on screen, quick to draw
_PDFIUM = threading.Lock()  # pdfium is not thread-safe


@dataclass
class Rendered:
    title: str
    pdf: bytes
    page_sizes: list[tuple[float, float]]   # points
    page_texts: list[str]
    warnings: list[str] = field(default_factory=list)
    source: tuple = ()          # (config, view, mark_size) for check_outputs


def documents(root: Path) -> list[tuple[str, str, str | None]]:
    """(id, kind, period) of every document in config.yaml; bulletins with their latest period."""
    from ..sources.progress import period_files

    config = load_config(root)
    out = []
    for doc_id, doc in config.documents.items():
        period = None
        if isinstance(doc, BulletinConfig):
            periods = list(period_files(config.path(doc.progress)))
            period = periods[-1] if periods else None
        out.append((doc_id, doc.kind, period))
    return out


def render_document(root: Path, doc_id: str, period: str | None) -> Rendered:
    from ..build import render_one
    from ..compose import compose_bulletin, compose_document
    from ..sources.progress import period_files

    config = load_config(root)
    if doc_id not in config.documents:
        raise GongfuError(f"config.yaml 中没有文档“{doc_id}”", config.place("documents"),
                          hint=f"已有文档：{'、'.join(config.documents)}")
    doc = config.documents[doc_id]
    if isinstance(doc, BulletinConfig):
        periods = list(period_files(config.path(doc.progress)))
        period = period or (periods[-1] if periods else None)
        if period is None:
            raise GongfuError("还没有任何一期进展数据", config.place("documents", doc_id, "progress"))
        composed = compose_bulletin(config, doc_id, period)
    else:
        composed = compose_document(config, doc_id)
    pdf = render_one(config, "pdf", composed.view, doc.mark_size)
    sizes, texts = _pages(pdf)
    return Rendered(composed.view.title, pdf, sizes, texts, list(composed.warnings),
                    (config, composed.view, doc.mark_size))


def check_outputs(rendered: Rendered, current=lambda: True) -> list[str] | None:
    """What `gongfu build` would report besides the PDF: GB/T 9704 findings on the PDF and on the
    Word output, and errors of the Word template (the preview shows the PDF only). None when the
    inputs changed meanwhile (current() is false): a new rendering is due, these findings are not."""
    from ..build import render_one
    from ..lint import lint

    if not current():
        return None
    config, view, mark_size = rendered.source
    findings = []
    with tempfile.TemporaryDirectory(prefix="gongfu-preview-") as folder:
        path = Path(folder) / "preview.pdf"
        path.write_bytes(rendered.pdf)
        findings += [f"PDF：{finding}" for finding in lint(path)]
        if not current():
            return None
        try:
            docx = Path(folder) / "preview.docx"
            docx.write_bytes(render_one(config, "docx", view, mark_size))
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
