"""Write the bad files of the corpus cases that are binary or derived from the working folder.

Every case is a folder tests/bad_inputs/<case>/ with a case.yaml (命令, 期望) and the bad
file(s) at their place in a working folder (data/tasks.xlsx, returned/发改委.xlsx, …). Small text
files are committed as they are. The files written here are generated at test time instead, by
the session fixture in tests/test_bad_inputs.py, because they are either binary (workbooks, a
GBK file, a file with a raw control character that editors would strip) or a small change to
the working folder's own files (a units.yaml with one more line): generated from the current
data they stay valid except for the one fault they are about.

By hand, to look at them:

    .venv/bin/python tests/bad_inputs/make_cases.py OUT_DIR

writes every generated case into OUT_DIR/<case>/… from a fresh copy of the bundled working
folder (with `gongfu forms --period 2024-09` run, as the test does).
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

PERIOD = "2024-09"
FORM_UNIT = "市发改委"
FORM = Path("build/forms") / PERIOD / f"{FORM_UNIT}.xlsx"
RETURNED = Path("returned") / "发改委回执.xlsx"
TASKS = Path("data/tasks.xlsx")
INDICATORS = Path("data/indicators.xlsx")
STATUSES = ["已完成", "序时推进", "滞后", "未启动"]

CASES: dict[str, Callable[[Path, Path], None]] = {}


def case(name: str):
    def register(func):
        CASES[name] = func
        return func
    return register


def write(target: Path, data: bytes | str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    target.write_bytes(data)


# --- workbooks of the working folder -----------------------------------------------------------

def edit_workbook(base: Path, out: Path, relative: Path, change) -> None:
    book = openpyxl.load_workbook(base / relative)
    change(book, book.worksheets[0])
    (out / relative).parent.mkdir(parents=True, exist_ok=True)
    book.save(out / relative)


def tasks_case(name: str, change) -> None:
    CASES[name] = lambda base, out: edit_workbook(base, out, TASKS, change)


def set_cell(row: int, column: int, value, number_format: str | None = None):
    def change(book, ws):
        ws.cell(row, column).value = value
        if number_format:
            ws.cell(row, column).number_format = number_format
    return change


# tasks.xlsx columns: A 分组, B 重点任务, C 序号, D 主要举措, E 工作目标, F 重点工作安排, G 牵头单位
tasks_case("xlsx-missing-column", set_cell(1, 7, "负责单位"))
tasks_case("xlsx-extra-column", set_cell(1, 8, "备注"))
tasks_case("xlsx-duplicate-header", set_cell(1, 8, "序号"))
tasks_case("xlsx-number-as-text", set_cell(6, 3, "5.0"))
tasks_case("xlsx-date-serial", set_cell(6, 3, 5, "yyyy/m/d"))
tasks_case("xlsx-duplicate-number", set_cell(7, 3, 5))
tasks_case("xlsx-unknown-unit", set_cell(10, 7, "市发改局、市财政局"))
tasks_case("xlsx-unit-path", set_cell(10, 7, "../x"))
tasks_case("xlsx-empty-required", set_cell(6, 4, None))
tasks_case("xlsx-control-char", set_cell(6, 4, "推进数字经济_x0007_发展"))   # how Excel stores U+0007
tasks_case("xlsx-long-cell", set_cell(6, 6, "很长的文字" * 4000))
tasks_case("xlsx-formula-no-value", set_cell(6, 4, '=HYPERLINK("http://example.com/x","点此查看")'))
tasks_case("xlsx-too-many-cells", set_cell(10000, 26, "右下角多余的内容"))


@case("xlsx-merged-header")
def _(base, out):
    def change(book, ws):
        ws.merge_cells("A1:B1")
    edit_workbook(base, out, TASKS, change)


@case("xlsx-empty-sheet")
def _(base, out):
    def change(book, ws):
        ws.delete_rows(1, ws.max_row)
        for merged in list(ws.merged_cells.ranges):
            ws.merged_cells.remove(merged)
    edit_workbook(base, out, TASKS, change)


@case("xlsx-header-only")
def _(base, out):
    def change(book, ws):
        for merged in list(ws.merged_cells.ranges):
            ws.merged_cells.remove(merged)
        ws.delete_rows(2, ws.max_row)
    edit_workbook(base, out, TASKS, change)


@case("xlsx-missing-sheet")
def _(base, out):
    def change(book, ws):
        ws.title = "Sheet1"
    edit_workbook(base, out, TASKS, change)


@case("indicators-bad-direction")
def _(base, out):
    def change(book, ws):
        column = next(c.column for c in ws[1] if c.value == "方向")
        ws.cell(5, column).value = "上升"
    edit_workbook(base, out, INDICATORS, change)


# --- files that are not workbooks, or hostile ones -----------------------------------------------

def ole_file() -> bytes:
    """An encrypted xlsx (and an old .xls) is an OLE compound file, not a zip archive."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"EncryptedPackage" + bytes(2000)


def zip_bomb(source: Path) -> bytes:
    """A real workbook whose sheet expands to 80 MB of spaces (a few hundred kB on disk)."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                with dst.open(info.filename, "w", force_zip64=True) as handle:
                    head, tail = data.rsplit(b"</worksheet>", 1)
                    handle.write(head)
                    chunk = b" " * (1 << 20)
                    for _ in range(80):
                        handle.write(chunk)
                    handle.write(b"</worksheet>" + tail)
            else:
                dst.writestr(info, data)
    return out.getvalue()


def many_cells(source: Path) -> bytes:
    """The workbook with 250 000 numbers appended to its sheet (a 2 MB file): too many cells."""
    import re

    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{col}{r}"><v>{r}</v></c>' for col in "HIJKL")
                               + "</row>" for r in range(1000, 51000))
                data = re.sub(rb"</sheetData>", rows.encode() + b"</sheetData>", data, count=1)
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:L51000"/>', data, count=1)
            dst.writestr(info, data)
    return out.getvalue()


def oversized(target: Path) -> None:
    """21 MB: over the 20 MB limit (sparse, so it costs no disk)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(21 * 1024 * 1024)


def truncated(source: Path) -> bytes:
    data = source.read_bytes()
    return data[: len(data) // 2]


CASES["xlsx-password"] = lambda base, out: write(out / TASKS, ole_file())
CASES["xlsx-zip-bomb"] = lambda base, out: write(out / TASKS, zip_bomb(base / TASKS))
CASES["xlsx-many-cells"] = lambda base, out: write(out / TASKS, many_cells(base / TASKS))
CASES["xlsx-oversized"] = lambda base, out: oversized(out / TASKS)
CASES["xlsx-truncated"] = lambda base, out: write(out / TASKS, truncated(base / TASKS))
CASES["collect-password"] = lambda base, out: write(out / RETURNED, ole_file())
CASES["collect-zip-bomb"] = lambda base, out: write(out / RETURNED, zip_bomb(base / FORM))
CASES["collect-oversized"] = lambda base, out: oversized(out / RETURNED)


# --- text files that are derived from the working folder, or that editors would "fix" --------------

def text_case(name: str, relative: str, change: Callable[[str], str]) -> None:
    def make(base: Path, out: Path) -> None:
        write(out / relative, change((base / relative).read_text("utf-8")))
    CASES[name] = make


def replace_once(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return change


text_case("units-duplicate-name", "data/units.yaml", lambda t: t.rstrip("\n") + "\n- 名称: 市财政局\n")
text_case("units-path-name", "data/units.yaml", lambda t: t.rstrip("\n") + "\n- 名称: ../x\n")
text_case("config-unknown-key", "config.yaml", replace_once("enclosures:", "enclosure:"))
text_case("config-bad-kind", "config.yaml", replace_once("kind: prose\n", "kind: prosa\n"))
text_case("config-not-a-boolean", "config.yaml", replace_once("landscape: true", "landscape: 是"))
text_case("config-missing-file", "config.yaml", replace_once("file: data/tasks.xlsx", "file: data/tasks-2024.xlsx"))
text_case("config-title-format", "config.yaml", replace_once(
    "    kind: bulletin\n", '    kind: bulletin\n    title: "{year.real}年{month:>1999999999}完成情况"\n'))
text_case("plan-control-char", "data/shishi-fangan/plan.md",
          replace_once("# 全面落实发展目标", "# 全面落实\x0b发展目标"))
text_case("yaml-raw-control-char", "data/notice.yaml", replace_once("主送机关: ", "主送机关: \x07"))
text_case("yaml-long-text", "data/notice.yaml",
          replace_once("正文:\n", "正文:\n  - " + "很长的正文" * 3000 + "\n"))


@case("plan-not-utf8")
def _(base, out):
    path = "data/shishi-fangan/plan.md"
    write(out / path, (base / path).read_text("utf-8").encode("gb18030"))


@case("yaml-not-utf8")
def _(base, out):
    write(out / "data/notice.yaml", (base / "data/notice.yaml").read_text("utf-8").encode("gb18030"))


# --- returned progress forms -----------------------------------------------------------------------

def form_columns(ws) -> tuple[int, dict[str, int]]:
    header = next(r for r in ws.iter_rows(max_row=10) if any(c.value == "编号" for c in r))
    return header[0].row, {c.value: c.column for c in header if c.value}


def fill_form(base: Path, out: Path, change=None) -> None:
    """The unit's form filled in completely, then `change(book, ws, cols, rows)` applied."""
    book = openpyxl.load_workbook(base / FORM)
    ws = book["进展填报"]
    header, cols = form_columns(ws)
    rows = [r for r in range(header + 1, ws.max_row + 1)
            if ws.cell(r, 1).value and not str(ws.cell(r, 1).value).startswith("填报人")]
    for i, r in enumerate(rows):
        ws.cell(r, cols["状态"]).value = STATUSES[i % len(STATUSES)]
        ws.cell(r, cols["进展情况"]).value = f"{ws.cell(r, 1).value}：已召开推进会3次。"
        ws.cell(r, cols["存在问题"]).value = "要素保障不足。"   # a reason: required for 滞后 and 未启动
        ws.cell(r, cols["下步计划"]).value = "继续推进。"
    if change:
        change(book, ws, cols, rows)
    (out / RETURNED).parent.mkdir(parents=True, exist_ok=True)
    book.save(out / RETURNED)


def form_case(name: str, change) -> None:
    CASES[name] = lambda base, out: fill_form(base, out, change)


def form_cell(column: str, value, row_index: int = 1):
    def change(book, ws, cols, rows):
        ws.cell(rows[row_index], cols[column]).value = value
    return change


def merged_header(book, ws, cols, rows):
    header = rows[0] - 1
    ws.merge_cells(start_row=header, start_column=cols["进展情况"], end_row=header, end_column=cols["状态"])


def empty_sheet(book, ws, cols, rows):
    for merged in list(ws.merged_cells.ranges):
        ws.merged_cells.remove(merged)
    ws.delete_rows(1, ws.max_row)


def duplicated_row(book, ws, cols, rows):
    for c in range(1, ws.max_column + 1):
        ws.cell(rows[-1] + 1, c).value = ws.cell(rows[1], c).value


def meta(key: str, value: str):
    def change(book, ws, cols, rows):
        sheet = book["_meta"]
        row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == key)
        sheet.cell(row, 2).value = value
    return change


form_case("collect-formula-hyperlink", form_cell("进展情况", '=HYPERLINK("http://example.com","详见附件")'))
form_case("collect-formula-cmd", form_cell("存在问题", "=+cmd|' /C calc'!A0"))
form_case("collect-formula-sum", form_cell("下步计划", "=@SUM(1,2)"))
form_case("collect-control-char", form_cell("进展情况", "已完成_x001B_[31m验收"))
form_case("collect-long-cell", form_cell("进展情况", "进展情况说明" * 2000))
form_case("collect-bidi-text", form_cell("进展情况", "正常\u202e文字反转\u202c，已完成"))
form_case("collect-status-zero-width", form_cell("状态", "已完成\u200b"))
form_case("collect-bad-status", form_cell("状态", "基本完成"))
form_case("collect-unknown-id", form_cell("编号", "ZF24-999"))
form_case("collect-merged-header", merged_header)
form_case("collect-empty-sheet", empty_sheet)
form_case("collect-duplicate-row", duplicated_row)
form_case("collect-wrong-period", meta("期间", "2024-08"))
form_case("collect-unit-path", meta("填报单位", "../x"))


@case("collect-no-meta")
def _(base, out):
    book = openpyxl.Workbook()
    book.active.append(["编号", "进展情况", "状态"])
    book.active.append(["ZF24-004", "已完成", "已完成"])
    (out / RETURNED).parent.mkdir(parents=True, exist_ok=True)
    book.save(out / RETURNED)


# --- issue 14: names that become paths ------------------------------------------------------------

SHISHI = "  shishi-fangan:"
CONFIG = "config.yaml"
UNITS = "data/units.yaml"


def config_id(name: str, new_key: str, old_key: str = SHISHI) -> None:
    text_case(name, CONFIG, replace_once(old_key, new_key))


config_id("config-id-dotdot", "  ../../outside:")
config_id("config-id-backslash", "  'shishi\\fangan':")
config_id("config-id-trailing-dot", "  shishi-fangan.:")
config_id("config-id-trailing-space", '  "shishi-fangan ":')
config_id("config-id-too-long", "  " + "shishi-fangan-" * 12 + ":")
config_id("config-id-bidi", '  "shishi\\u202efangan":')
config_id("config-id-zero-width", '  "shishi\\u200bfangan":')
config_id("config-id-reserved", "  NUL:")
config_id("config-id-colon", '  "shishi:fangan":')
config_id("config-id-same-file", "  Shishi-Fangan:", "  gaige-tupo-2024:")
text_case("config-progress-outside", CONFIG,
          replace_once("progress: data/zhengfu-2024/progress ", "progress: ../outside-progress "))


def units_case(name: str, lines: str) -> None:
    text_case(name, UNITS, lambda t: t.rstrip("\n") + "\n" + lines)


units_case("units-trailing-dot", "- 名称: 市发改委.\n")
units_case("units-same-file", "- 名称: ABC局\n- 名称: abc局\n")
units_case("units-too-long", "- 名称: " + "舟山市共同富裕示范区建设领导小组办公室" * 4 + "\n")
units_case("units-reserved", "- 名称: CON\n")


# --- issue 14: look-alike unit names --------------------------------------------------------------

units_case("units-zero-width", '- 名称: "市发改委\\u200b"\n')
units_case("units-bidi", '- 名称: "\\u202e市发改委"\n')
units_case("units-lookalike-kangxi", "- 名称: 市\u2f42广旅体局\n")          # ⽂: the Kangxi radical, not 文
units_case("units-lookalike-fullwidth", "- 名称: ＡＢＣ局\n- 名称: ABC局\n")
units_case("units-alias-soft-hyphen", '- 名称: 新单位甲\n  别称: ["市发\\u00ad改委"]\n')
tasks_case("xlsx-unit-zero-width", set_cell(10, 7, "市发改委\u200b"))
text_case("notice-body-bidi", "data/notice.yaml", replace_once("认真抓好落实。", "认真抓好\u202e落实。"))
text_case("workplan-unit-bidi", "data/workplan.yaml",
          replace_once("单位: 市发改委、市委改革办", '单位: "市发改委\\u202d、市委改革办"'))


# --- issue 14: size limits ---------------------------------------------------------------------------

def alias_bomb(levels: int = 9) -> str:
    lines = ["期间: '2024-07'", "条目:", "- 编号: ZF24-001", "  状态: 已完成", "  完成情况: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"  问题{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
              f"*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


CASES["progress-alias-bomb"] = lambda base, out: write(out / "data/zhengfu-2024/progress/2024-07.yaml", alias_bomb())
text_case("config-alias-loop", CONFIG, lambda t: t.replace("documents:\n", "loop: &loop [1, *loop]\ndocuments:\n", 1))


@case("yaml-too-large")
def _(base, out):
    text = (base / "data/notice.yaml").read_text("utf-8")
    write(out / "data/notice.yaml", text + ("# " + "填充" * 500 + "\n") * 3700)   # 11 MB of comments


def padded_zip(source: bytes | Path, member: str, megabytes: int) -> bytes:
    """A copy of the zip whose `member` ends with `megabytes` MB of spaces (a few hundred kB on disk)."""
    data = source.read_bytes() if isinstance(source, Path) else source
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == member:
                with dst.open(info.filename, "w", force_zip64=True) as handle:
                    handle.write(payload)
                    for _ in range(megabytes):
                        handle.write(b" " * (1 << 20))
            else:
                dst.writestr(info, payload)
    return out.getvalue()


def small_docx() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph("关于推进共同富裕的实施方案")
    doc.add_paragraph("一、总体要求")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


CASES["import-docx-zip-bomb"] = lambda base, out: write(out / "in/方案.docx",
                                                        padded_zip(small_docx(), "word/document.xml", 80))
CASES["import-docx-body-bomb"] = lambda base, out: write(out / "in/方案.docx",
                                                         padded_zip(small_docx(), "word/document.xml", 20))
CASES["import-xlsx-zip-bomb"] = lambda base, out: write(out / "in/清单.xlsx", zip_bomb(base / TASKS))
CASES["import-docx-not-docx"] = lambda base, out: write(out / "in/方案.docx", "这是一个改了扩展名的文本文件\n")


@case("xlsx-many-bad-rows")
def _(base, out):
    def change(book, ws):
        template = [c.value for c in ws[2]]
        for i in range(3000):
            row = list(template)
            row[2], row[6] = 1000 + i, f"市不存在局{i}"
            ws.append(row)
    edit_workbook(base, out, TASKS, change)


def many_unknown_ids(book, ws, cols, rows):
    for i in range(2000):
        r = rows[-1] + 1 + i
        ws.cell(r, cols["编号"]).value = f"ZF24-9{i:03d}"
        ws.cell(r, cols["进展情况"]).value = "已推进"
        ws.cell(r, cols["状态"]).value = "已完成"


form_case("collect-many-bad-rows", many_unknown_ids)


# --- issue 14: silent misreadings ---------------------------------------------------------------------

tasks_case("xlsx-percent-number", set_cell(6, 3, 0.05, "0%"))


@case("list-hidden-first-sheet")
def _(base, out):
    relative = Path("data/lists/gaige-tupo-2024.xlsx")
    book = openpyxl.load_workbook(base / relative)
    old = book.create_sheet("旧版", 0)
    old.append(["序号", "改革事项"])
    old.append([1, "已废止的事项"])
    old.sheet_state = "hidden"
    book.active = 1
    (out / relative).parent.mkdir(parents=True, exist_ok=True)
    book.save(out / relative)


@case("import-hidden-only")
def _(base, out):
    book = openpyxl.Workbook()
    book.active.title = "说明"
    hidden = book.create_sheet("旧清单")
    hidden.append(["序号", "改革事项", "牵头单位"])
    hidden.append([1, "深化收入分配制度改革", "市发改委"])
    hidden.sheet_state = "hidden"
    (out / "in").mkdir(parents=True, exist_ok=True)
    book.save(out / "in/清单.xlsx")


# --- issue 14: text reaching the terminal is text, not markup ------------------------------------------

tasks_case("terminal-markup-unit", set_cell(10, 7, "[/red]X局"))
form_case("terminal-markup-status", form_cell("状态", "[/]"))
text_case("terminal-markup-yaml", "data/notice.yaml", replace_once("成文日期: 2024-04-30", "成文日期: '[red]2024年4月30日'"))


@case("terminal-markup-file-name")
def _(base, out):
    fill_form(base, out, form_cell("状态", "基本完成"))
    (out / RETURNED).rename(out / RETURNED.with_name("[red]回执.xlsx"))


# --- issue 14: file-system faults and the lock (the fault itself is set up by the test: 故障) -----------

CASES["fault-collect-disk-full"] = CASES["lock-collect"] = lambda base, out: fill_form(base, out)
for name in ("fault-import-disk-full", "lock-import"):
    CASES[name] = lambda base, out: write(out / "in/清单.xlsx", (base / TASKS).read_bytes())


def generate(base: Path, corpus: Path, names: list[str] | None = None) -> None:
    """Write the generated files of the cases into corpus/<case>/ from the working folder base."""
    for name in names or list(CASES):
        CASES[name](base, corpus / name)


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        raise SystemExit(__doc__)
    import subprocess
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from conftest import copy_workdir

    out = Path(argv[0]).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        base = copy_workdir(Path(tmp) / "w")
        subprocess.run([sys.executable, "-m", "gongfu_reports", "forms", "--period", PERIOD, "-C", str(base)],
                       check=True)
        generate(base, out)
    print(f"{len(CASES)} cases written to {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
