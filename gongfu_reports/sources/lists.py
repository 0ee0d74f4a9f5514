"""A generic list's data file (.xlsx or .yaml): its header row names the columns."""

from __future__ import annotations

from pathlib import Path

from ..files.table import read_table
from ..model.lists import ListTable


def load_list(path: Path, sheet: str | None) -> ListTable:
    table = read_table(path, sheet)
    table.require_rows()
    return ListTable(table.headers, table.rows, table.place, table.merges)
