"""The Word file equals the PDF (issue 17): every bundled DOCX, laid out the way Word lays it out (by
LibreOffice, with the free fonts the README installs), has the page count of the tool's PDF (both
engines; in the documents with long tables up to two pages more or fewer, where a line with digits
breaks differently) and breaks its body pages at the same lines.

LibreOffice 7.4 reads two paragraph properties of the DOCX otherwise than Word does: it ignores
w:autoSpaceDE / w:autoSpaceDN (its DOCX import drops them, so it always adds a gap between Chinese
and Latin letters or digits) and reads w:overflowPunct inverted ("0", no punctuation in the margin,
becomes hanging punctuation). Word and WPS honour both. So the DOCX is converted to ODT in one call,
those two properties are set as the DOCX declares them, and the ODT is laid out in a second call."""

from __future__ import annotations

import difflib
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest

from conftest import MM, docx_text, libreoffice, rewrite_zip
from gongfu_reports import pdftext
from gongfu_reports.render import layout as L

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOCUMENTS = ["gongzuo-yaodian-2024", "zhengfu-zeren-2024", "shishi-fangan", "gaige-tupo-2024",
             "bulletin-2024-06", "bulletin-2024-07", "tongbao-2024-06", "tongbao-2024-07"]


def declared(docx: Path) -> dict[str, str]:
    """The values of w:autoSpaceDE, w:autoSpaceDN and w:overflowPunct in the DOCX's Normal style."""
    from lxml import etree

    styles = etree.fromstring(zipfile.ZipFile(docx).read("word/styles.xml"))
    normal = styles.find(f"{W}style[@{W}styleId='Normal']/{W}pPr")
    return {tag: normal.find(W + tag).get(W + "val") for tag in ("autoSpaceDE", "autoSpaceDN", "overflowPunct")
            if normal is not None and normal.find(W + tag) is not None}


@pytest.fixture(scope="session")
def word_pdfs(built, tmp_path_factory) -> dict[str, Path]:
    docx = [built / "build" / f"{doc}.docx" for doc in DOCUMENTS]
    odt = libreoffice(docx, "odt", tmp_path_factory.mktemp("odt"), tmp_path_factory)
    for source, path in zip(docx, odt):
        props = declared(source)
        autospace = "none" if props.get("autoSpaceDE") == "0" else "ideograph-alpha"
        wrap = "simple" if props.get("overflowPunct") == "0" else "hanging"
        def as_declared(data: bytes, autospace=autospace, wrap=wrap) -> bytes:
            data = re.sub(rb'style:text-autospace="[^"]*"', b'style:text-autospace="%s"' % autospace.encode(), data)
            return re.sub(rb'style:punctuation-wrap="[^"]*"', b'style:punctuation-wrap="%s"' % wrap.encode(), data)
        rewrite_zip(path, {"styles.xml": as_declared, "content.xml": as_declared})
    pdfs = libreoffice(odt, "pdf", tmp_path_factory.mktemp("word"), tmp_path_factory)
    return dict(zip(DOCUMENTS, pdfs))


def test_word_sets_chinese_as_the_pdf_does(built):
    """No automatic gap between Chinese and Latin letters or digits ("125项"), no closing mark hanging
    in the margin: declared in the Normal style, which every paragraph style is based on."""
    for doc in DOCUMENTS:
        assert declared(built / "build" / f"{doc}.docx") == {"autoSpaceDE": "0", "autoSpaceDN": "0",
                                                             "overflowPunct": "0"}, doc


def read(path: Path) -> list[dict]:
    """Each page: orientation, whether it holds a table, and its body lines (above the page number)."""
    document = pdftext.open_document(path)
    try:
        out = []
        for page in pdftext.pages(document):
            landscape = page.width > page.height
            bottom = page.height - (L.LAND_MARGIN_BOTTOM if landscape else L.MARGIN_BOTTOM) * MM + 2
            lines = ["".join(line.text.split()) for line in page.lines if line.bottom <= bottom]
            out.append({"body": not landscape and not page.tables, "lines": [t for t in lines if t]})
        return out
    finally:
        document.close()


def engine_pdf(engine: str, doc: str, built, built_html) -> Path:
    return (built_html if engine == "html" else built) / "build" / f"{doc}.pdf"


@pytest.mark.parametrize("engine", ["html", "typst"])
@pytest.mark.parametrize("doc", DOCUMENTS)
def test_same_page_count(doc, engine, word_pdfs, built, built_html):
    """The same number of pages; in the documents with long tables (the 通报's progress table, the
    工作要点's task list, 30 pages and more) up to two more or fewer: a line holding digits or Latin
    letters may break a character earlier in one of them (see test_body_pages_break_at_the_same_lines),
    and there a row then moves to the next page (seen: 54, 55 and 56 pages for one 通报)."""
    pdf, word = read(engine_pdf(engine, doc, built, built_html)), read(word_pdfs[doc])
    allowed = 2 if doc in ("gongzuo-yaodian-2024", "tongbao-2024-06", "tongbao-2024-07") else 0
    assert abs(len(word) - len(pdf)) <= allowed, (len(pdf), len(word))


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_word_shows_every_character_of_the_docx(doc, word_pdfs, built):
    """Nothing of the Word file is lost where it is laid out: each character is shown at least as often
    as the DOCX holds it (repeated table heads and page numbers add more). A table row taller than a
    page and kept whole (w:cantSplit) lost its last line at the page's end."""
    from collections import Counter

    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(word_pdfs[doc])
    try:
        shown = Counter("".join("".join(page.get_textpage().get_text_range() for page in pdf).split()))
    finally:
        pdf.close()
    held = Counter("".join(docx_text(built / "build" / f"{doc}.docx").split()))
    assert not held - shown, dict(held - shown)


# Characters whose widths are not a multiple of half a character (Latin letters, half-width marks):
# renderers round their widths differently, so a line holding them may break a character earlier
# or later in one of them. Digits are half a character wide, but with the letter spacing of the grid
# a full line holding them is within a fraction of a point of the 版心's width, and Word and the PDF
# engines round that differently (seen both ways in the 通报: "…需人工判断5项、" fits in the PDF and
# not in Word, "…第39项“深化打造…创新平台”" the other way round).
def proportional(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) not in "WFA" for ch in text)


@pytest.mark.parametrize("engine", ["html", "typst"])
@pytest.mark.parametrize("doc", DOCUMENTS)
def test_body_pages_break_at_the_same_lines(doc, engine, word_pdfs, built, built_html):
    """On pages of body text (portrait, no table) every line ends where it ends in the PDF, except a
    line holding half-width letters or marks (the 28-character grid does not hold there); the first
    line of each such page is the PDF's, unless such a line before it in the text shifted the page."""
    pdf, word = read(engine_pdf(engine, doc, built, built_html)), read(word_pdfs[doc])
    pages = [i for i in range(min(len(pdf), len(word))) if pdf[i]["body"] and word[i]["body"]]
    flat = lambda doc_pages: [(i, t) for i in pages for t in doc_pages[i]["lines"]]   # noqa: E731
    a, b = flat(pdf), flat(word)
    shifted_at = set()   # pages from which an allowed difference may shift the lines
    matcher = difflib.SequenceMatcher(None, [t for _, t in a], [t for _, t in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if (i1 == len(a) or j1 == len(b)) and shifted_at:
            continue   # lines past the last page compared in one of them, moved there by an allowed shift
        first = [t for _, t in a[i1:i1 + 1] + b[j1:j1 + 1]]
        assert any(proportional(t) for t in first), \
            f"lines set differently (page {a[i1][0] + 1 if i1 < len(a) else '?'}):\n" + \
            "\n".join(f"PDF:  {t}" for _, t in a[i1:i2][:4]) + "\n" + "\n".join(f"Word: {t}" for _, t in b[j1:j2][:4])
        shifted_at.add(a[min(i1, len(a) - 1)][0])
    differing, last_equal = [], -1
    for i in pages:
        first_pdf, first_word = pdf[i]["lines"][:1], word[i]["lines"][:1]
        if first_pdf == first_word:
            last_equal = i
        elif not any(last_equal <= p < i for p in shifted_at):
            differing.append((i + 1, first_pdf, first_word))
    assert not differing, differing
    assert pages or not any(p["body"] for p in pdf)


def ink(pdf, index: int, right_mm: float) -> tuple[float, float, float, float] | None:
    """Where a page shows anything dark left of `right_mm`, drawn as a viewer draws it (clipping
    included): (left, right, top, bottom) in mm, or None."""
    scale = 4                                               # px per pt
    page = pdf[index]
    width, _ = page.get_size()
    pixels = page.render(scale=scale, crop=(0, 0, width - right_mm * MM, 0)).to_numpy()
    page.close()
    ys, xs = (pixels[..., :3].min(axis=2) < 128).nonzero()
    if not len(xs):
        return None
    mm = 1 / scale / MM
    return xs.min() * mm, (xs.max() + 1) * mm, ys.min() * mm, (ys.max() + 1) * mm


@pytest.mark.parametrize("made_by", ["html", "typst", "word"])
def test_landscape_pages_turned_as_gbt9704_7_5(made_by, libreoffice_pdf, built, built_html):
    """GB/T 9704 7.5: a landscape page is the sheet turned with the table head to the 订口, so its
    版心 lies 28 mm from the top, 26 mm from the bottom, 35 mm from the left and 37 mm from the right,
    and its page number stays where the portrait pages have it on the sheet: in the left margin, its
    column 7 mm from the 版心, read from top to bottom, one character (14 pt) from the 版心's bottom end
    on odd pages and from its top end on even ones; none at the foot of the turned page. The number
    must show, not only be in the file: a text box that clips its line away leaves the characters in
    the PDF but no ink on the page."""
    import pypdfium2 as pdfium

    doc = "gongzuo-yaodian-2024"
    path = libreoffice_pdf if made_by == "word" else engine_pdf(made_by, doc, built, built_html)
    near = 1.0                                      # mm
    document, pdf = pdftext.open_document(path), pdfium.PdfDocument(path)
    try:
        landscape = 0
        for index, page in enumerate(pdftext.pages(document)):
            if page.width < page.height:
                continue
            landscape += 1
            number = sorted((c for c in page.chars if c.x1 < 35 * MM), key=lambda c: c.top)
            assert "".join(c.text for c in number).replace(" ", "") == f"—{page.number}—", page.number
            assert abs(max(c.x1 for c in number) / MM - (35 - 7)) < near, (page.number, max(c.x1 for c in number) / MM)
            top, bottom = min(c.top for c in number) / MM, max(c.bottom for c in number) / MM
            if page.number % 2:
                assert abs(bottom - (210 - 26 - 14 / MM)) < near, (page.number, bottom)
            else:
                assert abs(top - (28 + 14 / MM)) < near, (page.number, top)
            left, right, ink_top, ink_bottom = ink(pdf, index, 32) or (0, 0, 0, 0)
            assert right - left > 2.5 and abs(ink_top - top) < near and abs(ink_bottom - bottom) < near, \
                (page.number, "number not shown whole", (left, right, ink_top, ink_bottom), (top, bottom))
            assert not [c for c in page.chars if c.top > (210 - 26) * MM + 2], page.number   # nothing at the foot
            text = [c for c in page.chars if c.x1 >= 35 * MM and c.text.strip()]
            assert min(c.x0 for c in text) >= 35 * MM - 1 and max(c.x1 for c in text) <= (297 - 37) * MM + 1, page.number
            assert min(c.top for c in text) >= 28 * MM - 1, page.number
        assert landscape >= 5
    finally:
        document.close()
        pdf.close()


def test_word_landscape_sections(built):
    """The DOCX's landscape sections: turned margins and footers of their own (a PAGE field in a text
    box whose text runs top to bottom), odd and even; the portrait sections keep the portrait footers."""
    from docx import Document

    doc = Document(built / "build" / "zhengfu-zeren-2024.docx")
    landscape = [s for s in doc.sections if s.page_width > s.page_height]
    portrait = [s for s in doc.sections if s.page_width < s.page_height]
    assert landscape and portrait
    for section in landscape:
        assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                      section.right_margin)] == [28, 26, 35, 37]
        for footer in (section.footer, section.even_page_footer):
            xml = footer._element.xml
            assert not footer.is_linked_to_previous
            assert "layout-flow:vertical" in xml and " PAGE " in xml
    for section in portrait:
        assert "layout-flow" not in section.footer._element.xml and " PAGE " in section.footer._element.xml


# Pages of tables with a header row that repeats on each page, at the least (the task list of the
# 工作要点, the progress tables of the 通报 and the 完成情况).
TABLE_PAGES = {"tongbao-2024-06": 30, "bulletin-2024-06": 30, "gongzuo-yaodian-2024": 25}


@pytest.mark.parametrize("made_by", ["html", "typst", "word"])
@pytest.mark.parametrize("doc", list(TABLE_PAGES))
def test_no_page_ends_with_a_group_heading_or_a_bare_number(doc, made_by, word_pdfs, built, built_html):
    """Issue 13: a table page never ends with a group row alone (“…副市长牵头重点工作” or “（一）筑牢…” at the
    foot, its tasks overleaf) or with a row cut after its number; a row taller than a quarter page may
    run on, its first part carrying its text. Seen as a reader sees the tables: on every page but the
    last, a table under a header row that repeats on other pages ends with a row of more than one
    filled cell (unless it is the page's only row)."""
    import collections

    import pdfplumber

    path = word_pdfs[doc] if made_by == "word" else engine_pdf(made_by, doc, built, built_html)
    with pdfplumber.open(path) as pdf:
        tables = [(page.page_number, page.extract_tables()) for page in pdf.pages]
    firsts = collections.Counter(tuple(table[0]) for _, found in tables for table in found if table)
    headers = {row for row, pages in firsts.items() if pages >= 2}
    bad, checked = [], set()
    for number, found in tables[:-1]:
        for table in found:
            if not table or tuple(table[0]) not in headers or len(table) < 3:
                continue   # not under a repeated header, or one row running over the whole page
            checked.add(number)
            filled = [c for c in table[-1] if c and c.strip()]
            if len(filled) <= 1:
                bad.append((number, filled))
    assert not bad, bad
    assert len(checked) >= TABLE_PAGES[doc], sorted(checked)
