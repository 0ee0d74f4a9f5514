"""完成情况 (seed 004) and the 通报 (a 红头 公文): text, grouping, every task listed, header repeat, chart,
changes since the last real period, indicators judged by period; DOCX and PDF as built."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter

import pdfplumber
import pytest
import yaml
from docx import Document

from conftest import REPO, SEEDS, copy_workdir, coverage, docx_text, gongfu, normalise
from test_content import pdf_text

PROGRESS = REPO / "data" / "zhengfu-2024" / "progress"
TASKS = yaml.safe_load((REPO / "data" / "zhengfu-2024" / "key-tasks.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def half_year(built):
    return built / "build" / "bulletin-2024-06.docx", built / "build" / "bulletin-2024-06.pdf"


@pytest.fixture(scope="module")
def tongbao(built):
    """The 通报 of the half year: real data (the published 半年度完成情况, without statuses)."""
    return built / "build" / "tongbao-2024-06.docx", built / "build" / "tongbao-2024-06.pdf"


@pytest.fixture(scope="module")
def sample_tongbao(built):
    """The 通报 of 2024-07: the 示例 period, with statuses."""
    return built / "build" / "tongbao-2024-07.docx", built / "build" / "tongbao-2024-07.pdf"


def in_order(text: str, parts: list[str]) -> bool:
    """Each part found after the one before it."""
    at = 0
    for part in parts:
        at = text.find(part, at)
        if at < 0:
            raise AssertionError(f"{part!r} not found in order")
        at += len(part)
    return True


def table_with(doc, first_cells: list[str]):
    return next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:len(first_cells)] == first_cells)


# --- 完成情况 (seed 004's shape) --------------------------------------------------------------------

def test_half_year_bulletin_reproduces_seed_004(half_year):
    seed = (SEEDS / "004_034ad56f4d85ca9d.txt").read_text(encoding="utf-8")
    docx, pdf = half_year
    assert coverage(seed, docx_text(docx)) >= 0.95
    assert coverage(seed, pdf_text(pdf)) >= 0.90


def test_grouped_by_leader_every_task_listed_numbering_as_published(half_year):
    doc = Document(half_year[0])
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["序号", "任务内容", "牵头单位", "半年度完成情况"]
    assert table.rows[0]._tr.trPr is not None and "tblHeader" in table.rows[0]._tr.xml
    groups = [r.cells[0].text for r in table.rows if len({c._tc for c in r.cells}) == 1]
    assert groups[0] == "徐仁标市长牵头重点工作" and groups[2] == "韩峻副市长牵头重点工作"
    assert groups[-1] == "各县（区）政府、功能区管委会，市政府直属各单位共同落实工作"
    assert len(groups) == 11
    assert len(table.rows) - 1 - len(groups) == len(TASKS) == 125   # nothing dropped
    # 韩峻's group: the unreported task stays in its place, marked 未报送, without a number; the
    # published numbers (1–16, 18–21) stay as printed.
    rows = list(table.rows)
    start = next(i for i, r in enumerate(rows) if r.cells[0].text == "韩峻副市长牵头重点工作")
    end = next(i for i, r in enumerate(rows) if r.cells[0].text == "孙小晓副市长牵头重点工作")
    numbers = [r.cells[0].text for r in rows[start + 1:end]]
    assert numbers == ["1", "—", *map(str, range(2, 17)), *map(str, range(18, 22))]
    unreported = rows[start + 2]
    assert unreported.cells[1].text.startswith("全力争取大宗商品资源配置枢纽建设方案获批")   # ZF24-036
    assert unreported.cells[3].text == "未报送"
    # The shared duties declared 不收集 in config.yaml are listed as such, not dropped.
    last = rows[-1]
    assert last.cells[1].text.startswith("廉洁从政守底线") and last.cells[3].text == "不单独报送"
    text = docx_text(half_year[0])
    assert "推进共富、共治、生态“三大警务”建设" in text                # ZF24-087 as reworded in 004


def test_header_repeats_on_every_pdf_page(half_year):
    with pdfplumber.open(half_year[1]) as pdf:
        assert len(pdf.pages) > 10
        for page in pdf.pages:
            first_row = [normalise(c or "") for c in page.extract_tables()[0][0]]
            assert first_row == ["序号", "任务内容", "牵头单位", "半年度完成情况"], page.page_number


# --- 通报: a 红头 公文 -----------------------------------------------------------------------------

def test_tongbao_is_a_red_headed_document_that_passes_lint(built, tongbao):
    docx, pdf = tongbao
    for path in (pdf, docx):
        result = subprocess.run([sys.executable, "-m", "gongfu_reports", "lint", str(path)], capture_output=True,
                                text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "符合 GB/T 9704-2012" in result.stdout
    with pdfplumber.open(pdf) as document:
        first = document.pages[0]
        red = [c for c in first.chars if c["non_stroking_color"] and len(c["non_stroking_color"]) == 3
               and c["non_stroking_color"][0] > 0.8 and c["non_stroking_color"][1] < 0.2]
        assert "".join(c["text"] for c in red) == "舟山市人民政府办公室文件"
        lines = [normalise(l) for l in first.extract_text().splitlines()]
        last = normalise(document.pages[-1].extract_text())
    assert "舟政办督〔2024〕6号" in lines
    order = ["关于2024年1—6月市政府工作报告重点工作推进情况的通报", "各县（区）人民政府，各功能区管委会，市政府直属各单位：",
             "为推动2024年市政府工作报告", "一、总体情况"]
    text = normalise(pdf_text(pdf))
    assert in_order(text, order)
    body = ["二、主要进展", "三、存在问题", "四、下步工作要求", "附件：1.2024年市政府工作报告重点工作1—6月推进情况表",
            "2.2024年共同富裕示范区先行市主要指标1—6月监测情况表", "舟山市人民政府办公室2024年7月5日",
            "附件1", "附件2"]
    assert in_order(text, body)
    assert "抄送：市委办公室，市人大常委会办公室，市政协办公室。" in last and "2024年7月5日印发" in last


def test_tongbao_counts_highlights_and_problems_from_the_data(tongbao):
    text = normalise(docx_text(tongbao[0]))
    # 125 tasks: 4 declared 不收集, 120 reported (without statuses, as published), ZF24-036 not.
    assert "纳入跟踪督查的121项重点工作中，未填状态120项、未报送1项" in text
    # 主要进展: the 亮点 the office listed in the period file, each with its report's first paragraph.
    assert "1.加快推进金塘原油储运基地项目、新奥LNG三期等项目建设（市发改委）。加快建设国际大宗商品储运基地。" in text
    # No status was reported: whether any task lags is not known, and the text must not say there is none.
    assert "120项任务未填写进展状态，无法判断是否滞后、未启动。另有1项任务未按时报送进展情况，涉及自贸区两局一中心。" in text
    assert "没有滞后" not in text
    assert "另有1项任务未按时报送进展情况，涉及自贸区两局一中心。" in text
    assert "无上期数据，本期不作比较。" in text
    # The table attachment numbers tasks 1…125 through the whole list, as the text refers to them.
    doc = Document(tongbao[0])
    table = table_with(doc, ["序号", "任务内容", "牵头单位", "状态", "进展情况"])
    numbers = [r.cells[0].text for r in table.rows[1:] if len({c._tc for c in r.cells}) > 1]
    assert numbers == [str(n) for n in range(1, 126)]


@pytest.mark.parametrize("late_reply, changes", [
    ("", ["连续两期未报送1项：", "另有120项任务本期未填写状态，无法与上期比较。"]),
    ("- 编号: ZF24-036\n  牵头单位: 自贸区两局一中心\n  完成情况: 方案已上报。\n",
     ["已填写状态的任务与上期相比没有变化；121项任务本期未填写状态，无法比较。"]),
])
def test_tongbao_says_what_statuses_left_unknown(tmp_path, late_reply, changes):
    """A period whose units reported no statuses after one that had none either, and no 亮点 picked
    (with the unit that did not report in June silent again, or replying now): the text says what
    cannot be judged; it does not claim "no change", "nothing newly completed" or "none lagging"."""
    work = copy_workdir(tmp_path / "w")
    half_year = (work / "data/zhengfu-2024/progress/2024-06.yaml").read_text(encoding="utf-8")
    august = re.sub(r"亮点:\n(- .*\n)+", "", half_year.replace("期间: 2024-06", "期间: 2024-08")) + late_reply
    assert "\n亮点:" not in august and "期间: 2024-08" in august
    (work / "data/zhengfu-2024/progress/2024-08.yaml").write_text(august, encoding="utf-8")
    result = gongfu(work, "build", "tongbao", "--period", "2024-08", "--format", "docx")
    assert result.returncode == 0, result.stderr
    text = normalise(docx_text(work / "build" / "tongbao-2024-08.docx"))
    unknown = 121 if late_reply else 120
    assert in_order(text, ["与上期（2024年6月）相比：（2024年7月为示例数据，不作比较。）", *changes,
                           f"{unknown}项任务未填写进展状态，无法列出新完成的重点工作。",
                           f"{unknown}项任务未填写进展状态，无法判断是否滞后、未启动。"])
    assert "状态与上期相比没有变化" not in text and "暂无新完成" not in text and "没有滞后" not in text


def test_tongbao_indicators_judged_by_period(tongbao):
    doc = Document(tongbao[0])
    table = table_with(doc, ["序号", "指标", "目标值", "口径", "实际值", "状态", "说明"])
    status = {}
    for row in table.rows[1:]:
        cells = [c.text for c in row.cells]
        status[(cells[0], cells[1][:6])] = (cells[3], cells[4], cells[5])
    assert len(table.rows) - 1 == 42
    # 23000 of 45000 by the end of June: 51.1%, more than a point ahead of the time schedule (50%).
    assert status[("18", "城镇新增就业")] == ("累计", "23000", "快于序时进度")
    assert status[("5", "规上工业增加")] == ("时点", "8.1", "未达标")       # a level: compared directly
    assert status[("4", "一般公共预算")] == ("时点", "4.3%", "需人工判断")   # a textual target
    assert status[("7", "常住人口城镇")] == ("年度", "—", "未填报")
    text = normalise(docx_text(tongbao[0]))
    assert "需要关注的指标1项：规上工业增加值增速（%）（未达标：" in text
    # Nothing is 未达标 mid-year unless it is a 时点 value.
    for (number, _), (timing, _, judged) in status.items():
        assert judged != "未达标" or timing == "时点", number


def test_sample_period_counts_chart_changes(sample_tongbao):
    docx, pdf = sample_tongbao
    data = yaml.safe_load((PROGRESS / "2024-07.yaml").read_text(encoding="utf-8"))
    assert data["示例"] is True
    counts = Counter(e["状态"] for e in data["条目"])
    text = normalise(docx_text(docx))
    assert "（示例数据，仅用于演示进展变化）" in text
    collected = len(TASKS) - 4
    assert f"纳入跟踪督查的{collected}项重点工作中" in text
    for status in ("已完成", "序时推进", "滞后", "未启动"):
        assert f"{status}{counts[status]}项" in text
    assert f"未报送{collected - len(data['条目'])}项" in text
    assert f"完成率{counts['已完成'] / collected:.1%}" in text
    # Changes since 2024-06 (which carries no statuses): grouped by kind, tasks by number, short name and unit.
    assert f"新完成{counts['已完成']}项：第3项“强化政府债务风险动态评估和监测预警”（市财政局）；" in text
    assert "ZF24-" not in text.split("附件1")[0]   # no bare codes in the body
    # A name quoting a name: the inner quotes single (GB/T 15834 4.1.3.4).
    assert "第28项“深入推进‘扩中提低’行动”（市发改委）" in text
    # Lagging tasks with their reasons and next steps.
    assert "原因：（示例）受项目审批进度影响，部分节点滞后于年度计划。下步：（示例）倒排工期" in text
    # The chart: a picture in the DOCX, vector drawing (no raster image) in the PDF, with a numbered caption.
    doc = Document(docx)
    assert len(doc.inline_shapes) == 1
    captions = [p.text for p in doc.paragraphs if re.match(r"[图表]\d", p.text)]
    assert captions == ["表1　各牵头领导分管重点工作推进情况", "图1　各牵头领导分管重点工作推进情况"]
    with pdfplumber.open(pdf) as document:
        assert not any(page.images for page in document.pages)
        chart_page = max(document.pages[:5], key=lambda p: len(p.curves))
        assert len(chart_page.curves) > 100 and len(chart_page.rects) > 10
        # Under its table, with its caption below it: no half-empty page before a chart that moved on.
        page_text = normalise(chart_page.extract_text())
        assert in_order(page_text, ["表1各牵头领导分管重点工作推进情况", "图1各牵头领导分管重点工作推进情况"]), page_text


def test_sample_indicator_values(sample_tongbao):
    doc = Document(sample_tongbao[0])
    table = table_with(doc, ["序号", "指标", "目标值", "口径", "实际值", "状态", "说明"])
    status = {}
    for row in table.rows[1:]:
        cells = [c.text for c in row.cells]
        status[(cells[0], cells[1][:6])] = (cells[4], cells[5], cells[6])
    assert status[("18", "城镇新增就业")][:2] == ("31200", "快于序时进度")   # 69.3% against 58.3%
    assert "序时进度 58.3%" in status[("18", "城镇新增就业")][2]
    assert status[("35", "万人命案发案")][:2] == ("0.03", "低于序时进度")    # a ceiling, cumulative
    assert status[("34", "亿元生产总值")][:2] == ("0.021", "未达标")          # <0.019, a rate at a point
    assert status[("37", "县域矛盾纠纷")][:2] == ("96", "未达标")             # >96
    assert status[("20", "民生支出占一")][:2] == ("约七成", "需人工判断")      # a textual target
    assert status[("1", "人均地区生产")][:2] == ("19.6", "需人工判断")        # judged at the year's end
    assert status[("2", "全员劳动生产")][:2] == ("—", "未填报")


def test_bulletin_rebuild_is_byte_identical(built):
    first = (built / "build" / "tongbao-2024-07.pdf").read_bytes(), (built / "build" / "tongbao-2024-07.docx").read_bytes()
    result = gongfu(built, "build", "tongbao", "--period", "2024-07", "--force")
    assert result.returncode == 0, result.stderr
    assert (built / "build" / "tongbao-2024-07.pdf").read_bytes() == first[0]
    assert (built / "build" / "tongbao-2024-07.docx").read_bytes() == first[1]


def test_last_month(built, monkeypatch):
    monkeypatch.setenv("GONGFU_TODAY", "2024-07-15")
    result = gongfu(built, "build", "bulletin", "--period", "last-month", "--format", "pdf", "--force")
    assert result.returncode == 0, result.stderr
    assert "bulletin-2024-06.pdf" in result.stdout


def test_unknown_period_is_a_clear_error(built):
    result = gongfu(built, "build", "bulletin", "--period", "2023-01")
    assert result.returncode == 2
    assert "没有 2023-01 期的进展数据" in result.stderr and "2024-06" in result.stderr
