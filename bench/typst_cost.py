"""What parts of the Typst template cost: the example's compiles with the template as it is and variants.

    .venv/bin/python bench/typst_cost.py                  # CPU seconds, least of 3 rounds
    .venv/bin/python bench/typst_cost.py --instructions   # also instructions (valgrind's callgrind, ~2 min each)

The example is built once (`gongfu build --format pdf --jobs 1` in a temporary copy) to keep the requests the
build sends to the Typst child (the view, the fonts, the styles). Each variant of templates/typst/document.typ then
compiles all 8 of them in a process of its own, with a compiler of its own: Typst memoises layout across
compiles in one process, so a second template compiled there would reuse the first's work (docs/performance.md,
round 5). A variant whose PDFs differ from the template's is marked. CPU seconds of the same work vary by 10-30 %
between runs on a busy or shared machine; instructions repeat to 0.1 %, and are the measure for small differences.
Nothing in bench/ is part of the test suite; nothing is written into this repository.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import REPO, copy_workdir  # noqa: E402

PUNCTUATION_RULE = re.compile(r'#show regex\("\[" \+ punctuation \+ "\]\+"\): m => context \{.*?\n\}\n', re.S)
VARIANTS = {   # name → (what it leaves out, the change to the template's text)
    "as it is": ("", lambda t: t),
    "no punctuation rule": ("the rule that puts each punctuation mark in a box one character wide",
                            lambda t: PUNCTUATION_RULE.sub("", t, count=1)),
    "rule gives the text back": ("the same rule, giving the matched marks back unchanged (no boxes): what Typst's "
                                 "show-regex handling costs", lambda t: PUNCTUATION_RULE.sub(
                                     '#show regex("[" + punctuation + "]+"): m => m.text\n', t, count=1)),
    "no page numbers": ("the footer (page number, its query of the 版记's page)",
                        lambda t: t.replace("footer: page-number)", "footer: none)", 1)),
}

CHILD = r'''
import hashlib, json, resource, sys, typst
template, requests = sys.argv[1], json.load(open(sys.argv[2]))
compiler = typst.Compiler(root=requests[0]["root"], font_paths=requests[0]["font_dirs"])
usage = resource.getrusage(resource.RUSAGE_SELF)
start = usage.ru_utime + usage.ru_stime
digests = []
for r in requests:
    pdf = compiler.compile(input=template, format="pdf", sys_inputs=r["inputs"], timestamp=r["timestamp"], pdf_tags=True)
    digests.append(hashlib.sha256(pdf).hexdigest())
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"cpu": usage.ru_utime + usage.ru_stime - start, "digests": digests}))
'''


def requests_of_example(work: Path) -> list[dict]:
    """The Typst requests of the example's PDF build, as the build sends them (in this process, probed)."""
    out = work / "requests.json"
    probe = ("import json, sys\n"
             "from gongfu_reports.render import typst_child\n"
             "real, kept = typst_child.compile_pdf, []\n"
             "def keep(request, *limits):\n"
             "    if 'template' in request: kept.append(request)\n"
             "    return real(request, *limits)\n"
             "typst_child.compile_pdf = keep\n"
             "from gongfu_reports.build import BuildOptions, build\n"
             "from pathlib import Path\n"
             "build(Path('.'), BuildOptions([], force=True, jobs=1, formats=['pdf']))\n"
             f"json.dump(kept, open({str(out)!r}, 'w'), ensure_ascii=False)\n")
    subprocess.run([sys.executable, "-c", probe], cwd=work, check=True, env={**os.environ, "PYTHONPATH": str(REPO)},
                   stdout=subprocess.DEVNULL)
    return json.loads(out.read_text("utf-8"))


def run(template: Path, requests: Path, instructions: bool) -> dict:
    command = [sys.executable, "-c", CHILD, str(template), str(requests)]
    if not instructions:
        return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + command, check=True,
                          capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    result = json.loads(done.stdout)
    result["instructions"] = int(re.search(r"Collected : (\d+)", done.stderr).group(1))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of CPU times (default 3; each variant once a round)")
    parser.add_argument("--instructions", action="store_true", help="also count instructions with valgrind (slow)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="typst-cost-") as tmp:
        tmp = Path(tmp)
        work = copy_workdir(tmp / "work", REPO)
        requests = requests_of_example(work)
        (tmp / "requests.json").write_text(json.dumps(requests, ensure_ascii=False), "utf-8")
        original = Path(requests[0]["template"]).read_text("utf-8")
        folder = Path(requests[0]["root"])
        assert folder.is_relative_to(tmp), folder   # the working copy's template folder, never this repository's
        templates = {}
        for name, (_, change) in VARIANTS.items():
            text = change(original)
            if name != "as it is" and text == original:
                print(f"skipped “{name}”: the template no longer has what it changes", file=sys.stderr)
                continue
            templates[name] = folder / f"variant-{len(templates)}.typ"   # beside it: the same root
            templates[name].write_text(text, "utf-8")
        cpu: dict[str, list[float]] = {name: [] for name in templates}
        digests = {}
        for _ in range(args.rounds):
            for name, path in templates.items():
                result = run(path, tmp / "requests.json", False)
                cpu[name].append(result["cpu"])
                digests[name] = result["digests"]
        counted = {name: run(path, tmp / "requests.json", True)["instructions"] for name, path in templates.items()} \
            if args.instructions else {}
        for path in templates.values():
            path.unlink()
    base = min(cpu["as it is"])
    print(f"The example's {len(requests)} Typst compiles, one process per template (least of {args.rounds} rounds):\n")
    print("| template | CPU s | vs as it is | instructions (G) | PDFs |\n|---|---:|---:|---:|---|")
    for name in templates:
        same = "the same bytes" if digests[name] == digests["as it is"] else "differ"
        count = f"{counted[name] / 1e9:.2f}" if counted else ""
        print(f"| {name} | {min(cpu[name]):.2f} | {min(cpu[name]) / base:.2f} | {count} | {same} |")
    print()
    for name, (what, _) in VARIANTS.items():
        if what and name in templates:
            print(f"- {name}: {what}")


if __name__ == "__main__":
    main()
