"""View model → HTML through a sandboxed Jinja template (for the PDF and the preview)."""

from __future__ import annotations

import functools
import re
import types
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .. import bundled
from ..compose.blocks import DocumentView
from ..config import Config, pdf_font_file
from . import layout
from .styles import css_family, css_of, load_styles
from .sandbox import ConfinedLoader, Readable, TemplateEnvironment, template_errors, template_roots

TEMPLATE_NAME = "document.html.j2"
# The GB/T 9704 numbers as plain data (the template reads L.BODY_PT, …), not the module.
LAYOUT = types.SimpleNamespace(**{k: v for k, v in vars(layout).items() if k.isupper()})


class Html(str):
    """The HTML of a document, with what its template may make WeasyPrint read (render_pdf)."""

    readable: Readable

    def __new__(cls, text: str, readable: Readable):
        html = super().__new__(cls, text)
        html.readable = readable
        return html


def template_dirs(config: Config) -> list[Path]:
    """The project's own templates first, then the bundled ones."""
    return bundled.template_dirs(config.root, "html")


def environment(config: Config) -> TemplateEnvironment:
    return _environment(tuple(str(d) for d in template_dirs(config)), template_roots(config.root))


@functools.lru_cache(maxsize=8)
def _environment(dirs: tuple[str, ...], roots: tuple[Path, ...]) -> TemplateEnvironment:
    """One environment per template folders, kept for the process: it keeps its compiled
    templates (compiling them again took a tenth of a short PDF's time) and recompiles a
    template whose file changed."""
    env = TemplateEnvironment(
        TEMPLATE_NAME,
        loader=ConfinedLoader([Path(d) for d in dirs], roots),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["quote_breaks"] = quote_breaks
    return env


_OPENING = re.compile(r"(?<=[\u3400-\u9fff])([“‘])")
_CLOSING = re.compile(r"([”’])(?=[\u3400-\u9fff])")


def quote_breaks(text: str) -> Markup:
    """The text, escaped, with line-break opportunities (<wbr>) before an opening and after a closing
    quotation mark between Chinese characters: WeasyPrint (Pango, UAX #14 LB19) never breaks beside
    “ ” ‘ ’, where Word, LibreOffice and Typst break as beside any Chinese character."""
    return Markup(_CLOSING.sub(r"\1<wbr>", _OPENING.sub(r"<wbr>\1", str(escape(text)))))


def font_faces(config: Config, files: dict[str, Path | None]) -> dict[str, dict]:
    """CSS font-family and @font-face data per role (files: font_files)."""
    faces = {}
    for role, font in config.fonts:
        path = files[role]
        if path is not None:
            faces[role] = {"family": f"gf-{role}", "src": path.as_uri(), "weight": font.weight}
        else:
            faces[role] = {"family": font.pdf, "src": None, "weight": font.weight}
    return faces


def font_files(config: Config) -> dict[str, Path | None]:
    """The PDF font file of each role that config.yaml names by file (None: an installed family);
    a missing file is a clear error."""
    return {role: pdf_font_file(config, role) for role, _font in config.fonts}


def role_css(config: Config, faces: dict[str, dict]) -> dict[str, str]:
    """The CSS declarations of every paragraph role, from the style sheet (templates/styles.yaml)."""
    return {role: css_of(style, css_family(faces[style.font]["family"]), faces[style.font]["weight"], layout.CHAR_PITCH_PT)
            for role, style in load_styles(config.root).items()}


def render_html(view: DocumentView, config: Config) -> Html:
    env = environment(config)
    files = font_files(config)
    with template_errors(TEMPLATE_NAME):
        template = env.get_template(TEMPLATE_NAME)
        faces = font_faces(config, files)
        text = template.render(view=view, fonts=faces, L=LAYOUT, S=role_css(config, faces),
                               mark_size=view.frame.mark_size if view.frame else layout.MARK_PT,
                               mark_scale=view.frame.mark_scale if view.frame else 1)
    fonts_read = frozenset(path.resolve() for path in files.values() if path is not None)
    return Html(text, Readable(template_roots(config.root), fonts_read))
