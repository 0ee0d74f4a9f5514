"""`gongfu templates export|list`: bundled templates copied into a project, edits never lost,
and the project's copy is what the build uses."""

from __future__ import annotations

import shutil

import pdfplumber
import pytest

from conftest import REPO, gongfu, normalise


@pytest.fixture()
def project(tmp_path):
    """A working folder without templates/ of its own: the bundled templates are used."""
    folder = tmp_path / "w"
    folder.mkdir()
    shutil.copy(REPO / "config.yaml", folder / "config.yaml")
    shutil.copytree(REPO / "data", folder / "data", ignore=shutil.ignore_patterns("_src"))
    return folder


def test_export_copies_the_kinds_templates(project):
    result = gongfu(project, "templates", "export", "notice")
    assert result.returncode == 0, result.stderr
    for name in ("html/document.html.j2", "html/gongwen.css.j2", "docx/notice.docx"):
        assert (project / "templates" / name).read_bytes() == (REPO / "templates" / name).read_bytes()
        assert f"已复制：templates/{name}" in result.stdout
    assert not (project / "templates" / "docx" / "plain.docx").exists()
    result = gongfu(project, "templates", "export", "prose")
    assert "已复制：templates/docx/plain.docx" in result.stdout
    assert "已存在，与随附模板相同：templates/html/document.html.j2" in result.stdout


def test_export_never_overwrites_an_edited_template_without_force(project):
    gongfu(project, "templates", "export", "bulletin")
    css = project / "templates" / "html" / "gongwen.css.j2"
    edited = css.read_text(encoding="utf-8") + "\n/* 本单位修改 */\n"
    css.write_text(edited, encoding="utf-8")
    result = gongfu(project, "templates", "export", "bulletin")
    assert result.returncode == 0
    assert "已修改过，保留不动（加 --force 覆盖）：templates/html/gongwen.css.j2" in result.stdout
    assert css.read_text(encoding="utf-8") == edited
    listing = gongfu(project, "templates", "list").stdout
    assert "templates/html/gongwen.css.j2（用于 notice、prose、bulletin、list）：工作目录中的副本（已修改）" in listing
    assert "templates/docx/notice.docx（用于 notice、bulletin）：工作目录中的副本（与随附相同）" in listing   # a 通报 has a 版头
    assert "templates/docx/plain.docx（用于 prose、bulletin、list）：工作目录中的副本（与随附相同）" in listing

    result = gongfu(project, "templates", "export", "bulletin", "--force")
    assert "已覆盖为随附模板：templates/html/gongwen.css.j2（原文件另存为 templates/html/gongwen.css.j2.bak）" \
        in result.stdout
    assert css.read_bytes() == (REPO / "templates" / "html" / "gongwen.css.j2").read_bytes()
    assert (css.parent / "gongwen.css.j2.bak").read_text(encoding="utf-8") == edited


def test_list_names_files_no_renderer_looks_for(project):
    gongfu(project, "templates", "export", "prose")
    (project / "templates" / "html" / "documnet.html.j2").write_text("拼错的文件名", encoding="utf-8")
    listing = gongfu(project, "templates", "list").stdout
    assert "templates/html/documnet.html.j2：不是模板文件名" in listing


def test_unknown_kind_lists_the_kinds(project):
    result = gongfu(project, "templates", "export", "memo")
    assert result.returncode == 2
    assert "没有这种文档类型：“memo”" in result.stderr and "notice、prose、bulletin、list" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "templates").exists()


def test_exported_template_is_the_one_the_build_uses(project):
    gongfu(project, "templates", "export", "prose")
    # The PDF template of the default engine (Typst) writes the page numbers.
    template = project / "templates" / "typst" / "document.typ"
    text = template.read_text(encoding="utf-8")
    assert text.count("let number = [— #n —]") == 1
    template.write_text(text.replace("let number = [— #n —]", "let number = [第 #n 页]"), encoding="utf-8")
    result = gongfu(project, "build", "shishi-fangan", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(project / "build" / "shishi-fangan.pdf") as pdf:
        first = normalise(pdf.pages[0].extract_text())
    assert first.endswith("第1页"), first[-20:]
    # …and lint, run by the build, says the page numbers are off, by page.
    assert "第1页，页码：应为“— 1 —”" in result.stderr


def test_export_outside_a_working_folder_is_refused(tmp_path):
    result = gongfu(tmp_path, "templates", "export", "notice")
    assert result.returncode == 2 and "没有 config.yaml" in result.stderr
    assert not (tmp_path / "templates").exists()


@pytest.mark.parametrize("linked", ["html/gongwen.css.j2", "html", "typst/document.typ"])
def test_export_never_writes_through_a_link_out_of_templates(project, tmp_path, linked):
    """A file (or folder) of templates/ that is a link to elsewhere, a file that exists or not: the
    export stops with its name and writes nothing there."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "important.txt").write_text("别处的文件", encoding="utf-8")
    link = project / "templates" / linked
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside if linked == "html" else outside / ("important.txt" if linked.endswith("j2") else "new.typ"))
    result = gongfu(project, "templates", "export", "notice", "--force")
    assert result.returncode == 2 and "是指向其他位置的链接" in result.stderr, result.stdout + result.stderr
    assert f"templates/{linked}" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["important.txt"]
    assert (outside / "important.txt").read_text(encoding="utf-8") == "别处的文件"
