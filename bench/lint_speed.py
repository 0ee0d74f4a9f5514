"""The GB/T 9704 checks of `gongfu build` (gongfu lint) against the rendering they follow, per output.

    .venv/bin/python bench/lint_speed.py                  # base commit e4981bf against this tree
    .venv/bin/python bench/lint_speed.py --base <commit> --rounds 3

Everything happens in a temporary folder: the base commit checked out in a temporary git worktree,
a snapshot of this tree's code (so edits made meanwhile do not disturb the runs), and for each a copy
of the example working folder. Each build runs in a subprocess of this script that imports the
measured code (PYTHONPATH) and runs `gongfu build --force --jobs 1 --per-unit` (the HTML engine with
DOCX and PDF, then the Typst engine with PDF) with two probes: the time of each output's rendering
(build.render_one) and, for each output as it is staged, the time of lint_bytes(data, fmt) on its
bytes, in the process that rendered it, as the build does (the build's own call is switched off so
that each output is checked once). The per-unit extracts, which the build does not check, are checked
the same way (`gongfu lint` checks them), in a row of their own.

Times are CPU seconds of the measuring process (rendering and checking both run in it, on one thread):
on a shared machine they change far less with the load than wall-clock times. Rounds alternate base
and tree; each figure is the least of the rounds.
The findings of both are compared output by output. The table goes to stdout and bench/lint_speed.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import REPO, copy_workdir, snapshot_code  # noqa: E402

BASE = "e4981bf"
RUNS = (("html", "docx,pdf"), ("typst", "pdf"))   # (PDF engine, formats) of the builds measured


# ------------------------------------------------------------------------------- child: one build

def child(out: Path, engine: str, formats: str) -> None:
    """In the working folder (cwd), with the measured code first on sys.path: one build, probed."""
    import dataclasses

    import gongfu_reports
    from gongfu_reports import build, cli, lint, publish

    times: dict = {"code": str(Path(gongfu_reports.__file__).parent)}
    rendered: list[float] = []

    def timed(render):
        def wrapped(*args, **kwargs):
            start = time.process_time()
            data = render(*args, **kwargs)
            rendered.append(time.process_time() - start)
            return data
        return wrapped

    if hasattr(build, "render_one"):                 # the base commit: one build module
        build.render_one = timed(build.render_one)
        build.lint_bytes = lambda data, fmt: []      # checked below, once, with the same bytes
    else:                                            # build/ with a scheduler and registered renderers
        from gongfu_reports.build import scheduler

        for name, renderer in list(scheduler.RENDERERS.items()):
            scheduler.RENDERERS[name] = dataclasses.replace(renderer, render=timed(renderer.render))
        scheduler.lint_bytes = lambda data, fmt: []
    original_stage = publish.Publisher.stage

    def stage(self, key, digest, name, data):
        fmt = name.rsplit(".", 1)[-1]
        start = time.process_time()
        findings = lint.lint_bytes(data, fmt)
        seconds = time.process_time() - start
        pages = 0
        if fmt == "pdf":
            import pypdfium2

            pages = len(pypdfium2.PdfDocument(data))
        times[name] = {"render": rendered.pop(), "lint": seconds, "pages": pages,
                       "findings": [str(f) for f in findings], "per_unit": key.endswith("/per-unit")}
        return original_stage(self, key, digest, name, data)

    publish.Publisher.stage = stage
    sys.argv = ["gongfu", "build", "--force", "--jobs", "1", "--per-unit", "--engine", engine, "--format", formats]
    try:
        cli.main()
    except SystemExit as exc:
        if exc.code:
            raise
    out.write_text(json.dumps(times, ensure_ascii=False), encoding="utf-8")


# ------------------------------------------------------------------------------ parent: the bench

def run_child(code: Path, folder: Path, engine: str, formats: str, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    result = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(out), engine, formats],
                            cwd=folder, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"the build with {code} failed:\n{result.stderr[-3000:]}")
    times = json.loads(out.read_text(encoding="utf-8"))
    assert times.pop("code").startswith(str(code)), "the measured code is not the one imported"
    return times


def least(runs: list[dict]) -> dict:
    """Per output: the least render and lint time over the rounds, the findings of the first round
    (and whether every round found the same)."""
    out = {}
    for name, first in runs[0].items():
        values = [r[name] for r in runs]
        out[name] = {**first, "render": min(v["render"] for v in values), "lint": min(v["lint"] for v in values),
                     "stable": all(v["findings"] == first["findings"] for v in values)}
    return out


def share(lint: float, render: float) -> str:
    return f"{100 * lint / (render + lint):.1f} %" if render + lint else ""


def table(results: dict, base: str, head: str) -> list[str]:
    rows = ["| output | engine | pages | render s | lint s, base | lint share, base | lint s, new | "
            "lint share, new | lint speed-up | same findings |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    totals: dict = {}

    def row(label, engine, pages, render, lint_old, lint_new, same):
        speed = f"{lint_old / lint_new:.1f}×" if lint_new else ""
        rows.append(f"| {label} | {engine} | {pages or ''} | {render:.3f} | {lint_old:.3f} | {share(lint_old, render)} | "
                    f"{lint_new:.3f} | {share(lint_new, render)} | {speed} | {same} |")

    for (engine, _), (old, new) in results.items():
        for fmt in ("docx", "pdf"):
            names = sorted(n for n in new if n.endswith("." + fmt))
            if not names:
                continue
            label_engine = "DOCX" if fmt == "docx" else ("Typst" if engine == "typst" else "HTML (WeasyPrint)")
            for group in (False, True):
                chosen = [n for n in names if new[n]["per_unit"] == group]
                if not chosen:
                    continue
                sums = [sum(d[n][k] for n in chosen) for d, k in ((new, "pages"), (new, "render"), (old, "lint"),
                                                                  (new, "lint"))]
                same = sum(old[n]["findings"] == new[n]["findings"] and old[n]["stable"] and new[n]["stable"]
                           for n in chosen)
                if not group:
                    for n in chosen:
                        row(n, label_engine, new[n]["pages"], new[n]["render"], old[n]["lint"], new[n]["lint"],
                            "yes" if old[n]["findings"] == new[n]["findings"] else "**no**")
                    label = f"**all documents ({len(chosen)})**"
                    totals[label_engine] = sums
                else:
                    label = f"per-unit extracts ({len(chosen)} files)"
                row(label, label_engine, sums[0], sums[1], sums[2], sums[3], f"{same}/{len(chosen)}")
    # The default build about to be: DOCX + Typst PDF, the documents (the build checks no extracts).
    if "DOCX" in totals and "Typst" in totals:
        d, t = totals["DOCX"], totals["Typst"]
        row("**default build: DOCX + Typst PDF, all documents**", "DOCX + Typst", t[0], d[1] + t[1], d[2] + t[2],
            d[3] + t[3], "")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default=BASE, help="the commit to compare against (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, alternating base and tree")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(Path(args.child[0]), args.child[1], args.child[2])

    tmp = Path(tempfile.mkdtemp(prefix="gongfu-lint-bench-"))
    base_tree = tmp / "base-tree"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(base_tree), args.base],
                   check=True, capture_output=True)
    try:
        base_commit = subprocess.run(["git", "-C", str(base_tree), "rev-parse", "--short", "HEAD"],
                                     capture_output=True, text=True, check=True).stdout.strip()
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "gongfu_reports", "templates"],
                               capture_output=True, text=True).stdout.strip()
        codes = {"base": snapshot_code(base_tree, tmp / "base"), "new": snapshot_code(REPO, tmp / "new")}
        folders = {(who, engine): copy_workdir(tmp / f"work-{who}-{engine}", code)
                   for who, code in codes.items() for engine, _ in RUNS}
        started = time.time()
        load = os.getloadavg()[0]
        runs: dict = {(who, run): [] for who in codes for run in RUNS}
        for n in range(args.rounds):
            for engine, formats in RUNS:
                for who in (("base", "new") if n % 2 == 0 else ("new", "base")):
                    print(f"round {n + 1}: {who}, {engine} engine, {formats}", file=sys.stderr, flush=True)
                    out = tmp / f"{who}-{engine}-{n}.json"
                    runs[(who, (engine, formats))].append(run_child(codes[who], folders[(who, engine)],
                                                                     engine, formats, out))
        results = {run: (least(runs[("base", run)]), least(runs[("new", run)])) for run in RUNS}
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base_tree)], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    lines = ["# GB/T 9704 checks (lint) against rendering, per output", "",
             f"Measured {dt.datetime.now():%Y-%m-%d %H:%M} ({time.time() - started:.0f} s) on {os.cpu_count()} CPU "
             f"({cpu}), load average {load:.2f} at the start and {os.getloadavg()[0]:.2f} at the end, "
             f"Python {platform.python_version()}. Command: `.venv/bin/python bench/lint_speed.py"
             f"{'' if args.base == BASE else ' --base ' + args.base}"
             f"{'' if args.rounds == 3 else f' --rounds {args.rounds}'}`.",
             "",
             f"base = {base_commit}, new = {head}{' with uncommitted changes' if dirty else ''}. Each figure: the least of "
             f"{args.rounds} rounds of `gongfu build --force --jobs 1 --per-unit` (HTML engine DOCX + PDF, then "
             "Typst engine PDF), base and new alternating; CPU seconds of the process: render = build.render_one, "
             "lint = lint_bytes on the output's bytes in the same process; share = lint / (render + lint). Same "
             "findings: the base and the new checks report the same, in every round.", ""]
    lines += table(results, base_commit, head)
    text = "\n".join(lines) + "\n"
    print(text)
    (REPO / "bench" / "lint_speed.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
