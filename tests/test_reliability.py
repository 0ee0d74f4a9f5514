"""Crashes, concurrency and untrusted content.

- A build killed with SIGKILL at any moment leaves build/ with the previous outputs (or, for a
  file whose move had already happened, the complete new one): every file opens.
- A collect killed with SIGKILL leaves the progress file whole (old or new) and its kept versions whole.
- Two builds, or a build and a collect, in one working folder: the second fails at once with
  “正在使用” and exit 2; a lock left by a killed process does not block the next run.
- Data text reaches DOCX, PDF and HTML literally: markup is escaped, template syntax is not
  evaluated; control characters are refused with the place named (see tests/bad_inputs).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import DOC_ID, copy_workdir, docx_text, gongfu, normalise

PERIOD = "2024-09"
PROGRESS = Path("data/zhengfu-2024/progress") / f"{PERIOD}.yaml"


def start(workdir: Path, *args: str) -> subprocess.Popen:
    """gongfu in its own process group, so that SIGKILL reaches it and its workers."""
    return subprocess.Popen([sys.executable, "-m", "gongfu_reports", *args, "-C", str(workdir)], cwd=workdir,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()


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


def readable(path: Path) -> None:
    if path.suffix == ".docx":
        from docx import Document

        assert Document(path).paragraphs
    else:
        from pypdf import PdfReader

        reader = PdfReader(path)
        assert len(reader.pages) > 5 and reader.pages[0].extract_text()


# --- atomic publishing ---------------------------------------------------------------------------

def test_build_killed_at_any_moment_leaves_previous_outputs(tmp_path):
    work = copy_workdir(tmp_path / "w")
    assert gongfu(work, "build", DOC_ID).returncode == 0
    previous = outputs(work)
    assert set(previous) == {f"{DOC_ID}.docx", f"{DOC_ID}.pdf"}
    # Change the input, so that the new outputs differ from the previous ones.
    notice = work / "data/notice.yaml"
    notice.write_text(notice.read_text("utf-8").replace("认真抓好落实。", "认真抓好落实。新增一句。"), "utf-8")

    def staged_file():
        return any(p.is_file() and p.stat().st_size for p in (work / "build").glob(".staging-*/*"))

    moments = [0.2, 1.0, 2.0, 3.5, staged_file]
    for moment in moments:
        proc = start(work, "build", DOC_ID, "--force")
        if callable(moment):
            wait_until(lambda moment=moment, proc=proc: moment() or proc.poll() is not None)
        else:
            time.sleep(moment)
        kill(proc)
        now = outputs(work)
        assert set(now) == set(previous), moment
        for name, data in now.items():
            readable(work / "build" / name)            # never a half-written file
            if data != previous[name] and name.endswith(".docx"):
                # Already moved into place (os.replace, whole): then it is the complete new one.
                assert "新增一句" in normalise(docx_text(work / "build" / name))
        manifest = json.loads((work / "build/.manifest.json").read_text("utf-8"))
        assert DOC_ID in manifest                      # the manifest is whole JSON too

    # Leftovers of killed builds: staging folders of dead processes (and an old-style name).
    (work / "build/.staging-999999999-x").mkdir()
    (work / "build/.staging-old").mkdir()
    result = gongfu(work, "build", DOC_ID)             # not blocked by a lock of a killed process
    assert result.returncode == 0, result.stderr
    assert not list((work / "build").glob(".staging-*"))
    assert "新增一句" in normalise(docx_text(work / "build" / f"{DOC_ID}.docx"))
    for name in previous:
        readable(work / "build" / name)


def test_rebuild_killed_with_unchanged_inputs_keeps_outputs_byte_identical(tmp_path):
    work = copy_workdir(tmp_path / "w")
    assert gongfu(work, "build", DOC_ID).returncode == 0
    previous = outputs(work)
    for moment in (0.5, 1.5, 3.0):
        proc = start(work, "build", DOC_ID, "--force")
        time.sleep(moment)
        kill(proc)
        assert outputs(work) == previous     # deterministic outputs, moved whole: same bytes
    assert gongfu(work, "build", DOC_ID).returncode == 0
    assert outputs(work) == previous


# --- collect: atomic write with a backup ------------------------------------------------------------

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


def test_collect_killed_at_any_moment_loses_nothing(forms_folder, tmp_path):
    work = Path(shutil.copytree(forms_folder, tmp_path / "w"))
    forms = sorted((work / "build/forms" / PERIOD).glob("*.xlsx"))
    fill(forms[0], work / "first" / "a.xlsx")
    assert gongfu(work, "collect", "first", "--period", PERIOD).returncode == 0
    old = (work / PROGRESS).read_bytes()
    for i, form in enumerate(forms):
        fill(form, work / "second" / f"{i}.xlsx", note="第二次。")
    # What an uninterrupted run writes, and how long it takes.
    reference = Path(shutil.copytree(work, tmp_path / "reference"))
    began = time.monotonic()
    assert gongfu(reference, "collect", "second", "--period", PERIOD, "--replace").returncode == 0
    duration = time.monotonic() - began
    new = (reference / PROGRESS).read_bytes()
    assert new != old
    versions = work / PROGRESS.parent / "versions" / PERIOD   # earlier versions of the period's file

    seen = set()
    for fraction in (0.2, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0, 1.1):
        proc = start(work, "collect", "second", "--period", PERIOD, "--replace")
        time.sleep(duration * fraction)
        kill(proc)
        now = (work / PROGRESS).read_bytes()
        assert now in (old, new), fraction
        yaml.safe_load(now)
        assert all(v.read_bytes() == old for v in versions.glob("*.yaml"))
        seen.add(now == new)
        (work / PROGRESS).write_bytes(old)          # back to the state before, for the next moment
        shutil.rmtree(versions, ignore_errors=True)
    assert False in seen                            # some runs were killed before their write
    result = gongfu(work, "collect", "second", "--period", PERIOD, "--replace")
    assert result.returncode == 0, result.stderr
    assert (work / PROGRESS).read_bytes() == new
    assert [v.read_bytes() for v in sorted(versions.glob("*.yaml"))] == [old]
    assert not list((work / PROGRESS).parent.glob(".*.tmp"))   # leftovers of killed runs are gone


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

def test_second_build_or_collect_fails_fast_while_a_build_runs(forms_folder, tmp_path):
    work = Path(shutil.copytree(forms_folder, tmp_path / "w"))
    fill(next((work / "build/forms" / PERIOD).glob("*.xlsx")), work / "in" / "a.xlsx")
    first = start(work, "build", DOC_ID, "--force")
    try:
        wait_until(lambda: lock_held(work / "build") or first.poll() is not None)
        assert first.poll() is None, first.communicate()
        for args in (("build", DOC_ID, "--force"), ("collect", "in", "--period", PERIOD),
                     ("forms", "--period", PERIOD)):
            began = time.monotonic()
            second = gongfu(work, *args)
            assert second.returncode == 2, second.stdout + second.stderr
            assert "正在使用" in second.stderr and "Traceback" not in second.stderr
            assert time.monotonic() - began < 10      # at once, not after waiting for the first
        assert not (work / PROGRESS).exists()           # the refused collect wrote nothing
    finally:
        _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert gongfu(work, "collect", "in", "--period", PERIOD).returncode == 0


def test_build_fails_fast_while_a_collect_runs(forms_folder, tmp_path):
    work = Path(shutil.copytree(forms_folder, tmp_path / "w"))
    for i, form in enumerate(sorted((work / "build/forms" / PERIOD).glob("*.xlsx"))):
        fill(form, work / "in" / f"{i}.xlsx")
    before = {p.name: p.read_bytes() for p in (work / "build").glob("*") if p.is_file() and p.name != ".lock"}
    collecting = start(work, "collect", "in", "--period", PERIOD)
    try:
        wait_until(lambda: lock_held(work / "build") or collecting.poll() is not None, step=0.005)
        # Frozen while it holds the lock: the build below meets a running collect however fast either is.
        os.kill(collecting.pid, signal.SIGSTOP)
        assert collecting.poll() is None and lock_held(work / "build"), "collect finished before the test could look"
        second = gongfu(work, "build", DOC_ID, "--format", "docx")
        assert second.returncode == 2 and "正在使用" in second.stderr, second.stderr
    finally:
        os.kill(collecting.pid, signal.SIGCONT)
        _, err = collecting.communicate(timeout=300)
    assert collecting.returncode == 0, err
    assert {p.name: p.read_bytes() for p in (work / "build").glob("*")
            if p.is_file() and p.name != ".lock"} == before
    assert (work / PROGRESS).exists()


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
