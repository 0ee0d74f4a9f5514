"""Prose documents from Markdown outlines (seed 001): numbering, bold leads, errors, plan → forms."""

from __future__ import annotations

import openpyxl
import pytest
from docx import Document

from conftest import SEEDS, copy_workdir, coverage, docx_text, gongfu
from test_content import pdf_text


@pytest.fixture(scope="module")
def fangan(built):
    return built / "build" / "shishi-fangan.docx", built / "build" / "shishi-fangan.pdf"


def test_reproduces_seed_001_body(fangan):
    seed = (SEEDS / "001_58f6c8e0dd5c019a.txt").read_text(encoding="utf-8")
    body = seed[seed.index("舟山高质量发展建设共同富裕示范区先行市实施方案"):seed.index("(来源")]
    docx, pdf = fangan
    assert coverage(body, docx_text(docx)) >= 0.95
    assert coverage(body, pdf_text(pdf)) >= 0.95


def test_headings_numbered_and_items_continuous_with_bold_leads(fangan):
    doc = Document(fangan[0])
    chapters = [p.text for p in doc.paragraphs if p.style.name == "一级标题"]
    assert [c.split("、")[0] for c in chapters] == list("一二三四五六七八九")
    assert chapters[0] == "一、全面落实发展目标"
    items = [p for p in doc.paragraphs if p.runs and p.runs[0].bold]
    assert [p.runs[0].text.split(".")[0] for p in items] == [str(n) for n in range(1, 46)]
    assert items[0].runs[0].text == "1.打造具有国际竞争力的现代海洋产业。"
    assert items[0].runs[1].bold is not True and items[0].runs[1].text.startswith("巩固壮大实体经济根基")


PLAN = """---
标题: 测试方案
要求牵头单位: {require}
---

导语。

# 第一章

## 第一项 {{#T-01 市发改委、市经信局}}
第一项正文。

## 第二项 {{#T-02 市财政局}}
第二项正文。
"""


def write_plan(workdir, text):
    (workdir / "data" / "plan.md").write_text(text, encoding="utf-8")
    config = (workdir / "config.yaml").read_text(encoding="utf-8")
    config += "\n  plan-doc:\n    kind: prose\n    file: data/plan.md\n"
    (workdir / "config.yaml").write_text(config, encoding="utf-8")


@pytest.mark.parametrize("change, message, line", [
    (lambda t: t.replace("## 第一项", "### 第一项"), "标题层级跳级", 10),
    (lambda t: t.replace("#T-02", "#T-01"), "编号“T-01”重复", 13),
    (lambda t: t.replace("市财政局}", "市财务局}"), "单位“市财务局”不在单位名册中", 13),
    (lambda t: t.replace("## 第一项", "## 1.第一项"), "手写了编号", 10),
    (lambda t: t.replace(" {#T-02 市财政局}", ""), "缺少牵头单位", 13),
])
def test_markdown_mistakes_name_file_and_line(tmp_path, change, message, line):
    workdir = copy_workdir(tmp_path / "w")
    write_plan(workdir, change(PLAN.format(require="true")))
    result = gongfu(workdir, "build", "plan-doc")
    assert result.returncode == 2, result.stdout
    assert "data/plan.md" in result.stderr and f"第{line}行" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


def test_plan_items_with_ids_become_tasks_in_forms(tmp_path):
    workdir = copy_workdir(tmp_path / "w")
    write_plan(workdir, PLAN.format(require="true"))
    config = (workdir / "config.yaml").read_text(encoding="utf-8")
    start = config.index("  bulletin:")
    config = config[:start] + ("  bulletin:\n    kind: bulletin\n    tasks: data/plan.md\n"
                               "    progress: data/plan-progress\n") + config[config.index("  tongbao:"):]
    config = config[:config.index("  tongbao:")]  + config[config.index("  plan-doc:"):]
    (workdir / "config.yaml").write_text(config, encoding="utf-8")
    result = gongfu(workdir, "forms", "--period", "2024-09")
    assert result.returncode == 0, result.stderr
    forms = workdir / "build" / "forms" / "2024-09"
    assert sorted(p.stem for p in forms.glob("*.xlsx")) == ["市发改委", "市财政局"]
    sheet = openpyxl.load_workbook(forms / "市发改委.xlsx")["进展填报"]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert "T-01" in values and "第一项。第一项正文。" in values


def test_import_docx_round_trip(built, tmp_path):
    workdir = copy_workdir(tmp_path / "w")
    result = gongfu(workdir, "import", str(built / "build" / "shishi-fangan.docx"), "--as", "imported")
    assert result.returncode == 0, result.stderr
    markdown = (workdir / "data" / "imported.md").read_text(encoding="utf-8")
    assert "\n# 全面落实发展目标\n" in markdown and "\n## 打造具有国际竞争力的现代海洋产业\n巩固壮大" in markdown
    assert "1." not in markdown.split("---")[2][:200]  # typed numbers stripped
    result = gongfu(workdir, "build", "imported", "--format", "docx")
    assert result.returncode == 0, result.stderr
    assert docx_text(workdir / "build" / "imported.docx") == docx_text(built / "build" / "shishi-fangan.docx")


def test_import_recognises_typed_numbering(tmp_path):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    source = Document()
    source.add_paragraph("某某工作意见").alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in ("总述。", "一、总体要求", "（一）指导思想", "坚持问题导向。", "（二）工作目标",
                 "1.完成甲项任务。具体内容。", "2.完成乙项任务。", "二、保障措施", "（一）加强领导",
                 "1.建立机制。内容。", "（1）细项说明"):
        source.add_paragraph(text)
    path = tmp_path / "yijian.docx"
    source.save(path)
    workdir = copy_workdir(tmp_path / "w")
    result = gongfu(workdir, "import", str(path), "--as", "yijian")
    assert result.returncode == 0, result.stderr
    markdown = (workdir / "data" / "yijian.md").read_text(encoding="utf-8")
    assert '层级编号: ["一、", "（一）", "1.", "（1）"]' in markdown
    assert "连续编号" not in markdown  # items restart at 1 in the second chapter
    for line in ("# 总体要求", "## 指导思想", "### 完成甲项任务\n具体内容。", "#### 细项说明"):
        assert f"\n{line}" in markdown
    result = gongfu(workdir, "build", "yijian", "--format", "docx")
    assert result.returncode == 0, result.stderr
    text = docx_text(workdir / "build" / "yijian.docx")
    assert "一、总体要求" in text and "（二）工作目标" in text and "1.完成甲项任务。具体内容。" in text
    assert "1.建立机制。内容。" in text and "（1）细项说明" in text


def test_import_takes_odd_titles_and_numbers_as_written(tmp_path):
    """A title that starts with a bracket (YAML would read it as a list) and a heading numbered
    “一百、” (beyond the numbers the tool writes): imported, and the document builds with both."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    source = Document()
    source.add_paragraph("[征求意见稿]某某工作意见").alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in ("总述。", "一、总体要求", "坚持问题导向。", "一百、其他事项", "另行通知。"):
        source.add_paragraph(text)
    path = tmp_path / "yijian.docx"
    source.save(path)
    workdir = copy_workdir(tmp_path / "w")
    result = gongfu(workdir, "import", str(path), "--as", "yijian")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    result = gongfu(workdir, "build", "yijian", "--format", "docx")
    assert result.returncode == 0, result.stderr
    text = docx_text(workdir / "build" / "yijian.docx")
    assert "[征求意见稿]某某工作意见" in text and "其他事项" in text


def test_import_refuses_a_non_docx(tmp_path):
    workdir = copy_workdir(tmp_path / "w")
    bad = tmp_path / "x.docx"
    bad.write_text("不是 Word 文件", encoding="utf-8")
    result = gongfu(workdir, "import", str(bad), "--as", "x")
    assert result.returncode == 2 and "无法作为 Word 文档" in result.stderr and "Traceback" not in result.stderr


def test_prose_issued_inside_a_notice(tmp_path):
    workdir = copy_workdir(tmp_path / "w")
    config = (workdir / "config.yaml").read_text(encoding="utf-8")
    config += ("\n  fangan-notice:\n    kind: notice\n    notice: data/notice.yaml\n    enclosures:\n"
               "      - kind: prose\n        file: data/shishi-fangan/plan.md\n")
    (workdir / "config.yaml").write_text(config, encoding="utf-8")
    result = gongfu(workdir, "build", "fangan-notice", "--format", "docx")
    assert result.returncode == 0, result.stderr
    doc = Document(workdir / "build" / "fangan-notice.docx")
    paragraphs = [p for p in doc.paragraphs if p.text]
    texts = [p.text.replace("\n", "") for p in paragraphs]   # titles break in two lines
    assert texts[0] == "舟山高质量发展建设共同富裕示范区先行市领导小组办公室文件"
    plan_title = texts.index("舟山高质量发展建设共同富裕示范区先行市实施方案")
    assert plan_title > texts.index("2024年4月30日")
    assert paragraphs[plan_title].paragraph_format.page_break_before
    assert texts[plan_title + 1] == "（2021—2025年）"   # written "(2021-2025年)": GB/T 15834
    leads = [p.runs[0].text for p in paragraphs if p.runs and p.runs[0].bold]
    assert [t.split(".")[0] for t in leads] == [str(n) for n in range(1, 46)]


def test_a_line_break_written_in_the_title_is_kept_in_both_outputs(tmp_path):
    """GB/T 9704 asks titles to break where the words allow: the writer marks the break."""
    import pdfplumber
    from docx.oxml.ns import qn

    workdir = copy_workdir(tmp_path / "w")
    plan = workdir / "data" / "shishi-fangan" / "plan.md"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("标题: 舟山高质量发展建设共同富裕示范区先行市实施方案",
                                 '标题: "舟山高质量发展建设共同富裕示范区\\n先行市实施方案"', 1), encoding="utf-8")
    result = gongfu(workdir, "build", "shishi-fangan")
    assert result.returncode == 0, result.stderr
    title = Document(workdir / "build" / "shishi-fangan.docx").paragraphs[0]
    assert title.text == "舟山高质量发展建设共同富裕示范区\n先行市实施方案"
    assert len(title._p.findall(f".//{qn('w:br')}")) == 1
    with pdfplumber.open(workdir / "build" / "shishi-fangan.pdf") as pdf:
        page = pdf.pages[0]
        lines = page.extract_text_lines()[:2]
    assert [l["text"] for l in lines] == ["舟山高质量发展建设共同富裕示范区", "先行市实施方案"]
    for line in lines:   # each line centred on the page
        assert abs((line["x0"] + line["x1"]) / 2 - (28 + 156 / 2) * 72 / 25.4) < 3


def test_attachment_note_joins_a_title_written_on_two_lines():
    from gongfu_reports.compose.notice import attachment_note

    assert [p.text for p in attachment_note(["2025年重点任务\n清单", "名单"])] == ["附件：1.2025年重点任务清单",
                                                                                "2.名单"]
