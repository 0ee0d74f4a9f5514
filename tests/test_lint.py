"""`gongfu lint`: the bundled outputs pass; outputs with wrong margins, sizes or page numbers are flagged."""

from __future__ import annotations

import shutil
import subprocess
import sys

from docx import Document
from docx.shared import Mm

from conftest import DOC_ID, REPO


def lint(*paths):
    return subprocess.run([sys.executable, "-m", "gongfu_reports", "lint", *map(str, paths)],
                          capture_output=True, text=True, cwd=REPO)


def test_bundled_outputs_pass(built):
    outputs = sorted((built / "build").glob("*.pdf")) + sorted((built / "build").glob("*.docx"))
    assert len(outputs) >= 10
    result = lint(*outputs)
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("符合 GB/T 9704-2012") == len(outputs)


def test_wrong_pdf_is_flagged(tmp_path):
    from weasyprint import HTML

    body = "<p>" + "测试文字" * 1200 + "</p>"
    html = ("<style>@page { size: A4; margin: 20mm; @bottom-center { content: counter(page); font-size: 10pt } }"
            "p { font-size: 12pt; }</style>" + body)
    pdf = tmp_path / "bad.pdf"
    HTML(string=html).write_pdf(pdf)
    result = lint(pdf)
    assert result.returncode == 1
    for expected in ("第1页，页边距", "第1页，页码：应为“— 1 —”", "第2页，页码：双页页码应在左侧", "正文字号：应为 3 号（16 pt），实际多为 12 pt"):
        assert expected in result.stdout, result.stdout


def test_wrong_docx_is_flagged(built, tmp_path):
    path = tmp_path / "bad.docx"
    shutil.copy(built / "build" / f"{DOC_ID}.docx", path)
    doc = Document(path)
    doc.sections[0].left_margin = Mm(20)
    doc.styles["Normal"].font.size = None
    tr = doc.tables[1].rows[0]._tr
    tr.trPr.remove(tr.trPr[0]) if tr.trPr is not None and len(tr.trPr) else None
    for el in list(tr.trPr):
        if el.tag.endswith("tblHeader"):
            tr.trPr.remove(el)
    doc.settings.element.remove(doc.settings.element.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}evenAndOddHeaders"))
    doc.save(path)
    result = lint(path)
    assert result.returncode == 1
    for expected in ("第1节，页边距：左边距应为 28 mm，实际 20.0 mm", "样式“正文”，字号", "应设置奇偶页不同的页脚",
                     "第2个表格，表头"):
        assert expected in result.stdout, result.stdout
