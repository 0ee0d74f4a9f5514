"""Lists as written: group rows keep the numbering they had (none stays none) unless config.yaml asks
for numbering, the "注：……" lines under a table are printed under it in both formats, and an option
prints the unit registry's names instead of the aliases typed. The workbooks are generated here."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from conftest import copy_workdir, gongfu, normalise
from test_content import pdf_text
from test_lists import docx_tables

NOTES = ["注：1.本表由市共富办汇总，各牵头单位负责解释。", "2.完成时限以年度考核为准。"]


def clerk_workbook(path: Path, numbered: bool) -> None:
    """A list as a clerk keeps it: a title, group rows merged across (numbered or not, no counts),
    units typed as aliases, two note rows under the table."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "清单"
    ws.append(["2025年共同富裕改革清单"])
    ws.merge_cells("A1:D1")
    ws.append(["序号", "改革事项", "完成时限", "牵头单位"])
    groups = [("产业发展", [("海洋产业提质", "2025年6月", "市资规局"), ("港航物流升级", "2025年9月", "市港航局")]),
              ("民生保障", [("食品安全放心工程", "2025年12月", "市场监管局、市卫健委")])]
    n = 0
    for g, (group, rows) in enumerate(groups):
        ws.append([f"{'一二'[g]}、{group}" if numbered else group])
        ws.merge_cells(start_row=ws.max_row, end_row=ws.max_row, start_column=1, end_column=4)
        for item in rows:
            n += 1
            ws.append([n, *item])
    for note in NOTES:
        ws.append([note])
        ws.merge_cells(start_row=ws.max_row, end_row=ws.max_row, start_column=1, end_column=4)
    book.save(path)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    workdir = copy_workdir(tmp_path_factory.mktemp("as-written"))
    for name, numbered in (("plain", False), ("numbered", True)):
        source = workdir.parent / f"{name}.xlsx"
        clerk_workbook(source, numbered)
        result = gongfu(workdir, "import", str(source), "--as", f"list-{name}")
        assert result.returncode == 0, result.stderr
        assert "表格下方的说明 2 段" in result.stdout
    return workdir


def entry(workdir: Path, name: str) -> str:
    return (workdir / "config.yaml").read_text(encoding="utf-8").split(f"  {name}:")[1].split("\n  list-")[0]


def rows_of(docx: Path) -> tuple[list[str], list[list[str]]]:
    (table,) = docx_tables(docx)
    body = [cells for repeated, cells in table if not repeated]
    return [c[0]["text"] for c in body if len(c) == 1], [[x["text"] for x in c] for c in body if len(c) > 1]


def paragraphs_after_table(docx: Path) -> list[str]:
    after = []
    node = Document(docx).element.body.find(qn("w:tbl")).getnext()
    while node is not None and node.tag == qn("w:p"):
        after.append("".join(t.text for t in node.iter(qn("w:t"))))
        node = node.getnext()
    return [t for t in after if t]


def test_import_writes_the_list_as_written(workdir):
    plain = entry(workdir, "list-plain")
    assert "\n    section_numbers" not in plain and "\n    counts: false" in plain
    assert '"注：1.本表由市共富办汇总，各牵头单位负责解释。"' in plain and '"2.完成时限以年度考核为准。"' in plain
    book = openpyxl.load_workbook(workdir / "data" / "list-numbered.xlsx")
    assert [r[0] for r in book.active.iter_rows(min_row=2, values_only=True)] == ["一、产业发展"] * 2 + ["二、民生保障"]
    assert book.active.max_row == 4   # the notes are no data rows


@pytest.mark.parametrize("name, groups", [("list-plain", ["产业发展", "民生保障"]),
                                          ("list-numbered", ["一、产业发展", "二、民生保障"])])
def test_groups_notes_and_units_printed_as_written(workdir, name, groups):
    result = gongfu(workdir, "build", name)
    assert result.returncode == 0, result.stderr
    docx = workdir / "build" / f"{name}.docx"
    group_rows, data = rows_of(docx)
    assert group_rows == groups                                   # none stays none, no counts added
    assert [row[-1] for row in data] == ["市资规局", "市港航局", "市场监管局、市卫健委"]   # as typed
    assert paragraphs_after_table(docx) == NOTES
    pdf = pdf_text(workdir / "build" / f"{name}.pdf")
    flat = normalise(pdf)
    assert all(normalise(g) in flat for g in groups) and "（2项）" not in flat
    last_row = flat.index("食品安全放心工程")
    assert flat.index(normalise(NOTES[0])) > last_row and flat.index(normalise(NOTES[1])) > flat.index(normalise(NOTES[0]))


def test_config_asks_for_numbering_and_registered_unit_names(workdir, tmp_path):
    config = workdir / "config.yaml"
    text = config.read_text(encoding="utf-8")
    edited = entry(workdir, "list-plain").replace("    counts: false", '    section_numbers: ["一、"]\n    counts: true') \
        .replace("standard_unit_names: false", "standard_unit_names: true")
    config.write_text(text.replace(entry(workdir, "list-plain"), edited), encoding="utf-8")
    try:
        result = gongfu(workdir, "build", "list-plain", "--format", "docx")
        assert result.returncode == 0, result.stderr
        group_rows, data = rows_of(workdir / "build" / "list-plain.docx")
        assert group_rows == ["一、产业发展（2项）", "二、民生保障（1项）"]
        assert [row[-1] for row in data] == ["市资源规划局", "市港航局", "市市场监管局、市卫健委"]
    finally:
        config.write_text(text, encoding="utf-8")


def test_note_under_a_list_attachment_of_a_notice(workdir):
    config = workdir / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "\n  tongzhi-qingdan:\n    kind: notice\n    notice: data/notice.yaml\n    attachments:\n"
                             "      - {kind: list, document: list-numbered, title: 改革清单}\n", encoding="utf-8")
    try:
        result = gongfu(workdir, "build", "tongzhi-qingdan", "--attachment", "1")
        assert result.returncode == 0, result.stderr
        docx = workdir / "build" / "tongzhi-qingdan-attachment-1.docx"
        assert paragraphs_after_table(docx) == NOTES
        flat = normalise(pdf_text(workdir / "build" / "tongzhi-qingdan-attachment-1.pdf"))
        assert flat.index(normalise(NOTES[1])) > flat.index("食品安全放心工程")
    finally:
        config.write_text(text, encoding="utf-8")
