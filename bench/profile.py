"""Where the time of a build goes: a serial build (--jobs 1, so every output is rendered in one
process that the profiler sees) under pyinstrument, summarised as the functions with the most
inclusive time (a recursive function counted once per stack). The Typst compiler runs in a child
process (render/typst_child.py): the profile shows its time as the wait in compile_pdf.

    .venv/bin/python bench/profile.py                 # the bundled example, `gongfu build --force`
    .venv/bin/python bench/profile.py --per-unit      # with the per-unit extracts
    .venv/bin/python bench/profile.py --scaled        # the scaled workload of bench/run.py
    .venv/bin/python bench/profile.py --html prof.html  # also the full call tree, to browse
    .venv/bin/python bench/profile.py --engine typst  # with the Typst PDF engine

Needs the `bench` extra (pip install -e ".[bench]"). Working folders are temporary copies.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import copy_workdir, write_scaled  # noqa: E402


# The command line and the profiler's own frames: above every build, they tell nothing.
BOILERPLATE = ("typer/", "[self]", "profile.py", "gongfu_reports/cli.py")


def short(path: str) -> str:
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1]
    if "/gongfu_reports/" in path:
        return "gongfu_reports/" + path.split("/gongfu_reports/", 1)[1]
    return Path(path).name


def inclusive_times(root) -> collections.Counter:
    times: collections.Counter = collections.Counter()
    stack = [(root, frozenset())]
    while stack:
        frame, seen = stack.pop()
        key = f"{frame.function} ({short(frame.file_path or '')}:{frame.line_no})"
        if key not in seen:
            times[key] += frame.time
        stack += [(child, seen | {key}) for child in frame.children]
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scaled", action="store_true", help="profile the scaled workload")
    parser.add_argument("--top", type=int, default=30, help="rows to print (default 30)")
    parser.add_argument("--html", help="also write pyinstrument's HTML call tree here")
    parser.add_argument("--engine", choices=["html", "typst"], help="PDF engine (default: config.yaml's)")
    parser.add_argument("--per-unit", action="store_true", help="also build the per-unit extracts")
    args = parser.parse_args()
    from pyinstrument import Profiler

    from gongfu_reports.cli import main as gongfu

    tmp = Path(tempfile.mkdtemp(prefix="gongfu-profile-"))
    try:
        work = copy_workdir(tmp / "work", Path(__file__).resolve().parents[1])
        if args.scaled:
            write_scaled(work)
        profiler = Profiler(interval=0.005)
        sys.argv = ["gongfu", "build", "--jobs", "1", "--force", "-C", str(work)]
        sys.argv += ["--per-unit"] if args.per_unit else []
        sys.argv += ["--engine", args.engine] if args.engine else []
        profiler.start()
        try:
            gongfu()
        except SystemExit as exc:
            if exc.code:
                raise
        finally:
            profiler.stop()
        session = profiler.last_session
        root = session.root_frame()
        total = root.time
        print(f"{'scaled workload' if args.scaled else 'bundled example'}: {total:.1f} s wall, "
              f"{session.cpu_time:.1f} s CPU in the profiled process\n")
        print("| inclusive s | share | function |\n|---:|---:|---|")
        rows = [(key, seconds) for key, seconds in inclusive_times(root).most_common()
                if not any(frame in key for frame in BOILERPLATE)]
        for key, seconds in rows[:args.top]:
            print(f"| {seconds:.1f} | {100 * seconds / total:.0f}% | `{key}` |")
        if args.html:
            Path(args.html).write_text(profiler.output_html(), "utf-8")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
