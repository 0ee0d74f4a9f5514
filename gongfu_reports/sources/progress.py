"""Reading a period's progress file (data/…/progress/<period>.yaml)."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import GongfuError, Place, display_path
from ..model import Indicator, KeyTask
from ..model.progress import STATUSES, PeriodProgress, ProgressEntry
from ..errors import Collector
from ..files import fields
from ..files.yamlfile import load_yaml

PERIOD_FILE = re.compile(r"(\d{4})-(\d{2})\.yaml")


def period_files(folder: Path) -> dict[str, Path]:
    """Every <YYYY-MM>.yaml in the progress folder, by period, in order."""
    if not folder.is_dir():
        return {}
    found = {p.stem: p for p in folder.iterdir() if PERIOD_FILE.fullmatch(p.name)}
    return dict(sorted(found.items()))


def load_period(path: Path, tasks: dict[str, KeyTask]) -> PeriodProgress:
    label = display_path(path)
    data = fields.mapping(load_yaml(path), Place(label, line=1), "进展文件")
    period = fields.text(data, "期间")
    if period != path.stem:
        raise GongfuError(f"“期间”为 {period}，与文件名 {path.name} 不一致", data.place_of("期间"))
    progress = PeriodProgress(period, fields.text(data, "标题", required=False), bool(data.get("示例")))
    errors = Collector()
    seen: dict[str, Place] = {}
    for i, raw in enumerate(fields.items(data, "条目")):
        item = fields.mapping(raw, data["条目"].place_of(i), "每个条目")

        def one(item=item):
            task_id = fields.text(item, "编号")
            if task_id not in tasks:
                raise GongfuError(f"编号“{task_id}”不在任务清单中", item.place_of("编号"))
            if task_id in seen:
                raise GongfuError(f"编号“{task_id}”重复（另见{seen[task_id]}）", item.place_of("编号"))
            seen[task_id] = item.place
            status = fields.text(item, "状态", required=False)
            if status and status not in STATUSES:
                raise GongfuError(f"状态“{status}”无效，应为：{'、'.join(STATUSES)}", item.place_of("状态"))
            return ProgressEntry(task_id, fields.text(item, "牵头单位", required=False), fields.text(item, "完成情况"),
                                 status, fields.text(item, "存在问题", required=False),
                                 fields.text(item, "下步计划", required=False), fields.text(item, "序号", required=False),
                                 fields.text(item, "任务内容", required=False), item.place)
        entry = errors.run(one)
        if entry:
            progress.entries.append(entry)
    errors.raise_if_any()
    return progress


def load_indicator_values(path: Path, indicators: list[Indicator]) -> dict[tuple[int, str], str]:
    """Actual values by (序号, 分项); every key must name an indicator of the table."""
    data = fields.mapping(load_yaml(path), Place(display_path(path), line=1), "指标实际值文件")
    known = {(i.number, i.sub_name) for i in indicators}
    values = {}
    for i, raw in enumerate(fields.items(data, "实际值")):
        item = fields.mapping(raw, data["实际值"].place_of(i), "每个实际值")
        number = fields.text(item, "序号")
        if not number.isdigit():
            raise GongfuError(f"序号应为数字，实际为“{number}”", item.place_of("序号"))
        key = (int(number), fields.text(item, "分项", required=False))
        if key not in known:
            raise GongfuError(f"指标表中没有序号 {key[0]}{('、分项“' + key[1] + '”') if key[1] else ''}",
                              item.place, hint="有分项的指标请写明“分项”")
        values[key] = fields.text(item, "实际值", required=False)
    return values
