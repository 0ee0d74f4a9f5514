"""完成情况 (seed 004) and the 通报 summary: text, grouping, header repeat, chart, changes, indicators."""

from __future__ import annotations

from collections import Counter

import pdfplumber
import pytest
import yaml
from docx import Document

from conftest import REPO, SEEDS, coverage, docx_text, gongfu, normalise
from test_content import pdf_text

PROGRESS = REPO / "data" / "zhengfu-2024" / "progress"


@pytest.fixture(scope="module")
def half_year(built):
    return built / "build" / "bulletin-2024-06.docx", built / "build" / "bulletin-2024-06.pdf"


@pytest.fixture(scope="module")
def tongbao(built):
    return built / "build" / "tongbao-2024-07.docx", built / "build" / "tongbao-2024-07.pdf"


def test_half_year_bulletin_reproduces_seed_004(half_year):
    seed = (SEEDS / "004_034ad56f4d85ca9d.txt").read_text(encoding="utf-8")
    docx, pdf = half_year
    assert coverage(seed, docx_text(docx)) >= 0.95
    assert coverage(seed, pdf_text(pdf)) >= 0.90


def test_grouped_by_leader_matched_by_id(half_year):
    doc = Document(half_year[0])
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["序号", "任务内容", "牵头单位", "半年度完成情况"]
    assert table.rows[0]._tr.trPr is not None and "tblHeader" in table.rows[0]._tr.xml
    groups = [r.cells[0].text for r in table.rows if len({id(c._tc) for c in r.cells}) == 1]
    assert groups[0] == "徐仁标市长牵头重点工作" and groups[2] == "韩峻副市长牵头重点工作"
    assert len(groups) == 10
    # 韩峻's group: the dropped task is absent and the published numbering (1–16, 18–21) kept.
    rows = [r for r in table.rows]
    start = next(i for i, r in enumerate(rows) if r.cells[0].text == "韩峻副市长牵头重点工作")
    end = next(i for i, r in enumerate(rows) if r.cells[0].text == "孙小晓副市长牵头重点工作")
    numbers = [r.cells[0].text for r in rows[start + 1:end]]
    assert numbers == [str(n) for n in [*range(1, 17), *range(18, 22)]]
    text = docx_text(half_year[0])
    assert "全力争取大宗商品资源配置枢纽建设方案获批" not in text  # ZF24-036, not reported
    assert "推进共富、共治、生态“三大警务”建设" in text                # ZF24-087 as reworded in 004


def test_header_repeats_on_every_pdf_page(half_year):
    with pdfplumber.open(half_year[1]) as pdf:
        assert len(pdf.pages) > 10
        for page in pdf.pages:
            first_row = [normalise(c or "") for c in page.extract_tables()[0][0]]
            assert first_row == ["序号", "任务内容", "牵头单位", "半年度完成情况"], page.page_number


def test_summary_counts_chart_and_changes(tongbao):
    docx, pdf = tongbao
    data = yaml.safe_load((PROGRESS / "2024-07.yaml").read_text(encoding="utf-8"))
    assert data["示例"] is True
    counts = Counter(e["状态"] for e in data["条目"])
    tasks = yaml.safe_load((REPO / "data" / "zhengfu-2024" / "key-tasks.yaml").read_text(encoding="utf-8"))
    text = normalise(docx_text(docx))
    assert f"本期应报送任务{len(tasks)}项" in text
    for status in ("已完成", "序时推进", "滞后", "未启动"):
        assert f"{status}{counts[status]}项" in text
    assert f"未报送{len(tasks) - len(data['条目'])}项" in text
    assert f"滞后任务（{counts['滞后']}项）" in text
    assert f"新完成{counts['已完成']}项" in text  # the previous period carries no statuses
    # The chart: a picture in the DOCX, vector drawing (no raster image) in the PDF.
    doc = Document(docx)
    assert len(doc.inline_shapes) == 1
    with pdfplumber.open(pdf) as document:
        assert not any(page.images for page in document.pages)
        # Bars, axes and glyphs drawn as paths (text in the SVG is outlined).
        chart_page = max(document.pages[:4], key=lambda p: len(p.curves))
        assert len(chart_page.curves) > 100 and len(chart_page.rects) > 10


def test_indicator_monitoring(tongbao):
    doc = Document(tongbao[0])
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:3] == ["序号", "指标", "目标值"])
    status = {}
    for row in table.rows[1:]:
        cells = [c.text for c in row.cells]
        status[(cells[0], cells[1][:6])] = (cells[3], cells[4])
    assert len(table.rows) - 1 == 42
    assert status[("35", "万人命案发案")] == ("0.03", "达标")      # 0.03 ≤ 0.0341, lower is better
    assert status[("34", "亿元生产总值")] == ("0.021", "未达标")     # <0.019
    assert status[("37", "县域矛盾纠纷")] == ("96", "未达标")        # >96
    assert status[("20", "民生支出占一")] == ("约七成", "需人工判断")  # a textual target
    assert status[("2", "全员劳动生产")] == ("—", "未填报")


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
