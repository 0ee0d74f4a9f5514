"""The corpus of bad inputs (tests/bad_inputs/<case>/): every case is rejected with a Chinese
message that names the file and the place, exit code 2, and nothing changes in the working
folder: build/ keeps its previous outputs byte for byte, data/ is not touched. A returned workbook
that collect rejects is a rejected form (exit 1), kept as received in data/<plan>/received/ and
nothing else.

A case folder holds case.yaml (命令: the gongfu command; 期望: substrings of the message) and the
bad file(s) at their place in a working folder. Binary files and small changes to the bundled
data are written by tests/bad_inputs/make_cases.py when the case runs (see its docstring).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
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


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under the working folder; the lock file aside."""
    out = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if relative == "build/.lock":
            continue
        out[relative] = None if path.is_dir() else path.read_bytes()
    return out


def apply_case(name: str, base: Path, work: Path) -> list[str]:
    """Copy the case's files (committed and generated) into the working folder."""
    staged = work.parent / f"case-{name}"
    shutil.copytree(CORPUS / name, staged, ignore=shutil.ignore_patterns("case.yaml"))
    if name in make_cases.CASES:
        make_cases.CASES[name](base, staged)
    files = [p.relative_to(staged) for p in staged.rglob("*") if p.is_file()]
    assert files, f"case {name} has no bad file"
    for relative in files:
        (work / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(staged / relative, work / relative)
    return [f.as_posix() for f in files]


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_rejected_with_its_place(bad_base, tmp_path, name):
    case = load_case(name)
    work = Path(shutil.copytree(bad_base, tmp_path / "w", symlinks=True))
    apply_case(name, bad_base, work)
    before = snapshot(work)

    result = gongfu(work, *map(str, case["命令"]))

    collect = case["命令"][0] == "collect"
    assert result.returncode == (1 if collect else 2), result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.lstrip().startswith("错误："), result.stderr
    for text in case["期望"]:
        assert expected(text).search(result.stderr), f"{text!r} not in:\n{result.stderr}"
    after = snapshot(work)
    if collect:   # every workbook received is kept as it came, with a log of the run; nothing else changes
        kept = {k for k in set(after) - set(before) if (k + "/").startswith(RECEIVED)}
        assert f"{RECEIVED}{PERIOD}/收集记录.yaml" in kept
        for key in kept - {RECEIVED.rstrip("/"), f"{RECEIVED}{PERIOD}", f"{RECEIVED}{PERIOD}/收集记录.yaml"}:
            assert after[key] == before[key.replace(f"{RECEIVED}{PERIOD}", "returned")], key
        after = {k: v for k, v in after.items() if k not in kept}
    assert after.keys() == before.keys(), set(after) ^ set(before)
    changed = [k for k in before if before[k] != after[k]]
    assert not changed, changed


# Cases whose fault is the whole file: the file name is the place.
WHOLE_FILE = re.compile(r"打开密码|解压后过大|文件过大|无法作为 Excel|不是 UTF-8|找不到工作表|文件不存在|工作表过大|"
                        r"工作表是空的|不认识的列|缺少列|不是由 gongfu forms|填报表，本次收集|填报单位|列表是空的|"
                        r"既不是固定列")
PLACE = re.compile(r"第(\d+|N)行|工作表“|”列")


def test_corpus_is_complete_and_every_case_names_file_and_place():
    assert len(CASES) >= 40
    assert set(make_cases.CASES) <= set(CASES), set(make_cases.CASES) - set(CASES)
    for name in CASES:
        case = load_case(name)
        assert case["命令"][0] in ("build", "collect") and case["期望"], name
        expected = " ".join(case["期望"])
        assert re.search(r"[\w-]+\.(yaml|xlsx|md)", expected), f"{name}: no file named"
        assert PLACE.search(expected) or WHOLE_FILE.search(expected), f"{name}: no place named"
        committed = [p for p in (CORPUS / name).rglob("*") if p.is_file() and p.name != "case.yaml"]
        assert committed or name in make_cases.CASES, f"{name}: no bad file"
