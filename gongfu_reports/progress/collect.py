"""`gongfu collect`: check the returned workbooks one by one and merge the valid ones into the period's
progress file (<progress>/<period>.yaml) and indicator values (<indicator_values>/<period>.yaml).

- Every workbook received is first kept, unchanged, in data/<plan>/received/<period>/ (with a log
  of each run), whatever becomes of it.
- Each workbook is checked as a whole: a valid one is merged, a rejected one is listed with all its
  problems and nothing of it is merged. Exit 1 when any was rejected (a scheduled job must notice).
- A report that differs from what the period already holds is a conflict (the workbook is rejected)
  unless --replace, which lists every changed task (old → new).
- Two different workbooks from one unit: neither is merged, the clerk chooses; identical copies
  are merged once. A workbook identical to one an earlier run merged is not merged again, even with
  --replace, when the period's data has changed since (an old file sent again would undo a correction).
- Every earlier version of the period's files is kept (store.py).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..config import Config
from ..kinds import load_config
from ..errors import Collector, GongfuError, GongfuErrors, Place, capped, display_path, writing
from ..model.progress import NEEDS_REASON, STATUSES
from ..publish import build_lock, write_atomic
from ..files.archive import MAX_FILE_BYTES
from ..files.excel import displayed, excel_text, open_workbook
from ..files.names import check_writable
from ..files.text import check_text, invisible_error
from ..sources.progress import indicator_key_error, is_sample, period_files
from .common import (COLUMNS, CONTACT_FIELDS, FILL_COLUMNS, INDICATOR_COLUMNS, INDICATOR_FILL, INDICATOR_SHEET,
                     META_SHEET, SHEET, Assignments, bulletin_document, indicator_document, load_assignments,
                     received_folder)
from .forms import LOCKED_TEXT
from .period import PERIOD, month_label
from .store import ProgressFile, entry_key, load_progress, load_values, save_progress, value_key, versions_folder

CONTENT = ("状态", "完成情况", "存在问题", "下步计划")   # what a unit reports; compared on re-collect
VALUE_CONTENT = ("实际值", "说明")
LOCK_HINT = ("编号、任务内容、牵头领导以下发的填报表为准，填报单位不能修改：请该单位在下发的原表中填写"
             "（或把改动的格恢复原样）后重新报送")
CHANGED_HINT = ("单位是按下发的表填写的，是任务清单在下发填报表之后有了改动：请重新运行 gongfu forms，把新表发给有关单位"
                "（或把任务清单恢复原样）后再收集")
OLD_EXCEL = (".xls", ".et")                             # saved in the wrong format by the unit
LOG = "收集记录.yaml"
NOTHING_MERGED = "收回的表格未能保存副本，本次没有合并任何数据；问题解决后重新运行 gongfu collect"


@dataclass
class Report:
    """One validated task row of a returned workbook."""

    task_id: str
    unit: str                # the reporting unit
    values: dict[str, str]   # CONTENT keys that are not empty
    place: Place
    shared: bool = False     # a member's report of a task led by a group

    def entry(self) -> dict:
        who = {"填报单位": self.unit} if self.shared else {"牵头单位": self.unit}
        return {"编号": self.task_id, **who, **self.values}

    @property
    def key(self) -> tuple:
        return self.task_id, self.unit if self.shared else ""

    @property
    def label(self) -> str:
        return f"{self.task_id}（{self.unit}）"


@dataclass
class ValueReport:
    """One indicator value of a returned workbook."""

    number: int
    sub_name: str
    unit: str
    values: dict[str, str]   # 实际值, 说明 (not empty)
    place: Place

    def entry(self) -> dict:
        return {"序号": self.number, **({"分项": self.sub_name} if self.sub_name else {}), **self.values,
                "填报单位": self.unit}

    @property
    def key(self) -> tuple:
        return str(self.number), self.sub_name

    @property
    def label(self) -> str:
        return f"指标{self.number}" + (f"（{self.sub_name}）" if self.sub_name else "")


@dataclass
class Form:
    """One returned workbook and what became of it."""

    path: Path
    unit: str = ""
    reports: list[Report] = field(default_factory=list)
    values: list[ValueReport] = field(default_factory=list)
    contact: dict[str, str] = field(default_factory=dict)
    errors: list[GongfuError] = field(default_factory=list)
    kept_as: Path | None = None       # its copy in received/<period>/
    merged_before: bool = False       # the same bytes were received and merged in an earlier run
    duplicate_of: "Form | None" = None   # an identical copy of another workbook of the same unit
    hidden: list[str] = field(default_factory=list)   # rows and filled columns the unit hid: merged all the same, and said

    @property
    def label(self) -> str:
        return display_path(self.path)

    @property
    def rejected(self) -> bool:
        return bool(self.errors)

    @property
    def merged(self) -> bool:
        return not self.errors and self.duplicate_of is None

    def content(self) -> tuple:
        return ({r.key: r.values for r in self.reports}, {v.key: v.values for v in self.values}, self.contact)


@dataclass
class CollectResult:
    path: Path
    forms: list[Form] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)        # --replace: "ZF24-001（市财政局）：状态 A → B；…"
    notes: list[str] = field(default_factory=list)          # for the clerk: two versions, fallbacks, …
    missing_units: list[str] = field(default_factory=list)
    version: Path | None = None          # the previous progress file, kept
    values_path: Path | None = None
    values_version: Path | None = None
    values_written: bool = False
    contacts_written: bool = False
    received: Path | None = None

    @property
    def files(self) -> int:
        return len(self.forms)

    @property
    def rejected(self) -> list[Form]:
        return [f for f in self.forms if f.rejected]

    @property
    def written(self) -> bool:
        return bool(self.added or self.replaced or self.contacts_written)

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0


def collect(root: Path, folder: Path, doc_id: str | None, period: str, replace: bool = False) -> CollectResult:
    config = load_config(root)
    doc_id, doc = bulletin_document(config, doc_id)
    # The lock is held from the start: a build or another collect in the same working folder
    # fails at once instead of after this one has read every workbook.
    with build_lock(config.root / "build"):
        return _collect(config, folder, doc_id, doc, period, replace)


def _collect(config: Config, folder: Path, doc_id: str, doc, period: str, replace: bool) -> CollectResult:
    result = _destinations(config, doc_id, doc, period)
    work = load_assignments(config, doc_id, doc)
    paths = workbook_files(folder)
    result.forms = [Form(p) for p in paths]
    result.notes += [f"{display_path(p)} 是指向其他位置的链接，未处理（请把表格本身放入）" if p.is_symlink() else
                     f"{display_path(p)} 不是 .xlsx 填报表，未处理（{'文件夹' if p.is_dir() else '请另存为 .xlsx 后放入'}）"
                     for p in sorted(folder.iterdir()) if p not in paths and not p.name.startswith(("~$", "."))]
    keep_received(result)
    for form in result.forms:
        if form.path.suffix.lower() in OLD_EXCEL:
            form.errors.append(GongfuError("不是 .xlsx 格式", Place(form.label),
                                           hint="请用 Excel 或 WPS 另存为 .xlsx 后再收集"))
            continue
        try:
            read_form(form, period, config, doc_id, work)
        except GongfuErrors as exc:
            form.errors += exc.errors
        except GongfuError as exc:
            form.errors.append(exc)
        except MemoryError:
            form.errors.append(GongfuError("文件内容过多，无法读取（内存不足）", Place(form.label),
                                           hint="请该单位在下发的原表中重新填写后报送"))
        except Exception as exc:   # noqa: BLE001 - one odd workbook is returned, the others are merged
            form.errors.append(GongfuError(f"无法读取（{type(exc).__name__}：{str(exc)[:80]}）", Place(form.label),
                                           hint="请该单位在下发的原表中重新填写后报送"))
    one_version_per_unit(result)

    progress = load_progress(result.path, period)
    values = load_values(result.values_path, period) if result.values_path else None
    before = previous_reports(config, doc, period)
    contacts_before = dict(progress.top.get("填报信息") or {})
    for form in result.forms:
        if form.merged:
            merge_form(form, progress, values, replace, result, before)
    if contacts_before != dict(progress.top.get("填报信息") or {}):
        result.contacts_written = True
    if result.written:
        position = {task_id: i for i, task_id in enumerate(work.tasks)}
        progress.entries.sort(key=lambda e: (position.get(entry_key(e)[0], len(position)), entry_key(e)[1]))
        with writing(result.path, "进展文件没有改动"):
            result.version = save_progress(progress)
    if values is not None and result.values_written:
        values.entries.sort(key=lambda e: (int(value_key(e)[0]) if value_key(e)[0].isdigit() else 0, value_key(e)[1]))
        with writing(result.values_path, "指标数据文件没有改动"):
            result.values_version = save_progress(values)
    reported = {entry_key(e) for e in progress.entries}
    result.missing_units = [unit for unit, tasks in work.by_unit.items()
                            if any((t.id, unit if work.is_shared(t.id) else "") not in reported for t in tasks)]
    write_log(result, replace)
    return result


def _destinations(config: Config, doc_id: str, doc, period: str) -> CollectResult:
    """The result of a run with where it writes: the period's progress file, the received copies and
    the log, the indicator values of a monitoring bulletin. Each stays in the working folder's data/
    or build/ (links followed), and the log is never appended to through a link: refused before
    anything is written."""
    result = CollectResult(config.path(doc.progress) / f"{period}.yaml")
    result.received = received_folder(config, doc, period)
    place = config.place("documents", doc_id)
    check_writable(config.root, config.path(doc.progress), config.place("documents", doc_id, "progress"), doc.progress)
    check_writable(config.root, versions_folder(result.path), place)
    check_writable(config.root, result.received, place)
    monitored = indicator_document(config, doc)
    if monitored:
        result.values_path = config.path(monitored.indicator_values) / f"{period}.yaml"
        check_writable(config.root, result.values_path, place)
        check_writable(config.root, versions_folder(result.values_path), place)
    if (result.received / LOG).is_symlink():
        raise GongfuError("收集记录是指向其他位置的链接，未写入", Place(display_path(result.received / LOG)),
                          hint="请删除该链接后再收集")
    return result


def workbook_files(folder: Path) -> list[Path]:
    """Every .xlsx (and wrongly saved .xls / .et) in the folder, whatever its name: not Excel's "~$" lock
    files, macOS's "._" companions, nor links (a link would have a file from elsewhere read and kept)."""
    label = display_path(folder)
    if not folder.is_dir():
        raise GongfuError("目录不存在", Place(label))
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink()
                   and not p.name.startswith(("~$", "._")) and p.suffix.lower() in (".xlsx", *OLD_EXCEL))
    if not files:
        raise GongfuError("目录中没有 .xlsx 填报表", Place(label))
    return files


# ── Keeping what was received ───────────────────────────────────────────────────────────────

def keep_received(result: CollectResult) -> None:
    """Copy every workbook, unchanged, into received/<period>/ (once per content; a later different
    file of the same name is kept as 名称（2）.xlsx). A copy that cannot be written (a full disk) stops
    the run before anything is merged, and the folders made for it go again."""
    folder = result.received
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        with writing(folder, NOTHING_MERGED):
            folder.mkdir(parents=True, exist_ok=True)
        kept = {_digest(p): p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".xlsx", *OLD_EXCEL)}
        merged = _merged_copies(folder / LOG)
        for form in result.forms:
            if form.path.stat().st_size > MAX_FILE_BYTES:
                result.notes.append(f"{form.label} 过大，未保存副本")
                continue
            data = form.path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if digest in kept:
                form.kept_as, form.merged_before = kept[digest], kept[digest].name in merged
                continue
            stem = _fitting(form.path.stem)   # room for “（2）” and the temporary file's name
            target, n = folder / f"{stem}{form.path.suffix}", 1
            while target.exists():
                n += 1
                target = folder / f"{stem}（{n}）{form.path.suffix}"
            write_atomic(target, data, NOTHING_MERGED)
            kept[digest] = form.kept_as = target
    except GongfuError:
        for path in made:
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        raise


def _merged_copies(log: Path) -> set[str]:
    """The names in received/<period>/ of the workbooks an earlier run merged (from its log; a log
    that cannot be read names none)."""
    try:
        records = yaml.safe_load(log.read_text(encoding="utf-8")) if log.is_file() else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return set()
    return {item.get("保存为") for record in records or [] if isinstance(record, dict)
            for item in record.get("文件") or [] if isinstance(item, dict) and item.get("结果") == "已合并"}


def _fitting(stem: str, limit: int = 180) -> str:
    """A file name's stem cut to `limit` bytes (file names hold 255; a copy's name gets more)."""
    while len(stem.encode("utf-8")) > limit:
        stem = stem[:-1]
    return stem


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_log(result: CollectResult, replace: bool) -> None:
    """One more record in received/<period>/收集记录.yaml: when, which files, what became of each."""
    files = []
    for form in result.forms:
        item = {"收到": form.path.name, "保存为": form.kept_as.name if form.kept_as else "（未保存）",
                "单位": form.unit or "（未识别）"}
        if form.rejected:
            item["结果"] = "退回"
            item["原因"] = [str(e) for e in form.errors]
        elif form.duplicate_of is not None:
            item["结果"] = f"与 {form.duplicate_of.path.name} 相同，只合并一次"
        else:
            item["结果"] = "已合并"
        files.append(item)
    record = [{"时间": dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"), "覆盖": replace,
               "新增": len(result.added), "覆盖条目": result.changes, "文件": files}]
    text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False, width=1_000_000)
    path = result.received / LOG   # not a link: checked before the run (_collect)
    with writing(path, "收集记录未写入"), open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


# ── Reading a form ──────────────────────────────────────────────────────────────────────────

def read_meta(book, label: str, work: Assignments) -> dict[str, str]:
    """Period, unit and document as `gongfu forms` recorded them in the very hidden sheet; the unit
    resolved (what is checked against this run comes after, so a rejected form names its unit)."""
    if META_SHEET not in book.sheetnames:
        raise GongfuError("不是由 gongfu forms 生成的填报表（缺少隐藏的 _meta 工作表），无法确定期间和填报单位",
                          Place(label), hint="请填报单位在下发的原表中填写")
    meta = {excel_text(key): excel_text(value)
            for key, value, *_ in book[META_SHEET].iter_rows(min_col=1, max_col=2, values_only=True) if key}
    unit = work.registry.find(meta.get("填报单位", ""))
    if unit is None:
        raise GongfuError(f"填报单位“{meta.get('填报单位', '')}”不在单位名册中", Place(label))
    meta["填报单位"] = unit.name
    return meta


def check_meta(meta: dict[str, str], label: str, period: str, config: Config, doc_id: str, work: Assignments) -> None:
    """The form belongs to this progress loop and period, and its unit reports something."""
    if config.path(meta.get("进展目录", "")) != config.path(config.documents[doc_id].progress):
        raise GongfuError(f"这是文档“{meta.get('文档', '')}”的填报表，与本次收集的“{doc_id}”不是同一套进展数据",
                          Place(label))
    found = meta.get("期间", "")
    if found != period:
        shown = month_label(found) if PERIOD.fullmatch(found) else f"“{found}”"
        raise GongfuError(f"这是{shown}的填报表，本次收集的是{month_label(period)}", Place(label),
                          hint="请核对 --period，或请该单位用本期填报表重新填报")
    if meta["填报单位"] not in work.units():
        raise GongfuError(f"填报单位“{meta['填报单位']}”本期没有要报送的任务或指标", Place(label),
                          hint="任务清单或 config.yaml 中的 shared 在下发填报表后有调整？请重新生成并下发填报表")


def find_header(ws, label: str, columns: tuple[str, ...], first: str) -> tuple[int, dict[str, int]]:
    """The row that holds the first column's name, and each column's index by its header text."""
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 10)):
        names = {clean(c.value).replace("\n", "").replace(" ", ""): c.column for c in row if c.value is not None}
        if first in names:
            missing = [c for c in columns if c not in names]
            if missing:
                raise GongfuError(f"缺少列：{'、'.join(missing)}", Place(label, sheet=ws.title, row=row[0].row),
                                  hint=f"表头应为：{'、'.join(columns)}；请勿删除或改名列")
            return row[0].row, {c: names[c] for c in columns}
    raise GongfuError(f"找不到表头行（含“{first}”的行）", Place(label, sheet=ws.title),
                      hint=f"表头应为：{'、'.join(columns)}")


def formula_cells(ws, label: str, names: dict[int, str], errors: Collector) -> set[int]:
    """Rows holding a formula; each formula reported with its cell."""
    rows = set()
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                rows.add(cell.row)
                errors.errors.append(GongfuError(
                    "单元格含公式，填报内容只能是文字", Place(label, sheet=ws.title, row=cell.row,
                                                 column=names.get(cell.column, cell.column_letter)),
                    hint="请删除公式，直接填写文字（需要链接时写出网址）"))
    return rows


def read_form(form: Form, period: str, config: Config, doc_id: str, work: Assignments) -> None:
    """Fill `form` with its rows, or raise every problem found in it (GongfuErrors)."""
    label = form.label
    book = open_workbook(form.path, label)
    meta = read_meta(book, label, work)
    form.unit = unit = meta["填报单位"]
    check_meta(meta, label, period, config, doc_id, work)
    sent = {k.removeprefix(LOCKED_TEXT): v for k, v in meta.items() if k.startswith(LOCKED_TEXT)}
    errors = Collector()
    tasks = work.by_unit.get(unit, [])
    if tasks:
        if SHEET not in book.sheetnames:
            raise GongfuError(f"找不到工作表“{SHEET}”", Place(label), hint=f"现有工作表：{'、'.join(book.sheetnames)}")
        errors.run(_read_tasks, form, _worksheet(book, SHEET, label), work, sent, errors)
    if work.indicators_by_unit.get(unit):
        if INDICATOR_SHEET not in book.sheetnames:
            errors.errors.append(GongfuError(f"找不到工作表“{INDICATOR_SHEET}”", Place(label),
                                             hint=f"现有工作表：{'、'.join(book.sheetnames)}"))
        else:
            errors.run(_read_values, form, _worksheet(book, INDICATOR_SHEET, label), work, errors)
    errors.raise_if_any()


def _worksheet(book, name: str, label: str):
    ws = book[name]
    if not hasattr(ws, "iter_rows"):   # a chart sheet of that name
        raise GongfuError(f"“{name}”不是普通工作表（是图表工作表）", Place(label),
                          hint="请该单位在下发的原表中填写，不要替换工作表")
    return ws


def _read_tasks(form: Form, ws, work: Assignments, sent: dict[str, str], errors: Collector) -> None:
    label, unit = form.label, form.unit
    header_row, columns = find_header(ws, label, COLUMNS, "编号")
    names = {index: name for name, index in columns.items()}
    formula_rows = formula_cells(ws, label, names, errors)
    ids: dict[str, Place] = {}
    for r in range(header_row + 1, ws.max_row + 1):
        first = clean(displayed(ws.cell(r, 1)))
        if first.startswith(CONTACT_FIELDS[0]):
            form.contact = errors.run(read_contact, ws, r, label) or {}
            continue
        values = {name: clean(displayed(ws.cell(r, index))) for name, index in columns.items()}
        if not any(values.values()):
            continue
        place = Place(label, sheet=ws.title, row=r)
        # Control characters and runaway text in what the unit typed (reported with the cell).
        bad_text = [errors.run(check_text, values[name], place.at(column=name)) is None for name in FILL_COLUMNS]
        if any(bad_text) or r in formula_rows:   # already reported; the row's other checks would repeat it
            ids.setdefault(values["编号"], place)
            continue
        report = errors.run(check_row, values, place, unit, work, ids, sent)
        if report:
            form.reports.append(report)
            if ws.row_dimensions[r].hidden:
                form.hidden.append(f"{ws.title}第{r}行（任务 {report.task_id}）")
    form.hidden += hidden_columns(ws, columns, FILL_COLUMNS, header_row)
    missing = [t.id for t in work.by_unit.get(unit, []) if t.id not in ids]
    if missing:
        errors.errors.append(GongfuError(f"缺少任务 {'、'.join(missing)} 的填报行", Place(label, sheet=ws.title),
                                         hint="请勿删除行；" + LOCK_HINT))


def hidden_columns(ws, columns: dict[str, int], filled: tuple[str, ...], header_row: int) -> list[str]:
    """The columns the unit fills in that it hid in Excel while something is written in them (the forms let
    units format columns, to widen them). openpyxl keeps a run of hidden columns as one entry (min-max)."""
    runs = [(d.min, d.max) for d in ws.column_dimensions.values() if d.hidden and d.min and d.max]
    return [f"{ws.title}“{name}”列" for name in filled
            if any(lo <= columns[name] <= hi for lo, hi in runs)
            and any(clean(excel_text(ws.cell(r, columns[name]).value)) for r in range(header_row + 1, ws.max_row + 1))]


def read_contact(ws, row: int, label: str) -> dict[str, str]:
    """填报人 / 联系电话 / 审核人: each label followed by its value on the contact row."""
    found = {}
    for column in range(1, ws.max_column + 1):
        text = clean(excel_text(ws.cell(row, column).value)).rstrip("：:")
        if text in CONTACT_FIELDS:
            value = clean(excel_text(ws.cell(row, column + 1).value))
            check_text(value, Place(label, sheet=ws.title, row=row, column=text))
            if value:
                found[text] = value
    return found


def check_row(values: dict[str, str], place: Place, unit: str, work: Assignments, ids: dict[str, Place],
              sent: dict[str, str] | None = None) -> Report:
    task_id = values["编号"]
    if not task_id:
        raise GongfuError("编号为空", place.at(column="编号"), hint=LOCK_HINT)
    task = work.tasks.get(task_id)
    issued = sent is not None and task_id in sent   # the form went out with this task for this unit
    if task is None:
        if issued:
            raise GongfuError(f"任务 {task_id} 在下发填报表之后已从任务清单中删除", place.at(column="编号"), hint=CHANGED_HINT)
        raise GongfuError(f"编号“{task_id}”不在任务清单中", place.at(column="编号"), hint=LOCK_HINT)
    reporters = work.reporters.get(task_id)
    if reporters is None or unit not in reporters:
        lead = work.lead[task_id].name
        shared = f"由{'、'.join(reporters)}分别报送" if reporters and reporters != [lead] else ""
        if issued:
            raise GongfuError(f"任务 {task_id} 在下发填报表之后改{shared or f'由{lead}牵头'}，不再由{unit}报送",
                              place.at(column="编号"), hint=CHANGED_HINT)
        raise GongfuError(f"任务 {task_id} {shared or f'的牵头单位是{lead}'}，不是本表的填报单位{unit}",
                          place.at(column="编号"), hint=LOCK_HINT)
    if task_id in ids:
        raise GongfuError(f"任务 {task_id} 重复填报（另见{ids[task_id]}）", place.at(column="编号"))
    ids[task_id] = place
    errors = []
    original = (sent or {}).get(task_id, task.text)
    if values["任务内容"] != clean(original):
        errors.append(GongfuError(f"锁定的“任务内容”被改动：{changed_text(values['任务内容'], clean(original))}",
                                  place.at(column="任务内容"), hint=LOCK_HINT))
    if values["牵头领导"] != clean(task.leader):
        errors.append(GongfuError(f"锁定的“牵头领导”被改动：表中为“{values['牵头领导']}”，应为“{task.leader}”",
                                  place.at(column="牵头领导"), hint=LOCK_HINT))
    status = values["状态"]
    if not status:
        errors.append(GongfuError("状态未填写", place.at(column="状态"), hint=f"请从下拉列表中选择：{'、'.join(STATUSES)}"))
    elif status not in STATUSES:
        hidden = invisible_error(status)   # “已完成” and a zero-width space: printed, it looks valid
        errors.append(GongfuError(f"状态{hidden}" if hidden else f"状态“{status}”无效", place.at(column="状态"),
                                  hint=f"请从下拉列表中选择：{'、'.join(STATUSES)}"))
    if not values["进展情况"]:
        errors.append(GongfuError("进展情况未填写", place.at(column="进展情况")))
    if status in NEEDS_REASON:
        if not values["存在问题"]:
            errors.append(GongfuError(f"状态为“{status}”，未写明原因", place.at(column="存在问题"),
                                      hint=f"状态为{'、'.join(NEEDS_REASON)}的任务，须在“存在问题”中写明原因"))
        if not values["下步计划"]:
            errors.append(GongfuError(f"状态为“{status}”，未填写下步计划", place.at(column="下步计划"),
                                      hint="请写明下步措施和预计完成时间"))
    if errors:
        raise GongfuErrors(errors)
    reported = {"状态": status, "完成情况": values["进展情况"], "存在问题": values["存在问题"],
                "下步计划": values["下步计划"]}
    return Report(task_id, unit, {k: v for k, v in reported.items() if v}, place, work.is_shared(task_id))


def changed_text(found: str, original: str, context: int = 8) -> str:
    """The locked text as found beside the original; long texts shortened to where they differ."""
    if len(found) + len(original) <= 80:
        return f"表中为“{found}”，下发时为“{original}”"
    ops = [op for op in difflib.SequenceMatcher(None, found, original, autojunk=False).get_opcodes()
           if op[0] != "equal"]
    if not ops:
        return f"表中为“{found}”，下发时为“{original}”"

    def part(text: str, start: int, end: int) -> str:
        lo, hi = max(0, start - context), min(len(text), end + context)
        return ("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else "")
    return (f"表中为“{part(found, ops[0][1], ops[-1][2])}”，"
            f"下发时为“{part(original, ops[0][3], ops[-1][4])}”")


def _read_values(form: Form, ws, work: Assignments, errors: Collector) -> None:
    label, unit = form.label, form.unit
    header_row, columns = find_header(ws, label, INDICATOR_COLUMNS, "序号")
    names = {index: name for name, index in columns.items()}
    formula_rows = formula_cells(ws, label, names, errors)
    mine = {(i.number, i.sub_name): i for i in work.indicators_by_unit.get(unit, [])}
    seen: dict[tuple, Place] = {}
    for r in range(header_row + 1, ws.max_row + 1):
        values = {name: clean(excel_text(ws.cell(r, index).value)) for name, index in columns.items()}
        if not any(values.values()):
            continue
        place = Place(label, sheet=ws.title, row=r)
        bad = [errors.run(check_text, values[name], place.at(column=name)) is None for name in INDICATOR_FILL]
        number = values["序号"]
        if not number.isdigit():
            errors.errors.append(GongfuError(f"序号应为数字，实际为“{number}”", place.at(column="序号"),
                                             hint="序号至上期实际值不可修改"))
            continue
        key = (int(number), values["分项"])
        seen_before = seen.get(key)
        seen[key] = place
        if any(bad) or r in formula_rows:
            continue
        problem = indicator_key_error(key[0], key[1], work.indicators, place.at(column="分项"))
        if problem:
            errors.errors.append(problem)
            continue
        if key not in mine:
            errors.errors.append(GongfuError(f"指标 {number} 不是本表填报单位{unit}牵头的指标", place.at(column="序号")))
            continue
        if seen_before:
            errors.errors.append(GongfuError(f"指标 {number} 重复填报（另见{seen_before}）", place.at(column="序号")))
            continue
        ind = mine[key]
        for column, expected in (("指标", ind.name), ("目标值", ind.target)):
            if values[column] != clean(expected):
                errors.errors.append(GongfuError(f"锁定的“{column}”被改动：{changed_text(values[column], clean(expected))}",
                                                 place.at(column=column), hint="序号至上期实际值不可修改"))
        reported = {"实际值": values["本期实际值"], "说明": values["说明"]}
        if reported["实际值"] or reported["说明"]:
            form.values.append(ValueReport(key[0], key[1], unit, {k: v for k, v in reported.items() if v}, place))
            if ws.row_dimensions[r].hidden:
                form.hidden.append(f"{ws.title}第{r}行（{form.values[-1].label}）")
    form.hidden += hidden_columns(ws, columns, INDICATOR_FILL, header_row)
    missing = [f"{n}" + (f"（{s}）" if s else "") for (n, s) in mine if (n, s) not in seen]
    if missing:
        errors.errors.append(GongfuError(f"缺少指标 {'、'.join(missing)} 的填报行", Place(label, sheet=ws.title),
                                         hint="请勿删除行"))


# ── Several workbooks from one unit ─────────────────────────────────────────────────────────

def one_version_per_unit(result: CollectResult) -> None:
    """Identical copies: merged once. Different versions: none merged, the clerk chooses."""
    by_unit: dict[str, list[Form]] = {}
    for form in result.forms:
        if form.unit and not form.rejected:
            by_unit.setdefault(form.unit, []).append(form)
    for unit, forms in by_unit.items():
        if len(forms) < 2:
            continue
        first = forms[0]
        if all(f.content() == first.content() for f in forms[1:]):
            for f in forms[1:]:
                f.duplicate_of = first
            result.notes.append(f"{unit} 的 {len(forms)} 个填报表内容相同（{'、'.join(f.path.name for f in forms)}），只合并一次")
            continue
        differ = _differences(forms)
        names = "、".join(f.path.name for f in forms)
        for f in forms:
            f.errors.append(GongfuError(
                f"{unit} 报来 {len(forms)} 个内容不同的填报表（{names}），都未合并：{differ}", Place(f.label),
                hint="请确认以哪一份为准，把其余的移出该目录后重新运行 gongfu collect"))


def _differences(forms: list[Form]) -> str:
    shown = []
    keys = list(dict.fromkeys(k for f in forms for k in f.content()[0]))
    for key in keys:
        versions = [f.content()[0].get(key, {}) for f in forms]
        if any(v != versions[0] for v in versions[1:]):
            fields = [c for c in CONTENT if len({v.get(c, "") for v in versions}) > 1]
            shown.append(f"{key[0]}（{'、'.join(fields)}不同）")
    if any(f.content()[1] != forms[0].content()[1] for f in forms[1:]):
        shown.append("指标实际值不同")
    if any(f.content()[2] != forms[0].content()[2] for f in forms[1:]):
        shown.append("填报人信息不同")
    return "；".join(shown[:10]) + ("等" if len(shown) > 10 else "")


# ── Merging ─────────────────────────────────────────────────────────────────────────────────

def previous_reports(config: Config, doc, period: str) -> dict[tuple, tuple[str, str, str]]:
    """(状态, 完成情况, period) of the last real (not 示例) period before this one, by entry key."""
    files = period_files(config.path(doc.progress))
    earlier = [p for p in files if p < period and not is_sample(files[p])]
    if not earlier:
        return {}
    before = load_progress(files[earlier[-1]], earlier[-1])
    return {entry_key(e): (str(e.get("状态") or ""), str(e.get("完成情况") or ""), earlier[-1]) for e in before.entries}


def merge_form(form: Form, progress: ProgressFile, values: ProgressFile | None, replace: bool,
               result: CollectResult, before: dict) -> None:
    """Merge one valid form, or none of it: a report differing from what the period holds is a
    conflict that rejects the form (without --replace)."""
    existing = {entry_key(e): e for e in progress.entries}
    existing_values = {value_key(e): e for e in values.entries} if values is not None else {}
    # What this form would change: an entry the period already holds with other content.
    changed = [(item, old, content) for item, store, content in [(r, existing, CONTENT) for r in form.reports]
               + [(v, existing_values, VALUE_CONTENT) for v in form.values]
               if (old := store.get(item.key)) is not None and _differ(old, item.entry(), content)]
    if changed and not replace:
        for item, old, content in changed:
            where = progress if content is CONTENT else values
            form.errors.append(GongfuError(
                f"{item.label} 在 {display_path(where.path)} 中已有不同内容（{_change(old, item.entry(), content)}），未覆盖",
                item.place, hint=f"已有内容见{where.places[item.key]}；确认以本次填报为准时，加 --replace 覆盖"
                                 f"（原文件保存在 versions/ 中，可随时找回）"))
        return
    if changed and form.merged_before:
        # A unit sent an old workbook again: merged once already, and corrected since (--replace).
        form.errors.append(GongfuError(
            f"与此前收到的 {display_path(form.kept_as)} 完全相同：这份表格已经合并过，之后的内容已更新，未再合并",
            Place(form.label), hint="多为单位误发了旧表；确需恢复为这份表格的内容时，从 versions/ 中找回当时的进展文件"))
        return
    for report in form.reports:
        old = existing.get(report.key)
        was, text_before, when = before.get(report.key, ("", "", ""))
        now = report.values.get("状态", "")
        if was == "已完成" and now != "已完成":
            result.notes.append(f"任务 {report.label}{month_label(when)}为“已完成”，本期为“{now}”，请核实")
        elif old is not None and old.get("状态") == "已完成" and now != "已完成":
            result.notes.append(f"任务 {report.label}本期原报“已完成”，新报为“{now}”，请核实")
        if text_before and report.values.get("完成情况") == text_before:
            result.notes.append(f"任务 {report.label}的进展情况与{month_label(when)}相同，可能未更新")
        _apply(old, report, progress, CONTENT, result)
    for value in form.values:
        if _apply(existing_values.get(value.key), value, values, VALUE_CONTENT, result):
            result.values_written = True
    if form.hidden:   # hidden in Excel, what they hold is easily taken for left out
        result.notes.append(f"{form.label} 中有被隐藏的行或列，内容照常合并，请向该单位核实：{'、'.join(form.hidden)}")
    if form.contact:
        info = dict(progress.top.get("填报信息") or {})
        if info.get(form.unit) != form.contact:
            if info.get(form.unit):   # the unit's earlier contact details: the change is listed, not silent
                was = info[form.unit]
                changed = "；".join(f"{k} {was.get(k) or '（空）'} → {form.contact.get(k) or '（空）'}"
                                   for k in dict.fromkeys([*was, *form.contact]) if was.get(k) != form.contact.get(k))
                result.notes.append(f"{form.unit} 的填报人信息已更新：{changed}")
            info[form.unit] = form.contact
            progress.top["填报信息"] = dict(sorted(info.items()))


def _apply(old: dict | None, item, store: ProgressFile, content: tuple[str, ...], result: CollectResult) -> bool:
    """Add, keep or (checked before) replace one entry; an overwritten entry keeps its 序号, 任务内容
    and any other keys. Returns whether the file changes."""
    new = item.entry()
    is_task = content is CONTENT
    if old is None:
        store.entries.append(new)
        if is_task:
            result.added.append(item.label)
        return True
    if not _differ(old, new, content):
        if is_task:
            result.unchanged.append(item.label)
        return False
    result.changes.append(f"{item.label}：{_change(old, new, content)}")
    for key in content:
        old.pop(key, None)
    old.update(new)
    if is_task:
        result.replaced.append(item.label)
    return True


def _differ(old: dict, new: dict, content: tuple[str, ...]) -> bool:
    return any(clean(old.get(k)) != clean(new.get(k)) for k in content)


def _change(old: dict, new: dict, content: tuple[str, ...]) -> str:
    """"状态 序时推进 → 已完成；完成情况 “…” → “…”" for the fields that differ."""
    parts = []
    for key in content:
        a, b = clean(old.get(key)), clean(new.get(key))
        if a != b:
            parts.append(f"{key} {_short(a)} → {_short(b)}" if key in ("状态", "实际值") else
                         f"{key} “{_short(a, 24)}” → “{_short(b, 24)}”")
    return "；".join(parts)


def _short(text: str, limit: int = 12) -> str:
    text = text.replace("\n", " ") or "（空）"
    return text if len(text) <= limit else text[:limit] + "…"


def clean(value) -> str:
    """Cell or YAML text as compared and stored: Windows line ends and trailing spaces dropped."""
    text = excel_text(value)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


# ── What the clerk reads ────────────────────────────────────────────────────────────────────

def report_lines(result: CollectResult) -> tuple[list[str], list[str]]:
    """(stdout lines, stderr lines) of a collect run: the rejected workbooks first, each problem as an error."""
    err = [f"错误：{e}" for form in result.rejected for e in capped(form.errors)]
    merged = [f for f in result.forms if f.merged]
    if result.rejected:
        names = "、".join(f"{f.path.name}（{f.unit}）" if f.unit else f.path.name for f in result.rejected)
        what = "本次未合并任何数据：" if not merged else ""
        err.append(f"{what}退回 {len(result.rejected)} 个填报表，其中的内容均未合并：{names}。"
                   "请改正（或请单位重新报送）后再运行 gongfu collect；已合并的表格再次收集时不会重复写入。")
    out = [f"已检查填报表 {result.files} 个：合并 {len(merged)} 个，退回 {len(result.rejected)} 个；"
           f"任务进展新增 {len(result.added)} 条，覆盖 {len(result.replaced)} 条，未变化 {len(result.unchanged)} 条"]
    if result.written:
        kept = f"（原文件已保存为 {display_path(result.version)}）" if result.version else ""
        out.append(f"已写入 {display_path(result.path)}{kept}")
    else:
        out.append(f"进展数据无变化，未改写 {display_path(result.path)}")
    if result.values_written:
        kept = f"（原文件已保存为 {display_path(result.values_version)}）" if result.values_version else ""
        out.append(f"已写入指标实际值 {display_path(result.values_path)}{kept}")
    if result.changes:
        out.append(f"覆盖的内容（{len(result.changes)} 条）：")
        out += [f"  {line}" for line in result.changes]
    if result.notes:
        out.append("请注意：")
        out += [f"  {line}" for line in result.notes]
    if result.missing_units:
        out.append(f"尚未报送的单位（{len(result.missing_units)} 个）：{'、'.join(result.missing_units)}")
    else:
        out.append("全部单位均已报送")
    if result.received:
        out.append(f"收到的填报表原件保存在 {display_path(result.received)}（收集记录：{LOG}）")
    return out, err
