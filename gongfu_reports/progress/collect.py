"""`gongfu collect`: check the returned workbooks and merge them into <progress>/<period>.yaml.

The whole run is all or nothing: if any workbook has a problem, or any report differs from what
the progress file already holds (without --replace), nothing is written. A half-merged period
would be harder to sort out than re-running once the bad files are fixed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..kinds import load_config
from ..errors import Collector, GongfuError, GongfuErrors, Place, display_path, writing
from ..model import Unit
from ..model.progress import STATUSES
from ..publish import build_lock
from ..files.excel import displayed, excel_text, open_workbook
from ..files.names import check_writable
from ..files.text import check_text
from .common import (COLUMNS, FILL_COLUMNS, META_SHEET, SHEET, Assignments, bulletin_document,
                     load_assignments)
from .period import PERIOD, month_label
from .store import ProgressFile, load_progress, save_progress

CONTENT = ("状态", "完成情况", "存在问题", "下步计划")   # what a unit reports; compared on re-collect
LOCK_HINT = "编号、任务内容、牵头领导不可修改；如任务清单已调整，请用 gongfu forms 重新生成填报表"
OLD_EXCEL = (".xls", ".et")                             # saved in the wrong format by the unit


class RejectedRun(GongfuErrors):
    """Errors, followed by one line saying that nothing was merged and why."""

    def __init__(self, errors: list[GongfuError], note: str):
        super().__init__(errors)
        self.note = note

    def __str__(self) -> str:
        return f"{super().__str__()}\n{self.note}"


@dataclass
class Report:
    """One validated row of a returned workbook."""

    task_id: str
    unit: str
    values: dict[str, str]   # CONTENT keys that are not empty
    place: Place

    def entry(self) -> dict:
        return {"编号": self.task_id, "牵头单位": self.unit, **self.values}


@dataclass
class CollectResult:
    path: Path
    files: int
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing_units: list[str] = field(default_factory=list)
    backup: Path | None = None   # the previous version, when the file existed and was rewritten

    @property
    def written(self) -> bool:
        return bool(self.added or self.replaced)


def collect(root: Path, folder: Path, doc_id: str | None, period: str, replace: bool = False) -> CollectResult:
    config = load_config(root)
    doc_id, doc = bulletin_document(config, doc_id)
    # The lock is held from the start: a build or another collect in the same working folder
    # fails at once instead of after this one has read every workbook.
    with build_lock(config.root / "build"):
        return _collect(config, folder, doc_id, doc, period, replace)


def _collect(config: Config, folder: Path, doc_id: str, doc, period: str, replace: bool) -> CollectResult:
    check_writable(config.root, config.path(doc.progress), config.place("documents", doc_id, "progress"), doc.progress)
    work = load_assignments(config, doc)
    paths, errors = workbook_files(folder)
    reports: list[Report] = []
    seen: dict[str, Place] = {}
    for path in paths:
        try:
            reports += read_form(path, period, config, doc_id, work, seen)
        except GongfuErrors as exc:
            errors += exc.errors
        except GongfuError as exc:
            errors.append(exc)
    if errors:
        bad = len({e.place.file for e in errors if e.place})
        raise RejectedRun(errors, f"本次未合并任何数据：{bad} 个文件有问题，只要有一个文件有误，整批都不合并。"
                                  f"请改正（或把有问题的文件移出该目录）后重新运行 gongfu collect。")
    result = CollectResult(config.path(doc.progress) / f"{period}.yaml", len(paths))
    progress = load_progress(result.path, period)
    merge(progress, reports, replace, list(work.tasks), result)
    if result.written:
        if result.path.exists():
            result.backup = result.path.with_name(result.path.name + ".bak")
        with writing(result.path, "进展文件没有改动"):
            save_progress(progress)
    reported = {str(e["编号"]).strip() for e in progress.entries}
    result.missing_units = [unit for unit, tasks in work.by_unit.items()
                            if any(t.id not in reported for t in tasks)]
    return result


def workbook_files(folder: Path) -> tuple[list[Path], list[GongfuError]]:
    """Every .xlsx in the folder, whatever its name (Excel's "~$" lock files aside)."""
    label = display_path(folder)
    if not folder.is_dir():
        raise GongfuError("目录不存在", Place(label))
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("~$"))
    errors = [GongfuError("不是 .xlsx 格式", Place(display_path(p)), hint="请用 Excel 或 WPS 另存为 .xlsx 后再收集")
              for p in files if p.suffix.lower() in OLD_EXCEL]
    workbooks = [p for p in files if p.suffix.lower() == ".xlsx"]
    if not workbooks and not errors:
        raise GongfuError("目录中没有 .xlsx 填报表", Place(label))
    return workbooks, errors


def read_meta(book, label: str, period: str, config: Config, doc_id: str, work: Assignments) -> Unit:
    """Period, unit and document as `gongfu forms` recorded them in the very hidden sheet."""
    if META_SHEET not in book.sheetnames:
        raise GongfuError("不是由 gongfu forms 生成的填报表（缺少隐藏的 _meta 工作表），无法确定期间和填报单位",
                          Place(label), hint="请填报单位在下发的原表中填写")
    meta = {excel_text(key): excel_text(value)
            for key, value, *_ in book[META_SHEET].iter_rows(min_col=1, max_col=2, values_only=True) if key}
    if config.path(meta.get("进展目录", "")) != config.path(config.documents[doc_id].progress):
        raise GongfuError(f"这是文档“{meta.get('文档', '')}”的填报表，与本次收集的“{doc_id}”不是同一套进展数据",
                          Place(label))
    found = meta.get("期间", "")
    if found != period:
        shown = month_label(found) if PERIOD.fullmatch(found) else f"“{found}”"
        raise GongfuError(f"这是{shown}的填报表，本次收集的是{month_label(period)}", Place(label),
                          hint="请核对 --period，或请该单位用本期填报表重新填报")
    unit = work.registry.find(meta.get("填报单位", ""))
    if unit is None:
        raise GongfuError(f"填报单位“{meta.get('填报单位', '')}”不在单位名册中", Place(label))
    return unit


def find_header(ws, label: str) -> tuple[int, dict[str, int]]:
    """The row that holds "编号", and each column's index by its header text."""
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 10)):
        names = {clean(c.value).replace("\n", "").replace(" ", ""): c.column for c in row if c.value is not None}
        if "编号" in names:
            missing = [c for c in COLUMNS if c not in names]
            if missing:
                raise GongfuError(f"缺少列：{'、'.join(missing)}", Place(label, sheet=ws.title, row=row[0].row),
                                  hint=f"表头应为：{'、'.join(COLUMNS)}；请勿删除或改名列")
            return row[0].row, {c: names[c] for c in COLUMNS}
    raise GongfuError("找不到表头行（含“编号”的行）", Place(label, sheet=ws.title),
                      hint=f"表头应为：{'、'.join(COLUMNS)}")


def read_form(path: Path, period: str, config: Config, doc_id: str, work: Assignments,
              seen: dict[str, Place]) -> list[Report]:
    """All rows of one returned workbook, or every problem found in it (GongfuErrors)."""
    label = display_path(path)
    book = open_workbook(path, label)
    unit = read_meta(book, label, period, config, doc_id, work)
    if SHEET not in book.sheetnames:
        raise GongfuError(f"找不到工作表“{SHEET}”", Place(label), hint=f"现有工作表：{'、'.join(book.sheetnames)}")
    ws = book[SHEET]
    header_row, columns = find_header(ws, label)
    names = {index: name for name, index in columns.items()}
    errors = Collector()
    formula_rows = set()
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                formula_rows.add(cell.row)
                errors.errors.append(GongfuError(
                    "单元格含公式，填报内容只能是文字", Place(label, sheet=ws.title, row=cell.row,
                                                 column=names.get(cell.column, cell.column_letter)),
                    hint="请删除公式，直接填写文字（需要链接时写出网址）"))
    reports, ids = [], set()
    for r in range(header_row + 1, ws.max_row + 1):
        values = {name: clean(displayed(ws.cell(r, index))) for name, index in columns.items()}
        if not any(values.values()):
            continue
        ids.add(values["编号"])
        # Control characters and runaway text in what the unit typed (reported with the cell).
        bad_text = [errors.run(check_text, values[name], Place(label, sheet=ws.title, row=r, column=name)) is None
                    for name in FILL_COLUMNS]
        if any(bad_text) or r in formula_rows:   # already reported; the row's other checks would repeat it
            continue
        report = errors.run(check_row, values, Place(label, sheet=ws.title, row=r), unit, work, seen)
        if report:
            reports.append(report)
    missing = [t.id for t in work.by_unit.get(unit.name, []) if t.id not in ids]
    if missing:
        errors.errors.append(GongfuError(f"缺少任务 {'、'.join(missing)} 的填报行", Place(label, sheet=ws.title),
                                         hint="请勿删除行；" + LOCK_HINT))
    errors.raise_if_any()
    return reports


def check_row(values: dict[str, str], place: Place, unit: Unit, work: Assignments,
              seen: dict[str, Place]) -> Report:
    task_id = values["编号"]
    if not task_id:
        raise GongfuError("编号为空", place.at(column="编号"), hint=LOCK_HINT)
    task = work.tasks.get(task_id)
    if task is None:
        raise GongfuError(f"编号“{task_id}”不在任务清单中", place.at(column="编号"), hint=LOCK_HINT)
    lead = work.lead[task_id]
    if lead.name != unit.name:
        raise GongfuError(f"任务 {task_id} 的牵头单位是{lead.name}，不是本表的填报单位{unit.name}",
                          place.at(column="编号"), hint=LOCK_HINT)
    if task_id in seen:
        raise GongfuError(f"任务 {task_id} 重复填报（另见{seen[task_id]}）", place.at(column="编号"))
    seen[task_id] = place
    errors = []
    for column, expected in (("任务内容", task.text), ("牵头领导", task.leader)):
        if values[column] != clean(expected):
            errors.append(GongfuError(f"锁定的“{column}”被改动", place.at(column=column), hint=LOCK_HINT))
    status = values["状态"]
    if not status:
        errors.append(GongfuError("状态未填写", place.at(column="状态"), hint=f"请从下拉列表中选择：{'、'.join(STATUSES)}"))
    elif status not in STATUSES:
        errors.append(GongfuError(f"状态“{status}”无效", place.at(column="状态"),
                                  hint=f"请从下拉列表中选择：{'、'.join(STATUSES)}"))
    if not values["进展情况"]:
        errors.append(GongfuError("进展情况未填写", place.at(column="进展情况")))
    if errors:
        raise GongfuErrors(errors)
    reported = {"状态": status, "完成情况": values["进展情况"], "存在问题": values["存在问题"],
                "下步计划": values["下步计划"]}
    return Report(task_id, unit.name, {k: v for k, v in reported.items() if v}, place)


def merge(progress: ProgressFile, reports: list[Report], replace: bool, order: list[str],
          result: CollectResult) -> None:
    """Add new entries, keep identical ones, and refuse (or with --replace, overwrite) different
    ones; an overwritten entry keeps its 序号, 任务内容 and any other keys."""
    existing = {str(e["编号"]).strip(): e for e in progress.entries}
    conflicts = []
    for report in reports:
        new = report.entry()
        old = existing.get(report.task_id)
        if old is None:
            progress.entries.append(new)
            result.added.append(report.task_id)
            continue
        differ = [k for k in CONTENT if clean(old.get(k)) != clean(new.get(k))]
        if not differ:
            result.unchanged.append(report.task_id)
        elif replace:
            for key in CONTENT:
                old.pop(key, None)
            old.update(new)
            result.replaced.append(report.task_id)
        else:
            conflicts.append(GongfuError(
                f"任务 {report.task_id}（{report.unit}）在 {display_path(progress.path)} 中已有不同内容"
                f"（{'、'.join(differ)}不同），未覆盖", report.place,
                hint=f"已有内容见{progress.places[report.task_id]}；确认以本次填报为准时，加 --replace 覆盖"
                     f"（原文件保留为 {progress.path.name}.bak）"))
    if conflicts:
        raise RejectedRun(conflicts, f"本次未合并任何数据：{len(conflicts)} 项任务与已有内容不同。")
    position = {task_id: i for i, task_id in enumerate(order)}
    progress.entries.sort(key=lambda e: position.get(str(e["编号"]).strip(), len(position)))


def clean(value) -> str:
    """Cell or YAML text as compared and stored: Windows line ends and trailing spaces dropped."""
    text = excel_text(value)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()
