"""The progress loop: `gongfu forms` → units fill in the workbooks → `gongfu collect`.

Workbooks are filled the way a unit would (status picked from the workbook's own dropdown list,
text typed, saved) and read back with openpyxl; nothing is mocked.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import copy_workdir, gongfu

PERIOD = "2024-09"   # no progress file in the bundled data: the first collect creates it
FORMS = Path("build/forms") / PERIOD
PROGRESS_DIR = Path("data/zhengfu-2024/progress")
PROGRESS = PROGRESS_DIR / f"{PERIOD}.yaml"
SHEET = "进展填报"
STATUSES = ["已完成", "序时推进", "滞后", "未启动"]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    work = copy_workdir(tmp_path_factory.mktemp("forms") / "w")
    (work / PROGRESS).unlink(missing_ok=True)
    result = gongfu(work, "forms", "--period", PERIOD)
    assert result.returncode == 0, result.stderr
    return work


@pytest.fixture()
def work(base, tmp_path) -> Path:
    return Path(shutil.copytree(base, tmp_path / "w"))


def expected_leads(work: Path) -> dict[str, list[str]]:
    """Lead unit (canonical name) → task ids, worked out from the YAML files directly."""
    canonical = {}
    for unit in yaml.safe_load((work / "data/units.yaml").read_text("utf-8")):
        aliases = unit.get("别称") or []
        for name in [unit["名称"], unit.get("全称"), *([aliases] if isinstance(aliases, str) else aliases)]:
            if name:
                canonical[name] = unit["名称"]
    leads: dict[str, list[str]] = {}
    for task in yaml.safe_load((work / "data/zhengfu-2024/key-tasks.yaml").read_text("utf-8")):
        first = re.split(r"[、，,；;\s]+", task["责任单位"].strip())[0]
        leads.setdefault(canonical[first], []).append(task["编号"])
    return leads


def columns(ws) -> dict[str, int]:
    header = next(r for r in ws.iter_rows(max_row=10) if any(c.value == "编号" for c in r))
    return {c.value: c.column for c in header if c.value}


def task_rows(ws) -> list[int]:
    start = next(r for r in ws.iter_rows(max_row=10) if any(c.value == "编号" for c in r))[0].row + 1
    return [r for r in range(start, ws.max_row + 1) if ws.cell(r, 1).value]


def dropdown(ws) -> list[str]:
    """The status choices as the workbook's data validation offers them."""
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    return lists[0].formula1.strip('"').split(",")


def fill(source: Path, target: Path, change=None) -> dict[str, dict]:
    """Fill in a form as a unit would and save it under another name; returns what was typed."""
    book = openpyxl.load_workbook(source)
    ws = book[SHEET]
    cols, choices, typed = columns(ws), dropdown(ws), {}
    for i, r in enumerate(task_rows(ws)):
        task_id = ws.cell(r, cols["编号"]).value
        values = {"状态": choices[i % len(choices)],
                  "进展情况": f"{task_id}：第一段进展，完成率95%。\n第二段，已召开推进会3次。",
                  "下步计划": f"{task_id} 下步继续推进。"}
        if i % 2:
            values["存在问题"] = "要素保障有待加强。"
        for name, value in values.items():
            ws.cell(r, cols[name]).value = value
        typed[task_id] = values
    if change:
        change(book, ws, cols, task_rows(ws))
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return typed


def entries(work: Path, period: str = PERIOD) -> dict[str, dict]:
    data = yaml.safe_load((work / PROGRESS_DIR / f"{period}.yaml").read_text("utf-8"))
    return {e["编号"]: e for e in data["条目"]}


def form(work: Path, unit: str, period: str = PERIOD) -> Path:
    return work / "build/forms" / period / f"{unit}.xlsx"


# --- forms -------------------------------------------------------------------------------------

def test_one_form_per_lead_unit_with_its_tasks(base):
    leads = expected_leads(base)
    files = sorted((base / FORMS).glob("*.xlsx"))
    assert {p.stem for p in files} == set(leads)
    for path in files:
        book = openpyxl.load_workbook(path)
        meta = {k: v for k, v in book["_meta"].iter_rows(values_only=True)}
        assert meta["期间"] == PERIOD and meta["填报单位"] == path.stem
        ws = book[SHEET]
        assert [ws.cell(r, 1).value for r in task_rows(ws)] == leads[path.stem]
    assert "各县（区）政府" in leads   # a group unit gets its own form too


def test_form_layout_locks_validates_and_prints(base):
    book = openpyxl.load_workbook(base / FORMS / "市发改委.xlsx")
    ws = book[SHEET]
    cols, rows = columns(ws), task_rows(ws)
    assert list(cols) == ["编号", "任务内容", "牵头领导", "进展情况", "状态", "存在问题", "下步计划"]
    assert "市发改委" in ws["A2"].value and "2024年9月" in ws["A1"].value
    # Locked task cells, unlocked fill-in cells, protection on without a password.
    assert ws.protection.sheet and not ws.protection.password
    for r in rows:
        for name in ("编号", "任务内容", "牵头领导"):
            assert ws.cell(r, cols[name]).protection.locked
        for name in ("进展情况", "状态", "存在问题", "下步计划"):
            assert not ws.cell(r, cols[name]).protection.locked
        assert ws.cell(r, cols["任务内容"]).alignment.wrap_text
    # The status dropdown covers every task row, and rejects anything else.
    (dv,) = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert dropdown(ws) == STATUSES
    assert dv.showErrorMessage and dv.errorStyle == "stop" and not dv.showDropDown
    letter = openpyxl.utils.get_column_letter(cols["状态"])
    assert str(dv.sqref) == f"{letter}{rows[0]}:{letter}{rows[-1]}"
    # A4 landscape, one page wide, title and header repeated on every page.
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows.replace("$", "") == "1:3"
    assert ws.freeze_panes == "A4"
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(cols["进展情况"])].width >= 40
    assert book["_meta"].sheet_state == "veryHidden"


def test_task_text_starting_with_equals_is_written_as_text(work):
    path = work / "data/zhengfu-2024/key-tasks.yaml"
    text = path.read_text("utf-8")
    formula_like = '=HYPERLINK("http://example.com","一般公共预算收入")与经济增长基本同步。'
    text = text.replace("任务内容: 一般公共预算收入与经济增长基本同步。", f"任务内容: '{formula_like}'")
    path.write_text(text, "utf-8")
    assert gongfu(work, "forms", "--period", PERIOD).returncode == 0
    ws = openpyxl.load_workbook(form(work, "市财政局"))[SHEET]
    cell = ws.cell(task_rows(ws)[0], columns(ws)["任务内容"])
    assert cell.value == formula_like and cell.data_type == "s" and cell.quotePrefix
    # The locked cell reads back unchanged, so the filled form collects.
    fill(form(work, "市财政局"), work / "in/a.xlsx")
    result = gongfu(work, "collect", str(work / "in"), "--period", PERIOD)
    assert result.returncode == 0, result.stderr


# --- periods -----------------------------------------------------------------------------------

def test_last_month_uses_gongfu_today(work, monkeypatch):
    monkeypatch.setenv("GONGFU_TODAY", "2024-07-15")
    result = gongfu(work, "forms", "--period", "last-month")
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(form(work, "市财政局", "2024-06"))
    assert book["_meta"]["B1"].value == "2024-06"


def test_period_helpers(monkeypatch):
    from gongfu_reports.errors import GongfuError
    from gongfu_reports.progress.period import parse_period, previous_period

    monkeypatch.setenv("GONGFU_TODAY", "2024-01-10")
    assert parse_period("last-month") == "2023-12"
    assert parse_period("2024-06") == "2024-06"
    for bad in ("2024-6", "2024-13", "六月"):
        with pytest.raises(GongfuError, match="格式不对"):
            parse_period(bad)
    assert previous_period("2024-09", ["2024-06", "2024-07", "2024-10"]) == "2024-07"
    assert previous_period("2024-06", ["2024-06", "2024-07"]) is None


def test_bad_period_is_a_chinese_error(work):
    result = gongfu(work, "forms", "--period", "2024-6")
    assert result.returncode == 2
    assert "期间“2024-6”格式不对" in result.stderr and "Traceback" not in result.stderr


def test_forms_for_a_document_that_is_not_a_bulletin(work):
    result = gongfu(work, "forms", "gongzuo-yaodian-2024", "--period", PERIOD)
    assert result.returncode == 2
    assert "不是完成情况文档" in result.stderr


# --- collect -----------------------------------------------------------------------------------

def test_fill_collect_recollect_conflict_replace(work):
    returned = work / "returned"
    typed = {}
    for i, path in enumerate(sorted((work / FORMS).glob("*.xlsx"))):
        typed.update(fill(path, returned / f"回执{i:02d}.xlsx"))   # file names say nothing
    result = gongfu(work, "collect", str(returned), "--period", PERIOD)
    assert result.returncode == 0, result.stderr
    assert "全部牵头单位均已报送" in result.stdout

    got = entries(work)
    assert set(got) == {t for tasks in expected_leads(work).values() for t in tasks}
    for task_id, values in typed.items():
        entry = got[task_id]
        assert entry["状态"] == values["状态"] and entry["状态"] in STATUSES
        assert entry["完成情况"] == values["进展情况"]
        assert entry["下步计划"] == values["下步计划"]
        assert entry.get("存在问题") == values.get("存在问题")
    assert got["ZF24-001"]["牵头单位"] == "市财政局"
    written = (work / PROGRESS).read_bytes()
    assert "完成情况: |-\n" in written.decode("utf-8")   # multi-line text as a block literal
    assert not (work / PROGRESS).with_name(f"{PERIOD}.yaml.bak").exists()

    # The same workbooks again: nothing to do, nothing rewritten.
    result = gongfu(work, "collect", str(returned), "--period", PERIOD)
    assert result.returncode == 0, result.stderr
    assert "无变化" in result.stdout
    assert (work / PROGRESS).read_bytes() == written
    assert not (work / PROGRESS).with_name(f"{PERIOD}.yaml.bak").exists()

    # A unit changes its report: a conflict, named by task and unit, and nothing is written.
    name = next(p.name for p in returned.iterdir()
                if openpyxl.load_workbook(p)["_meta"]["B2"].value == "市财政局")

    def changed(book, ws, cols, rows):
        ws.cell(rows[0], cols["进展情况"]).value = "更新后的进展。"
    fill(form(work, "市财政局"), returned / name, changed)
    result = gongfu(work, "collect", str(returned), "--period", PERIOD)
    assert result.returncode == 2
    assert "ZF24-001（市财政局）" in result.stderr and "--replace" in result.stderr
    assert "本次未合并任何数据" in result.stderr
    assert (work / PROGRESS).read_bytes() == written

    result = gongfu(work, "collect", str(returned), "--period", PERIOD, "--replace")
    assert result.returncode == 0, result.stderr
    assert entries(work)["ZF24-001"]["完成情况"] == "更新后的进展。"
    assert entries(work)["ZF24-004"] == got["ZF24-004"]
    assert (work / PROGRESS).with_name(f"{PERIOD}.yaml.bak").read_bytes() == written


def test_units_not_reported_are_listed(work):
    for unit in ("市财政局", "市发改委"):
        fill(form(work, unit), work / "in" / f"{unit}-已填.xlsx")
    result = gongfu(work, "collect", str(work / "in"), "--period", PERIOD)
    assert result.returncode == 0, result.stderr
    line = next(l for l in result.stdout.splitlines() if l.startswith("尚未报送的牵头单位"))
    assert f"（{len(expected_leads(work)) - 2} 个）" in line
    assert "市商务局" in line and "各县（区）政府" in line
    assert "市财政局" not in line and "市发改委" not in line


def test_replace_keeps_printed_number_and_rewording_of_existing_entries(work):
    """The bundled 2024-06 file carries 序号 and reworded 任务内容 and comments; they survive."""
    seed = work / PROGRESS_DIR / "2024-06.yaml"
    original = seed.read_bytes()
    before = entries(work, "2024-06")
    task_id = next(k for k, e in before.items() if "任务内容" in e and "序号" in e)
    assert gongfu(work, "forms", "--period", "2024-06").returncode == 0
    path = next(p for p in (work / "build/forms/2024-06").glob("*.xlsx")
                if task_id in [c.value for c in openpyxl.load_workbook(p)[SHEET]["A"]])
    typed = fill(path, work / "in" / "x.xlsx")

    result = gongfu(work, "collect", str(work / "in"), "--period", "2024-06")
    assert result.returncode == 2
    assert f"{task_id}（{path.stem}）" in result.stderr
    assert seed.read_bytes() == original

    result = gongfu(work, "collect", str(work / "in"), "--period", "2024-06", "--replace")
    assert result.returncode == 0, result.stderr
    after = entries(work, "2024-06")
    assert after[task_id]["序号"] == before[task_id]["序号"]
    assert after[task_id]["任务内容"] == before[task_id]["任务内容"]
    assert after[task_id]["状态"] == typed[task_id]["状态"]
    others = [k for k in before if k not in typed]
    assert others and all(after[k] == before[k] for k in others)
    assert seed.read_text("utf-8").startswith(original.decode("utf-8").splitlines()[0])  # header comment
    assert seed.with_name("2024-06.yaml.bak").read_bytes() == original


# --- bad workbooks: rejected whole, with the place named, nothing written ------------------------

def set_cell(column: str, value, row_index: int = 0):
    def change(book, ws, cols, rows):
        ws.cell(rows[row_index], cols[column]).value = value
    return change


def unknown_id(book, ws, cols, rows):
    ws.cell(rows[1], cols["编号"]).value = "ZF24-999"


def another_units_task(book, ws, cols, rows):
    ws.cell(rows[1], cols["编号"]).value = "ZF24-001"   # led by 市财政局


def missing_column(book, ws, cols, rows):
    ws.delete_cols(cols["下步计划"])


def changed_locked_cell(book, ws, cols, rows):
    cell = ws.cell(rows[1], cols["任务内容"])
    cell.value = cell.value + "（已调整）"


def wrong_period(book, ws, cols, rows):
    book["_meta"]["B1"].value = "2024-08"


def duplicated_row(book, ws, cols, rows):
    for c in range(1, ws.max_column + 1):
        ws.cell(rows[-1] + 1, c).value = ws.cell(rows[1], c).value


def deleted_row(book, ws, cols, rows):
    ws.delete_rows(rows[1])


BROKEN = {
    "unknown id": (unknown_id, ["编号“ZF24-999”不在任务清单中", "第5行", "“编号”列"]),
    "bad status": (set_cell("状态", "基本完成", 1), ["状态“基本完成”无效", "第5行", "“状态”列"]),
    "empty status": (set_cell("状态", None, 1), ["状态未填写", "第5行", "“状态”列"]),
    "formula": (set_cell("进展情况", '=HYPERLINK("http://example.com","详见")', 1),
                ["单元格含公式", "第5行", "“进展情况”列"]),
    "missing column": (missing_column, ["缺少列：下步计划", "第3行"]),
    "locked cell changed": (changed_locked_cell, ["锁定的“任务内容”被改动", "第5行", "“任务内容”列"]),
    "wrong period": (wrong_period, ["这是2024年8月的填报表，本次收集的是2024年9月"]),
    "another unit's task": (another_units_task, ["任务 ZF24-001 的牵头单位是市财政局，不是本表的填报单位市发改委",
                                                 "第5行"]),
    "duplicated row": (duplicated_row, ["重复填报", "第5行"]),
    "deleted row": (deleted_row, ["缺少任务", "的填报行"]),
}


@pytest.fixture()
def collected_once(work) -> tuple[Path, bytes]:
    """A progress file that already holds one unit's report, to check it stays byte-identical."""
    fill(form(work, "市商务局"), work / "first" / "商务.xlsx")
    assert gongfu(work, "collect", str(work / "first"), "--period", PERIOD).returncode == 0
    return work, (work / PROGRESS).read_bytes()


def rejected(work: Path, before: bytes, folder: Path, *expected: str) -> str:
    result = gongfu(work, "collect", str(folder), "--period", PERIOD)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert "本次未合并任何数据" in result.stderr
    assert (work / PROGRESS).read_bytes() == before
    assert not (work / PROGRESS).with_name(f"{PERIOD}.yaml.bak").exists()
    return result.stderr


@pytest.mark.parametrize("case", list(BROKEN))
def test_bad_workbook_is_rejected_with_its_place(collected_once, case):
    work, before = collected_once
    change, expected = BROKEN[case]
    folder = work / "returned"
    fill(form(work, "市财政局"), folder / "财政.xlsx")          # a good one: not merged either
    fill(form(work, "市发改委"), folder / "发改委回执.xlsx", change)
    where = ["发改委回执.xlsx"] + (["工作表“进展填报”"] if any("第" in e for e in expected) else [])
    rejected(work, before, folder, *where, *expected)


def test_same_task_in_two_workbooks_is_rejected(collected_once):
    work, before = collected_once
    folder = work / "returned"
    fill(form(work, "市财政局"), folder / "财政.xlsx")
    shutil.copy(folder / "财政.xlsx", folder / "财政（修改版）.xlsx")
    rejected(work, before, folder, "财政（修改版）.xlsx", "任务 ZF24-001 重复填报", "另见", "财政.xlsx")


def test_not_an_xlsx_is_rejected(collected_once):
    work, before = collected_once
    folder = work / "returned"
    fill(form(work, "市财政局"), folder / "财政.xlsx")
    (folder / "报表.xlsx").write_text("这其实是一段文字，不是工作簿", "utf-8")
    rejected(work, before, folder, "报表.xlsx", "无法作为 Excel 工作簿（.xlsx）打开")


def test_password_protected_or_old_format_is_rejected(collected_once):
    work, before = collected_once
    folder = work / "returned"
    fill(form(work, "市财政局"), folder / "财政.xlsx")
    # Encrypted xlsx files and old .xls files are OLE compound files, not zip archives.
    (folder / "加密.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    rejected(work, before, folder, "加密.xlsx", "密码")
