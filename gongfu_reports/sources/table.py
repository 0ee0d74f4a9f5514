"""Tabular sources: the same records from an Excel sheet or a YAML list.

A table is read as rows of text keyed by the Chinese column headers. Each row remembers its
place (Excel sheet + row, or YAML line) so that later errors can name it.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GongfuError, Place, display_path
from .yamlfile import LocDict, LocList, load_yaml

MAX_CELLS = 200_000
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024   # an xlsx is a zip: what it expands to, all members together
MAX_ZIP_MEMBERS = 10_000
MAX_TEXT_CHARS = 10_000                 # one cell or one YAML value
# Characters that XML 1.0 (DOCX, HTML) cannot carry, plus DEL, the C1 controls (U+0085 is a line
# break to YAML and silently became a space) and lone surrogates (from a decoded _xD800_): usually
# pasted in by accident.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")   # how Excel stores control characters in a cell


@dataclass
class Row:
    values: dict[str, str]
    place: Place
    column_places: dict[str, Place] = field(default_factory=dict)

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def place_of(self, column: str) -> Place:
        return self.column_places.get(column, self.place)


@dataclass
class Table:
    file: str
    headers: list[str]
    rows: list[Row]
    place: Place
    # Merged ranges among the data rows, as written in Excel: ((first row, last row) as indexes
    # into rows, (first header, last header)). Their cells all carry the range's value.
    merges: list[tuple[tuple[int, int], tuple[str, str]]] = field(default_factory=list)

    def require(self, columns: list[str]) -> None:
        missing = [c for c in columns if c not in self.headers]
        if missing:
            raise GongfuError(
                f"缺少列：{'、'.join(missing)}",
                self.place,
                hint=f"表头应包含：{'、'.join(columns)}；现有表头：{'、'.join(self.headers) or '（空）'}",
            )

    def reject_unknown(self, columns: list[str]) -> None:
        """A column the tool does not know is usually a typo or a renamed header: say so."""
        unknown = [h for h in self.headers if h not in columns]
        if unknown:
            raise GongfuError(
                f"不认识的列：{'、'.join(unknown)}", self.place,
                hint=f"可用的列：{'、'.join(columns)}；备注等其他内容请放在另一个工作表或文件中")

    def require_rows(self) -> None:
        if not self.rows:
            raise GongfuError("表格中只有表头，没有数据行", self.place)


def check_text(text: str, place: Place) -> str:
    """Text from a cell or a YAML value: no invisible control characters, no runaway length."""
    found = CONTROL.search(text)
    if found:
        raise GongfuError(f"含有不可见的控制字符（U+{ord(found.group()):04X}，在第{found.start() + 1}个字符处），请删除",
                          place, hint="这类字符多由复制粘贴带入；可重新输入该处文字，Excel 中也可用 CLEAN 函数清除")
    if len(text) > MAX_TEXT_CHARS:
        raise GongfuError(f"内容过长：{len(text)} 字，一处最多 {MAX_TEXT_CHARS} 字", place,
                          hint="请检查是否误粘贴了整篇文字；确需长文请分成几项")
    return text


def excel_text(value) -> str:
    """A cell value as text, with Excel's _xHHHH_ escapes decoded and Windows line ends unified."""
    if isinstance(value, str):
        value = _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return cell_text(value)


def cell_text(value) -> str:
    """A cell value as the text a reader sees: numbers without a trailing .0, dates in Chinese."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            value = value.date()
        else:
            return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value).strip()


def read_table(path: str | Path, sheet: str | None = None) -> Table:
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_excel(path, sheet)
    if path.suffix.lower() in (".yaml", ".yml"):
        return read_yaml_table(path)
    raise GongfuError("不支持的表格文件类型，应为 .xlsx 或 .yaml", Place(display_path(path)))


def read_yaml_table(path: Path) -> Table:
    label = display_path(path)
    data = load_yaml(path)
    if isinstance(data, LocDict) and "行" in data:
        data = data["行"]
    if not isinstance(data, LocList):
        raise GongfuError("应为一个列表，每项是一行（“列名: 内容”）", Place(label, line=1))
    if not data:
        raise GongfuError("列表是空的，没有任何一行", data.place, hint="每项是一行（“列名: 内容”）")
    headers: list[str] = []
    rows: list[Row] = []
    for index, item in enumerate(data):
        if not isinstance(item, LocDict):
            raise GongfuError("这一行应为“列名: 内容”的映射", data.place_of(index))
        values = {}
        for key, value in item.items():
            key = str(key).strip()
            if key not in headers:
                headers.append(key)
            if isinstance(value, (dict, list)):
                raise GongfuError(f"“{key}”应为文字，不能是列表或映射", item.place_of(key))
            values[key] = cell_text(value)
        rows.append(Row(values, item.place, {k: item.place_of(k) for k in item}))
    return Table(label, headers, rows, Place(label, line=1))




def saved_values(path: Path, label: str, ws) -> tuple[list[tuple], set[tuple[int, int]]]:
    """The rows of ws (opened with its formulas) as the values Excel saved with the file, never a
    formula itself, and the (row, column) of formulas without a saved value (written by a program,
    never opened in Excel): those cannot be used. The file is read again only when it has formulas."""
    formulas = {(c.row, c.column) for row in ws.iter_rows() for c in row if c.data_type == "f"}
    values = open_workbook(path, label, data_only=True)[ws.title] if formulas else ws
    rows = list(values.iter_rows(values_only=True))
    uncomputed = {(r, c) for r, c in formulas if r <= len(rows) and rows[r - 1][c - 1] is None}
    return rows, uncomputed


def open_workbook(path: Path, label: str | None = None, data_only: bool = False):
    """Open an untrusted .xlsx: size, encryption and zip-bomb checks before openpyxl parses it."""
    import openpyxl

    label = label or display_path(path)
    place = Place(label)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
        size = path.stat().st_size
    except FileNotFoundError:
        raise GongfuError("文件不存在", place) from None
    except OSError as exc:
        raise GongfuError(f"无法读取文件（{exc.strerror}）", place) from None
    if head.startswith(b"\xd0\xcf\x11\xe0"):   # OLE container: an encrypted xlsx or an old .xls
        raise GongfuError("文件设置了打开密码，或是旧版 .xls 格式，无法读取", place,
                          hint="请去掉打开密码，并用 Excel 或 WPS 另存为 .xlsx")
    if size > MAX_FILE_BYTES:
        raise GongfuError(f"文件过大（{size / 1024 / 1024:.0f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB）", place)
    not_xlsx = GongfuError("无法作为 Excel 工作簿（.xlsx）打开：文件已损坏、加密或并非 xlsx 格式", place,
                           hint="请用 Excel 或 WPS 打开后另存为 .xlsx")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_xlsx from None
    unzipped = sum(m.file_size for m in members)
    if len(members) > MAX_ZIP_MEMBERS or unzipped > MAX_UNZIPPED_BYTES:
        raise GongfuError(f"工作簿解压后过大（约 {unzipped / 1024 / 1024:.0f} MB，上限 "
                          f"{MAX_UNZIPPED_BYTES // 1024 // 1024} MB），可能是异常文件（“压缩炸弹”）", place,
                          hint="请确认文件来源；正常的数据表远小于此")
    try:
        with zipfile.ZipFile(path) as archive:
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                    cells = _count_cells(archive, member)
                    if cells > MAX_CELLS:
                        raise GongfuError(f"工作表过大（{cells} 个单元格，上限 {MAX_CELLS} 个）", place,
                                          hint="请删除表格下方或右侧多余的内容")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
        raise not_xlsx from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # openpyxl warns about WPS/Excel extensions it skips
            return openpyxl.load_workbook(path, data_only=data_only)
    except Exception:  # any failure to parse an untrusted file means the same to the user
        raise not_xlsx from None


_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")


def _count_cells(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """Cells in a worksheet's XML, counted while it streams out of the zip: a sheet with millions
    of cells is refused before openpyxl would spend minutes and gigabytes loading it."""
    count, tail = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            count += len(_CELL_TAG.findall(data))
            tail = data[-16:]
            count -= len(_CELL_TAG.findall(tail))   # counted again with the next chunk
            if count > MAX_CELLS:
                break
    return count + len(_CELL_TAG.findall(tail))


def read_excel(path: Path, sheet: str | None) -> Table:
    label = display_path(path)
    book = open_workbook(path, label)
    if sheet is None:
        ws = book.worksheets[0]
    elif sheet in book.sheetnames:
        ws = book[sheet]
    else:
        raise GongfuError(f"找不到工作表“{sheet}”", Place(label),
                          hint=f"现有工作表：{'、'.join(book.sheetnames)}")
    if (ws.max_row or 0) * (ws.max_column or 0) > MAX_CELLS:
        raise GongfuError(f"工作表过大（{ws.max_row} 行 × {ws.max_column} 列，上限 {MAX_CELLS} 个单元格）",
                          Place(label, sheet=ws.title), hint="请删除表格下方或右侧多余的内容")

    values, uncomputed = saved_values(path, label, ws)
    raw = [[excel_text(value) for value in row] for row in values]
    # The header row is the first row with at least two non-empty cells of its own (a title
    # merged across the table above it is one cell).
    header_index = next((i for i, r in enumerate(raw) if sum(1 for v in r if v) >= 2), None)
    if header_index is None:
        raise GongfuError("工作表是空的，找不到表头行（至少两个列名）", Place(label, sheet=ws.title))
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= header_index + 1 <= merged.max_row and merged.max_col > merged.min_col:
            raise GongfuError(f"表头行有合并的单元格（{merged.coord}），每一列都要有自己的列名",
                              Place(label, sheet=ws.title, row=header_index + 1),
                              hint="请取消合并，并给每一列填上列名")
    # Merged cells: every cell of the range takes the top-left value.
    grid = [list(r) for r in raw]
    for merged in ws.merged_cells.ranges:
        value = raw[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(raw) else ""
        for r in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if c - 1 < len(grid[r - 1]):
                    grid[r - 1][c - 1] = value
    header_cells = grid[header_index]
    headers = [h.replace("\n", "").replace(" ", "") for h in header_cells]
    seen = set()
    for col, h in enumerate(headers):
        if h and h in seen:
            raise GongfuError(f"表头“{h}”重复", Place(label, sheet=ws.title, row=header_index + 1))
        seen.add(h)
    for h, col in ((h, c) for c, h in enumerate(headers) if h):
        check_text(h, Place(label, sheet=ws.title, row=header_index + 1, detail=f"表头第{col + 1}列"))
    errors = []
    rows = []
    row_index: dict[int, int] = {}   # sheet row number → index into rows
    for r in range(header_index + 1, len(grid)):
        cells = grid[r]
        place = Place(label, sheet=ws.title, row=r + 1)
        for c in range(len(cells)):
            if (r + 1, c + 1) in uncomputed:
                errors.append(GongfuError("单元格含公式，但文件中没有保存计算结果", place.at(
                    column=headers[c] if c < len(headers) and headers[c] else _letter(c + 1)),
                    hint="数据中请直接填写文字或数字；如需保留公式，请在 Excel 中打开并保存一次"))
        if not any(cells):
            continue
        values_by_header = {h: cells[c] if c < len(cells) else "" for c, h in enumerate(headers) if h}
        for h, text in values_by_header.items():
            try:
                check_text(text, place.at(column=h))
            except GongfuError as exc:
                errors.append(exc)
        rows.append(Row(values_by_header, place, {h: place.at(column=h) for h in values_by_header}))
        row_index[r + 1] = len(rows) - 1
    if errors:
        from ..errors import GongfuErrors

        raise errors[0] if len(errors) == 1 else GongfuErrors(errors)
    named = {c: h for c, h in enumerate(headers) if h}
    merges = []
    for merged in sorted(ws.merged_cells.ranges, key=lambda m: (m.min_row, m.min_col)):
        spanned_rows = [row_index[r] for r in range(merged.min_row, merged.max_row + 1) if r in row_index]
        spanned_cols = [named[c - 1] for c in range(merged.min_col, merged.max_col + 1) if c - 1 in named]
        if spanned_rows and spanned_cols and len(spanned_rows) * len(spanned_cols) > 1:
            merges.append(((spanned_rows[0], spanned_rows[-1]), (spanned_cols[0], spanned_cols[-1])))
    return Table(label, [h for h in headers if h], rows,
                 Place(label, sheet=ws.title, row=header_index + 1, detail="表头行"), merges)


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)
