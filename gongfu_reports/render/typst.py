"""View model → PDF with Typst (`pdf_engine: typst`): the same view model as the HTML template,
laid out by the Typst compiler (Rust, through the `typst` package) about 10 times faster than
WeasyPrint. The template (templates/typst/document.typ) reads the view as JSON."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import os
import re
from pathlib import Path

from .. import bundled
from ..compose.blocks import DocumentView, Image, Table
from ..config import Config, pdf_font_file
from ..errors import GongfuError, Place, display_path
from ..pdfpack import pack
from . import layout, sandbox, typst_child
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
    families, font_dirs = font_families(config)
    template = template_file(config)
    roots = sandbox.template_roots(config.root)
    for folder in roots:   # Typst reads what is in its folder, symlinks followed
        for path, wrong in sandbox.forbidden_entries(folder, roots):
            raise GongfuError(f"模板文件夹中的“{_shown(path)}”{wrong}，Typst 模板不能使用",
                              Place(display_path(template)), hint=sandbox.REFUSED_HINT)
    date = datetime.datetime.fromisoformat(view.date).replace(tzinfo=datetime.timezone.utc)
    request = {
        "root": str(template.parent), "font_dirs": list(font_dirs), "template": str(template),
        "timestamp": int(date.timestamp()),
        "inputs": {
            "view": json.dumps(_jsonable(view), ensure_ascii=False),
            "layout": json.dumps({k: v for k, v in vars(layout).items() if k.isupper()}),
            "fonts": json.dumps(families, ensure_ascii=False),
            "styles": json.dumps(as_json(load_styles(config.root)), ensure_ascii=False),
            "mark_size": str(view.frame.mark_size if view.frame else layout.MARK_PT),
            "mark_scale": str(view.frame.mark_scale if view.frame else 1),
        },
    }
    seconds, wall_seconds, memory_mb = _limits()
    try:
        # Typst writes its tagged PDF's structure as uncompressed objects: packed, the PDF is ~22 % smaller.
        return pack(typst_child.compile_pdf(request, seconds, wall_seconds, memory_mb))
    except typst_child.CompileError as exc:
        raise _template_error(exc, template) from None
    except typst_child.ChildStopped as exc:
        message, hint = sandbox.stopped("Typst", exc.reason, seconds, memory_mb)
        raise GongfuError(message, Place(display_path(template)), hint=hint) from None


def start_compiler(config: Config) -> None:
    """The Typst child started, with the template folder's compiler and the configured fonts loaded
    (typst_child.start): what the first compile of a build would otherwise wait for."""
    try:
        families, font_dirs = font_families(config)
        root = str(template_file(config).parent)
    except GongfuError:
        return   # the render reports it, with its place
    typst_child.start(root, list(font_dirs), json.dumps(families, ensure_ascii=False), *_limits())


def _limits() -> tuple[float, float, int]:
    """A compile's limits in the child: CPU seconds, wall-clock seconds, memory in MB."""
    seconds = sandbox.seconds()
    return seconds, sandbox.WALL_FACTOR * seconds, sandbox.memory_mb()


def _shown(path: Path) -> str:
    """A path as display_path shows it, without following a symlink at its end."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


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
            out["tall_rows"], out["split_rows"] = layout.row_breaks(obj, landscape)
            return out
        if dataclasses.is_dataclass(obj):
            landscape = getattr(obj, "landscape", landscape)   # a section: its tables' page
            return {f.name: convert(getattr(obj, f.name), landscape) for f in dataclasses.fields(obj)}
        if isinstance(obj, (list, tuple)):
            return [convert(x, landscape) for x in obj]
        return obj

    return convert(view)


def _template_error(exc: typst_child.CompileError, template: Path) -> GongfuError:
    """A Typst error with the template file and line (its diagnostic: "┌─ tmp/w/templates/typst/
    document.typ:12:3", relative to the child's working folder /); files outside the template
    folder and packages in Chinese."""
    message = exc.message or "未知错误"
    where = re.search(r"([\w./-]+\.typ):(\d+)", exc.diagnostic or "")
    place = Place(display_path(Path("/", where.group(1))), line=int(where.group(2))) if where \
        else Place(display_path(template))
    hints = "；".join(exc.hints) or None
    if message.startswith("file not found"):
        searched = re.search(r"searched at (.+?)\)?$", message)
        wanted = Path(searched.group(1)) if searched else None
        if wanted is not None and wanted.is_relative_to(template.parent):
            wanted = wanted.relative_to(template.parent)
        return GongfuError(f"Typst 模板要读取的“{wanted or message}”在模板文件夹 {display_path(template.parent)}/ 中不存在",
                           place, hint=sandbox.REFUSED_HINT + "；Typst 模板中以 / 开头的路径也从模板文件夹算起")
    if "escape the project root" in message:
        return GongfuError(f"Typst 模板不能读取模板文件夹以外的文件：{message.split('`')[1] if '`' in message else message}",
                           place, hint=sandbox.REFUSED_HINT)
    if "package" in message and message.startswith(("failed to download", "package not found", "failed to load")):
        return GongfuError(f"Typst 模板不能使用外部包（生成时不联网，也不读取已下载的包）：{message}", place)
    return GongfuError(f"Typst 模板出错：{message}", place, hint=hints)
