"""`gongfu serve` speed as an editor meets it, in headless Chromium: the code of a base commit and the
current tree side by side in one run.

    .venv/bin/python bench/preview_speed.py                     # 5 rounds, Typst and HTML engines
    .venv/bin/python bench/preview_speed.py --rounds 3 --engines typst
    .venv/bin/python bench/preview_speed.py --base df3d7ff      # the commit to compare with

Both codes are snapshots in a temporary folder (the base from `git archive`, the current tree copied,
so edits made meanwhile do not disturb the runs); each runs as `python -m gongfu_reports` from its
snapshot (the current folder and PYTHONPATH, ahead of the virtualenv's editable install), and makes
its own working folder with `gongfu init` (a copy of the bundled example), with `pdf_engine` set in
its config.yaml and an imprint (抄送, 印发机关) added to data/notice.yaml, so that the last page carries
the template's 抄送 line. Chromium is started once, before any server.

One round, for each engine and each code in turn (the codes alternate, so both see the same load):
- first preview: from starting `gongfu serve gongzuo-yaodian-2024` to page 1's image shown in the
  browser (the command's own start-up included; the browser opens the address as soon as it is printed);
- data change: a word added to data/notice.yaml's title (page 1) saved → page 1's new image shown;
- template change: a word in the 版记 of the engine's template (on the last page, which is scrolled
  into view first) saved → the last page's new image shown: 抄送 → 分送 in the templates of df3d7ff,
  where the label was the template's, a word after the 印发机关 in later ones;
- template change of every page: the page numbers' dashes (— → －) → page 1's new image shown;
  each change is saved once the page has settled (the GB/T 9704 check of the previous version done),
  and saved back the same way;
- save during the check: the title word saved again 0.3 s after the previous update was shown, while
  the background check of that version may still run.
"Shown" is decided in the page itself (a 10 ms timer: the image complete, with a new address, and the
page's text carrying the new word), and stamped with the browser's clock, the same clock as the
saves'. "Images fetched" counts the page images the browser downloaded after a change (addresses it
had not loaded before). A server whose page never shows a change within 240 s is recorded as failed
(with its state and stderr) and the rounds go on. Writes a markdown table to stdout and to
bench/preview_speed.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = "gongzuo-yaodian-2024"
WAIT = 240              # seconds: a bound for a loaded machine, not a measurement
SETTLE = 0.5            # seconds between the page settling and the next save
TITLE = ("工作要点》的通知", "工作要点》的通知（修订）")
MARK = "（修订）"
# An imprint (版记) for the notice, so that the last page carries the 抄送 line of the template.
IMPRINT = "抄送: 市发改委，市经信局\n印发机关: 舟山市人民政府办公室\n印发日期: 2024-04-30\n"
# Each change is saved there and back: (key, file, old, new, page shown (None: the last), word
# on that page after the change: the page's text, without line breaks, must carry it). Of the
# entries with one key, the first whose text is in the working folder's file is made (the
# templates of one code or the other).
CHANGES = {
    "typst": [("data", "data/notice.yaml", *TITLE, 1, MARK),
              # the template's word in the 版记: its fixed 抄送 label (until the label moved to the
              # data), else a word after the 印发机关
              ("template", "templates/typst/document.typ", "[抄送：", "[分送：", None, "分送："),
              ("template", "templates/typst/document.typ", "[#im.printer #h(1fr)", "[#im.printer（版记）#h(1fr)",
               None, "（版记）"),
              ("numbers", "templates/typst/document.typ", "[— #n —]", "[－ #n －]", 1, "－1－")],
    "html": [("data", "data/notice.yaml", *TITLE, 1, MARK),
             ("template", "templates/html/document.html.j2", ">抄送：", ">分送：", None, "分送："),
             ("template", "templates/html/document.html.j2", "<span>{{ view.imprint.printer }}</span>",
              "<span>{{ view.imprint.printer }}（版记）</span>", None, "（版记）"),
             ("numbers", "templates/html/gongwen.css.j2", '"— " counter(page) " —"', '"－ " counter(page) " －"',
              1, "－1－")],
}


def changes(folder: Path, engine: str) -> list[tuple]:
    """The changes this working folder's files allow, one per key."""
    out: dict = {}
    for change in CHANGES[engine]:
        key, path, old = change[:3]
        if key not in out and (folder / path).exists() and old in (folder / path).read_text(encoding="utf-8"):
            out[key] = change
    assert len(out) == len({c[0] for c in CHANGES[engine]}), (folder, engine, list(out))
    return list(out.values())


LABELS = {"data": "data change → page shown (title, page 1)",
          "template": "template change → page shown (a word in the 版记, last page)",
          "numbers": "template change of every page → page 1 shown (page numbers — → －)"}

WATCH_JS = """
const [name, page, before, word] = arguments;
window.__shown = window.__shown || {};
window.__shown[name] = null;
const timer = setInterval(() => {
  const figure = document.getElementById('page-' + (page || document.querySelectorAll('figure.page').length));
  const img = figure && figure.querySelector('img');
  if (!img || !img.complete || !img.naturalWidth || img.getAttribute('src') === before) return;
  const text = figure.querySelector('.text');
  if (word) {   // the page's text, without line breaks; "!word": the word is gone
    const has = !!text && text.textContent.replace(/\s/g, '').includes(word.replace(/^!/, ''));
    if (has === word.startsWith('!')) return;
  }
  window.__shown[name] = Date.now();
  clearInterval(timer);
}, 10);
"""


# Page images loaded under an address not seen before: each was downloaded (an address seen before
# may come from the browser's cache).
COUNT_JS = """
window.__fetched = 0;
const seen = new Set();
document.addEventListener('load', e => {
  const src = e.target.tagName === 'IMG' && e.target.getAttribute('src');
  if (src && src.includes('/api/page') && !seen.has(src)) { seen.add(src); window.__fetched += 1; }
}, true);
"""


# ------------------------------------------------------------------------------------- snapshots

def snapshot(commit: str | None, target: Path) -> Path:
    """The code of a commit (git archive), or of the working tree (its tracked and new files)."""
    target.mkdir(parents=True)
    if commit:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", commit], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    else:
        names = subprocess.run(["git", "-C", str(REPO), "ls-files", "-co", "--exclude-standard", "-z"],
                               capture_output=True, check=True).stdout.decode().split("\0")
        for name in filter(None, names):
            source = REPO / name
            if source.is_file():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
    imported = subprocess.run([sys.executable, "-c", "import gongfu_reports; print(gongfu_reports.__file__)"],
                              env=dict(os.environ, PYTHONPATH=str(target)), cwd=target, capture_output=True,
                              text=True, check=True).stdout.strip()
    assert Path(imported).is_relative_to(target), f"{target} runs the code of {imported}"
    return target


def gongfu(code: Path, *args: str, **kwargs):
    """The command of one code: its snapshot is the current folder (the first entry of sys.path with
    `python -m`) and PYTHONPATH, ahead of the editable install of the virtualenv."""
    env = dict(os.environ, PYTHONPATH=str(code), PYTHONHASHSEED="0")
    return subprocess.Popen([sys.executable, "-m", "gongfu_reports", *args], env=env, cwd=code, **kwargs)


def working_folder(code: Path, folder: Path, engine: str) -> Path:
    process = gongfu(code, "init", str(folder), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if process.wait() != 0:
        raise SystemExit(f"gongfu init failed: {process.stderr.read().decode()}")
    config = folder / "config.yaml"
    text = config.read_text(encoding="utf-8")
    text, count = re.subn(r"(?m)^pdf_engine: \w+$", f"pdf_engine: {engine}", text)   # the bundled one's default
    assert count == 1
    config.write_text(text, encoding="utf-8")
    notice = folder / "data" / "notice.yaml"
    notice.write_text(notice.read_text(encoding="utf-8").rstrip("\n") + "\n" + IMPRINT, encoding="utf-8")
    for _key, path, *_ in CHANGES[engine]:
        target = folder / path
        if not target.exists():      # a working folder without the template: the bundled one
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(code / path, target)
    changes(folder, engine)
    return folder


# --------------------------------------------------------------------------------------- browser

def start_browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not (chromium and driver_path):
        raise SystemExit("needs chromium and chromedriver (scripts/install.sh --with-test-tools)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1000,1400"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(driver_path), options=options)


def wait_until(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise TimeoutError(f"timed out waiting for {what}")


def shown_at(driver, name: str, what: str) -> float:
    try:
        return wait_until(lambda: driver.execute_script(f"return (window.__shown || {{}})['{name}']"), what) / 1000
    except TimeoutError:
        print("the page shows:", driver.execute_script("""
            return [...document.querySelectorAll('figure.page')].map(f => {
              const img = f.querySelector('img');
              return [f.id, f.dataset.key, img && img.getAttribute('src'), img && img.complete,
                      Math.round(f.getBoundingClientRect().top)];
            }).filter(x => x[4] > -2000 && x[4] < 3000);"""), file=sys.stderr)
        raise


def settled(driver) -> bool:
    """The GB/T 9704 check of what is shown is done (or there is none to wait for)."""
    return driver.execute_script("""
        const notes = document.getElementById('notes');
        return !notes || !notes.textContent.includes('正在');""")


def src(driver, page: int | None) -> str:
    return driver.execute_script("""
        const figures = document.querySelectorAll('figure.page');
        const figure = document.getElementById('page-' + (arguments[0] || figures.length));
        return figure.querySelector('img').getAttribute('src');""", page)


def fetched(driver) -> int:
    return driver.execute_script("return window.__fetched")


# ---------------------------------------------------------------------------------------- a round

def one_server(driver, code: Path, folder: Path, engine: str) -> dict:
    """Start `gongfu serve`, wait for the first page, make the changes; the times of one server."""
    result: dict = {"busy": []}
    made = changes(folder, engine)
    originals = {path: (folder / path).read_bytes() for _key, path, *_ in made}
    errors = tempfile.TemporaryFile("w+")
    started = time.time()
    process = gongfu(code, "serve", DOC, "--port", "0", "-C", str(folder),
                     stdout=subprocess.PIPE, stderr=errors, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        line = lines.get(timeout=WAIT)
        result["address"] = time.time() - started
        url = line.split("：", 1)[1].strip()
        driver.get(url)
        driver.execute_script(COUNT_JS)
        driver.execute_script(WATCH_JS, "first", 1, None, None)
        result["first"] = shown_at(driver, "first", "the first page") - started

        def change(name: str, path: Path, old: str, new: str, page: int | None, word: str,
                   wait_settled: bool = True) -> tuple[float, int]:
            last = driver.execute_script("return document.querySelectorAll('figure.page').length")
            driver.execute_script("document.getElementById(arguments[0]).scrollIntoView()", f"page-{page or last}")
            driver.execute_script(WATCH_JS, "scrolled", page, "", None)
            shown_at(driver, "scrolled", "the page before the change")
            if wait_settled:
                wait_until(lambda: settled(driver), "the check of the shown version")
                time.sleep(SETTLE)
            else:
                time.sleep(0.3)
            before, count = src(driver, page), fetched(driver)
            driver.execute_script(WATCH_JS, name, page, before, word)
            text = path.read_text(encoding="utf-8")
            assert old in text, (path, old)
            path.write_text(text.replace(old, new), encoding="utf-8")
            saved = time.time()
            seen = shown_at(driver, name, name)
            time.sleep(0.3)
            return seen - saved, fetched(driver) - count

        for key, path, old, new, page, word in made:
            for i, (a, b, w) in enumerate(((old, new, word), (new, old, "!" + word))):
                seconds, images = change(f"{key}{i}", folder / path, a, b, page, w)
                result.setdefault(key, []).append(seconds)
                result.setdefault(key + " images", []).append(images)
        # The title again, saved 0.3 s after the previous update showed: the check may still run.
        _key, path, old, new, page, word = made[0]
        change("warm", folder / path, old, new, page, word)
        result["busy"].append(change("busy", folder / path, new, old, page, "!" + word, wait_settled=False)[0])
    except (TimeoutError, queue.Empty) as exc:   # recorded, and the rounds go on
        state = "running" if process.poll() is None else f"exited with {process.returncode}"
        errors.seek(0)
        result["failed"] = f"{exc} (the server {state}; its stderr: {errors.read()[-500:]!r})"
        print("FAILED:", result["failed"], file=sys.stderr, flush=True)
    finally:
        process.kill()
        process.wait()
        errors.close()
        for path, data in originals.items():
            (folder / path).write_bytes(data)
    return result


# ----------------------------------------------------------------------------------------- phases

PHASES = r"""
import sys, time
t0 = time.perf_counter()
from pathlib import Path
from gongfu_reports import kinds
from gongfu_reports.render.registry import renderer_for
import pypdfium2, io
t1 = time.perf_counter()
root = Path(sys.argv[1])
out = {"imports": t1 - t0}
for run in ("cold", "warm"):
    a = time.perf_counter(); config = kinds.load_config(root)
    b = time.perf_counter(); composed = kinds.compose(config, sys.argv[2], None)
    c = time.perf_counter(); pdf = renderer_for("pdf", config).render(composed.view, config)
    d = time.perf_counter()
    document = pypdfium2.PdfDocument(pdf)
    texts = []
    for i in range(len(document)):
        page = document[i]; textpage = page.get_textpage(); texts.append(textpage.get_text_range())
        textpage.close(); page.close()
    e = time.perf_counter()
    page = document[0]; image = page.render(scale=1.5).to_pil(); page.close()
    f = time.perf_counter()
    image.save(io.BytesIO(), "PNG", compress_level=1)
    g = time.perf_counter()
    document.close()
    out.update({f"{run} config": b - a, f"{run} compose": c - b, f"{run} render": d - c,
                f"{run} page texts ({len(texts)} pages)": e - d, f"{run} rasterise page 1": f - e,
                f"{run} PNG page 1": g - f})
print(repr(out))
"""


def phases(code: Path, folder: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(code))
    output = subprocess.run([sys.executable, "-c", PHASES, str(folder), DOC], env=env, cwd=code,
                            capture_output=True, text=True, check=True).stdout
    return eval(output)   # noqa: S307 - our own subprocess's repr of a dict of floats


# ------------------------------------------------------------------------------------------ table

def cell(values: list[float], unit: str = "s") -> str:
    if not values:
        return "–"
    med = statistics.median(values)
    if not unit:
        return f"{med:g} ({min(values):g}–{max(values):g})"
    if len(values) == 1:
        return f"{med:.2f} {unit}"
    return f"{med:.2f} {unit} ({min(values):.2f}–{max(values):.2f})"


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=None, help="commit to compare with (default: merge-base of HEAD and main)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--engines", default="typst,html")
    parser.add_argument("--out", default=str(REPO / "bench" / "preview_speed.md"))
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    git = lambda *a: subprocess.run(["git", "-C", str(REPO), *a], capture_output=True, text=True, check=True).stdout.strip()  # noqa: E731
    base = args.base or git("merge-base", "HEAD", "main")
    base_sha, head_sha = git("rev-parse", "--short", base), git("rev-parse", "--short", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    started = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    load_start = load()
    with tempfile.TemporaryDirectory(prefix="preview-bench-") as tmp:
        tmp = Path(tmp)
        codes = {"base": snapshot(base_sha, tmp / "code-base"), "this tree": snapshot(None, tmp / "code-new")}
        folders = {(name, engine): working_folder(code, tmp / f"w-{i}-{engine}", engine)
                   for i, (name, code) in enumerate(codes.items()) for engine in engines}
        results: dict = {key: [] for key in folders}
        driver = start_browser()
        try:
            for r in range(args.rounds):
                for engine in engines:
                    for name, code in (codes.items() if r % 2 == 0 else reversed(codes.items())):
                        res = one_server(driver, code, folders[name, engine], engine)
                        results[name, engine].append(res)
                        print(f"round {r + 1} {engine:5} {name:9}: " + ", ".join(
                            f"{k} {' '.join(f'{v:.2f}' if isinstance(v, float) else str(v) for v in vs)}"
                            for k, vs in ((k, v if isinstance(v, list) else [v]) for k, v in res.items()
                                          if k != "failed"))
                            + f"  (load {load()})", flush=True)
        finally:
            driver.quit()
        phase = {(name, engine): phases(codes[name], folders[name, engine]) for name, engine in folders}
    load_end = load()

    rows = []
    for engine in engines:
        base_res, new_res = results["base", engine], results["this tree", engine]
        measures = [("address printed (start-up)", "address", "s"), ("**first preview** (page 1 shown)", "first", "s")]
        for key in dict.fromkeys(c[0] for c in CHANGES[engine]):
            measures.append((f"**{LABELS[key]}**", key, "s"))
        measures.append(("data change saved 0.3 s after the last update (the check may run)", "busy", "s"))
        for key in dict.fromkeys(c[0] for c in CHANGES[engine]):
            measures.append((f"page images fetched after: {key}", key + " images", ""))
        failed = [sum("failed" in x for x in rs) for rs in (base_res, new_res)]
        rows.append(f"| {engine} | servers run (of them failed: the page never showed a change within {WAIT} s) | "
                    f"{len(base_res)} ({failed[0]}) | {len(new_res)} ({failed[1]}) | |")
        for label, key, unit in measures:
            b, n = ([v for x in rs if key in x for v in (x[key] if isinstance(x[key], list) else [x[key]])]
                    for rs in (base_res, new_res))
            ratio = f"{statistics.median(b) / statistics.median(n):.1f}×" if unit == "s" and b and n else ""
            rows.append(f"| {engine} | {label} | {cell(b, unit)} | {cell(n, unit)} | {ratio} |")
    failures = [f"- {engine}, {name}, round {i + 1}: {x['failed']}" for (name, engine), rs in results.items()
                for i, x in enumerate(rs) if "failed" in x]
    phase_rows = []
    for engine in engines:
        keys = list(phase["this tree", engine])
        for key in keys:
            phase_rows.append(f"| {engine} | {key} | {phase['base', engine].get(key, 0):.2f} | "
                              f"{phase['this tree', engine][key]:.2f} |")
    text = "\n".join([
        "# gongfu serve: preview speed (bench/preview_speed.py)",
        "",
        f"Run {started}, {args.rounds} rounds; base `{base_sha}`, this tree `{head_sha}`"
        f"{' with uncommitted changes' if dirty else ''}. {platform.node()}: {os.cpu_count()} CPU, "
        f"Python {platform.python_version()}; load average (1/5/15 min) {load_start} at the start, {load_end} at the end.",
        "Document: `gongzuo-yaodian-2024` (the 工作要点 notice: 47 pages with Typst, 46 with WeasyPrint). Median (min–max) over the rounds; "
        "the changes twice per round. Ratio = base / this tree.",
        "",
        "| engine | measure | base | this tree | ratio |",
        "|---|---|---:|---:|---:|",
        *rows,
        "",
        *(["Failed runs:", "", *failures, ""] if failures else []),
        "Phases in one process (the same work as the preview's first rendering; `cold` = first in the process, "
        "`warm` = again), seconds, measured after the rounds with each code's own import of the renderers:",
        "",
        "| engine | phase | base code | this tree |",
        "|---|---|---:|---:|",
        *phase_rows,
        "",
    ])
    print("\n" + text)
    Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
