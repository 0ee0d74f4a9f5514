"""责任分解: tasks by leader with their 责任单位 lines, livelihood items, allocation tables."""

from __future__ import annotations

import re
from itertools import groupby

from ..errors import GongfuWarning
from ..model import Allocation, KeyTask, Leader, LivelihoodArea
from ..model.units import split_units
from ..model.numbering import level_number
from .blocks import Cell, Column, Paragraph, Run, Table


def leader_task_blocks(title: str, leaders: list[Leader], tasks: list[KeyTask], lead_note: str) -> list:
    """一、X市长牵头重点工作 / 1.任务 / 责任单位：…; the lead-unit note follows the first list
    that names more than one unit."""
    blocks: list = [Paragraph("title", [Run(title)], page_break_before=True), Paragraph("plain", [Run("")])]
    note_pending = bool(lead_note)
    by_leader = {leader.name: [t for t in tasks if t.leader == leader.name] for leader in leaders}
    section = 0
    for leader in leaders:
        own = by_leader[leader.name]
        if not own:
            continue
        section += 1
        blocks.append(Paragraph("h1", [Run(level_number(1, section) + leader.label)]))
        for n, task in enumerate(own, 1):
            blocks.append(Paragraph("body", [Run(f"{level_number(3, n)}{task.text}")]))
            units = f"责任单位：{task.units}"
            if note_pending and len(split_units(task.units)) > 1:
                units += f"（{lead_note}）"
                note_pending = False
            blocks.append(Paragraph("body", [Run(units)]))
    return blocks


def livelihood_blocks(title: str, areas: list[LivelihoodArea], numbered: bool) -> list:
    """一、医疗卫生方面, then the items: one paragraph per area, or one numbered paragraph per item
    (numbers continuous across areas)."""
    blocks: list = [Paragraph("title", [Run(title)], page_break_before=True), Paragraph("plain", [Run("")])]
    number = 0
    for a, area in enumerate(areas, 1):
        blocks.append(Paragraph("h1", [Run(f"{level_number(1, a)}{area.name}方面")]))
        texts = []
        for item in area.items:
            text = f"{item.text}。（牵头领导：{item.leader}，责任单位：{item.units}）"
            if numbered:
                number += 1
                name = f"{item.name}。" if item.name else ""
                blocks.append(Paragraph("body", [Run(f"{level_number(3, number)}{name}{text}")]))
            else:
                texts.append(text)
        if texts:
            blocks.append(Paragraph("body", [Run("".join(texts))]))
    return blocks


def allocation_table(allocation: Allocation, font_size: float = 9) -> Table:
    """序号 | 事项分类 | 事项名称 | 全市目标任务 | districts … | 责任单位.
    A row without 序号 shares the previous 序号 cell; 事项分类 and (within it) 责任单位 merge down."""
    widths = [0.9, 1.3, 5.0, 1.6] + [1.25] * len(allocation.districts) + [1.9]
    columns = [Column(w, "center") for w in widths]
    columns[2] = Column(widths[2])
    labels = allocation.columns + allocation.districts + ["责任单位"]
    header = [[Cell([label], align="center", bold=True) for label in labels]]
    rows = allocation.rows
    body: list[list[Cell]] = [[] for _ in rows]

    def runs(key):
        """(start, length) of consecutive rows sharing key(row)."""
        start = 0
        for _, group in groupby(range(len(rows)), key=lambda i: key(rows[i])):
            length = len(list(group))
            yield start, length
            start += length

    numbers = []  # the 序号 group each row belongs to
    current = -1
    for i, row in enumerate(rows):
        if row.number:
            current = i
        numbers.append(current)
    number_spans: dict[int, int] = {}
    for i, owner in enumerate(numbers):
        number_spans.setdefault(owner, 0)
        number_spans[owner] += 1
    category_spans = dict(runs(lambda r: r.category))
    unit_spans = dict(runs(lambda r: (r.category, r.units)))
    for i, row in enumerate(rows):
        cells = body[i]
        if i in number_spans:
            cells.append(Cell([row.number], rowspan=number_spans[i], align="center"))
        if i in category_spans:
            cells.append(Cell([row.category], rowspan=category_spans[i], align="center"))
        cells.append(Cell([row.name]))
        cells.append(Cell([row.total], align="center"))
        cells += [Cell([row.values[d]], align="center") for d in allocation.districts]
        if i in unit_spans:
            cells.append(Cell(split_units(row.units), rowspan=unit_spans[i], align="center"))
    return Table(columns, header, body, font_size=font_size)


_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*([^\d\s./≥≤<>%]*)")


def allocation_sum_problems(allocation: Allocation) -> list[GongfuWarning]:
    """Rows whose citywide target and district values are plain numbers in the same unit
    but do not add up."""
    problems = []
    for row in allocation.rows:
        total = _NUMBER.fullmatch(row.total.strip())
        if not total:
            continue
        unit = total.group(2)
        values, comparable = [], True
        for district, raw in row.values.items():
            text = raw.strip()
            if text in ("", "/", "—", "-"):
                continue
            match = _NUMBER.fullmatch(text)
            if not match or match.group(2) not in ("", unit):
                comparable = False
                break
            values.append((district, float(match.group(1))))
        if not comparable or not values:
            continue
        expected, actual = float(total.group(1)), sum(v for _, v in values)
        if abs(expected - actual) > 1e-6 * max(1.0, expected):
            detail = "+".join(f"{d}{v:g}" for d, v in values)
            label = f"序号{row.number}" if row.number else "（续行）"
            problems.append(GongfuWarning(f"{label}“{row.name}”：全市目标任务 {row.total}，"
                                          f"各区县合计 {actual:g}{unit}（{detail}），不一致", row.place))
    return problems
