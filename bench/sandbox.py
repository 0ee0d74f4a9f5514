"""Cost of the template sandbox (render/sandbox.py, render/typst_child.py), measured side by side
in one run on the bundled example and the scaled workload:

1. Jinja: render_html of every document with the bounded environment against Jinja's plain
   SandboxedEnvironment as it was before (same template, context and options), in this process,
   rounds interleaved, median per document.
2. Typst, per document: the compile in the sandbox child (JSON request over a pipe, PDF back)
   against an in-process typst.Compiler as before (same inputs), both warm (fonts loaded), rounds
   interleaved; and the first compile of a process (child start, fonts) against the first
   in-process one.
3. The command: `gongfu build <one document> --engine typst --format pdf --force` and the whole
   example with the Typst engine, run by the code of this tree against the code of a base commit
   (git archive, default: the merge base with main), runs interleaved, median wall time.

    .venv/bin/python bench/sandbox.py [--rounds 15] [--runs 7] [--base main]

Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import copy_workdir, write_scaled  # noqa: E402


def views(root: Path) -> list[tuple[str, object]]:
    """(output name, view) of every output of the working folder, every period of those that have periods."""
    from gongfu_reports import kinds

    config = kinds.load_config(root)
    return [(output.stem, kinds.compose_output(config, output).view)
            for doc_id, doc in config.documents.items()
            for output in kinds.get(doc.kind).outputs(config, doc_id, required=False)]


def median_pair(a, b, rounds: int) -> tuple[float, float]:
    """Median seconds of a() and b(), called alternately (after one warm-up call each)."""
    a(), b()
    ta, tb = [], []
    for _ in range(rounds):
        for f, times in ((a, ta), (b, tb)):
            t = time.perf_counter()
            f()
            times.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb)


def jinja_rows(root: Path, rounds: int) -> list[tuple]:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from gongfu_reports.kinds import load_config
    from gongfu_reports.render import layout
    from gongfu_reports.render.html import LAYOUT, font_faces, font_files, render_html, role_css, template_dirs

    config = load_config(root)
    before = SandboxedEnvironment(loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(config)]),
                                  autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                  lstrip_blocks=True)
    rows = []
    for name, view in views(root):
        def old():
            faces = font_faces(config, font_files(config))
            return before.get_template("document.html.j2").render(
                view=view, fonts=faces, L=LAYOUT, S=role_css(config, faces),
                mark_size=view.frame.mark_size if view.frame else layout.MARK_PT,
                mark_scale=view.frame.mark_scale if view.frame else 1)

        def new():
            return render_html(view, config)

        assert old() == new(), name
        t_old, t_new = median_pair(old, new, rounds)
        rows.append((name, len(new()), t_old, t_new))
    return rows


def typst_rows(root: Path, rounds: int) -> tuple[list[tuple], tuple[float, float]]:
    import typst

    from gongfu_reports.kinds import load_config
    from gongfu_reports.render import typst as engine
    from gongfu_reports.render import typst_child

    config = load_config(root)
    compilers = {}
    requests = []
    real = typst_child.compile_pdf

    def capture(request, *limits):
        requests.append(request)
        return real(request, *limits)

    def in_process(request):
        key = (request["root"], tuple(request["font_dirs"]))
        if key not in compilers:
            compilers[key] = typst.Compiler(root=request["root"], font_paths=request["font_dirs"])
        return compilers[key].compile(input=request["template"], format="pdf", sys_inputs=request["inputs"],
                                      timestamp=request["timestamp"], pdf_tags=True)

    docs = views(root)
    typst_child.compile_pdf = capture
    try:
        # First compiles of a process: the child's start and font loading against the in-process ones.
        t = time.perf_counter()
        engine.render_pdf_typst(docs[0][1], config)
        cold_new = time.perf_counter() - t
        t = time.perf_counter()
        in_process(requests[0])
        cold_old = time.perf_counter() - t
        rows = []
        for name, view in docs:
            requests.clear()
            pdf = engine.render_pdf_typst(view, config)
            request = requests[0]
            assert in_process(request) == pdf, name
            t_old, t_new = median_pair(lambda: in_process(request),
                                       lambda: engine.render_pdf_typst(view, config), rounds)
            rows.append((name, len(pdf), t_old, t_new))
    finally:
        typst_child.compile_pdf = real
    return rows, (cold_old, cold_new)


def command_rows(example: Path, base: str, runs: int) -> list[tuple]:
    with tempfile.TemporaryDirectory(prefix="gongfu-bench-base-") as tmp:
        old_code = Path(tmp)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", base, "gongfu_reports"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old_code)], input=archive, check=True)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(old_code / "gongfu_reports")], check=True)
        rows = []
        for label, args, n in (("one document (gaige-tupo-2024)", ["gaige-tupo-2024"], runs),
                               ("one document (gongzuo-yaodian-2024)", ["gongzuo-yaodian-2024"], runs),
                               ("whole example", [], max(3, runs // 2))):
            times = {"base": [], "sandbox": []}
            for i in range(n + 1):   # the first of each: warm-up (file cache), not counted
                for which, path in (("base", str(old_code)), ("sandbox", str(REPO))):
                    env = {**os.environ, "PYTHONPATH": path}
                    cmd = [sys.executable, "-m", "gongfu_reports", "build", *args, "--engine", "typst",
                           "--format", "pdf", "--force", "-C", str(example)]
                    t = time.perf_counter()
                    subprocess.run(cmd, env=env, cwd=example, check=True, capture_output=True)
                    if i:
                        times[which].append(time.perf_counter() - t)
            rows.append((label, statistics.median(times["base"]), statistics.median(times["sandbox"])))
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="rounds per document in parts 1 and 2")
    parser.add_argument("--runs", type=int, default=7, help="runs per command in part 3")
    parser.add_argument("--base", default=None, help="commit of the code before (default: merge base with main)")
    args = parser.parse_args()
    base = args.base or subprocess.run(["git", "-C", str(REPO), "merge-base", "HEAD", "main"],
                                       capture_output=True, text=True, check=True).stdout.strip()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="gongfu-bench-sandbox-") as tmp:
        example = copy_workdir(Path(tmp) / "example", REPO)
        scaled = copy_workdir(Path(tmp) / "scaled", REPO)
        write_scaled(scaled)
        jinja = jinja_rows(example, args.rounds) + jinja_rows(scaled, max(3, args.rounds // 3))
        typst_docs, (cold_old, cold_new) = typst_rows(example, args.rounds)
        scaled_docs, _ = typst_rows(scaled, max(3, args.rounds // 3))
        commands = command_rows(example, base, args.runs)

    print(f"Measured {dt.datetime.now():%Y-%m-%d %H:%M} on {os.cpu_count()} CPU, load average {load:.2f} at the start "
          f"and {os.getloadavg()[0]:.2f} at the end; base {base[:10]}. Command: `.venv/bin/python bench/sandbox.py`.\n")
    print("| Jinja: document | HTML chars | plain sandbox ms | bounded ms | ratio |\n|---|---:|---:|---:|---:|")
    for name, chars, old, new in jinja:
        print(f"| {name} | {chars:,} | {old * 1000:.1f} | {new * 1000:.1f} | {new / old:.2f} |")
    total_old, total_new = sum(r[2] for r in jinja), sum(r[3] for r in jinja)
    print(f"| all | | {total_old * 1000:.1f} | {total_new * 1000:.1f} | {total_new / total_old:.2f} |")
    print("\n| Typst compile: document | PDF MB | in-process ms | child ms | overhead ms |\n|---|---:|---:|---:|---:|")
    for name, size, old, new in typst_docs + scaled_docs:
        print(f"| {name} | {size / 1e6:.2f} | {old * 1000:.1f} | {new * 1000:.1f} | {(new - old) * 1000:+.1f} |")
    print(f"| first compile of a process (fonts; child start) | | {cold_old * 1000:.0f} | {cold_new * 1000:.0f} | "
          f"{(cold_new - cold_old) * 1000:+.0f} |")
    print("\n| `gongfu build … --engine typst --format pdf --force` | base s | sandbox s | ratio |\n|---|---:|---:|---:|")
    for label, old, new in commands:
        print(f"| {label} | {old:.2f} | {new:.2f} | {new / old:.2f} |")


if __name__ == "__main__":
    main()
