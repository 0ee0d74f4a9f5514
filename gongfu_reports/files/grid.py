"""A table as it is drawn: a grid of cell texts plus its merged ranges, read from an Excel
sheet or from a table in a Word document. The importer finds headers and sections in it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GongfuError, Place, display_path
from .archive import check_zip, not_docx
from .excel import MAX_CELLS, displayed, open_workbook, saved_values
from .text import check_text

# (first row, last row, first column, last column), 0-based and inclusive.
Merge = tuple[int, int, int, int]


@dataclass
class Grid:
    file: str
    cells: list[list[str]]
    merges: list[Merge]
    sheet: str | None = None           # Excel: the sheet; Word: "表格N"
    landscape: bool = False            # Word: the table sits on a landscape page
    caption: str = ""                  # Word: the paragraph just above the table
    below: list[str] = field(default_factory=list)   # Word: the paragraphs just under it (notes "注：……")
    origin: list[list[tuple[int, int]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # what the reader should know (a hidden sheet skipped)

    def __post_init__(self):
        width = max((len(r) for r in self.cells), default=0)
        self.cells = [r + [""] * (width - len(r)) for r in self.cells]
        self.origin = [[(r, c) for c in range(width)] for r in range(len(self.cells))]
        for r0, r1, c0, c1 in self.merges:
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if r < len(self.cells) and c < width:
                        self.origin[r][c] = (r0, c0)

    @property
    def width(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    def value(self, r: int, c: int) -> str:
        """The text shown in a cell; every cell of a merged range shows the range's text."""
        r0, c0 = self.origin[r][c]
        return self.cells[r0][c0]

    def own(self, r: int) -> list[tuple[int, str]]:
        """(column, text) of the non-empty cells that start in row r (a merged range counts once)."""
        return [(c, self.cells[r][c]) for c in range(self.width)
                if self.origin[r][c] == (r, c) and self.cells[r][c]]

    def merge_at(self, r: int, c: int) -> Merge | None:
        r0, c0 = self.origin[r][c]
        return next((m for m in self.merges if m[0] == r0 and m[2] == c0), None)

    def place(self, r: int | None = None, column: str | None = None) -> Place:
        if self.sheet and self.sheet.startswith("表格"):
            detail = self.sheet + (f"第{r + 1}行" if r is not None else "")
            return Place(self.file, column=column, detail=detail)
        return Place(self.file, sheet=self.sheet, row=r + 1 if r is not None else None, column=column)


def read_excel_grid(path: Path, sheet: str | None) -> Grid:
    label = display_path(path)
    book = open_workbook(path, label)
    notes = []
    if sheet is None:
        # The first sheet with content that a reader of the workbook can see; a hidden one is never
        # taken without a word (it is often an old version or a lookup list).
        filled = [w for w in book.worksheets if w.max_row > 1 or w.cell(1, 1).value is not None]
        visible = [w for w in filled if w.sheet_state == "visible"]
        hidden = [w.title for w in filled if w.sheet_state != "visible"]
        if not visible and hidden:
            raise GongfuError(f"只有隐藏的工作表有内容：{'、'.join(hidden)}", Place(label),
                              hint=f"确要导入隐藏的工作表，请用 --sheet 指定，如 --sheet {hidden[0]}")
        ws = visible[0] if visible else book.worksheets[0]
        if hidden:
            notes.append(f"{label}：隐藏的工作表 {'、'.join(hidden)} 未导入（导入的是“{ws.title}”；"
                         f"要导入隐藏的工作表请用 --sheet 指定）")
    elif sheet in book.sheetnames:
        ws = book[sheet]
        if ws.sheet_state != "visible":
            notes.append(f"{label}：工作表“{sheet}”是隐藏的，按 --sheet 导入")
    else:
        raise GongfuError(f"找不到工作表“{sheet}”", Place(label),
                          hint=f"现有工作表：{'、'.join(book.sheetnames)}；用 --sheet 指定其中一个")
    values, uncomputed = saved_values(path, label, ws)
    if uncomputed:
        r, c = min(uncomputed)
        raise GongfuError("单元格含公式，但文件中没有保存计算结果",
                          Place(label, sheet=ws.title, row=r, detail=f"第{c}列"),
                          hint="请在 Excel 中打开并保存一次，或直接填写文字或数字")
    cells = []
    for r, row in enumerate(values, 1):
        texts = []
        for c, cell in enumerate(row, 1):
            text = displayed(cell)
            check_text(text, Place(label, sheet=ws.title, row=r, detail=f"第{c}列"))
            texts.append(text)
        cells.append(texts)
    while cells and not any(cells[-1]):
        cells.pop()
    merges = [(m.min_row - 1, m.max_row - 1, m.min_col - 1, m.max_col - 1) for m in ws.merged_cells.ranges
              if m.min_row <= len(cells)]
    grid = Grid(label, cells, sorted(merges), sheet=ws.title, notes=notes)
    if not cells or not any(any(r) for r in cells):
        raise GongfuError("工作表是空的", grid.place(), hint=f"工作簿中的工作表：{'、'.join(book.sheetnames)}；"
                                                       "用 --sheet 指定有数据的工作表")
    return grid


MAX_DOCUMENT_XML_BYTES = 16 * 1024 * 1024   # word/document.xml: a 500-page report is a few MB


def open_docx(path: Path):
    """An untrusted .docx opened with python-docx after the zip checks (a “zip bomb” is refused
    before it is inflated); any failure to parse it means the same to the user."""
    from docx import Document

    place = Place(display_path(path))
    members = check_zip(path, place, "Word 文档", not_docx(place))
    body = next((m for m in members if m.filename == "word/document.xml"), None)
    if body is not None and body.file_size > MAX_DOCUMENT_XML_BYTES:
        raise GongfuError(f"Word 文档正文解压后过大（约 {body.file_size / 1024 / 1024:.0f} MB，上限 "
                          f"{MAX_DOCUMENT_XML_BYTES // 1024 // 1024} MB），可能是异常文件（“压缩炸弹”）", place,
                          hint="请确认文件来源；正常的文件远小于此")
    try:
        return Document(path)
    except Exception:  # noqa: BLE001 - any failure to parse an untrusted file means the same to the user
        raise not_docx(place) from None


MAX_SPAN = 64   # grid columns one Word cell may span (a table of a list has a dozen at most)


def _span(value: str, label: str, number: int, r: int) -> int:
    """A gridSpan or gridBefore as Word writes it: a whole number of grid columns, within bounds."""
    if not re.fullmatch(r"[0-9]{1,3}", value) or int(value) > MAX_SPAN:
        raise GongfuError(f"表格的合并列数“{value[:20]}”无效（应为 0 到 {MAX_SPAN} 的整数）",
                          Place(label, detail=f"表格{number}第{r + 1}行"), hint="请用 Word 打开后另存，或检查文件来源")
    return int(value)


def read_docx_grid(path: Path, number: int) -> Grid:
    """Table `number` (1-based) of a Word document, with gridSpan and vMerge as merged ranges."""
    from docx.oxml.ns import qn

    label = display_path(path)
    doc = open_docx(path)
    body = doc.element.body
    tables = list(body.iterchildren(qn("w:tbl")))
    if not tables:
        raise GongfuError("文档中没有表格", Place(label))
    if not 1 <= number <= len(tables):
        raise GongfuError(f"没有第{number}个表格：文档中共有 {len(tables)} 个表格", Place(label),
                          hint=f"--table 取 1 到 {len(tables)}")
    tbl = tables[number - 1]
    cells: list[list[str]] = []
    merges: list[Merge] = []
    open_vertical: dict[int, list] = {}   # column → [first row, last row, first col, last col]
    cell_count = 0
    for r, tr in enumerate(tbl.iterchildren(qn("w:tr"))):
        row: list[str] = []
        cell_count += sum(1 for _ in tr.iterchildren(qn("w:tc")))
        if cell_count > MAX_CELLS:
            raise GongfuError(f"表格过大（超过 {MAX_CELLS} 个单元格）", Place(label, detail=f"表格{number}"),
                              hint="请确认选择的是清单所在的表格")
        tr_pr = tr.find(qn("w:trPr"))
        before = tr_pr.find(qn("w:gridBefore")) if tr_pr is not None else None
        if before is not None:
            row += [""] * _span(before.get(qn("w:val"), "0"), label, number, r)
        for tc in tr.iterchildren(qn("w:tc")):
            tc_pr = tc.find(qn("w:tcPr"))
            span = 1
            vmerge = None
            if tc_pr is not None:
                grid_span = tc_pr.find(qn("w:gridSpan"))
                span = _span(grid_span.get(qn("w:val"), "1"), label, number, r) if grid_span is not None else 1
                vm = tc_pr.find(qn("w:vMerge"))
                if vm is not None:
                    vmerge = vm.get(qn("w:val"), "continue")
            c = len(row)
            text = "\n".join(_paragraph_text(p) for p in tc.iterchildren(qn("w:p"))).strip("\n")
            check_text(text, Place(label, detail=f"表格{number}第{r + 1}行第{c + 1}列"))
            row += [text] + [""] * (span - 1)
            if vmerge == "continue" and c in open_vertical:
                open_vertical[c][1] = r
                row[c] = ""
            else:
                if c in open_vertical:
                    merges.append(tuple(open_vertical.pop(c)))
                if vmerge == "restart":
                    open_vertical[c] = [r, r, c, c + span - 1]
                elif span > 1:
                    merges.append((r, r, c, c + span - 1))
        cells.append(row)
    merges += [tuple(m) for m in open_vertical.values()]
    merges = [m for m in merges if (m[1] - m[0] + 1) * (m[3] - m[2] + 1) > 1]
    # Where a table sits: the page orientation of its section, and the paragraph above it.
    landscape = False
    node = tbl
    while node is not None:
        sect = node.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") if node.tag == qn("w:p") else None
        if node.tag == qn("w:sectPr"):
            sect = node
        if sect is not None:
            size = sect.find(qn("w:pgSz"))
            landscape = size is not None and size.get(qn("w:orient")) == "landscape"
            break
        node = node.getnext()
    caption = ""
    node = tbl.getprevious()
    while node is not None and node.tag == qn("w:p"):
        text = "".join(_paragraph_text(node).split())
        if text:
            caption = text
            break
        node = node.getprevious()
    below: list[str] = []
    node = tbl.getnext()
    while node is not None and node.tag == qn("w:p") and len(below) < 20:
        text = _paragraph_text(node)
        if text:
            check_text(text, Place(label, detail=f"表格{number}下方第{len(below) + 1}段"))
            below.append(text)
        elif below:
            break   # a blank paragraph ends what belongs to the table
        node = node.getnext()
    grid = Grid(label, cells, sorted(merges), sheet=f"表格{number}", landscape=landscape, caption=caption,
                below=below)
    if not any(any(r) for r in grid.cells):
        raise GongfuError("表格是空的", grid.place())
    return grid


def _paragraph_text(p) -> str:
    from docx.oxml.ns import qn

    out = []
    for node in p.iter(qn("w:t"), qn("w:br"), qn("w:tab")):
        out.append(node.text or "" if node.tag == qn("w:t") else ("\n" if node.tag == qn("w:br") else " "))
    return "".join(out).strip()


def count_docx_tables(path: Path) -> tuple[int, int]:
    """(tables, non-empty paragraphs outside tables) of a Word document."""
    doc = open_docx(path)
    return len(doc.tables), sum(1 for p in doc.paragraphs if p.text.strip())
