"""Benchmark of `gongfu build`: the bundled example and a scaled-up workload, against LibreOffice.

    bash scripts/bench.sh                    # installs (LibreOffice, the bench extra), then runs this
    .venv/bin/python bench/run.py            # writes the table to stdout and to bench/results.md

Everything happens in a temporary folder: a snapshot of the code (so edits made meanwhile do not
disturb the runs), a copy of the example working folder, and a scaled copy (bench/workload.py:
N tasks over U units, an N-row task list, one progress period). Each build runs as a subprocess
of a small launcher; wall time, CPU time (user + system, worker processes included) and peak
memory (ru_maxrss: the largest single process) come from that subprocess's rusage (os.wait4: the
RUSAGE_CHILDREN accounting for that one child), and the summed PSS of all its processes is
sampled every 50 ms (with --jobs N several processes live at once; PSS counts shared pages once).

Per workload: a serial build (--jobs 1), the same with the default --jobs (all cores) and --force,
compared file by file (SHA-256); a rebuild with nothing changed (time, files whose mtime or inode
changed); a rebuild after one data file changed (which outputs were rewritten, against the outputs
known to read that file); PDF-only and DOCX-only builds
(pages per second, documents per second); then LibreOffice converting the same DOCX files to PDF in
one batch call (soffice --headless --convert-to pdf, after a warm-up call that creates its profile).
CPU used meanwhile by other processes (machine-wide busy time from /proc/stat minus this bench and
its children) and the load average are written with the table: on a shared machine they say how
far the figures are pessimistic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import write_scaled  # noqa: E402

MB = 1024 * 1024


@dataclass
class Run:
    label: str
    wall: float
    cpu: float
    maxrss_mb: float          # ru_maxrss: the largest single process of the build
    tree_mb: float            # sampled peak of the summed PSS of the build's processes
    outputs: dict = field(default_factory=dict)
    pages: int = 0
    docs: int = 0
    stdout: str = ""
    others: float = 0.0       # CPU seconds used meanwhile by other processes on the machine


def _busy_cpu() -> float:
    """CPU seconds spent busy by the whole machine since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _tree_pss(root: int) -> int:
    """Summed PSS (bytes: shared pages split between the processes that share them) of the
    descendants of root, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, list(children.get(root, []))
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith(b"Pss:")) * 1024
        except (OSError, ValueError, IndexError, StopIteration):
            pass
    return total


# Runs the measured command and reports its rusage. A small process of its own, because a
# child's ru_maxrss includes the memory of the process it was forked from (this one, which
# grows while it reads PDFs).
LAUNCHER = r"""
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as f:
    json.dump({"code": os.waitstatus_to_exitcode(status), "wall": wall,
               "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss}, f)
"""


def _own_cpu() -> float:
    """CPU seconds of this process (its sampling and reading threads) and of its finished children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def measure(label: str, cmd: list[str], env: dict, cwd: Path) -> Run:
    report = Path(tempfile.mkstemp(prefix="gongfu-bench-", suffix=".json")[1])
    busy, own = _busy_cpu(), _own_cpu()
    proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(report), *cmd], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_pss(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out_chunks, err_chunks = [], []
    readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()), daemon=True)
               for s, b in ((proc.stdout, out_chunks), (proc.stderr, err_chunks))]
    for r in readers:
        r.start()
    proc.wait()
    busy, own = _busy_cpu() - busy, _own_cpu() - own   # own: includes the launcher and the build
    done.set()
    for r in readers:
        r.join()
    sampler.join()
    stdout = b"".join(out_chunks).decode("utf-8", "replace")
    stderr = b"".join(err_chunks).decode("utf-8", "replace")
    try:
        usage = json.loads(report.read_text())
    except ValueError:
        usage = {"code": proc.returncode}
    finally:
        report.unlink(missing_ok=True)
    if usage["code"] != 0 or proc.returncode != 0:
        raise SystemExit(f"{label}: {' '.join(cmd)} exited {usage['code']}\n{stdout}\n{stderr[-3000:]}")
    return Run(label, usage["wall"], usage["cpu"], usage["maxrss_kb"] / 1024, peak[0] / MB, stdout=stdout,
               others=max(0.0, busy - own))


def outputs(build: Path) -> dict[str, tuple[int, int, str]]:
    """Every output under build/ (manifest included, lock and staging left out): mtime, inode, hash."""
    found = {}
    for path in sorted(build.rglob("*")):
        rel = path.relative_to(build).as_posix()
        if path.is_file() and rel != ".lock" and not rel.startswith(".staging-") and "/forms/" not in f"/{rel}":
            st = path.stat()
            found[rel] = (st.st_mtime_ns, st.st_ino, hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def pdf_pages(paths) -> int:
    from pypdf import PdfReader

    return sum(len(PdfReader(p).pages) for p in paths)


def changed(before: dict, after: dict) -> list[str]:
    """Files written (new mtime or inode) or removed between two snapshots."""
    return sorted(k for k in set(before) | set(after) if before.get(k, (0, 0))[:2] != after.get(k, (0, 0))[:2])


def group(names: list[str]) -> str:
    """"a.docx, a.pdf, x-per-unit/u.docx …" → "a.docx/.pdf, x-per-unit/ (N files)"."""
    stems: dict[str, list[str]] = {}
    for name in names:
        if "-per-unit/" in name:
            stems.setdefault(name.split("/")[0] + "/", []).append(name)
        else:
            stem, ext = name.rsplit(".", 1) if "." in name.lstrip(".") else (name, "")
            stems.setdefault(stem, []).append(ext)
    parts = []
    for stem, items in stems.items():
        if stem.endswith("/"):
            parts.append(f"{stem} ({len(items)} files)")
        else:
            parts.append(stem + "." + "/.".join(sorted(items)) if items != [""] else stem)
    return ", ".join(parts) or "none"


def snapshot_code(source: Path, target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(source / "gongfu_reports", target / "gongfu_reports", ignore=ignore)
    shutil.copytree(source / "templates", target / "templates", ignore=ignore)
    # Compiled once, as after a user's first run (the snapshot is measured, not the repository).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(target / "gongfu_reports")], check=True)
    return target


def copy_workdir(target: Path, code: Path) -> Path:
    """The example working folder: config and data from this repo, templates from the measured code."""
    target.mkdir(parents=True)
    shutil.copy(REPO / "config.yaml", target / "config.yaml")
    shutil.copytree(REPO / "data", target / "data", ignore=shutil.ignore_patterns("_src"))
    shutil.copytree(code / "templates", target / "templates")
    return target


def pdf_fonts(path: Path) -> list[tuple[str, bool]]:
    """(font name, subset?) for every font of the PDF."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(path).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object().get("/BaseFont")))
    return [(n.lstrip("/"), bool(re.match(r"/?[A-Z]{6}\+", n))) for n in sorted(names)]


class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="gongfu-bench-"))
        self.code = code = snapshot_code(Path(args.code).resolve(), self.tmp / "code")
        self.env = {**os.environ, "PYTHONPATH": str(code)}
        where = subprocess.run([sys.executable, "-c", "import gongfu_reports.render.docx as m; print(m.__file__)"],
                               env=self.env, cwd=self.tmp, capture_output=True, text=True, check=True).stdout.strip()
        assert where.startswith(str(code)), f"the code snapshot is not used: {where}"
        self.jobs = args.jobs or os.cpu_count()
        self.soffice = shutil.which("soffice") or shutil.which("libreoffice")
        self.runs: list[Run] = []

    def gongfu(self, label: str, workdir: Path, *args: str) -> Run:
        cmd = [sys.executable, "-m", "gongfu_reports", *args, "-C", str(workdir)]
        print(f"  {label}: gongfu {' '.join(args)}", file=sys.stderr, flush=True)
        run = measure(label, cmd, self.env, workdir)
        run.outputs = outputs(workdir / "build")
        built = [workdir / "build" / n for n in run.outputs if not n.startswith(".")]
        run.docs = sum(1 for p in built if p.suffix == ".docx")
        run.pages = pdf_pages(p for p in built if p.suffix == ".pdf") if "--format" not in args or \
            "pdf" in args[args.index("--format") + 1] else 0
        self.runs.append(run)
        print(f"    {run.wall:.2f} s wall, {run.cpu:.2f} s CPU, {run.maxrss_mb:.0f} MB"
              + (f" (other processes: {run.others:.1f} s CPU)" if run.others > 0.1 * run.wall else ""),
              file=sys.stderr, flush=True)
        return run

    def workload(self, name: str, workdir: Path, touch: str, dependents: list[str]) -> dict:
        """touch: the data file changed for the incremental run; dependents: the stems of the
        outputs that read it (each as .docx and .pdf), the only ones that may be rewritten."""
        """All measurements of one working folder."""
        print(f"{name}: {workdir}", file=sys.stderr, flush=True)
        res: dict = {"name": name}
        build = ["build", "--per-unit"]
        res["serial"] = serial = self.gongfu("serial", workdir, *build, "--jobs", "1")
        res["parallel"] = parallel = self.gongfu("parallel", workdir, *build, "--force", "--jobs", str(self.jobs))
        outs = [n for n in serial.outputs if not n.startswith(".")]
        # Every file, the manifest included: the parallel build must record the same digests too.
        res["identical"] = sum(serial.outputs[n][2] == parallel.outputs.get(n, (0, 0, ""))[2]
                               for n in serial.outputs)
        res["compared"] = len(serial.outputs) if set(serial.outputs) == set(parallel.outputs) else -1
        res["noop"] = noop = self.gongfu("no change", workdir, *build, "--jobs", str(self.jobs))
        res["noop_written"] = changed(parallel.outputs, noop.outputs)
        path = workdir / touch
        path.write_text(path.read_text("utf-8") + "\n# bench: one data file changed\n", "utf-8")
        res["touched"] = touch
        res["touch"] = touched = self.gongfu("one file changed", workdir, *build, "--jobs", str(self.jobs))
        res["touch_written"] = changed(noop.outputs, touched.outputs)
        res["touch_kept"] = sorted(set(n for n in touched.outputs if not n.startswith("."))
                                   - set(res["touch_written"]))
        res["touch_expected"] = sorted(f"{stem}.{fmt}" for stem in dependents for fmt in ("docx", "pdf"))
        res["docx_files"] = sorted(workdir / "build" / n for n in outs if n.endswith(".docx"))
        res["pdf"] = self.gongfu("PDF only", workdir, *build, "--force", "--format", "pdf", "--jobs", str(self.jobs))
        if self.jobs > 1:
            res["pdf1"] = self.gongfu("PDF only, serial", workdir, *build, "--force", "--format", "pdf",
                                      "--jobs", "1")
        self.keep_pdfs(workdir, f"{name}-html")
        res["docx"] = self.gongfu("DOCX only", workdir, *build, "--force", "--format", "docx", "--jobs", str(self.jobs))
        # The same PDFs from the Typst engine (the checks after each build included, like above).
        typst = [*build, "--force", "--format", "pdf", "--engine", "typst"]
        res["tpdf"] = self.gongfu("PDF only, Typst", workdir, *typst, "--jobs", str(self.jobs))
        res["tpdf1"] = self.gongfu("PDF only, Typst, serial", workdir, *typst, "--jobs", "1")
        res["tpdf_identical"] = sum(res["tpdf"].outputs[n][2] == res["tpdf1"].outputs.get(n, (0, 0, ""))[2]
                                    for n in res["tpdf"].outputs if n.endswith(".pdf"))
        res["tpdf_compared"] = sum(1 for n in res["tpdf"].outputs if n.endswith(".pdf"))
        self.keep_pdfs(workdir, f"{name}-typst")
        res["lo"] = self.libreoffice(name, res["docx_files"])
        return res

    def keep_pdfs(self, workdir: Path, name: str) -> None:
        """A copy of the documents' PDFs (the next builds overwrite them), for the size row."""
        target = self.tmp / "pdfs" / name
        target.mkdir(parents=True, exist_ok=True)
        for pdf in (workdir / "build").glob("*.pdf"):
            shutil.copy(pdf, target / pdf.name)

    def libreoffice(self, name: str, docx: list[Path]) -> Run | None:
        if not self.soffice or self.args.no_libreoffice:
            return None
        profile = self.tmp / "lo-profile"
        base = [self.soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf"]
        warm = self.tmp / "lo-warm"
        subprocess.run(base + ["--outdir", str(warm), str(docx[0])], check=True, capture_output=True, timeout=600)
        out = self.tmp / f"lo-{name}"
        print(f"  LibreOffice: {len(docx)} DOCX files, one call", file=sys.stderr, flush=True)
        run = measure("LibreOffice", base + ["--outdir", str(out)] + [str(p) for p in docx], self.env, self.tmp)
        pdfs = sorted(out.glob("*.pdf"))
        if len(pdfs) != len({p.stem for p in docx}):
            raise SystemExit(f"LibreOffice wrote {len(pdfs)} PDF files for {len(docx)} DOCX files")
        run.pages, run.docs = pdf_pages(pdfs), len(pdfs)
        self.runs.append(run)
        print(f"    {run.wall:.2f} s wall, {run.pages} pages", file=sys.stderr, flush=True)
        return run

    def forms(self, workdir: Path) -> Run:
        print("  forms", file=sys.stderr, flush=True)
        run = measure("forms", [sys.executable, "-m", "gongfu_reports", "forms", "scaled-tongbao", "--period",
                                "2024-07", "-C", str(workdir)], self.env, workdir)
        run.docs = len(list((workdir / "build" / "forms" / "2024-07").glob("*.xlsx")))
        self.runs.append(run)
        return run


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def table(results: list[dict], forms: Run | None, example_pdf: Path, jobs: int, summary: dict) -> str:
    def f(x, d=1):
        return f"{x:.{d}f}"

    lines = ["| workload | run | wall s | CPU s | peak RSS MB (largest process) | peak PSS MB (all processes, sampled) "
             "| PDF pages | PDF pages/s | DOCX docs/s |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for res in results:
        for key, label in (("serial", "full build, --jobs 1"), ("parallel", f"full build, --jobs {jobs}"),
                           ("pdf1", "PDF only, --jobs 1"), ("pdf", f"PDF only, --jobs {jobs}"),
                           ("docx", f"DOCX only, --jobs {jobs}"),
                           ("tpdf1", "PDF only, Typst engine, --jobs 1"), ("tpdf", f"PDF only, Typst engine, --jobs {jobs}"),
                           ("noop", "rebuild, nothing changed"),
                           ("touch", "rebuild, one data file changed"), ("lo", "LibreOffice DOCX → PDF (1 call)")):
            run = res.get(key)
            if run is None:
                continue
            pps = f(run.pages / run.wall) if key in ("pdf", "pdf1", "tpdf", "tpdf1", "lo") else ""
            dps = f(run.docs / run.wall) if key == "docx" else (f(run.docs / run.wall) + " (DOCX read)"
                                                                 if key == "lo" else "")
            pages = str(run.pages) if key in ("serial", "parallel", "pdf", "pdf1", "tpdf", "tpdf1", "lo") else ""
            lines.append(f"| {res['name']} | {label} | {f(run.wall, 2)} | {f(run.cpu, 2)} | {f(run.maxrss_mb, 0)} "
                         f"| {f(run.tree_mb, 0)} | {pages} | {pps} | {dps} |")
    if forms:
        lines.append(f"| scaled | gongfu forms ({forms.docs} xlsx) | {f(forms.wall, 2)} | {f(forms.cpu, 2)} "
                     f"| {f(forms.maxrss_mb, 0)} | {f(forms.tree_mb, 0)} | | | {f(forms.docs / forms.wall)} xlsx/s |")

    def ok(flag):
        return "✅" if flag else "❌"

    lines += ["", "| target | " + " | ".join(r["name"] for r in results) + " |",
              "|---|" + "---|" * len(results)]

    def row(title, cells):
        lines.append(f"| {title} | " + " | ".join(cells) + " |")

    def speed(r, key, one):
        if not r.get("lo"):
            return "LibreOffice not run"
        ours, lo = r[key].pages / r[key].wall, r["lo"].pages / r["lo"].wall
        cell = f"{ok(ours >= 3 * lo)} --jobs {jobs}: {ours:.1f} vs {lo:.1f} pages/s = {ours / lo:.2f}×"
        if r.get(one):
            single = r[one].pages / r[one].wall
            cell += f"; {ok(single >= 3 * lo)} --jobs 1: {single:.1f} pages/s = {single / lo:.2f}×"
        return cell

    row("PDF pages/s ≥ 3× LibreOffice's, Typst engine (`--engine typst`; whole command, start-up and "
        "GB/T 9704 checks included)", [speed(r, "tpdf", "tpdf1") for r in results])
    row("the same, HTML engine (WeasyPrint, the default)", [speed(r, "pdf", "pdf1") for r in results])
    row("rebuild, nothing changed: < 1 s, no file rewritten",
        [f"{ok(r['noop'].wall < 1 and not r['noop_written'])} {r['noop'].wall:.2f} s, "
         f"{len(r['noop_written'])} files rewritten" for r in results])
    def only_dependents(r):
        rebuilt = [n for n in r["touch_written"] if not n.startswith(".")]
        return (f"{ok(rebuilt == r['touch_expected'])} `{r['touched']}` → rebuilt {group(rebuilt)} "
                f"(expected {group(r['touch_expected'])}) in {r['touch'].wall:.1f} s; kept {group(r['touch_kept'])}")

    row("one data file changed: only the outputs that read it rebuilt", [only_dependents(r) for r in results])
    row(f"--jobs {jobs} gives the same bytes as --jobs 1",
        [f"{ok(r['identical'] == r['compared'])} {r['identical']}/{r['compared']} files identical; "
         f"{r['serial'].wall / r['parallel'].wall:.2f}× faster; Typst engine: "
         f"{ok(r['tpdf_identical'] == r['tpdf_compared'])} {r['tpdf_identical']}/{r['tpdf_compared']} PDF identical"
         for r in results])
    builds = ("serial", "parallel", "pdf", "pdf1", "docx", "tpdf", "tpdf1")
    def memory(r):
        largest = max(r[k].maxrss_mb for k in builds if k in r)
        total = max(r[k].tree_mb for k in builds if k in r)
        return (f"{ok(largest < 1024 and total < 1024)} all processes together {total:.0f} MB "
                f"(summed PSS, sampled; --jobs {jobs}); largest single process {largest:.0f} MB (ru_maxrss)")

    row("peak memory < 1 GB (every build of the workload)", [memory(r) for r in results])
    size = example_pdf.stat().st_size
    fonts = pdf_fonts(example_pdf)
    subset = sum(s for _, s in fonts)
    typst_pdf = summary.get("typst_pdf")
    if typst_pdf and typst_pdf.exists():
        t_fonts = pdf_fonts(typst_pdf)
        t_size, t_subset = typst_pdf.stat().st_size, sum(s for _, s in t_fonts)
        typst_size = (f"{ok(t_size < 1_000_000 and t_subset == len(t_fonts))} Typst engine {t_size / 1e6:.3f} MB; "
                      f"{t_subset}/{len(t_fonts)} fonts subset")
    else:
        typst_size = ""
    row(f"PDF < 1 MB (build/{example_pdf.name}), fonts subset",
        [f"{ok(size < 1_000_000 and subset == len(fonts))} HTML engine {size / 1e6:.3f} MB; "
         f"{subset}/{len(fonts)} fonts subset; " + typst_size] + [""] * (len(results) - 1))
    load = summary["load"]
    head = [f"Measured {summary['started']:%Y-%m-%d %H:%M}–{dt.datetime.now():%H:%M} on {os.cpu_count()} CPU "
            f"({cpu_model()}), load average {load[0]:.2f} at the start and {load[1]:.2f} at the end, "
            f"Python {platform.python_version()}, "
            f"WeasyPrint {summary['weasyprint']}, {summary['libreoffice']}. "
            f"Scaled workload: {summary['scaled']}. Command: `.venv/bin/python bench/run.py "
            f"{' '.join(sys.argv[1:])}`.".replace("  ", " ").replace(" `.", "`.")]
    runs = summary["runs"]
    others, wall = sum(r.others for r in runs), sum(r.wall for r in runs)
    share = others / (wall * (os.cpu_count() or 1)) if wall else 0
    head.append(f"Other processes used {others:.0f} s CPU during the {wall:.0f} s of measured runs "
                f"({share:.0%} of the machine)" + (": the numbers are pessimistic." if share > 0.05 else "."))
    return "\n".join(head + [""] + lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=60, help="units in the scaled workload (default 60)")
    parser.add_argument("--tasks", type=int, default=1000, help="tasks in the scaled workload (default 1000)")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for the parallel runs (default: all cores)")
    parser.add_argument("--code", default=str(REPO), help="folder whose gongfu_reports/ is measured (default: this repo)")
    parser.add_argument("--only", choices=["example", "scaled"], help="measure one workload only")
    parser.add_argument("--no-libreoffice", action="store_true", help="skip the LibreOffice comparison")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--output", default=str(REPO / "bench" / "results.md"), help="where to write the table")
    args = parser.parse_args()
    bench = Bench(args)
    started, load_start = dt.datetime.now(), os.getloadavg()[0]
    try:
        example = copy_workdir(bench.tmp / "example", bench.code)
        scaled = copy_workdir(bench.tmp / "scaled", bench.code)
        info = write_scaled(scaled, args.units, args.tasks)
        results, forms = [], None
        if args.only in (None, "example"):
            results.append(bench.workload("example", example, "data/zhengfu-2024/progress/2024-07.yaml",
                                          ["bulletin-2024-07", "tongbao-2024-07"]))
        if args.only in (None, "scaled"):
            results.append(bench.workload("scaled", scaled, "data/scaled/progress/2024-06.yaml",
                                          ["scaled-tongbao-2024-06"]))
            forms = bench.forms(scaled)
        import typst
        import weasyprint

        lo = subprocess.run([bench.soffice, "--version"], capture_output=True, text=True).stdout.split()[:2] \
            if bench.soffice else ["LibreOffice", "missing"]
        summary = {"weasyprint": f"{weasyprint.__version__}, typst (Python package) {typst.__version__}", "libreoffice": " ".join(lo), "runs": bench.runs,
                   "started": started, "load": (load_start, os.getloadavg()[0]),
                   "scaled": f"{info['tasks']} tasks over {info['units']} units (3 documents + "
                             f"{info['units']} per-unit extracts; task list of {info['tasks']} rows)"}
        workload, name = ("example", "gongzuo-yaodian-2024.pdf") if args.only != "scaled" else ("scaled", "scaled-list.pdf")
        pdf = bench.tmp / "pdfs" / f"{workload}-html" / name
        summary["typst_pdf"] = bench.tmp / "pdfs" / f"{workload}-typst" / name
        text = table(results, forms, pdf, bench.jobs, summary)
        print(text)
        Path(args.output).write_text("# gongfu build: benchmark results\n\n" + text, "utf-8")
        print(f"written to {args.output}; working folders in {bench.tmp}" if args.keep
              else f"written to {args.output}", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(bench.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
