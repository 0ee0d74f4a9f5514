"""Data files parsed once per content (files/memo.py): a second read of the same file gets what a first
read would give (a copy it may change, the places, the punctuation notes), and an edited file is read
again, even when its size and modification time stay the same."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl

from gongfu_reports.files import punctuation
from gongfu_reports.files.table import read_table
from gongfu_reports.files.yamlfile import load_yaml

UNITS = "单位:\n  - 名称: 市发改委\n    职责: 统筹(牵头)\n  - 名称: 市财政局\n    职责: 资金保障\n"


def test_a_second_read_is_a_copy_of_its_own_with_the_places(tmp_path):
    path = tmp_path / "units.yaml"
    path.write_text(UNITS, "utf-8")
    first = load_yaml(path)
    first["单位"][0]["名称"] = "改过的名称"      # a caller changes what it got (load_tasks fills cells down)
    first["单位"].append({"名称": "多出来的"})
    second = load_yaml(path)
    assert second["单位"][0]["名称"] == "市发改委"
    assert len(second["单位"]) == 2
    assert second is not first and second["单位"] is not first["单位"]
    units = second["单位"]
    assert (units.place.line, units.place_of(1).line, units[1].place_of("职责").line) == (2, 4, 5)
    assert str(units.place_of(1).file).endswith("units.yaml")


def test_the_punctuation_notes_of_a_file_read_before(tmp_path):
    """The report names the place of each half-width mark a document read; a file a document read
    before (or read outside any document, as the configuration is) is noted for the next one too."""
    path = tmp_path / "units.yaml"
    path.write_text(UNITS, "utf-8")
    load_yaml(path)                                   # outside a document: nothing is noted
    for _ in range(2):                                # two documents, each reading it
        with punctuation.noting() as notes:
            load_yaml(path)
        assert [(n.text, n.place.line) for n in notes] == [("统筹(牵头)", 3)]
    other = tmp_path / "leaders.yaml"
    other.write_text("领导:\n  - 姓名: 张三\n    分工: 发改(统筹)\n", "utf-8")
    with punctuation.noting() as notes:               # read first inside a document that noted others
        load_yaml(path)
        load_yaml(other)
    assert [n.text for n in notes] == ["统筹(牵头)", "发改(统筹)"]
    with punctuation.noting() as notes:
        load_yaml(other)
    assert [(n.text, n.place.line) for n in notes] == [("发改(统筹)", 3)]


def test_an_edited_file_is_read_again_with_the_same_size_and_time(tmp_path):
    path = tmp_path / "units.yaml"
    path.write_text(UNITS, "utf-8")
    stat = path.stat()
    assert load_yaml(path)["单位"][1]["名称"] == "市财政局"
    path.write_text(UNITS.replace("市财政局", "市审计局"), "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert load_yaml(path)["单位"][1]["名称"] == "市审计局"


def _workbook(path: Path, unit: str) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "任务", "牵头单位"])
    sheet.append(["1", "推进项目(一期)", unit])
    sheet.append(["2", "完善机制", unit])
    book.save(path)


def test_a_workbook_read_again(tmp_path):
    path = tmp_path / "tasks.xlsx"
    _workbook(path, "市发改委")
    first = read_table(path)
    first.rows[0].values["牵头单位"] = "改过的"
    with punctuation.noting() as notes:
        second = read_table(path)
    assert [row.values["牵头单位"] for row in second.rows] == ["市发改委", "市发改委"]
    assert [(r.place.sheet, r.place.row) for r in second.rows] == [("Sheet", 2), ("Sheet", 3)]
    assert [(n.text, n.place.row, n.place.column) for n in notes] == [("推进项目(一期)", 2, "任务")]
    stat = path.stat()
    _workbook(path, "市财政局")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert [row.values["牵头单位"] for row in read_table(path).rows] == ["市财政局", "市财政局"]
