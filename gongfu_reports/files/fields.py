"""Reading values out of YAML mappings and table rows, each failure named with its place."""

from __future__ import annotations

import re

from ..errors import GongfuError, Place
from .table import Row
from .yamlfile import LocDict, LocList


def column_names(defaults: dict[str, str], overrides: dict[str, str] | None) -> dict[str, str]:
    return {**defaults, **(overrides or {})}


def fill_down(rows: list[Row], names: list[str]) -> None:
    """An empty cell in a grouping column means "same as above" (as after unmerging in Excel)."""
    previous: dict[str, str] = {}
    for row in rows:
        for column in names:
            if row.get(column):
                previous[column] = row.get(column)
            elif column in previous:
                row.values[column] = previous[column]


def positive_int(row: Row, column: str) -> int:
    text = row.get(column)
    if not re.fullmatch(r"\d+", text):
        hint = None
        if re.fullmatch(r"\d{2,4}(年|[/-])\d{1,2}(月|[/-])\d{1,2}日?( .*)?", text):   # a date, as the sheet shows it
            hint = "该单元格被设成了日期格式：请在 Excel 中把这一列的格式改为“常规”或“文本”，再填数字"
        raise GongfuError(f"应为正整数，实际为“{text}”", row.place_of(column), hint=hint)
    return int(text)


def required_cell(row: Row, column: str) -> str:
    text = row.get(column)
    if not text:
        raise GongfuError("不能为空", row.place_of(column))
    return text


def text(data: LocDict, key: str, required: bool = True) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise GongfuError(f"缺少“{key}”", data.place)
        return ""
    if not isinstance(value, (str, int, float)):
        raise GongfuError(f"“{key}”应为文字", data.place_of(key))
    return str(value).strip()


def yes_no(data: LocDict, key: str) -> bool:
    """A yes-or-no item: 是 / 否 (or YAML's true / false); absent is no."""
    value = data.get(key)
    if value is None or value is False or value in ("否", "不"):
        return False
    if value is True or value == "是":
        return True
    raise GongfuError(f"“{key}”应为“是”或“否”，现为“{value}”", data.place_of(key))


def paragraphs(data: LocDict, key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v).strip() for v in value]
    raise GongfuError(f"“{key}”应为文字或文字列表（每项一段）", data.place_of(key))


def items(data: LocDict, key: str) -> LocList:
    value = data.get(key)
    if value is None:
        empty = LocList()
        empty.place, empty.item_places = data.place, []
        return empty
    if not isinstance(value, LocList):
        raise GongfuError(f"“{key}”应为列表", data.place_of(key))
    return value


def mapping(value, place: Place, what: str) -> LocDict:
    if not isinstance(value, LocDict):
        raise GongfuError(f"{what}应为“键: 值”的映射", place)
    return value


def unknown_keys(data: LocDict, keys: tuple[str, ...]) -> list[GongfuError]:
    """An error for each key of `data` not among `keys`, at its line: a misspelt key (抄送单位 for
    抄送) would otherwise leave its text out of the document without a word."""
    return [GongfuError(f"不认识的项“{key}”", data.place_of(key), hint=f"可写：{'、'.join(keys)}")
            for key in data if key not in keys]
