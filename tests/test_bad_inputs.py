"""The corpus of bad inputs (tests/bad_inputs/<case>/): every case is rejected with a Chinese
message that names the file and the place, exit code 2, and nothing changes in the working
folder: build/ keeps its previous outputs byte for byte, data/ and config.yaml are not touched,
and nothing is written next to the working folder. A returned workbook that collect rejects is a
rejected form (exit 1), kept as received in data/<plan>/received/ and nothing else.

A case folder holds case.yaml (命令: the gongfu command; 期望: substrings of the message) and the
bad file(s) at their place in a working folder. Binary files and small changes to the bundled
data are written by tests/bad_inputs/make_cases.py when the case runs (see its docstring).
Optional keys: 故障 (a fault of the machine set up around the command: see run_case), 最多行数
(the message is at most that many lines), 不应出现 (substrings the message must not contain).
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import DOC_ID, copy_workdir, gongfu

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yaml").is_file())
PERIOD = "2024-09"
RECEIVED = "data/zhengfu-2024/received/"

_spec = importlib.util.spec_from_file_location("make_cases", CORPUS / "make_cases.py")
make_cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_cases)


def load_case(name: str) -> dict:
    return yaml.safe_load((CORPUS / name / "case.yaml").read_text("utf-8"))


@pytest.fixture(scope="session")
def bad_base(tmp_path_factory) -> Path:
    """The bundled working folder with previous outputs in build/: one document (DOCX) and the
    progress forms of PERIOD, which the collect cases fill in."""
    work = copy_workdir(tmp_path_factory.mktemp("bad-inputs") / "w")
    for args in (("build", DOC_ID, "--format", "docx"), ("forms", "--period", PERIOD)):
        result = gongfu(work, *args)
        assert result.returncode == 0, result.stderr
    assert not (work / "data/zhengfu-2024/progress" / f"{PERIOD}.yaml").exists()
    return work


def expected(text: str) -> re.Pattern:
    """A substring of the message; "第N行" stands for any line number (for the cases generated
    from the bundled files, whose lines move when those files are edited)."""
    return re.compile(re.escape(text).replace("第N行", r"第\d+行"))


def snapshot(folder: Path) -> dict[str, bytes | str | None]:
    """Every file (bytes), folder (None) and symbolic link ("→ target") under the working folder;
    the lock file aside."""
    out = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if relative == "build/.lock":
            continue
        if path.is_symlink():
            out[relative] = f"→ {os.readlink(path)}"
        else:
            out[relative] = None if path.is_dir() else path.read_bytes()
    return out


def apply_case(name: str, base: Path, work: Path) -> list[str]:
    """Copy the case's files (committed and generated) into the working folder."""
    staged = work.parent / f"case-{name}"
    shutil.copytree(CORPUS / name, staged, ignore=shutil.ignore_patterns("case.yaml"))
    if name in make_cases.CASES:
        make_cases.CASES[name](base, staged)
    files = [p.relative_to(staged) for p in staged.rglob("*") if p.is_file()]
    for relative in files:
        (work / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(staged / relative, work / relative)
    return [f.as_posix() for f in files]


FAULTS = Path(__file__).parent / "bad_inputs" / "faults.py"


def run_case(work: Path, args: list[str], fault: dict | None) -> subprocess.CompletedProcess:
    """The command, with the machine fault of 故障 around it:
    - EROFS / ENOSPC at 位置 (build or data): a read-only or full disk (bad_inputs/faults.py);
    - 文件大小限制: the process may write files of 20 kB at most (setrlimit, as `ulimit -f 20`);
    - build链接失效: build is a symbolic link to a folder that does not exist (set up by prepare_fault);
    - 锁被占用: another process holds the working folder's lock (this test holds it)."""
    kind = (fault or {}).get("种类")
    if kind in ("EROFS", "ENOSPC"):
        command = [sys.executable, str(FAULTS), kind, str(work / fault["位置"]), *args, "-C", str(work)]
        return subprocess.run(command, capture_output=True, text=True, cwd=work)
    if kind == "文件大小限制":
        def limit():
            resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
        return subprocess.run([sys.executable, "-m", "gongfu_reports", *args, "-C", str(work)], capture_output=True,
                              text=True, cwd=work, preexec_fn=limit)
    with held_lock(work / "build") if kind == "锁被占用" else contextlib.nullcontext():
        return gongfu(work, *args)


@contextlib.contextmanager
def held_lock(build_dir: Path):
    with open(build_dir / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepare_fault(work: Path, fault: dict | None) -> None:
    if (fault or {}).get("种类") == "build链接失效":
        shutil.rmtree(work / "build")
        (work / "build").symlink_to(work.parent / "gone" / "build")


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_rejected_with_its_place(bad_base, tmp_path, name):
    case = load_case(name)
    work = Path(shutil.copytree(bad_base, tmp_path / "w", symlinks=True))
    apply_case(name, bad_base, work)
    prepare_fault(work, case.get("故障"))
    before = snapshot(work)
    beside = sorted(p.name for p in tmp_path.iterdir())

    result = run_case(work, list(map(str, case["命令"])), case.get("故障"))

    # collect: a rejected form is exit 1 (and kept as received); a run that cannot go on is exit 2.
    collect = case["命令"][0] == "collect" and case.get("退出码", 1) == 1
    assert result.returncode == (1 if collect else 2), result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.lstrip().startswith("错误："), result.stderr
    for text in case["期望"]:
        assert expected(text).search(result.stderr), f"{text!r} not in:\n{result.stderr}"
    for text in case.get("不应出现", []):
        assert text not in result.stderr, result.stderr
    if "最多行数" in case:
        assert len(result.stderr.strip().splitlines()) <= case["最多行数"], result.stderr
    after = snapshot(work)
    if collect:   # every workbook received is kept as it came, with a log of the run; nothing else changes
        kept = {k for k in set(after) - set(before) if (k + "/").startswith(RECEIVED)}
        assert f"{RECEIVED}{PERIOD}/收集记录.yaml" in kept
        copies = kept - {RECEIVED.rstrip("/"), f"{RECEIVED}{PERIOD}", f"{RECEIVED}{PERIOD}/收集记录.yaml"}
        for key in copies:
            assert after[key] == before[key.replace(f"{RECEIVED}{PERIOD}", "returned")], key
        # A file over the size limit is not copied (it stays in returned/ as it came, and the log says so).
        received = {k for k in before if k.startswith("returned/") and before[k] is not None}
        assert {k.replace(f"{RECEIVED}{PERIOD}", "returned") for k in copies} == \
            (set() if case.get("不保存副本") else received), (copies, received)
        after = {k: v for k, v in after.items() if k not in kept}
    assert after.keys() == before.keys(), set(after) ^ set(before)
    changed = [k for k in before if before[k] != after[k]]
    assert not changed, changed
    assert sorted(p.name for p in tmp_path.iterdir()) == beside      # nothing written next to the folder


# Cases whose fault is the whole file: the file name is the place.
WHOLE_FILE = re.compile(r"打开密码|解压后过大|文件过大|无法作为 Excel|无法作为 Word|不是 UTF-8|找不到工作表|文件不存在|"
                        r"工作表过大|工作表是空的|不认识的列|缺少列|不是由 gongfu forms|填报表，本次收集|填报单位|列表是空的|"
                        r"既不是固定列|隐藏的|另有 \d+ 处同类问题|磁盘|文件超过|符号链接|正在使用")
PLACE = re.compile(r"第(\d+|N)行|工作表“|”列|^--(period|as|attachment)：")
ON_THE_COMMAND_LINE = re.compile(r"^--(period|as|attachment)：")


def test_corpus_is_complete_and_every_case_names_file_and_place():
    assert len(CASES) >= 100
    assert set(make_cases.CASES) <= set(CASES), set(make_cases.CASES) - set(CASES)
    for name in CASES:
        case = load_case(name)
        assert case["命令"][0] in ("build", "collect", "forms", "import") and case["期望"], name
        expected = " ".join(case["期望"])
        command_line = any(ON_THE_COMMAND_LINE.match(e) for e in case["期望"])
        assert command_line or re.search(r"[\w-]*\.(yaml|xlsx|md|docx|lock)|build：", expected), f"{name}: no file named"
        assert any(PLACE.search(e) for e in case["期望"]) or WHOLE_FILE.search(expected), f"{name}: no place named"
        committed = [p for p in (CORPUS / name).rglob("*") if p.is_file() and p.name != "case.yaml"]
        assert committed or name in make_cases.CASES or command_line or "故障" in case, f"{name}: no bad input"
