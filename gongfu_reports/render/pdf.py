"""HTML → PDF with WeasyPrint: fonts embedded and subset, metadata from the document; the
template's HTML may make WeasyPrint read only the templates folders and the configured fonts.

WeasyPrint lays out what the template wrote, and a template can make that endless: SVG <use>
elements nested six deep (a million rectangles) ran four minutes and took 4.4 GB. So it runs only
in a process whose CPU time and data memory are limited for each layout (workers.bounded): a build's
pool worker, else the worker kept for the process (a serial build, the preview server)."""

from __future__ import annotations

import atexit
import io
import logging
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from ..compose.blocks import DocumentView, view_chars
from ..config import Config
from ..errors import GongfuError, Place, display_path
from . import sandbox, workers
from .sandbox import BUNDLED_TEMPLATES, REFUSED_HINT, Readable

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


def render_pdf_html(view: DocumentView, config: Config) -> bytes:
    """The PDF of the html engine: the Jinja template's HTML laid out by WeasyPrint, within limits."""
    from .html import render_html

    html = render_html(view, config)
    seconds, memory_mb = _limits(view)
    try:
        return workers.bounded(seconds, memory_mb, render_pdf, str(html), view, config.root, html.readable)
    except workers.Stopped as exc:
        raise stopped_error(exc.reason, view, config.root) from None


# WeasyPrint lays out much slower than Typst and keeps every page until the file is written: a
# document's own size widens the template limits, by as much again for each SECONDS_CHARS (CPU time) and
# MEMORY_CHARS (memory) characters of the view. Measured (CPU s, data MB): the scaled 1000-row task list
# (275 000 characters) 26 s, 730 MB; its 通报 (663 000) 24 s, 300 MB; the example's largest 2.9 s, 143 MB.
SECONDS_CHARS = 100_000
MEMORY_CHARS = 250_000


def _limits(view: DocumentView) -> tuple[float, int]:
    """The CPU seconds and the data memory (MB) one layout of this view may take."""
    n = view_chars(view)
    return sandbox.seconds() * (1 + n / SECONDS_CHARS), int(sandbox.memory_mb() * (1 + n / MEMORY_CHARS))


def stopped_error(reason: str, view: DocumentView, base_url: Path) -> GongfuError:
    """The error for a layout of this view stopped at a limit (workers.Stopped.reason)."""
    seconds, memory_mb = _limits(view)
    message, hint = sandbox.stopped("HTML", reason, seconds, memory_mb)
    return GongfuError(message, _template_place(base_url), hint=hint)


def _template_place(base_url: Path) -> Place:
    """The HTML template the layout was made from: the working folder's, else the bundled one."""
    from .html import TEMPLATE_NAME

    for folder in (Path(base_url) / "templates" / "html", BUNDLED_TEMPLATES / "html"):
        if (folder / TEMPLATE_NAME).is_file():
            return Place(display_path(folder / TEMPLATE_NAME))
    return Place(TEMPLATE_NAME)


def render_pdf(html: str, view: DocumentView, base_url: Path, readable: Readable) -> bytes:
    """WeasyPrint's PDF of the HTML; `readable`: what the HTML may make it read (render_html's Html.readable)."""
    from weasyprint import CSS, HTML

    logger = logging.getLogger("weasyprint")
    logger.setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fetcher, failed = _confined_fetcher(readable), _FailedPictures()
    logger.addHandler(failed)
    try:
        document = HTML(string=html, base_url=str(base_url), url_fetcher=fetcher).render(
            pdf_tags=True, font_config=font_configuration(html))
        move = _imprint_to_even_page(document, view)
        if move:   # laid out again (only then): which page the 版记 falls on is known only after layout
            del document
            document = HTML(string=html, base_url=str(base_url), url_fetcher=fetcher).render(
                pdf_tags=True, font_config=font_configuration(html), stylesheets=[CSS(string=move)])
        out = io.BytesIO()
        # Fixed dates from the document itself keep rebuilds byte-identical.
        document.metadata.title = view.title
        document.metadata.created = view.date
        document.metadata.modified = view.date
        document.write_pdf(out, pdf_identifier=view.id.encode("utf-8"), pdf_tags=True)
    except _Refused:
        pass
    finally:
        logger.removeHandler(failed)
    if fetcher.refused:   # also those WeasyPrint caught (an image inside an SVG image)
        url = fetcher.refused[0]
        raise GongfuError(f"HTML 模板要读取不允许的地址：{url}", _url_place(url, base_url), hint=REFUSED_HINT)
    if failed.count:
        raise GongfuError(f"PDF 中有 {failed.count} 个 SVG 图形无法绘制（WeasyPrint 会把它留成空白）",
                          _template_place(base_url), hint="检查模板中的 SVG 图形：是否引用了自身（<use>）、标记是否完整")
    return out.getvalue()


# The 版记 goes on an even page (the last side of a sheet printed on both sides; GB/T 9704 asks for it at the
# foot of the document's last side). The HTML template marks where the text ends and the 版记 (ids
# "text-end", "imprint"); if the 版记 fell on an odd page, the document is laid out again with one of these
# rules: its holder starts the next even page, numbered when the text ends on the page before, else after a
# blank page, and neither of those two pages numbered (the template's @page imprint-bare and :blank:right).
IMPRINT_NEXT_PAGE = ".imprint-holder { break-before: left; }"
IMPRINT_AFTER_BLANK = ".imprint-holder { break-before: left; page: imprint-bare; }"


def _imprint_to_even_page(document, view: DocumentView) -> str | None:
    """The rule that moves the 版记 to the next even page, or None where it is on one (or the template
    marks none)."""
    pages = {name: number for number, page in enumerate(document.pages, 1) for name in page.anchors}
    at = pages.get("imprint")
    if at is None or at % 2 == 0:
        return None
    return IMPRINT_NEXT_PAGE if pages.get("text-end") == at and not view.imprint_alone else IMPRINT_AFTER_BLANK


class _FailedPictures(logging.Handler):
    """Counts the SVG pictures WeasyPrint could not draw: it logs them and leaves a blank space, which
    no one would notice in a 45-page PDF before it is signed."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith("Failed to render SVG image"):
            self.count += 1


def _confined_fetcher(readable: Readable):
    """WeasyPrint's fetcher for data: URLs and for files the template may read; any other URL
    (a file elsewhere, http://, …) stops the rendering (a plain error would only skip it)."""
    from weasyprint.urls import URLFetcher

    class ConfinedFetcher(URLFetcher):
        def __init__(self):
            super().__init__()
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            path = Path(url2pathname(parts.path))
            if scheme == "file" and parts.netloc in ("", "localhost") and readable.allows(path) \
                    and (path.is_file() or not path.exists()):   # not a pipe: it would wait for ever
                return super().fetch(url, headers)   # a missing file there: skipped, as before
            self.refused.append(url)
            raise _Refused(url)

    return ConfinedFetcher()


class _Refused(BaseException):
    """Stops the rendering at a URL the template may not read. Not an Exception: WeasyPrint
    would log it and go on (its own FatalURLFetchingError is a BaseException for that reason)."""


def _url_place(url: str, base_url: Path) -> Place:
    """The HTML template line that names the URL (as written, or its file name), else the template."""
    wanted = [url, unquote(url), Path(unquote(urlsplit(url).path)).name]
    folders = [Path(base_url) / "templates" / "html", BUNDLED_TEMPLATES / "html"]
    for folder in folders:
        for path in sorted(folder.glob("*.j2")) if folder.is_dir() else []:
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for needle in wanted:
                for number, line in enumerate(lines, 1):
                    if needle and needle in line:
                        return Place(display_path(path), line=number)
    return _template_place(base_url)
