"""DOCX writing speed: render_docx over the composed views of real builds, for the code of a base
commit and for the current tree, side by side in one run.

    .venv/bin/python bench/docx_speed.py                  # example, per-unit extracts, scaled workload
    .venv/bin/python bench/docx_speed.py --no-scaled      # without the scaled workload (faster)
    .venv/bin/python bench/docx_speed.py --base e4981bf   # the commit to compare with (default)

Both codes are snapshots in a temporary folder (the base one from `git archive`, the current one
copied, so edits made meanwhile do not disturb the runs). For each workload and each code, one
subprocess runs the real `gongfu build --format docx --jobs 1 --force` on a copy of the working
folder with render_docx wrapped: the wrapper keeps (pickles) every (view, config, …) the
build asks for. Then each timed pass is a fresh subprocess of that code that calls render_docx
over the kept views once, in build order, as a build process does: whatever the code caches per
process (parsed templates) is built within the pass. The passes of the two codes alternate; a
pass's wall time gives docs/s, the median pass is reported. Each pass's outputs are hashed: the
passes of one code must give the same bytes, and the table says how many documents are byte for
byte those of the base code, and which parts (zip entries) differ where they do not.

Workloads: the bundled example (`gongfu build`), its per-unit extracts (`gongfu build
zhengfu-zeren-2024 --per-unit`) and the scaled workload of bench/workload.py (`--per-unit`: 3
documents and 60 extracts). Writes a markdown table to stdout and to bench/docx_speed.md.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import hashlib
import io
import json
import os
import pickle
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

WORKLOADS = [
    ("example", "bundled example: `gongfu build`", []),
    ("example", "per-unit extracts: `gongfu build zhengfu-zeren-2024 --per-unit`", ["zhengfu-zeren-2024", "--per-unit"]),
    ("scaled", "scaled workload (1000 tasks, 60 units): `gongfu build --per-unit`", ["--per-unit"]),
]


def keep_views(code: str, workdir: str, views: str, build_args: list[str]) -> None:
    """In a subprocess: the build, with render_docx wrapped to keep what it is asked to render."""
    import runpy

    docx_module = _import_docx(code)
    render = docx_module.render_docx
    kept = []

    def keep(view, config, *rest):   # the base code also takes the 发文机关标志 size
        kept.append((view, config, rest))
        return render(view, config, *rest)

    docx_module.render_docx = keep   # before the build imports the name
    sys.argv = ["gongfu", "build", *build_args, "--format", "docx", "--jobs", "1", "--force", "-C", workdir]
    try:
        runpy.run_module("gongfu_reports", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        if exc.code:
            raise
    Path(views).write_bytes(pickle.dumps(kept))


def time_pass(code: str, views: str, report: str) -> None:
    """In a fresh subprocess (nothing cached yet, as in a build): render_docx over the kept views
    once, in build order."""
    docx_module = _import_docx(code)
    import docxtpl  # noqa: F401  (imported by both codes' first render: not part of the pass)

    kept = pickle.loads(Path(views).read_bytes())
    outputs = []
    wall, cpu = time.perf_counter(), time.process_time()
    for view, config, rest in kept:
        outputs.append(docx_module.render_docx(view, config, *rest))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    Path(report).write_text(json.dumps({"docs": len(kept), "wall": wall, "cpu": cpu,
                                        "digests": [digests(b) for b in outputs]}))


def digests(docx: bytes) -> dict:
    """SHA-256 of the whole file ("") and of each part."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        parts = {name: hashlib.sha256(z.read(name)).hexdigest() for name in z.namelist()}
    return {"": hashlib.sha256(docx).hexdigest(), **parts}


def _import_docx(code: str):
    sys.path.insert(0, code)
    import gongfu_reports.render.docx as docx_module

    if not Path(docx_module.__file__).resolve().is_relative_to(Path(code).resolve()):
        raise SystemExit(f"imported {docx_module.__file__}, not the code under {code}")
    return docx_module


def snapshot_base(commit: str, target: Path) -> Path:
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "gongfu_reports", "templates"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(target / "gongfu_reports")], check=True)
    return target


def run(*args: str, cwd: Path) -> None:
    env = dict(os.environ, PYTHONHASHSEED="0")
    subprocess.run([sys.executable, __file__, *args], check=True, env=env, cwd=cwd, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="e4981bf", help="the commit to compare with (default e4981bf)")
    parser.add_argument("--passes", type=int, default=3, help="timed passes per code and workload (default 3)")
    parser.add_argument("--no-scaled", action="store_true", help="skip the scaled workload")
    parser.add_argument("--out", default=str(REPO / "bench" / "docx_speed.md"))
    args = parser.parse_args()
    from workload import copy_workdir, snapshot_code
    from workload import write_scaled

    base_rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", args.base], check=True,
                              capture_output=True, text=True).stdout.strip()
    head = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"], check=True,
                          capture_output=True, text=True).stdout.strip()
    tmp = Path(tempfile.mkdtemp(prefix="gongfu-docx-bench-"))
    started = dt.datetime.now()
    load = os.getloadavg()[0]
    rows = []
    try:
        codes = {"base": snapshot_base(args.base, tmp / "base"), "current": snapshot_code(REPO, tmp / "current")}
        workdirs = {}
        for name, label, build_args in WORKLOADS:
            if name == "scaled" and args.no_scaled:
                continue
            if name not in workdirs:
                # One working folder per workload, its templates those of the current tree (both
                # codes read the same templates).
                workdirs[name] = copy_workdir(tmp / name / "work", REPO)
                if name == "scaled":
                    write_scaled(workdirs[name])
            results = {which: {"walls": [], "cpus": []} for which in codes}
            for which, code in codes.items():
                print(f"{label} — {which}: build …", file=sys.stderr, flush=True)
                run("--keep", str(code), str(workdirs[name]), str(tmp / f"{which}.pickle"), *build_args,
                    cwd=workdirs[name])
            for i in range(args.passes):   # alternating, so that a change of load hits both
                for which, code in codes.items():
                    print(f"{label} — {which}: pass {i + 1}", file=sys.stderr, flush=True)
                    report = tmp / f"{which}-{i}.json"
                    run("--time", str(code), str(tmp / f"{which}.pickle"), str(report), cwd=workdirs[name])
                    r = json.loads(report.read_text())
                    if results[which].setdefault("digests", r["digests"]) != r["digests"]:
                        raise SystemExit(f"{label}: two passes of the {which} code gave different bytes")
                    results[which]["docs"] = r["docs"]
                    results[which]["walls"].append(r["wall"])
                    results[which]["cpus"].append(r["cpu"])
            base, cur = results["base"], results["current"]
            if base["docs"] != cur["docs"]:
                raise SystemExit(f"{label}: {base['docs']} documents with the base code, {cur['docs']} now")
            rate = {k: r["docs"] / statistics.median(r["walls"]) for k, r in results.items()}
            cpu_rate = {k: r["docs"] / statistics.median(r["cpus"]) for k, r in results.items()}
            same = sum(a[""] == b[""] for a, b in zip(base["digests"], cur["digests"]))
            differ = collections.Counter(name for a, b in zip(base["digests"], cur["digests"])
                                         for name in sorted(set(a) | set(b)) if name and a.get(name) != b.get(name))
            rows.append((label, cur["docs"], rate, cpu_rate, same, differ))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    lines = [
        "# DOCX writing speed: render_docx, base commit against the current tree",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} on {os.cpu_count()} CPU, load average {load:.2f} at the start and "
        f"{os.getloadavg()[0]:.2f} at the end, Python {platform.python_version()}; base `{base_rev}`, current "
        f"`{head}`. Command: `.venv/bin/python bench/docx_speed.py{' --no-scaled' if args.no_scaled else ''}`. "
        f"docs/s: documents over the wall time of one pass of render_docx over the views a real build "
        f"asked for, each pass a fresh process (median of {args.passes} passes); CPU: the same with the "
        f"pass's CPU time.",
        "",
        "| workload | documents | base docs/s | current docs/s | ratio (wall) | ratio (CPU) | byte-identical to base | parts that differ |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, docs, rate, cpu_rate, same, differ in rows:
        lines.append(f"| {label} | {docs} | {rate['base']:.1f} | {rate['current']:.1f} | "
                     f"{rate['current'] / rate['base']:.2f}× | {cpu_rate['current'] / cpu_rate['base']:.2f}× | "
                     f"{same}/{docs} | {', '.join(f'{n} ({k}/{docs})' for n, k in differ.items()) or 'none'} |")
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.out).write_text(text, "utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--keep"]:
        keep_views(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    elif sys.argv[1:2] == ["--time"]:
        time_pass(*sys.argv[2:5])
    else:
        main()
