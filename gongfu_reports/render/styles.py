"""The style sheet of paragraph roles (templates/styles.yaml): font, size, weight, alignment, first-line
indent and keep-with-next of every role, declared once. The DOCX styles (render/docx.py), the CSS of the
HTML engine (css_of) and the Typst definitions (as_json) are made from it, so an editor changes a role
once and the Word file and both PDFs follow. A working folder's templates/styles.yaml overrides the
bundled sheet role by role."""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from markupsafe import Markup

from .. import bundled
from ..errors import GongfuError, GongfuErrors, Place, display_path
from ..files.yamlfile import LocDict, load_yaml
from .layout import BODY_PT

SHEET = "styles.yaml"
FONT_ROLES = ("fang", "xbs", "hei", "kai", "song")
ALIGN = {"两端": "justify", "左": "left", "居中": "center", "右": "right"}
YES_NO = {"是": True, "否": False, True: True, False: False}
KEYS = {"样式名": "name", "字体": "font", "字号": "size", "加粗": "bold", "对齐": "align", "首行缩进": "indent",
        "与下段同页": "keep_with_next"}


@dataclass(frozen=True)
class Style:
    role: str
    name: str                    # the Word style's name
    font: str                    # a font role of config.yaml: fang, xbs, hei, kai, song
    size: float | None = None    # pt; None: set elsewhere (tables: their own size; the 标志: mark_size)
    bold: bool = False
    align: str | None = None     # justify, left, center, right; None: set by the layout (page numbers)
    indent: float = 0.0          # first-line indent in characters
    keep_with_next: bool = False


def sheet_files(root: Path) -> list[Path]:
    """The bundled sheet and, when there is one, the working folder's (its roles win)."""
    own = Path(root) / "templates" / SHEET
    return [bundled.TEMPLATES / SHEET] + ([own] if own.exists() and own.resolve() != (bundled.TEMPLATES / SHEET).resolve()
                                          else [])


def load_styles(root: Path) -> dict[str, Style]:
    """Every role's style: the bundled sheet, then the working folder's entries over it."""
    styles: dict[str, Style] = {}
    for path in sheet_files(root):
        stat = path.stat()
        own = _read(str(path), stat.st_mtime_ns, stat.st_size)
        unknown = [role for role in own if styles and role not in styles]
        if unknown:
            raise GongfuError(f"样式表中不认识的用途：{'、'.join(unknown)}", Place(display_path(path)),
                              hint=f"可用的用途：{'、'.join(styles)}")
        styles.update(own)
    return styles


@functools.lru_cache(maxsize=8)
def _read(path: str, _mtime: int, _size: int) -> dict[str, Style]:
    data = load_yaml(Path(path))
    if not isinstance(data, LocDict):
        raise GongfuError("样式表应为“用途: {样式名: …, 字体: …}”的映射", Place(display_path(path), line=1))
    out, errors = {}, []
    for role, entry in data.items():
        place = data.place_of(role)
        try:
            out[str(role)] = _style(str(role), entry, place)
        except GongfuError as exc:
            errors.append(exc)
    if errors:
        raise GongfuErrors(errors) if len(errors) > 1 else errors[0]
    return out


def _style(role: str, entry, place: Place) -> Style:
    if not isinstance(entry, dict):
        raise GongfuError(f"“{role}”应写成 {{样式名: …, 字体: …}}", place)
    unknown = [k for k in entry if k not in KEYS]
    if unknown:
        raise GongfuError(f"“{role}”中不认识的设置：{'、'.join(map(str, unknown))}", place,
                          hint=f"可用的设置：{'、'.join(KEYS)}")
    values = {KEYS[k]: v for k, v in entry.items()}
    if not values.get("name") or not isinstance(values["name"], str):
        raise GongfuError(f"“{role}”缺少样式名（Word 中的样式名称）", place)
    if values.get("font") not in FONT_ROLES:
        raise GongfuError(f"“{role}”的字体“{values.get('font')}”不认识", place,
                          hint="字体写用途名：fang 仿宋、xbs 小标宋、hei 黑体、kai 楷体、song 宋体")
    size = values.get("size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, (int, float)) or not 5 <= size <= 72):
        raise GongfuError(f"“{role}”的字号“{size}”应为 5 到 72 之间的数（pt）", place)
    if "align" in values and values["align"] not in ALIGN:
        raise GongfuError(f"“{role}”的对齐“{values['align']}”不认识，应为：{'、'.join(ALIGN)}", place)
    indent = values.get("indent", 0)
    if isinstance(indent, bool) or not isinstance(indent, (int, float)) or not 0 <= indent <= 10:
        raise GongfuError(f"“{role}”的首行缩进“{indent}”应为 0 到 10 之间的字数", place)
    for key, label in (("bold", "加粗"), ("keep_with_next", "与下段同页")):
        if key in values and values[key] not in YES_NO:
            raise GongfuError(f"“{role}”的{label}应为“是”或“否”", place)
    return Style(role, values["name"], values["font"], float(size) if size is not None else None,
                 YES_NO.get(values.get("bold"), False), ALIGN.get(values.get("align")), float(indent),
                 YES_NO.get(values.get("keep_with_next"), False))


_CSS_UNSAFE = re.compile(r'["\\<>;{}\n]')


def css_family(name: str) -> str:
    """One font family name (from config.yaml) as a CSS string ("" when nothing is left): any character
    that could end the string, the declaration or the style element is dropped, so it is safe in a
    template's <style>."""
    name = _CSS_UNSAFE.sub("", name).strip()
    return f'"{name}"' if name else ""


def css_of(style: Style, family: str, weight: int, char_pt: float | None = None) -> Markup:
    """CSS declarations of a role: font, size, weight, alignment, first-line indent, keeping. family:
    a CSS font-family value (css_family). In print (the HTML engine, char_pt: the character pitch)
    sizes in pt, the indent in characters and headings kept with what follows; on the web (char_pt
    None: the web edition) sizes relative to the body text (em), so the reader's text size decides."""
    out = [f"font-family: {family};", f"font-weight: {'bold' if style.bold else int(weight)};"]
    if not char_pt and not style.bold and int(weight) > 400:
        # The weight is the free stand-in's (Noto Serif CJK Bold for 小标宋): the official face first in
        # the list has one weight, and a browser would thicken its strokes into a smeared fake bold.
        out.append("font-synthesis: none;")
    if style.size is not None:
        out.append(f"font-size: {style.size:g}pt;" if char_pt else f"font-size: {style.size / BODY_PT:.3g}em;")
    if style.align:
        out.append(f"text-align: {style.align};")
    if style.indent:
        out.append(f"text-indent: {style.indent * char_pt:g}pt;" if char_pt else f"text-indent: {style.indent:g}em;")
    if style.keep_with_next and char_pt:
        out.append("break-after: avoid;")
    return Markup(" ".join(out))


def as_json(styles: dict[str, Style]) -> dict:
    """The sheet as plain data (the Typst template reads it)."""
    return {role: asdict(style) for role, style in styles.items()}
