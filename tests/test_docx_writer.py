"""The DOCX writer on views made for the purpose: text that XML must escape or keep, merged
cells, pictures, the package itself, and the Word template read again when it changes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm

from conftest import copy_workdir, gongfu
from gongfu_reports.compose.blocks import Cell, Column, DocumentView, Image, Paragraph, Run, Section, Table

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return copy_workdir(tmp_path_factory.mktemp("writer"))


@pytest.fixture(scope="module")
def config(workdir):
    from gongfu_reports.kinds import load_config

    return load_config(workdir)


def render(view, config) -> bytes:
    from gongfu_reports.render.docx import render_docx

    return render_docx(view, config)


def view_of(*blocks, landscape=False) -> DocumentView:
    return DocumentView(id="t", title="测试", date="2024-05-06", frame=None,
                        sections=[Section(landscape=landscape, blocks=list(blocks))])


def png(width: int, height: int, colour: str) -> bytes:
    from PIL import Image as PILImage

    out = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(out, format="PNG", dpi=(96, 96))
    return out.getvalue()


def test_text_is_escaped_and_its_spaces_tabs_and_breaks_kept(config):
    texts = ["甲 & 乙 <丙> \"丁\" '戊'", "  前后有空格  ", "\u3000全角空格开头", "一\t二\n三", "&amp; 不是实体"]
    view = view_of(*[Paragraph("body", [Run(t)]) for t in texts],
                   Paragraph("body", [Run("加粗 & ", bold=True), Run("<黑体>", font="hei")]))
    doc = Document(io.BytesIO(render(view, config)))
    paragraphs = doc.paragraphs
    assert [p.text for p in paragraphs[:5]] == texts
    # Word drops leading and trailing spaces unless the text says to keep them.
    kept = [t.get("{http://www.w3.org/XML/1998/namespace}space") for p in paragraphs[:4] for t in p._p.iter(qn("w:t"))]
    assert kept == [None, "preserve", "preserve", None, None, None]
    assert paragraphs[5].runs[0].bold and paragraphs[5].runs[0].text == "加粗 & "
    fonts = paragraphs[5].runs[1]._r.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "黑体" and paragraphs[5].runs[1].text == "<黑体>"
    assert all(p.style.name == "公文正文" for p in paragraphs[:6])


def test_spans_become_merged_cells_where_the_view_puts_them(config):
    c = Cell
    # 4 columns; "甲" spans 3 rows, "乙" 2 rows × 2 columns, "丙" 2 columns.
    header = [[c(["序号"]), c(["名称"]), c(["数量"]), c(["备注"])]]
    rows = [[c(["甲"], rowspan=3), c(["乙", "第二行"], rowspan=2, colspan=2), c(["a"])],
            [c(["b"])],
            [c(["丙 & 丁"], colspan=2), c(["c"], align="center")]]
    table = Table(columns=[Column(1), Column(3), Column(1), Column(2)], header=header, rows=rows, font_size=10.5)
    doc = Document(io.BytesIO(render(view_of(table), config)))
    t = doc.tables[0]
    # What covers each grid position, worked out here from the spans above.
    expected = [["序号", "名称", "数量", "备注"],
                ["甲", "乙\n第二行", "乙\n第二行", "a"],
                ["甲", "乙\n第二行", "乙\n第二行", "b"],
                ["甲", "丙 & 丁", "丙 & 丁", "c"]]
    assert [[t.cell(r, k).text for k in range(4)] for r in range(4)] == expected
    assert t.cell(1, 0)._tc is t.cell(3, 0)._tc          # one cell, 3 rows
    assert t.cell(1, 1)._tc is t.cell(2, 2)._tc          # one cell, 2 × 2
    assert t.cell(3, 1)._tc is t.cell(3, 2)._tc          # one cell, 2 columns
    grid = [Mm(0) + int(g.get(qn("w:w"))) * 635 for g in t._tbl.tblGrid.iter(qn("w:gridCol"))]
    assert abs(sum(grid) - Mm(156)) < Mm(0.2)             # the full 版心 width
    assert [round(g / sum(grid) * 7, 2) for g in grid] == [1, 3, 1, 2]
    rows_xml = t._tbl.findall(qn("w:tr"))
    assert rows_xml[0].find(f"{W}trPr/{W}tblHeader") is not None    # repeats on each page
    assert all(r.find(f"{W}trPr/{W}tblHeader") is None for r in rows_xml[1:])
    # Header cells in the style sheet's 表头 (黑体, centred, as in the PDF); a merged cell that may
    # cross a page starts at the top.
    header = t.rows[0].cells[0].paragraphs[0]
    assert header.style.name == "表头" and header.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert header.style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    assert t.cell(1, 0).vertical_alignment == WD_CELL_VERTICAL_ALIGNMENT.TOP
    assert t.cell(1, 3).vertical_alignment == WD_CELL_VERTICAL_ALIGNMENT.CENTER
    assert t.cell(3, 3).paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert t.cell(1, 3).paragraphs[0].alignment is None   # the style's (left)
    assert t.cell(1, 3).paragraphs[0].runs[0].font.size.pt == 10.5


def test_pictures_share_parts_and_are_numbered(config):
    red, blue = png(40, 30, "red"), png(30, 60, "blue")
    view = view_of(Image(red, "", 80), Paragraph("body", [Run("间隔")]), Image(blue, "", 50), Image(red, "", 40))
    data = render(view, config)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        media = sorted(n for n in z.namelist() if n.startswith("word/media/"))
        assert media == ["word/media/image1.png", "word/media/image2.png"]
        assert z.read("word/media/image1.png") == red and z.read("word/media/image2.png") == blue
        assert z.read("[Content_Types].xml").count(b'Extension="png"') == 1
    doc = Document(io.BytesIO(data))
    shapes = doc.inline_shapes
    assert len(shapes) == 3
    assert [round(s.width.mm) for s in shapes] == [80, 50, 40]
    assert round(shapes[0].height.mm) == 60 and round(shapes[1].height.mm) == 100   # aspect kept
    blips = [b.get(qn("r:embed")) for b in doc.element.body.iter(qn("a:blip"))]
    assert blips[0] == blips[2] != blips[1]
    parts = {rid: rel.target_part.partname for rid, rel in doc.part.rels.items() if rid in blips}
    assert parts[blips[0]] == "/word/media/image1.png" and parts[blips[1]] == "/word/media/image2.png"
    ids = [e.get("id") for e in doc.element.body.iter("{http://schemas.openxmlformats.org/drawingml/2006/"
                                                      "wordprocessingDrawing}docPr")]
    assert ids == ["1001", "1002", "1003"]


def test_package_is_what_zipfile_writes_with_the_fixed_time_stamp(config):
    from gongfu_reports.publish import normalise_zip

    for view in (view_of(Paragraph("body", [Run("正文")])), view_of(Image(png(20, 20, "green"), "", 30))):
        data = render(view, config)
        assert normalise_zip(data, dt.datetime(2024, 5, 6)) == data
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert z.testzip() is None
            assert {i.date_time for i in z.infolist()} == {(2024, 5, 6, 0, 0, 0)}
            assert z.namelist()[0] == "[Content_Types].xml"
        assert render(view, config) == data   # cached template: same bytes


def test_landscape_sections_and_the_section_breaks(config):
    view = DocumentView(id="t", title="测试", date="2024-05-06", frame=None, sections=[
        Section(False, [Paragraph("body", [Run("竖")])]), Section(True, [Paragraph("body", [Run("横")])]),
        Section(False, [Paragraph("body", [Run("又竖")])])])
    doc = Document(io.BytesIO(render(view, config)))
    assert [s.page_width > s.page_height for s in doc.sections] == [False, True, False]
    assert [len(s.footer.paragraphs) for s in doc.sections] == [1, 1, 1]   # footers kept in every section
    assert [p.text for p in doc.paragraphs if p.text] == ["竖", "横", "又竖"]


def test_an_edited_template_is_read_again_at_once(workdir, config):
    from gongfu_reports.render.docx import PLAIN_TEMPLATE_NAME, template_path

    view = view_of(Paragraph("body", [Run("正文")]))
    before = render(view, config)
    path = template_path(config, PLAIN_TEMPLATE_NAME)
    assert path.is_relative_to(workdir)
    original = path.read_bytes()
    try:
        template = Document(path)
        body = next(p for p in template.paragraphs if "body" in p.text)
        body.insert_paragraph_before("（草稿）")
        template.save(path)
        assert [p.text for p in Document(io.BytesIO(render(view, config))).paragraphs] == ["（草稿）", "正文"]
    finally:
        path.write_bytes(original)
    assert render(view, config) == before


def test_a_body_tag_inside_a_sentence_is_refused_with_the_template_named(tmp_path):
    work = copy_workdir(tmp_path / "work")
    path = work / "templates" / "docx" / "plain.docx"
    template = Document(path)
    body = next(p for p in template.paragraphs if "body" in p.text)
    for run in body.runs:
        run.text = ""
    body.runs[0].text = "正文如下：{{ body }}"
    template.save(path)
    result = gongfu(work, "build", "shishi-fangan", "--format", "docx")
    assert result.returncode == 2, result.stderr
    assert "templates/docx/plain.docx" in result.stderr and "{{p body }}" in result.stderr
    assert "Traceback" not in result.stderr and not (work / "build" / "shishi-fangan.docx").exists()


def test_a_template_without_a_style_the_body_needs_gets_it_from_the_style_sheet(tmp_path):
    """A Word template edited in Word may lose a style: the style sheet makes it again."""
    work = copy_workdir(tmp_path / "work")
    path = work / "templates" / "docx" / "plain.docx"
    template = Document(path)
    template.styles["表格文字"].delete()
    template.save(path)
    result = gongfu(work, "build", "gaige-tupo-2024", "--format", "docx")
    assert result.returncode == 0, result.stderr
    doc = Document(work / "build" / "gaige-tupo-2024.docx")
    style = doc.styles["表格文字"]
    assert style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    cells = [p for t in doc.tables for row in t.rows[1:] for c in row.cells for p in c.paragraphs if p.text]
    assert cells and any(p.style.name == "表格文字" for p in cells)


def test_core_properties_once_each_in_their_own_namespaces(config):
    """Word reports unreadable content when docProps/core.xml holds elements from other
    namespaces (a second cp:revision in the custom-properties namespace was written before)."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(render(view_of(Paragraph("body", [Run("正文")])), config))) as z:
        core = etree.fromstring(z.read("docProps/core.xml"))
    allowed = {"http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
               "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/"}
    names = [etree.QName(child) for child in core]
    assert {name.namespace for name in names} <= allowed
    assert len({name.localname for name in names}) == len(names)
    values = {etree.QName(child).localname: child.text for child in core}
    assert values["title"] == "测试" and values["creator"] == values["lastModifiedBy"] == "gongfu-reports"
    assert values["revision"] == "1"
    assert values["created"] == values["modified"] == "2024-05-06T00:00:00Z"
