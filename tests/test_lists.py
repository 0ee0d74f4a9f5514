"""Generic lists (清单): import from Excel and Word tables, build, and compare what a reader sees
(text, rows, merged cells, repeated header, landscape pages) with the source table.

Every source here is generated in the test; none is a copy of the bundled data.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from docx import Document
from docx.oxml.ns import qn

from conftest import copy_workdir, gongfu, normalise

UNITS = ["市发改委", "市经信局", "市教育局", "市科技局", "市民政局", "市财政局", "市人社局", "市住建局",
         "市交通局", "市水利局", "市农业农村局", "市商务局", "市卫健委", "市海洋经济局", "市港航局"]


# ------------------------------------------------------------------------------------------------
# Reading the outputs.

def docx_tables(path: Path) -> list[list[tuple[bool, list[dict]]]]:
    """Each table as rows of (repeated header?, cells), a cell as {text, span, vmerge}."""
    out = []
    for tbl in Document(path).element.body.iter(qn("w:tbl")):
        rows = []
        for tr in tbl.iterchildren(qn("w:tr")):
            header = tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
            cells = []
            for tc in tr.iterchildren(qn("w:tc")):
                span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
                vm = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
                text = "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iterchildren(qn("w:p")))
                cells.append({"text": text, "span": int(span.get(qn("w:val"))) if span is not None else 1,
                              "vmerge": None if vm is None else (vm.get(qn("w:val")) or "continue")})
            rows.append((header, cells))
        out.append(rows)
    return out


def grid_texts(row: list[dict]) -> list[str]:
    """A row's text per grid column (a cell spanning two columns gives its text to both)."""
    out = []
    for cell in row:
        out += [cell["text"]] * cell["span"]
    return out


def section_orientations(path: Path) -> list[bool]:
    body = Document(path).element.body
    return [s.find(qn("w:pgSz")).get(qn("w:orient")) == "landscape" for s in body.iter(qn("w:sectPr"))]


def pdf_table_rows(path: Path) -> list[list[list[str | None]]]:
    """Per page, the rows of the table drawn there (cells from the ruling lines; None = covered by a span)."""
    with pdfplumber.open(path) as pdf:
        return [[[None if c is None else normalise(c) for c in row] for t in p.extract_tables() for row in t]
                for p in pdf.pages]


def pdf_pages(path: Path) -> list[tuple[float, float, str]]:
    with pdfplumber.open(path) as pdf:
        return [(p.width, p.height, p.extract_text() or "") for p in pdf.pages]


# ------------------------------------------------------------------------------------------------
# Generated sources.

def indicators_workbook(path: Path) -> list[tuple]:
    """主要指标: a title row, a two-level header (基期 / 目标值 per year), 类别 merged down."""
    rows = [("经济发展", "地区生产总值年均增长", "%", "7.2", "6.5", "6", "预期性", "市发改委"),
            ("经济发展", "数字经济核心产业增加值占比", "%", "9.8", "12", "≥13", "预期性", "市经信局"),
            ("经济发展", "研发经费支出占比", "%", "2.1", "2.5", "2.8", "预期性", "市科技局、市财政局"),
            ("民生福祉", "城镇调查失业率", "%", "<5", "<5.5", "<5.5", "预期性", "市人社局"),
            ("民生福祉", "每千人口拥有3岁以下\n婴幼儿托位数", "个", "3.6", "4.5", "5", "约束性", "市卫健委"),
            ("生态环境", "单位GDP能耗降低", "%", "—", "完成省下达任务", "", "约束性", "市发改委")]
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "指标"
    ws.append(["舟山市“十五五”主要指标"])
    ws.merge_cells("A1:I1")
    ws.append(["类别", "序号", "指标", "单位", "基期", "目标值", None, "属性", "牵头单位"])
    ws.append([None, None, None, None, "2024年", "2026年", "2027年", None, None])
    for rng in ("A2:A3", "B2:B3", "C2:C3", "D2:D3", "F2:G2", "H2:H3", "I2:I3"):
        ws.merge_cells(rng)
    for n, row in enumerate(rows, 1):
        ws.append([row[0] if n in (1, 4, 6) else None, n, *row[1:]])
    ws.merge_cells("A4:A6")
    ws.merge_cells("A7:A8")
    ws.merge_cells("F9:G9")    # one target for both years, as written
    book.create_sheet("说明").append(["本表由某办公室编制"])
    book.save(path)
    return rows


def key_tasks_workbook(path: Path, wrong_section: str) -> list[dict]:
    """A 200+ item key-task list in nested sections 一、/（一）with stated counts, 重点任务 merged
    down in some groups and left blank ("same as above") in others, multi-line measures."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "重点任务"
    ws.append(["2025年重点任务清单（共215项）"])
    ws.merge_cells("A1:E1")
    ws.append(["序号", "重点任务", "主要举措", "完成时限", "责任单位"])
    parts = [("一、", "推进高质量发展", [("产业升级", 30), ("开放合作", 24), ("科技创新", 26)]),
             ("二、", "促进共同富裕", [("收入分配", 22), ("公共服务", 28), ("社会保障", 20)]),
             ("三、", "建设美丽海岛", [("生态保护", 25), ("城乡建设", 20), ("文化繁荣", 19)])]
    items, n = [], 0
    chinese = "一二三四五六七八九"
    for number, part, groups in parts:
        total = sum(count for _, count in groups)
        ws.append([f"{number}{part}（{total}项）"])
        ws.merge_cells(start_row=ws.max_row, end_row=ws.max_row, start_column=1, end_column=5)
        for g, (group, count) in enumerate(groups):
            stated = count + 1 if group == wrong_section else count
            ws.append([f"（{chinese[g]}）{group}（{stated}项）"])
            ws.merge_cells(start_row=ws.max_row, end_row=ws.max_row, start_column=1, end_column=5)
            for k in range(count):
                n += 1
                task = f"{group}重点工作{k // 4 + 1}"
                measure = f"落实{group}第{k + 1}项举措" + ("\n开展专项督查" if k % 5 == 0 else "")
                units = "、".join(UNITS[(n + j) % len(UNITS)] for j in range(1 + n % 3))
                items.append({"number": n, "part": part, "group": group, "task": task, "measure": measure,
                              "units": units})
                blank = k % 4 and g == 1   # the second group of each part leaves "same as above" blank
                ws.append([n, None if blank else task, measure, f"2025年{n % 12 + 1}月", units])
            if g != 1:   # the other groups merge 重点任务 over its four rows
                first = ws.max_row - count + 1
                for start in range(first, ws.max_row + 1, 4):
                    end = min(start + 3, ws.max_row)
                    if end > start:
                        ws.merge_cells(start_row=start, end_row=end, start_column=2, end_column=2)
    book.save(path)
    return items


def breakthrough_docx(path: Path) -> list[tuple]:
    """突破清单 as a Word table: one target per year, a target spanning two years, a title above."""
    rows = [("海岛共富", "小岛整体迁建", "完成3个岛", "完成5个岛", "完成8个岛", "市农业农村局"),
            ("海岛共富", "海上“流动服务”全覆盖", "覆盖60%", "覆盖100%", None, "市卫健委、市交通局"),
            ("港航物流", "江海联运枢纽能级提升", "吞吐量增长5%", "吞吐量增长6%", "吞吐量增长6%", "市港航局")]
    doc = Document()
    doc.add_paragraph("附件3")
    doc.add_paragraph("2025—2027年改革突破清单")
    table = doc.add_table(rows=2 + len(rows), cols=6)
    heads = ["领域", "突破事项", "2025年", "2026年", "2027年", "牵头单位"]
    for c, h in enumerate(heads):
        table.cell(0, c).text = h
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            if value is not None:
                table.cell(r, c).text = value
    table.cell(2, 3).merge(table.cell(2, 4))        # 覆盖100% for 2026 and 2027
    table.cell(1, 0).merge(table.cell(2, 0))        # 海岛共富 merged down
    table.cell(2, 0).text = ""
    table.cell(1, 0).paragraphs[0].text = "海岛共富"
    last = table.rows[-1].cells
    last[0].text, last[1].text = "注：目标为年度目标", ""
    last[0].merge(last[5])
    doc.save(path)
    return rows


# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return copy_workdir(tmp_path_factory.mktemp("lists"))


def test_indicators_with_two_level_header_and_merged_categories(workdir, tmp_path):
    source = tmp_path / "主要指标.xlsx"
    rows = indicators_workbook(source)
    result = gongfu(workdir, "import", str(source), "--as", "zhibiao", "--sheet", "指标")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    entry = (workdir / "config.yaml").read_text(encoding="utf-8").split("  zhibiao:")[1]
    assert "kind: list" in entry and '"舟山市“十五五”主要指标"' in entry and '"类别"' in entry
    book = openpyxl.load_workbook(workdir / "data" / "zhibiao.xlsx")
    headers = [c.value for c in book.active[1]]
    assert headers == ["类别", "序号", "指标", "单位", "基期/2024年", "目标值/2026年", "目标值/2027年", "属性", "牵头单位"]

    result = gongfu(workdir, "build", "zhibiao")
    assert result.returncode == 0, result.stderr
    (table,) = docx_tables(workdir / "build" / "zhibiao.docx")
    head, body = table[:2], table[2:]
    assert all(repeated for repeated, _ in head) and not any(repeated for repeated, _ in body)
    assert [c["text"] for c in head[0][1]] == ["类别", "序号", "指标", "单位", "基期", "目标值", "属性", "牵头单位"]
    assert [c["span"] for c in head[0][1]] == [1, 1, 1, 1, 1, 2, 1, 1]
    assert [c["text"] for c in head[1][1] if c["vmerge"] != "continue"] == ["2024年", "2026年", "2027年"]
    assert len(body) == len(rows)
    for (_, cells), row, n in zip(body, rows, range(1, 7)):
        texts = grid_texts(cells)
        assert texts[1:5] == [str(n), row[1], row[2], row[3]]
        assert texts[7:] == [row[6], row[7]]
    # 类别 merged down as in the source: 经济发展 over rows 1-3, 民生福祉 over 4-5.
    assert [c[0]["vmerge"] for _, c in body] == ["restart", "continue", "continue", "restart", "continue", None]
    assert [c[0]["text"] for _, c in body if c[0]["vmerge"] != "continue"] == ["经济发展", "民生福祉", "生态环境"]
    # A target written once for two years stays one cell spanning both.
    last = body[-1][1]
    assert [c["span"] for c in last][5] == 2 and last[5]["text"] == "完成省下达任务"
    assert body[4][1][2]["text"] == "每千人口拥有3岁以下\n婴幼儿托位数"   # multi-line cell kept
    (width, height, text), = pdf_pages(workdir / "build" / "zhibiao.pdf")
    assert "舟山市“十五五”主要指标" in text
    (drawn,) = pdf_table_rows(workdir / "build" / "zhibiao.pdf")
    assert drawn[0] == ["类别", "序号", "指标", "单位", "基期", "目标值", None, "属性", "牵头单位"]
    assert drawn[1] == [None, None, None, None, "2024年", "2026年", "2027年", None, None]
    assert len(drawn) == 2 + len(rows) == 8
    for got, row, n in zip(drawn[2:], rows, range(1, 7)):
        expected = [row[0] if n in (1, 4, 6) else None, str(n), *row[1:]]
        if n == 6:
            expected[6] = None   # covered by the target spanning both years
        assert got == [None if e is None else normalise(e) for e in expected]


def test_key_task_list_of_215_items_in_nested_sections(workdir, tmp_path):
    source = tmp_path / "重点任务清单.xlsx"
    items = key_tasks_workbook(source, wrong_section="公共服务")
    result = gongfu(workdir, "import", str(source), "--as", "renwu-2025")
    assert result.returncode == 0, result.stderr
    # The wrong stated count is reported with file, sheet and row; so is the title's total.
    warning = next(line for line in result.stderr.splitlines() if "（二）公共服务（29项）" in line)
    assert "重点任务清单.xlsx" in warning and "工作表“重点任务”" in warning and "写明 29 项，实际 28 项" in warning
    assert re.search(r"第\d+行", warning)
    row = int(re.search(r"第(\d+)行", warning).group(1))
    assert openpyxl.load_workbook(source).active.cell(row, 1).value == "（二）公共服务（29项）"
    assert "写明 215 项，实际 214 项" in result.stderr
    assert sum(1 for line in result.stderr.splitlines() if "写明" in line) == 2

    result = gongfu(workdir, "build", "renwu-2025")
    assert result.returncode == 0, result.stderr
    docx = workdir / "build" / "renwu-2025.docx"
    assert section_orientations(docx) == [True]
    (table,) = docx_tables(docx)
    header = [cells for repeated, cells in table if repeated]
    assert [[c["text"] for c in cells] for cells in header] == [["序号", "重点任务", "主要举措", "完成时限", "责任单位"]]
    body = [cells for repeated, cells in table if not repeated]
    group_rows = [cells[0]["text"] for cells in body if len(cells) == 1]
    assert group_rows == ["一、推进高质量发展（80项）", "（一）产业升级（30项）", "（二）开放合作（24项）",
                          "（三）科技创新（26项）", "二、促进共同富裕（70项）", "（一）收入分配（22项）",
                          "（二）公共服务（28项）", "（三）社会保障（20项）", "三、建设美丽海岛（64项）",
                          "（一）生态保护（25项）", "（二）城乡建设（20项）", "（三）文化繁荣（19项）"]
    data = [cells for cells in body if len(cells) > 1]
    assert len(data) == len(items) == 214
    for cells, item in zip(data, items):
        texts = [c["text"] for c in cells]
        assert texts[0] == str(item["number"]) and texts[2] == item["measure"] and texts[4] == item["units"]
    # 重点任务 spans its four rows, whether merged or left blank in the source.
    starts = [(cells[1]["text"], cells[1]["vmerge"]) for cells in data]
    assert sum(1 for _, vm in starts if vm == "restart") == sum((c + 3) // 4 for c in (30, 24, 26, 22, 28, 20, 25, 20, 19)
                                                               ) - sum(1 for c in (30, 24, 26, 22, 28, 20, 25, 20, 19) if c % 4 == 1)
    blank_group = [t for (t, vm), item in zip(starts, items) if item["group"] == "公共服务" and vm != "continue"]
    assert blank_group == [f"公共服务重点工作{k}" for k in range(1, 8)]

    pages = pdf_pages(workdir / "build" / "renwu-2025.pdf")
    assert len(pages) > 5 and all(w > h for w, h, _ in pages)
    assert "2025年重点任务清单（共214项）" in normalise(pages[0][2])
    drawn = pdf_table_rows(workdir / "build" / "renwu-2025.pdf")
    assert len(drawn) == len(pages)
    for rows in drawn:   # the header repeats on every page
        assert rows[0] == ["序号", "重点任务", "主要举措", "完成时限", "责任单位"]
    numbered = [row for rows in drawn for row in rows[1:] if row[0] and row[0].isdigit()]
    assert [int(row[0]) for row in numbered] == list(range(1, 215))
    for row, item in zip(numbered, items):
        assert row[2] == normalise(item["measure"]) and row[4] == normalise(item["units"])


def test_breakthrough_list_from_a_word_table(workdir, tmp_path):
    source = tmp_path / "突破清单.docx"
    breakthrough_docx(source)
    result = gongfu(workdir, "import", str(source), "--table", "1", "--as", "tupo")
    assert result.returncode == 0, result.stderr
    assert "注：目标为年度目标" in result.stdout   # the note row is not data: kept as the table's note
    result = gongfu(workdir, "build", "tupo", "--format", "docx")
    assert result.returncode == 0, result.stderr
    (table,) = docx_tables(workdir / "build" / "tupo.docx")
    after_table = Document(workdir / "build" / "tupo.docx").element.body.find(qn("w:tbl")).getnext()
    assert "".join(t.text for t in after_table.iter(qn("w:t"))) == "注：目标为年度目标"
    body = [cells for repeated, cells in table if not repeated]
    assert len(body) == 3
    assert grid_texts(body[0])[1:] == ["小岛整体迁建", "完成3个岛", "完成5个岛", "完成8个岛",
                                                               "市农业农村局"]
    assert [c["span"] for c in body[1]] == [1, 1, 1, 2, 1]
    assert "覆盖100%" in [c["text"] for c in body[1] if c["span"] == 2]
    assert body[0][0]["vmerge"] == "restart" and body[1][0]["vmerge"] == "continue"
    title = Document(workdir / "build" / "tupo.docx").paragraphs
    assert any(p.text == "2025—2027年改革突破清单" for p in title)


def test_notice_with_several_list_attachments(workdir, tmp_path):
    for name, n in (("a", 3), ("b", 5), ("c", 2)):
        book = openpyxl.Workbook()
        book.active.append(["事项", "牵头单位"])
        for k in range(n):
            book.active.append([f"清单{name}第{k + 1}项", UNITS[k]])
        book.save(workdir / "data" / f"list-{name}.xlsx")
    config = workdir / "config.yaml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("documents:\n", """documents:
  duo-fujian:
    kind: notice
    notice: data/notice.yaml
    attachments:
      - {kind: list, title: "甲清单（{项数}项）", file: data/list-a.xlsx, number: continuous}
      - {kind: list, document: yi-qingdan}
      - {kind: list, title: 丙清单, file: data/list-c.xlsx, landscape: true}
  yi-qingdan:
    kind: list
    title: 乙清单（{项数}项）
    file: data/list-b.xlsx
    units: [牵头单位]
""", 1)
    config.write_text(text, encoding="utf-8")
    result = gongfu(workdir, "build", "duo-fujian", "yi-qingdan")
    assert result.returncode == 0, result.stderr
    pages = pdf_pages(workdir / "build" / "duo-fujian.pdf")
    flat = normalise("".join(t for _, _, t in pages))
    assert "附件：1.甲清单（3项）2.乙清单（5项）3.丙清单" in flat
    labels = [normalise(t).split("—")[0][:3] for _, _, t in pages if normalise(t).startswith("附件")]
    assert labels == ["附件1", "附件2", "附件3"]
    assert pages[-1][0] > pages[-1][1] or pages[-2][0] > pages[-2][1]   # 丙清单 on a landscape page
    # Each attachment on its own, and the list document alone.
    result = gongfu(workdir, "build", "duo-fujian", "--attachment", "2")
    assert result.returncode == 0, result.stderr
    alone = normalise(pdf_pages(workdir / "build" / "duo-fujian-attachment-2.pdf")[0][2])
    assert alone.startswith("附件2乙清单（5项）") and "清单b第5项" in alone and "甲清单" not in alone
    assert "乙清单（5项）" in normalise(pdf_pages(workdir / "build" / "yi-qingdan.pdf")[0][2])
    result = gongfu(workdir, "build", "duo-fujian", "--attachment", "4")
    assert result.returncode == 2 and "没有第4个附件（共 3 个）" in result.stderr


def test_import_keeps_config_comments_and_prose_import_still_works(workdir, tmp_path):
    before = (workdir / "config.yaml").read_text(encoding="utf-8")
    doc = Document()
    doc.add_paragraph("某某实施意见")
    doc.add_paragraph("一、总体要求")
    doc.add_paragraph("（一）目标")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "指标", "目标"
    table.cell(1, 0).text, table.cell(1, 1).text = "甲", "乙"
    doc.add_paragraph("二、保障措施")
    source = tmp_path / "yijian.docx"
    doc.save(source)
    result = gongfu(workdir, "import", str(source), "--as", "yijian-2025")
    assert result.returncode == 0, result.stderr
    assert (workdir / "data" / "yijian-2025.md").exists() and "--table" in result.stderr
    after = (workdir / "config.yaml").read_text(encoding="utf-8")
    kept = [line for line in before.splitlines() if line.strip().startswith("#")]
    assert kept and all(line in after.splitlines() for line in kept)
    assert after.startswith(before.rstrip("\n").split("\n  bulletin:")[0][:500])
    result = gongfu(workdir, "import", str(source), "--table", "1", "--as", "yijian-biao")
    assert result.returncode == 0, result.stderr
    assert "kind: list" in (workdir / "config.yaml").read_text(encoding="utf-8").split("yijian-biao:")[1]


def test_header_found_under_a_title_and_a_form_note(tmp_path):
    workdir = copy_workdir(tmp_path / "w")
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["附件2"])
    ws.append(["2025年典型案例清单"])
    ws.append(["填报单位：市共富办", None, None, "2025年3月"])
    ws.append(["序号", "案例名称", "主要做法", "报送单位"])
    ws.append([1, "共富工坊", "村企结对\n来料加工", "市农业农村局"])
    ws.append([2, "海上巡回医疗", "船载诊室", "市卫健委"])
    source = tmp_path / "案例.xlsx"
    book.save(source)
    result = gongfu(workdir, "import", str(source), "--as", "anli")
    assert result.returncode == 0, result.stderr
    entry = (workdir / "config.yaml").read_text(encoding="utf-8").split("  anli:")[1]
    assert 'title: "2025年典型案例清单"' in entry and "number: continuous" in entry
    assert [c.value for c in openpyxl.load_workbook(workdir / "data" / "anli.xlsx").active[1]] == \
        ["序号", "案例名称", "主要做法", "报送单位"]


@pytest.mark.parametrize("case, message", [
    ("no-header", "找不到表头行"),
    ("empty", "工作表是空的"),
    ("unknown-sheet", "找不到工作表“不存在”"),
    ("table-out-of-range", "没有第3个表格：文档中共有 1 个表格"),
    ("only-header", "表头行下面没有数据行"),
    ("unsaved-formula", "第3行，第2列：单元格含公式，但文件中没有保存计算结果"),
])
def test_bad_input_gets_a_clear_error(tmp_path, case, message):
    workdir = copy_workdir(tmp_path / "w")
    (workdir / "build").mkdir()
    (workdir / "build" / "keep.txt").write_text("x", encoding="utf-8")
    config_before = (workdir / "config.yaml").read_text(encoding="utf-8")
    source = tmp_path / "src.xlsx"
    book = openpyxl.Workbook()
    args = []
    if case == "no-header":
        for text in ("标题", "只有一列", "没有表头"):
            book.active.append([text])
    elif case == "unknown-sheet":
        book.active.append(["a", "b"])
        book.active.append(["1", "2"])
        args = ["--sheet", "不存在"]
    elif case == "only-header":
        book.active.append(["序号", "事项"])
    elif case == "unsaved-formula":   # a script-written workbook: the formula has no saved value
        book.active.append(["序号", "事项", "备注"])
        book.active.append(["1", "甲", "乙"])
        book.active.append(["2", '=HYPERLINK("http://x","点此")', "丙"])
    if case == "table-out-of-range":
        source = tmp_path / "src.docx"
        doc = Document()
        doc.add_table(rows=2, cols=2)
        doc.save(source)
        args = ["--table", "3"]
    else:
        book.save(source)
    result = gongfu(workdir, "import", str(source), "--as", "bad", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert source.name in result.stderr
    assert (workdir / "config.yaml").read_text(encoding="utf-8") == config_before
    assert not (workdir / "data" / "bad.xlsx").exists()
    assert [p.name for p in (workdir / "build").iterdir()] == ["keep.txt"]


def test_list_config_naming_a_missing_column_is_an_error(tmp_path):
    workdir = copy_workdir(tmp_path / "w")
    config = workdir / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "    sections: [分组]                    #", "    sections: [类别]                    #"), encoding="utf-8")
    result = gongfu(workdir, "build", "gaige-tupo-2024")
    assert result.returncode == 2 and "“sections”中的列“类别”在表格中不存在" in result.stderr
    assert "config.yaml，第" in result.stderr and "Traceback" not in result.stderr
    assert not (workdir / "build" / "gaige-tupo-2024.pdf").exists()


def test_bundled_list_example(built):
    pages = pdf_pages(built / "build" / "gaige-tupo-2024.pdf")
    assert all(w > h for w, h, _ in pages)
    flat = normalise(pages[0][2])
    assert "2024—2026年共同富裕改革突破清单（7项）" in flat
    assert "一、缩小收入差距（3项）" in flat and "三、缩小地区差距（2项）" in flat
    (table,) = docx_tables(built / "build" / "gaige-tupo-2024.docx")
    assert [c["text"] for c in table[0][1]] == ["序号", "改革事项", "突破目标", "牵头单位"]
    book = openpyxl.load_workbook(built / "data" / "lists" / "gaige-tupo-2024.xlsx")
    source_rows = [r for r in book.active.iter_rows(min_row=2, values_only=True)]
    body = [cells for repeated, cells in table if not repeated and len(cells) > 1]
    assert len(body) == len(source_rows) == 7
    for n, (cells, row) in enumerate(zip(body, source_rows), 1):
        assert [cells[0]["text"], cells[1]["text"], cells[-1]["text"]] == [str(n), row[2], row[6]]
    spans = [[c["span"] for c in cells] for cells in body]
    assert spans[3] == [1, 1, 1, 2, 1] and spans[5] == [1, 1, 3, 1]   # targets written across years


@pytest.mark.parametrize("span", ["abc", "20000000", "²"])
def test_a_word_table_with_an_impossible_span_is_refused(workdir, tmp_path, span):
    """A cell merged over “abc” or twenty million grid columns (a crafted file: 2 GB of empty cells):
    an error naming the table and row, nothing imported."""
    source = tmp_path / "突破清单.docx"
    breakthrough_docx(source)
    document = Document(source)
    grid_span = next(document.element.body.iter(qn("w:gridSpan")))
    grid_span.set(qn("w:val"), span)
    document.save(source)
    result = gongfu(workdir, "import", str(source), "--table", "1", "--as", "tupo-span")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "表格1第" in result.stderr and "合并列数" in result.stderr, result.stderr
    assert not (workdir / "data" / "tupo-span.xlsx").exists()
