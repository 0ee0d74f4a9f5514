"""View model → PDF with Typst (`pdf_engine: typst`): the same view model as the HTML template,
laid out by the Typst compiler (Rust, through the `typst` package) about 10 times faster than
WeasyPrint. The template (templates/typst/document.typ) reads the view as JSON."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import re
from pathlib import Path

from .. import bundled
from ..compose.blocks import DocumentView, Image, Table
from ..config import Config, pdf_font_file
from ..errors import GongfuError, Place, display_path
from . import layout
from .styles import as_json, load_styles

TEMPLATE_NAME = "document.typ"


def template_dirs(config: Config) -> list[Path]:
    """The project's own Typst template first, then the bundled one."""
    return bundled.template_dirs(config.root, "typst")


def template_file(config: Config) -> Path:
    path = bundled.template_file(config.root, "typst", TEMPLATE_NAME)
    if not path.exists():
        raise GongfuError(f"找不到 Typst 模板 {TEMPLATE_NAME}", Place(display_path(path)))
    return path


def render_pdf_typst(view: DocumentView, config: Config) -> bytes:
    import typst

    families, font_dirs = font_families(config)
    template = template_file(config)
    compiler = _compiler(str(template.parent), font_dirs)
    inputs = {
        "view": json.dumps(_jsonable(view), ensure_ascii=False),
        "layout": json.dumps({k: v for k, v in vars(layout).items() if k.isupper()}),
        "fonts": json.dumps(families, ensure_ascii=False),
        "styles": json.dumps(as_json(load_styles(config.root)), ensure_ascii=False),
        "mark_size": str(view.frame.mark_size if view.frame else layout.MARK_PT),
        "mark_scale": str(view.frame.mark_scale if view.frame else 1),
    }
    date = datetime.datetime.fromisoformat(view.date).replace(tzinfo=datetime.timezone.utc)
    try:
        return compiler.compile(input=str(template), format="pdf", sys_inputs=inputs,
                                timestamp=int(date.timestamp()), pdf_tags=True)
    except typst.TypstError as exc:
        raise _template_error(exc, template) from None


@functools.lru_cache(maxsize=4)
def _compiler(root: str, font_dirs: tuple[str, ...]):
    """One compiler per template folder and fonts, kept for the process: it loads the fonts once
    and reuses what it laid out before (a second document with the same table rows is cheaper)."""
    import typst

    return typst.Compiler(root=root, font_paths=list(font_dirs))


def font_families(config: Config) -> tuple[dict[str, dict], tuple[str, ...]]:
    """Typst family name and weight per role, and the folders of the font files named in config."""
    families, dirs = {}, []
    for role, font in config.fonts:
        path = pdf_font_file(config, role)
        if path is not None:
            family = _family_of(str(path))
            if family is None:
                raise GongfuError(f"Typst 无法读取字体文件“{font.pdf}”（用于 {role}）",
                                  config.place("fonts", role, "pdf"))
            families[role] = {"family": family, "weight": font.weight}
            dirs.append(str(path.parent))
        else:
            families[role] = {"family": font.pdf, "weight": font.weight}
    return families, tuple(dict.fromkeys(dirs))


@functools.lru_cache(maxsize=32)
def _family_of(path: str) -> str | None:
    """The family name Typst knows a font file by (FandolFang-Regular.otf → "FandolFang R")."""
    import typst

    found = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                        font_paths=[str(Path(path).parent)])
    return next((f.family for f in found.fonts() if f.path and Path(f.path) == Path(path)), None)


def _jsonable(view: DocumentView) -> dict:
    """The view as plain data for the template: PNG bytes left out, table widths as percentages."""
    def convert(obj, landscape=False):
        if isinstance(obj, Image):
            return {"kind": obj.kind, "svg": obj.svg, "width_mm": obj.width_mm}
        if isinstance(obj, Table):
            out = {f.name: convert(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
            out["group_rows"] = sorted(obj.group_rows)
            out["column_percents"] = obj.column_percents
            out["tall_rows"] = layout.tall_rows(obj, landscape)
            return out
        if dataclasses.is_dataclass(obj):
            landscape = getattr(obj, "landscape", landscape)   # a section: its tables' page
            return {f.name: convert(getattr(obj, f.name), landscape) for f in dataclasses.fields(obj)}
        if isinstance(obj, (list, tuple)):
            return [convert(x, landscape) for x in obj]
        return obj

    return convert(view)


def _template_error(exc: Exception, template: Path) -> GongfuError:
    """A Typst error with the template file and line (its diagnostic: "┌─ document.typ:12:3")."""
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    where = re.search(r"([\w./-]+\.typ):(\d+)", str(getattr(exc, "diagnostic", "") or ""))
    line = int(where.group(2)) if where else None
    hints = "；".join(getattr(exc, "hints", None) or [])
    return GongfuError(f"Typst 模板出错：{message}", Place(display_path(template), line=line), hint=hints or None)
