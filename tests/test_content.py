"""What a reader sees: the seed's text reproduced, DOCX and PDF alike, from Excel or YAML."""

from __future__ import annotations

import re
from collections import Counter

import openpyxl
import pytest
import yaml
from pypdf import PdfReader

from conftest import DOC_ID, SEEDS, copy_workdir, docx_text, gongfu, normalise, shingles


def pdf_text(path) -> str:
    """PDF text in content order (how text extractors and screen readers read it)."""
    lines = "\n".join(page.extract_text() for page in PdfReader(path).pages).splitlines()
    return "\n".join(line for line in lines if not re.fullmatch(r"— \d+ —", line.strip()))


@pytest.fixture(scope="module")
def seed_shingles():
    text = (SEEDS / "000_684c7ec549253992.txt").read_text(encoding="utf-8")
    # The seed is a web/PDF extraction: drop its markup, not its words.
    text = re.sub(r"</?p>|\*\*", "", text)
    return shingles(text)


def coverage(seed: set, text: str) -> float:
    return len(seed & shingles(text)) / len(seed)


def test_docx_reproduces_the_seed(docx_path, seed_shingles):
    assert coverage(seed_shingles, docx_text(docx_path)) >= 0.95


def test_pdf_reproduces_the_seed(any_pdf_path, seed_shingles):
    assert coverage(seed_shingles, pdf_text(any_pdf_path)) >= 0.90


def test_key_passages_and_targets_as_written(docx_path, any_pdf_path):
    docx = normalise(docx_text(docx_path))
    pdf = normalise(pdf_text(any_pdf_path))
    for passage in ("舟共富办〔2024〕1号", "（舟山市发展和改革委员会代章）", "2024年4月30日",
                    "≥95", "<0.019", "≤8.55", ">96", "三分之二以上", "与经济增长基本同步",
                    "1.夯实共同富裕物质基础。", "14.深入推进平安舟山建设。",
                    "附件：1.2024年共同富裕示范区先行市重点任务清单", "2.有关单位名单",
                    "（七）保障措施（2项）", "76.加强宣传推广", "有关单位名单", "嵊泗县"):
        assert passage in docx, passage
        assert passage in pdf, passage


def paragraphs_outside_tables(docx_path) -> list[str]:
    from docx import Document

    return [normalise(p.text) for p in Document(docx_path).paragraphs if normalise(p.text)]


def test_docx_and_pdf_carry_the_same_text_in_the_same_order(docx_path, any_pdf_path):
    pdf = normalise(pdf_text(any_pdf_path))
    position = 0
    for text in paragraphs_outside_tables(docx_path):
        found = pdf.find(text, position)
        assert found >= 0, f"not found after position {position}: {text[:40]}"
        position = found + len(text)
    # Table text: each line of each cell, whole or in pieces near one another (page breaks may split a
    # cell and repeat the header; the page text reads a row line by line across its cells).
    from docx import Document

    doc = Document(docx_path)
    checked = 0
    for table in doc.tables:
        # Keyed by the cell's element (kept alive here): an id() of a freed proxy is reused by the next.
        cells = {c._tc: normalise(c.text) for row in table.rows for c in row.cells}
        header = "".join({c._tc: normalise(c.text) for c in table.rows[0].cells}.values())
        for text in cells.values():
            for line in filter(None, text.split("。")):
                assert line in pdf or in_pieces(line, pdf), line[:40]
                checked += 1
        assert header in pdf
    assert checked > 500   # the 工作要点's indicator table and task list


PIECE_GAP = 1500   # characters between two pieces of a cell's line at most: the rest of a page, a header
PIECE_MIN = 3      # characters in a piece, but the first and the last


def in_pieces(line: str, pdf: str) -> bool:
    """A cell's line in the page text in pieces, in order, each within PIECE_GAP characters after the
    one before: a cell that runs on to the next page, or whose lines the page text interleaves with the
    next cell's. A piece inside the line is a whole line of the cell (PIECE_MIN characters or more); the
    first and the last may be shorter (the line starts or ends inside a line of the cell). The first
    piece is tried wherever it occurs: the same words may stand in the body text too."""
    for end in range(len(line) - 1, 1, -1):
        at = pdf.find(line[:end])
        while at >= 0:
            if _rest_nearby(line[end:], pdf, at + end):
                return True
            at = pdf.find(line[:end], at + 1)
    return False


def _rest_nearby(rest: str, pdf: str, position: int) -> bool:
    while rest:
        window = pdf[position:position + PIECE_GAP + len(rest)]
        end = next((n for n in range(len(rest), 0, -1) if rest[:n] in window and (n >= PIECE_MIN or n == len(rest))), 0)
        if not end:
            return False
        position += window.find(rest[:end]) + end
        rest = rest[end:]
    return True


def xlsx_to_yaml(xlsx, target):
    """Independent conversion: every row as a mapping of header → cell text, merged cells filled."""
    book = openpyxl.load_workbook(xlsx)
    sheet = book.worksheets[0]
    values = {(c.row, c.column): c.value for row in sheet.iter_rows() for c in row}
    for merged in sheet.merged_cells.ranges:
        top_left = values[(merged.min_row, merged.min_col)]
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                values[(r, c)] = top_left
    headers = [values[(1, c)] for c in range(1, sheet.max_column + 1)]
    rows = [{h: values[(r, c + 1)] if values[(r, c + 1)] is not None else "" for c, h in enumerate(headers)}
            for r in range(2, sheet.max_row + 1)]
    target.write_text(yaml.safe_dump(rows, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_yaml_and_excel_give_the_same_document(built, tmp_path):
    workdir = copy_workdir(tmp_path / "yaml")
    xlsx_to_yaml(workdir / "data" / "indicators.xlsx", workdir / "data" / "indicators.yaml")
    xlsx_to_yaml(workdir / "data" / "tasks.xlsx", workdir / "data" / "tasks.yaml")
    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
    plan = config["documents"][DOC_ID]["enclosures"][0]
    plan["indicators"].update(file="data/indicators.yaml", sheet=None)
    plan["attachments"][0].update(file="data/tasks.yaml", sheet=None)
    config["documents"] = {DOC_ID: config["documents"][DOC_ID]}
    text = yaml.safe_dump(config, allow_unicode=True)
    assert "xlsx" not in text
    (workdir / "config.yaml").write_text(text, encoding="utf-8")
    result = gongfu(workdir, "build")
    assert result.returncode == 0, result.stderr
    from_excel = docx_text(built / "build" / f"{DOC_ID}.docx")
    from_yaml = docx_text(workdir / "build" / f"{DOC_ID}.docx")
    assert from_yaml == from_excel
    assert normalise(pdf_text(workdir / "build" / f"{DOC_ID}.pdf")) == normalise(
        pdf_text(built / "build" / f"{DOC_ID}.pdf"))


def test_group_counts_are_computed_from_rows(tmp_path):
    """Delete a task row from the Excel file: its group's "(N项)" follows."""
    workdir = copy_workdir(tmp_path / "fewer")
    book = openpyxl.load_workbook(workdir / "data" / "tasks.xlsx")
    sheet = book.worksheets[0]
    for merged in list(sheet.merged_cells.ranges):
        sheet.unmerge_cells(str(merged))
    sheet.delete_rows(3)  # task 2 (group 一)
    book.save(workdir / "data" / "tasks.xlsx")
    result = gongfu(workdir, "build", "--format", "docx")
    assert result.returncode == 0, result.stderr
    text = docx_text(workdir / "build" / f"{DOC_ID}.docx")
    assert "（一）筑牢高质量发展基石（3项）" in text
    assert "（二）实施缩小地区差距行动（8项）" in text
    assert Counter(re.findall(r"（\d+项）", text)) != {}
