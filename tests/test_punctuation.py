"""GB/T 15834 punctuation: half-width marks typed or pasted into Chinese text are printed full-width in
every output; numbers, Latin words and addresses keep theirs; the data files stay as written; `gongfu
check` names the file and place of each change; config.yaml's normalise_punctuation: false turns it off.

The clerk's workbook here is generated in the test; the expected texts are written out by hand."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import copy_workdir, docx_text, gongfu, normalise
from gongfu_reports.compose.blocks import Cell, Column, DocumentView, Paragraph, Run, Section, Table
from gongfu_reports.compose.punctuation import normalise_view
from gongfu_reports.files.punctuation import normalise as gbt15834
from test_content import pdf_text

EXAMPLES = [
    # Chinese text: full-width marks, the spaces typed around them dropped
    ("港口高质量一体化合作有待增强,高端航运", "港口高质量一体化合作有待增强，高端航运"),
    ("贯彻习近平新时代中国特色社会主义思想, 全面落实", "贯彻习近平新时代中国特色社会主义思想，全面落实"),
    ("联系人:张三;电话:0580-2281234", "联系人：张三；电话：0580-2281234"),
    ("为什么?请说明!", "为什么？请说明！"),
    ("(2021-2025年)", "（2021—2025年）"),                # the span of years: 一字线 (GB/T 15834 4.13.3.2)
    ("2024-2025年对全省", "2024—2025年对全省"),
    ("统计2024-06期,2022-02-28发布", "统计2024-06期，2022-02-28发布"),   # dates keep their hyphens
    ("编号ZF2021-2025年度", "编号ZF2021-2025年度"),        # part of a code
    ("(1)加强组织领导", "（1）加强组织领导"),             # item numbers in Chinese text: （1）
    ("(一)总体要求", "（一）总体要求"),
    ("GDP(现价)增长", "GDP（现价）增长"),
    ("GDP (现价) 增长", "GDP（现价）增长"),
    ("研究与试验发展(R&D)经费", "研究与试验发展（R&D）经费"),   # Latin inside, Chinese around
    ("增速(%)", "增速（%）"),
    ("实施方案(“十四五”时期)如下", "实施方案（“十四五”时期）如下"),
    ("（1)加强", "（1）加强"),                            # half of a pair typed half-width
    ('建设"四个舟山"目标', "建设“四个舟山”目标"),
    ('“四个舟山",目标', "“四个舟山”，目标"),
    ("他说'人民至上'理念", "他说‘人民至上’理念"),
    ("增长5.2%,高于全省", "增长5.2%，高于全省"),
    ("发布日期:2022-02-28", "发布日期：2022-02-28"),
    ("时间:8:00", "时间：8:00"),                          # the time keeps its colon
    # Numbers, Latin words, codes and addresses keep their own marks
    ("3.5%", "3.5%"),
    ("8:00-17:30", "8:00-17:30"),
    ("1,200万元", "1,200万元"),
    ("比例1:3", "比例1:3"),
    ("ZF24-001", "ZF24-001"),
    ("ZF24-001,ZF24-002", "ZF24-001,ZF24-002"),
    ("电话Tel:0580-2281234", "电话Tel:0580-2281234"),
    ("</w:t><w:t>注入", "</w:t><w:t>注入"),                # letters on both sides: not Chinese text
    ('落实。<script>alert("x")</script>', '落实。<script>alert("x")</script>'),   # code: no words of the text
    ("(1)", "(1)"),
    ("f(x)", "f(x)"),
    ("see (1) above", "see (1) above"),
    ('He said "hello, world"', 'He said "hello, world"'),
    ("Phase (1) done, see notes", "Phase (1) done, see notes"),
    ("Xi'an don't", "Xi'an don't"),
    ("http://www.zhoushan.gov.cn/art/2022/2/28/art_1229.html?id=3,详见", 
     "http://www.zhoushan.gov.cn/art/2022/2/28/art_1229.html?id=3，详见"),
    ("邮箱:gfb@zhoushan.gov.cn", "邮箱：gfb@zhoushan.gov.cn"),
    ("中文,\n(1)", "中文，\n(1)"),                        # neighbours are looked for on the same line only
]


@pytest.mark.parametrize("written, printed", EXAMPLES)
def test_rule(written, printed):
    assert gbt15834(written) == printed


TEXT = st.lists(st.sampled_from(list("中文字舟山，（）“”、。") + list("ab12 ") + list(",;:?!()\"'") + ["\n"]),
                max_size=16).map("".join)


@settings(max_examples=2000, deadline=None)
@given(TEXT)
def test_rule_is_idempotent_and_changes_only_marks_and_their_spaces(text):
    once = gbt15834(text)
    assert gbt15834(once) == once
    # What is left when the changed marks are folded back and spaces dropped: the same text.
    fold = str.maketrans("，；：？！（）“”‘’", ",;:?!()\"\"''")
    assert once.translate(fold).replace(" ", "") == text.translate(fold).replace(" ", "")
    assert once.count("\n") == text.count("\n")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("abcXYZ0123 .,;:?!()-'\"/%")), max_size=30).map("".join))
def test_text_without_chinese_is_left_alone(text):
    assert gbt15834(text) == text


def test_view_pass_keeps_runs_and_cell_lines():
    """A pair of brackets may open in a bold lead and close in the run after it; cell lines stay lines."""
    table = Table([Column(4), Column(4)], [[Cell(["序号"]), Cell(["内容(说明)"])]],
                  [[Cell(["1"]), Cell(["推进数据共享,优化服务", "(1)8:00开放"])]])
    view = DocumentView("t", "标题(试行)", "2024-01-01", None, [Section(False, [
        Paragraph("body", [Run("1.加强领导(牵头", bold=True), Run("单位),落实责任。")]), table])])
    changes = normalise_view(view)
    runs = view.sections[0].blocks[0].runs
    assert [r.text for r in runs] == ["1.加强领导（牵头", "单位），落实责任。"] and runs[0].bold
    assert table.header[0][1].lines == ["内容（说明）"]
    assert table.rows[0][1].lines == ["推进数据共享，优化服务", "（1）8:00开放"]
    assert view.title == "标题（试行）"
    assert sorted(c.old for c in changes) == sorted("()()(),,")


# ------------------------------------------------------------------------------------------------
# A list from a clerk's workbook, imported and built.

ROWS = [  # 改革事项, 主要内容, 牵头单位 — as the clerk typed them
    ('深化"放管服"改革', "推进数据共享,优化营商环境(2025年底前完成)", "市发改委"),
    ("海岛公共服务", "开通服务热线:8:00-17:30;网址 http://www.zhoushan.gov.cn/?id=1", "市卫健委"),
    ("产业升级", "GDP(现价)增长3.5%,ZF24-001 按期完成", "市经信局"),
    ("对外交流", "Phase (1) done, see notes", "市商务局"),
]
PRINTED = [
    ("深化“放管服”改革", "推进数据共享，优化营商环境（2025年底前完成）"),
    ("海岛公共服务", "开通服务热线：8:00-17:30；网址 http://www.zhoushan.gov.cn/?id=1"),
    ("产业升级", "GDP（现价）增长3.5%，ZF24-001 按期完成"),
    ("对外交流", "Phase (1) done, see notes"),
]


def clerk_workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "改革清单"
    ws.append(["2025年改革事项清单"])
    ws.append(["序号", "改革事项", "主要内容", "牵头单位"])
    for n, row in enumerate(ROWS, 1):
        ws.append([n, *row])
    book.save(path)


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    workdir = copy_workdir(tmp_path_factory.mktemp("punct"))
    source = workdir.parent / "改革清单.xlsx"
    clerk_workbook(source)
    result = gongfu(workdir, "import", str(source), "--as", "gaige")
    assert result.returncode == 0, result.stderr
    return workdir


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_clerks_list_prints_full_width_marks_and_check_lists_them(imported):
    data = imported / "data" / "gaige.xlsx"
    before = digest(data)
    result = gongfu(imported, "build", "gaige", "--strict")
    assert result.returncode == 0, result.stdout + result.stderr   # the notes are no problem for --strict
    assert "gaige：数据中 4 处的半角标点已按 GB/T 15834 印为全角" in result.stdout
    docx = normalise(docx_text(imported / "build" / "gaige.docx"))
    pdf = normalise(pdf_text(imported / "build" / "gaige.pdf"))
    for item, content in PRINTED:
        for text in (item, content):
            assert normalise(text) in docx, text
            assert normalise(text) in pdf, text
    for half in ("数据共享,", '"放管服"', "GDP(", "热线:"):
        assert half not in docx and half not in pdf
    assert digest(data) == before   # the data file is never rewritten

    result = gongfu(imported, "check")
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    place = "data/gaige.xlsx，工作表“改革清单”，第{}行，“{}”列"
    # Each line quotes the value around the changed marks, six characters either side (stretches that
    # meet are quoted once), before and after.
    expected = {place.format(2, "改革事项"): '“深化"放管服"改革”→“深化“放管服”改革”',
                place.format(2, "主要内容"): "“推进数据共享,优化营商环境(2025年底前完成)”→“推进数据共享，优化营商环境（2025年底前完成）”",
                place.format(3, "主要内容"): "“开通服务热线:8:00-17:30;网址 htt”→“开通服务热线：8:00-17:30；网址 htt”",
                place.format(4, "主要内容"): "“GDP(现价)增长3.5%,ZF24-0”→“GDP（现价）增长3.5%，ZF24-0”"}
    for where, quoted in expected.items():
        found = [line for line in lines if line.startswith(where)]
        assert found == [f"{where}：半角标点按 GB/T 15834 印为全角：{quoted}（gaige）"], result.stdout
    # Those four, not the English row (第5行)
    assert len([line for line in lines if line.startswith("data/gaige.xlsx")]) == 4
    assert digest(data) == before


def test_the_switch_prints_the_marks_as_written(imported, tmp_path):
    workdir = copy_workdir(tmp_path / "w")
    (workdir / "data" / "gaige.xlsx").write_bytes((imported / "data" / "gaige.xlsx").read_bytes())
    config = (imported / "config.yaml").read_text(encoding="utf-8")
    assert "normalise_punctuation: true\n" in config
    config = config.replace("normalise_punctuation: true\n", "normalise_punctuation: false\n")
    (workdir / "config.yaml").write_text(config, encoding="utf-8")
    result = gongfu(workdir, "build", "gaige", "--format", "docx")
    assert result.returncode == 0, result.stderr
    assert "半角标点" not in result.stdout + result.stderr
    docx = docx_text(workdir / "build" / "gaige.docx")
    assert "推进数据共享,优化营商环境(2025年底前完成)" in docx and '深化"放管服"改革' in docx
    result = gongfu(workdir, "check")
    assert result.returncode == 0, result.stderr
    assert "检查通过" in result.stdout and "标点" not in result.stdout


def test_markdown_places_are_lines(tmp_path):
    workdir = copy_workdir(tmp_path / "w")
    plan = workdir / "data" / "shishi-fangan" / "plan.md"
    lines = plan.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("为深入学习贯彻"))
    result = gongfu(workdir, "check")
    assert result.returncode == 0, result.stderr
    found = [l for l in result.stdout.splitlines() if f"data/shishi-fangan/plan.md，第{line}行：" in l]
    assert len(found) == 1 and "“社会主义思想,全面落实《浙”→“社会主义思想，全面落实《浙”" in found[0]
    assert "data/shishi-fangan/plan.md，第3行：" in result.stdout   # 副标题: (2021-2025年) in the front matter


def test_per_unit_extracts_print_full_width_marks(tmp_path):
    """The extracts are made from the breakdown, not composed by a kind: the same pass runs over them
    (built as web pages, the quickest format to read)."""
    workdir = copy_workdir(tmp_path / "w")
    result = gongfu(workdir, "build", "zhengfu-zeren-2024", "--per-unit", "--format", "html")
    assert result.returncode == 0, result.stderr
    page = (workdir / "build" / "zhengfu-zeren-2024-per-unit" / "市财政局.html").read_text(encoding="utf-8")
    assert "市财政局（市国资委）" in page and "(市国资委)" not in page   # written "市财政局(市国资委)"
