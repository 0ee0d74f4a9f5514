"""Tabular sources: the same records from an Excel sheet or a YAML list.

A table is read as rows of text keyed by the Chinese column headers. Each row remembers its
place (Excel sheet + row, or YAML line) so that later errors can name it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GongfuError, Place, display_path
from .yamlfile import LocDict, LocList, load_yaml

MAX_CELLS = 200_000
MAX_FILE_BYTES = 20 * 1024 * 1024


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

    def require(self, columns: list[str]) -> None:
        missing = [c for c in columns if c not in self.headers]
        if missing:
            raise GongfuError(
                f"缺少列：{'、'.join(missing)}",
                self.place,
                hint=f"表头应包含：{'、'.join(columns)}；现有表头：{'、'.join(self.headers) or '（空）'}",
            )


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


def read_excel(path: Path, sheet: str | None) -> Table:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    label = display_path(path)
    if not path.exists():
        raise GongfuError("文件不存在", Place(label))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise GongfuError(f"文件过大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB）", Place(label))
    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise GongfuError("无法作为 Excel 工作簿（.xlsx）打开：文件已损坏、加密或并非 xlsx 格式",
                          Place(label), hint=f"{type(exc).__name__}") from None
    if sheet is None:
        ws = book.worksheets[0]
    elif sheet in book.sheetnames:
        ws = book[sheet]
    else:
        raise GongfuError(f"找不到工作表“{sheet}”", Place(label),
                          hint=f"现有工作表：{'、'.join(book.sheetnames)}")
    if (ws.max_row or 0) * (ws.max_column or 0) > MAX_CELLS:
        raise GongfuError(f"工作表过大（超过 {MAX_CELLS} 个单元格）", Place(label, sheet=ws.title))

    grid = [[cell_text(c) for c in row] for row in ws.iter_rows(values_only=True)]
    # Merged cells: every cell of the range takes the top-left value.
    for merged in ws.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(grid) else ""
        for r in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if c - 1 < len(grid[r - 1]):
                    grid[r - 1][c - 1] = value
    # The header row is the first row with at least two non-empty cells.
    header_index = next((i for i, r in enumerate(grid) if sum(1 for v in r if v) >= 2), None)
    if header_index is None:
        raise GongfuError("工作表是空的，找不到表头行", Place(label, sheet=ws.title))
    header_cells = grid[header_index]
    headers = [h.replace("\n", "").replace(" ", "") for h in header_cells]
    seen = set()
    for col, h in enumerate(headers):
        if h and h in seen:
            raise GongfuError(f"表头“{h}”重复", Place(label, sheet=ws.title, row=header_index + 1))
        seen.add(h)
    rows = []
    for r in range(header_index + 1, len(grid)):
        cells = grid[r]
        if not any(cells):
            continue
        values = {h: cells[c] if c < len(cells) else "" for c, h in enumerate(headers) if h}
        place = Place(label, sheet=ws.title, row=r + 1)
        rows.append(Row(values, place, {h: place.at(column=h) for h in values}))
    return Table(label, [h for h in headers if h], rows,
                 Place(label, sheet=ws.title, row=header_index + 1, detail="表头行"))
