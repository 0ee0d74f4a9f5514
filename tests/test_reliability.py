"""Crashes, concurrency and untrusted content.

- A build killed with SIGKILL before its moves, between two of them or before its manifest (tests/hooks.py)
  leaves build/ with the previous outputs (or, for a file whose move had already happened, the complete
  new one): every file opens, and the next build makes again what the manifest does not record.
- A collect killed with SIGKILL while it saves (after keeping the version, before the final move) leaves
  the progress file whole and its kept versions whole; the next collect loses nothing.
- Two builds, or a build and a collect, in one working folder: the second fails at once with
  “正在使用” and exit 2; a lock left by a killed process does not block the next run.
- Data text reaches DOCX, PDF and HTML literally: markup is escaped, template syntax is not
  evaluated; control characters are refused with the place named (see tests/bad_inputs).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from conftest import DOC_ID, all_gone, copy_workdir, docx_text, gongfu, normalise, stat

PERIOD = "2024-09"
PROGRESS = Path("data/zhengfu-2024/progress") / f"{PERIOD}.yaml"
RECEIVED = Path("data/zhengfu-2024/received") / PERIOD   # copies of the forms collected


HOOKS = Path(__file__).parent / "hooks.py"


def killed_by_hook(workdir: Path, hook: str, *args: str) -> None:
    """gongfu under a tests/hooks.py hook that SIGKILLs it at one point of its work (an event, not a
    moment on the clock); fails unless it got there."""
    result = subprocess.run([sys.executable, str(HOOKS), hook, *args, "-C", str(workdir)], cwd=workdir,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == -signal.SIGKILL, (hook, result.returncode, result.stdout + result.stderr)


def lock_held(build_dir: Path) -> bool:
    """Whether some process holds the flock on build/.lock (read from /proc/locks: looking does
    not take the lock, so it cannot disturb the processes under test)."""
    try:
        inode = os.stat(build_dir / ".lock").st_ino
    except FileNotFoundError:
        return False
    return any(line.split()[5].endswith(f":{inode}") for line in Path("/proc/locks").read_text().splitlines()
               if len(line.split()) > 5)


def wait_until(condition, timeout: float = 60, step: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(step)


def outputs(workdir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (workdir / "build").glob(f"{DOC_ID}.*")}


def text_of(path: Path) -> str:
    """The text of a DOCX or PDF output, whitespace removed; opening it checks that it is whole."""
    if path.suffix == ".docx":
        text = normalise(docx_text(path))
    else:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(path)
        try:
            assert len(pdf) > 5, len(pdf)
            text = normalise("".join(page.get_textpage().get_text_range() for page in pdf))
        finally:
            pdf.close()
    assert "认真抓好落实" in text, path                 # the notice's body is there
    return text


# --- atomic publishing ---------------------------------------------------------------------------

NEW = "新增一句"


def change_notice(work: Path) -> bytes:
    """Add a sentence to the notice, so that new outputs differ from the previous ones; returns the
    file as it was."""
    notice = work / "data/notice.yaml"
    original = notice.read_bytes()
    notice.write_text(original.decode("utf-8").replace("认真抓好落实。", f"认真抓好落实。{NEW}。"), "utf-8")
    return original


def manifest(work: Path) -> dict:
    return json.loads((work / "build/.manifest.json").read_text("utf-8"))   # whole JSON, or this fails


def test_build_killed_before_between_and_after_its_moves_leaves_whole_outputs(tmp_path):
    """Killed (tests/hooks.py) with every output staged and none moved, then between the move of the
    first output and the next: build/ holds whole files, each the previous one or the new one, and the
    manifest never records as current an output that came from other inputs (publish.py's docstring);
    the next build makes again what is stale."""
    work = copy_workdir(tmp_path / "w")
    assert gongfu(work, "build", DOC_ID).returncode == 0
    previous = outputs(work)
    assert set(previous) == {f"{DOC_ID}.docx", f"{DOC_ID}.pdf"}
    assert all(NEW not in text_of(work / "build" / name) for name in previous)
    recorded = manifest(work)[DOC_ID]
    change_notice(work)

    # Everything rendered into the staging folder, nothing moved: build/ is as it was, byte for byte.
    killed_by_hook(work, "kill-before-moves", "build", DOC_ID)
    assert outputs(work) == previous
    assert manifest(work)[DOC_ID] == recorded           # still true: the outputs are the previous ones
    assert sorted(p.name for p in (work / "build").glob(".staging-*/*")) == sorted(previous)

    # One output moved into build/, the other not yet: each opens whole; the moved one is the new one.
    killed_by_hook(work, "kill-after-first-move", "build", DOC_ID)
    now = outputs(work)
    assert set(now) == set(previous)
    moved = [name for name in now if now[name] != previous[name]]
    assert len(moved) == 1, moved
    for name in now:
        assert (NEW in text_of(work / "build" / name)) == (name in moved), name
    assert DOC_ID not in manifest(work)                 # neither output is recorded as current

    # Leftovers of killed builds: staging folders of dead processes (and an old-style name).
    (work / "build/.staging-999999999-x").mkdir()
    (work / "build/.staging-old").mkdir()
    result = gongfu(work, "build", DOC_ID)             # not blocked by a lock of a killed process
    assert result.returncode == 0, result.stderr
    assert "输入未变化" not in result.stdout, result.stdout
    assert not list((work / "build").glob(".staging-*"))
    repaired = outputs(work)
    assert set(repaired) == set(previous)
    assert all(NEW in text_of(work / "build" / name) for name in repaired)
    assert repaired[moved[0]] == now[moved[0]]          # the file moved before the kill was the whole new one
    assert manifest(work)[DOC_ID]["outputs"] == sorted(previous)
    assert gongfu(work, "build", DOC_ID).stdout.count("输入未变化") == 1   # now recorded as current


def test_rebuild_killed_with_unchanged_inputs_keeps_outputs_byte_identical(tmp_path):
    """`build --force` with unchanged inputs, killed before its moves, between them and before the
    manifest: build/ keeps the same bytes (deterministic outputs, moved whole), and so does the next build."""
    work = copy_workdir(tmp_path / "w")
    assert gongfu(work, "build", DOC_ID).returncode == 0
    previous = outputs(work)
    for hook in ("kill-before-moves", "kill-after-first-move", "kill-before-manifest"):
        killed_by_hook(work, hook, "build", DOC_ID, "--force")
        assert outputs(work) == previous, hook
        result = gongfu(work, "build", DOC_ID)
        assert result.returncode == 0, result.stderr
        assert outputs(work) == previous, hook
        assert manifest(work)[DOC_ID]["outputs"] == sorted(previous), hook


def test_build_killed_between_outputs_and_manifest_never_calls_a_stale_output_unchanged(tmp_path):
    """Killed after moving the new outputs into build/ and before writing the manifest that records
    them; the input is then put back as it was. The next build must make the outputs again from the
    input it reads, not say “输入未变化” over outputs of the discarded input (issue 14)."""
    work = copy_workdir(tmp_path / "w")
    assert gongfu(work, "build", DOC_ID).returncode == 0
    previous = outputs(work)
    notice = work / "data/notice.yaml"
    original = notice.read_bytes()
    notice.write_text(original.decode("utf-8").replace("认真抓好落实。", "认真抓好落实。新增一句。"), "utf-8")
    killed_by_hook(work, "kill-before-manifest", "build", DOC_ID)
    assert "新增一句" in normalise(docx_text(work / "build" / f"{DOC_ID}.docx"))   # the new outputs are in place
    notice.write_bytes(original)                       # the change is undone

    result = gongfu(work, "build", DOC_ID)
    assert result.returncode == 0, result.stderr
    assert "输入未变化" not in result.stdout, result.stdout
    assert outputs(work) == previous                   # made again from the input as it is: the first bytes
    assert gongfu(work, "build", DOC_ID).stdout.count("输入未变化") == 1


# --- collect: atomic write with a backup ------------------------------------------------------------

@pytest.mark.parametrize("engine, args", [("typst", ("--jobs", "2")), ("html", ("--jobs", "1"))])
def test_workers_end_when_the_build_is_killed(tmp_path, engine, args):
    """A build killed outright (kill -9, the OOM killer: no clean-up runs) while its worker processes
    work leaves none of them behind: a worker waits on a queue whose ends it holds itself, and would
    wait for ever with its memory; nor their temporary files (WeasyPrint's worker: the folder its
    fonts are copied to). (The Typst engine's check workers; WeasyPrint's worker.)"""
    work = copy_workdir(tmp_path / "w")
    pid_file, log, temp = tmp_path / "workers", tmp_path / "log", tmp_path / "tmp"
    temp.mkdir()
    with log.open("w", encoding="utf-8") as out:   # not a pipe: a worker left behind would hold it open
        result = subprocess.run([sys.executable, str(HOOKS), "kill-with-workers", str(pid_file), "build", "--force",
                                 "--engine", engine, *args, "-C", str(work)], cwd=work, stdout=out, stderr=out,
                                timeout=600, env={**os.environ, "TMPDIR": str(temp)})
    assert result.returncode == -signal.SIGKILL, log.read_text(encoding="utf-8")
    workers = [int(pid) for pid in pid_file.read_text(encoding="ascii").split()]
    assert workers
    helpers = {pid: fields[19] for pid in workers if (fields := stat(pid)) is not None}   # by start time
    wait_until(lambda: all_gone(helpers))
    assert sorted(p.name for p in temp.rglob("*")) == []


def test_a_killed_check_worker_is_a_clear_error(tmp_path):
    """The kernel's OOM killer ends a check worker in the middle of a build: the build says so in
    Chinese, names an output, exits 2 and leaves build/ as it was (it was a traceback with exit 1)."""
    work = copy_workdir(tmp_path / "w")
    assert gongfu(work, "build", DOC_ID).returncode == 0
    before = {p.name: p.read_bytes() for p in (work / "build").iterdir()}
    result = subprocess.run([sys.executable, str(HOOKS), "kill-check-worker", "build", "--force", "--jobs", "2",
                             "-C", str(work)], cwd=work, capture_output=True, text=True, timeout=600)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert re.search(r"错误：build/[\w-]+\.(pdf|docx)：GB/T 9704 检查进程被系统终止，可能是内存不足，未能完成检查",
                     result.stderr), result.stderr
    assert {p.name: p.read_bytes() for p in (work / "build").iterdir()} == before


def fill(source: Path, target: Path, note: str = "") -> None:
    book = openpyxl.load_workbook(source)
    ws = book["进展填报"]
    header = next(r for r in ws.iter_rows(max_row=10) if any(c.value == "编号" for c in r))
    cols = {c.value: c.column for c in header if c.value}
    for r in range(header[0].row + 1, ws.max_row + 1):
        if ws.cell(r, 1).value:
            ws.cell(r, cols["状态"]).value = "序时推进"
            ws.cell(r, cols["进展情况"]).value = f"{ws.cell(r, 1).value}：已召开推进会。{note}"
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)


@pytest.fixture(scope="module")
def forms_folder(tmp_path_factory) -> Path:
    work = copy_workdir(tmp_path_factory.mktemp("reliability") / "w")
    result = gongfu(work, "forms", "--period", PERIOD)
    assert result.returncode == 0, result.stderr
    return work


def test_collect_killed_while_saving_loses_nothing(forms_folder, tmp_path):
    """Killed (tests/hooks.py) right after the current progress file is kept in versions/, and just
    before the os.replace that puts the new one in place: the progress file is the previous one, whole
    (at these points “old or new” can only be the old one), its kept version is whole, and the next
    collect writes what an uninterrupted run writes, with every form received kept."""
    start = Path(shutil.copytree(forms_folder, tmp_path / "start"))
    forms = sorted((start / "build/forms" / PERIOD).glob("*.xlsx"))
    fill(forms[0], start / "first" / "a.xlsx")
    assert gongfu(start, "collect", "first", "--period", PERIOD).returncode == 0
    old = (start / PROGRESS).read_bytes()
    for i, form in enumerate(forms):
        fill(form, start / "second" / f"{i}.xlsx", note="第二次。")
    # What an uninterrupted run writes.
    reference = Path(shutil.copytree(start, tmp_path / "reference"))
    assert gongfu(reference, "collect", "second", "--period", PERIOD, "--replace").returncode == 0
    new = (reference / PROGRESS).read_bytes()
    assert new != old and "第二次" in new.decode("utf-8")

    def received(work: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in (work / RECEIVED).glob("*.xlsx")}

    assert len(received(reference)) == len(forms) + 1

    for point in ("after-version", "before-replace"):
        work = Path(shutil.copytree(start, tmp_path / point))
        progress = work / PROGRESS
        versions = progress.parent / "versions" / PERIOD   # earlier versions of the period's file
        killed_by_hook(work, "kill-saving", point, str(progress), "collect", "second", "--period", PERIOD,
                       "--replace")
        assert progress.read_bytes() == old, point
        assert [v.read_bytes() for v in sorted(versions.glob("*.yaml"))] == [old], point

        result = gongfu(work, "collect", "second", "--period", PERIOD, "--replace")
        assert result.returncode == 0, result.stderr
        assert progress.read_bytes() == new, point
        assert {v.read_bytes() for v in versions.glob("*.yaml")} == {old}, point   # every kept copy whole
        assert received(work) == received(reference), point
        assert not list(progress.parent.glob(".*.tmp")) and not list(versions.glob(".*.tmp")), point   # leftovers gone


def test_progress_write_interrupted_before_the_final_move(tmp_path, monkeypatch):
    """In-process: the run dies just before os.replace puts the new file in place."""
    from gongfu_reports.progress import store

    path = tmp_path / f"{PERIOD}.yaml"
    path.write_text(f"# 注释\n期间: '{PERIOD}'\n条目:\n- 编号: A\n  状态: 滞后\n", "utf-8")
    old = path.read_bytes()
    progress = store.load_progress(path, PERIOD)
    progress.entries.append({"编号": "B", "状态": "已完成"})
    real = os.replace

    def dies_on_the_last_move(src, dst):
        if Path(dst) == path:
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(store.os, "replace", dies_on_the_last_move)
    with pytest.raises(KeyboardInterrupt):
        store.save_progress(progress)
    assert path.read_bytes() == old
    kept = tmp_path / "versions" / PERIOD / f"{PERIOD}.v001.yaml"
    assert kept.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name, "versions"]   # no temp left
    assert [p.name for p in kept.parent.iterdir()] == [kept.name]
    monkeypatch.setattr(store.os, "replace", real)
    assert store.save_progress(progress) == kept.with_name(f"{PERIOD}.v002.yaml")
    assert [e["编号"] for e in store.load_progress(path, PERIOD).entries] == ["A", "B"]
    assert path.read_text("utf-8").startswith("# 注释\n")


# --- concurrency -------------------------------------------------------------------------------------

def start_holding_lock(workdir: Path, *args: str) -> tuple[subprocess.Popen, Path]:
    """gongfu that, once it holds the working folder's lock, waits (tests/hooks.py) until the file
    returned is created: the test decides when it goes on, not the clock."""
    ready, go = workdir.parent / "ready", workdir.parent / "go"
    ready.unlink(missing_ok=True)
    go.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, str(Path(__file__).parent / "hooks.py"), "hold-lock", str(ready), str(go),
                             *args, "-C", str(workdir)], cwd=workdir, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    wait_until(lambda: ready.exists() or proc.poll() is not None, timeout=300)
    assert proc.poll() is None, proc.communicate()
    assert lock_held(workdir / "build")
    return proc, go


def test_second_build_collect_forms_or_import_fails_fast_while_a_build_runs(forms_folder, tmp_path):
    work = Path(shutil.copytree(forms_folder, tmp_path / "w"))
    fill(next((work / "build/forms" / PERIOD).glob("*.xlsx")), work / "in" / "a.xlsx")
    config = (work / "config.yaml").read_bytes()
    first, go = start_holding_lock(work, "build", DOC_ID, "--force")
    try:
        for args in (("build", DOC_ID, "--force"), ("collect", "in", "--period", PERIOD),
                     ("forms", "--period", PERIOD), ("import", "data/tasks.xlsx", "--as", "qingdan")):
            # Fails at once: were it to wait for the lock, it would wait for ever (the first one waits for go).
            second = subprocess.run([sys.executable, "-m", "gongfu_reports", *args, "-C", str(work)], cwd=work,
                                    capture_output=True, text=True, timeout=300)
            assert second.returncode == 2, second.stdout + second.stderr
            assert "正在使用" in second.stderr and "Traceback" not in second.stderr
        assert not (work / PROGRESS).exists()           # the refused collect wrote nothing
        assert (work / "config.yaml").read_bytes() == config and not (work / "data/qingdan.xlsx").exists()
    finally:
        go.touch()
        _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert gongfu(work, "collect", "in", "--period", PERIOD).returncode == 0


def test_build_fails_fast_while_a_collect_runs(forms_folder, tmp_path):
    work = Path(shutil.copytree(forms_folder, tmp_path / "w"))
    for i, form in enumerate(sorted((work / "build/forms" / PERIOD).glob("*.xlsx"))):
        fill(form, work / "in" / f"{i}.xlsx")
    before = {p.name: p.read_bytes() for p in (work / "build").glob("*") if p.is_file() and p.name != ".lock"}
    collecting, go = start_holding_lock(work, "collect", "in", "--period", PERIOD)
    try:
        second = subprocess.run([sys.executable, "-m", "gongfu_reports", "build", DOC_ID, "--format", "docx",
                                 "-C", str(work)], cwd=work, capture_output=True, text=True, timeout=300)
        assert second.returncode == 2 and "正在使用" in second.stderr, second.stderr
    finally:
        go.touch()
        _, err = collecting.communicate(timeout=300)
    assert collecting.returncode == 0, err
    assert {p.name: p.read_bytes() for p in (work / "build").glob("*")
            if p.is_file() and p.name != ".lock"} == before
    assert (work / PROGRESS).exists()


def test_two_imports_at_once_never_lose_an_entry(tmp_path):
    """A first import held inside its lock (tests/hooks.py): a second one run meanwhile fails at once
    with “正在使用” and leaves config.yaml as it was; the first then adds its entry, and the second, run
    again, adds its own next to it: never both exit 0 with one entry lost (the issue 14 report)."""
    from gongfu_reports.files.yamlfile import load_yaml

    work = copy_workdir(tmp_path / "w")
    first, go = start_holding_lock(work, "import", "data/tasks.xlsx", "--as", "qingdan-a")
    try:
        config = (work / "config.yaml").read_bytes()
        second = gongfu(work, "import", "data/tasks.xlsx", "--as", "qingdan-b")
        assert second.returncode == 2 and "正在使用" in second.stderr, second.stderr
        assert (work / "config.yaml").read_bytes() == config and not (work / "data/qingdan-b.xlsx").exists()
    finally:
        go.touch()
        _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert "qingdan-a" in load_yaml(work / "config.yaml")["documents"]
    again = gongfu(work, "import", "data/tasks.xlsx", "--as", "qingdan-b")
    assert again.returncode == 0, again.stderr
    documents = load_yaml(work / "config.yaml")["documents"]
    assert "qingdan-a" in documents and "qingdan-b" in documents
    assert not list(work.glob(".config.yaml*")) and not list((work / "data").glob(".*.tmp"))


# --- untrusted content -----------------------------------------------------------------------------

PAYLOAD = '<script>alert("x")</script> & ]]> </w:t><w:t>注入 {{ 7*7 }} {% raw %} {#注释#} ${HOME} 完'
MARK = "{{ 7*7 }}&<b>舟山领导小组办公室文件"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """The example with hostile text in the notice body, the issuer mark, a work-plan measure and
    a task-list cell; built to DOCX and PDF."""
    work = copy_workdir(tmp_path_factory.mktemp("hostile") / "w")
    quoted = json.dumps(PAYLOAD, ensure_ascii=False)        # a JSON string is a YAML double-quoted one
    notice = work / "data/notice.yaml"
    lines = notice.read_text("utf-8").replace("正文:\n", f"正文:\n  - {quoted}\n", 1).splitlines()
    lines = [f"发文机关标志: {json.dumps(MARK, ensure_ascii=False)}" if l.startswith("发文机关标志:") else l
             for l in lines]
    notice.write_text("\n".join(lines) + "\n", "utf-8")
    plan = work / "data/workplan.yaml"
    plan.write_text(plan.read_text("utf-8").replace("              - 内容: 优化提升营商环境",
                                                    f"              - 内容: {quoted}\n                单位: 市发改委\n"
                                                    "              - 内容: 优化提升营商环境", 1), "utf-8")
    book = openpyxl.load_workbook(work / "data/tasks.xlsx")
    book.worksheets[0].cell(2, 5).value = PAYLOAD
    book.save(work / "data/tasks.xlsx")
    result = gongfu(work, "build", DOC_ID)
    assert result.returncode == 0, result.stderr
    return work


def test_hostile_text_is_literal_in_docx(hostile):
    import zipfile

    path = hostile / "build" / f"{DOC_ID}.docx"
    text = normalise(docx_text(path))
    assert text.count(normalise(PAYLOAD)) >= 3        # body, measure, task-list cell
    assert normalise(MARK) in text                     # the issuer mark (docxtpl context): not evaluated
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert "<script>" not in xml and "&lt;script&gt;" in xml
    assert "</w:t><w:t>注入" not in xml and "&lt;/w:t&gt;&lt;w:t&gt;注入" in xml   # no XML from the data
    assert "<b>" not in xml
    from docx import Document

    Document(path)                                     # still a valid document


def test_hostile_text_is_literal_in_pdf(hostile):
    from pypdf import PdfReader

    reader = PdfReader(hostile / "build" / f"{DOC_ID}.pdf")
    text = normalise("".join(page.extract_text() for page in reader.pages))
    for piece in ('<script>alert("x")</script>', "&]]>", "</w:t><w:t>注入", "{{7*7}}", "{%raw%}", "{#注释#}",
                  "${HOME}", normalise(MARK)):
        assert piece in text, piece


def test_hostile_text_is_escaped_in_html(hostile, monkeypatch):
    from gongfu_reports import kinds
    from gongfu_reports.render.html import render_html

    monkeypatch.chdir(hostile)
    config = kinds.load_config(Path("."))
    html = render_html(kinds.compose(config, DOC_ID).view, config)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html
    assert "]]&gt;" in html and "<b>" not in html


def test_formula_looking_task_text_stays_text_in_forms(forms_folder, tmp_path):
    """gongfu forms is the one workbook written from data: nothing there may become a formula."""
    work = Path(shutil.copytree(forms_folder, tmp_path / "w"))
    tasks = work / "data/zhengfu-2024/key-tasks.yaml"
    text = tasks.read_text("utf-8")
    for old, new in (("任务内容: 一般公共预算收入与经济增长基本同步。", "任务内容: \"+cmd|' /C calc'!A0\""),
                     ("任务内容: 强化政府债务风险动态评估和监测预警。", "任务内容: '@SUM(1,2)'"),
                     ("任务内容: 实施国资国企改革深化提升行动。", "任务内容: '=1+1'")):
        assert old in text
        text = text.replace(old, new, 1)
    tasks.write_text(text, "utf-8")
    assert gongfu(work, "forms", "--period", PERIOD).returncode == 0
    book = openpyxl.load_workbook(work / "build/forms" / PERIOD / "市财政局.xlsx")
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    values = [c.value for c in book["进展填报"]["B"]]
    assert "+cmd|' /C calc'!A0" in values and "@SUM(1,2)" in values and "=1+1" in values
