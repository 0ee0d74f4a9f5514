"""A new document kind is one module: a toy kind written here, registered, and built, checked and
listed like the bundled ones, without touching any other module."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from docx import Document
from pypdf import PdfReader

from gongfu_reports import kinds
from gongfu_reports.build import BuildOptions, build, check
from gongfu_reports.compose.blocks import DocumentView, Paragraph, Run, Section
from gongfu_reports.config import DocumentSettings
from gongfu_reports.files import fields
from gongfu_reports.files.yamlfile import load_yaml
from gongfu_reports.kinds import Composed, Context, Kind, Output
from gongfu_reports.template_files import kinds as template_kinds

from conftest import copy_workdir


class MemoSettings(DocumentSettings):
    kind: Literal["memo"]
    file: str


class Memo(Kind):
    """便函: a title and paragraphs from a YAML file."""

    name = "memo"
    label = "便函"
    settings = MemoSettings

    def inputs(self, config, output: Output) -> list[Path]:
        return [config.path(config.documents[output.doc_id].file)]

    def compose(self, config, output: Output) -> Composed:
        ctx = Context(config)
        data = load_yaml(config.path(config.documents[output.doc_id].file))
        title = fields.text(data, "标题")
        blocks = [Paragraph("title", [Run(title)]), Paragraph("plain", [Run("")])]
        blocks += [Paragraph("body", [Run(p)]) for p in fields.paragraphs(data, "正文")]
        view = DocumentView(id=output.stem, title=title, date="2024-05-06", frame=None, sections=[Section(False, blocks)])
        return Composed(view, ctx.warnings)


@pytest.fixture
def memo_folder(tmp_path):
    kinds.register(Memo())
    folder = copy_workdir(tmp_path / "w")
    (folder / "data" / "memo.yaml").write_text("标题: 关于借用会议室的函\n正文:\n  - 因工作需要，拟借用贵单位会议室一间。\n  - 请予支持。\n",
                                               encoding="utf-8")
    config = (folder / "config.yaml").read_text(encoding="utf-8")
    (folder / "config.yaml").write_text(config + "\n  bianhan:\n    kind: memo\n    file: data/memo.yaml\n",
                                        encoding="utf-8")
    yield folder
    kinds.unregister("memo")


def test_a_toy_kind_builds_checks_and_lists_like_the_others(memo_folder, monkeypatch):
    monkeypatch.chdir(memo_folder)
    result = build(Path("."), BuildOptions(["bianhan"], jobs=1))
    assert sorted(p.name for p in result.written) == ["bianhan.docx", "bianhan.pdf"]
    pdf = "".join(page.extract_text() for page in PdfReader(memo_folder / "build" / "bianhan.pdf").pages)
    assert "关于借用会议室的函" in pdf and "请予支持。" in pdf
    docx = [p.text for p in Document(memo_folder / "build" / "bianhan.docx").paragraphs]
    assert "关于借用会议室的函" in docx and "因工作需要，拟借用贵单位会议室一间。" in docx
    again = build(Path("."), BuildOptions(["bianhan"], jobs=1))
    assert again.skipped == ["bianhan"]                  # its inputs are known: an unchanged rebuild skips it
    (memo_folder / "data" / "memo.yaml").write_text("标题: 另一封函\n正文: 内容\n", encoding="utf-8")
    assert build(Path("."), BuildOptions(["bianhan"], jobs=1)).skipped == []
    ids, _warnings = check(Path("."))
    assert "bianhan" in ids
    assert "memo" in template_kinds()


def test_an_unknown_kind_is_refused_with_the_registered_ones(memo_folder):
    kinds.unregister("memo")
    from conftest import gongfu

    result = gongfu(memo_folder, "check")
    assert result.returncode == 2
    assert "文档类型 kind“memo”不认识" in result.stderr and "notice" in result.stderr
