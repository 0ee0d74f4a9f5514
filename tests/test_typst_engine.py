"""The Typst PDF engine (the default, `pdf_engine: typst`): every bundled document passes the GB/T 9704
checks, carries the HTML engine's text, keeps merged cells and repeated headers, and behaves like the
HTML engine on errors, rebuilds and parallel builds."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pdfplumber

from conftest import MM, copy_workdir, gongfu, normalise
from gongfu_reports.lint import lint
from gongfu_reports.render import layout as L

FOOTER = re.compile(r"— \d+ —")


def text_of(path: Path) -> str:
    """The characters of a PDF without page numbers and without table header rows (repeated on each
    page a table runs on to, and the engines break pages at different rows)."""
    out = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            headers = [t.rows[0].bbox for t in page.find_tables() if len(t.rows[0].cells) > 1]

            margin = L.LAND_MARGIN_LEFT * MM if page.width > page.height else 0   # a landscape page's turned number

            def outside_headers(obj, headers=headers, margin=margin):
                return obj.get("object_type") != "char" or obj["x1"] >= margin and not any(
                    x0 - 1 <= obj["x0"] and obj["x1"] <= x1 + 1 and top - 1 <= obj["top"] and obj["bottom"] <= bottom + 1
                    for x0, top, x1, bottom in headers)

            out.append(FOOTER.sub("", page.filter(outside_headers).extract_text()))
    return normalise("".join(out))


def test_every_bundled_pdf_passes_the_gbt9704_checks(built):
    pdfs = sorted((built / "build").glob("*.pdf"))
    assert len(pdfs) >= 7
    for path in pdfs:
        assert lint(path) == [], path.name


def test_same_characters_as_the_html_engine(built, built_html):
    """Both engines lay out the same view model: the same characters in every document (line and page
    breaks differ, so the multiset of characters is compared, page numbers left out)."""
    for html_pdf in sorted((built_html / "build").glob("*.pdf")):
        typst_pdf = built / "build" / html_pdf.name
        assert Counter(text_of(typst_pdf)) == Counter(text_of(html_pdf)), html_pdf.name


def test_pdf_is_made_by_typst_with_the_document_date(built):
    from pypdf import PdfReader

    info = PdfReader(built / "build" / "gongzuo-yaodian-2024.pdf").metadata
    assert info["/Creator"].startswith("Typst")
    assert info["/CreationDate"].startswith("D:20240430")
    assert info["/Title"].startswith("关于印发《2024年舟山")


def test_merged_cells_and_repeated_headers(built):
    """The task list's 重点任务 column is merged over its 主要举措 rows, and every page of the
    landscape table starts with the header row."""
    with pdfplumber.open(built / "build" / "gongzuo-yaodian-2024.pdf") as pdf:
        landscape = [p for p in pdf.pages if p.width > p.height]
        assert len(landscape) >= 10
        merged = 0
        for page in landscape:
            table = page.find_tables()[0].extract()
            assert [normalise(c or "") for c in table[0]][:2] == ["重点任务", "主要举措"], page.page_number
            # A merged cell: pdfplumber gives None for the grid cells it covers.
            merged += sum(1 for row in table[1:] if row[0] is None and row[1])
        assert merged >= 20


def test_typst_is_the_default_and_switching_engines_rebuilds(tmp_path):
    workdir = copy_workdir(tmp_path / "w")
    config = workdir / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert "\npdf_engine: typst" in text
    config.write_text(text.replace("\npdf_engine: typst", "\n"), encoding="utf-8")   # not set: the default
    assert gongfu(workdir, "build", "shishi-fangan", "--format", "pdf").returncode == 0
    pdf = workdir / "build" / "shishi-fangan.pdf"
    assert b"Typst" in pdf.read_bytes()
    config.write_text(text.replace("pdf_engine: typst", "pdf_engine: html"), encoding="utf-8")
    result = gongfu(workdir, "build", "shishi-fangan", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    assert b"Typst" not in pdf.read_bytes()      # a new engine is a new output, not "unchanged"
    result = gongfu(workdir, "build", "shishi-fangan", "--format", "pdf")
    assert "未重新生成" in result.stdout


def test_unknown_engine_is_a_clear_error(tmp_path):
    workdir = copy_workdir(tmp_path / "w")
    result = gongfu(workdir, "build", "--engine", "latex")
    assert result.returncode == 2
    assert "没有这种 PDF 排版引擎：“latex”" in result.stderr and "typst" in result.stderr
    assert "Traceback" not in result.stderr


def test_template_error_names_file_and_line_and_keeps_outputs(tmp_path):
    workdir = copy_workdir(tmp_path / "w")
    assert gongfu(workdir, "build", "shishi-fangan").returncode == 0
    before = {p.name: p.read_bytes() for p in (workdir / "build").glob("shishi-fangan.*")}
    template = workdir / "templates" / "typst" / "document.typ"
    lines = template.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("#let gap ="))
    lines[number - 1] = "#let gap = pitch - box-h + no-such-length"
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = gongfu(workdir, "build", "shishi-fangan")
    assert result.returncode == 2
    assert f"document.typ，第{number}行" in result.stderr
    assert "Typst 模板出错" in result.stderr and "no-such-length" in result.stderr
    assert "Traceback" not in result.stderr
    assert {p.name: p.read_bytes() for p in (workdir / "build").glob("shishi-fangan.*")} == before


def test_serial_and_parallel_builds_give_the_same_bytes(tmp_path, built):
    """built used the default --jobs (all cores, a pool); this build renders in one process."""
    workdir = copy_workdir(tmp_path / "w")
    result = gongfu(workdir, "build", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    parallel = {p.name: p.read_bytes() for p in (built / "build").glob("*.*") if p.suffix in (".pdf", ".docx")}
    serial = {p.name: p.read_bytes() for p in (workdir / "build").glob("*.*") if p.suffix in (".pdf", ".docx")}
    assert serial.keys() == parallel.keys() and len(serial) >= 7
    assert all(serial[name] == parallel[name] for name in serial)


def test_a_child_grown_large_ends_and_the_next_compile_gives_the_same_pdf(built, monkeypatch):
    """Typst keeps what it laid out for the next compiles; a child holding more than RECYCLE_MB after a
    compile ends (its memory back to the system) and the next compile starts a new one. Here every
    compile ends its child: the PDFs are still the bytes of the build's one long-lived child."""
    from gongfu_reports import kinds
    from gongfu_reports.render import typst_child
    from gongfu_reports.render.registry import renderer_for

    config = kinds.load_config(built)
    monkeypatch.chdir(built)
    monkeypatch.setattr(typst_child, "RECYCLE_MB", 0)
    pids = []
    for doc_id in ("shishi-fangan", "gaige-tupo-2024"):
        output = kinds.get(config.documents[doc_id].kind).outputs(config, doc_id)[0]
        pdf = renderer_for("pdf", config).render(kinds.compose_output(config, output).view, config)
        assert pdf == (built / "build" / f"{doc_id}.pdf").read_bytes(), doc_id
        pids.append(typst_child._child.process.pid if typst_child._child else None)
    assert pids == [None, None]   # each child ended after its compile


def test_a_child_started_before_the_first_compile_gives_the_same_pdf(built, monkeypatch):
    """A parallel build starts the Typst child (its compiler made, the fonts loaded) before it composes:
    the compile then uses that child and gives the build's bytes. The start takes the configured font
    names as data: one that is Typst code is only a font Typst does not find."""
    import json

    from gongfu_reports import kinds
    from gongfu_reports.render import typst_child
    from gongfu_reports.render.registry import renderer_for
    from gongfu_reports.render.typst import start_compiler

    config = kinds.load_config(built)
    monkeypatch.chdir(built)
    typst_child._close()
    monkeypatch.setattr(typst_child, "_child", None)
    start_compiler(config)
    child = typst_child._child
    assert child is not None and child.process.poll() is None
    # A name that is Typst code: were it pasted into the source, the compile would panic (start() keeps
    # quiet about errors, so the request is made here as start() makes it, and must give a PDF).
    request = {"root": str(built / "templates" / "typst"), "font_dirs": [], "source": typst_child.FONTS_SOURCE,
               "timestamp": 0, "inputs": {"fonts": json.dumps({"body": {"family": '") #panic("x', "weight": 400}})}}
    assert typst_child.compile_pdf(request, 5, 10, 500).startswith(b"%PDF")
    assert typst_child._child is child
    output = kinds.get(config.documents["shishi-fangan"].kind).outputs(config, "shishi-fangan")[0]
    pdf = renderer_for("pdf", config).render(kinds.compose_output(config, output).view, config)
    assert pdf == (built / "build" / "shishi-fangan.pdf").read_bytes()
    assert typst_child._child is child   # the compile used the started child
    typst_child._close()


def test_a_very_long_progress_text_builds(tmp_path):
    """A unit's progress of 3000 characters with a mark every fifth, and one of many lines: Typst's
    regex show rules stop at 512 matches in one run of text (typst/typst#6694, "maximum grouping depth
    exceeded"), and the punctuation rule made the 完成情况 and the 通报 fail for text collect accepts.
    Every character is shown."""
    work = copy_workdir(tmp_path / "w")
    path = work / "data/zhengfu-2024/progress/2024-07.yaml"
    long_line = "推进工作，" * 600
    many_lines = "\\n".join(["落实责任，加快进度。"] * 120)
    text, count = re.subn(r"完成情况: （示例）上半年,全市预计一般公共预算收入.*", f'完成情况: "{long_line}"',
                          path.read_text(encoding="utf-8"), count=1)
    text, more = re.subn(r"完成情况: （示例）上半年全市经济保持平稳发展态势.*", f'完成情况: "{many_lines}"', text, count=1)
    assert count == more == 1
    path.write_text(text, encoding="utf-8")
    result = gongfu(work, "build", "bulletin", "tongbao", "--period", "2024-07", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    import pypdfium2 as pdfium

    for name in ("bulletin-2024-07", "tongbao-2024-07"):
        pdf = pdfium.PdfDocument(work / "build" / f"{name}.pdf")
        try:   # in the order drawn: a cell's lines one after the other (a page break may cut one phrase)
            pages = len(pdf)
            shown = normalise("".join(page.get_textpage().get_text_range() for page in pdf))
        finally:
            pdf.close()
        assert shown.count("推进工作，") >= 600 - pages and shown.count("落实责任，加快进度。") >= 120 - pages, name


def test_a_long_latin_string_wraps_inside_its_cell_and_the_text_area(tmp_path):
    """A run of Latin letters with nowhere to break (300 letters in the notice's body, a task name that
    starts with markup): Typst kept it on one line, past the 版心 (the rest of it lost off the page) or
    over the next cell. It wraps as in Word and the web edition: every character on the page, inside
    the 版心, no glyph over another."""
    import openpyxl

    work = copy_workdir(tmp_path / "w")
    notice = work / "data/notice.yaml"
    text = notice.read_text(encoding="utf-8")
    assert "认真抓好落实。" in text
    notice.write_text(text.replace("认真抓好落实。", "认真抓好落实。" + "A" * 300, 1), encoding="utf-8")
    book = openpyxl.load_workbook(work / "data/tasks.xlsx")
    sheet = book["重点任务清单"]
    cell = next(c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and len(c.value) > 30)
    cell.value = "<script>alert(1)</script>" + "B" * 60 + cell.value
    book.save(work / "data/tasks.xlsx")
    result = gongfu(work, "build", "gongzuo-yaodian-2024", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    assert "超出版心" not in result.stdout + result.stderr
    with pdfplumber.open(work / "build/gongzuo-yaodian-2024.pdf") as pdf:
        shown = normalise("".join(page.extract_text() for page in pdf.pages))
        assert shown.count("A") >= 300 and shown.count("B") >= 60
        for page in pdf.pages:
            glyphs = sorted((c for c in page.chars if c["text"].strip()), key=lambda c: c["top"])
            lines = []
            for c in glyphs:
                if lines and c["top"] - lines[-1][0]["top"] < 1:
                    lines[-1].append(c)
                else:
                    lines.append([c])
            for line in lines:   # neighbours on a line: the next starts where the last ends
                line.sort(key=lambda c: c["x0"])
                for a, b in zip(line, line[1:]):
                    assert b["x0"] >= a["x1"] - 0.5, (page.page_number, a["text"], b["text"], a["x1"], b["x0"])
            assert all(0 <= c["x0"] and c["x1"] <= page.width for c in glyphs), page.page_number
