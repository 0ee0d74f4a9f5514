"""Tabular sources: the same records from an Excel sheet or a YAML list.

A table is read as rows of text keyed by the Chinese column headers. Each row remembers its
place (Excel sheet + row, or YAML line) so that later errors can name it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GongfuError, Place, display_path
from .excel import MAX_CELLS, cell_text, open_workbook, saved_values, displayed
from .memo import parsed_file
from .text import check_text
from .yamlfile import LocDict, LocList, load_yaml

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


def read_excel(path: Path, sheet: str | None) -> Table:
    """A sheet's table; the same workbook again gets a copy of the first read (files/memo.py)."""
    return parsed_file(path, ("excel", display_path(path), sheet), lambda: _read_excel(path, sheet))


def _read_excel(path: Path, sheet: str | None) -> Table:
    label = display_path(path)
    book = open_workbook(path, label)
    if sheet is None:
        ws = book.worksheets[0]
        if ws.sheet_state != "visible":   # never read a sheet the user cannot see without being told to
            visible = [w.title for w in book.worksheets if w.sheet_state == "visible"]
            raise GongfuError(f"第一个工作表“{ws.title}”是隐藏的，不知道要读哪一个", Place(label),
                              hint=f"请在 config.yaml 中用 sheet: 指定工作表（可见的工作表：{'、'.join(visible) or '无'}）")
    elif sheet in book.sheetnames:
        ws = book[sheet]
    else:
        raise GongfuError(f"找不到工作表“{sheet}”", Place(label),
                          hint=f"现有工作表：{'、'.join(book.sheetnames)}")
    if (ws.max_row or 0) * (ws.max_column or 0) > MAX_CELLS:
        raise GongfuError(f"工作表过大（{ws.max_row} 行 × {ws.max_column} 列，上限 {MAX_CELLS} 个单元格）",
                          Place(label, sheet=ws.title), hint="请删除表格下方或右侧多余的内容")

    values, uncomputed = saved_values(path, label, ws)
    raw = [[displayed(cell) for cell in row] for row in values]
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
