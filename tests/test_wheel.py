"""A wheel built from the repository works outside it: in a new virtualenv, `gongfu init` makes a working
folder from the bundled example and `gongfu build` there gives the same files as the checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from conftest import REPO


def _source_tree(target: Path) -> Path:
    """The files a commit of the working tree would hold (tracked and new ones, not ignored ones)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode("utf-8").split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_wheel_runs_init_and_build_outside_the_repository(tmp_path, built):
    source = _source_tree(tmp_path / "source")
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(source)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("gongfu_reports-*.whl"))

    # A new virtualenv with the wheel; the libraries it needs come from this environment (no network).
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    site = next((env / "lib").glob("python3*/site-packages"))
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([env / "bin" / "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    where = subprocess.run([env / "bin" / "python", "-c", "import gongfu_reports; print(gongfu_reports.__file__)"],
                           cwd=outside, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(site)), where

    result = subprocess.run([env / "bin" / "gongfu", "init", "办公室"], cwd=outside, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    office = outside / "办公室"
    assert (office / "config.yaml").read_bytes() == (REPO / "config.yaml").read_bytes()
    again = subprocess.run([env / "bin" / "gongfu", "init", "办公室"], cwd=outside, capture_output=True, text=True)
    assert again.returncode == 2 and "已有 config.yaml" in again.stderr

    result = subprocess.run([env / "bin" / "gongfu", "build"], cwd=office, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    made = sorted(p.name for p in (office / "build").glob("*.*") if p.suffix in (".docx", ".pdf"))
    expected = sorted(p.name for p in (built / "build").glob("*.*") if p.suffix in (".docx", ".pdf"))
    assert made == expected and len(made) == 16
    for name in made:
        assert (office / "build" / name).read_bytes() == (built / "build" / name).read_bytes(), name
