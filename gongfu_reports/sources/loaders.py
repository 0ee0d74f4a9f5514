"""Turn source files into model objects, checking every value with its place."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..errors import GongfuError, GongfuErrors, Place, display_path
from ..model import (DocumentMeta, Indicator, IssueNumber, Measure, PlanItem, PlanPart,
                     PlanSection, TaskRow, Unit, UnitRegistry, WorkPlan)
from .table import Row, read_table
from .yamlfile import LocDict, LocList, load_yaml

# Default Chinese column headers; config.yaml may rename them per table.
INDICATOR_COLUMNS = {"category": "类别", "number": "序号", "name": "指标", "sub_name": "分项",
                     "target": "目标值", "units": "牵头单位", "direction": "方向"}
TASK_COLUMNS = {"group": "分组", "task": "重点任务", "number": "序号", "measure": "主要举措",
                "goals": "工作目标", "actions": "重点工作安排", "units": "牵头单位"}


class Collector:
    """Collects input errors so one run reports all of them."""

    def __init__(self):
        self.errors: list[GongfuError] = []

    def run(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except GongfuErrors as exc:
            self.errors.extend(exc.errors)
        except GongfuError as exc:
            self.errors.append(exc)
        return None

    def each(self, items, func) -> list:
        """func(item) for every item; failures are collected, successes returned in order."""
        results = [self.run(func, item) for item in items]
        return [r for r in results if r is not None]

    def raise_if_any(self):
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise GongfuErrors(self.errors)


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|]')


def load_units(path: Path) -> UnitRegistry:
    data = load_yaml(path)
    label = display_path(path)
    if not isinstance(data, LocList):
        raise GongfuError("单位名册应为列表，每项含“名称”及可选的“全称”“别称”", Place(label, line=1))
    units = []
    seen: dict[str, Place] = {}
    for index, item in enumerate(data):
        place = data.place_of(index)
        if not isinstance(item, LocDict) or not str(item.get("名称") or "").strip():
            raise GongfuError("每个单位都要有“名称”", place)
        aliases = item.get("别称") or []
        if isinstance(aliases, str):
            aliases = [aliases]
        unit = Unit(str(item["名称"]).strip(), str(item.get("全称") or "").strip(),
                    tuple(str(a).strip() for a in aliases), group=str(item.get("类型") or "") == "集合")
        for name in (unit.name, unit.full_name, *unit.aliases):
            if not name:
                continue
            if _UNSAFE_NAME.search(name) or name.startswith("."):
                raise GongfuError(f"单位名称“{name}”不能含有 / \\ : * ? \" < > | 等字符，也不能以“.”开头"
                                  "（单位名称会用作文件名）", item.place)
            if name in seen:
                raise GongfuError(f"名称“{name}”重复登记（另见{seen[name]}）", item.place)
            seen[name] = item.place
        units.append(unit)
    return UnitRegistry(units)


def _columns(defaults: dict[str, str], overrides: dict[str, str] | None) -> dict[str, str]:
    return {**defaults, **(overrides or {})}


def fill_down(rows: list[Row], columns: list[str]) -> None:
    """An empty cell in a grouping column means "same as above" (as after unmerging in Excel)."""
    previous: dict[str, str] = {}
    for row in rows:
        for column in columns:
            if row.get(column):
                previous[column] = row.get(column)
            elif column in previous:
                row.values[column] = previous[column]


def _int(row: Row, column: str) -> int:
    text = row.get(column)
    if not re.fullmatch(r"\d+", text):
        hint = None
        if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日.*", text):
            hint = "该单元格被设成了日期格式：请在 Excel 中把这一列的格式改为“常规”或“文本”，再填数字"
        raise GongfuError(f"应为正整数，实际为“{text}”", row.place_of(column), hint=hint)
    return int(text)


def _required(row: Row, column: str) -> str:
    text = row.get(column)
    if not text:
        raise GongfuError("不能为空", row.place_of(column))
    return text


def load_indicators(path: Path, registry: UnitRegistry, sheet: str | None = None,
                    columns: dict[str, str] | None = None) -> list[Indicator]:
    cols = _columns(INDICATOR_COLUMNS, columns)
    table = read_table(path, sheet)
    table.require([cols[k] for k in ("category", "number", "name", "target", "units")])
    table.reject_unknown(list(cols.values()))
    table.require_rows()
    errors = Collector()

    def one(row: Row) -> Indicator:
        indicator = Indicator(
            category=_required(row, cols["category"]), number=_int(row, cols["number"]),
            name=_required(row, cols["name"]), sub_name=row.get(cols["sub_name"]),
            target=_required(row, cols["target"]), units=_required(row, cols["units"]),
            place=row.place, direction=row.get(cols["direction"]))
        if indicator.direction:
            from ..model.targets import parse_direction
            try:
                parse_direction(indicator.direction)
            except ValueError as exc:
                raise GongfuError(str(exc), row.place_of(cols["direction"])) from None
        registry.check_list(indicator.units, row.place_of(cols["units"]))
        return indicator

    result = errors.each(table.rows, one)
    errors.raise_if_any()
    return result


def load_tasks(path: Path, registry: UnitRegistry, sheet: str | None = None,
               columns: dict[str, str] | None = None) -> list[TaskRow]:
    cols = _columns(TASK_COLUMNS, columns)
    table = read_table(path, sheet)
    table.require([cols[k] for k in ("group", "task", "number", "measure", "units")])
    table.reject_unknown(list(cols.values()))
    table.require_rows()
    fill_down(table.rows, [cols["group"], cols["task"]])
    errors = Collector()
    numbers: dict[int, Place] = {}

    def one(row: Row) -> TaskRow:
        task = TaskRow(
            group=_required(row, cols["group"]), task=_required(row, cols["task"]),
            number=_int(row, cols["number"]), measure=_required(row, cols["measure"]),
            goals=row.get(cols["goals"]), actions=row.get(cols["actions"]),
            units=_required(row, cols["units"]), place=row.place)
        if task.number in numbers:
            raise GongfuError(f"序号“{task.number}”重复（另见{numbers[task.number]}）", row.place_of(cols["number"]))
        numbers[task.number] = row.place
        registry.check_list(task.units, row.place_of(cols["units"]))
        return task

    result = errors.each(table.rows, one)
    errors.raise_if_any()
    return result


def _text(data: LocDict, key: str, required: bool = True) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise GongfuError(f"缺少“{key}”", data.place)
        return ""
    if not isinstance(value, (str, int, float)):
        raise GongfuError(f"“{key}”应为文字", data.place_of(key))
    return str(value).strip()


def _paragraphs(data: LocDict, key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v).strip() for v in value]
    raise GongfuError(f"“{key}”应为文字或文字列表（每项一段）", data.place_of(key))


def _list(data: LocDict, key: str) -> LocList:
    value = data.get(key)
    if value is None:
        empty = LocList()
        empty.place, empty.item_places = data.place, []
        return empty
    if not isinstance(value, LocList):
        raise GongfuError(f"“{key}”应为列表", data.place_of(key))
    return value


def _mapping(value, place: Place, what: str) -> LocDict:
    if not isinstance(value, LocDict):
        raise GongfuError(f"{what}应为“键: 值”的映射", place)
    return value


def load_workplan(path: Path, registry: UnitRegistry) -> WorkPlan:
    data = _mapping(load_yaml(path), Place(display_path(path), line=1), "工作要点文件")
    errors = Collector()
    parts = []
    for i, raw_part in enumerate(_list(data, "部分")):
        part_data = _mapping(raw_part, data["部分"].place_of(i), "每个部分")
        part = PlanPart(title=_text(part_data, "标题"), paragraphs=_paragraphs(part_data, "段落"),
                        table_caption=_text(part_data, "表题", required=False),
                        table=_text(part_data, "表格", required=False))
        for j, raw_section in enumerate(_list(part_data, "章节")):
            sec = _mapping(raw_section, part_data["章节"].place_of(j), "每个章节")
            section = PlanSection(title=_text(sec, "标题"), paragraphs=_paragraphs(sec, "段落"))
            for k, raw_item in enumerate(_list(sec, "事项")):
                item = _mapping(raw_item, sec["事项"].place_of(k), "每个事项")
                measures = []
                for m, raw_measure in enumerate(_list(item, "举措")):
                    md = _mapping(raw_measure, item["举措"].place_of(m), "每条举措")
                    measure = Measure(_text(md, "内容"), _text(md, "单位", required=False), md.place)
                    if measure.units:
                        errors.run(registry.check_list, measure.units, md.place_of("单位"))
                    measures.append(measure)
                section.items.append(PlanItem(_text(item, "标题"), measures))
            part.sections.append(section)
        parts.append(part)
    errors.raise_if_any()
    return WorkPlan(title=_text(data, "标题"), intro=_paragraphs(data, "导语"), parts=parts)


def parse_date(value, place: Place) -> dt.date:
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    try:
        if match:
            return dt.date(*map(int, match.groups()))
    except ValueError:
        pass
    raise GongfuError(f"日期“{text}”无法识别，应写作 2024-04-30 或 2024年4月30日", place)


def parse_issue_number(value, place: Place) -> IssueNumber:
    """Accept "舟共富办〔2024〕1号" (also with [] or () and leading zeros) and normalise it."""
    text = str(value).strip()
    match = re.fullmatch(r"(.+?)[〔\[［(（](\d{4})[〕\]］)）]第?0*(\d+)号", text)
    if not match:
        raise GongfuError(f"发文字号“{text}”格式不对，应如“舟共富办〔2024〕1号”", place)
    return IssueNumber(match.group(1), int(match.group(2)), int(match.group(3)))


def load_notice(path: Path, registry: UnitRegistry) -> DocumentMeta:
    data = _mapping(load_yaml(path), Place(display_path(path), line=1), "通知文件")
    number = data.get("发文字号")
    signer = _text(data, "署名")
    meta = DocumentMeta(
        issuer_mark=_text(data, "发文机关标志"),
        number=parse_issue_number(number, data.place_of("发文字号")) if number else None,
        title=_text(data, "标题"),
        recipients=_text(data, "主送机关").rstrip("：:"),
        body=_paragraphs(data, "正文"),
        signer=signer,
        date=parse_date(_text(data, "成文日期"), data.place_of("成文日期")),
        seal_note=_text(data, "代章", required=False),
        note=_text(data, "附注", required=False).strip("（）()"),
        copy_to=_text(data, "抄送", required=False).rstrip("。"),
        printer=_text(data, "印发机关", required=False),
    )
    if data.get("印发日期"):
        meta.print_date = parse_date(data["印发日期"], data.place_of("印发日期"))
    if not meta.body:
        raise GongfuError("缺少“正文”", data.place)
    return meta
