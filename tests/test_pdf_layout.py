"""The PDF measured against GB/T 9704-2012: page, margins, grid, fonts, 标志, page numbers
(the PDF of each engine: the HTML template with WeasyPrint, and the Typst template)."""

from __future__ import annotations

import re
from collections import Counter

import pdfplumber
import pytest
from pypdf import PdfReader

from conftest import MM

A4 = (210 * MM, 297 * MM)
RED = (1, 0, 0)


@pytest.fixture(scope="module")
def pdf(any_pdf_path):
    with pdfplumber.open(any_pdf_path) as doc:
        yield doc


def body_lines(page):
    """Text lines inside the 版心 (page numbers excluded: under it, or turned in the left margin of a
    landscape page)."""
    landscape = page.width > page.height
    limit = page.height - (26 if landscape else 35) * MM
    if landscape:
        page = page.filter(lambda o: not (o["object_type"] == "char" and o["x1"] < 35 * MM))
    return [line for line in page.extract_text_lines() if line["bottom"] < limit]


def prose_pages(pdf):
    """Portrait pages without tables or the 版头 (pure body text)."""
    out = []
    for page in pdf.pages[1:]:
        if page.width < page.height and not page.find_tables() and len(body_lines(page)) >= 20:
            out.append(page)
    return out


def test_every_page_is_a4(pdf):
    for page in pdf.pages:
        size = sorted((round(page.width), round(page.height)))
        assert size == [round(A4[0]), round(A4[1])]


def test_attachment_table_pages_are_landscape(pdf):
    landscape = [p for p in pdf.pages if p.width > p.height]
    assert len(landscape) >= 10
    for page in landscape:
        assert "重点任务" in page.extract_text()  # the repeated header row


def test_text_stays_inside_the_margins(pdf):
    for page in pdf.pages:
        if page.width > page.height:
            left, right, top = 35, 297 - 37, 28     # the portrait 版心 turned (GB/T 9704 7.5)
        else:
            left, right, top = 28, 210 - 26, 37
        for line in body_lines(page):
            assert line["x0"] >= left * MM - 1, (page.page_number, line["text"])
            # A closing mark at the end of a line may be set half-width (GB/T 15834 5.1.10; Word lets it
            # hang into the margin): its ink is in the left half of its box.
            end = line["x1"] - (line["bottom"] - line["top"]) / 2 if line["text"][-1] in "，。、；：！？）》”" else line["x1"]
            assert end <= right * MM + 1, (page.page_number, line["text"])
            assert line["top"] >= top * MM - 3, (page.page_number, line["text"])


def test_full_pages_have_22_lines(pdf):
    pages = prose_pages(pdf)
    assert len(pages) >= 5
    counts = Counter(len(body_lines(p)) for p in pages)
    # Every full prose page holds 22 lines; none more.
    assert max(counts) == 22, counts
    assert counts[22] >= 4, counts
    pitch = [b["top"] - a["top"] for p in pages for a, b in zip(body_lines(p), body_lines(p)[1:])]
    assert Counter(round(x, 1) for x in pitch).most_common(1)[0][0] == pytest.approx(28.95, abs=0.1)


def test_full_lines_have_28_characters(pdf):
    widths = []
    for page in prose_pages(pdf):
        for line in body_lines(page):
            text = line["text"]
            if re.fullmatch(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’—]+", text) and line["x0"] < 29 * MM:
                widths.append(len(text))
    assert widths, "no full-width body lines found"
    assert Counter(widths).most_common(1)[0][0] == 28
    assert max(widths) == 28


def test_body_is_16pt_fangsong(pdf):
    sizes = Counter((c["fontname"].split("+")[-1], round(c["size"])) for p in prose_pages(pdf) for c in p.chars
                    if c["top"] < p.height - 35 * MM)
    font, size = sizes.most_common(1)[0][0]
    assert size == 16 and "fang" in font.lower()


def test_headings_use_hei_and_kai(pdf):
    fonts = {}
    for page in pdf.pages[:8]:
        for line in body_lines(page):
            if re.match(r"^[一二三四五六七八九十]+、", line["text"]) or re.match(r"^（[一二三四五六]）", line["text"]):
                chars = [c for c in page.chars if abs(c["top"] - line["top"]) < 2 and c["x0"] >= line["x0"] - 1]
                fonts[line["text"][:3]] = chars[0]["fontname"].lower()
    first, second = [f for k, f in fonts.items() if "、" in k], [f for k, f in fonts.items() if k.startswith("（")]
    assert first and all("hei" in f for f in first), fonts       # every 一、 heading in 黑体
    assert second and all("kai" in f for f in second), fonts     # every （一） heading in 楷体


def test_page_one_has_red_mark_number_rule_and_title(pdf):
    page = pdf.pages[0]
    red = [c for c in page.chars if tuple(c.get("non_stroking_color") or ()) == RED]
    mark = "".join(c["text"] for c in red)
    assert mark == "舟山高质量发展建设共同富裕示范区先行市领导小组办公室文件"
    top = min(c["top"] for c in red) / MM
    assert 70 <= top <= 76, top  # 35 mm under the top of the 版心 (37 mm)
    text = page.extract_text()
    assert "舟共富办〔2024〕1号" in text
    rules = [r for r in page.rects + page.lines
             if abs((r["x1"] - r["x0"]) - 156 * MM) < 2 * MM and r["bottom"] - r["top"] < 3 * MM]
    assert rules, "no red rule of 版心 width"
    number = next(line for line in page.extract_text_lines() if "舟共富办" in line["text"])
    gap = (rules[0]["top"] - number["bottom"]) / MM
    assert 2 <= gap <= 6, gap
    title = [c for c in page.chars if round(c["size"]) == 22]
    assert "".join(c["text"] for c in title).startswith("关于印发《2024年舟山")


def test_page_numbers_alternate_sides(pdf):
    for page in pdf.pages:
        if page.width > page.height:   # turned in the left margin (test_parity.test_landscape_pages_turned_as_gbt9704_7_5)
            assert not [c for c in page.chars if c["top"] > page.height - 26 * MM + 2], page.page_number
            continue
        footer = [line for line in page.extract_text_lines() if line["top"] > page.height - 30 * MM]
        assert len(footer) == 1, (page.page_number, [f["text"] for f in footer])
        line = footer[0]
        assert line["text"] == f"— {page.page_number} —"
        size = {round(c["size"]) for c in page.chars if c["top"] >= line["top"] - 1}
        assert size == {14}
        centre = (line["x0"] + line["x1"]) / 2
        if page.page_number % 2:
            assert centre > page.width / 2
        else:
            assert centre < page.width / 2


def test_fonts_are_embedded_and_subset(any_pdf_path):
    pdf_path = any_pdf_path
    reader = PdfReader(pdf_path)
    for page in reader.pages[:3]:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            assert "+" in str(font["/BaseFont"])  # subset
    assert pdf_path.stat().st_size < 2_000_000
