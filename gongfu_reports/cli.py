"""The `gongfu` command. Help in Chinese and English; user errors exit 2 without a traceback."""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.text import Text

from .errors import GongfuError, capped, display_path, file_error
from .gc_settings import fewer_collections

app = typer.Typer(
    help="gongfu-reports：把 YAML / Excel 数据生成符合 GB/T 9704-2012 的公文（Word 与 PDF）。\n\n"
         "Turns YAML/Excel data into Chinese official documents (DOCX and PDF) laid out to GB/T 9704-2012.",
    add_completion=False, no_args_is_help=True, rich_markup_mode=None)
# Control characters in what is printed (a file name or a value a unit sent: ESC starts a terminal
# command that retitles the window or clears the screen) are shown as \x1b, never sent to the terminal.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    return CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


class _Console(Console):
    """markup=False: names, file names and text from the data are printed as they are, never read as
    markup; and their control characters made visible (visible())."""

    def print(self, *objects, **kwargs) -> None:
        super().print(*(visible(o) if isinstance(o, str) else
                        Text(visible(o.plain)) if isinstance(o, Text) and CONTROL.search(o.plain) else o
                        for o in objects), **kwargs)


err = _Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
out = _Console(highlight=False, soft_wrap=True, markup=False)

DIR_OPTION = typer.Option(Path("."), "--dir", "-C", help="工作目录（含 config.yaml）/ working folder")


@app.command()
def build(
    doc_ids: Optional[List[str]] = typer.Argument(None, metavar="[DOC_ID]...",
                                                  help="要生成的文档编号，默认全部 / documents to build (default: all)"),
    formats: str = typer.Option("docx,pdf", "--format", "-f",
                                help="输出格式：docx、pdf、html（网页版，用于政府信息公开），可用逗号组合 / "
                                     "output formats: docx,pdf,html (the web edition)"),
    force: bool = typer.Option(False, "--force", help="忽略缓存，全部重新生成 / rebuild even if unchanged"),
    per_unit: bool = typer.Option(False, "--per-unit",
                                  help="另为每个责任单位生成任务清单 build/<编号>-per-unit/<单位>.docx|pdf"
                                       "（未指定文档时，用于有责任分解的文档）/ "
                                       "also write one extract per responsible unit"),
    strict: bool = typer.Option(False, "--strict", help="有警告时退出码为 1 / exit 1 on warnings"),
    period: Optional[str] = typer.Option(None, "--period", "-p",
                                         help="完成情况/通报的期间，如 2024-06 或 last-month；默认全部已有期间 / "
                                              "bulletin period (YYYY-MM or last-month)"),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                       help="同时使用的 CPU 核数，默认全部；1 = 不并行。结果与逐个生成逐字节相同 / "
                                            "cores to use (default: all); same bytes as --jobs 1"),
    attachment: Optional[int] = typer.Option(None, "--attachment", "-a", min=1,
                                             help="只生成通知的第 N 个附件：build/<编号>-attachment-<N>.docx|pdf / "
                                                  "build only attachment N of the notice"),
    engine: Optional[str] = typer.Option(None, "--engine", "-e",
                                         help="PDF 排版引擎：typst（Typst 模板，默认）或 html（HTML 模板，WeasyPrint，生成约慢四倍）；"
                                              "不写时按 config.yaml 的 pdf_engine / PDF engine: typst (default) or html"),
    directory: Path = DIR_OPTION,
):
    """生成文档到 build/<编号>.docx 和 .pdf。Build documents into build/<id>.docx and build/<id>.pdf."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from .build import BuildOptions, build as run_build
    from .render.registry import parse_formats

    steps = {"compose": "整理数据", "docx": "生成并检查 Word", "pdf": "生成并检查 PDF", "html": "生成网页版",
             "skip": "无变化，跳过",
             "extract": "生成单位清单"}
    with Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False), TimeElapsedColumn(),
                  console=err, transient=True) as progress:
        task = progress.add_task("读取配置…", total=None)

        def report(doc_id: str, step: str) -> None:
            progress.update(task, description=f"{doc_id}：{steps[step]}")

        if period:
            from .progress.period import parse_period

            period = parse_period(period)
        options = BuildOptions(doc_ids or [], parse_formats(formats), force, per_unit, period, jobs, attachment, engine,
                               report)
        result = run_build(_enter(directory), options)
    warnings, normalised = _split_normalised(result.warnings)
    _print_warnings(warnings)
    for doc_id, count in Counter(w.subject for w in normalised).items():
        out.print(f"{doc_id}：数据中 {count} 处的半角标点已按 GB/T 15834 印为全角（数据文件未改动；"
                  "gongfu check 列出位置）", soft_wrap=True)
    per_unit_count = sum(1 for p in result.written if p.parent.name.endswith("-per-unit"))
    for path in result.written:
        if not path.parent.name.endswith("-per-unit"):
            out.print(f"已生成 {display_path(path)}")
    if per_unit_count:
        folders = sorted({display_path(p.parent) for p in result.written if p.parent.name.endswith("-per-unit")})
        out.print(f"已生成单位清单 {per_unit_count} 个文件：{'、'.join(folders)}")
    for doc_id in result.skipped:
        out.print(f"{doc_id}：输入未变化，未重新生成（--force 可强制重建）")
    if strict and warnings:
        raise typer.Exit(1)


@app.command()
def check(
    strict: bool = typer.Option(False, "--strict", help="有警告时退出码为 1 / exit 1 on warnings"),
    directory: Path = DIR_OPTION,
):
    """检查配置、数据和模板，列出全部问题，不生成文件。Validate config, data and templates."""
    from .build import check as run_check

    ids, found = run_check(_enter(directory))
    warnings, normalised = _split_normalised(found)
    _print_warnings(warnings)
    places: dict[tuple, list[str]] = {}   # one line per place, whichever documents print it
    for w in normalised:
        places.setdefault((str(w.place or ""), w.message), []).append(w.subject or "")
    if places:
        out.print("标点：以下各处的半角标点已在生成的文件中按 GB/T 15834 印为全角（数据文件未改动；"
                  "config.yaml 中 normalise_punctuation: false 可关闭）", soft_wrap=True)
    for (place, message), subjects in places.items():
        out.print(f"  {place + '：' if place else ''}{message}（{'、'.join(dict.fromkeys(subjects))}）", soft_wrap=True)
    notes = [f"{len(warnings)} 处警告"] * bool(warnings) + [f"{len(places)} 处标点印为全角"] * bool(places)
    out.print(f"检查通过：{'、'.join(ids)}" + (f"（{'；'.join(notes)}）" if notes else ""))
    if strict and warnings:
        raise typer.Exit(1)


@app.command()
def init(folder: Path = typer.Argument(..., metavar="DIR", help="新工作目录 / the new working folder")):
    """新建工作目录：复制随附示例的 config.yaml、data/ 和 templates/，可立即 gongfu build，再换成本单位的数据。
    Make a new working folder from the bundled example."""
    from .bundled import init_working_folder

    target = init_working_folder(folder)
    out.print(f"已新建工作目录 {display_path(target)}：config.yaml、data/、templates/（随附示例）", soft_wrap=True)
    out.print(f"下一步：cd {display_path(target)} && gongfu build", soft_wrap=True)


@app.command("make-template")
def make_template(folder: Path = typer.Argument(Path("templates/docx"), help="写入目录 / target folder")):
    """重新生成 Word 模板（样式、页面设置、页码）。Regenerate the bundled Word templates."""
    from .render.docx import PLAIN_TEMPLATE_NAME, TEMPLATE_NAME, make_template as run

    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in ((TEMPLATE_NAME, True), (PLAIN_TEMPLATE_NAME, False)):
        run(folder / name, frame)
        out.print(f"已生成 Word 模板：{folder / name}")


PERIOD_OPTION = typer.Option(..., "--period", "-p",
                             help="期间，如 2024-06，或 last-month 表示上个月 / period: YYYY-MM or last-month")


@app.command()
def forms(
    doc_id: Optional[str] = typer.Argument(None, metavar="[DOC_ID]",
                                           help="完成情况文档编号，默认 config.yaml 中的 bulletin 文档 / bulletin "
                                                "document (default: the one in config.yaml)"),
    period: str = PERIOD_OPTION,
    directory: Path = DIR_OPTION,
):
    """为每个牵头单位生成进展填报表 build/forms/<期间>/<单位>.xlsx。
    Write one progress workbook per lead unit into build/forms/<period>/."""
    from .progress.forms import write_forms
    from .progress.period import parse_period

    written, kept = write_forms(_enter(directory), doc_id, parse_period(period))
    out.print(f"已生成填报表 {len(written)} 个（每个报送单位一个）：{display_path(written[0].parent)}",
              soft_wrap=True)
    if kept:
        out.print(f"注意：{len(kept)} 个填报表在上次生成后被改动过（可能已有人在原处填写），改动后的文件已另存到 "
                  f"{display_path(kept[0].parent)}：{'、'.join(p.name for p in kept)}", soft_wrap=True)


@app.command()
def collect(
    folder: Path = typer.Argument(..., metavar="DIR", help="收回的填报表所在目录（文件名不限）/ "
                                                           "folder of returned workbooks (any file names)"),
    doc_id: Optional[str] = typer.Argument(None, metavar="[DOC_ID]",
                                           help="完成情况文档编号，默认 config.yaml 中的 bulletin 文档 / bulletin "
                                                "document (default: the one in config.yaml)"),
    period: str = PERIOD_OPTION,
    replace: bool = typer.Option(False, "--replace",
                                 help="已有条目内容不同时以本次填报为准覆盖 / overwrite entries that differ"),
    directory: Path = DIR_OPTION,
):
    """检查收回的填报表，逐个合并通过检查的表格；有表格被退回时退出码为 1。
    Validate returned workbooks and merge each valid one; exit 1 when any was rejected."""
    from .progress.collect import collect as run_collect, report_lines
    from .progress.period import parse_period

    folder = folder.resolve()   # relative to where the command was typed, not to --dir
    result = run_collect(_enter(directory), folder, doc_id, parse_period(period), replace)
    lines, problems = report_lines(result)
    for line in problems:
        err.print(Text(line), soft_wrap=True)
    for line in lines:
        out.print(Text(line), soft_wrap=True)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


@app.command()
def lint(files: List[Path] = typer.Argument(..., metavar="FILE...", help="要检查的 .docx / .pdf 文件 / files to check")):
    """按 GB/T 9704-2012 检查生成的 Word/PDF（纸张、页边距、字号、行数字数、版头、页码、版记、表头），有问题时退出码为 1。
    Check DOCX/PDF outputs against GB/T 9704-2012; exit 1 when something is off."""
    from .lint import lint as run_lint

    problems = 0
    for path in files:
        findings = run_lint(path)
        problems += len(findings)
        if findings:
            out.print(f"{display_path(path)}：发现 {len(findings)} 处不符合")
            for finding in findings:
                out.print(f"  {finding}", soft_wrap=True)
        else:
            out.print(f"{display_path(path)}：符合 GB/T 9704-2012 的各项检查")
    if problems:
        raise typer.Exit(1)


@app.command("import")
def import_(
    source: Path = typer.Argument(..., metavar="FILE",
                                  help="要导入的文件：.xlsx 表格、含表格的 .docx，或正文类 .docx / file to import"),
    name: str = typer.Option(..., "--as", help="新文档的编号 / id of the new document"),
    sheet: Optional[str] = typer.Option(None, "--sheet", help="Excel 中清单所在的工作表，默认第一个有内容的 / Excel sheet"),
    table: Optional[int] = typer.Option(None, "--table", min=1,
                                        help="Word 中的第几个表格（从 1 数起）/ which table of a .docx (1-based)"),
    force: bool = typer.Option(False, "--force", help="覆盖已有的数据文件 / overwrite existing data"),
    directory: Path = DIR_OPTION,
):
    """把已有的清单表格（Excel 或 Word 表格）转成数据文件 data/<编号>.xlsx，或把方案、意见等 Word 文档转成
    Markdown 提纲；并在 config.yaml 中加入文档。
    Turn an existing table (Excel, Word) into a list document, or a prose .docx into a Markdown outline."""
    from .importers.prose import import_prose

    source = source.resolve()   # relative to where the command was typed
    suffix = source.suffix.lower()
    if suffix not in (".docx", ".xlsx", ".xlsm"):
        raise GongfuError(f"只能导入 .xlsx 表格或 .docx 文档：{source.name}",
                          hint="旧版 .xls / .doc 文件请先用 Excel、WPS 或 Word 另存为 .xlsx / .docx")
    if suffix == ".docx" and sheet:
        raise GongfuError("--sheet 只用于 Excel 文件；Word 文档中的表格用 --table N 选择")
    if suffix != ".docx" and table:
        raise GongfuError("--table 只用于 Word 文档；Excel 中的工作表用 --sheet 选择")
    if suffix == ".docx" and not source.exists():
        raise GongfuError("文件不存在", hint=str(source))
    table = table or (_table_to_import(source) if suffix == ".docx" else None)
    if suffix == ".docx" and table is None:
        target, doc_id = import_prose(source, _enter(directory), name, force)
        out.print(f"已导入 {display_path(target)}，并在 config.yaml 中加入文档“{doc_id}”；"
                  f"检查后运行 gongfu build {doc_id}", soft_wrap=True)
        return
    from .files.grid import read_docx_grid, read_excel_grid
    from .importers.lists import import_list

    grid = read_docx_grid(source, table) if table else read_excel_grid(source, sheet)
    target, imported = import_list(grid, _enter(directory), name, source, force)
    _print_warnings(imported.warnings)
    groups = f"，分组 {len(imported.sections)} 级" if imported.sections else ""
    out.print(f"已导入 {display_path(target)}：{len(imported.rows)} 行、{imported.items} 项{groups}；"
              f"列：{'、'.join(h for h in imported.headers if h not in imported.sections)}", soft_wrap=True)
    if imported.notes:
        out.print(f"表格下方的说明 {len(imported.notes)} 段（{imported.notes[0][:20]}……）印在表格之后"
                  "（config.yaml 中的 notes）", soft_wrap=True)
    out.print(f"已在 config.yaml 中加入文档“{name}”（kind: list）；检查后运行 gongfu build {name}",
              soft_wrap=True)


def _table_to_import(source: Path) -> Optional[int]:
    """A .docx that is mostly one table (a list with a title) is imported as a list; a document
    with text is prose, as before (its tables can still be imported with --table N)."""
    from .files.grid import count_docx_tables

    tables, paragraphs = count_docx_tables(source)
    if tables and paragraphs <= 3:
        return 1
    if tables:
        err.print(f"提示：文档中有 {tables} 个表格，按正文类文档导入；要导入表格请加 --table N")
    return None


@app.command()
def serve(
    doc_id: Optional[str] = typer.Argument(None, metavar="[DOC_ID]", help="要预览的文档编号，默认列出全部 / "
                                                                          "document to preview (default: a list)"),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="端口 / port on 127.0.0.1"),
    period: Optional[str] = typer.Option(None, "--period", "-p", help="完成情况/通报的期间，默认最近一期 / "
                                                                     "bulletin period (default: the latest)"),
    directory: Path = DIR_OPTION,
):
    """在本机浏览器中预览打印版式（http://127.0.0.1:8000），保存模板、数据或 config.yaml 后自动更新；Ctrl+C 停止。
    Live preview of the printed pages on 127.0.0.1, redrawn when an input file is saved."""
    from .preview.server import serve as run

    if period:
        from .progress.period import parse_period

        period = parse_period(period)

    def announce(url: str) -> None:
        out.print(f"预览地址：{url}", soft_wrap=True)
        out.print("保存模板、数据或 config.yaml 后页面会自动更新；按 Ctrl+C 停止。")

    run(_enter(directory), doc_id, port, period, announce)
    out.print("预览已停止")


templates_app = typer.Typer(help="模板：复制随附模板到工作目录修改、查看哪些已修改、生成模板变量参考。"
                                 "Templates: export the bundled ones for editing, list, reference page.",
                            no_args_is_help=True, rich_markup_mode=None)
app.add_typer(templates_app, name="templates")


@templates_app.command("export")
def templates_export(
    kind: str = typer.Argument(..., metavar="KIND", help="文档类型 / document kind: notice, prose, bulletin, list"),
    to: Optional[Path] = typer.Option(None, "--to", help="复制到的目录，默认工作目录的 templates/ / "
                                                         "target folder (default: templates/ of the working folder)"),
    force: bool = typer.Option(False, "--force", help="覆盖已修改的模板（原文件另存为 .bak）/ "
                                                      "overwrite edited templates (keeping a .bak)"),
    directory: Path = DIR_OPTION,
):
    """把某类文档用到的随附模板（HTML、CSS、Word）复制到工作目录的 templates/，供修改；已修改的文件不会被覆盖。
    Copy the bundled templates of a document kind into the project's templates/ for editing."""
    from .template_files import export

    target = to.resolve() if to else None   # relative to where the command was typed, not to --dir
    root = _enter(directory)
    if target is None and not (root / "config.yaml").exists():
        raise GongfuError("这里不是工作目录（没有 config.yaml），模板没有复制",
                          hint="在有 config.yaml 的文件夹中运行，或用 --dir 指定工作目录、用 --to 指定复制到哪里")
    labels = {"copied": "已复制", "same": "已存在，与随附模板相同", "replaced": "已覆盖为随附模板",
              "kept": "已修改过，保留不动（加 --force 覆盖）"}
    for item in export(kind, target or root / "templates", force):
        backup = f"（原文件另存为 {display_path(item.backup)}）" if item.backup else ""
        out.print(f"{labels[item.action]}：{display_path(item.target)}{backup}", soft_wrap=True)
    out.print("注意：HTML 模板和样式表（html/）供所有类型的文档共用；Word 模板 notice.docx 用于通知，plain.docx 用于其他文档",
              soft_wrap=True)
    out.print("修改后用 gongfu check 检查，用 gongfu serve 预览；说明见 docs/模板编辑指南.md")


@templates_app.command("list")
def templates_list(directory: Path = DIR_OPTION):
    """列出各类文档使用的模板：随附的，还是工作目录中修改过的。List bundled and overridden templates."""
    from .template_files import status

    root = _enter(directory)
    labels = {"bundled": "随附模板", "same": "工作目录中的副本（与随附相同）", "edited": "工作目录中的副本（已修改）",
              "unused": "不是模板文件名，只在被其他模板 include 时才用到"}
    for item in status(root / "templates"):
        users = f"（用于 {'、'.join(item.kinds)}）" if item.kinds else ""
        out.print(f"templates/{item.name}{users}：{labels[item.state]}", soft_wrap=True)


@templates_app.command("reference")
def templates_reference(
    to: Optional[Path] = typer.Option(None, "--to", help="写入的文件，默认 build/模板变量参考.html / "
                                                         "output file (default: build/模板变量参考.html)"),
    directory: Path = DIR_OPTION,
):
    """生成模板变量参考页：模板中可用的每个变量、说明和随附示例文档中的取值。
    Write the reference page of every variable a template can use, with examples."""
    from .template_reference import write_reference

    target = to.resolve() if to else None
    root = _enter(directory)
    if target is None:
        from .publish import build_lock

        with build_lock(root / "build"):   # build/ has one writer at a time
            path = write_reference(root / "build" / "模板变量参考.html")
    else:
        path = write_reference(target)
    out.print(f"已生成模板变量参考：{display_path(path)}", soft_wrap=True)


def _split_normalised(warnings) -> tuple[list, list]:
    """(warnings, what GB/T 15834 normalised): the latter are notes, not problems (--strict ignores them)."""
    return ([w for w in warnings if w.category != "normalised"], [w for w in warnings if w.category == "normalised"])


def _print_warnings(warnings) -> None:
    """Each warning on its own line; what it quotes from the data is printed as it is (never as markup)."""
    for warning in capped(list(warnings)):   # a file with many of the same: the first few and a count
        err.print(Text("警告：", style="yellow") + Text(str(warning)), soft_wrap=True)


def _enter(directory: Path) -> Path:
    """Work inside the working folder, so every message names files as the user sees them."""
    if not directory.is_dir():
        raise GongfuError(f"工作目录“{directory}”不存在")
    os.chdir(directory)
    return Path(".")


def _print_error(exc: GongfuError) -> None:
    err.print(Text("错误：", style="red") + Text(visible(str(exc))), soft_wrap=True)


def main() -> None:
    fewer_collections()
    try:
        code = app(standalone_mode=False)   # returns the exit code of typer.Exit in this mode
        if isinstance(code, int) and code:
            sys.exit(code)
    except GongfuError as exc:
        _print_error(exc)
        sys.exit(exc.exit_code)
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 0))
        sys.exit(code or 0)
    except typer.Abort:
        sys.exit(130)
    except OSError as exc:
        # A machine fault that no layer below named (a full disk, a read-only folder): the usual message.
        _print_error(file_error(exc))
        sys.exit(2)
    except MemoryError:
        _print_error(GongfuError("内存不足，无法完成", hint="请关闭其他程序后重新运行；输入文件异常大时请检查其内容"))
        sys.exit(2)
    except Exception as exc:
        # Usage errors of the command line (typer's bundled click): print them without a traceback.
        message = getattr(exc, "format_message", None)
        if message is None or not isinstance(getattr(exc, "exit_code", None), int):
            raise
        err.print(f"用法错误：{message()}", soft_wrap=True)
        sys.exit(2)
