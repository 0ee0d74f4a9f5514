"""完成情况 / 通报: the progress of a breakdown's tasks in one period, grouped by leader,
with an optional summary (counts, 滞后 tasks, a chart, changes since the previous period)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..model import KeyTask, Leader, UnitRegistry
from ..model.progress import NO_STATUS, STATUSES, PeriodProgress
from ..model.units import split_units
from ..model.numbering import level_number
from .blocks import Cell, Column, Paragraph, Run, Table

NOT_REPORTED = "未报送"


def period_label(period: str) -> str:
    month = int(period[5:7])
    return {6: "半年度", 12: "全年"}.get(month, f"1—{month}月")


def bulletin_title(template: str, period: str) -> str:
    return template.format(year=period[:4], month=int(period[5:7]), label=period_label(period))


def lead_unit(task: KeyTask, registry: UnitRegistry) -> str:
    first = split_units(task.units)[0]
    unit = registry.find(first)
    return unit.name if unit else first


def progress_table(tasks: list[KeyTask], leaders: list[Leader], current: PeriodProgress) -> Table:
    """序号 | 任务内容 | 牵头单位 | X完成情况, a group row per leader; tasks without an entry are
    left out (they are listed as 未报送 in the summary)."""
    entries = current.by_task()
    label = period_label(current.period)
    columns = [Column(0.9, "center"), Column(4.2), Column(1.7, "center"), Column(8.2)]
    header = [[Cell([h], align="center", bold=True) for h in ("序号", "任务内容", "牵头单位", f"{label}完成情况")]]
    rows, groups = [], set()
    for leader in leaders:
        reported = [t for t in tasks if t.leader == leader.name and t.id in entries]
        if not reported:
            continue
        groups.add(len(rows))
        rows.append([Cell([leader.label], colspan=4, bold=True)])
        for n, task in enumerate(reported, 1):
            entry = entries[task.id]
            unit = entry.unit or split_units(task.units)[0]
            rows.append([Cell([entry.number or str(n)], align="center"), Cell([entry.task_text or task.text]),
                         Cell([unit], align="center"), Cell(entry.text.splitlines() or [""])])
    return Table(columns, header, rows, font_size=10.5, group_rows=groups)


def status_of(task: KeyTask, current: PeriodProgress) -> str:
    entry = current.by_task().get(task.id)
    if entry is None:
        return NOT_REPORTED
    return entry.status or NO_STATUS


COUNT_COLUMNS = [*STATUSES, NO_STATUS, NOT_REPORTED]


def count_table(first_header: str, counts: dict[str, Counter]) -> Table:
    columns = [Column(4.0)] + [Column(1.3, "center") for _ in COUNT_COLUMNS] + [Column(1.1, "center")]
    header = [[Cell([first_header], align="center", bold=True)] +
              [Cell([c], align="center", bold=True) for c in COUNT_COLUMNS] + [Cell(["合计"], align="center", bold=True)]]
    rows = [[Cell([name])] + [Cell([str(c.get(s, 0))], align="center") for s in COUNT_COLUMNS] +
            [Cell([str(sum(c.values()))], align="center")] for name, c in counts.items()]
    return Table(columns, header, rows, font_size=10.5)


def summary_blocks(tasks: list[KeyTask], leaders: list[Leader], registry: UnitRegistry,
                   current: PeriodProgress, previous: PeriodProgress | None, chart_font: Path | None) -> list:
    from .chart import status_chart

    overall = Counter(status_of(t, current) for t in tasks)
    by_leader = {l.label: Counter(status_of(t, current) for t in tasks if t.leader == l.name) for l in leaders}
    by_leader = {k: v for k, v in by_leader.items() if v}
    by_unit: dict[str, Counter] = {}
    for t in tasks:
        by_unit.setdefault(lead_unit(t, registry), Counter())[status_of(t, current)] += 1
    parts = "、".join(f"{s}{overall.get(s, 0)}项" for s in COUNT_COLUMNS if overall.get(s))
    blocks: list = [Paragraph("h1", [Run(f"{level_number(1, 1)}总体情况")]),
                    Paragraph("body", [Run(f"本期应报送任务{len(tasks)}项，其中{parts}。")]),
                    Paragraph("caption", [Run("表1：各牵头领导任务进展情况")]),
                    count_table("牵头领导", by_leader),
                    status_chart({k.removesuffix("牵头重点工作"): v for k, v in by_leader.items()},
                                 list(COUNT_COLUMNS), chart_font),
                    Paragraph("caption", [Run("表2：各牵头单位任务进展情况")]),
                    count_table("牵头单位", by_unit)]
    late = [t for t in tasks if status_of(t, current) == "滞后"]
    blocks.append(Paragraph("h1", [Run(f"{level_number(1, 2)}滞后任务（{len(late)}项）")]))
    if late:
        entries = current.by_task()
        columns = [Column(1.6, "center"), Column(5.5), Column(2.0, "center"), Column(5.0)]
        header = [[Cell([h], align="center", bold=True) for h in ("编号", "任务内容", "牵头单位", "存在问题")]]
        rows = [[Cell([t.id], align="center"), Cell([t.text]), Cell([lead_unit(t, registry)], align="center"),
                 Cell(entries[t.id].problems.splitlines() or ["（未填写）"])] for t in late]
        blocks.append(Table(columns, header, rows, font_size=10.5))
    else:
        blocks.append(Paragraph("body", [Run("无。")]))
    blocks += change_blocks(tasks, registry, current, previous)
    return blocks


def change_blocks(tasks: list[KeyTask], registry: UnitRegistry, current: PeriodProgress,
                  previous: PeriodProgress | None) -> list:
    blocks: list = [Paragraph("h1", [Run(f"{level_number(1, 3)}与上期相比")])]
    if previous is None:
        return blocks + [Paragraph("body", [Run("无上期数据。")])]
    before, now = previous.by_task(), current.by_task()

    def name(t):
        return f"{t.id}（{lead_unit(t, registry)}）"

    completed = [t for t in tasks if t.id in now and now[t.id].status == "已完成"
                 and (t.id not in before or before[t.id].status != "已完成")]
    changed = [t for t in tasks if t.id in now and t.id in before and now[t.id].status and before[t.id].status
               and now[t.id].status != before[t.id].status and t not in completed]
    missing = [t for t in tasks if t.id not in now and t.id not in before]
    lines = [("新完成", [name(t) for t in completed]),
             ("状态变化", [f"{name(t)}：{before[t.id].status}→{now[t.id].status}" for t in changed]),
             ("连续两期未报送", [name(t) for t in missing])]
    for n, (label, items) in enumerate(lines, 1):
        text = f"{len(items)}项：" + "；".join(items) + "。" if items else "无。"
        blocks.append(Paragraph("body", [Run(f"{level_number(2, n)}{label}", font="kai"), Run(text)]))
    blocks.append(Paragraph("note", [Run(f"（上期：{previous.period[:4]}年{int(previous.period[5:])}月）")]))
    return blocks
