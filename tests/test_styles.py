"""One style sheet (templates/styles.yaml) for every renderer: an editor changes a role once, and the
Word file and the PDFs of both engines follow; a wrong entry is a clear error with its line."""

from __future__ import annotations

import re
import shutil
from collections import Counter

import pdfplumber
import pytest
from docx import Document
from docx.oxml.ns import qn

from conftest import REPO, copy_workdir, gongfu, normalise, pdf_engine

DOC = "shishi-fangan"


@pytest.fixture(scope="module")
def restyled(tmp_path_factory):
    """The prose example with the 一级标题 role changed once in the sheet: 楷体, 18 pt, centred, bold."""
    folder = copy_workdir(tmp_path_factory.mktemp("styles"))
    sheet = folder / "templates" / "styles.yaml"
    sheet.write_text("# 本单位：一级标题改为楷体、18 磅、居中、加粗\n"
                     "h1: {样式名: 一级标题, 字体: kai, 字号: 18, 加粗: 是, 对齐: 居中}\n", encoding="utf-8")
    html = gongfu(folder, "build", DOC, "--engine", "html")
    assert html.returncode == 0, html.stderr
    shutil.copy(folder / "build" / f"{DOC}.pdf", folder / "html.pdf")
    typst = gongfu(folder, "build", DOC, "--engine", "typst", "--format", "pdf")
    assert typst.returncode == 0, typst.stderr
    # Each PDF is the engine's own (config.yaml's pdf_engine would otherwise make both with Typst).
    assert pdf_engine(folder / "html.pdf") == "html"
    assert pdf_engine(folder / "build" / f"{DOC}.pdf") == "typst"
    return folder


def h1_lines(pdf_path):
    """(text, font, mean size, offset of its centre from the page's) of the lines that are 一、 二、 headings."""
    out = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages[:8]:
            for line in page.extract_text_lines(return_chars=True):
                text = normalise(line["text"])
                if re.match(r"^[一二三四五六七八九十]+、", text) and len(text) < 30:
                    chars = [c for c in line["chars"] if c["text"].strip()]
                    out.append((text, Counter(c["fontname"].split("+")[-1] for c in chars).most_common(1)[0][0],
                                round(sum(c["size"] for c in chars) / len(chars), 1),
                                (chars[0]["x0"] + chars[-1]["x1"]) / 2 - page.width / 2))
    return out


@pytest.mark.parametrize("pdf", ["html.pdf", f"build/{DOC}.pdf"], ids=["html-engine", "typst-engine"])
def test_both_pdf_engines_follow_the_changed_role(restyled, pdf):
    lines = h1_lines(restyled / pdf)
    assert len(lines) >= 2, "no 一、 heading found"
    for text, font, size, centre_offset in lines:
        assert "kai" in font.lower(), (text, font)   # 楷体 (FandolKai), not the 黑体 of the bundled sheet
        assert size == pytest.approx(18, abs=0.2), (text, size)
        assert abs(centre_offset) < 15, (text, centre_offset)   # centred on the page's text area (±)


def test_the_word_file_follows_the_changed_role(restyled):
    doc = Document(restyled / "build" / f"{DOC}.docx")
    style = doc.styles["一级标题"]
    assert style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "楷体_GB2312"
    assert style.font.size.pt == 18 and style.font.bold
    assert style.paragraph_format.alignment == 1   # centre
    # The roles the working folder did not change keep the bundled sheet's settings.
    body = doc.styles["公文正文"]
    assert body.font.size.pt == 16 and body.paragraph_format.first_line_indent.pt == pytest.approx(31.5)
    headings = [p for p in doc.paragraphs if re.match(r"^[一二三四五六七八九十]+、", p.text) and len(p.text) < 30]
    assert len(headings) >= 2 and all(p.style.name == "一级标题" for p in headings)


def test_a_wrong_entry_names_the_sheet_and_line(tmp_path):
    folder = copy_workdir(tmp_path / "w")
    (folder / "templates" / "styles.yaml").write_text("body: {样式名: 公文正文, 字体: 仿宋}\n"
                                                      "h9: {样式名: 九级标题, 字体: hei}\n", encoding="utf-8")
    result = gongfu(folder, "build", DOC, "--format", "docx")
    assert result.returncode == 2
    assert "templates/styles.yaml，第1行" in result.stderr and "字体“仿宋”不认识" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (folder / "build" / f"{DOC}.docx").exists()


def test_the_bundled_sheet_names_every_role_the_renderers_use():
    import yaml

    sheet = yaml.safe_load((REPO / "templates" / "styles.yaml").read_text(encoding="utf-8"))
    from gongfu_reports.compose.blocks import ROLES

    assert set(ROLES) <= set(sheet)
    assert {"mark", "number", "cell", "header", "group", "imprint", "page-number"} <= set(sheet)


def test_editing_the_sheet_rebuilds_what_uses_it(tmp_path):
    folder = copy_workdir(tmp_path / "w")
    assert gongfu(folder, "build", DOC, "--format", "docx").returncode == 0
    assert "输入未变化" in gongfu(folder, "build", DOC, "--format", "docx").stdout
    (folder / "templates" / "styles.yaml").write_text("note: {样式名: 附注, 字体: kai}\n", encoding="utf-8")
    again = gongfu(folder, "build", DOC, "--format", "docx")
    assert again.returncode == 0 and f"已生成 build/{DOC}.docx" in again.stdout, again.stdout
