"""`gongfu forms`: one progress workbook per lead unit, ready to send out.

The workbook is built so that what comes back can be checked: task cells are locked, the status
is a dropdown that Excel and WPS enforce, and a very hidden sheet records period, unit and
document, so `gongfu collect` does not depend on file names.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .. import __version__
from ..config import Config
from ..kinds import load_config
from ..errors import GongfuError
from ..model import KeyTask, Unit
from ..model.progress import STATUSES
from ..files.names import distinct_files, file_name
from ..publish import build_lock, normalise_zip, write_atomic
from .common import (COLUMNS, FILL_COLUMNS, FORMS_FOLDER, HEADER_ROW, META_SHEET, SHEET,
                     bulletin_document, load_assignments)
from .period import month_label

WIDTHS = {"编号": 11, "任务内容": 42, "牵头领导": 9, "进展情况": 60, "状态": 11, "存在问题": 30, "下步计划": 30}
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
FORMULA_STARTS = ("=", "+", "-", "@")


def write_forms(root: Path, doc_id: str | None, period: str) -> list[Path]:
    """Write build/forms/<period>/<unit>.xlsx for every lead unit; returns the files written."""
    config = load_config(root)
    doc_id, doc = bulletin_document(config, doc_id)
    work = load_assignments(config, doc)
    title = form_title(config, doc_id, period)
    folder = config.root / FORMS_FOLDER / period
    written = []
    with build_lock(config.root / "build"):
        folder.mkdir(parents=True, exist_ok=True)
        distinct_files(dict.fromkeys(work.by_unit), "单位名称")   # one form per unit, never one for two
        for unit_name, tasks in work.by_unit.items():
            book = form_workbook(title, doc_id, doc.progress, period, work.lead[tasks[0].id], tasks)
            target = folder / f"{file_name(unit_name, '单位名称')}.xlsx"
            write_atomic(target, workbook_bytes(book, period))
            written.append(target)
    return written


def workbook_bytes(book, period: str) -> bytes:
    """The workbook with fixed dates (the period's first day), so the same inputs give the same bytes."""
    day = dt.datetime(int(period[:4]), int(period[5:7]), 1)
    book.properties.created = book.properties.modified = day
    buffer = io.BytesIO()
    book.save(buffer)
    return normalise_zip(buffer.getvalue(), day)


def form_title(config: Config, doc_id: str, period: str) -> str:
    """The bulletin's own title with "进展填报表" for "完成情况", so units see which report it feeds."""
    try:
        title = config.documents[doc_id].title.format(year=period[:4], month=int(period[5:7]), label="")
    except (KeyError, IndexError, ValueError):
        raise GongfuError("标题模板只能使用 {year}、{month}、{label}", config.place("documents", doc_id, "title")) from None
    base = title.removesuffix("完成情况")
    return f"{base}进展填报表（{month_label(period)}）"


def form_workbook(title: str, doc_id: str, progress: str, period: str, unit: Unit,
                  tasks: list[KeyTask]) -> Workbook:
    book = Workbook()
    ws = book.active
    ws.title = SHEET
    last_column = get_column_letter(len(COLUMNS))

    ws.append([title])
    ws.merge_cells(f"A1:{last_column}1")
    ws["A1"].font = Font(name="黑体", size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 30
    ws.append([f"填报单位：{unit.name}　　　“状态”请从下拉列表中选择：{'、'.join(STATUSES)}；"
               f"编号、任务内容、牵头领导不可修改"])
    ws.merge_cells(f"A2:{last_column}2")
    ws["A2"].alignment = Alignment(vertical="center", wrap_text=True)

    for index, name in enumerate(COLUMNS, 1):
        cell = ws.cell(HEADER_ROW, index, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
        ws.column_dimensions[get_column_letter(index)].width = WIDTHS[name]

    for row, task in enumerate(tasks, HEADER_ROW + 1):
        values = {"编号": task.id, "任务内容": task.text, "牵头领导": task.leader}
        for index, name in enumerate(COLUMNS, 1):
            cell = ws.cell(row, index)
            set_text(cell, values.get(name, ""))
            cell.alignment = WRAP
            cell.border = BORDER
            if name in FILL_COLUMNS:
                cell.protection = Protection(locked=False)
                cell.number_format = "@"   # typed text stays text: "=…" is not turned into a formula

    first, last = HEADER_ROW + 1, HEADER_ROW + len(tasks)
    status = get_column_letter(COLUMNS.index("状态") + 1)
    choice = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True,
                            showErrorMessage=True, errorStyle="stop", errorTitle="状态填写有误",
                            error=f"请从下拉列表中选择：{'、'.join(STATUSES)}",
                            showInputMessage=True, promptTitle="状态", prompt="请从下拉列表中选择")
    choice.add(f"{status}{first}:{status}{last}")
    ws.add_data_validation(choice)

    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    ws.print_title_rows = f"1:{HEADER_ROW}"
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

    meta = book.create_sheet(META_SHEET)
    for key, value in (("期间", period), ("填报单位", unit.name), ("文档", doc_id), ("进展目录", progress),
                       ("工具版本", __version__)):
        meta.append([key, None])
        set_text(meta.cell(meta.max_row, 2), value)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    return book


def set_text(cell, text: str) -> None:
    """Data is written as text, never as a formula, even when it starts with "="."""
    cell.value = text or None
    if text:
        cell.data_type = "s"
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
