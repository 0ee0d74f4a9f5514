"""Readers for a responsibility breakdown: leaders, districts, tasks, livelihood items, allocations."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import GongfuError, Place, display_path
from ..model import (Allocation, AllocationRow, KeyTask, Leader, LivelihoodArea, LivelihoodItem,
                     Unit, UnitRegistry)
from ..errors import Collector
from ..files import fields
from ..files.table import Row, read_table
from ..files.yamlfile import LocList, load_yaml

KEY_TASK_COLUMNS = {"id": "编号", "leader": "牵头领导", "text": "任务内容", "units": "责任单位"}
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def load_leaders(path: Path) -> list[Leader]:
    data = load_yaml(path)
    if not isinstance(data, LocList):
        raise GongfuError("领导名单应为列表，每项含“姓名”“职务”（或只有“标题”）", Place(display_path(path), line=1))
    leaders, seen = [], set()
    for i, raw in enumerate(data):
        item = fields.mapping(raw, data.place_of(i), "每位领导")
        leader = Leader(fields.text(item, "姓名", required=False), fields.text(item, "职务", required=False),
                        fields.text(item, "标题", required=False))
        if not leader.name and not leader.heading:
            raise GongfuError("每项需要“姓名”（或没有牵头领导时的“标题”）", item.place)
        if leader.name in seen:
            raise GongfuError(f"领导“{leader.name or '（无姓名）'}”重复", item.place)
        seen.add(leader.name)
        leaders.append(leader)
    return leaders


def load_districts(path: Path) -> UnitRegistry:
    """Districts share the registry mechanics of units (canonical name + aliases)."""
    from .loaders import load_units

    return load_units(path)


def _check_leader(name: str, leaders: list[Leader], place: Place) -> None:
    if name not in {l.name for l in leaders}:
        known = "、".join(l.name for l in leaders if l.name)
        raise GongfuError(f"牵头领导“{name}”不在领导名单中", place, hint=f"已登记：{known}")


def load_key_tasks(path: Path, sheet: str | None, registry: UnitRegistry,
                   leaders: list[Leader]) -> list[KeyTask]:
    cols = KEY_TASK_COLUMNS
    table = read_table(path, sheet)
    table.require([cols["id"], cols["text"], cols["units"]] + ([cols["leader"]] if cols["leader"] in table.headers else []))
    table.reject_unknown(list(cols.values()))
    table.require_rows()
    errors = Collector()
    ids: dict[str, Place] = {}

    def one(row: Row) -> KeyTask:
        task_id = fields.required_cell(row, cols["id"])
        if not ID_PATTERN.fullmatch(task_id):
            raise GongfuError(f"编号“{task_id}”只能用字母、数字、-、_ 和 .", row.place_of(cols["id"]))
        if task_id in ids:
            raise GongfuError(f"编号“{task_id}”重复（另见{ids[task_id]}）", row.place_of(cols["id"]))
        ids[task_id] = row.place
        task = KeyTask(task_id, row.get(cols["leader"]), fields.required_cell(row, cols["text"]),
                       fields.required_cell(row, cols["units"]), row.place)
        _check_leader(task.leader, leaders, row.place_of(cols["leader"]))
        registry.check_list(task.units, row.place_of(cols["units"]))
        return task

    tasks = errors.each(table.rows, one)
    errors.raise_if_any()
    return tasks


def load_livelihood(path: Path, registry: UnitRegistry, leaders: list[Leader]) -> tuple[str, list[LivelihoodArea]]:
    data = fields.mapping(load_yaml(path), Place(display_path(path), line=1), "民生实事文件")
    errors = Collector()
    areas = []
    for i, raw in enumerate(fields.items(data, "领域")):
        area_data = fields.mapping(raw, data["领域"].place_of(i), "每个领域")
        area = LivelihoodArea(fields.text(area_data, "名称"))
        for j, raw_item in enumerate(fields.items(area_data, "事项")):
            item = fields.mapping(raw_item, area_data["事项"].place_of(j), "每个事项")
            entry = LivelihoodItem(text=fields.text(item, "内容"), leader=fields.text(item, "牵头领导"),
                                   units=fields.text(item, "责任单位"), name=fields.text(item, "名称", required=False),
                                   place=item.place)
            errors.run(_check_leader, entry.leader, leaders, item.place_of("牵头领导"))
            errors.run(registry.check_list, entry.units, item.place_of("责任单位"))
            area.items.append(entry)
        areas.append(area)
    errors.raise_if_any()
    return fields.text(data, "标题"), areas


def load_allocation(path: Path, sheet: str | None, registry: UnitRegistry, districts: UnitRegistry,
                    name_column: str) -> Allocation:
    """Columns: 序号, 事项分类, <name_column>, 全市目标任务, one per district, 责任单位.
    District columns are recognised by the district registry, in the table's own order."""
    table = read_table(path, sheet)
    fixed = ["序号", "事项分类", name_column, "全市目标任务", "责任单位"]
    table.require(fixed)
    district_columns = []
    for header in table.headers:
        if header in fixed:
            continue
        district = districts.find(header)
        if district is None:
            raise GongfuError(f"列“{header}”既不是固定列，也不在区县名录中", table.place,
                              hint=f"固定列：{'、'.join(fixed)}；区县名录见 data/districts.yaml")
        district_columns.append(header)
    fields.fill_down(table.rows, ["事项分类", "责任单位"])
    errors = Collector()

    def one(row: Row) -> AllocationRow:
        number = row.get("序号")
        if number and not re.fullmatch(r"\d+", number):
            raise GongfuError(f"序号应为数字或留空（与上一行同一事项），实际为“{number}”", row.place_of("序号"))
        registry.check_list(row.get("责任单位"), row.place_of("责任单位"))
        return AllocationRow(number, fields.required_cell(row, "事项分类"), fields.required_cell(row, name_column),
                             row.get("全市目标任务"), {d: row.get(d) for d in district_columns},
                             fields.required_cell(row, "责任单位"), row.place)

    if table.rows and not table.rows[0].get("序号"):
        errors.errors.append(GongfuError("第一行必须有序号", table.rows[0].place_of("序号")))
    rows = errors.each(table.rows, one)
    errors.raise_if_any()
    return Allocation(["序号", "事项分类", name_column, "全市目标任务"], district_columns, rows)


def unit_roles(units_text: str, registry: UnitRegistry) -> list[tuple[Unit, bool]]:
    """Each unit of a written list with whether it leads (the first one does)."""
    from ..model.units import split_units

    out, seen = [], set()
    for index, name in enumerate(split_units(units_text)):
        unit = registry.find(name)
        if unit is not None and unit.name not in seen:
            seen.add(unit.name)
            out.append((unit, index == 0))
    return out


def load_tracked_tasks(config, doc, registry: UnitRegistry) -> tuple[list[KeyTask], list[Leader]]:
    """The tasks a bulletin tracks: a key-task table with its leaders list, or the items with ids
    of a Markdown plan (one group, headed by the plan's title)."""
    from .markdown import load_prose

    path = config.path(doc.tasks)
    if path.suffix.lower() == ".md":
        plan = load_prose(path, registry)
        tasks = plan.tasks()
        if not tasks:
            raise GongfuError("方案中没有带编号的事项（标题末尾写 {#编号 牵头单位、…}）", Place(display_path(path)))
        return tasks, [Leader("", "", heading=plan.title)]
    if not doc.leaders:
        raise GongfuError("任务表需要领导名单：请在 config.yaml 中设置 leaders", config.place("documents"))
    leaders = load_leaders(config.path(doc.leaders))
    return load_key_tasks(path, doc.sheet, registry, leaders), leaders
