"""Titles longer than a line break where the words allow (GB/T 9704 7.3.3), the same in Word and PDF."""

from __future__ import annotations

import pdfplumber
import pytest
from docx import Document
from hypothesis import example, given, strategies as st

from gongfu_reports.compose.titles import break_title
from gongfu_reports.render.layout import PT_PER_MM, TEXT_W, TITLE_PT, text_width

from conftest import normalise

LINE = TEXT_W * PT_PER_MM / TITLE_PT   # 20.1 characters of 2号 on the 156 mm 版心


@pytest.mark.parametrize("title, lines", [
    ("关于印发《2024年舟山高质量发展建设共同富裕示范区先行市工作要点》的通知",
     ["关于印发《2024年舟山高质量发展建设", "共同富裕示范区先行市工作要点》的通知"]),
    ("2024年市政府工作报告重点工作1—8月进展情况通报", ["2024年市政府工作报告", "重点工作1—8月进展情况通报"]),
    ("关于2024年1—8月市政府工作报告重点工作推进情况的通报", ["关于2024年1—8月市政府工作报告", "重点工作推进情况的通报"]),
    ("2024年共同富裕示范区先行市重点任务清单", ["2024年共同富裕示范区先行市重点任务清单"]),   # fits: unchanged
    # 20.0 characters counting digits as half: but the title face's digits are wider, and the renderer
    # wrapped “解” alone onto a second line
    ("2024年省政府民生实事（舟山部分）责任分解", ["2024年省政府民生实事", "（舟山部分）责任分解"]),
    ("标题写明\n回行处", ["标题写明", "回行处"]),                                               # as written
])
def test_titles_break_at_phrase_boundaries(title, lines):
    assert break_title(title, LINE).split("\n") == lines


@given(st.text(alphabet="共同富裕示范区先行市高质量发展建设关于印发工作要点的通知2024年1—8月、《》（）和与", min_size=1,
               max_size=70))
@example("0、、《《《0）于于于于于于于于0、、、、、")   # a number's edge once allowed a line to start with “）”
@example("关于印发2024年（试行）工作要点和1—8月（第2批）重点任务清单完成情况（第3季度）的通知")
def test_breaking_only_adds_line_breaks_and_every_line_fits(title):
    broken = break_title(title, LINE)
    assert broken.replace("\n", "") == title
    if "\n" in broken:
        assert all(text_width(line) <= LINE + 1e-9 for line in broken.split("\n"))
        for line in broken.split("\n")[1:]:
            assert line[0] not in "、，。；：？！）》」』】〕”’%"


def test_a_term_is_never_cut():
    broken = break_title("舟山高质量发展建设共同富裕示范区海岛样板县工作领导小组办公室关于开展专项督查的通知", LINE)
    assert "\n" in broken
    for term in ("共同富裕示范区", "领导小组办公室", "海岛样板", "专项督查的通知"[-3:]):
        assert any(term in line for line in broken.split("\n")), (term, broken)   # on one line, not cut


@pytest.mark.parametrize("times", [3, 4, 10])
def test_a_long_title_is_broken_by_lines_or_left_to_the_renderer(times):
    """Too many sets of breaks to try each (a 5-line title has millions): chosen line by line, every
    line within the width, no term cut; past 8 lines the renderer wraps it. (A 290-character title
    once tried every combination and never finished.)"""
    title = "关于印发2024年共同富裕示范区先行市建设工作要点的通知" * times
    broken = break_title(title, LINE)
    assert broken.replace("\n", "") == title
    lines = broken.split("\n")
    if text_width(title) > 8 * LINE:
        assert lines == [title]
        return
    assert len(lines) in (-(-text_width(title) // LINE), -(-text_width(title) // LINE) + 1)
    assert all(text_width(line) <= LINE for line in lines), lines
    assert not any(line.endswith(("共", "共同", "共同富裕", "示范", "工作", "要点的")) for line in lines), lines


def pdf_title_lines(path) -> list[str]:
    """The title lines of the notice's first page (2号: about 22 pt)."""
    with pdfplumber.open(path) as pdf:
        lines = pdf.pages[0].extract_text_lines(return_chars=True)
    return [normalise(line["text"]) for line in lines
            if line["chars"] and abs(line["chars"][len(line["chars"]) // 2]["size"] - 22) < 0.6]


def test_word_and_both_pdf_engines_break_the_notice_title_at_the_same_place(any_pdf_path, docx_path):
    expected = ["关于印发《2024年舟山高质量发展建设", "共同富裕示范区先行市工作要点》的通知"]
    assert pdf_title_lines(any_pdf_path) == expected
    title = next(p for p in Document(docx_path).paragraphs if p.style.name == "公文标题")
    assert title.text.split("\n") == expected


def test_no_title_line_of_the_built_pdfs_is_a_stray_character(built):
    """Every 2号 title of the bundled documents as laid out: no line of one or two characters (a title
    that seemed to fit once left “解” alone on its second line)."""
    for path in sorted((built / "build").glob("*.pdf")):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                for line in page.extract_text_lines(return_chars=True):
                    sizes = [c["size"] for c in line["chars"]]
                    if sizes and abs(sorted(sizes)[len(sizes) // 2] - 22) < 0.6:
                        assert len(normalise(line["text"])) > 2, (path.name, page.page_number, line["text"])
