"""The Typst engine's PDFs with their small objects packed into compressed object streams
(gongfu_reports/pdfpack.py): every object reads the same as in the file Typst wrote, other PDF readers
open them, the 工作要点 stays under 1 MB (issue 7), and a file the packer does not expect is left as it is."""

from __future__ import annotations

import io

import pdfplumber
import pypdfium2 as pdfium
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from conftest import DOC_ID
from gongfu_reports.pdfpack import pack


def unpacked_pdf(built, monkeypatch, stem: str) -> bytes:
    """build/<stem>.pdf as Typst writes it: the build's renderer with the packing left out."""
    from gongfu_reports import kinds
    from gongfu_reports.render import typst
    from gongfu_reports.render.registry import renderer_for

    config = kinds.load_config(built)
    monkeypatch.chdir(built)
    monkeypatch.setattr(typst, "pack", lambda data: data)
    output = next(output for doc_id, doc in config.documents.items()
                  for output in kinds.get(doc.kind).outputs(config, doc_id) if output.stem == stem)
    return renderer_for("pdf", config).render(kinds.compose_output(config, output).view, config)


def resolved(value, depth: int = 0):
    """A PDF value with its references followed (to a few levels), for comparing two files' objects."""
    if isinstance(value, IndirectObject):
        value = value.get_object()
        if depth > 2:
            return type(value).__name__
    if isinstance(value, dict):
        return {k: resolved(v, depth + 1) for k, v in value.items() if k != "/Parent"}
    if isinstance(value, list):
        return [resolved(v, depth + 1) for v in value]
    return value


def test_the_built_pdf_is_typsts_pdf_with_its_objects_packed(built, monkeypatch):
    written = unpacked_pdf(built, monkeypatch, DOC_ID)
    built_pdf = (built / "build" / f"{DOC_ID}.pdf").read_bytes()
    assert b"/ObjStm" not in written and b"/ObjStm" in built_pdf and b"/Type/XRef" in built_pdf
    assert len(built_pdf) < 0.85 * len(written)
    before, after = PdfReader(io.BytesIO(written)), PdfReader(io.BytesIO(built_pdf), strict=True)
    count = 0
    for number in before.xref[0]:
        if number == 0:
            continue
        one, other = before.get_object(number), after.get_object(number)
        if hasattr(one, "get_data"):
            assert one.get_data() == other.get_data(), number
        else:
            assert resolved(one) == resolved(other), number
        count += 1
    assert count > 1000   # the structure tree's elements among them
    assert after.trailer["/Root"].get("/StructTreeRoot") is not None   # still a tagged PDF
    assert after.trailer["/ID"] == before.trailer["/ID"]


def test_other_readers_see_the_same_pages_and_text(built, monkeypatch):
    written = unpacked_pdf(built, monkeypatch, "tongbao-2024-06")
    built_pdf = (built / "build" / "tongbao-2024-06.pdf").read_bytes()
    one, other = pdfium.PdfDocument(written), pdfium.PdfDocument(built_pdf)
    assert len(one) == len(other) > 30
    for i in range(len(one)):
        assert one[i].get_textpage().get_text_range() == other[i].get_textpage().get_text_range()
    with pdfplumber.open(io.BytesIO(written)) as a, pdfplumber.open(io.BytesIO(built_pdf)) as b:
        for page in (0, 1, len(a.pages) - 1):
            assert a.pages[page].extract_words() == b.pages[page].extract_words()


def test_the_work_points_pdf_stays_under_1_mb(built):
    # Issue 7: the 工作要点 (47 pages, its fonts subset) under 1 MB; Typst alone writes 1.06 MB.
    assert (built / "build" / f"{DOC_ID}.pdf").stat().st_size < 1_000_000


def test_a_file_the_packer_does_not_expect_is_left_as_it_is(built, built_html):
    weasyprint = (built_html / "build" / f"{DOC_ID}.pdf").read_bytes()   # packed by WeasyPrint already
    assert pack(weasyprint) is weasyprint
    packed = (built / "build" / f"{DOC_ID}.pdf").read_bytes()
    assert pack(packed) is packed
    for odd in (b"", b"%PDF-1.4\n", b"not a pdf", packed[:len(packed) // 2]):
        assert pack(odd) is odd


def test_text_that_spells_the_keywords_is_packed_as_text(tmp_path):
    """A title typed by anyone ends up in the PDF's document information as written: text that spells
    'endstream endobj' or 'stream' must neither break the file nor lose its words."""
    import typst

    title = "Plan endstream endobj 1 0 obj stream (endobj"
    source = tmp_path / "t.typ"
    source.write_text(f'#set document(title: "{title}")\n正文 endobj endstream\n', encoding="utf-8")
    written = typst.Compiler(root=str(tmp_path)).compile(input=str(source), format="pdf", pdf_tags=True)
    assert f"({title.replace('(', chr(92) + '(')})".encode() in written   # as typed, in the document information
    packed = pack(written)
    assert b"/ObjStm" in packed
    reader = PdfReader(io.BytesIO(packed), strict=True)
    assert reader.metadata.title == title
    assert "正文 endobj endstream" in reader.pages[0].extract_text()
