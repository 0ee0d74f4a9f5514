"""Progress reported by units for one period, and what a bulletin counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Place

STATUSES = ("已完成", "序时推进", "滞后", "未启动")
NO_STATUS = "未填状态"


@dataclass
class ProgressEntry:
    task_id: str
    unit: str              # 牵头单位 as reported
    text: str              # 完成情况 (paragraphs separated by newlines)
    status: str = ""       # one of STATUSES, or "" (older data without a status)
    problems: str = ""     # 存在问题
    next_steps: str = ""   # 下步计划
    number: str = ""       # 序号 as printed in a published bulletin (overrides the computed one)
    task_text: str = ""    # 任务内容 as reworded for this period
    place: Place | None = None


@dataclass
class PeriodProgress:
    period: str            # "2024-06"
    title: str = ""
    sample: bool = False   # 示例数据: shipped only to demonstrate change tracking
    entries: list[ProgressEntry] = field(default_factory=list)

    def by_task(self) -> dict[str, ProgressEntry]:
        return {e.task_id: e for e in self.entries}
