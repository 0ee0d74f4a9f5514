"""Opening untrusted Excel workbooks (size, encryption and zip-bomb checks before openpyxl parses
them) and reading cell values as the text a reader sees."""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from pathlib import Path

from lxml.etree import XMLSyntaxError

from ..errors import GongfuError, Place, display_path
from .archive import check_zip
from .numfmt import format_value

MAX_CELLS = 200_000
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")   # how Excel stores control characters in a cell


def excel_text(value, number_format: str | None = None) -> str:
    """A cell value as text, as the sheet shows it with its number format, with Excel's _xHHHH_
    escapes decoded and Windows line ends unified."""
    if isinstance(value, str):
        value = _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return cell_text(value, number_format)


def cell_text(value, number_format: str | None = None) -> str:
    """A value as the text a reader sees: numbers by their number format (95%, 1.50; General: without a
    trailing .0 or float noise), dates as the format shows them (in Chinese when it names none)."""
    return format_value(value, number_format).strip()


def displayed(cell) -> str:
    """What a cell of a sheet shows: its value through its number format (every reader of a workbook
    uses this, so 95% is never read as 0.95)."""
    return excel_text(cell.value, getattr(cell, "number_format", None))


def saved_values(path: Path, label: str, ws) -> tuple[list[tuple], set[tuple[int, int]]]:
    """The rows of ws (opened with its formulas) as cells holding the values Excel saved with the file,
    never a formula itself, and the (row, column) of formulas without a saved value (written by a
    program, never opened in Excel): those cannot be used. The file is read again only when it has
    formulas."""
    formulas = {(c.row, c.column) for row in ws.iter_rows() for c in row if c.data_type == "f"}
    values = open_workbook(path, label, data_only=True)[ws.title] if formulas else ws
    rows = list(values.iter_rows())
    uncomputed = {(r, c) for r, c in formulas if r <= len(rows) and rows[r - 1][c - 1].value is None}
    return rows, uncomputed


def open_workbook(path: Path, label: str | None = None, data_only: bool = False):
    """Open an untrusted .xlsx: size, encryption and zip-bomb checks before openpyxl parses it."""
    import openpyxl

    label = label or display_path(path)
    place = Place(label)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise GongfuError("文件不存在", place) from None
    except OSError as exc:
        raise GongfuError(f"无法读取文件（{exc.strerror}）", place) from None
    if head.startswith(b"\xd0\xcf\x11\xe0"):   # OLE container: an encrypted xlsx or an old .xls
        raise GongfuError("文件设置了打开密码，或是旧版 .xls 格式，无法读取", place,
                          hint="请去掉打开密码，并用 Excel 或 WPS 另存为 .xlsx")
    not_xlsx = GongfuError("无法作为 Excel 工作簿（.xlsx）打开：文件已损坏、加密或并非 xlsx 格式", place,
                           hint="请用 Excel 或 WPS 打开后另存为 .xlsx")
    members = check_zip(path, place, "工作簿", not_xlsx)
    try:
        with zipfile.ZipFile(path) as archive:
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                    cells, area, last_row, last_column = _sheet_size(archive, member)
                    if cells > MAX_CELLS:
                        raise GongfuError(f"工作表过大（超过上限 {MAX_CELLS} 个单元格）", place,
                                          hint="请删除表格下方或右侧多余的内容")
                    if area > MAX_EXTENT:
                        raise GongfuError(f"工作表的范围过大（有内容或合并的单元格远至第 {last_row} 行、第 {last_column} 列）",
                                          place, hint="请删除表格下方或右侧多余的内容（含空白的合并单元格）后另存")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, XMLSyntaxError):
        raise not_xlsx from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # openpyxl warns about WPS/Excel extensions it skips
            return openpyxl.load_workbook(path, data_only=data_only)
    except Exception:  # any failure to parse an untrusted file means the same to the user
        raise not_xlsx from None


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_COORDINATE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
# Rows × columns a sheet's readers walk (openpyxl makes a cell for each, and one for each cell of a
# merged range): a stray value at XFD1048576 in a 15 KB file took 1.8 GB.
MAX_EXTENT = 2_000_000


def _column(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _sheet_size(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[int, int, int, int]:
    """Cells in a worksheet's XML, counted while it streams out of the zip (a sheet with millions of
    cells is refused before openpyxl would spend minutes and gigabytes loading it); the area its
    readers walk (rows × columns up to its last cell, or its merged ranges' cells if more); the last
    row and column of a cell or a merged range. The XML is parsed, not searched: a cell is placed as
    openpyxl places it (by its r="…", written in any way XML allows, or after the one before it when
    it has none), so no spelling of a far cell gets past."""
    from lxml import etree

    count = rows = columns = area = 0
    row = column = 0
    tags = (f"{_SHEET_NS}row", f"{_SHEET_NS}c", f"{_SHEET_NS}mergeCell")
    with archive.open(member) as stream:
        parser = etree.iterparse(stream, events=("start", "end"), tag=tags, resolve_entities=False,
                                 no_network=True, load_dtd=False, huge_tree=False)
        for event, element in parser:
            name = element.tag[len(_SHEET_NS):]
            if event == "end":
                if name == "row":
                    element.clear(keep_tail=False)   # only the place of each cell is needed
                    while element.getprevious() is not None:
                        del element.getparent()[0]
                continue
            if name == "row":
                r = element.get("r")
                row, column = (int(r) if r and r.strip().isdigit() else row + 1), 0
            elif name == "c":
                count += 1
                if count > MAX_CELLS:
                    break
                place = _COORDINATE.fullmatch((element.get("r") or "").strip())
                cell_row, column = (int(place[2]), _column(place[1])) if place else (row, column + 1)
                rows, columns = max(rows, cell_row), max(columns, column)
            else:
                corners = [_COORDINATE.fullmatch(c.strip()) for c in (element.get("ref") or "").split(":")]
                if 1 <= len(corners) <= 2 and all(corners):
                    (c0, r0), (c1, r1) = (corners[0][1], corners[0][2]), (corners[-1][1], corners[-1][2])
                    rows, columns = max(rows, int(r0), int(r1)), max(columns, _column(c0), _column(c1))
                    area += (abs(int(r1) - int(r0)) + 1) * (abs(_column(c1) - _column(c0)) + 1)
    return count, max(rows * columns, area), rows, columns
