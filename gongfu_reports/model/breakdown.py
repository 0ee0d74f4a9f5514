"""A responsibility breakdown (责任分解): tasks by leader, livelihood items, district allocations."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Place
from .units import UnitRegistry


@dataclass(frozen=True)
class Leader:
    name: str             # "" for the closing section that no single leader leads
    title: str            # 职务: 市长, 常务副市长 …
    heading: str = ""     # overrides "{name}{title}牵头重点工作"

    @property
    def label(self) -> str:
        return self.heading or f"{self.name}{self.title}牵头重点工作"


@dataclass
class KeyTask:
    id: str               # stable across renumbering: "ZF24-001"
    leader: str           # leader's name, "" for the closing section
    text: str
    units: str            # as written; the first unit leads
    place: Place


@dataclass
class LivelihoodItem:
    text: str
    leader: str
    units: str
    name: str = ""        # project name sentence (市民生实事), printed first
    place: Place | None = None


@dataclass
class LivelihoodArea:
    name: str             # "医疗卫生"; printed "一、医疗卫生方面"
    items: list[LivelihoodItem] = field(default_factory=list)


@dataclass
class AllocationRow:
    number: str           # "" for a sub-row that shares the previous 序号
    category: str         # 事项分类 (merged down equal neighbours)
    name: str             # 事项名称 / 事项内容
    total: str            # 全市目标任务, as written: "117000人", "≥90%", "/"
    values: dict[str, str]  # district → value as written
    units: str            # 责任单位 (merged down equal neighbours)
    place: Place


@dataclass
class Allocation:
    columns: list[str]    # header labels of the leading columns: 序号, 事项分类, 事项名称, 全市目标任务
    districts: list[str]  # district columns, in registry order
    rows: list[AllocationRow]


@dataclass
class Breakdown:
    """The responsibility breakdown a notice issues, as its per-unit extracts list it."""

    title: str            # the notice's title (the extracts cite it)
    number: str           # its 发文字号, "" when it has none
    date: str             # ISO date
    units: UnitRegistry
    leaders: list[Leader] = field(default_factory=list)
    key_tasks: list[KeyTask] = field(default_factory=list)
    livelihood: list[tuple[str, LivelihoodItem]] = field(default_factory=list)   # (enclosure title, item)
