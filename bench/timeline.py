"""When each part of a default build runs: the longest chain of `gongfu build --force` and its gaps.

    .venv/bin/python bench/timeline.py            # the bundled example
    .venv/bin/python bench/timeline.py --scaled   # the scaled workload (bench/workload.py)

The build runs once, as the user runs it (the default formats and --jobs), in a copy of the working folder,
in a process of its own with probes: the composing of each output, the Word files and each Typst compile
(as the build's thread waits for it) are timed from the process's start. It prints them in order and
then the chain that decides the wall time: when the Typst child compiles, how long it waits between
compiles, and when the build's process is done with composing and Word. docs/performance.md, round 8,
shows what it found. The probes cost a little time; compare shapes, not seconds. Nothing in bench/ is
part of the test suite; nothing is written into this repository.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import REPO, copy_workdir, write_scaled  # noqa: E402

PROBE = r'''
import json, sys, threading, time
start = time.perf_counter()
events = []   # (seconds since the start, thread, "start"/"end", what)

def probe(module, name, what):
    real = getattr(module, name)
    def timed(*args, **kwargs):
        label = what(*args)
        events.append((time.perf_counter() - start, threading.current_thread().name, "start", label))
        try:
            return real(*args, **kwargs)
        finally:
            events.append((time.perf_counter() - start, threading.current_thread().name, "end", label))
    setattr(module, name, timed)

from gongfu_reports import kinds
from gongfu_reports.render import docx, typst_child
probe(typst_child, "compile_pdf", lambda request, *limits: "Typst start" if "source" in request else "Typst compile")
probe(kinds, "compose_output", lambda config, output: f"compose {output.stem}")
probe(docx, "render_docx", lambda view, config: "Word")
from pathlib import Path
from gongfu_reports.build import BuildOptions, build
build(Path("."), BuildOptions([], force=True))
events.append((time.perf_counter() - start, "MainThread", "end", "build"))
json.dump(events, open(sys.argv[1], "w"))
'''


def timeline(work: Path) -> list:
    out = work.parent / "events.json"
    subprocess.run([sys.executable, "-c", PROBE, str(out)], cwd=work, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(out.read_text("utf-8"))


def spans(events: list, prefix: str) -> list[tuple[float, float]]:
    """(start, end) of each call whose label starts with prefix, in order (calls of one label do not nest)."""
    opened, done = {}, []
    for t, thread, edge, what in events:
        if what.startswith(prefix):
            if edge == "start":
                opened[(thread, what)] = t
            else:
                done.append((opened.pop((thread, what)), t))
    return sorted(done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scaled", action="store_true", help="the scaled workload instead of the example")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="timeline-") as tmp:
        work = copy_workdir(Path(tmp) / "work", REPO)
        if args.scaled:
            write_scaled(work)
        events = timeline(work)
    print("| s | thread | |\n|---:|---|---|")
    for t, thread, edge, what in events:
        print(f"| {t:.3f} | {thread} | {edge} {what} |")
    compiles = spans(events, "Typst compile")
    composing = spans(events, "compose ")
    word = spans(events, "Word")
    end = events[-1][0]
    print(f"\nbuild: {end:.2f} s; first output composed from {composing[0][0]:.2f} s")
    if not compiles:
        sys.exit("no Typst compiles: is config.yaml's pdf_engine typst?")
    gaps = [b[0] - a[1] for a, b in zip(compiles, compiles[1:])]
    print(f"Typst compiles: {len(compiles)}, from {compiles[0][0]:.2f} to {compiles[-1][1]:.2f} s, "
          f"{sum(b - a for a, b in compiles):.2f} s compiling, {sum(gaps):.2f} s between compiles "
          f"(the longest {max(gaps, default=0):.3f} s)")
    print(f"the build's process: composing done at {composing[-1][1]:.2f} s, Word at "
          f"{word[-1][1] if word else 0:.2f} s; after the last compile {end - compiles[-1][1]:.2f} s "
          f"(its checks, publishing)")


if __name__ == "__main__":
    main()
