"""HTML → PDF with WeasyPrint: fonts embedded and subset, metadata from the document; the
template's HTML may make WeasyPrint read only the templates folders and the configured fonts."""

from __future__ import annotations

import atexit
import io
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from ..compose.blocks import DocumentView
from ..config import Config
from ..errors import GongfuError, Place, display_path
from .sandbox import BUNDLED_TEMPLATES, REFUSED_HINT, Readable, template_roots

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
    """The PDF of the html engine: the Jinja template's HTML laid out by WeasyPrint."""
    from .html import render_html

    return render_pdf(render_html(view, config), view, config.root)


def render_pdf(html: str, view: DocumentView, base_url: Path, readable: Readable | None = None) -> bytes:
    """`readable`: what the HTML may make WeasyPrint read; by default what render_html allowed
    (templates folders and configured fonts), for other HTML the templates folders only."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    readable = readable or getattr(html, "readable", None) or Readable(template_roots(base_url))
    fetcher = _confined_fetcher(readable)
    try:
        document = HTML(string=html, base_url=str(base_url), url_fetcher=fetcher).render(
            pdf_tags=True, font_config=font_configuration(html))
        out = io.BytesIO()
        # Fixed dates from the document itself keep rebuilds byte-identical.
        document.metadata.title = view.title
        document.metadata.created = view.date
        document.metadata.modified = view.date
        document.write_pdf(out, pdf_identifier=view.id.encode("utf-8"), pdf_tags=True)
    except _Refused:
        pass
    if fetcher.refused:   # also those WeasyPrint caught (an image inside an SVG image)
        url = fetcher.refused[0]
        raise GongfuError(f"HTML 模板要读取不允许的地址：{url}", _url_place(url, base_url), hint=REFUSED_HINT)
    return out.getvalue()


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
    from .html import TEMPLATE_NAME

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
    return Place(display_path(Path(base_url) / "templates" / "html" / TEMPLATE_NAME))
