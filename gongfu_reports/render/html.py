"""View model → HTML through a sandboxed Jinja template (for the PDF and the preview)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from .. import bundled
from ..compose.blocks import DocumentView
from ..config import Config, pdf_font_file
from ..errors import GongfuError, Place, display_path
from . import layout
from .styles import css_of, load_styles


def template_dirs(config: Config) -> list[Path]:
    """The project's own templates first, then the bundled ones."""
    return bundled.template_dirs(config.root, "html")


def environment(config: Config) -> SandboxedEnvironment:
    return _environment(tuple(str(d) for d in template_dirs(config)))


@functools.lru_cache(maxsize=8)
def _environment(dirs: tuple[str, ...]) -> SandboxedEnvironment:
    """One environment per template folders, kept for the process: it keeps its compiled
    templates (compiling them again took a tenth of a short PDF's time) and recompiles a
    template whose file changed."""
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(list(dirs)),
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


def font_faces(config: Config) -> dict[str, dict]:
    """CSS font-family and @font-face data per role; a missing font is a clear error."""
    faces = {}
    for role, font in config.fonts:
        path = pdf_font_file(config, role)
        if path is not None:
            faces[role] = {"family": f"gf-{role}", "src": path.as_uri(), "weight": font.weight}
        else:
            faces[role] = {"family": font.pdf, "src": None, "weight": font.weight}
    return faces


def role_css(config: Config, faces: dict[str, dict]) -> dict[str, str]:
    """The CSS declarations of every paragraph role, from the style sheet (templates/styles.yaml)."""
    return {role: css_of(style, faces[style.font]["family"], faces[style.font]["weight"], layout.CHAR_PITCH_PT)
            for role, style in load_styles(config.root).items()}


def render_html(view: DocumentView, config: Config) -> str:
    env = environment(config)
    name = "document.html.j2"
    try:
        template = env.get_template(name)
        faces = font_faces(config)
        return template.render(view=view, fonts=faces, L=layout, S=role_css(config, faces),
                               mark_size=view.frame.mark_size if view.frame else layout.MARK_PT,
                               mark_scale=view.frame.mark_scale if view.frame else 1)
    except jinja2.TemplateSyntaxError as exc:
        raise GongfuError(f"模板语法错误：{exc.message}",
                          Place(display_path(exc.filename or name), line=exc.lineno)) from None
    except jinja2.UndefinedError as exc:
        raise GongfuError(f"模板使用了未定义的变量：{exc.message}", _template_place(exc, name)) from None
    except jinja2.exceptions.SecurityError as exc:
        raise GongfuError(f"模板中有不安全的操作：{exc}", _template_place(exc, name)) from None


def _template_place(exc: Exception, name: str) -> Place:
    """The template file and line of the innermost template frame in the traceback."""
    tb = exc.__traceback__
    place = Place(name)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            place = Place(display_path(filename), line=tb.tb_lineno)
        tb = tb.tb_next
    return place
