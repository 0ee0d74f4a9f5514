"""The web edition (政府信息公开): the view model of one document → one self-contained HTML page
(build/<id>.html) through a sandboxed Jinja template of templates/web/.

The page carries the same text as the DOCX and PDF, in the same order, marked up for the web: the
document's title is the page's <h1>, its 一、 and （一） headings and the titles of what it issues
and attaches the headings below; tables are real tables (<th scope>, row groups for 分组 rows) in a
box that scrolls sideways on a narrow screen; no page layout, no external requests (fonts are CSS
font families, charts are inline data). What goes where is worked out here; the template places it."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from .. import bundled
from ..compose.blocks import Cell, DocumentView, Image, Paragraph, Table
from ..config import Config
from ..errors import GongfuError, Place
from . import layout
from .sandbox import ConfinedLoader, TemplateEnvironment, template_errors, template_roots
from .styles import css_family, css_of, load_styles

TEMPLATE = "document.html.j2"

# After the official face config.yaml names for Word: faces found on readers' computers and phones.
FALLBACK_FAMILIES = {
    "fang": ["FangSong", "STFangsong", "FandolFang", "Noto Serif CJK SC", "Source Han Serif SC", "serif"],
    "xbs": ["FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", "Source Han Serif SC", "STSong", "SimSun", "serif"],
    "hei": ["SimHei", "STHeiti", "FandolHei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
            "PingFang SC", "sans-serif"],
    "kai": ["KaiTi", "STKaiti", "FandolKai", "AR PL UKai CN", "serif"],
    "song": ["SimSun", "STSong", "FandolSong", "Noto Serif CJK SC", "serif"],
}
GENERIC = {"serif", "sans-serif", "monospace"}


@dataclass
class WebCell:
    cell: Cell
    header: bool = False      # <th>
    scope: str | None = None  # col, colgroup, rowgroup (a 分组 row), row (the cell that names its row)


@dataclass
class RowGroup:
    """A <tbody>: a 分组 row (when the table has them) and the rows under it."""

    rows: list[list[WebCell]] = field(default_factory=list)


@dataclass
class WebTable:
    table: Table
    id: str                       # "table-3": the third table of the page
    caption: str | None           # 表题 printed above it
    label: str                    # what a screen reader calls its scrolling box: the caption or the heading above
    colgroups: list[list[str]]    # column widths (percent) per group of columns under one top header
    header: list[list[WebCell]]
    groups: list[RowGroup]
    min_width_em: float           # narrower than this, the table scrolls in its box
    kind: str = "table"

    @property
    def wide(self) -> bool:
        """Wider than the text column: on a large screen it may use the width of the window."""
        return self.min_width_em > WIDE_EM


@dataclass
class Heading:
    level: int                    # 1 = the page's title
    role: str                     # its paragraph role in print: title, h1 (一、), h2 (（一）)
    text: str
    label: str | None = None      # "附件1" printed above an attachment's title
    kind: str = "heading"


@dataclass
class Figure:
    image: Image
    alt: str                      # what a screen reader says: the table it draws, when it follows one
    caption: str | None = None    # 图题 printed under it ("图1　……")
    kind: str = "image"


@dataclass
class WebSection:
    blocks: list = field(default_factory=list)   # Heading, Paragraph, WebTable, Figure


def template_dirs(config: Config) -> list[Path]:
    """The project's own templates/web first, then the bundled one."""
    return bundled.template_dirs(config.root, "web")


@functools.lru_cache(maxsize=8)
def _environment(dirs: tuple[str, ...], roots: tuple[Path, ...]) -> TemplateEnvironment:
    """The template sandbox of every engine (render/sandbox.py): reads only templates/, runs within bounds."""
    return TemplateEnvironment(TEMPLATE, loader=ConfinedLoader([Path(d) for d in dirs], roots), autoescape=True,
                               undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_web(view: DocumentView, config: Config) -> bytes:
    env = _environment(tuple(str(d) for d in template_dirs(config)), template_roots(config.root))
    styles = load_styles(config.root)
    families = {role: font_stack(config, role) for role, _ in config.fonts}
    with template_errors(TEMPLATE, "网页模板"):
        html = env.get_template(TEMPLATE).render(
            view=view, sections=outline(view), fonts=families, red=layout.RED,
            S={role: css_of(style, families[style.font], getattr(config.fonts, style.font).weight)
               for role, style in styles.items()})
    _self_contained(html)
    return html.encode("utf-8")


# What a page for 政府信息公开 must not carry, whatever its template says: scripts, frames, plugins, a
# base address or a redirect, and anything loaded from elsewhere (links readers follow by choice stay).
_ACTIVE_TAGS = {"script", "iframe", "frame", "object", "embed", "applet", "base", "link", "form", "portal"}
_LOADED = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"]?)(?!data:|#)([^'")\s]+)""", re.I)


def _self_contained(html: str) -> None:
    """The web edition's page made by the template loads nothing and runs nothing: else an error
    naming the template, what it found and where (one page; the template is shared)."""
    from lxml import html as lxml_html

    page = lxml_html.document_fromstring(html)
    for element in page.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        found = []
        if tag in _ACTIVE_TAGS:
            found.append(f"<{tag}>")
        elif tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            found.append("<meta http-equiv=refresh>")
        for name, value in element.attrib.items():
            name = name.lower()
            if name.startswith("on"):
                found.append(f"{name}=")
            elif name in ("src", "srcset", "poster", "data", "action", "formaction", "background", "xlink:href") \
                    or name == "href" and tag != "a":
                if not value.strip().startswith(("data:", "#")):
                    found.append(f"{name}=\"{value[:60]}\"")
            elif name == "href" and value.strip().lower().startswith("javascript:"):
                found.append("href=javascript:")
        css = (element.text or "") if tag == "style" else element.get("style") or ""
        loaded = _LOADED.search(css)
        if loaded:
            found.append(f"url({loaded[1][:60]})")
        if found:
            raise GongfuError(f"网页模板生成的页面含有“{found[0]}”：政府信息公开的页面不能运行脚本或从别处加载内容",
                              Place(TEMPLATE), hint="网页版应是一个自带全部内容的页面；链接（<a href>）可以保留")


# ------------------------------------------------------------------------------------------ styles

def font_stack(config: Config, role: str) -> Markup:
    """A CSS font-family list: the official face (as in Word), the PDF's face when config.yaml names it
    by family, then faces found on readers' machines. No font file is fetched."""
    font = getattr(config.fonts, role)
    names = [font.docx] + ([font.pdf] if "." not in font.pdf else []) + FALLBACK_FAMILIES[role]
    families = dict.fromkeys(n if n in GENERIC else css_family(n) for n in names)
    return Markup(", ".join(family for family in families if family))   # safe in <style>: not HTML-escaped there


# ------------------------------------------------------------------------------------------ outline

def outline(view: DocumentView) -> list[WebSection]:
    """The view's sections with headings in place of title, h1 and h2 paragraphs (the document's
    title <h1>; the title of a document it issues or attaches one level down, and its headings with
    it), a table's caption in the table, and blank spacing paragraphs left out."""
    sections: list[WebSection] = []
    base = 0                      # the level of the title the headings below belong to
    last_heading, tables = view.title, 0
    for section in view.sections:
        out = WebSection()
        blocks = section.blocks
        label: str | None = None
        figure_captions: set[int] = set()
        for i, block in enumerate(blocks):
            if i in figure_captions:
                continue
            if isinstance(block, Paragraph):
                if not block.text.strip():
                    continue
                if block.role == "attach-label" and _next_title(blocks, i):
                    label = block.text
                    continue
                if block.role == "title":
                    base = 1 if base == 0 else 2
                    # A title's line breaks are those of a printed page: the browser wraps to the screen.
                    out.blocks.append(Heading(base, "title", block.text.replace("\n", ""), label))
                    label, last_heading = None, block.text
                elif block.role in ("h1", "h2"):
                    out.blocks.append(Heading(min(base + (1 if block.role == "h1" else 2), 6), block.role, block.text))
                    last_heading = block.text
                elif block.role == "caption" and i + 1 < len(blocks) and isinstance(blocks[i + 1], Table):
                    continue   # the table's <caption>
                else:
                    out.blocks.append(block)
            elif isinstance(block, Table):
                before = blocks[i - 1] if i else None
                caption = before.text if isinstance(before, Paragraph) and before.role == "caption" else None
                tables += 1
                out.blocks.append(web_table(block, f"table-{tables}", caption, caption or last_heading))
            elif isinstance(block, Image):
                drawn = out.blocks[-1] if out.blocks and isinstance(out.blocks[-1], WebTable) else None
                after = blocks[i + 1] if i + 1 < len(blocks) else None
                caption = after.text if isinstance(after, Paragraph) and after.role == "caption" else None
                if caption:
                    figure_captions.add(i + 1)   # the figure's <figcaption>
                out.blocks.append(Figure(block, _alt(drawn.label) if drawn else caption or "图表", caption))
        sections.append(out)
    return sections


def _alt(table_label: str) -> str:
    """"表1　各牵头领导任务进展情况" → "图：各牵头领导任务进展情况（数据见表1）"."""
    numbered = re.match(r"^(表\d+)[：:\s\u3000]+(.+)", table_label)
    return f"图：{numbered.group(2)}（数据见{numbered.group(1)}）" if numbered else f"图：{table_label}（数据见上表）"


def _next_title(blocks: list, i: int) -> bool:
    for block in blocks[i + 1:]:
        if isinstance(block, Paragraph) and not block.text.strip():
            continue
        return isinstance(block, Paragraph) and block.role == "title"
    return False


def web_table(table: Table, id: str, caption: str | None, label: str) -> WebTable:
    percents = table.column_percents
    # <colgroup> per cell of the top header row, so a header spanning columns (目标值 over
    # 2025年 and 2026年) heads its group of columns: scope="colgroup".
    colgroups, c = [], 0
    for cell in (table.header[0] if table.header else []):
        colgroups.append(percents[c:c + cell.colspan])
        c += cell.colspan
    if c < len(percents):
        colgroups += [[p] for p in percents[c:]]
    header = [[WebCell(cell, True, "colgroup" if cell.colspan > 1 else "col") for cell in row] for row in table.header]
    width = len(table.columns)
    starts = sorted(table.group_rows)
    split = bool(starts) and not _spans_cross(table, starts)
    # The first column names its row (a 牵头领导, a 类别, a 重点任务) unless it only numbers it (序号): its cells
    # are row headers, so a screen reader says whose figures it reads.
    first = "".join(table.header[0][0].lines) if table.header and table.header[0] else ""
    names_rows = first not in ("", "序号")
    groups: list[RowGroup] = [RowGroup()]
    for r, placed in enumerate(layout.cell_columns(table.rows, width)):
        group_row = r in table.group_rows
        if group_row and split and groups[-1].rows:
            groups.append(RowGroup())
        cells = [WebCell(cell, True, "rowgroup") if group_row and cell.colspan == width
                 else WebCell(cell, True, "row") if names_rows and c == 0 and not group_row else WebCell(cell)
                 for c, cell in placed]
        groups[-1].rows.append(cells)
    return WebTable(table, id, caption, label.replace("\n", ""), colgroups, header, groups, min_width_em(table))


WIDE_EM = 48            # the text column of a large screen, in em of table text (web.css.j2: main, table)
COLUMN_CHARS = (2, 12)   # the least and most characters a column keeps on a line before the box scrolls


def min_width_em(table: Table) -> float:
    """How wide the table must stay (em of its text) so each column keeps about as many characters on
    a line as most of its cells need (at most COLUMN_CHARS[1]; longer text wraps): on a phone the
    table scrolls in its box instead of squeezing columns to a character or two."""
    width = len(table.columns)
    lengths: list[list[float]] = [[] for _ in range(width)]
    for placed in layout.cell_columns(table.rows, width):
        for c, cell in placed:
            if c < width and cell.colspan == 1:
                lengths[c].append(max((_chars(line) for line in cell.lines), default=0))
    least, most = COLUMN_CHARS
    chars = [min(max(sorted(col)[int(len(col) * 0.8)] if col else least, least), most) for col in lengths]
    return round(sum(chars) + 1.2 * width, 1)   # + padding and rules


def _chars(text: str) -> float:
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _spans_cross(table: Table, starts: list[int]) -> bool:
    """Does a merged cell run over a 分组 row (then the rows stay one <tbody>)?"""
    for r, row in enumerate(table.rows):
        end = r + max((cell.rowspan for cell in row), default=1) - 1
        if any(r < s <= end for s in starts):
            return True
    return False
