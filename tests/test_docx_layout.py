"""The DOCX checked the way Word reads it: sections, grid, fonts, footers, tables."""

from __future__ import annotations

import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def doc(docx_path):
    return Document(docx_path)


def test_sections_are_a4_with_gbt9704_margins(doc):
    kinds = []
    for section in doc.sections:
        landscape = section.page_width > section.page_height
        kinds.append(landscape)
        width, height = (section.page_height, section.page_width) if landscape else (section.page_width, section.page_height)
        assert abs(width - Mm(210)) < Mm(0.5) and abs(height - Mm(297)) < Mm(0.5)
        if not landscape:
            for value, mm in ((section.top_margin, 37), (section.bottom_margin, 35),
                              (section.left_margin, 28), (section.right_margin, 26)):
                assert abs(value - Mm(mm)) < Mm(0.3)
    assert kinds == [False, True, False]  # notice + plan, 附件1 landscape, 附件2


def test_line_grid_and_body_style(doc):
    for section in doc.sections:
        grid = section._sectPr.find(qn("w:docGrid"))
        assert grid.get(qn("w:type")) == "lines"
        assert grid.get(qn("w:linePitch")) == "579"  # 28.95 pt: 22 lines on 225 mm
    normal = doc.styles["Normal"]
    assert normal.font.size.pt == 16
    assert normal.paragraph_format.line_spacing.pt == pytest.approx(28.95, abs=0.05)
    spacing = normal.element.rPr.find(qn("w:spacing"))
    assert int(spacing.get(qn("w:val"))) < 0  # condensed so 28 characters fit 156 mm


def test_official_font_names(doc):
    def east_asia(style):
        return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))

    assert east_asia(doc.styles["Normal"]) == "仿宋_GB2312"
    assert east_asia(doc.styles["公文标题"]) == "方正小标宋简体"
    assert east_asia(doc.styles["一级标题"]) == "黑体"
    assert east_asia(doc.styles["二级标题"]) == "楷体_GB2312"
    assert east_asia(doc.styles["发文机关标志"]) == "方正小标宋简体"
    assert doc.styles["公文标题"].font.size.pt == 22
    assert str(doc.styles["发文机关标志"].font.color.rgb) == "FF0000"


def test_the_east_asian_language_is_chinese(doc):
    """Word takes the theme's East Asian fonts by the document's East Asian language, for the styles a clerk
    applies from its gallery (标题 1 and the like): Chinese, so such text is not set in a Japanese font."""
    assert doc.settings.element.find(qn("w:themeFontLang")).get(qn("w:eastAsia")) == "zh-CN"
    defaults = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert defaults.get(qn("w:eastAsia")) == "zh-CN"
    heading = doc.styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert heading.get(qn("w:eastAsiaTheme")) == "majorEastAsia"   # the theme's font, by the language above


def test_headings_and_bold_lead_sentences(doc):
    paras = [(p.style.name, p.text) for p in doc.paragraphs]
    h1 = [t for s, t in paras if s == "一级标题"]
    assert h1 == ["一、指标目标", "二、重点任务", "三、保障措施"]
    h2 = [t for s, t in paras if s == "二级标题"]
    assert h2[0] == "（一）筑牢高质量发展基石" and h2[-1] == "（六）实施基层治理现代化行动"
    items = [p for p in doc.paragraphs if p.runs and p.runs[0].bold and p.style.name == "公文正文"]
    numbers = [p.runs[0].text.split(".")[0] for p in items]
    assert numbers == [str(n) for n in range(1, 15)]  # continuous across sections
    assert items[0].runs[0].text == "1.夯实共同富裕物质基础。"
    assert items[0].runs[1].bold is not True
    assert "（市经信局、市市场监管局、市数据局）" in items[0].text


def test_odd_and_even_footers_with_page_fields(docx_path, doc):
    with zipfile.ZipFile(docx_path) as z:
        settings = z.read("word/settings.xml").decode()
        assert "evenAndOddHeaders" in settings
    section = doc.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert "PAGE" in xml and "fldChar" in xml
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.alignment is not None and p.alignment.name.lower() == align
        assert footer.paragraphs[0].style.font.size.pt == 14


def test_tables_repeat_header_and_merge_cells(doc):
    indicator, tasks = doc.tables[0], doc.tables[1]
    for table in (indicator, tasks):
        first = table.rows[0]._tr
        assert first.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
    # 类别 merged down its rows: the first category spans indicators 1–6.
    xml = indicator._tbl.xml
    assert xml.count('w:vMerge w:val="restart"') >= 4 + 3  # 4 categories, sub-row indicators
    assert indicator.cell(1, 0).text == "经济高质量发展"
    assert indicator.cell(6, 0)._tc is indicator.cell(1, 0)._tc
    # 附件1: group header rows span all five columns with computed counts.
    group_rows = [r for r in tasks.rows if len({c._tc for c in r.cells}) == 1 and "项）" in r.cells[0].text]
    assert [r.cells[0].text for r in group_rows][:2] == ["（一）筑牢高质量发展基石（4项）", "（二）实施缩小地区差距行动（8项）"]
    assert len(group_rows) == 7
    # 重点任务 merged down its rows: rows 1–4 share one cell.
    assert tasks.cell(2, 0)._tc is tasks.cell(5, 0)._tc
    assert tasks.cell(2, 0).text == "夯实共同富裕物质基础"


def test_docx_is_deterministic(built):
    from conftest import DOC_ID, gongfu

    first = (built / "build" / f"{DOC_ID}.docx").read_bytes()
    first_pdf = (built / "build" / f"{DOC_ID}.pdf").read_bytes()
    result = gongfu(built, "build", "--force")
    assert result.returncode == 0, result.stderr
    assert (built / "build" / f"{DOC_ID}.docx").read_bytes() == first
    assert (built / "build" / f"{DOC_ID}.pdf").read_bytes() == first_pdf
