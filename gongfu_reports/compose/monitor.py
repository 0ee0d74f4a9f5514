"""指标监测: indicator targets (as written) against actual values of a period."""

from __future__ import annotations

from collections import Counter

from ..model import Indicator
from ..model.targets import STATUS_ORDER, judge, parse_target
from ..model.numbering import level_number
from .blocks import Cell, Column, Paragraph, Run, Table


def monitor_blocks(number: int, indicators: list[Indicator], values: dict[tuple[int, str], str]) -> list:
    columns = [Column(0.8, "center"), Column(5.6), Column(1.8, "center"), Column(1.6, "center"),
               Column(1.6, "center"), Column(4.4)]
    header = [[Cell([h], align="center", bold=True) for h in ("序号", "指标", "目标值", "实际值", "状态", "说明")]]
    rows, counts = [], Counter()
    for ind in indicators:
        result = judge(parse_target(ind.target, ind.direction), values.get((ind.number, ind.sub_name), ""))
        counts[result.status] += 1
        name = f"{ind.name}：{ind.sub_name}" if ind.sub_name else ind.name
        rows.append([Cell([str(ind.number)], align="center"), Cell([name]), Cell([ind.target], align="center"),
                     Cell([values.get((ind.number, ind.sub_name), "") or "—"], align="center"),
                     Cell([result.status], align="center"), Cell([result.reason])])
    summary = "、".join(f"{s}{counts[s]}项" for s in STATUS_ORDER if counts[s])
    return [Paragraph("h1", [Run(f"{level_number(1, number)}指标监测")]),
            Paragraph("body", [Run(f"共监测指标{len(indicators)}项（含分项），其中{summary}。"
                                   "文字表述的目标不作自动判断。")]),
            Table(columns, header, rows, font_size=10.5)]
