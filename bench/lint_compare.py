"""Does this tree's GB/T 9704 check (gongfu lint) report exactly what the base commit's does?

    .venv/bin/python bench/lint_compare.py                 # base commit e4981bf against this tree
    .venv/bin/python bench/lint_compare.py --base <commit> --quick   # --quick: no test files, no variants

The files checked, all made in a temporary folder (nothing is kept):
- every bundled output: `gongfu build --per-unit` (HTML engine, DOCX and PDF) and `gongfu build --per-unit
  --engine typst --format pdf`, the per-unit extracts included;
- the files the lint tests make and check (tests/test_lint.py, tests/test_build_lint.py and the
  template test whose build reports wrong page numbers), kept by running them with --basetemp;
- variants that break the rules: each bundled PDF with its pages turned by /Rotate (90° on odd pages,
  180° and 270° on the others), and the 工作要点 DOCX with each thing the DOCX check looks at broken
  in turn.
Each tree checks every file in a subprocess of its own (PYTHONPATH: a snapshot of its code); the
findings (or the error) must be the same text, in the same order. Exit status 1 when any differ.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lint_speed import BASE  # noqa: E402
from workload import REPO, copy_workdir, snapshot_code  # noqa: E402

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def child(out: Path, files: list[str]) -> None:
    """Check each file with the code first on sys.path; write {file: [finding, …] or "error: …"}."""
    import gongfu_reports
    from gongfu_reports.errors import GongfuError
    from gongfu_reports.lint import lint

    results: dict = {"code": str(Path(gongfu_reports.__file__).parent)}
    started = time.process_time()
    for name in files:
        try:
            results[name] = [str(f) for f in lint(Path(name))]
        except GongfuError as exc:
            results[name] = f"error: {exc}"
    results["seconds"] = time.process_time() - started
    out.write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")


def run(cmd: list[str], env: dict, cwd: Path) -> None:
    result = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


def bundled(tmp: Path, code: Path) -> list[Path]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = []
    for engine, formats in (("html", "docx,pdf"), ("typst", "pdf")):
        folder = copy_workdir(tmp / f"build-{engine}", code)
        print(f"building the example ({engine} engine, {formats}) …", file=sys.stderr, flush=True)
        run([sys.executable, "-m", "gongfu_reports", "build", "--per-unit", "--engine", engine, "--format", formats,
             "-C", str(folder)], env, folder)
        out += sorted(p for p in (folder / "build").rglob("*") if p.suffix in (".pdf", ".docx"))
    return out


def test_files(tmp: Path) -> list[Path]:
    """The files the lint tests write and check (pytest --basetemp keeps them)."""
    base = tmp / "pytest"
    print("running the lint tests to keep their files …", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--basetemp={base}",
                    "tests/test_lint.py", "tests/test_build_lint.py",
                    "tests/test_templates.py::test_exported_template_is_the_one_the_build_uses"],
                   cwd=REPO, capture_output=True, text=True)
    return sorted(p for p in base.rglob("*") if p.suffix in (".pdf", ".docx")
                  and not any(part.startswith("example") for part in p.relative_to(base).parts))


def turned(tmp: Path, pdfs: list[Path]) -> list[Path]:
    from pypdf import PdfReader, PdfWriter

    out = []
    for pdf in pdfs:
        writer = PdfWriter()
        for n, page in enumerate(PdfReader(pdf).pages):
            writer.add_page(page)
            writer.pages[-1].rotate(90 if n % 2 == 0 else (180 if n % 4 == 1 else 270))
        target = tmp / "turned" / pdf.parent.parent.name / pdf.name
        target.parent.mkdir(parents=True, exist_ok=True)
        writer.write(target)
        out.append(target)
    return out


def docx_variants(tmp: Path, docx: Path) -> list[Path]:
    """The DOCX with one thing after another broken (and one with all of them)."""
    from docx import Document
    from docx.shared import Mm, Pt

    def drop(element, tag):
        for child in list(element.iter(W + tag)) if element is not None else []:
            child.getparent().remove(child)

    def paper(d):
        d.sections[-1].page_width, d.sections[-1].page_height = Mm(216), Mm(279)

    def font(d):
        d.styles["Normal"].element.rPr.rFonts.set(W + "eastAsia", "宋体")

    def page_field(d):
        for p in d.sections[0].footer.paragraphs + d.sections[0].even_page_footer.paragraphs:
            drop(p._p, "fldSimple")
            drop(p._p, "instrText")

    def header_rows(d):
        for table in d.tables:
            drop(table.rows[0]._tr.trPr, "tblHeader")

    changes = {
        "margins": lambda d: setattr(d.sections[0], "left_margin", Mm(20)),
        "paper": paper,
        "grid": lambda d: drop(d.sections[0]._sectPr, "docGrid"),
        "size": lambda d: setattr(d.styles["Normal"].font, "size", Pt(14)),
        "no-size": lambda d: setattr(d.styles["Normal"].font, "size", None),
        "spacing": lambda d: setattr(d.styles["Normal"].paragraph_format, "line_spacing", 1.5),
        "font": font,
        "even-odd": lambda d: drop(d.settings.element, "evenAndOddHeaders"),
        "page-field": page_field,
        "header-row": header_rows,
    }
    out = []
    for name, change in list(changes.items()) + [("all", lambda d: [c(d) for c in changes.values()])]:
        doc = Document(docx)
        change(doc)
        target = tmp / "variants" / f"{docx.stem}-{name}.docx"
        target.parent.mkdir(parents=True, exist_ok=True)
        doc.save(target)
        out.append(target)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default=BASE)
    parser.add_argument("--quick", action="store_true", help="bundled outputs only")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(Path(args.child[0]), args.child[1:])

    tmp = Path(tempfile.mkdtemp(prefix="gongfu-lint-compare-"))
    base_tree = tmp / "base-tree"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(base_tree), args.base],
                   check=True, capture_output=True)
    try:
        codes = {"base": snapshot_code(base_tree, tmp / "base"), "new": snapshot_code(REPO, tmp / "new")}
        files = bundled(tmp, codes["new"])
        groups = {"bundled": list(files)}
        if not args.quick:
            groups["tests"] = test_files(tmp)
            groups["turned"] = turned(tmp, [p for p in files if p.suffix == ".pdf" and "per-unit" not in str(p)])
            docx = next(p for p in files if p.name == "gongzuo-yaodian-2024.docx")
            groups["docx variants"] = docx_variants(tmp, docx)
        everything = [str(p) for group in groups.values() for p in group]
        results = {}
        for who, code in codes.items():
            print(f"checking {len(everything)} files with the {who} code …", file=sys.stderr, flush=True)
            out = tmp / f"{who}.json"
            subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(out), *everything],
                           env={**os.environ, "PYTHONPATH": str(code)}, cwd=tmp, check=True)
            results[who] = json.loads(out.read_text(encoding="utf-8"))
            assert results[who].pop("code").startswith(str(code)), "the measured code is not the one imported"
        old, new = results["base"], results["new"]
        differing = 0
        print(f"base {args.base} against {REPO.name} (CPU: base {old['seconds']:.1f} s, new {new['seconds']:.1f} s)")
        for group, paths in groups.items():
            names = [str(p) for p in paths]
            same = [n for n in names if old[n] == new[n]]
            findings = sum(len(old[n]) if isinstance(old[n], list) else 1 for n in names)
            errors = sum(isinstance(old[n], str) for n in names)
            print(f"  {group}: {len(names)} files, {findings} findings ({errors} errors) — "
                  f"{'identical' if len(same) == len(names) else f'{len(names) - len(same)} DIFFER'}")
            for n in names:
                if old[n] != new[n]:
                    differing += 1
                    print(f"    {Path(n).relative_to(tmp)}:\n      base: {old[n]}\n      new:  {new[n]}")
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base_tree)], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
