"""`gongfu forms`: one progress workbook per reporting unit, ready to send out.

The workbook is built so that what comes back can be checked: task cells are locked, the status
is a dropdown that Excel and WPS enforce, and a very hidden sheet records period, unit, document
and the locked texts as sent, so `gongfu collect` depends neither on file names nor on the task
list staying unchanged. The unit's previous report is filled in to be updated (this period's when a
unit corrects, else the last real period's), with 填报人 / 联系电话 / 审核人 under the table. A unit
that leads indicators gets a second sheet for their values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .. import __version__
from ..config import Config
from ..kinds import load_config
from ..kinds.bulletin import BulletinSettings
from ..model import Indicator, KeyTask
from ..model.progress import NEEDS_REASON, STATUSES
from ..files.names import distinct_files, file_name
from ..publish import build_lock, normalise_zip, write_atomic
from ..sources.progress import is_sample, period_files
from .common import (COLUMNS, CONTACT_FIELDS, FILL_COLUMNS, FORMS_FOLDER, HEADER_ROW, INDICATOR_COLUMNS,
                     INDICATOR_FILL, INDICATOR_SHEET, META_SHEET, SHEET, Assignments, bulletin_document,
                     indicator_document, load_assignments)
from .period import month_label
from .store import ProgressFile, load_progress, load_values

WIDTHS = {"编号": 11, "任务内容": 42, "牵头领导": 9, "进展情况": 60, "状态": 11, "存在问题": 30, "下步计划": 30}
INDICATOR_WIDTHS = {"序号": 6, "指标": 36, "分项": 24, "目标值": 12, "时间口径": 9, "上期实际值": 12,
                    "本期实际值": 14, "说明": 40}
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
FORMULA_STARTS = ("=", "+", "-", "@")
LOCKED_TEXT = "锁定:"          # meta keys "锁定:<编号>": the task text as sent


# What `gongfu forms` wrote last (file name → SHA-256), beside the forms: a form changed since (filled
# in where it lies) is kept before a new one replaces it.
WRITTEN = ".已生成.json"
CHANGED_FOLDER = "改动过的表"


def write_forms(root: Path, doc_id: str | None, period: str) -> tuple[list[Path], list[Path]]:
    """Write build/forms/<period>/<unit>.xlsx for every reporting unit; returns the files written and
    the copies kept of forms changed since they were written (into <period>/改动过的表/)."""
    config = load_config(root)
    doc_id, doc = bulletin_document(config, doc_id)
    work = load_assignments(config, doc_id, doc)
    title = form_title(config, doc_id, period)
    folder = config.root / FORMS_FOLDER / period
    earlier = Prefill.load(config, doc, period)
    written, kept = [], []
    with build_lock(config.root / "build"):
        folder.mkdir(parents=True, exist_ok=True)
        distinct_files(dict.fromkeys(work.units()), "单位名称")   # one form per unit, never one for two
        record = _written(folder)
        for unit_name in work.units():
            book = form_workbook(title, doc_id, doc.progress, period, unit_name, work.by_unit.get(unit_name, []),
                                 work.indicators_by_unit.get(unit_name, []), work, earlier)
            target = folder / f"{file_name(unit_name, '单位名称')}.xlsx"
            data = workbook_bytes(book, period)
            if target.is_file() and not target.is_symlink():
                old = target.read_bytes()
                if old != data and _digest(old) != record.get(target.name):
                    kept.append(_keep_changed(folder, target, old))
            write_atomic(target, data)
            record[target.name] = _digest(data)
            written.append(target)
        write_atomic(folder / WRITTEN, json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True).encode())
    return written, kept


def _written(folder: Path) -> dict[str, str]:
    try:
        record = json.loads((folder / WRITTEN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _keep_changed(folder: Path, target: Path, data: bytes) -> Path:
    """A copy of a form changed since it was written, named with the time it was kept."""
    (folder / CHANGED_FOLDER).mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    copy, n = folder / CHANGED_FOLDER / f"{target.stem}（{stamp}）.xlsx", 1
    while copy.exists():
        n += 1
        copy = folder / CHANGED_FOLDER / f"{target.stem}（{stamp}-{n}）.xlsx"
    write_atomic(copy, data)
    return copy


@dataclass
class Prefill:
    """What a unit reported before: this period's entries when it is correcting them, else those of
    the last real (not 示例) period; indicator values of this period, and the last period's for
    reference."""

    period: str = ""                          # the period the entries come from ("" = nothing to fill in)
    progress: ProgressFile | None = None
    values: ProgressFile | None = None        # this period's indicator values
    previous_values: ProgressFile | None = None

    @classmethod
    def load(cls, config: Config, doc: BulletinSettings, period: str) -> "Prefill":
        out = cls()
        files = period_files(config.path(doc.progress))
        earlier = [p for p in files if p < period and not is_sample(files[p])]
        source = period if period in files else (earlier[-1] if earlier else "")
        if source:
            out.period, out.progress = source, load_progress(files[source], source)
        monitored = indicator_document(config, doc)
        if monitored:
            folder = config.path(monitored.indicator_values)
            value_files = period_files(folder)
            if period in value_files:
                out.values = load_values(value_files[period], period)
            before = [p for p in value_files if p < period and not is_sample(value_files[p])]
            if before:
                out.previous_values = load_values(value_files[before[-1]], before[-1])
        return out

    def entry(self, task_id: str, unit: str, shared: bool) -> dict:
        if not self.progress:
            return {}
        for e in self.progress.entries:
            if str(e.get("编号", "")).strip() == task_id and \
                    (not shared or str(e.get("填报单位") or "").strip() == unit):
                return e
        return {}

    def contact(self, unit: str) -> dict:
        info = (self.progress.top.get("填报信息") or {}) if self.progress else {}
        found = info.get(unit) if isinstance(info, dict) else None
        return found if isinstance(found, dict) else {}

    @staticmethod
    def value(values: ProgressFile | None, ind: Indicator) -> dict:
        for e in values.entries if values else []:
            if str(e.get("序号", "")).strip() == str(ind.number) and str(e.get("分项") or "").strip() == ind.sub_name:
                return e
        return {}


def workbook_bytes(book, period: str) -> bytes:
    """The workbook with fixed dates (the period's first day), so the same inputs give the same bytes."""
    day = dt.datetime(int(period[:4]), int(period[5:7]), 1)
    book.properties.created = book.properties.modified = day
    buffer = io.BytesIO()
    book.save(buffer)
    return normalise_zip(buffer.getvalue(), day)


def form_title(config: Config, doc_id: str, period: str) -> str:
    """The bulletin's own title with "进展填报表" for "完成情况", so units see which report it feeds."""
    from ..errors import GongfuError

    try:
        title = config.documents[doc_id].title.format(year=period[:4], month=int(period[5:7]), label="",
                                                      months="", end="")
    except (KeyError, IndexError, ValueError):
        raise GongfuError("标题模板只能使用 {year}、{month}、{label}、{months}、{end}",
                          config.place("documents", doc_id, "title")) from None
    base = title.removesuffix("完成情况")
    return f"{base}进展填报表（{month_label(period)}）"


def _title_rows(ws, title: str, note: str, width: int) -> None:
    last_column = get_column_letter(width)
    ws.append([title])
    ws.merge_cells(f"A1:{last_column}1")
    ws["A1"].font = Font(name="黑体", size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 30
    ws.append([note])
    ws.merge_cells(f"A2:{last_column}2")
    ws["A2"].alignment = Alignment(vertical="center", wrap_text=True)
    ws.row_dimensions[2].height = 45


def _header(ws, row: int, names, widths: dict[str, int]) -> None:
    for index, name in enumerate(names, 1):
        cell = ws.cell(row, index, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
        ws.column_dimensions[get_column_letter(index)].width = widths[name]


def _page_setup(ws, header_row: int) -> None:
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.print_title_rows = f"1:{header_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    # Protected without a password: it stops accidents, not people. Rows and columns may be resized.
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False


def form_workbook(title: str, doc_id: str, progress: str, period: str, unit: str, tasks: list[KeyTask],
                  indicators: list[Indicator], work: Assignments, earlier: Prefill | None = None) -> Workbook:
    book = Workbook()
    ws = book.active
    ws.title = SHEET
    earlier = earlier or Prefill()
    prefilled = f"已预填{month_label(earlier.period)}报送的内容，请逐项更新。" if earlier.period and tasks else ""
    _title_rows(ws, title, f"填报单位：{unit}　　{prefilled}“状态”请从下拉列表中选择：{'、'.join(STATUSES)}；"
                           f"状态为{'、'.join(NEEDS_REASON)}的，须在“存在问题”中写明原因并填写下步计划。"
                           f"编号、任务内容、牵头领导不可修改", len(COLUMNS))
    _header(ws, HEADER_ROW, COLUMNS, WIDTHS)
    for row, task in enumerate(tasks, HEADER_ROW + 1):
        before = earlier.entry(task.id, unit, work.is_shared(task.id))
        values = {"编号": task.id, "任务内容": task.text, "牵头领导": task.leader,
                  "进展情况": str(before.get("完成情况") or ""), "状态": str(before.get("状态") or ""),
                  "存在问题": str(before.get("存在问题") or ""), "下步计划": str(before.get("下步计划") or "")}
        if values["状态"] not in STATUSES:
            values["状态"] = ""
        for index, name in enumerate(COLUMNS, 1):
            cell = ws.cell(row, index)
            set_text(cell, values.get(name, ""))
            cell.alignment = WRAP
            cell.border = BORDER
            if name in FILL_COLUMNS:
                cell.protection = Protection(locked=False)
                cell.number_format = "@"   # typed text stays text: "=…" is not turned into a formula
    if tasks:
        first, last = HEADER_ROW + 1, HEADER_ROW + len(tasks)
        status = get_column_letter(COLUMNS.index("状态") + 1)
        choice = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True,
                                showErrorMessage=True, errorStyle="stop", errorTitle="状态填写有误",
                                error=f"请从下拉列表中选择：{'、'.join(STATUSES)}",
                                showInputMessage=True, promptTitle="状态", prompt="请从下拉列表中选择")
        choice.add(f"{status}{first}:{status}{last}")
        ws.add_data_validation(choice)
    contact_row(ws, HEADER_ROW + len(tasks) + 2, earlier.contact(unit))
    _page_setup(ws, HEADER_ROW)

    if indicators:
        indicator_sheet(book.create_sheet(INDICATOR_SHEET), title, unit, indicators, earlier)

    meta = book.create_sheet(META_SHEET)
    rows = [("期间", period), ("填报单位", unit), ("文档", doc_id), ("进展目录", progress), ("工具版本", __version__),
            ("预填", earlier.period), *[(f"{LOCKED_TEXT}{t.id}", t.text) for t in tasks]]
    for key, value in rows:
        meta.append([key, None])
        set_text(meta.cell(meta.max_row, 2), value)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    return book


def contact_row(ws, row: int, before: dict) -> None:
    """填报人：[ ]  联系电话：[ ]  审核人：[ ], two rows under the table."""
    for k, name in enumerate(CONTACT_FIELDS):
        label = ws.cell(row, 1 + 2 * k, f"{name}：")
        label.font = Font(bold=True)
        label.alignment = Alignment(horizontal="right", vertical="center")
        value = ws.cell(row, 2 + 2 * k)
        set_text(value, str(before.get(name) or ""))
        value.protection = Protection(locked=False)
        value.number_format = "@"
        value.border = Border(bottom=THIN)
        value.alignment = Alignment(vertical="center")
    ws.row_dimensions[row].height = 24


def indicator_sheet(ws, title: str, unit: str, indicators: list[Indicator], earlier: Prefill) -> None:
    _title_rows(ws, title.replace("进展填报表", "主要指标填报表"),
                f"填报单位：{unit}　　请填写“本期实际值”（截至本月底；“累计”指标填年内累计数，“时点”指标填当期数值），"
                f"数字后可带单位（如 96.5%）；尚无数据的留空，并在“说明”中写明原因。序号至上期实际值不可修改",
                len(INDICATOR_COLUMNS))
    _header(ws, HEADER_ROW, INDICATOR_COLUMNS, INDICATOR_WIDTHS)
    for row, ind in enumerate(indicators, HEADER_ROW + 1):
        now = Prefill.value(earlier.values, ind)
        before = Prefill.value(earlier.previous_values, ind)
        values = {"序号": str(ind.number), "指标": ind.name, "分项": ind.sub_name, "目标值": ind.target,
                  "时间口径": ind.timing, "上期实际值": str(before.get("实际值") or ""),
                  "本期实际值": str(now.get("实际值") or ""), "说明": str(now.get("说明") or "")}
        for index, name in enumerate(INDICATOR_COLUMNS, 1):
            cell = ws.cell(row, index)
            set_text(cell, values[name])
            cell.alignment = WRAP
            cell.border = BORDER
            if name in INDICATOR_FILL:
                cell.protection = Protection(locked=False)
                cell.number_format = "@"
    _page_setup(ws, HEADER_ROW)


def set_text(cell, text: str) -> None:
    """Data is written as text, never as a formula, even when it starts with "="."""
    cell.value = text or None
    if text:
        cell.data_type = "s"
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
