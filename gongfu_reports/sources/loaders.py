"""Turn source files into model objects, checking every value with its place."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..errors import Collector, GongfuError, GongfuErrors, Place, display_path
from ..files import fields
from ..model.document import copy_line
from ..model.units import unit_key
from ..render import layout
from ..model import (DocumentMeta, Indicator, IssueNumber, Measure, PlanItem, PlanPart,
                     PlanSection, TaskRow, Unit, UnitRegistry, WorkPlan)
from ..files.names import check_name, distinct_files
from ..files.table import Row, read_table
from ..files.yamlfile import LocDict, LocList, load_yaml

# Default Chinese column headers; config.yaml may rename them per table.
INDICATOR_COLUMNS = {"category": "类别", "number": "序号", "name": "指标", "sub_name": "分项",
                     "target": "目标值", "units": "牵头单位", "direction": "方向",
                     "timing": "时间口径"}
TASK_COLUMNS = {"group": "分组", "task": "重点任务", "number": "序号", "measure": "主要举措",
                "goals": "工作目标", "actions": "重点工作安排", "units": "牵头单位"}


def load_units(path: Path) -> UnitRegistry:
    """The unit registry. A unit's name becomes a file name (its progress form, its extract), so it is
    checked as one; look-alike spellings of one name (NFKC) are one name, so registering both is a
    duplicate, and invisible or bidi characters are refused where they are written."""
    data = load_yaml(path)
    label = display_path(path)
    if not isinstance(data, LocList):
        raise GongfuError("单位名册应为列表，每项含“名称”及可选的“全称”“别称”", Place(label, line=1))
    units = []
    seen: dict[str, tuple[str, Place]] = {}   # unit_key → (name as written, place)
    files: dict[str, Place] = {}
    for index, item in enumerate(data):
        place = data.place_of(index)
        if not isinstance(item, LocDict) or not str(item.get("名称") or "").strip():
            raise GongfuError("每个单位都要有“名称”", place)
        aliases = item.get("别称") or []
        if isinstance(aliases, str):
            aliases = [aliases]
        unit = Unit(str(item["名称"]).strip(), str(item.get("全称") or "").strip(),
                    tuple(str(a).strip() for a in aliases), group=str(item.get("类型") or "") == "集合")
        own: set[str] = set()   # one unit may register both spellings (（） and ())
        for key, name in (("名称", unit.name), ("全称", unit.full_name),
                          *(("别称", a) for a in unit.aliases)):
            if not name:
                continue
            where = item.place_of(key) if key in item else item.place
            check_name(name, "单位名称", where)
            if unit_key(name) in own:
                continue
            own.add(unit_key(name))
            if unit_key(name) in seen:
                other, other_place = seen[unit_key(name)]
                same = "" if other == name else f"（与“{other}”写法相近，视为同一名称）"
                raise GongfuError(f"名称“{name}”重复登记{same}（另见{other_place}）", where)
            seen[unit_key(name)] = (name, where)
        files[unit.name] = item.place_of("名称")
        units.append(unit)
    distinct_files(files, "单位名称")
    return UnitRegistry(units)


def load_indicators(path: Path, registry: UnitRegistry, sheet: str | None = None,
                    columns: dict[str, str] | None = None) -> list[Indicator]:
    cols = fields.column_names(INDICATOR_COLUMNS, columns)
    table = read_table(path, sheet)
    table.require([cols[k] for k in ("category", "number", "name", "target", "units")])
    table.reject_unknown(list(cols.values()))
    table.require_rows()
    errors = Collector()

    def one(row: Row) -> Indicator:
        indicator = Indicator(
            category=fields.required_cell(row, cols["category"]), number=fields.positive_int(row, cols["number"]),
            name=fields.required_cell(row, cols["name"]), sub_name=row.get(cols["sub_name"]),
            target=fields.required_cell(row, cols["target"]), units=fields.required_cell(row, cols["units"]),
            place=row.place, direction=row.get(cols["direction"]))
        from ..model.targets import parse_direction, parse_timing
        try:
            parse_direction(indicator.direction)
        except ValueError as exc:
            raise GongfuError(str(exc), row.place_of(cols["direction"])) from None
        try:
            indicator.timing = parse_timing(row.get(cols["timing"]))
        except ValueError as exc:
            raise GongfuError(str(exc), row.place_of(cols["timing"])) from None
        registry.check_list(indicator.units, row.place_of(cols["units"]))
        return indicator

    result = errors.each(table.rows, one)
    errors.raise_if_any()
    return result


def load_tasks(path: Path, registry: UnitRegistry, sheet: str | None = None,
               columns: dict[str, str] | None = None) -> list[TaskRow]:
    cols = fields.column_names(TASK_COLUMNS, columns)
    table = read_table(path, sheet)
    table.require([cols[k] for k in ("group", "task", "number", "measure", "units")])
    table.reject_unknown(list(cols.values()))
    table.require_rows()
    fields.fill_down(table.rows, [cols["group"], cols["task"]])
    errors = Collector()
    numbers: dict[int, Place] = {}

    def one(row: Row) -> TaskRow:
        task = TaskRow(
            group=fields.required_cell(row, cols["group"]), task=fields.required_cell(row, cols["task"]),
            number=fields.positive_int(row, cols["number"]), measure=fields.required_cell(row, cols["measure"]),
            goals=row.get(cols["goals"]), actions=row.get(cols["actions"]),
            units=fields.required_cell(row, cols["units"]), place=row.place)
        if task.number in numbers:
            raise GongfuError(f"序号“{task.number}”重复（另见{numbers[task.number]}）", row.place_of(cols["number"]))
        numbers[task.number] = row.place
        registry.check_list(task.units, row.place_of(cols["units"]))
        return task

    result = errors.each(table.rows, one)
    errors.raise_if_any()
    return result


def load_workplan(path: Path, registry: UnitRegistry) -> WorkPlan:
    data = fields.mapping(load_yaml(path), Place(display_path(path), line=1), "工作要点文件")
    errors = Collector()
    parts = []
    for i, raw_part in enumerate(fields.items(data, "部分")):
        part_data = fields.mapping(raw_part, data["部分"].place_of(i), "每个部分")
        part = PlanPart(title=fields.text(part_data, "标题"), paragraphs=fields.paragraphs(part_data, "段落"),
                        table_caption=fields.text(part_data, "表题", required=False),
                        table=fields.text(part_data, "表格", required=False))
        for j, raw_section in enumerate(fields.items(part_data, "章节")):
            sec = fields.mapping(raw_section, part_data["章节"].place_of(j), "每个章节")
            section = PlanSection(title=fields.text(sec, "标题"), paragraphs=fields.paragraphs(sec, "段落"))
            for k, raw_item in enumerate(fields.items(sec, "事项")):
                item = fields.mapping(raw_item, sec["事项"].place_of(k), "每个事项")
                measures = []
                for m, raw_measure in enumerate(fields.items(item, "举措")):
                    md = fields.mapping(raw_measure, item["举措"].place_of(m), "每条举措")
                    measure = Measure(fields.text(md, "内容"), fields.text(md, "单位", required=False), md.place)
                    if measure.units:
                        errors.run(registry.check_list, measure.units, md.place_of("单位"))
                    measures.append(measure)
                section.items.append(PlanItem(fields.text(item, "标题"), measures))
            part.sections.append(section)
        parts.append(part)
    errors.raise_if_any()
    return WorkPlan(title=fields.text(data, "标题"), intro=fields.paragraphs(data, "导语"), parts=parts)


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


def copy_to(data) -> str:
    """抄送 as written (the 版记 adds the final 。). Refused when the 版记 would not fit on one page: it is set
    at the foot of the last page, and the part above the page would be lost."""
    text = fields.text(data, "抄送", required=False).rstrip("。")
    lines = layout.imprint_lines(copy_line(text))
    if lines > layout.IMPRINT_MAX_LINES:
        raise GongfuError(f"“抄送”过长（{len(text)}字）：版记须排在最后一页之内，抄送最多 {layout.IMPRINT_MAX_LINES - 1} 行，"
                          f"现需 {lines - 1} 行", data.place_of("抄送"),
                          hint="抄送只写主要机关，用逗号隔开；其余可在正文或附件中列出")
    return text


NOTICE_KEYS = ("发文机关标志", "发文字号", "标题", "主送机关", "正文", "署名", "成文日期", "加盖印章", "代章", "附注",
               "抄送", "印发机关", "印发日期")


def load_notice(path: Path, registry: UnitRegistry) -> DocumentMeta:
    data = fields.mapping(load_yaml(path), Place(display_path(path), line=1), "通知文件")
    unknown = fields.unknown_keys(data, NOTICE_KEYS)
    if unknown:
        raise GongfuErrors(unknown)
    number = data.get("发文字号")
    signer = fields.text(data, "署名")
    meta = DocumentMeta(
        issuer_mark=fields.text(data, "发文机关标志"),
        number=parse_issue_number(number, data.place_of("发文字号")) if number else None,
        title=fields.text(data, "标题"),
        recipients=fields.text(data, "主送机关").rstrip("：:"),
        body=fields.paragraphs(data, "正文"),
        signer=signer,
        date=parse_date(fields.text(data, "成文日期"), data.place_of("成文日期")),
        seal_note=fields.text(data, "代章", required=False),
        sealed=fields.yes_no(data, "加盖印章"),
        note=fields.text(data, "附注", required=False).strip("（）()"),
        copy_to=copy_to(data),
        printer=fields.text(data, "印发机关", required=False),
    )
    if data.get("印发日期"):
        meta.print_date = parse_date(data["印发日期"], data.place_of("印发日期"))
    if not meta.body:
        raise GongfuError("缺少“正文”", data.place)
    return meta
