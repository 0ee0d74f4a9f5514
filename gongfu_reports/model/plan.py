"""A work plan (工作要点): prose parts, indicator targets and a task list."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Place


@dataclass
class Indicator:
    category: str
    number: int
    name: str
    sub_name: str         # "" when the indicator has no sub-rows
    target: str           # kept exactly as written: "≥95", "三分之二以上"
    units: str            # as written; checked against the registry
    place: Place
    direction: str = ""   # 方向 for plain-number targets: 越大越好 (default) / 越小越好
    timing: str = ""      # 时间口径 for monitoring by period: 累计 / 时点 / 年度 ("" = not given)


@dataclass
class TaskRow:
    group: str            # 分组, e.g. "筑牢高质量发展基石"
    task: str             # 重点任务 (merged down its rows)
    number: int
    measure: str          # 主要举措
    goals: str            # 工作目标 (lines)
    actions: str          # 重点工作安排 (lines)
    units: str            # 牵头单位
    place: Place


@dataclass
class Measure:
    text: str
    units: str
    place: Place


@dataclass
class PlanItem:
    title: str            # lead sentence, printed bold
    measures: list[Measure]


@dataclass
class PlanSection:
    title: str
    items: list[PlanItem] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class PlanPart:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    table_caption: str = ""
    table: str = ""       # name of the table placed in this part ("指标")
    sections: list[PlanSection] = field(default_factory=list)


@dataclass
class WorkPlan:
    title: str
    intro: list[str]
    parts: list[PlanPart]
    indicators: list[Indicator] = field(default_factory=list)
