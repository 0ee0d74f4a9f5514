"""The view model: what both renderers place on the page, in order.

A document is a list of sections (portrait or landscape pages); a section is a list of blocks.
Paragraph styles are named by their role; the HTML template and the DOCX template each define
what a role looks like, so both outputs carry the same text in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..render import layout
from ..render.layout import MARK_PT, mark_scale

# Paragraph roles shared by both renderers, described for template editors (the reference page).
ROLES = {
    "title": "标题：2号小标宋，居中（文件标题、附件标题）",
    "title-sub": "标题下的副标题行：3号楷体，居中，如“（2021-2025年）”",
    "recipients": "主送机关：顶格",
    "body": "正文：3号仿宋，首行缩进2字",
    "h1": "一级标题“一、”：黑体",
    "h2": "二级标题“（一）”：楷体",
    "caption": "表题：居中",
    "attach-note": "附件说明：“附件：1.名称”，回行与名称对齐",
    "attach-label": "附件标识“附件1”：黑体，顶格",
    "signature": "署名、代章、成文日期：按字数定位（indent_chars）",
    "note": "附注：如“（此件公开发布）”",
    "plain": "3号仿宋，不缩进（也用作空行）",
}


@dataclass
class Run:
    """段落中格式相同的一截文字（段落由一个或几个 Run 组成）。"""

    text: str
    """文字"""
    bold: bool = False
    """是否加粗（如事项的引领句）"""
    font: str | None = None   # a font role ("hei", "kai") overriding the paragraph's
    """字体用途名（hei 黑体、kai 楷体），覆盖段落的字体；空 = 用段落的字体"""


@dataclass
class Paragraph:
    """一个段落。模板按 role 决定它的样式（HTML 中是 class，Word 中是同名样式）。"""

    role: str
    """段落的用途，决定样式：见下方“段落用途 role”表"""
    runs: list[Run]
    """段落中的文字，一截一截（Run）"""
    indent_chars: float = 0.0   # left indent in characters (signature lines, 附件说明)
    """左缩进，单位为字（署名、日期、附件说明）"""
    hanging_chars: float = 0.0  # continuation lines start this many characters further in
    """回行比首行多缩进的字数（附件说明回行与名称对齐）"""
    page_break_before: bool = False
    """是否从新的一页开始"""
    keep_with_next: bool = False
    """是否整段与下一段同页（正文末段、附件说明、署名与成文日期不分开；样式表中的“与下段同页”另算）"""
    kind: str = "paragraph"
    """块的种类，段落总是 paragraph（模板用 block.kind 区分段落、表格、图片）"""

    @property
    def text(self) -> str:
        """段落的全部文字（各 Run 连起来）"""
        return "".join(r.text for r in self.runs)


@dataclass
class Cell:
    """表格的一个单元格（合并单元格只出现在它开始的那一行）。"""

    lines: list[str]
    """单元格中的各行文字（Excel 单元格内换行即分行）"""
    rowspan: int = 1
    """向下合并的行数（1 = 不合并）"""
    colspan: int = 1
    """向右合并的列数（1 = 不合并）"""
    align: str = "left"       # left / center
    """对齐：left 左对齐，center 居中"""
    bold: bool = False
    """是否加粗"""


@dataclass
class Column:
    """表格的一列。"""

    width: float              # relative width
    """相对宽度（各列按比例分配版心宽度）"""
    align: str = "left"
    """该列的对齐方式：left 或 center"""


@dataclass
class Table:
    """一个表格：列、表头（每页重复）和各行。哪些行可以跨页由程序估计：block.split_rows(section.landscape)
    是高于四分之一页、在页末断开的行，block.tall_rows(section.landscape) 是比一页还高、另起一页的行（行号从 0 数起）；
    其他行不跨页。"""

    columns: list[Column]
    """各列（宽度、对齐）"""
    header: list[list[Cell]]  # header rows, repeated on every page
    """表头行（跨页时每页重复），每行是单元格的列表"""
    rows: list[list[Cell]]    # only the cells that start in that row (spans cover the rest)
    """表格各行；每行只含从该行开始的单元格（被上方合并单元格覆盖的位置不再出现）"""
    font_size: float = 12.0   # pt
    """表格文字字号（pt）"""
    group_rows: set[int] = field(default_factory=set)  # indexes of group header rows
    """分组标题行的行号（从 0 数起），如“（一）……（4项）”"""
    kind: str = "table"
    """块的种类，表格总是 table"""

    @property
    def column_percents(self) -> list[str]:
        """各列宽度占表格宽度的百分比（两位小数，合计正好 100.00），用于 <col style="width: …%">"""
        # The largest remainders get the last hundredths: with a fixed table layout the table
        # then fills the 版心 exactly, neither wider nor narrower.
        total = sum(c.width for c in self.columns)
        exact = [10000 * c.width / total for c in self.columns]
        hundredths = [int(x) for x in exact]
        by_remainder = sorted(range(len(exact)), key=lambda i: (hundredths[i] - exact[i], i))
        for i in by_remainder[:10000 - sum(hundredths)]:
            hundredths[i] += 1
        return [f"{h / 100:.2f}" for h in hundredths]

    @property
    def line_pt(self) -> float:
        """表格文字的行距（pt）：字号的 1.35 倍，Word 与两种 PDF 相同"""
        return layout.table_line_pt(self.font_size)

    def tall_rows(self, landscape: bool) -> list[int]:
        """比一页还高的行的行号（从 0 数起）：这样的行另起一页、可以跨页（Word 同样处理），其他行不跨页"""
        return layout.tall_rows(self, landscape)

    def split_rows(self, landscape: bool) -> list[int]:
        """高于四分之一页的行的行号：这样的行可在页末断开、跨页（Word 同样处理），以免页面下部大片空白"""
        return layout.split_rows(self, landscape)


@dataclass
class Section:
    """连续的同一方向的页面：竖排，或横排（宽表格）。"""

    landscape: bool
    """是否横排（A4 横向）"""
    blocks: list[Paragraph | Table | Image] = field(default_factory=list)
    """按顺序排列的内容块：段落、表格或图片（用 block.kind 区分）"""


@dataclass
class Frame:
    """版头：红色发文机关标志、发文字号和红色分隔线（只有通知类文档有）。"""

    mark: str
    """发文机关标志"""
    number: str
    """发文字号"""
    mark_size: float = MARK_PT
    """发文机关标志的字号（pt），config.yaml 中文档的 mark_size"""

    @property
    def mark_scale(self) -> float:
        """发文机关标志的横向压缩比例（1 = 不压缩）：标志过长时自动压扁到一行"""
        return mark_scale(self.mark, self.mark_size)


@dataclass
class Imprint:
    """版记：最后一页底部的抄送、印发机关和印发日期。"""

    copy_to: str
    """抄送机关（不含“抄送：”和句号）"""
    printer: str
    """印发机关"""
    print_date: str
    """印发日期，已写成“2024年3月8日印发”"""
    copy_line: str = ""
    """抄送行，已写成“抄送：机关1，机关2。”（没有抄送机关时为空）"""


@dataclass
class DocumentView:
    """一份文档的全部内容，模板中的 view。"""

    id: str
    """文档编号（config.yaml 中的编号；完成情况为“编号-期间”）"""
    title: str
    """文档标题（也写入 PDF 的文档属性）"""
    date: str                 # ISO date, used for PDF metadata
    """成文日期，格式 2024-04-30（写入 PDF 的文档属性）"""
    frame: Frame | None
    """版头；没有版头的文档（方案、完成情况）为空"""
    sections: list[Section]
    """各部分页面（竖排或横排），按顺序"""
    imprint: Imprint | None = None
    """版记；没有版记时为空"""

    @property
    def imprint_alone(self) -> bool:
        """版记单独占一页（文档以横排附件结束时，其后的竖排页上只有版记）"""
        return self.imprint is not None and not self.sections[-1].blocks

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
    """图表：Word 中为 PNG 图片，PDF 中为矢量图（SVG）。"""

    png: bytes
    """PNG 图片（Word 用），模板中一般不用"""
    svg: str
    """SVG 矢量图的源码"""
    width_mm: float
    """图片宽度（mm）"""
    kind: str = "image"
    """块的种类，图片总是 image"""

    @property
    def svg_uri(self) -> str:
        """可直接放进 <img src="…"> 的 SVG 图片地址"""
        import base64

        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def view_chars(view: DocumentView) -> int:
    """Roughly how much a view takes to lay out: its characters (a picture counts 1000)."""
    n = 0
    for section in view.sections:
        for block in section.blocks:
            if isinstance(block, Table):
                n += sum(len(line) for row in block.header + block.rows for cell in row for line in cell.lines)
            else:
                n += len(block.text) if isinstance(block, Paragraph) else 1000
    return n
