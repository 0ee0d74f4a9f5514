"""指标监测: indicator targets (as written) against a period's values, judged by each indicator's
时间口径 (累计 against 序时进度, 时点 directly, 年度 at the year's end)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..model import Indicator
from ..model.targets import (BEHIND, NOT_ACHIEVED, STATUS_ORDER, IndicatorValues, Judgement, judge,
                             parse_target)
from .blocks import Cell, Column, Table


@dataclass
class IndicatorState:
    indicator: Indicator
    value: str
    judgement: Judgement
    note: str = ""           # the unit's 说明

    @property
    def name(self) -> str:
        ind = self.indicator
        return f"{ind.name}：{ind.sub_name}" if ind.sub_name else ind.name


def elapsed_share(period: str) -> float:
    """The share of a yearly target's period gone by the end of the month."""
    return int(period[5:7]) / 12


def indicator_states(indicators: list[Indicator], values: IndicatorValues, period: str) -> list[IndicatorState]:
    elapsed = elapsed_share(period)
    out = []
    for ind in indicators:
        key = (ind.number, ind.sub_name)
        value = values.values.get(key, "")
        target = parse_target(ind.target, ind.direction)
        out.append(IndicatorState(ind, value, judge(target, value, ind.timing, elapsed), values.notes.get(key, "")))
    return out


def indicator_counts(states: list[IndicatorState]) -> dict[str, str]:
    """For templates: {指标数}, {指标已达标} … and {指标构成} (the statuses that occur, in order)."""
    counts = Counter(s.judgement.status for s in states)
    return {"指标数": str(len(states)), **{f"指标{s}": str(counts[s]) for s in STATUS_ORDER},
            "指标构成": "、".join(f"{s}{counts[s]}项" for s in STATUS_ORDER if counts[s]) or "无"}


def attention(states: list[IndicatorState]) -> list[IndicatorState]:
    """Indicators a director should look at: behind the time schedule or not achieved."""
    return [s for s in states if s.judgement.status in (BEHIND, NOT_ACHIEVED)]


def monitor_table(states: list[IndicatorState]) -> Table:
    columns = [Column(0.8, "center"), Column(5.0), Column(1.6, "center"), Column(1.0, "center"),
               Column(1.6, "center"), Column(1.9, "center"), Column(4.4)]
    header = [[Cell([h], align="center", bold=True) for h in ("序号", "指标", "目标值", "口径", "实际值", "状态", "说明")]]
    rows = []
    for s in states:
        reason = s.judgement.reason + (f"。{s.note}" if s.note else "")
        rows.append([Cell([str(s.indicator.number)], align="center"), Cell([s.name]),
                     Cell([s.indicator.target], align="center"), Cell([s.indicator.timing or "—"], align="center"),
                     Cell([s.value or "—"], align="center"), Cell([s.judgement.status], align="center"),
                     Cell([reason])])
    return Table(columns, header, rows, font_size=10.5)
