"""`gongfu lint`: the bundled outputs pass; outputs with wrong margins, sizes or page numbers are flagged."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pdfplumber
import pytest
from docx import Document
from docx.shared import Mm

from conftest import DOC_ID, REPO

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def lint(*paths):
    return subprocess.run([sys.executable, "-m", "gongfu_reports", "lint", *map(str, paths)],
                          capture_output=True, text=True, cwd=REPO)


def test_bundled_outputs_pass(built):
    outputs = sorted((built / "build").glob("*.pdf")) + sorted((built / "build").glob("*.docx"))
    assert len(outputs) >= 10
    result = lint(*outputs)
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("符合 GB/T 9704-2012") == len(outputs)


def test_wrong_pdf_is_flagged(tmp_path):
    from weasyprint import HTML

    body = "<p>" + "测试文字" * 1200 + "</p>"
    html = ("<style>@page { size: A4; margin: 20mm; @bottom-center { content: counter(page); font-size: 10pt } }"
            "p { font-size: 12pt; }</style>" + body)
    pdf = tmp_path / "bad.pdf"
    HTML(string=html).write_pdf(pdf)
    result = lint(pdf)
    assert result.returncode == 1
    for expected in ("第1页，页边距", "第1页，页码：应为“— 1 —”", "第2页，页码：双页页码应在左侧", "正文字号：应为 3 号（16 pt），实际多为 12 pt"):
        assert expected in result.stdout, result.stdout


def test_wrong_docx_is_flagged(built, tmp_path):
    path = tmp_path / "bad.docx"
    shutil.copy(built / "build" / f"{DOC_ID}.docx", path)
    doc = Document(path)
    doc.sections[0].left_margin = Mm(20)
    doc.styles["Normal"].font.size = None
    tr = doc.tables[1].rows[0]._tr
    tr.trPr.remove(tr.trPr[0]) if tr.trPr is not None and len(tr.trPr) else None
    for el in list(tr.trPr):
        if el.tag.endswith("tblHeader"):
            tr.trPr.remove(el)
    doc.settings.element.remove(doc.settings.element.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}evenAndOddHeaders"))
    doc.save(path)
    result = lint(path)
    assert result.returncode == 1
    for expected in ("第1节，页边距：左边距应为 28 mm，实际 20.0 mm", "样式“正文”，字号", "应设置奇偶页不同的页脚",
                     "第2个表格，表头"):
        assert expected in result.stdout, result.stdout


# ------------------------------------------------------------------------- the PDF reader (PDFium)

def _gb_html(body: str, landscape: bool = False, extra_css: str = "") -> str:
    """A page set up as GB/T 9704 (版心, page numbers right on odd pages, left on even ones)."""
    from gongfu_reports.render import layout as L

    if landscape:
        margins = f"{L.LAND_MARGIN_TOP}mm {L.LAND_MARGIN_RIGHT}mm {L.LAND_MARGIN_BOTTOM}mm {L.LAND_MARGIN_LEFT}mm"
    else:
        margins = f"{L.MARGIN_TOP}mm {L.MARGIN_RIGHT}mm {L.MARGIN_BOTTOM}mm {L.MARGIN_LEFT}mm"
    number = 'content: "— " counter(page) " —"; font-size: 14pt; padding-top: 7mm; vertical-align: top;'
    pages = f"@page :right {{ @bottom-right {{ {number} }} }} @page :left {{ @bottom-left {{ {number} }} }}"
    if landscape:   # the number turned in the left margin (GB/T 9704 7.5), as templates/html places it
        pages = (f"@page :right {{ @left-bottom {{ {_turned_number(True)} }} }}"
                 f"@page :left {{ @left-top {{ {_turned_number(False)} }} }}")
    return (f"<style>@page {{ size: A4{' landscape' if landscape else ''}; margin: {margins}; }}{pages}"
            "body { margin: 0; font-size: 16pt; line-height: 28.95pt; }"
            "table { border-collapse: collapse; width: 100%; font-size: 12pt; line-height: 1.4; }"
            f"td, th {{ border: 0.5pt solid black; padding: 1mm; }} {extra_css}</style>{body}")


def _turned_number(at_bottom: bool) -> str:
    """A left-margin box's page number turned a quarter clockwise, its column 7 mm from the 版心,
    one character from the box's bottom end or from its top end."""
    from gongfu_reports.render import layout as L

    x = (L.LAND_MARGIN_LEFT / 2 - L.PAGE_NUMBER_GAP_MM) * L.PT_PER_MM - 7
    y = (14 - L.LAND_MARGIN_LEFT * L.PT_PER_MM) / 2 * (1 if at_bottom else -1)
    side = "right" if at_bottom else "left"
    return ('content: "— " counter(page) " —"; font-size: 14pt; line-height: 14pt; height: 14pt; white-space: nowrap;'
            f"text-align: {side}; padding-{side}: 14pt; transform: translate({x:.3f}pt, {y:.3f}pt) rotate(90deg);")


def _write_pdf(html: str, path):
    from weasyprint import HTML

    HTML(string=html).write_pdf(path)
    return path


def _table(repeat_header: bool, rows: int = 80) -> str:
    header = "<tr><th>序号</th><th>任务内容</th><th>责任单位</th></tr>"
    body = "".join(f"<tr><td>{i}</td><td>推进第{i}项重点任务</td><td>市发改委</td></tr>" for i in range(1, rows + 1))
    if repeat_header:
        return f"<table><thead>{header}</thead><tbody>{body}</tbody></table>"
    return f"<table><tbody>{header}{body}</tbody></table>"


@pytest.mark.parametrize("landscape", [False, True], ids=["portrait", "landscape"])
def test_table_continued_without_its_header_is_flagged(tmp_path, landscape):
    repeated = _write_pdf(_gb_html(_table(True), landscape), tmp_path / "repeated.pdf")
    missing = _write_pdf(_gb_html(_table(False), landscape), tmp_path / "missing.pdf")
    result = lint(repeated)
    assert "表格" not in result.stdout, result.stdout
    result = lint(missing)
    assert result.returncode == 1
    with pdfplumber.open(missing) as pdf:
        pages = len(pdf.pages)
    assert pages >= 3
    for page in range(2, pages + 1):
        assert f"第{page}页，表格：跨页表格应重复表头" in result.stdout, result.stdout
    assert "第1页，表格" not in result.stdout


def test_a_pdf_checked_in_parts_gives_the_findings_of_one_pass(tmp_path):
    """A build checks a long PDF in runs of pages on several cores (lint.check_pdf_part): a table that
    runs on from the page before a run is still judged (each page after the first repeats no header
    here), the paper of every page, and the body's size on the whole document."""
    from gongfu_reports.lint import check_pdf_part, lint_pdf, whole_pdf

    html = _gb_html(_table(False) + "<p style='font-size: 15pt'>" + "正文文字。" * 400 + "</p>")
    pdf = _write_pdf(html, tmp_path / "missing.pdf")
    one_pass = lint_pdf(pdf)
    with pdfplumber.open(pdf) as document:
        pages = len(document.pages)
    assert pages >= 4
    assert {f.where for f in one_pass if f.element == "表格"} >= {f"第{n}页" for n in range(2, 4)}
    assert any(f.where == "全文" and f.element == "正文字号" for f in one_pass)
    data = pdf.read_bytes()
    for parts in range(2, pages + 2):   # one run per page, and one empty run
        assert whole_pdf([check_pdf_part(data, part, parts) for part in range(parts)]) == one_pass, parts


def test_landscape_pages_have_their_own_margins_and_no_line_count(tmp_path):
    text = "".join(f"<p>第{i}行，横向页面上的文字，不超出版心。</p>" for i in range(1, 25))
    dense = "p { margin: 0; line-height: 18pt; }"      # 24 lines on one page
    good = _write_pdf(_gb_html(text, landscape=True, extra_css=dense), tmp_path / "good.pdf")
    result = lint(good)
    assert "页边距" not in result.stdout and "行数" not in result.stdout and "第2页" not in result.stdout, result.stdout
    assert "第1页，页码" not in result.stdout, result.stdout
    portrait = _write_pdf(_gb_html(text, extra_css=dense), tmp_path / "portrait.pdf")
    assert "第1页，行数：每页应不超过 22 行，实际 24 行" in lint(portrait).stdout
    wide = _write_pdf(_gb_html(text, landscape=True, extra_css=dense + "@page { margin: 20mm; }"), tmp_path / "wide.pdf")
    assert "第1页，页边距：文字超出版心" in lint(wide).stdout


def test_a_landscape_page_number_stands_turned_in_the_left_margin(tmp_path):
    """GB/T 9704 7.5: where the portrait pages have it on the sheet, read from top to bottom, at the
    版心's bottom end on odd pages and its top end on even ones; at the foot of the turned page it is missing."""
    text = "<p>横排页。</p><p style='break-before: page'>第二页。</p>"
    good = _write_pdf(_gb_html(text, landscape=True), tmp_path / "good.pdf")
    assert "页码" not in lint(good).stdout, lint(good).stdout
    number = 'content: "— " counter(page) " —"; font-size: 14pt; padding-top: 7mm; vertical-align: top;'
    at_foot = _gb_html(text, landscape=True, extra_css=f"@page :right {{ @left-bottom {{ content: none; }} @bottom-right {{ {number} }} }}"
                                                     f"@page :left {{ @left-top {{ content: none; }} @bottom-left {{ {number} }} }}")
    result = lint(_write_pdf(at_foot, tmp_path / "foot.pdf")).stdout
    assert "第1页，页码：缺少页码（横排页的页码在左侧页边，竖排）" in result and "第2页，页码：缺少页码" in result, result
    upright = _gb_html(text, landscape=True, extra_css="@page :right { @left-bottom { transform: none; } }")
    result = lint(_write_pdf(upright, tmp_path / "upright.pdf")).stdout
    assert "第1页，页码：横排页的页码应随纸张转向竖排（由上往下读）" in result and "第2页，页码" not in result, result
    swapped = _gb_html(text, landscape=True, extra_css="@page :right { @left-bottom { content: none; } "
                       f"@left-top {{ {_turned_number(False)} }} }}")   # page 1 numbered as an even page
    result = lint(_write_pdf(swapped, tmp_path / "swapped.pdf")).stdout
    assert "第1页，页码：横排单页的页码应在左侧页边的下端" in result, result


def test_page_without_text_is_read(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595.276, height=841.89)
    blank = tmp_path / "blank.pdf"
    writer.write(blank)
    result = lint(blank)
    assert result.returncode == 1
    assert "第1页，页码：缺少页码" in result.stdout and "Traceback" not in result.stderr
    # A blank page between pages with text: it lacks only its page number.
    html = _gb_html("<p>第一页的文字。</p><p style='break-before: right'>第三页的文字。</p>",
                    extra_css="@page :blank { @bottom-left { content: none } }")
    result = lint(_write_pdf(html, tmp_path / "gap.pdf"))
    assert "第2页，页码：缺少页码" in result.stdout, result.stdout
    assert "第1页，页码" not in result.stdout and "第3页，页码" not in result.stdout, result.stdout


def test_unreadable_pdf_is_an_error(tmp_path):
    from gongfu_reports.errors import GongfuError
    from gongfu_reports.lint import lint_bytes

    path = tmp_path / "bad.pdf"
    path.write_bytes(b"not a PDF at all")
    result = lint(path)
    assert result.returncode == 2
    assert "bad.pdf：无法作为 PDF 打开：文件已损坏或并非 PDF 格式" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "Error" not in result.stderr   # no Python class names
    with pytest.raises(GongfuError, match="无法作为 PDF 打开"):
        lint_bytes(b"%PDF-1.7 truncated", "pdf")


def _pdf(objects: dict[int, bytes], after_startxref: bytes | None = None) -> bytes:
    """A PDF of these numbered objects (1: the catalog) with a correct cross-reference table; what
    follows `startxref` may be given (the table's offset by default)."""
    out, offsets = bytearray(b"%PDF-1.7\n"), {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref, size = len(out), max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n"
                    for n in range(1, size))
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n" % size
    return bytes(out + (after_startxref if after_startxref is not None else b"%d" % xref) + b"\n%%EOF\n")


def _stream(data: bytes, dictionary: bytes = b"") -> bytes:
    return b"<<%s/Length %d>>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def _one_page(content: bytes, resources: bytes = b"") -> dict[int, bytes]:
    return {1: b"<</Type/Catalog/Pages 2 0 R>>", 2: b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
            3: b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595.28 841.89]/Resources<<%s>>/Contents 4 0 R>>" % resources,
            4: _stream(content)}


def _forms_in_forms() -> dict[int, bytes]:
    """A page that draws a form that draws the next form twice, 30 deep: 2^30 drawings from 3 kB."""
    objects = _one_page(b"/N Do", b"/XObject<</N 20 0 R>>")
    for i in range(30):
        objects[20 + i] = _stream(b"/N Do /N Do" if i < 29 else b"0 0 m 10 10 l S",
                                  b"/Type/XObject/Subtype/Form/BBox[0 0 100 100]/Resources<</XObject<</N %d 0 R>>>>" % (21 + i))
    return objects


@pytest.mark.parametrize("name, data, code, expected", [
    # Spaces where the reader skips whitespace: its pattern backtracked exponentially (never ended).
    ("spaces.pdf", _pdf(_one_page(b"0 0 m 100 100 l S"), b" " * 40), 1, "发现"),
    # PDFium drew them until it took GBs and aborted: now stopped at the memory limit (or, on a machine
    # slower than any seen, the time limit), with the file named.
    ("forms.pdf", _pdf(_forms_in_forms()), 2, "，已停止\n  提示：文件异常复杂或已损坏"),
])
def test_a_pdf_from_elsewhere_is_checked_within_bounds(tmp_path, name, data, code, expected):
    """`gongfu lint` may be given a file from elsewhere: a few kB that took the checks for ever or
    gigabytes (the subprocess's timeout only guards the test)."""
    path = tmp_path / name
    path.write_bytes(data)
    result = subprocess.run([sys.executable, "-m", "gongfu_reports", "lint", str(path)], capture_output=True,
                            text=True, cwd=REPO, timeout=300)
    assert result.returncode == code and "Traceback" not in result.stderr, result.stdout + result.stderr
    assert expected in result.stdout + result.stderr and name in result.stdout + result.stderr


def test_a_pipe_or_a_broken_word_file_is_an_error(built, tmp_path):
    """A pipe named .pdf (reading it waited for ever), a Word file whose page width overflows a number
    (a traceback, exit code 1 as if it were findings)."""
    import os

    from conftest import rewrite_zip

    pipe = tmp_path / "pipe.pdf"
    os.mkfifo(pipe)
    docx = tmp_path / "wide.docx"
    shutil.copy(built / "build" / "gaige-tupo-2024.docx", docx)
    rewrite_zip(docx, {"word/document.xml": lambda xml: xml.replace(b'w:w="16838"', b'w:w="1e999pt"')})
    for path, expected in ((pipe, "不是普通文件"), (docx, "无法作为 Word 文档（.docx）打开：文件已损坏")):
        result = lint(path)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stdout + result.stderr
        assert "Error" not in result.stderr, result.stderr   # no Python class names (it said OverflowError)
        assert f"{path.name}：{expected}" in result.stderr, result.stderr


def test_a_pdf_with_an_open_password_says_so(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="x", owner_password="y")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    result = lint(path)
    assert result.returncode == 2 and "locked.pdf：无法作为 PDF 打开" in result.stderr, result.stderr
    assert "PDF 设有打开密码" in result.stderr


def _plumber_view(page):
    """pdfplumber's view of a page, in the terms of gongfu_reports.pdftext (rounded to 0.01 pt)."""
    r = lambda *values: tuple(round(v, 2) for v in values)  # noqa: E731
    lines = [(l["text"], r(l["x0"], l["x1"], l["top"], l["bottom"])) for l in page.extract_text_lines()]
    chars = sorted((c["text"], r(c["x0"], c["x1"], c["top"], c["bottom"], c["size"])) for c in page.chars)
    shapes = sorted((s["object_type"], r(s["x0"], s["x1"], s["top"], s["bottom"])) for s in page.rects + page.lines)
    tables = [(r(*t.bbox), [None if c is None else "".join(c.split()) for c in t.extract()[0]]) for t in page.find_tables()]
    return lines, chars, shapes, tables


def _pdftext_view(page):
    r = lambda *values: tuple(round(v, 2) for v in values)  # noqa: E731
    lines = [(l.text, r(l.x0, l.x1, l.top, l.bottom)) for l in page.lines]
    chars = sorted((c.text, r(c.x0, c.x1, c.top, c.bottom, c.size)) for c in page.chars)   # PDFium orders turned pages its own way
    shapes = sorted((s.kind, r(s.x0, s.x1, s.top, s.bottom)) for s in page.shapes if s.kind != "curve")
    tables = [(r(*t.bbox), [None if c is None else "".join(c.split()) for c in t.first_row]) for t in page.tables]
    return lines, chars, shapes, tables


def _close(a, b, tolerance=0.02):
    """Equal texts and numbers within the tolerance (PDFium reads coordinates as 32-bit floats)."""
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_close(x, y, tolerance) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= tolerance
    return a == b


def test_pdf_reader_sees_what_pdfplumber_sees(pdf_path, tmp_path):
    """The checks were written against pdfplumber's view: the reader gives the same characters, lines,
    rules and tables on the bundled PDF's pages of each kind (first page with the red 标志 and rule,
    portrait and landscape table pages, the 版记 page), and on the same pages turned by /Rotate."""
    from pypdf import PdfReader, PdfWriter

    from gongfu_reports import pdftext

    wanted = [1, 2, 3, 17, 18, 19, len(PdfReader(pdf_path).pages)]
    sizes = [PdfReader(pdf_path).pages[n - 1].mediabox for n in wanted]
    assert [float(s.width) > float(s.height) for s in sizes] == [False, False, False, False, True, True, False]
    writer = PdfWriter()
    for n, rotation in zip(wanted, [0, 90, 180, 270, 0, 90, 0]):
        writer.add_page(PdfReader(pdf_path).pages[n - 1])
        if rotation:
            writer.pages[-1].rotate(rotation)
    turned = tmp_path / "turned.pdf"
    writer.write(turned)
    for path, numbers in ((pdf_path, wanted), (turned, range(1, len(wanted) + 1))):
        document = pdftext.open_document(path)
        mine = {page.number: page for page in pdftext.pages(document) if page.number in numbers}
        document.close()
        with pdfplumber.open(path) as pdf:
            for n in numbers:
                theirs, ours = _plumber_view(pdf.pages[n - 1]), _pdftext_view(mine[n])
                for name, a, b in zip(("lines", "chars", "rules", "tables"), theirs, ours):
                    assert _close(a, b), (path.name, n, name, [x for x in a if x not in b][:3], [x for x in b if x not in a][:3])
        assert mine[1].chars and any(page.tables for page in mine.values())


def _exact_view(page):
    """What the checks read of a page, besides its characters: lines, shapes and tables."""
    lines = [(l.text, l.x0, l.x1, l.top, l.bottom) for l in page.lines]
    shapes = [(s.kind, s.pts, s.x0, s.x1, s.top, s.bottom, s.stroke, s.fill) for s in page.shapes]
    tables = [(t.bbox, t.first_row) for t in page.tables]
    return lines, shapes, tables


def _line_key(line) -> tuple:
    text, x0, _x1, top, _bottom = line
    return round(top), round(x0), text


def _cells_joined(lines: list, other: list) -> list:
    """Lines of a table page with those the other reader splits at a gap between two cells joined as
    it joins them (the same characters: the gap is where the two readers' rules for a new line differ)."""
    texts = {line[0] for line in other}
    out, i = [], 0
    while i < len(lines):
        if i + 1 < len(lines) and lines[i][0] not in texts and f"{lines[i][0]} {lines[i + 1][0]}" in texts:
            (text, x0, _, top, bottom), (more, _, x1, top2, bottom2) = lines[i], lines[i + 1]
            out.append((f"{text} {more}", x0, x1, min(top, top2), max(bottom, bottom2)))
            i += 2
        else:
            out.append(lines[i])
            i += 1
    return out


def _same_chars(here, there, tolerance) -> bool:
    """The same characters, each matched with the nearest of the same text (PDFium reorders a line's text
    objects by position), all fields within the tolerance."""
    field = lambda c: (c.x0, c.x1, c.top, c.bottom, c.size, c.colour, c.upright)  # noqa: E731
    pool: dict = {}
    for c in there:
        pool.setdefault(c.text, []).append(c)
    for c in here:
        candidates = pool.get(c.text)
        if not candidates:
            return False
        nearest = min(range(len(candidates)), key=lambda i: abs(candidates[i].x0 - c.x0) + abs(candidates[i].top - c.top))
        if not _close(field(c), field(candidates.pop(nearest)), tolerance):
            return False
    return not any(pool.values())


@pytest.mark.parametrize("engine", ["html", "typst"])
def test_content_reader_gives_what_pdfium_gives(request, engine):
    """Every page of every bundled PDF of each engine is read from the file's content streams
    (pdfread) and gives what PDFium gives pdftext: the same characters, lines, rules and tables (within
    0.001 pt: PDFium works in 32-bit floats). Only the pages pdfread declines for a known reason (text
    drawn twice, as the Typst template's simulated bold does) are left to PDFium, and they are few."""
    from gongfu_reports import pdfread, pdftext

    workdir = request.getfixturevalue("built" if engine == "typst" else "built_html")
    pdfs = sorted((workdir / "build").glob("*.pdf"))
    assert len(pdfs) >= 7
    pages = declined = 0
    for path in pdfs:
        document = pdftext.open_document(path)
        assert document.parsed is not None, path.name
        for index in range(len(document)):
            pages += 1
            try:
                here = pdftext._read_here(document, index)
            except pdfread.Unsupported as exc:
                assert "repeated over itself" in str(exc), (path.name, index + 1, str(exc))
                declined += 1
                continue
            there = pdftext._read_with_pdfium(document.pdfium, index)
            assert here.chars or not there.chars and not there.shapes, (path.name, index + 1)   # a blank page
            assert _same_chars(here.chars, there.chars, 0.001), (path.name, index + 1)
            for name, a, b in zip(("lines", "shapes", "tables"), _exact_view(here), _exact_view(there)):
                if name == "lines":   # PDFium orders a page's upright and turned (page number) lines its own way
                    a, b = sorted(a, key=_line_key), sorted(b, key=_line_key)
                    if here.tables:       # across the gap between two cells, one of them may start a new line
                        a, b = _cells_joined(a, b), _cells_joined(b, a)
                assert _close(a, b, 0.001), (path.name, index + 1, name, [x for x in a if x not in b][:2],
                                             [x for x in b if x not in a][:2])
        document.close()
    assert declined <= pages // 20, (declined, pages)


def test_text_drawn_twice_in_place_is_read_as_pdfium_reads_it(built):
    """Some programs draw a text twice in the same place (bold, shadows). PDFium's text page keeps it once;
    the content reader then declines the page ("repeated over itself") and PDFium reads it: the checks find
    the same as in the file drawn once. Here a Typst PDF with its first text object drawn a second time."""
    import io
    import re

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject

    from gongfu_reports import pdfread, pdftext
    from gongfu_reports.lint import lint_bytes

    original = (built / "build" / "shishi-fangan.pdf").read_bytes()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original)))
    page = writer.pages[1]
    content = page.get_contents().get_data()
    group = re.compile(pdfread._TEXT_GROUP, re.S).search(content)
    assert group and b"TJ" in group.group(0)
    twice = DecodedStreamObject()
    twice.set_data(content[:group.end()] + group.group(0) + content[group.end():])
    page.replace_contents(twice)
    out = io.BytesIO()
    writer.write(out)
    document = pdftext.open_document(out.getvalue())
    with pytest.raises(pdfread.Unsupported, match="repeated over itself"):
        pdftext._read_here(document, 1)
    pdftext._read_here(document, 2)   # the other pages are read from the content streams
    drawn_twice = list(pdftext.pages(document))[1]
    drawn_once = list(pdftext.pages(pdftext.open_document(original)))[1]
    assert [l.text for l in drawn_twice.lines] == [l.text for l in drawn_once.lines]
    assert [str(f) for f in lint_bytes(out.getvalue(), "pdf")] == [str(f) for f in lint_bytes(original, "pdf")]


PNG_1PX = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
           "60e6kgAAAABJRU5ErkJggg==")


def test_page_the_content_reader_leaves_is_read_with_pdfium(tmp_path):
    """A page with something the content reader does not read (an image, drawn as an XObject) is read
    with PDFium and checked all the same; the pages around it are read from the content streams."""
    from gongfu_reports import pdfread, pdftext

    html = _gb_html(f"<p>第一页的文字。</p><p style='break-before: page'>第二页有图片。<img src='{PNG_1PX}'></p>"
                    "<p style='break-before: page'>第三页的文字。</p>")
    path = _write_pdf(html, tmp_path / "image.pdf")
    document = pdftext.open_document(path)
    pdftext._read_here(document, 0)
    with pytest.raises(pdfread.Unsupported):
        pdftext._read_here(document, 1)
    pages = list(pdftext.pages(document))
    assert [l.text for l in pages[1].lines][:1] == ["第二页有图片。"]
    result = lint(path)
    assert result.returncode == 0 and "符合 GB/T 9704-2012" in result.stdout, result.stdout


def test_docx_sections_and_tables_found_by_their_tags(built, tmp_path):
    """Where a document's body is plain, its sections and tables are found by their tags: the same as
    parsing the document, on every bundled DOCX and on one with a table in a table. A table in a
    content control (w:sdt) is no table of the body for python-docx: that document is parsed whole,
    and the long table without a repeated header row in it is not reported."""
    import zipfile

    from lxml import etree

    from gongfu_reports.lint import _parsed_body, _plain_body

    docx_files = sorted((built / "build").glob("*.docx"))
    nested = tmp_path / "nested.docx"
    doc = Document(built / "build" / f"{DOC_ID}.docx")
    doc.tables[1].rows[3].cells[1].add_table(rows=20, cols=2)
    doc.save(nested)
    plain = tables = 0
    for path in docx_files + [nested]:
        data = zipfile.ZipFile(path).read("word/document.xml")
        found = _plain_body(data)
        if found is None:                   # a text box in the document: parsed whole
            assert b"<w:txbxContent" in data, path.name
            continue
        start, sections, body_tables = found
        parsed_sections, parsed_tables = _parsed_body(etree.fromstring(data))
        assert [etree.tostring(etree.fromstring(start + x + b"</w:document>")[0]) for x in sections] \
            == [etree.tostring(x) for x in parsed_sections], path.name
        assert body_tables == parsed_tables, path.name
        plain, tables = plain + 1, tables + len(body_tables)
    assert plain >= 5 and tables >= 5

    sdt = tmp_path / "sdt.docx"
    doc = Document(built / "build" / f"{DOC_ID}.docx")
    table = doc.tables[1]._tbl
    for tr in table.findall(W + "tr"):
        trpr = tr.find(W + "trPr")
        if trpr is not None:
            for header in trpr.findall(W + "tblHeader"):
                trpr.remove(header)
    wrapper = etree.SubElement(table.getparent(), W + "sdt")
    table.addprevious(wrapper)
    content = etree.SubElement(wrapper, W + "sdtContent")
    content.append(table)
    doc.save(sdt)
    assert _plain_body(zipfile.ZipFile(sdt).read("word/document.xml")) is None
    result = lint(sdt)
    assert "表头" not in result.stdout and result.returncode == 0, result.stdout
