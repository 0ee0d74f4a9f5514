"""The view model: what both renderers place on the page, in order.

A document is a list of sections (portrait or landscape pages); a section is a list of blocks.
Paragraph styles are named by their role; the HTML template and the DOCX template each define
what a role looks like, so both outputs carry the same text in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Paragraph roles shared by both renderers.
ROLES = (
    "title",          # 2号小标宋, centred (document and attachment titles)
    "title-sub",      # 3号楷体 centred line under a title: "（2021-2025年）"
    "recipients",     # 主送机关, flush left
    "body",           # 3号仿宋, first line indented 2 characters
    "h1",             # 一、 黑体
    "h2",             # （一） 楷体
    "caption",        # table caption, centred
    "attach-note",    # 附件说明 line
    "attach-label",   # "附件1", 黑体, top-left
    "signature",      # 署名 / 代章 / 成文日期, placed by character offsets
    "note",           # 附注
    "plain",          # 3号仿宋 without indent
)


@dataclass
class Run:
    text: str
    bold: bool = False
    font: str | None = None   # a font role ("hei", "kai") overriding the paragraph's


@dataclass
class Paragraph:
    role: str
    runs: list[Run]
    indent_chars: float = 0.0   # left indent in characters (signature lines, 附件说明)
    hanging_chars: float = 0.0  # continuation lines start this many characters further in
    page_break_before: bool = False
    kind: str = "paragraph"

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Cell:
    lines: list[str]
    rowspan: int = 1
    colspan: int = 1
    align: str = "left"       # left / center
    bold: bool = False


@dataclass
class Column:
    width: float              # relative width
    align: str = "left"


@dataclass
class Table:
    columns: list[Column]
    header: list[list[Cell]]  # header rows, repeated on every page
    rows: list[list[Cell]]    # only the cells that start in that row (spans cover the rest)
    font_size: float = 12.0   # pt
    group_rows: set[int] = field(default_factory=set)  # indexes of group header rows
    kind: str = "table"

    def column_percents(self) -> list[str]:
        """Column widths in percent of the table, two decimals, summing to exactly 100.00 (the
        largest remainders get the last hundredths): with a fixed table layout the table then
        fills the 版心 exactly, neither wider nor narrower."""
        total = sum(c.width for c in self.columns)
        exact = [10000 * c.width / total for c in self.columns]
        hundredths = [int(x) for x in exact]
        by_remainder = sorted(range(len(exact)), key=lambda i: (hundredths[i] - exact[i], i))
        for i in by_remainder[:10000 - sum(hundredths)]:
            hundredths[i] += 1
        return [f"{h / 100:.2f}" for h in hundredths]

    def covered(self) -> list[list[bool]]:
        """For each row and grid column: is it covered by a cell (start or span)?"""
        width = len(self.columns)
        grid = [[False] * width for _ in self.rows]
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while c < width and grid[r][c]:
                    c += 1
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        if r + dr < len(grid) and c + dc < width:
                            grid[r + dr][c + dc] = True
                c += cell.colspan
        return grid


@dataclass
class Section:
    landscape: bool
    blocks: list = field(default_factory=list)


@dataclass
class Frame:
    """The 版头 of a 公文: red issuer mark, issue number, red rule."""

    mark: str
    number: str


@dataclass
class Imprint:
    """版记: 抄送 and 印发机关/日期 at the bottom of the last page."""

    copy_to: str
    printer: str
    print_date: str


@dataclass
class DocumentView:
    id: str
    title: str
    date: str                 # ISO date, used for PDF metadata
    frame: Frame | None
    sections: list[Section]
    imprint: Imprint | None = None

    def paragraphs_text(self) -> list[str]:
        """All text in reading order (used by tests and parity checks)."""
        out = []
        if self.frame:
            out += [self.frame.mark, self.frame.number]
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    out.append(block.text)
                else:
                    for row in block.header + block.rows:
                        out += ["".join(c.lines) for c in row]
        return out


@dataclass
class Image:
    """A chart: PNG for Word, SVG (vector) for the PDF."""

    png: bytes
    svg: str
    width_mm: float
    kind: str = "image"

    @property
    def svg_uri(self) -> str:
        import base64

        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
