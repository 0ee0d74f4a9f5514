"""A 发文机关署名 longer than a line (issue 17): set on two lines, each 右空二字, broken where the data
writes "\\n" or where the words allow; the 代章 line centred under it and the 成文日期 starting two
characters right of its first line (GB/T 9704 7.3.5), inside the 版心 in the Word file and both PDFs."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from conftest import MM, copy_workdir, gongfu, libreoffice, pdf_engine
from gongfu_reports import pdftext
from gongfu_reports.compose.notice import closing, signature_blocks
from gongfu_reports.model import DocumentMeta
from gongfu_reports.render import layout as L
from gongfu_reports.render.layout import text_width

SIGNER = "嵊泗高质量发展建设共同富裕示范区海岛样板县工作领导小组办公室"   # 30 characters
WRITTEN = "嵊泗高质量发展建设共同富裕示范区海岛样板县\\n工作领导小组办公室"
CHAR = L.CHAR_PITCH_PT


def meta(signer: str, seal: str = "", sealed: bool = False) -> DocumentMeta:
    return DocumentMeta("某某文件", None, "标题", "主送", ["正文"], signer, dt.date(2024, 4, 30), seal_note=seal,
                        sealed=sealed)


def centre(block) -> float:
    return block.indent_chars + text_width(block.text) / 2


def test_with_a_seal_the_date_is_right_indented_four_and_the_signer_centred_over_it():
    """GB/T 9704 7.3.5.1 (加盖印章): 成文日期右空四字; 署名 以成文日期为准居中; two blank lines above, so the
    seal's top is within a line of the text."""
    signer, date = signature_blocks(meta("舟山市人民政府办公室", sealed=True))
    assert date.indent_chars + text_width(date.text) == 24
    assert centre(signer) == centre(date)
    closing_lines = closing([], meta("舟山市人民政府办公室", sealed=True))
    assert [b.text for b in closing_lines[:3]] == ["", "", "舟山市人民政府办公室"]
    assert [b.keep_with_next for b in closing_lines] == [True, True, True, False]
    assert [b.text for b in closing([], meta("舟山市人民政府办公室"))[:2]] == ["", "舟山市人民政府办公室"]


def test_with_a_seal_a_line_too_long_to_centre_ends_at_the_right_edge():
    """26 characters cannot be centred over a date 4 characters in from the right: the line ends at the
    版心's right edge, as does the 代章 line (half a character too wide); a break written in the data is
    kept and each line placed on its own."""
    signer, seal, date = signature_blocks(meta("舟山高质量发展建设共同富裕示范区先行市领导小组办公室",
                                               "舟山市发展和改革委员会", sealed=True))
    assert signer.indent_chars + text_width(signer.text) == seal.indent_chars + text_width(seal.text) == 28
    assert centre(seal) < centre(date)
    first, second, _seal, _date = signature_blocks(meta("舟山高质量发展建设共同富裕示范区\n先行市领导小组办公室",
                                                        "舟山市发展和改革委员会", sealed=True))
    assert (first.text, second.text) == ("舟山高质量发展建设共同富裕示范区", "先行市领导小组办公室")
    assert first.indent_chars + text_width(first.text) == 28 and centre(second) == centre(_date)


def test_a_long_signer_is_broken_where_the_words_allow():
    first, second, seal, date = signature_blocks(meta(SIGNER, "嵊泗县发展和改革局"))
    assert (first.text, second.text) == ("嵊泗高质量发展建设共同富裕示范区", "海岛样板县工作领导小组办公室")
    assert first.indent_chars + 16 == second.indent_chars + 14 == 26         # each line 右空二字
    assert date.indent_chars == first.indent_chars + 2                        # 首字右移二字
    assert seal.indent_chars - first.indent_chars == 26 - (seal.indent_chars + len(seal.text))   # centred


def test_a_break_written_in_the_data_is_kept():
    lines = signature_blocks(meta(SIGNER.replace("县", "县\n")))[:2]
    assert [b.text for b in lines] == ["嵊泗高质量发展建设共同富裕示范区海岛样板县", "工作领导小组办公室"]
    assert all(b.indent_chars + len(b.text) == 26 for b in lines)


def test_every_line_fits_whatever_the_name():
    from gongfu_reports.compose.notice import signer_lines

    assert signer_lines("甲" * 40, 26) == ["甲" * 20] * 2                  # evenly, where nothing is better
    assert signer_lines("1" * 60, 26) == ["1" * 52, "1" * 8]                # one unbreakable run: cut at the line


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, object]:
    """A notice with the long 署名 (broken by the tool), one with a break written in the data, and the
    bundled notice sealed (加盖印章: 是): the DOCX as Word shows it (LibreOffice) and the PDF of each engine."""
    work = copy_workdir(tmp_path_factory.mktemp("signer"))
    notice = (work / "data" / "notice.yaml").read_text(encoding="utf-8")
    old = next(line for line in notice.splitlines() if line.startswith("署名:"))
    for name, signer in (("long", SIGNER), ("written", WRITTEN)):
        (work / "data" / f"notice-{name}.yaml").write_text(notice.replace(old, f'署名: "{signer}"'), encoding="utf-8")
    sealed = notice.replace(old, "署名: 舟山市共同富裕办公室") + "加盖印章: 是\n"
    (work / "data" / "notice-sealed.yaml").write_text(sealed, encoding="utf-8")
    names = ("long", "written", "sealed")
    with open(work / "config.yaml", "a", encoding="utf-8") as config:
        config.write("".join(f"  signer-{n}: {{kind: notice, notice: data/notice-{n}.yaml}}\n" for n in names))
    typst = tmp_path_factory.mktemp("signer-typst")
    shutil.copytree(work, typst, dirs_exist_ok=True)
    for folder, args in ((work, ("--engine", "html")), (typst, ("--engine", "typst", "--format", "pdf"))):
        result = gongfu(folder, "build", *(f"signer-{n}" for n in names), "--strict", *args)
        assert result.returncode == 0, result.stdout + result.stderr   # --strict: lint finds nothing
    assert pdf_engine(work / "build" / "signer-long.pdf") == "html"
    assert pdf_engine(typst / "build" / "signer-long.pdf") == "typst"
    word = libreoffice([work / "build" / f"signer-{n}.docx" for n in names], "pdf",
                       tmp_path_factory.mktemp("signer-word"), tmp_path_factory)
    return {"html": work / "build", "typst": typst / "build", "word": word[0].parent}


def first_page_lines(path):
    document = pdftext.open_document(path)
    try:
        return next(pdftext.pages(document)).lines
    finally:
        document.close()


@pytest.mark.parametrize("made_by", ["html", "typst", "word"])
@pytest.mark.parametrize("name, lines", [("long", ("嵊泗高质量发展建设共同富裕示范区", "海岛样板县工作领导小组办公室")),
                                         ("written", ("嵊泗高质量发展建设共同富裕示范区海岛样板县", "工作领导小组办公室"))])
def test_long_signer_in_the_outputs(outputs, made_by, name, lines):
    text = {"".join(line.text.split()): line for line in first_page_lines(outputs[made_by] / f"signer-{name}.pdf")}
    first, second = text[lines[0]], text[lines[1]]
    seal = text["（舟山市发展和改革委员会代章）"]
    date = text["2024年4月30日"]
    right = (L.MARGIN_LEFT + L.TEXT_W) * MM          # the 版心's right edge
    for line in (first, second):
        assert abs(right - 2 * CHAR - line.x1) < 3, (line.text, right - line.x1)   # 右空二字, inside the 版心
    assert first.top < second.top < seal.top < date.top
    assert abs(date.x0 - first.x0 - 2 * CHAR) < 3                                   # 首字右移二字
    assert abs((seal.x0 + seal.x1) / 2 - (first.x0 + first.x1) / 2) < 3             # 代章 centred under it


@pytest.mark.parametrize("made_by", ["html", "typst", "word"])
def test_sealed_signature_in_the_outputs(outputs, made_by):
    """加盖印章 (GB/T 9704 7.3.5.1): the date 4 characters in from the 版心's right edge, the 署名 centred over it
    (the 代章 line ends at the edge: too wide to centre), and two blank lines between the text and the 署名,
    so that the seal's top is within a line of the text."""
    lines = first_page_lines(outputs[made_by] / "signer-sealed.pdf")
    text = {"".join(line.text.split()): line for line in lines}
    date = text["2024年4月30日"]
    signer, seal = text["舟山市共同富裕办公室"], text["（舟山市发展和改革委员会代章）"]
    last = next(line for line in lines if "认真抓好落实" in line.text)
    right = (L.MARGIN_LEFT + L.TEXT_W) * MM
    # Measured from where the date starts: LibreOffice widens it (a space between 年 and the digits).
    date_w = text_width("2024年4月30日") * CHAR
    assert abs(right - 4 * CHAR - date_w - date.x0) < 3, right - date.x0            # 右空四字
    assert abs((signer.x0 + signer.x1) / 2 - (date.x0 + date_w / 2)) < 3            # centred over the date
    assert abs(right - seal.x1) < 3, right - seal.x1                                # too wide to centre there
    assert last.top < signer.top < seal.top < date.top
    assert abs(signer.top - last.top - 3 * L.LINE_PITCH_PT) < 3, signer.top - last.top   # two blank lines



def test_sealed_takes_yes_or_no(tmp_path):
    work = copy_workdir(tmp_path / "w")
    path = work / "data" / "notice.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "加盖印章: 盖\n", encoding="utf-8")
    result = gongfu(work, "check")
    assert result.returncode == 2
    assert "data/notice.yaml，第11行：“加盖印章”应为“是”或“否”，现为“盖”" in result.stderr, result.stderr
