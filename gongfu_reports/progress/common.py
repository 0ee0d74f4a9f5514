"""What forms and collect share: the bulletin document, who leads which task, and the
workbook layout that one writes and the other reads back."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import kinds
from ..config import Config
from ..kinds.bulletin import BulletinSettings
from ..errors import GongfuError
from ..model import KeyTask, Unit, UnitRegistry
from ..model.units import split_units
from ..sources.breakdown import load_tracked_tasks
from ..sources.loaders import load_units

SHEET = "进展填报"
META_SHEET = "_meta"
LOCKED_COLUMNS = ("编号", "任务内容", "牵头领导")          # from the task list; units may not change them
FILL_COLUMNS = ("进展情况", "状态", "存在问题", "下步计划")  # what the unit fills in
COLUMNS = LOCKED_COLUMNS + FILL_COLUMNS
HEADER_ROW = 3                                             # title, unit line, header
FORMS_FOLDER = "build/forms"


def bulletin_document(config: Config, doc_id: str | None) -> tuple[str, BulletinSettings]:
    """The named document, or the only bulletin in config.yaml: forms and collect belong to one."""
    bulletins = [k for k, d in config.documents.items() if isinstance(d, BulletinSettings)]
    if doc_id is None:
        # Bulletins over the same tasks and progress folder (a 完成情况 and its 通报) are one loop.
        loops = {(d.tasks, d.sheet, d.progress) for k, d in config.documents.items() if k in bulletins}
        if len(loops) == 1:
            return bulletins[0], config.documents[bulletins[0]]
        if not bulletins:
            raise GongfuError("config.yaml 中没有完成情况文档（kind: bulletin），无法生成或收集填报表",
                              config.place("documents"))
        raise GongfuError(f"config.yaml 中有多个完成情况文档（任务清单或进展目录不同）：{'、'.join(bulletins)}，"
                          "请指定文档编号",
                          config.place("documents"))
    _, doc = kinds.document(config, doc_id)
    if not isinstance(doc, BulletinSettings):
        raise GongfuError(f"文档“{doc_id}”不是完成情况文档（kind: bulletin），不能生成或收集填报表",
                          config.place("documents", doc_id),
                          hint=f"完成情况文档：{'、'.join(bulletins) or '（无）'}")
    return doc_id, doc


@dataclass
class Assignments:
    """Each task with its lead unit (the first unit of 责任单位, by canonical name)."""

    registry: UnitRegistry
    tasks: dict[str, KeyTask] = field(default_factory=dict)         # by id, in list order
    lead: dict[str, Unit] = field(default_factory=dict)             # task id → lead unit
    by_unit: dict[str, list[KeyTask]] = field(default_factory=dict)  # unit name → its tasks


def load_assignments(config: Config, doc: BulletinSettings) -> Assignments:
    registry = load_units(config.path(config.units))
    tasks, _ = load_tracked_tasks(config, doc, registry)
    result = Assignments(registry)
    for task in tasks:
        unit = registry.resolve(split_units(task.units)[0], task.place)
        result.tasks[task.id] = task
        result.lead[task.id] = unit
        result.by_unit.setdefault(unit.name, []).append(task)
    return result
