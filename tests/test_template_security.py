"""Templates are untrusted: in every engine a template reads only the templates folders and the
configured fonts, its context holds no object that writes files, and it runs within bounds. A
template that tries more gets a Chinese error naming the template, exit code 2, build/ untouched.

Each case is a real build of a small document (the 改革突破清单) with a changed template."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import copy_workdir, rewrite_zip

DOC = "gaige-tupo-2024"
HTML = "templates/html/document.html.j2"
CSS = "templates/html/gongwen.css.j2"
TYPST = "templates/typst/document.typ"
REFUSED_HINT = "模板只能读取工作目录 templates/ 中（及随附模板中）的文件和 config.yaml 中配置的字体"


def gongfu(workdir, *args: str) -> subprocess.CompletedProcess:
    """conftest's gongfu() with a generous bound, only so that a broken limit fails the test
    instead of hanging it."""
    return subprocess.run([sys.executable, "-m", "gongfu_reports", *args, "-C", str(workdir)],
                          capture_output=True, text=True, cwd=workdir, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The working folder with the document built (its DOCX and PDF in build/)."""
    folder = copy_workdir(tmp_path_factory.mktemp("security") / "w")
    result = gongfu(folder, "build", DOC)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture()
def workdir(built, tmp_path):
    folder = tmp_path / "w"
    shutil.copytree(built, folder)
    # A file outside templates/ that no template may read.
    (tmp_path / "secret.txt").write_text("机密：不得出现在文档中\n", encoding="utf-8")
    return folder


def snapshot(folder):
    return {p.name: p.read_bytes() for p in (folder / "build").iterdir() if p.is_file() and p.name != ".lock"}


def fails_with(folder, *expected: str, args=("--format", "pdf", "--engine", "html"), docs=(DOC,)) -> str:
    """The build fails with exit code 2 and every expected text, and leaves build/ as it was (by default
    with the HTML engine, whose template the HTML cases edit; docs=(): all documents)."""
    before = snapshot(folder)
    result = gongfu(folder, "build", *docs, "--force", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert "机密" not in result.stderr
    assert snapshot(folder) == before
    assert not [p for p in (folder / "build").iterdir() if p.name.startswith(".staging")]
    return result.stderr


def after_body(folder, code: str) -> int:
    """Put a line of code right after <body> in the HTML template; returns its line number."""
    path = folder / HTML
    lines = path.read_text(encoding="utf-8").split("\n")
    number = lines.index("<body>") + 2
    lines.insert(number - 1, code)
    path.write_text("\n".join(lines), encoding="utf-8")
    return number


def prepend(folder, name: str, code: str) -> None:
    path = folder / name
    path.write_text(code + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


def append(folder, name: str, text: str) -> int:
    """Append lines to a template; returns the number of the first appended line."""
    path = folder / name
    old = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    path.write_text(old + text, encoding="utf-8")
    return old.count("\n") + 1


# ---------------------------------------------------------------------------------------------
# HTML (WeasyPrint): only data: URLs, the templates folders and the configured fonts.

@pytest.mark.parametrize("markup", [
    '<link rel="attachment" href="file://{secret}">',
    '<img src="file://{secret}">',
    '<img src="http://127.0.0.1:9/logo.png">',
    '<img src="../secret.txt">',
    '<link rel="stylesheet" href="https://127.0.0.1:9/style.css">',
])
def test_html_template_cannot_read_outside_templates(workdir, markup):
    markup = markup.format(secret=workdir.parent / "secret.txt")
    line = after_body(workdir, markup)
    url = re.search(r'(?:href|src)="([^"]+)"', markup).group(1)
    shown = url if "://" in url else (workdir.parent / "secret.txt").as_uri()
    fails_with(workdir, f"{HTML}，第{line}行", f"HTML 模板要读取不允许的地址：{shown}", REFUSED_HINT)


def test_css_import_cannot_read_outside_templates(workdir):
    prepend(workdir, CSS, f'@import url("{(workdir.parent / "secret.txt").as_uri()}");')
    fails_with(workdir, f"{CSS}，第1行", "HTML 模板要读取不允许的地址：file://", REFUSED_HINT)


def test_css_url_cannot_fetch_from_the_network(workdir):
    line = append(workdir, CSS, '.plain { background-image: url("http://127.0.0.1:9/bg.png"); }\n')
    fails_with(workdir, f"{CSS}，第{line}行", "HTML 模板要读取不允许的地址：http://127.0.0.1:9/bg.png")


SQUARE = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="20" height="20" fill="red"/></svg>'


def test_html_template_reads_files_in_templates_and_data_urls(workdir):
    """What a template may read still works: a picture in templates/, a data: URL, the fonts."""
    import pdfplumber

    def red_squares(pdf):
        with pdfplumber.open(pdf) as document:
            return sum(1 for r in document.pages[0].rects if r["non_stroking_color"] in ((1, 0, 0), [1, 0, 0]))

    (workdir / "templates" / "html" / "seal.svg").write_text(SQUARE, encoding="utf-8")
    after_body(workdir, '<img src="templates/html/seal.svg" style="width: 5mm">'
                        f'<img src="data:image/svg+xml;base64,{base64.b64encode(SQUARE.encode()).decode()}" '
                        'style="width: 5mm">')
    assert red_squares(workdir / "build" / f"{DOC}.pdf") == 0
    result = gongfu(workdir, "build", DOC, "--force", "--format", "pdf", "--engine", "html")
    assert result.returncode == 0, result.stderr
    assert red_squares(workdir / "build" / f"{DOC}.pdf") == 2


def test_symlinked_include_leading_out_of_templates_is_refused(workdir):
    (workdir / "templates" / "html" / "extra.j2").symlink_to(workdir.parent / "secret.txt")
    line = after_body(workdir, '{% include "extra.j2" %}')
    fails_with(workdir, f"{HTML}，第{line}行", "模板“extra.j2”是指向模板文件夹以外的链接", REFUSED_HINT)


def test_html_template_itself_linked_out_of_templates_is_refused(workdir):
    outside = workdir.parent / "document.html.j2"
    (workdir / HTML).rename(outside)
    (workdir / HTML).symlink_to(outside)
    fails_with(workdir, "document.html.j2", "模板“document.html.j2”是指向模板文件夹以外的链接", REFUSED_HINT)


def test_missing_include_names_the_template_and_line(workdir):
    line = after_body(workdir, '{% include "header.html.j2" %}')
    fails_with(workdir, f"{HTML}，第{line}行", "模板引用的文件不存在：“header.html.j2”")


def test_include_with_dots_is_not_found(workdir):
    line = after_body(workdir, '{% include "../../secret.txt" %}')
    fails_with(workdir, f"{HTML}，第{line}行", "模板引用的文件不存在")


# ---------------------------------------------------------------------------------------------
# Typst: only its template folder, no symlinks out of templates/, no packages.

@pytest.mark.parametrize("code, expected", [
    ('#read("/etc/passwd")', "Typst 模板要读取的“etc/passwd”在模板文件夹 templates/typst/ 中不存在"),
    ('#image("/etc/passwd")', "Typst 模板要读取的“etc/passwd”在模板文件夹 templates/typst/ 中不存在"),
    ('#include "/etc/passwd"', "Typst 模板要读取的“etc/passwd”在模板文件夹 templates/typst/ 中不存在"),
    ('#read("../../../secret.txt")', "Typst 模板不能读取模板文件夹以外的文件：\"../../../secret.txt\""),
    ('#import "@preview/cetz:0.2.2": canvas', "Typst 模板不能使用外部包"),
])
def test_typst_template_cannot_read_outside_its_folder(workdir, code, expected):
    line = append(workdir, TYPST, code + "\n")
    fails_with(workdir, f"{TYPST}，第{line}行", expected, args=("--format", "pdf", "--engine", "typst"))


def test_typst_symlink_out_of_templates_is_refused(workdir):
    (workdir / "templates" / "typst" / "notes.txt").symlink_to(workdir.parent / "secret.txt")
    append(workdir, TYPST, '#read("notes.txt")\n')
    fails_with(workdir, TYPST, "模板文件夹中的“templates/typst/notes.txt”是指向模板文件夹以外",
               "Typst 模板不能使用", args=("--format", "pdf", "--engine", "typst"))


def test_typst_pipe_in_templates_is_refused(workdir):
    os.mkfifo(workdir / "templates" / "typst" / "pipe")
    append(workdir, TYPST, '#read("pipe")\n')
    fails_with(workdir, TYPST, "模板文件夹中的“templates/typst/pipe”不是普通文件（管道或设备），Typst 模板不能使用",
               args=("--format", "pdf", "--engine", "typst"))


def test_html_pipe_in_templates_is_refused(workdir):
    os.mkfifo(workdir / "templates" / "html" / "pipe.css")
    line = after_body(workdir, '<link rel="stylesheet" href="templates/html/pipe.css">')
    fails_with(workdir, f"{HTML}，第{line}行", "HTML 模板要读取不允许的地址：file://")


def test_typst_symlink_inside_templates_is_allowed(workdir):
    (workdir / "templates" / "typst" / "css-copy.txt").symlink_to(workdir / "templates" / "html" / "gongwen.css.j2")
    append(workdir, TYPST, '#let css-copy = read("css-copy.txt")\n')
    result = gongfu(workdir, "build", DOC, "--force", "--format", "pdf", "--engine", "typst")
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------------------------------------
# Word: the template's context is plain data.

@pytest.mark.parametrize("tag", [
    '{{ body.save("pwned.docx") }}',
    '{{ body.subdocx.save("pwned.docx") }}',
    '{{ body.tpl.save("pwned.docx") }}',
    '{{ body.docx.save("pwned.docx") }}',
])
def test_word_template_context_cannot_write_files(workdir, tag):
    from docx import Document

    path = workdir / "templates" / "docx" / "plain.docx"
    document = Document(path)
    paragraph = next(p for p in document.paragraphs if "body" in p.text)
    paragraph.insert_paragraph_before(tag)
    document.save(path)
    fails_with(workdir, "templates/docx/plain.docx", args=("--format", "docx"))
    assert not list(workdir.rglob("pwned.docx")) and not list(workdir.parent.rglob("pwned.docx"))


@pytest.mark.parametrize("tag, expected", [
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "模板运算量超过上限"),
    ('{% include "word/document.xml" %}', "模板引用的文件不存在：“word/document.xml”"),
])
def test_word_template_runs_within_bounds_and_reads_nothing(workdir, tag, expected):
    from docx import Document

    path = workdir / "templates" / "docx" / "plain.docx"
    document = Document(path)
    paragraph = next(p for p in document.paragraphs if "body" in p.text)
    paragraph.insert_paragraph_before(tag)
    document.save(path)
    fails_with(workdir, "templates/docx/plain.docx", expected, args=("--format", "docx"))


def test_word_template_linking_a_picture_outside_the_file_is_refused(workdir):
    """A picture Word would fetch from a server (or the reader's disk) when the document is opened:
    refused with the template and the address; a hyperlink, followed only by choice, is kept."""
    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    path = workdir / "templates" / "docx" / "plain.docx"
    document = Document(path)
    document.part.relate_to("https://example.org/a.html", RT.HYPERLINK, is_external=True)
    document.save(path)
    assert gongfu(workdir, "build", DOC, "--force", "--format", "docx").returncode == 0
    document.part.relate_to("http://tracker.example/pixel.png", RT.IMAGE, is_external=True)
    document.save(path)
    fails_with(workdir, "templates/docx/plain.docx", "引用了外部文件（image：http://tracker.example/pixel.png）",
               args=("--format", "docx"))


def rewrite_word_template(path, change_body=None, add: dict | None = None, part: str = "word/document.xml") -> None:
    """The Word template with one XML part changed (its text through change_body), and parts added."""
    changes = {part: lambda data: change_body(data.decode("utf-8")).encode("utf-8")} if change_body else {}
    rewrite_zip(path, changes, add)


BODY = "<w:p><w:pPr><w:pStyle w:val=\"无缩进\"/></w:pPr><w:r><w:t>{{p body }}</w:t></w:r></w:p>"
FIELD = ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> INCL</w:instrText>'
         '</w:r><w:r><w:instrText xml:space="preserve">UDEPICTURE "http://tracker.example/p.png" \\d </w:instrText></w:r>'
         '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
VML = ('<w:p><w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml" style="width:1pt;height:1pt">'
       '<v:imagedata src="http://tracker.example/p.png"/></v:shape></w:pict></w:r></w:p>')


@pytest.mark.parametrize("case, expected", [
    ("field", "含有域“INCLUDEPICTURE”"),
    ("dde", "含有域“DDEAUTO”"),
    ("vml", "引用了外部文件（http://tracker.example/p.png）"),
    ("macro", "含有宏、嵌入对象或可执行内容（word/vbaProject.bin）"),
    ("doctype", "word/footnotes.xml 含有文档类型定义"),
    ("no-body", "应有且只有一处 {{p body }}（现有 0 处）"),
    ("two-bodies", "应有且只有一处 {{p body }}（现有 2 处）"),
    ("bomb", "解压后过大"),
    ("broken-xml", "填入内容后不是有效的 Word 文档"),
    ("braces", "中“{”过多（60002 个，最多 2000 个）"),   # and the two of {{p body }}
])
def test_word_template_with_active_or_broken_content_is_refused(workdir, case, expected):
    """What Word would run or fetch when the generated document is opened (fields that include a
    picture or text, DDE, a linked VML picture, macros, a DTD), a template that would leave the text
    out, a zip bomb and tags that break the XML: refused with the template named, exit 2."""
    path = workdir / "templates" / "docx" / "plain.docx"
    dde = FIELD.replace("> INCL<", "> DDEAUTO<").replace(
        '>UDEPICTURE "http://tracker.example/p.png" \\d <', '> c:\\windows\\system32\\cmd.exe "/k calc" <')
    changes = {"field": (lambda x: x.replace(BODY, BODY + FIELD), None),
               "dde": (lambda x: x.replace(BODY, BODY + dde), None),
               "vml": (lambda x: x.replace(BODY, BODY + VML), None),
               "macro": (None, {"word/vbaProject.bin": b"\0" * 100}),
               "doctype": (None, {"word/footnotes.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
                                                        b'"file:///etc/passwd">]><x>&e;</x>'}),
               "no-body": (lambda x: x.replace("{{p body }}", "（正文）"), None),
               "two-bodies": (lambda x: x.replace(BODY, BODY + BODY), None),
               "bomb": (None, {"word/media/big.bin": b"\0" * (70 << 20)}),
               "braces": (lambda x: x.replace(BODY, BODY + "<w:p><w:r><w:t>" + "{" * 60000 + "</w:t></w:r></w:p>"), None),
               "broken-xml": (lambda x: x.replace("</w:ftr>", '<w:p><w:r><w:t>{{ "&lt;"|safe }}</w:t></w:r></w:p></w:ftr>'),
                              None)}
    change_body, add = changes[case]
    rewrite_word_template(path, change_body, add, "word/footer1.xml" if case == "broken-xml" else "word/document.xml")
    fails_with(workdir, "templates/docx/plain.docx", expected, args=("--format", "docx"))


def test_word_template_linked_out_of_templates_is_refused(workdir, tmp_path):
    """templates/docx/plain.docx a link to another office's file: never read into the document."""
    secret = tmp_path / "secret.docx"
    shutil.copy(workdir / "templates" / "docx" / "plain.docx", secret)
    rewrite_word_template(secret, lambda x: x.replace(BODY, BODY + "<w:p><w:r><w:t>机密：不得外传</w:t></w:r></w:p>"))
    (workdir / "templates" / "docx" / "plain.docx").unlink()
    (workdir / "templates" / "docx" / "plain.docx").symlink_to(secret)
    fails_with(workdir, "templates/docx/plain.docx", "Word 模板指向 templates/ 以外的文件", args=("--format", "docx"))


# ---------------------------------------------------------------------------------------------
# Bounds: a runaway template stops with a message, in seconds (the timeout only guards the test).

@pytest.mark.parametrize("code, expected", [
    ("{{ range(100000000)|list|length }}", "模板中 range() 的范围过大（最多 100,000 项）"),
    ("{{ 10 ** 1000000 }}", "模板计算出的数字过大"),
    ("{% set ns = namespace(n=2) %}{% for i in range(30) %}{% set ns.n = ns.n * ns.n %}{% endfor %}",
     "模板计算出的数字过大"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "模板运算量超过上限"),
    ('{{ "x" * 1000000000 }}', "模板要生成的文字或列表超过上限"),
    ('{{ "x".center(1000000000) }}', "模板要生成的文字或列表超过上限"),
    ('{{ ("a\\n" * 1000000)|indent(1000) }}', "模板要生成的文字或列表超过上限"),
    ('{% set ns = namespace(s="xx") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}',
     "上限"),
    ('{% macro twice(s) %}{{ s }}{{ s }}{% endmacro %}{% set ns = namespace(s="xx") %}'
     '{% for i in range(40) %}{% set ns.s = twice(ns.s) %}{% endfor %}', "上限"),
    ('{% set big = ["x" * 10000000] * 100 %}{{ big }}', "模板要生成的内容超过上限"),
    ('{{ "%0999999999d" % 1 }}', "模板中的格式宽度过大"),
    ('{{ "{:>999999999}".format(1) }}', "模板中的格式宽度过大"),
    ("{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}{{ down(0) }}", "模板嵌套过深（宏或 include 调用自身"),
    ('{{ "第" + 1 }}', "模板中的计算出错"),
])
def test_html_template_runs_within_bounds(workdir, code, expected):
    line = after_body(workdir, code)
    fails_with(workdir, f"{HTML}，第{line}行", expected)


def test_html_template_nested_too_deep_for_the_parser(workdir):
    """Brackets nested deeper than Jinja's parser recurses: the same message, naming the template."""
    path = workdir / HTML
    path.write_text("{{ " + "(" * 200 + "1" + ")" * 200 + " }}" + path.read_text(encoding="utf-8"), encoding="utf-8")
    fails_with(workdir, "document.html.j2", "模板嵌套过深（宏或 include 调用自身，或括号套得太多）")


def test_html_template_stops_at_the_time_limit(workdir, monkeypatch):
    """A loop whose passes cost little work but much time (comparing a long text each pass)."""
    monkeypatch.setenv("GONGFU_TEMPLATE_SECONDS", "1")
    line = after_body(workdir, '{% set s = "x" * 10000000 %}{% for i in range(100000) %}'
                               '{% if "y" in s %}{% endif %}{% endfor %}')
    # 1 s of CPU time, or 4 s of wall clock on a busy machine: whichever comes first.
    stderr = fails_with(workdir, f"{HTML}，第{line}行", "模板运行超过 ")
    assert "模板运行超过 1 秒（CPU 时间），已停止" in stderr or "模板运行超过 4 秒，已停止" in stderr


# SVG <use> elements nested six deep: a million rectangles for WeasyPrint to lay out (without limits
# four minutes of CPU and 4.4 GB), from a few hundred bytes of template.
NESTED_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs><g id="a0"><rect width="1" height="1"/></g>'
              + "".join(f'<g id="a{i}">' + f'<use href="#a{i - 1}"/>' * 10 + "</g>" for i in range(1, 7))
              + '</defs><use href="#a6"/></svg>')


@pytest.fixture
def temp_folder(tmp_path, monkeypatch):
    """The system's temporary folder for the build: a stopped worker must leave nothing in it (WeasyPrint
    copies the fonts there, 25 MB a worker, and only a worker that ends normally removes them)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    yield folder
    assert sorted(p.name for p in folder.rglob("*")) == []


@pytest.mark.parametrize("docs, jobs", [((DOC,), "1"), ((), "2")])
def test_html_layout_stops_at_the_time_limit(workdir, monkeypatch, temp_folder, docs, jobs):
    """WeasyPrint's layout of what the template wrote has a CPU time limit too, whether it runs in the
    worker kept for a serial build or in the parallel build's workers (all documents, --jobs 2)."""
    monkeypatch.setenv("GONGFU_TEMPLATE_SECONDS", "2")
    after_body(workdir, NESTED_SVG)
    stderr = fails_with(workdir, f"{HTML}：HTML 模板排版超过 ", "GONGFU_TEMPLATE_SECONDS",
                        args=("--format", "pdf", "--engine", "html", "--jobs", jobs), docs=docs)
    # The limit grows with the document (2 s and as much again per 100 000 characters), the wall clock is 4 times it.
    assert re.search(r"HTML 模板排版超过 [\d.]+ 秒（CPU 时间），已停止|HTML 模板排版超过 [\d.]+ 秒，已停止", stderr), stderr


def test_html_svg_picture_that_cannot_be_drawn_is_an_error(workdir):
    """WeasyPrint leaves an SVG picture it cannot draw blank and goes on: a PDF with a hole no one
    sees before it is signed. The build fails instead, naming the template."""
    after_body(workdir, '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><g id="a"><use href="#a"/></g></svg>')
    fails_with(workdir, f"{HTML}：PDF 中有 1 个 SVG 图形无法绘制")


def test_html_layout_stops_at_the_memory_limit(workdir, monkeypatch, temp_folder):
    monkeypatch.setenv("GONGFU_TEMPLATE_MEMORY_MB", "100")
    monkeypatch.setenv("GONGFU_TEMPLATE_SECONDS", "200")
    after_body(workdir, '<svg width="10" height="10">{% for i in range(100000) %}'
                        '<rect width="1" height="1"/><rect width="1" height="1"/><rect width="1" height="1"/>'
                        "{% endfor %}</svg>")
    stderr = fails_with(workdir, f"{HTML}：HTML 模板排版用尽了内存上限（", "GONGFU_TEMPLATE_MEMORY_MB")
    assert re.search(r"内存上限（10\d MB）", stderr), stderr   # 100 MB, and a little more for the document's size


def test_typst_endless_loop_is_stopped(workdir, monkeypatch):
    monkeypatch.setenv("GONGFU_TEMPLATE_SECONDS", "3")
    append(workdir, TYPST, "#let n = 0\n#for i in range(100000) { for j in range(100000) { n += 1 } }\n")
    stderr = fails_with(workdir, TYPST, "Typst 模板排版超过 ", args=("--format", "pdf", "--engine", "typst"))
    # 3 s of CPU time, or 12 s of wall clock on a busy machine: whichever comes first.
    assert "超过 3 秒（CPU 时间），已停止" in stderr or "超过 12 秒，已停止" in stderr


@pytest.mark.parametrize("code", [
    "#let a = range(100000000)\n#a.len()\n",
    '#let s = "x"\n#for i in range(40) { s = s + s }\n#s.len()\n',
])
def test_typst_huge_allocation_is_stopped(workdir, code):
    append(workdir, TYPST, code)
    fails_with(workdir, TYPST, "Typst 模板排版用尽了内存上限", args=("--format", "pdf", "--engine", "typst"))


def test_typst_child_is_stopped_by_the_wall_clock(tmp_path):
    """The wall clock stops a compile that would stay within its CPU time (the CPU limit is in
    whole seconds): the child is killed, the next compile gets a new one."""
    from gongfu_reports.render import typst_child

    (tmp_path / "loop.typ").write_text("#let n = 0\n#for i in range(100000) { for j in range(100000) { n += 1 } }\n",
                                       encoding="utf-8")
    (tmp_path / "ok.typ").write_text("好\n", encoding="utf-8")
    request = {"root": str(tmp_path), "font_dirs": [], "inputs": {}, "timestamp": 0}
    with pytest.raises(typst_child.ChildStopped) as stopped:
        typst_child.compile_pdf({**request, "template": str(tmp_path / "loop.typ")}, 300, 1, 800)
    assert stopped.value.reason == "wall"
    assert typst_child.compile_pdf({**request, "template": str(tmp_path / "ok.typ")}, 300, 60, 800).startswith(b"%PDF")


def test_lock_is_released_after_a_stopped_build(workdir):
    append(workdir, TYPST, '#let a = range(100000000)\n')
    for _ in range(2):   # the second build finds no lock left behind
        fails_with(workdir, "Typst 模板排版用尽了内存上限", args=("--format", "pdf", "--engine", "typst"))
    assert gongfu(workdir, "build", DOC, "--format", "docx").returncode == 0


@pytest.mark.parametrize("markup, found", [
    ('<script src="https://cdn.tracker.example/t.js"></script>', "<script>"),
    ('<link rel="stylesheet" href="https://cdn.tracker.example/s.css">', "<link>"),
    ('<img src="http://tracker.example/p.png" alt="">', 'src="http://tracker.example/p.png"'),
    ('<p style="background: url(https://tracker.example/p.png)">x</p>', "url(https://tracker.example/p.png)"),
    ('<p onclick="fetch(1)">x</p>', "onclick="),
    ('<meta http-equiv="refresh" content="0; url=https://elsewhere.example/">', "<meta http-equiv=refresh>"),
])
def test_web_edition_template_cannot_load_or_run_anything(workdir, markup, found):
    """The web edition is published on the 政府信息公开 site as it is: a shared template that adds a
    script, a stylesheet or a picture from elsewhere, an event handler or a redirect is refused; a
    link a reader may follow stays."""
    path = workdir / "templates" / "web" / "document.html.j2"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("</main>", '<a href="https://www.zhoushan.gov.cn/">舟山市人民政府</a></main>'),
                    encoding="utf-8")
    assert "</main>" in original and gongfu(workdir, "build", DOC, "--format", "html").returncode == 0
    path.write_text(original.replace("</main>", markup + "</main>"), encoding="utf-8")
    fails_with(workdir, "document.html.j2", f"网页模板生成的页面含有“{found}”", args=("--format", "html"))
