"""`gongfu build` checks what it wrote against GB/T 9704 (gongfu lint) and reports findings as warnings."""

from __future__ import annotations

import shutil

from conftest import REPO, gongfu


def test_bundled_build_reports_no_lint_findings(built):
    log = (built / "build.log").read_text(encoding="utf-8")
    assert "已生成 build/gongzuo-yaodian-2024.pdf" in log
    warnings = [line for line in log.splitlines() if line.startswith("警告：")]
    # The bundled data has progress periods with missing reports (warned about); nothing about the outputs.
    assert not [w for w in warnings if "build/" in w], warnings


def test_build_warns_with_page_and_element_and_strict_fails(tmp_path):
    folder = tmp_path / "w"
    folder.mkdir()
    shutil.copy(REPO / "config.yaml", folder / "config.yaml")
    shutil.copytree(REPO / "data", folder / "data", ignore=shutil.ignore_patterns("_src"))
    assert gongfu(folder, "templates", "export", "prose").returncode == 0
    template = folder / "templates" / "typst" / "document.typ"
    text = template.read_text(encoding="utf-8")
    # An editor "gains space" with 20 mm side margins (the PDF template) and a 14 pt body (style sheet):
    # both break GB/T 9704.
    assert "(L.MARGIN_TOP, L.MARGIN_BOTTOM, L.MARGIN_LEFT, L.MARGIN_RIGHT)" in text
    template.write_text(text.replace("(L.MARGIN_TOP, L.MARGIN_BOTTOM, L.MARGIN_LEFT, L.MARGIN_RIGHT)",
                                     "(L.MARGIN_TOP, L.MARGIN_BOTTOM, 20, 20)", 1), encoding="utf-8")
    sheet = folder / "templates" / "styles.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("body:         {样式名: 公文正文, 字体: fang, 字号: 16",
                                                               "body:         {样式名: 公文正文, 字体: fang, 字号: 14"),
                     encoding="utf-8")

    result = gongfu(folder, "build", "shishi-fangan", "--strict")
    assert result.returncode == 1, result.stderr
    assert (folder / "build" / "shishi-fangan.pdf").exists()      # written, then reported
    assert "警告：build/shishi-fangan.pdf：第1页，页边距：文字超出版心" in result.stderr, result.stderr
    assert "警告：build/shishi-fangan.pdf：全文，正文字号：应为 3 号（16 pt），实际多为 14 pt" in result.stderr
    # The margins were changed in the PDF template only, which the Word output does not use (the body
    # size comes from the style sheet, which the Word output follows too: tests/test_styles.py).
    docx = [line for line in result.stderr.splitlines() if "build/shishi-fangan.docx：" in line]
    assert not any("页边距" in line for line in docx), docx
