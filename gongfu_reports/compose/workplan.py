"""The 工作要点 (work plan): numbered parts, bold lead sentences, the indicator table."""

from __future__ import annotations

from itertools import groupby

from ..model import Indicator, WorkPlan
from ..model.units import split_units
from ..model.numbering import level_number
from .blocks import Cell, Column, Paragraph, Run, Table


def plan_blocks(plan: WorkPlan, indicator_header: str, continuous_items: bool = True) -> list:
    blocks: list = [Paragraph("title", [Run(plan.title)], page_break_before=True)]
    blocks += [Paragraph("body", [Run(p)]) for p in plan.intro]
    item_no = 0
    for p, part in enumerate(plan.parts, 1):
        blocks.append(Paragraph("h1", [Run(level_number(1, p) + part.title)]))
        blocks += [Paragraph("body", [Run(t)]) for t in part.paragraphs]
        if part.table:
            if part.table_caption:
                blocks.append(Paragraph("caption", [Run("表：" + part.table_caption)]))
            blocks.append(indicator_table(plan.indicators, indicator_header))
        for s, section in enumerate(part.sections, 1):
            number = level_number(2, s)
            if section.items:
                blocks.append(Paragraph("h2", [Run(number + section.title)]))
                if not continuous_items:
                    item_no = 0
                for item in section.items:
                    item_no += 1
                    runs = [Run(f"{level_number(3, item_no)}{item.title}。", bold=True)]
                    for m in item.measures:
                        runs.append(Run(m.text + (f"（{m.units}）" if m.units else "") + "。"))
                    blocks.append(Paragraph("body", runs))
            else:
                # Run-in heading: "（一）强化组织保障。" in 楷体, then the paragraph text.
                text = " ".join(section.paragraphs)
                blocks.append(Paragraph("body", [Run(f"{number}{section.title}。", font="kai"), Run(text)]))
    return blocks


def indicator_table(indicators: list[Indicator], target_header: str) -> Table:
    """类别 | 序号 | 指标 (| 分项) | 目标值 | 牵头单位, categories as row spans,
    indicators with sub-rows spanning their 序号, 指标 and shared 牵头单位."""
    has_subs = any(i.sub_name for i in indicators)
    columns = [Column(2.2, "center"), Column(1.1, "center"), Column(6.5)]
    if has_subs:
        columns.append(Column(4.5))
    columns += [Column(2.4, "center"), Column(2.8, "center")]
    header = [[Cell(["类别"], align="center", bold=True), Cell(["序号"], align="center", bold=True),
               Cell(["指标"], colspan=2 if has_subs else 1, align="center", bold=True),
               Cell([target_header], align="center", bold=True),
               Cell(["牵头单位"], align="center", bold=True)]]
    rows: list[list[Cell]] = []
    for category, cat_rows in groupby(indicators, key=lambda i: i.category):
        cat_rows = list(cat_rows)
        first_in_category = True
        for number, ind_rows in groupby(cat_rows, key=lambda i: i.number):
            ind_rows = list(ind_rows)
            for k, ind in enumerate(ind_rows):
                row: list[Cell] = []
                if first_in_category:
                    row.append(Cell([category], rowspan=len(cat_rows), align="center"))
                    first_in_category = False
                if k == 0:
                    n = len(ind_rows)
                    row.append(Cell([str(ind.number)], rowspan=n, align="center"))
                    if ind.sub_name:
                        row.append(Cell([ind.name], rowspan=n))
                    else:
                        row.append(Cell([ind.name], colspan=2 if has_subs else 1))
                if ind.sub_name:
                    row.append(Cell([ind.sub_name]))
                row.append(Cell([ind.target], align="center"))
                shared_units = all(i.units == ind_rows[0].units for i in ind_rows)
                if k == 0 or not shared_units:
                    row.append(Cell(split_units(ind.units), rowspan=len(ind_rows) if shared_units else 1,
                                    align="center"))
                rows.append(row)
    return Table(columns, header, rows, font_size=12)
