"""What forms and collect share: the bulletin document, who reports which task and indicator, and
the workbook layout that one writes and the other reads back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import kinds
from ..config import Config
from ..kinds.base import Context
from ..kinds.bulletin import BulletinSettings, reporters_of
from ..errors import GongfuError
from ..model import Indicator, KeyTask, Unit, UnitRegistry
from ..model.units import split_units
from ..sources.breakdown import load_tracked_tasks
from ..sources.loaders import load_indicators

SHEET = "进展填报"
INDICATOR_SHEET = "指标填报"
META_SHEET = "_meta"
LOCKED_COLUMNS = ("编号", "任务内容", "牵头领导")          # from the task list; units may not change them
FILL_COLUMNS = ("进展情况", "状态", "存在问题", "下步计划")  # what the unit fills in
COLUMNS = LOCKED_COLUMNS + FILL_COLUMNS
HEADER_ROW = 3                                             # title, unit line, header
CONTACT_FIELDS = ("填报人", "联系电话", "审核人")            # one row under the table: label, value, label, …
INDICATOR_LOCKED = ("序号", "指标", "分项", "目标值", "时间口径", "上期实际值")
INDICATOR_FILL = ("本期实际值", "说明")
INDICATOR_COLUMNS = INDICATOR_LOCKED + INDICATOR_FILL
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


def indicator_document(config: Config, doc: BulletinSettings) -> BulletinSettings | None:
    """The bulletin of the same loop (same tasks and progress folder) that monitors indicators and
    keeps their values: its lead units report the values on their forms."""
    for other in config.documents.values():
        if isinstance(other, BulletinSettings) and (other.tasks, other.sheet, other.progress) == \
                (doc.tasks, doc.sheet, doc.progress) and other.indicators and other.indicator_values:
            return other
    return None


def received_folder(config: Config, doc: BulletinSettings, period: str) -> Path:
    """Where collect keeps every returned workbook as received: data/<plan>/received/<period>/."""
    base = config.path(doc.received) if doc.received else config.path(doc.progress).parent / "received"
    return base / period


@dataclass
class Assignments:
    """Who reports what: each task's lead unit, the reporters of each task (the lead; each member of a
    group that leads a shared task), and each unit's tasks and indicators."""

    registry: UnitRegistry
    tasks: dict[str, KeyTask] = field(default_factory=dict)          # by id, in list order
    lead: dict[str, Unit] = field(default_factory=dict)              # task id → lead unit
    reporters: dict[str, list[str]] = field(default_factory=dict)    # task id → who reports it (collected tasks)
    by_unit: dict[str, list[KeyTask]] = field(default_factory=dict)  # reporting unit → its tasks
    indicators: list[Indicator] = field(default_factory=list)        # all, for messages
    indicators_by_unit: dict[str, list[Indicator]] = field(default_factory=dict)

    def units(self) -> list[str]:
        """Every unit that gets a form: task reporters first (in task order), then indicator leads."""
        return list(dict.fromkeys([*self.by_unit, *self.indicators_by_unit]))

    def is_shared(self, task_id: str) -> bool:
        return self.reporters.get(task_id) != [self.lead[task_id].name]


def load_assignments(config: Config, doc_id: str, doc: BulletinSettings) -> Assignments:
    ctx = Context(config)
    registry = ctx.units
    tasks, _ = load_tracked_tasks(config, doc, registry)
    declared = reporters_of(config, doc_id, tasks, ctx)
    result = Assignments(registry)
    for task in tasks:
        unit = registry.resolve(split_units(task.units)[0], task.place)
        result.tasks[task.id] = task
        result.lead[task.id] = unit
        who = declared[task.id] if task.id in declared else [unit.name]
        if who is None:   # declared 不收集
            continue
        result.reporters[task.id] = who
        for name in who:
            result.by_unit.setdefault(name, []).append(task)
    monitored = indicator_document(config, doc)
    if monitored:
        src = monitored.indicators
        result.indicators = load_indicators(config.path(src.file), registry, src.sheet, src.columns)
        for ind in result.indicators:
            lead = registry.resolve(split_units(ind.units)[0], ind.place)
            result.indicators_by_unit.setdefault(lead.name, []).append(ind)
    return result
