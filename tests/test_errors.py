"""Bad input: a Chinese message naming file and place, exit code 2, build/ untouched."""

from __future__ import annotations

import openpyxl
import pytest

from conftest import DOC_ID, copy_workdir, gongfu


@pytest.fixture()
def workdir(tmp_path):
    folder = copy_workdir(tmp_path / "w")
    result = gongfu(folder, "build", DOC_ID, "--format", "docx")
    assert result.returncode == 0, result.stderr
    return folder


def snapshot(folder):
    return {p.name: p.read_bytes() for p in (folder / "build").iterdir() if p.is_file() and p.name != ".lock"}


def fails_with(folder, *expected: str):
    before = snapshot(folder)
    result = gongfu(folder, "build", DOC_ID, "--force")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert snapshot(folder) == before
    assert not [p for p in (folder / "build").iterdir() if p.name.startswith(".staging")]
    return result.stderr


def html_engine(folder) -> None:
    """The HTML template is used when config.yaml chooses the html engine (the default is typst)."""
    config = folder / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("pdf_engine: typst", "pdf_engine: html"),
                      encoding="utf-8")


def test_yaml_syntax_error_names_file_and_line(workdir):
    path = workdir / "data" / "workplan.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(5, "   坏缩进: 这里")
    path.write_text("\n".join(lines), encoding="utf-8")
    fails_with(workdir, "data/workplan.yaml，第6行", "YAML 语法错误", "缩进不一致")


def test_missing_column_names_sheet_and_expected_headers(workdir):
    path = workdir / "data" / "tasks.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    sheet.cell(1, 7).value = "负责单位"
    book.save(path)
    fails_with(workdir, "data/tasks.xlsx", "工作表“重点任务清单”", "缺少列：牵头单位", "负责单位")


def test_unknown_unit_in_excel_names_row_column_and_close_names(workdir):
    path = workdir / "data" / "tasks.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    sheet.cell(10, 7).value = "市发改局、市财政局"
    book.save(path)
    fails_with(workdir, "data/tasks.xlsx", "第10行", "“牵头单位”列", "单位“市发改局”不在单位名册中", "市发改委")


def test_unknown_unit_in_yaml_names_the_line(workdir):
    path = workdir / "data" / "workplan.yaml"
    text = path.read_text(encoding="utf-8").replace("单位: 市经信局、市市场监管局、市数据局",
                                                    "单位: 市经信局、市场监督局、市数据局", 1)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "市场监督局" in l)
    fails_with(workdir, "data/workplan.yaml", f"第{line}行", "市场监督局", "市市场监管局")


def add_to_html_template(workdir, line: int, code: str) -> None:
    """The HTML engine, with `code` added at the end of its template's line `line` (1-based)."""
    html_engine(workdir)
    path = workdir / "templates" / "html" / "document.html.j2"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] += code
    path.write_text("\n".join(lines), encoding="utf-8")


def test_template_syntax_error_names_template_and_line(workdir):
    add_to_html_template(workdir, 13, "{% if %}")
    fails_with(workdir, "document.html.j2", "第13行", "模板语法错误")


def test_a_block_left_open_names_the_line_that_opens_it(workdir):
    """Jinja reports where the file ended; the editor needs the {% if %} that was not closed."""
    add_to_html_template(workdir, 13, "{% if view.frame %}")
    stderr = fails_with(workdir, "document.html.j2，第13行：模板语法错误：“{% if %}”没有结束（缺少 {% endif %}）")
    assert "Jinja" not in stderr


def test_template_undefined_variable_names_template_and_line(workdir):
    add_to_html_template(workdir, 16, "{{ view.no_such_field }}")
    stderr = fails_with(workdir, "document.html.j2", "第16行", "未定义的变量：“DocumentView”中没有“no_such_field”")
    assert "object" not in stderr and "gongfu_reports" not in stderr   # no Python names


def test_unsafe_template_is_refused(workdir):
    html_engine(workdir)
    path = workdir / "templates" / "html" / "document.html.j2"
    text = path.read_text(encoding="utf-8").replace("<body>", "<body>{{ view.__class__.__mro__ }}", 1)
    path.write_text(text, encoding="utf-8")
    fails_with(workdir, "document.html.j2")


def test_unknown_config_key_and_document(workdir):
    config = workdir / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("enclosures:", "enclosure:", 1), encoding="utf-8")
    stderr = fails_with(workdir, "config.yaml", "enclosure", "不认识的配置项")
    assert "第" in stderr


def test_not_an_excel_file(workdir):
    (workdir / "data" / "tasks.xlsx").write_text("这不是 Excel", encoding="utf-8")
    fails_with(workdir, "data/tasks.xlsx", "无法作为 Excel 工作簿")


def test_several_errors_are_reported_together(workdir):
    path = workdir / "data" / "tasks.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    sheet.cell(4, 7).value = "市甲局"
    sheet.cell(6, 3).value = "三"
    book.save(path)
    fails_with(workdir, "市甲局", "第4行", "第6行", "应为正整数")


def test_unknown_document_id(workdir):
    result = gongfu(workdir, "build", "no-such-doc")
    assert result.returncode == 2
    assert "没有文档“no-such-doc”" in result.stderr and DOC_ID in result.stderr
    # The name of a period's output file, as the clerk sees it in build/: the command that makes it.
    result = gongfu(workdir, "build", "tongbao-2024-07")
    assert result.returncode == 2 and "gongfu build tongbao --period 2024-07" in result.stderr, result.stderr


def test_word_template_tag_error_names_the_paragraph(workdir):
    from docx import Document

    path = workdir / "templates" / "docx" / "notice.docx"
    doc = Document(path)
    paragraph = next(p for p in doc.paragraphs if "frame.number" in p.text)
    for run in paragraph.runs:
        run.text = run.text.replace("{{ frame.number }}", "{{ frame.number ”}}")  # Word's smart quote
    doc.save(path)
    fails_with(workdir, "templates/docx/notice.docx", "第4段“{{ frame.number ”}}”", "Word 模板中的标记有语法错误",
               "中文引号")
