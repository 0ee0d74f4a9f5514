"""完成情况 and 通报: the progress of a breakdown's tasks in one period.

Every task of the list is in every period (numbering never shifts with who reported): a task
nobody reported is marked 未报送, a shared task declared not collected 不单独报送. The counts, rates
and changes since the period before are worked out with pandas from one table of task states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING


from ..model import KeyTask, Leader, UnitRegistry
from ..model.progress import (NO_STATUS, NOT_COLLECTED, NOT_REPORTED, STATUSES, PeriodProgress, ProgressEntry,
                              combined_status)
from ..model.units import split_units
from .blocks import Cell, Column, Paragraph, Run, Table
from .document import quoted

if TYPE_CHECKING:   # pandas is imported where the counting is done: a build with nothing to do never loads it
    import pandas as pd

COUNT_COLUMNS = [*STATUSES, NO_STATUS, NOT_REPORTED]


def period_label(period: str) -> str:
    month = int(period[5:7])
    return {6: "半年度", 12: "全年"}.get(month, f"1—{month}月")


PERIOD_FIELDS = ("year", "month", "label", "months", "end")


def period_words(period: str) -> dict[str, str]:
    """What templates may say about the period: {year} {month} {label} {months} {end} (PERIOD_FIELDS)."""
    month = int(period[5:7])
    return {"year": period[:4], "month": str(month), "label": period_label(period),
            "months": "1月" if month == 1 else f"1—{month}月", "end": f"{month}月底"}


def bulletin_title(template: str, period: str) -> str:
    return template.format(**period_words(period))


def month_text(period: str) -> str:
    return f"{period[:4]}年{int(period[5:7])}月"


# ── Task states of a period ───────────────────────────────────────────────────────────────────

@dataclass
class TaskState:
    """One task in one period."""

    number: int                    # position in the task list (1…n): the one numbering of a 通报
    task: KeyTask
    lead: str                      # the lead unit (canonical name), or the group that leads a shared task
    reporters: list[str] | None    # who reports it: the lead, each member of a group, or None (not collected)
    reports: dict[str, ProgressEntry] = field(default_factory=dict)   # by reporter, in reporters' order
    status: str = NOT_REPORTED

    @property
    def collected(self) -> bool:
        return self.reporters is not None

    @property
    def shared(self) -> bool:
        return self.reporters is not None and self.reporters != [self.lead]

    @property
    def entries(self) -> list[ProgressEntry]:
        return list(self.reports.values())

    @property
    def missing(self) -> list[str]:
        """Reporters without an entry."""
        return [r for r in self.reporters or [] if r not in self.reports]


def lead_unit(task: KeyTask, registry: UnitRegistry) -> str:
    first = split_units(task.units)[0]
    unit = registry.find(first)
    return unit.name if unit else first


def task_states(tasks: list[KeyTask], registry: UnitRegistry, progress: PeriodProgress,
                reporters: dict[str, list[str] | None]) -> list[TaskState]:
    """Every task with its entries and status; `reporters`: task id → the members that report a
    shared task, or None for one declared not collected (tasks not in it are reported by their lead)."""
    entries = progress.by_task()
    states = []
    for number, task in enumerate(tasks, 1):
        lead = lead_unit(task, registry)
        who = reporters[task.id] if task.id in reporters else [lead]
        state = TaskState(number, task, lead, who)
        if who is None:
            state.status = NOT_COLLECTED
            states.append(state)
            continue
        found = entries.get(task.id, [])
        if who != [lead] and found and not any(e.member for e in found):
            state.reporters = [lead]          # one report for the whole group, as published
            state.reports = {lead: found[0]}
        elif who != [lead]:
            by_member = {_canonical(e.member, registry): e for e in found if e.member}
            state.reports = {m: by_member[m] for m in who if m in by_member}
        elif found:
            state.reports = {lead: found[0]}
        state.status = combined_status([e.status for e in state.entries], len(who)) if state.reports \
            else NOT_REPORTED
        states.append(state)
    return states


def _canonical(name: str, registry: UnitRegistry) -> str:
    unit = registry.find(name)
    return unit.name if unit else name


def status_frame(states: list[TaskState]) -> pd.DataFrame:
    """One row per collected task: 编号, 序号, 牵头领导, 牵头单位, 状态."""
    import pandas as pd

    rows = [{"编号": s.task.id, "序号": s.number, "牵头领导": s.task.leader, "牵头单位": s.lead, "状态": s.status}
            for s in states if s.collected]
    return pd.DataFrame(rows, columns=["编号", "序号", "牵头领导", "牵头单位", "状态"])


def count_by(frame: pd.DataFrame, column: str, order: list[str]) -> pd.DataFrame:
    """Tasks by status for each value of `column` (in `order`), one column per status of COUNT_COLUMNS."""
    import pandas as pd

    table = pd.crosstab(frame[column], frame["状态"]) if len(frame) else pd.DataFrame()
    table = table.reindex(index=[k for k in order if k in set(frame[column])], columns=COUNT_COLUMNS, fill_value=0)
    return table.fillna(0).astype(int)


def statistics(frame: pd.DataFrame) -> dict[str, str]:
    """Counts and rates for templates: {应报送} {已完成} … {完成率} {序时推进率} {滞后率} {状态构成}."""
    counts = frame["状态"].value_counts()
    total = len(frame)
    count = {s: int(counts.get(s, 0)) for s in COUNT_COLUMNS}

    judged = total - count[NO_STATUS] - count[NOT_REPORTED]

    def rate(n: int) -> str:
        """A share of the tasks to report; "—" when no task has a status (data without statuses)."""
        return f"{n / total:.1%}" if total and judged else "—"

    return {"应报送": str(total), **{s: str(n) for s, n in count.items()},
            "完成率": rate(count["已完成"]), "序时推进率": rate(count["已完成"] + count["序时推进"]),
            "滞后率": rate(count["滞后"]),
            "状态构成": "、".join(f"{s}{n}项" for s, n in count.items() if n) or "无"}


# Changes since the period before, grouped by kind, in the order a reader wants them.
CHANGE_KINDS = ("新完成", "由已完成退回", "转为滞后或未启动", "由滞后转为正常推进", "连续两期未报送")


def changes(current: list[TaskState], previous: list[TaskState]) -> dict[str, list[TaskState]]:
    """Tasks by kind of change since the previous period (both lists over the same task list)."""
    now, before = status_frame(current), status_frame(previous)
    both = now.merge(before[["编号", "状态"]], on="编号", how="left", suffixes=("", "_上期"))
    both["状态_上期"] = both["状态_上期"].fillna(NOT_REPORTED)
    lagging = both["状态"].isin(["滞后", "未启动"])
    was_lagging = both["状态_上期"].isin(["滞后", "未启动"])
    masks = {
        "新完成": (both["状态"] == "已完成") & (both["状态_上期"] != "已完成"),
        "由已完成退回": (both["状态_上期"] == "已完成") & both["状态"].isin(["序时推进", "滞后", "未启动"]),
        "转为滞后或未启动": lagging & both["状态_上期"].isin(["序时推进"]),
        "由滞后转为正常推进": was_lagging & (both["状态"] == "序时推进"),
        "连续两期未报送": (both["状态"] == NOT_REPORTED) & (both["状态_上期"] == NOT_REPORTED),
    }
    by_id = {s.task.id: s for s in current}
    return {kind: [by_id[i] for i in both.loc[mask, "编号"]] for kind, mask in masks.items()}


# ── Tables ─────────────────────────────────────────────────────────────────────────────────

def short_name(text: str, limit: int = 30) -> str:
    """A task named by its first clause; a long clause cut after a listed item, with 等."""
    first = re.split(r"[，,；;。：:！!？?]", text.strip(), maxsplit=1)[0].strip() or text.strip()
    if len(first) <= limit:
        return first
    cut = first.rfind("、", 0, limit)
    return first[:cut] + "等" if cut > 0 else first[:limit] + "……"


def task_reference(state: TaskState) -> str:
    """How the text names a task: its number in the table attachment, short name and lead unit."""
    return f"第{state.number}项{quoted(short_name(state.task.text))}（{state.lead}）"


def progress_lines(state: TaskState) -> list[str]:
    """The 完成情况 cell: the report's paragraphs; each member's report under its name for a shared
    task; 未报送 / 不单独报送 where there is none."""
    if not state.collected:
        return [NOT_COLLECTED]
    if not state.shared:
        return state.entries[0].text.splitlines() if state.entries else [NOT_REPORTED]
    lines = []
    for member in state.reporters or []:
        entry = state.reports.get(member)
        paragraphs = (entry.text.splitlines() or [""]) if entry else [NOT_REPORTED]
        lines += [f"{member}：{paragraphs[0]}", *paragraphs[1:]]
    return lines


def progress_table(states: list[TaskState], leaders: list[Leader], label: str, continuous: bool = False,
                   with_status: bool = False) -> Table:
    """序号 | 任务内容 | 牵头单位 | [状态 |] X完成情况, a group row per leader. Every task is listed;
    numbers run per leader (as published: a 序号 printed in the period's data wins) or, with
    `continuous`, through the whole list, as the 通报's text refers to them."""
    columns = [Column(0.9, "center"), Column(4.2), Column(1.7, "center")]
    heads = ["序号", "任务内容", "牵头单位"]
    if with_status:
        columns.append(Column(1.3, "center"))
        heads.append("状态")
    columns.append(Column(8.2 - (1.3 if with_status else 0)))
    heads.append(f"{label}完成情况" if not with_status else "进展情况")
    header = [[Cell([h], align="center", bold=True) for h in heads]]
    rows, groups = [], set()
    # Numbers as printed in a published period stay as they were; a task it left out has none.
    printed = not continuous and any(e.number for s in states for e in s.entries)
    for leader in leaders:
        mine = [s for s in states if s.task.leader == leader.name]
        if not mine:
            continue
        groups.add(len(rows))
        rows.append([Cell([leader.label], colspan=len(columns), bold=True)])
        for n, state in enumerate(mine, 1):
            entry = state.entries[0] if state.entries and not state.shared else None
            number = str(state.number) if continuous else \
                (entry.number if entry and entry.number else ("—" if printed else str(n)))
            text = entry.task_text if entry and entry.task_text and not continuous else state.task.text
            unit = entry.unit if entry and entry.unit and not continuous else \
                (state.lead if state.shared or not state.collected else split_units(state.task.units)[0])
            cells = [Cell([number], align="center"), Cell([text]), Cell([unit], align="center")]
            if with_status:
                cells.append(Cell([state.status], align="center"))
            cells.append(Cell(progress_lines(state) or [""]))
            rows.append(cells)
    return Table(columns, header, rows, font_size=10.5, group_rows=groups)


def count_table(first_header: str, counts: pd.DataFrame) -> Table:
    shown = [c for c in COUNT_COLUMNS if c in STATUSES or counts[c].sum()]
    columns = [Column(4.0)] + [Column(1.3, "center") for _ in shown] + [Column(1.1, "center")]
    header = [[Cell([first_header], align="center", bold=True)] +
              [Cell([c], align="center", bold=True) for c in shown] + [Cell(["合计"], align="center", bold=True)]]
    rows = [[Cell([str(name)])] + [Cell([str(int(row[c]))], align="center") for c in shown] +
            [Cell([str(int(row.sum()))], align="center")] for name, row in counts.iterrows()]
    total = counts.sum()
    rows.append([Cell(["合计"], align="center", bold=True)] + [Cell([str(int(total[c]))], align="center") for c in shown]
                + [Cell([str(int(total.sum()))], align="center")])
    return Table(columns, header, rows, font_size=10.5)


def contacts_table(units: list[str], progress: PeriodProgress) -> Table:
    columns = [Column(5.0), Column(2.5, "center"), Column(3.5, "center"), Column(2.5, "center")]
    header = [[Cell([h], align="center", bold=True) for h in ("填报单位", "填报人", "联系电话", "审核人")]]
    rows = []
    for unit in units:
        c = progress.contacts.get(unit)
        rows.append([Cell([unit])] + [Cell([v or "—"], align="center")
                                      for v in ((c.filler, c.phone, c.reviewer) if c else ("", "", ""))])
    return Table(columns, header, rows, font_size=10.5)


def complete_paragraph(text: str) -> str:
    """A sentence taken from a report, ending with a full stop."""
    text = text.strip()
    return text if not text or text[-1] in "。！？；：…”）)" else text + "。"


def body(text: str) -> Paragraph:
    return Paragraph("body", [Run(text)])
