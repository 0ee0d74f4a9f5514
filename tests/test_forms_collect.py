"""The progress loop: `gongfu forms` → units fill in the workbooks → `gongfu collect` → 完成情况/通报.

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
from docx import Document

from conftest import copy_workdir, docx_text, gongfu

PERIOD = "2024-09"   # no progress file in the bundled data: the first collect creates it
FORMS = Path("build/forms") / PERIOD
PROGRESS_DIR = Path("data/zhengfu-2024/progress")
PROGRESS = PROGRESS_DIR / f"{PERIOD}.yaml"
VALUES = Path("data/indicator-values") / f"{PERIOD}.yaml"
RECEIVED = Path("data/zhengfu-2024/received") / PERIOD
VERSIONS = PROGRESS_DIR / "versions" / PERIOD
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


def canonical_names(work: Path) -> tuple[dict[str, str], set[str]]:
    canonical, groups = {}, set()
    for unit in yaml.safe_load((work / "data/units.yaml").read_text("utf-8")):
        aliases = unit.get("别称") or []
        for name in [unit["名称"], unit.get("全称"), *([aliases] if isinstance(aliases, str) else aliases)]:
            if name:
                canonical[name] = unit["名称"]
        if unit.get("类型") == "集合":
            groups.add(unit["名称"])
    return canonical, groups


def first_unit(text: str) -> str:
    return re.split(r"[、，,；;\s]+", text.strip())[0]


def expected_reporters(work: Path) -> dict[str, list[str]]:
    """Reporting unit → task ids, worked out from the YAML files directly: the lead unit, or what
    config.yaml's `shared` says for a lead that is a group of units."""
    canonical, groups = canonical_names(work)
    shared = yaml.safe_load((work / "config.yaml").read_text("utf-8"))["documents"]["bulletin"]["shared"]
    out: dict[str, list[str]] = {}
    for task in yaml.safe_load((work / "data/zhengfu-2024/key-tasks.yaml").read_text("utf-8")):
        lead = canonical[first_unit(task["责任单位"])]
        who = [lead]
        if lead in groups:
            who = {"不收集": [], "统一报送": [lead]}.get(shared[lead], shared[lead])
        for unit in who:
            out.setdefault(unit, []).append(task["编号"])
    return out


def indicator_leads(work: Path) -> dict[str, list[int]]:
    canonical, _ = canonical_names(work)
    ws = openpyxl.load_workbook(work / "data/indicators.xlsx")["指标目标"]
    out: dict[str, list[int]] = {}
    number = lead = None
    for row in ws.iter_rows(min_row=2, values_only=True):
        if row[1] is not None:                 # a sub-item's row leaves 序号 and 牵头单位 to the merged cell above
            number, lead = int(row[1]), canonical[first_unit(row[5])]
        if row[1] is not None or row[3]:
            out.setdefault(lead, []).append(number)
    return out


def columns(ws) -> dict[str, int]:
    header = next(r for r in ws.iter_rows(max_row=10) if any(c.value in ("编号", "序号") for c in r))
    return {c.value: c.column for c in header if c.value}


def task_rows(ws) -> list[int]:
    start = next(r for r in ws.iter_rows(max_row=10) if any(c.value == "编号" for c in r))[0].row + 1
    return [r for r in range(start, ws.max_row + 1) if re.fullmatch(r"ZF24-\d+", str(ws.cell(r, 1).value or ""))]


def contact_row(ws) -> int:
    return next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value or "").startswith("填报人"))


def dropdown(ws) -> list[str]:
    """The status choices as the workbook's data validation offers them."""
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    return lists[0].formula1.strip('"').split(",")


def fill(source: Path, target: Path, change=None, note: str = "") -> dict[str, dict]:
    """Fill in a form as a unit would and save it under another name; returns what was typed."""
    book = openpyxl.load_workbook(source)
    ws = book[SHEET]
    cols, typed = columns(ws), {}
    rows = task_rows(ws)
    choices = dropdown(ws) if rows else STATUSES
    for i, r in enumerate(rows):
        task_id = ws.cell(r, cols["编号"]).value
        values = {"状态": choices[i % len(choices)],
                  "进展情况": f"{task_id}：第一段进展，完成率95%。{note}\n第二段，已召开推进会3次。",
                  "下步计划": f"{task_id} 下步继续推进。", "存在问题": None}
        if i % 2 or values["状态"] in ("滞后", "未启动"):
            values["存在问题"] = "要素保障有待加强。"
        for name, value in values.items():
            ws.cell(r, cols[name]).value = value
        typed[task_id] = {k: v for k, v in values.items() if v}
    row = contact_row(ws)
    ws.cell(row, 2).value, ws.cell(row, 4).value, ws.cell(row, 6).value = "张三", "0580-2280000", "李四"
    if "指标填报" in book.sheetnames:
        wi = book["指标填报"]
        icols = columns(wi)
        for r in range(4, wi.max_row + 1):
            if wi.cell(r, 1).value:
                wi.cell(r, icols["本期实际值"]).value = "100"
    if change:
        change(book, ws, cols, rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return typed


def entries(work: Path, period: str = PERIOD) -> dict[str, dict]:
    data = yaml.safe_load((work / PROGRESS_DIR / f"{period}.yaml").read_text("utf-8"))
    return {e["编号"] + (f"/{e['填报单位']}" if e.get("填报单位") else ""): e for e in data["条目"]}


def form(work: Path, unit: str, period: str = PERIOD) -> Path:
    return work / "build/forms" / period / f"{unit}.xlsx"


# --- forms -------------------------------------------------------------------------------------

def test_one_form_per_reporting_unit_never_for_a_label(base):
    reporters = expected_reporters(base)
    indicators = indicator_leads(base)
    files = sorted((base / FORMS).glob("*.xlsx"))
    assert {p.stem for p in files} == set(reporters) | set(indicators)
    assert "各县（区）政府" not in {p.stem for p in files}          # a group label: declared 不收集
    assert "自贸区两局一中心" in {p.stem for p in files}            # a group declared 统一报送
    for path in files:
        book = openpyxl.load_workbook(path)
        meta = {k: v for k, v in book["_meta"].iter_rows(values_only=True)}
        assert meta["期间"] == PERIOD and meta["填报单位"] == path.stem
        ws = book[SHEET]
        assert [ws.cell(r, 1).value for r in task_rows(ws)] == reporters.get(path.stem, [])
        if path.stem in indicators:
            wi = book["指标填报"]
            numbers = [int(wi.cell(r, 1).value) for r in range(4, wi.max_row + 1) if wi.cell(r, 1).value]
            assert numbers == indicators[path.stem]
        else:
            assert "指标填报" not in book.sheetnames


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
    # 填报人, 联系电话, 审核人 two rows under the table: labels locked, values to fill in.
    row = contact_row(ws)
    assert row == rows[-1] + 2
    assert [ws.cell(row, c).value for c in (1, 3, 5)] == ["填报人：", "联系电话：", "审核人："]
    assert all(not ws.cell(row, c).protection.locked for c in (2, 4, 6))
    assert ws.cell(row, 1).protection.locked
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
    # The unit's indicators on their own sheet, last real period's value beside this period's.
    wi = openpyxl.load_workbook(base / FORMS / "市人社局.xlsx")["指标填报"]
    icols = columns(wi)
    assert list(icols) == ["序号", "指标", "分项", "目标值", "时间口径", "上期实际值", "本期实际值", "说明"]
    first = [wi.cell(4, icols[c]).value for c in ("序号", "目标值", "时间口径", "上期实际值", "本期实际值")]
    assert first == ["18", "45000", "累计", "23000", None]
    assert wi.cell(4, icols["序号"]).protection.locked and not wi.cell(4, icols["本期实际值"]).protection.locked


def test_forms_are_prefilled_from_the_last_real_period(base):
    """2024-07 is 示例 data: the forms for 2024-09 carry what units reported for 2024-06."""
    june = yaml.safe_load((base / PROGRESS_DIR / "2024-06.yaml").read_text("utf-8"))
    reported = {e["编号"]: e["完成情况"] for e in june["条目"]}
    ws = openpyxl.load_workbook(base / FORMS / "市财政局.xlsx")[SHEET]
    cols = columns(ws)
    assert "已预填2024年6月报送的内容" in ws["A2"].value
    assert [ws.cell(r, 1).value for r in task_rows(ws)] == expected_reporters(base)["市财政局"]
    for r in task_rows(ws):
        assert ws.cell(r, cols["进展情况"]).value == reported[ws.cell(r, 1).value]
        assert "（示例）" not in ws.cell(r, cols["进展情况"]).value


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


def test_a_group_lead_without_a_declaration_is_a_config_error(work):
    config = (work / "config.yaml").read_text("utf-8")
    (work / "config.yaml").write_text(config.replace("      各县（区）政府: 不收集", "      市发改委: 统一报送"), "utf-8")
    result = gongfu(work, "forms", "--period", PERIOD)
    assert result.returncode == 2
    assert "任务 ZF24-122、ZF24-123、ZF24-124、ZF24-125 的牵头单位“各县（区）政府”是一组单位的统称" in result.stderr
    assert "shared" in result.stderr and "不收集" in result.stderr and "config.yaml" in result.stderr


# --- periods -----------------------------------------------------------------------------------

def test_a_form_filled_in_where_it_lies_is_kept_when_the_forms_are_made_again(work):
    """The office fills in a unit's form in build/forms/ itself, then makes the forms again (after a
    change in the task list): the filled-in form is kept beside, not overwritten; forms no one changed
    are replaced without a copy, and making them again changes nothing more."""
    target = form(work, "市财政局")
    fill(target, target)
    filled = target.read_bytes()
    result = gongfu(work, "forms", "--period", PERIOD)
    assert result.returncode == 0, result.stderr
    kept = sorted((target.parent / "改动过的表").glob("*.xlsx"))
    assert [p.name.split("（")[0] for p in kept] == ["市财政局"] and kept[0].read_bytes() == filled
    assert "1 个填报表在上次生成后被改动过" in result.stdout and "市财政局（" in result.stdout
    assert target.read_bytes() != filled                         # a fresh form in its place
    again = gongfu(work, "forms", "--period", PERIOD)
    assert again.returncode == 0 and "改动过" not in again.stdout
    assert sorted((target.parent / "改动过的表").glob("*.xlsx")) == kept


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
    for bad in ("2024-6", "2024-13", "六月", "\u0662\u0660\u0662\u0664-06", "２０２４-06"):   # digits of other scripts: int() reads them
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


# --- a month replayed ----------------------------------------------------------------------------

def bad_status(book, ws, cols, rows):
    ws.cell(rows[0], cols["状态"]).value = "基本完成"


def late_without_reason(book, ws, cols, rows):
    ws.cell(rows[0], cols["状态"]).value = "滞后"
    ws.cell(rows[0], cols["存在问题"]).value = None


def wrong_period(book, ws, cols, rows):
    book["_meta"]["B1"].value = "2024-08"


MISTAKES = {"市发改委": bad_status, "市财政局": late_without_reason, "市商务局": wrong_period}


def test_a_month_replayed(work):
    """Forms for every unit; most come back valid, three with mistakes → the valid ones merged, the
    three listed with their reasons, exit 1; fixed and resent → merged; a second version with
    --replace lists the changed tasks; every received file kept; the 完成情况 lists every task."""
    reporters = expected_reporters(work)
    forms = sorted((work / FORMS).glob("*.xlsx"))
    returned = work / "returned"
    for i, path in enumerate(forms):
        fill(path, returned / f"{path.stem}回执.xlsx", MISTAKES.get(path.stem))
    result = gongfu(work, "collect", str(returned), "--period", PERIOD)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    err = result.stderr
    assert err.startswith("错误：")
    assert "returned/市发改委回执.xlsx，工作表“进展填报”，第4行，“状态”列：状态“基本完成”无效" in err
    assert "returned/市财政局回执.xlsx，工作表“进展填报”，第4行，“存在问题”列：状态为“滞后”，未写明原因" in err
    assert "returned/市商务局回执.xlsx：这是2024年8月的填报表，本次收集的是2024年9月" in err
    assert "退回 3 个填报表" in err and "本次未合并任何数据" not in err
    assert f"合并 {len(forms) - 3} 个，退回 3 个" in result.stdout
    got = entries(work)
    for unit, ids in reporters.items():
        for task_id in ids:
            assert (task_id in got) == (unit not in MISTAKES), (unit, task_id)
    missing = next(l for l in result.stdout.splitlines() if l.startswith("尚未报送的单位"))
    assert all(unit in missing for unit in MISTAKES)
    # The contact fields are stored with the period's data.
    data = yaml.safe_load((work / PROGRESS).read_text("utf-8"))
    assert data["填报信息"]["市人社局"] == {"填报人": "张三", "联系电话": "0580-2280000", "审核人": "李四"}
    # Indicator values from the indicator sheets.
    values = yaml.safe_load((work / VALUES).read_text("utf-8"))["实际值"]
    assert {"序号": 18, "实际值": "100", "填报单位": "市人社局"} in values

    # The three fixed and sent again (under the same file names, in another folder).
    resent = work / "resent"
    for unit in MISTAKES:
        fill(form(work, unit), resent / f"{unit}回执.xlsx")
    result = gongfu(work, "collect", str(resent), "--period", PERIOD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "全部单位均已报送" in result.stdout
    got = entries(work)
    assert {t for ids in reporters.values() for t in ids} == set(got)

    # A second version from one unit: refused as a conflict, then taken with --replace, which lists
    # each changed task; every earlier version of the period's data stays retrievable.
    before = (work / PROGRESS).read_bytes()
    second = work / "second"

    def corrected(book, ws, cols, rows):
        ws.cell(rows[0], cols["状态"]).value = "序时推进"
        ws.cell(rows[0], cols["进展情况"]).value = "全年目标已提前完成。"
        ws.cell(contact_row(ws), 2).value = "王五"   # another clerk filled it in
    fill(form(work, "市财政局"), second / "市财政局回执.xlsx", corrected)
    result = gongfu(work, "collect", str(second), "--period", PERIOD)
    assert result.returncode == 1
    assert "ZF24-001（市财政局）" in result.stderr and "已有不同内容" in result.stderr and "--replace" in result.stderr
    assert (work / PROGRESS).read_bytes() == before
    result = gongfu(work, "collect", str(second), "--period", PERIOD, "--replace")
    assert result.returncode == 0, result.stderr
    changed = next(l for l in result.stdout.splitlines() if "ZF24-001（市财政局）：" in l)
    assert "状态 已完成 → 序时推进" in changed and "完成情况 “ZF24-001：第一段进展" in changed and "“全年目标已提前完成。”" in changed
    assert entries(work)["ZF24-001"]["完成情况"] == "全年目标已提前完成。"
    assert "市财政局 的填报人信息已更新：填报人 张三 → 王五" in result.stdout + result.stderr
    versions = sorted((work / VERSIONS).glob("*.yaml"))
    assert [p.name for p in versions] == [f"{PERIOD}.v001.yaml", f"{PERIOD}.v002.yaml"]
    assert versions[-1].read_bytes() == before
    assert "版本" in result.stdout or "已保存为" in result.stdout

    # Every workbook received is kept unchanged, a later file of the same name beside the earlier one.
    kept = sorted(p.name for p in (work / RECEIVED).glob("*.xlsx"))
    assert len(kept) == len(forms) + 3 + 1
    assert "市发改委回执（2）.xlsx" in kept and "市财政局回执（3）.xlsx" in kept
    assert (work / RECEIVED / "市发改委回执.xlsx").read_bytes() == (returned / "市发改委回执.xlsx").read_bytes()
    log = yaml.safe_load((work / RECEIVED / "收集记录.yaml").read_text("utf-8"))
    assert len(log) == 4
    first = {item["收到"]: item["结果"] for item in log[0]["文件"]}
    assert first == {f"{path.stem}回执.xlsx": "退回" if path.stem in MISTAKES else "已合并" for path in forms}

    # The unit sends its first version again by mistake (an old e-mail), and the clerk collects it with
    # --replace as before: it was merged once and corrected since, so it is not merged again.
    again = work / "again"
    again.mkdir()
    (again / "市财政局回执 (1).xlsx").write_bytes((resent / "市财政局回执.xlsx").read_bytes())
    before = (work / PROGRESS).read_bytes()
    result = gongfu(work, "collect", str(again), "--period", PERIOD, "--replace")
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("again/市财政局回执 (1).xlsx：与此前收到的 data/zhengfu-2024/received/2024-09/市财政局回执（2）.xlsx 完全相同"
            "：这份表格已经合并过，之后的内容已更新，未再合并") in result.stderr, result.stderr
    assert (work / PROGRESS).read_bytes() == before

    # The 完成情况 lists every task, each with what its unit reported.
    result = gongfu(work, "build", "bulletin", "--period", PERIOD, "--format", "docx")
    assert result.returncode == 0, result.stderr
    table = Document(work / "build" / f"bulletin-{PERIOD}.docx").tables[0]
    rows = [r for r in table.rows[1:] if len({c._tc for c in r.cells}) > 1]
    assert len(rows) == 125
    assert sum(r.cells[3].text == "不单独报送" for r in rows) == 4
    assert "未报送" not in [r.cells[3].text for r in rows]
    assert "全年目标已提前完成。" in docx_text(work / "build" / f"bulletin-{PERIOD}.docx")


def test_two_versions_from_one_unit_are_left_to_the_clerk(work):
    folder = work / "in"
    fill(form(work, "市财政局"), folder / "财政.xlsx")
    fill(form(work, "市财政局"), folder / "财政（修改版）.xlsx", note="修改。")
    fill(form(work, "市发改委"), folder / "发改委.xlsx")
    result = gongfu(work, "collect", str(folder), "--period", PERIOD)
    assert result.returncode == 1
    assert "市财政局 报来 2 个内容不同的填报表（财政.xlsx、财政（修改版）.xlsx），都未合并" in result.stderr
    assert "ZF24-001（完成情况不同）" in result.stderr and "移出该目录" in result.stderr
    got = entries(work)
    assert "ZF24-001" not in got and "ZF24-004" in got
    # Identical copies are merged once.
    (folder / "财政（修改版）.xlsx").unlink()
    shutil.copy(folder / "财政.xlsx", folder / "财政（再次发送）.xlsx")
    result = gongfu(work, "collect", str(folder), "--period", PERIOD)
    assert result.returncode == 0, result.stderr
    assert "内容相同" in result.stdout and "只合并一次" in result.stdout
    assert "ZF24-001" in entries(work)


def test_shared_task_is_collected_from_each_member(work):
    config = (work / "config.yaml").read_text("utf-8")
    config = config.replace("      各县（区）政府: 不收集", "      各县（区）政府: [定海区, 普陀区政府, 岱山县政府, 嵊泗县政府]")
    (work / "config.yaml").write_text(config, "utf-8")
    assert gongfu(work, "forms", "--period", PERIOD).returncode == 0
    for unit in ("定海区政府", "岱山县政府"):   # 定海区 named by the district registry
        ws = openpyxl.load_workbook(form(work, unit))[SHEET]
        assert [ws.cell(r, 1).value for r in task_rows(ws)][-4:] == ["ZF24-122", "ZF24-123", "ZF24-124", "ZF24-125"]
    assert not form(work, "各县（区）政府").exists()
    fill(form(work, "定海区政府"), work / "in" / "定海.xlsx")
    fill(form(work, "岱山县政府"), work / "in" / "岱山.xlsx")
    result = gongfu(work, "collect", str(work / "in"), "--period", PERIOD)
    assert result.returncode == 0, result.stderr
    got = entries(work)
    assert {"ZF24-122/定海区政府", "ZF24-122/岱山县政府"} <= set(got)
    assert "普陀区政府" in next(l for l in result.stdout.splitlines() if l.startswith("尚未报送"))
    assert gongfu(work, "build", "bulletin", "--period", PERIOD, "--format", "docx").returncode == 0
    table = Document(work / "build" / f"bulletin-{PERIOD}.docx").tables[0]
    cell = next(r.cells[3].text for r in table.rows if r.cells[1].text.startswith("旗帜鲜明讲政治"))
    assert cell.startswith("定海区政府：ZF24-122：第一段进展")
    assert "普陀区政府：未报送" in cell and "岱山县政府：ZF24-122" in cell


def test_a_changed_locked_text_is_shown_beside_the_original(work):
    def changed(book, ws, cols, rows):
        cell = ws.cell(rows[0], cols["任务内容"])
        cell.value = cell.value.replace("新引进高校毕业生2万人以上", "新引进高校毕业生1万人以上")
    fill(form(work, "市委组织部"), work / "in" / "组织部.xlsx", changed)
    result = gongfu(work, "collect", str(work / "in"), "--period", PERIOD)
    assert result.returncode == 1
    assert "锁定的“任务内容”被改动：表中为“…新引进高校毕业生1万人以上。”，下发时为“…新引进高校毕业生2万人以上。”" in result.stderr
    assert "gongfu forms" not in result.stderr          # regenerating would not help: the unit changed it
    assert "在下发的原表中填写" in result.stderr


def test_a_task_list_changed_after_the_forms_went_out_does_not_reject_them(work):
    path = work / "data/zhengfu-2024/key-tasks.yaml"
    path.write_text(path.read_text("utf-8").replace("新引进高校毕业生2万人以上", "新引进高校毕业生2.2万人以上"), "utf-8")
    fill(form(work, "市委组织部"), work / "in" / "组织部.xlsx")
    result = gongfu(work, "collect", str(work / "in"), "--period", PERIOD)
    assert result.returncode == 0, result.stderr


def test_a_task_moved_to_another_unit_after_the_forms_went_out_says_so(work):
    """The office gives ZF24-004 to another lead unit after the forms went out: the unit that filled
    in its form as sent is not blamed; the message says the task list changed and what to do."""
    path = work / "data/zhengfu-2024/key-tasks.yaml"
    text = path.read_text("utf-8")
    assert "  责任单位: 市发改委、市经信局、市住建局" in text
    path.write_text(text.replace("  责任单位: 市发改委、市经信局、市住建局", "  责任单位: 市经信局、市发改委、市住建局", 1), "utf-8")
    fill(form(work, "市发改委"), work / "in" / "发改委.xlsx")
    result = gongfu(work, "collect", str(work / "in"), "--period", PERIOD)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "“编号”列：任务 ZF24-004 在下发填报表之后改由市经信局牵头，不再由市发改委报送" in result.stderr, result.stderr
    assert "任务清单在下发填报表之后有了改动：请重新运行 gongfu forms" in result.stderr
    assert "在下发的原表中填写" not in result.stderr


def test_a_task_falling_back_from_completed_is_pointed_out(work):
    def completed(book, ws, cols, rows):
        ws.cell(rows[0], cols["状态"]).value = "已完成"
    fill(form(work, "市财政局"), work / "sep" / "a.xlsx", completed)
    assert gongfu(work, "collect", str(work / "sep"), "--period", PERIOD).returncode == 0
    assert gongfu(work, "forms", "--period", "2024-10").returncode == 0
    october = work / "build/forms/2024-10/市财政局.xlsx"
    ws = openpyxl.load_workbook(october)[SHEET]
    assert ws.cell(task_rows(ws)[0], columns(ws)["状态"]).value == "已完成"   # prefilled from September

    def back(book, ws, cols, rows):
        ws.cell(rows[0], cols["状态"]).value = "序时推进"
    fill(october, work / "oct" / "a.xlsx", back)
    result = gongfu(work, "collect", str(work / "oct"), "--period", "2024-10")
    assert result.returncode == 0, result.stderr
    assert "任务 ZF24-001（市财政局）2024年9月为“已完成”，本期为“序时推进”，请核实" in result.stdout


def test_indicator_with_an_unknown_sub_item_names_the_valid_ones(work):
    def wrong_sub(book, ws, cols, rows):
        wi = book["指标填报"]
        icols = columns(wi)
        row = next(r for r in range(4, wi.max_row + 1) if wi.cell(r, icols["序号"]).value == "8")
        wi.cell(row, icols["分项"]).value = "行政村占比"
    fill(form(work, "市农业农村局"), work / "in" / "农业.xlsx", wrong_sub)
    result = gongfu(work, "collect", str(work / "in"), "--period", PERIOD)
    assert result.returncode == 1
    assert "分项“行政村占比”不是序号 8 的分项" in result.stderr
    assert "序号 8 的分项：“集体经济年收入50万元以上且经营性收入25万元以上行政村占比（%）”；" \
           "“集体经济年经营性收入50万元以上行政村占比（%）”" in result.stderr


# --- bad workbooks: each rejected with its place, the good ones merged ----------------------------

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


def duplicated_row(book, ws, cols, rows):
    for c in range(1, ws.max_column + 1):
        ws.cell(rows[-1] + 1, c).value = ws.cell(rows[1], c).value


def deleted_row(book, ws, cols, rows):
    ws.delete_rows(rows[1])


BROKEN = {
    "unknown id": (unknown_id, ["编号“ZF24-999”不在任务清单中", "第5行", "“编号”列"]),
    "bad status": (set_cell("状态", "基本完成", 1), ["状态“基本完成”无效", "第5行", "“状态”列"]),
    "empty status": (set_cell("状态", None, 1), ["状态未填写", "第5行", "“状态”列"]),
    "no next step": (set_cell("下步计划", None, 2), ["状态为“滞后”，未填写下步计划", "第6行", "“下步计划”列"]),
    "formula": (set_cell("进展情况", '=HYPERLINK("http://example.com","详见")', 1),
                ["单元格含公式", "第5行", "“进展情况”列"]),
    "missing column": (missing_column, ["缺少列：下步计划", "第3行"]),
    "locked cell changed": (changed_locked_cell, ["锁定的“任务内容”被改动", "（已调整）", "第5行", "“任务内容”列"]),
    "wrong period": (wrong_period, ["这是2024年8月的填报表，本次收集的是2024年9月"]),
    "another unit's task": (another_units_task, ["任务 ZF24-001 的牵头单位是市财政局，不是本表的填报单位市发改委",
                                                 "第5行"]),
    "duplicated row": (duplicated_row, ["重复填报", "第5行"]),
    "deleted row": (deleted_row, ["缺少任务", "的填报行"]),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_bad_workbook_is_rejected_with_its_place_and_the_good_one_merged(work, case):
    change, expected = BROKEN[case]
    folder = work / "returned"
    fill(form(work, "市财政局"), folder / "财政.xlsx")
    fill(form(work, "市发改委"), folder / "发改委回执.xlsx", change)
    result = gongfu(work, "collect", str(folder), "--period", PERIOD)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stderr.startswith("错误：")
    for text in ["发改委回执.xlsx", *expected] + (["工作表“进展填报”"] if any("第" in e for e in expected) else []):
        assert text in result.stderr, result.stderr
    assert "退回 1 个填报表" in result.stderr and "发改委回执.xlsx（市发改委）" in result.stderr
    got = entries(work)
    assert "ZF24-001" in got and "ZF24-004" not in got      # the good form merged, nothing of the bad one


def test_files_that_are_not_workbooks_are_rejected(work):
    folder = work / "returned"
    fill(form(work, "市财政局"), folder / "财政.xlsx")
    (folder / "报表.xlsx").write_text("这其实是一段文字，不是工作簿", "utf-8")
    (folder / "加密.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    (folder / "旧格式.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000))
    result = gongfu(work, "collect", str(folder), "--period", PERIOD)
    assert result.returncode == 1
    assert "报表.xlsx：无法作为 Excel 工作簿（.xlsx）打开" in result.stderr
    assert "加密.xlsx" in result.stderr and "密码" in result.stderr
    assert "旧格式.xls：不是 .xlsx 格式" in result.stderr
    assert "ZF24-001" in entries(work)
    assert sorted(p.name for p in (work / RECEIVED).iterdir()) == ["加密.xlsx", "报表.xlsx", "收集记录.yaml",
                                                                     "旧格式.xls", "财政.xlsx"]


def test_links_and_macos_companion_files_are_not_collected(work, tmp_path):
    """A link among the returned files (to a file elsewhere) is neither read nor kept; a “._” file that
    macOS leaves beside a copied workbook is skipped: the unit's real form is merged, exit 0."""
    folder = work / "returned"
    fill(form(work, "市财政局"), folder / "财政.xlsx")
    outside = tmp_path / "outside.xlsx"
    outside.write_bytes(b"secret")
    (folder / "链接.xlsx").symlink_to(outside)
    (folder / "._财政.xlsx").write_bytes(b"\x00\x05\x16\x07" + bytes(100))   # AppleDouble header
    result = gongfu(work, "collect", str(folder), "--period", PERIOD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "returned/链接.xlsx 是指向其他位置的链接，未处理" in result.stdout
    assert "._财政" not in result.stdout + result.stderr
    assert "ZF24-001" in entries(work)
    assert sorted(p.name for p in (work / RECEIVED).iterdir()) == ["收集记录.yaml", "财政.xlsx"]


def test_nothing_merged_says_so(work):
    folder = work / "returned"
    fill(form(work, "市发改委"), folder / "发改委.xlsx", bad_status)
    result = gongfu(work, "collect", str(folder), "--period", PERIOD)
    assert result.returncode == 1
    assert "本次未合并任何数据" in result.stderr
    assert not (work / PROGRESS).exists()


def test_an_empty_folder_is_a_usage_error(work):
    (work / "empty").mkdir()
    result = gongfu(work, "collect", str(work / "empty"), "--period", PERIOD)
    assert result.returncode == 2 and "目录中没有 .xlsx 填报表" in result.stderr


def test_an_odd_workbook_is_returned_and_the_others_merged(work):
    """One returned workbook that the readers cannot take (its 进展填报 replaced by a chart sheet, a
    terminal escape in its name), one with a number too large for its cell format, one under an
    attachment's long name: the odd one is returned with its reason (the escape shown, not sent to the
    terminal), the others merged and kept (the long name shortened); no traceback."""
    from openpyxl.chart import BarChart, Reference

    returned = work / "returned"
    fill(form(work, "市财政局"), returned / ("关于报送" + "重点工作推进情况" * 9 + "的函.xlsx"))

    def big_number(book, ws, cols, rows):
        ws.cell(rows[0], cols["进展情况"]).value = 1e30
        ws.cell(rows[0], cols["进展情况"]).number_format = "0.00"
    fill(form(work, "市商务局"), returned / "市商务局回执.xlsx", big_number)
    odd = returned / "市发改委回执\x1b]0;x\x07.xlsx"
    fill(form(work, "市发改委"), odd)
    book = openpyxl.load_workbook(odd)
    index = book.sheetnames.index(SHEET)
    book.remove(book[SHEET])
    chart = BarChart()
    chart.add_data(Reference(book.worksheets[0], min_col=1, max_col=2, min_row=1))
    book.create_chartsheet(SHEET, index).add_chart(chart)
    book.save(odd)

    shutil.copy(odd, returned / "市文广旅体局回执.xlsm")   # a macro workbook, and a folder: said, not skipped quietly
    (returned / "补充材料").mkdir()
    result = gongfu(work, "collect", str(returned), "--period", PERIOD)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "returned/市文广旅体局回执.xlsm 不是 .xlsx 填报表，未处理" in result.stdout
    assert "returned/补充材料 不是 .xlsx 填报表，未处理（文件夹）" in result.stdout
    assert "returned/市发改委回执\\x1b]0;x.xlsx：“进展填报”不是普通工作表（是图表工作表）" in result.stderr, result.stderr
    assert "\x1b" not in result.stdout + result.stderr and "\\x1b]0;x" in result.stdout + result.stderr
    reporters = expected_reporters(work)
    got = entries(work)
    assert all(task in got for task in reporters["市财政局"] + reporters["市商务局"])
    assert not any(task in got for task in reporters["市发改委"])
    kept = sorted(p.name for p in (work / RECEIVED).glob("*.xlsx"))
    assert len(kept) == 3 and all(len(name.encode("utf-8")) <= 200 for name in kept), kept


def test_collect_writes_nothing_outside_the_working_folder(work, tmp_path):
    """config.yaml's received: pointing out of the working folder, or a received/ folder that is a link
    out of it: refused before anything is copied or merged."""
    fill(form(work, "市财政局"), work / "returned" / "a.xlsx")
    config = work / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("    progress: data/zhengfu-2024/progress     #",
                                   "    received: ../outside\n    progress: data/zhengfu-2024/progress     #", 1),
                      encoding="utf-8")
    result = gongfu(work, "collect", "returned", "--period", PERIOD)
    assert result.returncode == 2 and "不在工作目录的 build/ 或 data/ 中" in result.stderr, result.stderr
    assert not (work.parent / "outside").exists()
    config.write_text(text, encoding="utf-8")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    received = (work / RECEIVED).parent
    shutil.rmtree(received, ignore_errors=True)
    received.parent.mkdir(parents=True, exist_ok=True)
    received.symlink_to(outside, target_is_directory=True)
    result = gongfu(work, "collect", "returned", "--period", PERIOD)
    assert result.returncode == 2 and "不在工作目录的 build/ 或 data/ 中" in result.stderr, result.stderr
    assert not list(outside.iterdir())
    assert not (work / PROGRESS).exists() or "市财政局" not in (work / PROGRESS).read_text(encoding="utf-8")


def test_a_hidden_row_is_merged_and_pointed_out(work):
    """A unit hid a task row in Excel (the forms let units format rows, to fit long text): what it holds is
    its report all the same and is merged, but the clerk is told, since a hidden row reads as left out."""
    def hide(book, ws, cols, rows):
        ws.row_dimensions[rows[1]].hidden = True
    typed = fill(form(work, "市财政局"), work / "in" / "a.xlsx", hide)
    ws = openpyxl.load_workbook(form(work, "市财政局"))[SHEET]
    row, task_id = task_rows(ws)[1], ws.cell(task_rows(ws)[1], columns(ws)["编号"]).value
    result = gongfu(work, "collect", str(work / "in"), "--period", PERIOD)
    assert result.returncode == 0, result.stderr
    assert entries(work)[task_id]["完成情况"] == typed[task_id]["进展情况"]
    assert f"in/a.xlsx 中有被隐藏的行或列，内容照常合并，请向该单位核实：{SHEET}第{row}行（任务 {task_id}）" in result.stdout, \
        result.stdout


def test_a_hidden_column_with_text_in_it_is_merged_and_pointed_out(work):
    """The forms let units format columns (to widen them), so one can hide a column it filled in: its text is
    merged as always, and the clerk is told, as for a hidden row. A hidden column with nothing the unit
    wrote, or one of the locked columns, is no cause for a note."""
    from openpyxl.utils import get_column_letter

    def hide(book, ws, cols, rows):
        assert cols["下步计划"] == cols["存在问题"] + 1   # neighbours, hidden as one run (min-max) as Excel writes them
        ws.column_dimensions.group(get_column_letter(cols["存在问题"]), get_column_letter(cols["下步计划"]),
                                   hidden=True)
        ws.column_dimensions[get_column_letter(cols["任务内容"])].hidden = True
        wi = book["指标填报"]
        wi.column_dimensions[get_column_letter(columns(wi)["本期实际值"])].hidden = True
    unit = next(u for u in indicator_leads(work) if u == "市财政局")   # it has indicators to report
    typed = fill(form(work, unit), work / "in" / "a.xlsx", hide)
    book = openpyxl.load_workbook(work / "in" / "a.xlsx")
    hidden = [(d.min, d.max) for d in book[SHEET].column_dimensions.values() if d.hidden]
    assert any(hi > lo for lo, hi in hidden)   # the two columns as one run, as Excel writes them
    result = gongfu(work, "collect", str(work / "in"), "--period", PERIOD)
    assert result.returncode == 0, result.stderr
    task_id = next(iter(typed))
    assert entries(work)[task_id]["下步计划"] == typed[task_id]["下步计划"]
    assert (f"in/a.xlsx 中有被隐藏的行或列，内容照常合并，请向该单位核实：{SHEET}“存在问题”列、{SHEET}“下步计划”列、"
            "指标填报“本期实际值”列" in result.stdout), result.stdout
    assert "“任务内容”列" not in result.stdout
