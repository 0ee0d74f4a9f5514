"""The 版记 on an even page: printed on both sides, the last page of a document is the back of its last
sheet, and GB/T 9704 puts the 版记 at the foot of that side (its drafters: a 版记 on an odd page is not
standard, even if it fits under the text). Where the text ends on an odd page the 版记 moves to the next
page; where it would fall on an odd page of its own, that page is left blank and the 版记 goes on the
next, and neither of the two is numbered (GB/T 9704 7.5). Notices whose text ends at every place of two
pages are laid out by both PDF engines and read back; the Word file's own 版记 page starts on an even
page (w:type evenPage), as LibreOffice shows."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from conftest import gongfu, libreoffice, notices_folder
from gongfu_reports import kinds, lint, pdftext
from gongfu_reports.render.registry import renderer_for

LINE = "各单位要按照本通知要求认真组织实施确保工作落实。"   # one line: 24 characters after the indent of 2
PRINTER = "舟山市测试办公室"
# Body lines: page 1 holds 9 under the 版头, page 2 another 22; the 署名, the date and the 版记 (3 lines
# of 4号) follow. The range ends the text at every place of pages 1 to 3.
LINES = range(3, 58)


def notice(lines: int) -> str:
    body = "".join(f"  - {LINE}\n" for _ in range(lines))
    return (f"发文机关标志: 舟山市测试办公室文件\n发文字号: 舟测办〔2024〕8号\n标题: 关于测试版记位置的通知\n"
            f"主送机关: 各有关单位\n正文:\n{body}署名: {PRINTER}\n成文日期: 2024-05-06\n"
            f"抄送: 市委办公室，市人大常委会办公室\n印发机关: {PRINTER}\n印发日期: 2024-05-07\n")


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return kinds.load_config(notices_folder(tmp_path_factory.mktemp("imprint"), {f"n{k}": notice(k) for k in LINES}))


def render(config, doc_id: str, fmt: str) -> bytes:
    composed = kinds.compose(config, doc_id, None)
    kinds.finish(config, composed.view)
    return renderer_for(fmt, config).render(composed.view, config)


def pages(pdf) -> list[list[str]]:
    """Each page's lines, spaces taken out."""
    document = pdftext.open_document(pdf)
    try:
        return [["".join(line.text.split()) for line in page.lines] for page in pdftext.pages(document)]
    finally:
        document.close()


def imprint_page(doc: list[list[str]], label: str) -> str:
    """Where the 版记 stands, checked as a reader of the printed sheets would: "with text" (at the foot of
    the last page of text), "moved" (alone on the page after the text, numbered) or "after blank" (alone,
    a blank page before it, neither numbered)."""
    at = [i for i, lines in enumerate(doc) if any(re.fullmatch(r".*\d+年\d+月\d+日印发", t) for t in lines)]
    assert at == [len(doc) - 1], (label, at, len(doc))
    number = len(doc)
    assert number % 2 == 0, f"{label}: 版记 on page {number}"
    last, before = doc[-1], doc[-2]
    numbered = f"—{number}—" in last
    if not before:
        assert not numbered and not any(t.startswith("—") for t in last), (label, last)
        assert len(doc) >= 3 and doc[-3], label                        # one blank page, not two
        return "after blank"
    assert numbered, (label, last)
    if LINE in last:
        return "with text"
    assert last[0].startswith("抄送"), (label, last)                     # nothing but the 版记 (and its number)
    assert "2024年5月6日" in before, (label, before[-3:])                  # the text ends on the page before
    return "moved"


@pytest.mark.parametrize("engine", ["typst", "html"])
def test_imprint_on_an_even_page_in_the_pdf(config, engine, tmp_path):
    config.pdf_engine = engine
    seen = {}
    for k in LINES:
        data = render(config, f"n{k}", "pdf")
        doc = pages(data)
        case = imprint_page(doc, f"{engine} n{k}")
        findings = lint.lint_bytes(data, "pdf")
        assert not findings, (k, findings)   # the checks accept the blank page and the unnumbered 版记 page
        if case not in seen:   # and so do the checks of a long PDF in runs of pages, wherever a run starts
            for parts in range(2, len(doc) + 1):
                assert not lint.whole_pdf([lint.check_pdf_part(data, part, parts) for part in range(parts)]), (k, parts)
        seen.setdefault(case, k)
    assert set(seen) == {"with text", "moved", "after blank"}, seen


def test_imprint_on_an_odd_page_is_a_finding(config, tmp_path):
    """A PDF from elsewhere whose 版记 is on an odd page: the checks say so."""
    import pypdfium2 as pdfium

    config.pdf_engine = "typst"
    data = render(config, "n3", "pdf")             # the text ends on page 1: the 版记 alone on page 2
    assert imprint_page(pages(data), "n3") == "moved"
    pdf = pdfium.PdfDocument(data)
    pdf.del_page(0)                                # now on page 1
    path = tmp_path / "odd.pdf"
    pdf.save(path)
    pdf.close()
    assert [f.message for f in lint.lint(path) if f.element == "版记"] == [
        "版记应在双页（双面印刷时的最后一面）；单页后可留空白页"]


def test_word_starts_the_imprint_page_on_an_even_page(built, tmp_path_factory):
    """After landscape pages the 版记 has a page of its own: in the Word file a section that starts on
    an even page (Word and LibreOffice leave a blank page before it where needed); LibreOffice numbers
    it even. A document whose last page holds text keeps an ordinary last section."""
    from lxml import etree

    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def last_section_start(path: Path) -> str:
        body = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml")).find(f"{W}body")
        return body.find(f"{W}sectPr/{W}type").get(f"{W}val")

    build = built / "build"
    assert last_section_start(build / "tongbao-2024-06.docx") == "evenPage"     # landscape attachment last
    assert last_section_start(build / "zhengfu-zeren-2024.docx") == "evenPage"
    assert last_section_start(build / "gongzuo-yaodian-2024.docx") == "nextPage"   # no 版记
    assert last_section_start(build / "shishi-fangan.docx") == "nextPage"
    [pdf] = libreoffice([build / "tongbao-2024-06.docx"], "pdf", tmp_path_factory.mktemp("lo-imprint"),
                        tmp_path_factory)
    last = pages(pdf)[-1]
    assert last[0].startswith("抄送") and re.fullmatch(r"—(\d+)—", last[-1]), last
    assert int(last[-1].strip("—")) % 2 == 0, last


def test_a_copy_line_longer_than_a_page_is_refused(tmp_path):
    """A 版记 too tall for a page would run off its top (the part above lost in print): the 抄送 is
    refused with its file and line. The longest that fits is printed whole, inside the 版心."""
    from gongfu_reports.model.document import copy_line
    from gongfu_reports.render import layout

    def with_copy_to(k: int) -> str:
        return notice(5).replace("抄送: 市委办公室，市人大常委会办公室", "抄送: " + "，".join(["市委办公室"] * k))

    fits = max(k for k in range(1, 400)
               if layout.imprint_lines(copy_line("，".join(["市委办公室"] * k))) <= layout.IMPRINT_MAX_LINES)
    folder = notices_folder(tmp_path / "w", {"fits": with_copy_to(fits), "over": with_copy_to(fits + 1)})
    result = gongfu(folder, "build", "over")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "data/over.yaml，第13行：“抄送”过长" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert not [p.name for p in (folder / "build").glob("*") if p.name != ".lock"]   # nothing written
    result = gongfu(folder, "build", "fits", "--format", "pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "页边距" not in result.stderr and "版记" not in result.stderr, result.stderr   # inside the 版心, at its foot
    doc = pages(folder / "build" / "fits.pdf")
    assert "".join(doc[-1]).count("市委办公室") == fits
