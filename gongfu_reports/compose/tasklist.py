"""A task list (重点任务清单): group header rows with computed counts, tasks merged down."""

from __future__ import annotations

from itertools import groupby

from ..model import TaskRow
from ..model.numbering import level_number
from .blocks import Cell, Column, Table

HEADERS = ["重点任务", "主要举措", "工作目标", "重点工作安排", "牵头单位"]


def cell_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()] or [""]


def task_table(tasks: list[TaskRow], font_size: float = 10.5) -> Table:
    columns = [Column(2.2, "center"), Column(3.0), Column(4.6), Column(8.6), Column(2.6)]
    header = [[Cell([h], align="center", bold=True) for h in HEADERS]]
    rows: list[list[Cell]] = []
    group_rows = set()
    for g, (group, group_tasks) in enumerate(groupby(tasks, key=lambda t: t.group), 1):
        group_tasks = list(group_tasks)
        group_rows.add(len(rows))
        rows.append([Cell([f"{level_number(2, g)}{group}（{len(group_tasks)}项）"], colspan=len(HEADERS),
                          bold=True)])
        for task, same_task in groupby(group_tasks, key=lambda t: t.task):
            same_task = list(same_task)
            for k, t in enumerate(same_task):
                row = [Cell([task], rowspan=len(same_task), align="center")] if k == 0 else []
                row += [Cell([f"{t.number}.{t.measure}"]), Cell(cell_lines(t.goals)),
                        Cell(cell_lines(t.actions)), Cell([t.units], align="center")]
                rows.append(row)
    return Table(columns, header, rows, font_size=font_size, group_rows=group_rows)
