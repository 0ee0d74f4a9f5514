"""One document for the preview: composed and rendered to PDF by the same code as `gongfu build`
(the configured PDF engine, through the renderer's public function), then shown page by page as
images (PDFium), so the preview is the printed form.

Each page gets a digest of what it draws (its text, and every text, path, image and form object with
its place, colours and font), so a page that a change left as it was keeps its image: only changed
pages are rasterised again. Reading a page for its digest costs about as much as drawing it, so the
pages are read in the order the browser needs them (those on screen first)."""

from __future__ import annotations

import ctypes
import hashlib
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import kinds
from ..render import workers
from ..render.registry import renderer_for

PAGE_SCALE = 1.5            # 108 dpi: sharp enough on screen, quick to draw


@dataclass(frozen=True)
class Page:
    width: float                # points
    height: float
    text: str
    digest: str                 # of what the page draws: equal digests, equal images


@dataclass
class Rendered:
    title: str
    pdf: bytes
    sizes: list[tuple[float, float]]            # of every page, points
    pages: list[Page | None]                    # None: not read yet
    warnings: list[str] = field(default_factory=list)
    source: tuple = ()          # (config, view): what the background check renders the Word output from


def documents(root: Path) -> list[tuple[str, str, str | None]]:
    """(id, kind, period) of every document in config.yaml; those with periods with their latest."""
    config = kinds.load_config(root)
    out = []
    for doc_id, doc in config.documents.items():
        outputs = kinds.get(doc.kind).outputs(config, doc_id, required=False)
        out.append((doc_id, doc.kind, outputs[-1].period if outputs else None))
    return out


def render_document(root: Path, doc_id: str, period: str | None, pdfium: "Pdfium") -> Rendered:
    """The document (the latest period of one that has periods, unless one is asked for) as `gongfu
    build` would make its PDF; its pages still to read (Pdfium.pages)."""
    config = kinds.load_config(root)
    composed = kinds.compose(config, doc_id, period)
    renderer = renderer_for("pdf", config)
    pdf = renderer.render(composed.view, config)
    if renderer.runs_in != "worker":
        workers.release_kept_worker()   # the engine switched back from WeasyPrint: its worker is not kept
    sizes = pdfium.sizes(pdf)
    notes = [str(w) for w in composed.warnings if w.category != "normalised"]
    normalised = sum(1 for w in composed.warnings if w.category == "normalised")
    if normalised:   # as `gongfu build` says it: one line (gongfu check lists the places)
        notes.append(f"数据中 {normalised} 处的半角标点已按 GB/T 15834 印为全角（数据文件未改动；gongfu check 列出位置）")
    return Rendered(composed.view.title, pdf, sizes, [None] * len(sizes), notes, (config, composed.view))


class Pdfium:
    """All PDFium work of the preview process: PDFium is not thread-safe, so every call is made
    under one lock, and every object is closed explicitly under it (not left to the garbage
    collector, which may run in any thread). The PDF last drawn from stays open, with its fonts."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._pdf: bytes | None = None
        self._document = None

    def sizes(self, pdf: bytes) -> list[tuple[float, float]]:
        import pypdfium2 as pdfium

        with self.lock:
            document = pdfium.PdfDocument(pdf)
            try:
                return [document.get_page_size(i) for i in range(len(document))]
            finally:
                document.close()

    def pages(self, pdf: bytes, order: list[int]) -> Iterator[tuple[int, Page]]:
        """(index, size, text and digest) of the pages in this order; the lock is taken page by page,
        so the images of what is on screen are drawn meanwhile."""
        import pypdfium2 as pdfium

        with self.lock:
            document = pdfium.PdfDocument(pdf)
        try:
            for index in order:
                with self.lock:
                    page = _read_page(document[index])
                yield index, page
        finally:
            with self.lock:
                document.close()

    def png(self, pdf: bytes, index: int) -> bytes:
        import pypdfium2 as pdfium

        with self.lock:
            if self._pdf is not pdf:
                self.close_document()
                self._document, self._pdf = pdfium.PdfDocument(pdf), pdf
            page = self._document[index]
            try:
                bitmap = page.render(scale=PAGE_SCALE)
                image = bitmap.to_pil().copy()   # its own pixels: the bitmap is freed here, under the lock
                bitmap.close()
            finally:
                page.close()
        out = io.BytesIO()
        image.save(out, "PNG", compress_level=1)
        return out.getvalue()

    def close_document(self) -> None:
        if self._document is not None:
            self._document.close()
            self._document, self._pdf = None, None

    def close(self) -> None:
        with self.lock:
            self.close_document()


# ------------------------------------------------------------------------------------ page digests

def _read_page(page) -> Page:
    import pypdfium2.raw as c

    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
            digest = hashlib.blake2b(f"{PAGE_SCALE} {width:.2f} {height:.2f}\n{text}".encode("utf-8", "replace"),
                                     digest_size=12)
            _objects(digest, page.raw, c.FPDFPage_CountObjects(page.raw), c.FPDFPage_GetObject, {})
        finally:
            textpage.close()
    finally:
        page.close()
    return Page(width, height, text, digest.hexdigest())


def _objects(digest, parent, count: int, get, fonts: dict) -> None:
    """Every object the page draws (form XObjects opened): its kind, bounds, colours; the font and
    size of text (its characters are in the page text), the segments of paths, the data of images.
    What it leaves out: the outlines of a font's glyphs (a font file replaced under the same name)."""
    import pypdfium2.raw as c

    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    rgba = [ctypes.c_uint() for _ in range(4)]
    number, x, y = ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    for i in range(count):
        obj = get(parent, i)
        kind = c.FPDFPageObj_GetType(obj)
        c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
        parts: list = [kind, round(left.value, 2), round(bottom.value, 2), round(right.value, 2), round(top.value, 2)]
        if c.FPDFPageObj_GetFillColor(obj, *rgba):
            parts += [v.value for v in rgba]
        if c.FPDFPageObj_GetStrokeColor(obj, *rgba):
            parts += [v.value for v in rgba]
        if c.FPDFPageObj_GetStrokeWidth(obj, number):
            parts.append(round(number.value, 3))
        if kind == c.FPDF_PAGEOBJ_TEXT:
            c.FPDFTextObj_GetFontSize(obj, number)
            parts += [round(number.value, 3), _font_name(c.FPDFTextObj_GetFont(obj), fonts),
                      c.FPDFTextObj_GetTextRenderMode(obj)]
        elif kind == c.FPDF_PAGEOBJ_PATH:
            segments = c.FPDFPath_CountSegments(obj)
            parts.append(segments)
            for s in range(segments):
                segment = c.FPDFPath_GetPathSegment(obj, s)
                c.FPDFPathSegment_GetPoint(segment, x, y)
                parts += [c.FPDFPathSegment_GetType(segment), c.FPDFPathSegment_GetClose(segment),
                          round(x.value, 2), round(y.value, 2)]
        elif kind == c.FPDF_PAGEOBJ_IMAGE:
            size = c.FPDFImageObj_GetImageDataRaw(obj, None, 0)
            data = ctypes.create_string_buffer(max(size, 1))
            c.FPDFImageObj_GetImageDataRaw(obj, data, size)
            parts.append(hashlib.blake2b(data.raw[:size], digest_size=12).hexdigest())
        elif kind == c.FPDF_PAGEOBJ_FORM:
            digest.update(repr(parts).encode())
            _objects(digest, obj, c.FPDFFormObj_CountObjects(obj), c.FPDFFormObj_GetObject, fonts)
            parts = ["end of form"]
        digest.update(repr(parts).encode())


def _font_name(font, fonts: dict) -> str:
    """The font's name without the subset prefix ("ABCDEF+"), which changes with the characters used."""
    import pypdfium2.raw as c

    key = ctypes.cast(font, ctypes.c_void_p).value
    if key not in fonts:
        name = ""
        if key:
            size = c.FPDFFont_GetBaseFontName(font, None, 0)
            buffer = ctypes.create_string_buffer(max(size, 1))
            c.FPDFFont_GetBaseFontName(font, buffer, size)
            name = buffer.value.decode("latin-1").split("+", 1)[-1]
        fonts[key] = name
    return fonts[key]
