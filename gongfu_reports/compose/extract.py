"""Per-unit extracts of a breakdown: for each responsible unit, the tasks it leads and the
tasks it shares, with the leader of each. A unit named under several aliases gets one extract."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Breakdown
from ..model.units import split_units
from ..model.numbering import level_number
from .blocks import Cell, Column, DocumentView, Paragraph, Run, Section, Table

HEADERS = ["序号", "任务内容", "牵头领导", "责任单位", "出处"]


@dataclass
class Entry:
    text: str
    leader: str
    units: str
    source: str


def _entries(breakdown: Breakdown) -> list[Entry]:
    titles = {l.name: f"{l.name}{l.title}" if l.name else "" for l in breakdown.leaders}
    out = [Entry(t.text, titles.get(t.leader, t.leader) or "共同落实", t.units, f"重点工作 {t.id}")
           for t in breakdown.key_tasks]
    out += [Entry((f"{i.name}。" if i.name else "") + i.text, titles.get(i.leader, i.leader), i.units,
                  _short(title)) for title, i in breakdown.livelihood]
    return out


def _short(title: str) -> str:
    """"2024年省政府民生实事（舟山部分）责任分解" → "省政府民生实事（舟山部分）"."""
    return re.sub(r"^\d{4}年", "", title).removesuffix("责任分解")


def unit_extracts(breakdown: Breakdown) -> list[tuple[str, DocumentView]]:
    """(unit name, view) for every unit named in the breakdown, in registry order."""
    registry = breakdown.units
    doc_title, number, date = breakdown.title.replace("\n", ""), breakdown.number, breakdown.date
    entries = _entries(breakdown)
    roles: dict[str, tuple[list[Entry], list[Entry]]] = {}
    for entry in entries:
        seen = set()
        for index, name in enumerate(split_units(entry.units)):
            unit = registry.find(name)
            if unit is None or unit.name in seen:
                continue
            seen.add(unit.name)
            lead, share = roles.setdefault(unit.name, ([], []))
            (lead if index == 0 else share).append(entry)
    order = {u.name: i for i, u in enumerate(registry.units)}
    views = []
    for name in sorted(roles, key=lambda n: order.get(n, len(order))):
        lead, share = roles[name]
        views.append((name, _view(name, lead, share, doc_title, number, date)))
    return views


def _view(unit: str, lead: list[Entry], share: list[Entry], doc_title: str, number: str,
          date: str) -> DocumentView:
    title = f"{unit}责任任务清单"
    source = re.sub(r"^.*?关于印发", "", doc_title).removesuffix("的通知")
    blocks: list = [Paragraph("title", [Run(title)]),
                    Paragraph("caption", [Run(f"（据{number}《{source}》整理）" if number else "")]),
                    Paragraph("plain", [Run("")])]
    for n, (label, entries) in enumerate((("牵头任务", lead), ("配合任务", share)), 1):
        blocks.append(Paragraph("h1", [Run(f"{level_number(1, n)}{label}（{len(entries)}项）")]))
        if entries:
            blocks.append(_table(entries))
        else:
            blocks.append(Paragraph("body", [Run("无。")]))
    return DocumentView(id=f"extract-{unit}", title=title, date=date, frame=None,
                        sections=[Section(False, blocks)])


def _table(entries: list[Entry]) -> Table:
    columns = [Column(0.9, "center"), Column(7.0), Column(1.9, "center"), Column(3.6), Column(2.6)]
    header = [[Cell([h], align="center", bold=True) for h in HEADERS]]
    rows = [[Cell([str(i)], align="center"), Cell([e.text]), Cell([e.leader], align="center"),
             Cell([e.units]), Cell([e.source])] for i, e in enumerate(entries, 1)]
    return Table(columns, header, rows, font_size=10.5)
