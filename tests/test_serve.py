"""`gongfu serve` in a real headless Chromium, with both PDF engines: the page shows the printed
pages, follows an edited template (redrawing only the page that changed), shows a broken template or
data file with its place, recovers when it is fixed, and the background check (a child process) ends
with the server. Without a browser: the page digests that decide which pages are drawn again."""

from __future__ import annotations

import queue
import re
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from conftest import REPO, all_gone, gongfu, headless_chromium, stat


WAIT = 120   # seconds; a generous bound for a shared 2-core machine, not a measurement

# Long enough for three pages: the 版记 (抄送) is on the last one, the 红头 on the first.
PARAGRAPHS = "".join(f"  - 第{n}段：这一段正文用来把通知排成好几页，检查预览只重画改动了的那一页，其余各页的图像保持不变。\n"
                     for n in range(1, 25))
NOTICE = f"""\
发文机关标志: 舟山市测试办公室文件
发文字号: 舟测办〔2024〕7号
标题: 关于预览测试的通知
主送机关: 各有关单位
正文:
{PARAGRAPHS}署名: 舟山市测试办公室
成文日期: 2024-05-06
抄送: 市发改委
印发机关: 舟山市测试办公室
印发日期: 2024-05-07
"""
# The engine's template, and an edit of its 版记 (on the last page): a word after the 印发机关.
MARK = "（版记）"
TEMPLATES = {"typst": ("templates/typst/document.typ", "[#im.printer #h(1fr)", f"[#im.printer{MARK}#h(1fr)"),
             "html": ("templates/html/document.html.j2", "<span>{{ view.imprint.printer }}</span>",
                      f"<span>{{{{ view.imprint.printer }}}}{MARK}</span>")}


def make_project(folder: Path, engine: str) -> Path:
    (folder / "data").mkdir(parents=True)
    shutil.copy(REPO / "data" / "units.yaml", folder / "data" / "units.yaml")
    (folder / "data" / "notice.yaml").write_text(NOTICE, encoding="utf-8")
    config = (REPO / "config.yaml").read_text(encoding="utf-8")
    head = re.sub(r"(?m)^pdf_engine: .*$", f"pdf_engine: {engine}", config[:config.index("\ndocuments:")])
    assert f"pdf_engine: {engine}" in head
    (folder / "config.yaml").write_text(head + "\ndocuments:\n  yulan:\n    kind: notice\n    notice: data/notice.yaml\n",
                                        encoding="utf-8")
    assert gongfu(folder, "templates", "export", "notice").returncode == 0
    return folder


@pytest.fixture(params=["typst", "html"])
def engine(request) -> str:
    return request.param


@pytest.fixture()
def project(tmp_path, engine):
    return make_project(tmp_path / "w", engine)


def start_server(project: Path):
    # Started as from a terminal (tests/hooks.py), so that Ctrl+C reaches it however the tests were run.
    process = subprocess.Popen([sys.executable, str(Path(__file__).parent / "hooks.py"), "terminal", "serve", "yulan",
                                "--port", "0", "-C", str(project)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        first = lines.get(timeout=WAIT)
    except queue.Empty:
        process.kill()
        pytest.fail("gongfu serve printed no address: " + process.stderr.read())
    assert first and first.startswith("预览地址：http://127.0.0.1:"), first
    return first.split("：", 1)[1].strip(), process, lines


@pytest.fixture()
def server(project):
    url, process, lines = start_server(project)
    yield url, process, lines
    if process.poll() is None:
        process.kill()
        process.wait()


def children(pid: int) -> set[int]:
    """The child processes of a process (Linux /proc)."""
    out = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out |= {int(p) for p in (task / "children").read_text().split()}
        except OSError:
            pass
    return out


def command(pid: int) -> list[str]:
    """A process's arguments; [] once it has ended (or is a zombie)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0")
    except OSError:
        return []


def is_check_process(pid: int) -> bool:
    """The GB/T 9704 check's child (check.py: a multiprocessing "spawn" child), not the resource tracker
    multiprocessing starts first nor the Typst compiler's child."""
    args = command(pid)
    return "--multiprocessing-fork" in args and any("spawn_main" in arg for arg in args)


def helpers_with_check(pid: int) -> dict[int, str] | None:
    """All child processes of the server, by pid with their start time (a pid used again later is
    another process), once its check process is among them; None before."""
    found = {child: fields[19] for child in children(pid) if (fields := stat(child)) is not None}
    return found if any(is_check_process(child) for child in found) else None


def eventually(condition, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    pytest.fail(f"never: {what}")


@pytest.fixture()
def browser():
    driver = headless_chromium("--window-size=1000,1400")
    yield driver
    driver.quit()


def shown(driver) -> dict:
    """What the page shows: the error box, the check's notes, each page's text (from the rendered
    PDF), image address, whether its image is drawn, and the mark a test put on its element."""
    return driver.execute_script("""
        const error = document.getElementById('error');
        const notes = document.getElementById('notes');
        const pages = [...document.querySelectorAll('figure.page')].map(p => {
          const img = p.querySelector('img'), text = p.querySelector('.text');
          return {text: text ? text.textContent : null, src: img ? img.getAttribute('src') : null,
                  drawn: !!img && img.complete && img.naturalWidth > 500, mark: img ? img.dataset.mark || null : null};
        });
        return {error: error ? error.textContent : null, notes: notes ? notes.textContent : null, pages,
                text: pages.map(p => p.text || '').join('\\n')};""")


def scroll_to(driver, n: int) -> None:
    """Bring page n (0: the last) on screen: the browser asks for images of pages on screen only."""
    driver.execute_script("const f = document.querySelectorAll('figure.page'); f[(arguments[0] || f.length) - 1]"
                          ".scrollIntoView()", n)


def wait_for(driver, condition, what: str) -> dict:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    last: dict = {}

    def check(d):
        last.update(shown(d))
        return condition(last)

    try:
        WebDriverWait(driver, WAIT, poll_frequency=0.5).until(check)
    except TimeoutException:
        pytest.fail(f"the page never showed {what}; it showed: {last}")
    return dict(last)


def test_preview_follows_edits_and_shows_errors(project, engine, server, browser):
    url, process, lines = server
    browser.get(url)
    first = wait_for(browser, lambda s: len(s["pages"]) >= 3 and s["pages"][0]["drawn"] and all(p["text"] for p in s["pages"])
                     and "抄送：市发改委。" in s["pages"][-1]["text"], "the pages of the notice")
    assert "关于预览测试的通知" in first["pages"][0]["text"] and first["error"] is None
    count = len(first["pages"])

    # The GB/T 9704 check and the Word output, made in the background (a child process), are reported.
    # The notice is clean with either engine: no data warnings, no findings, no error of the checker.
    checked = wait_for(browser, lambda s: s["notes"] and "正在" not in s["notes"], "the check's result")
    assert checked["notes"] == "PDF 和 Word 输出均符合 GB/T 9704-2012 的各项检查", checked["notes"]

    # An editor adds a word to the 版记 on the last page; that page follows without a reload, and it
    # alone is drawn again: the other pages keep their image elements and addresses.
    scroll_to(browser, 0)
    wait_for(browser, lambda s: s["pages"][-1]["drawn"], "the last page")
    browser.execute_script("document.querySelectorAll('figure.page img').forEach(i => i.dataset.mark = 'before')")
    path, old, new = TEMPLATES[engine]
    template = project / path
    original = template.read_text(encoding="utf-8")
    assert original.count(old) == 1
    edited = original.replace(old, new)
    template.write_text(edited, encoding="utf-8")
    after = wait_for(browser, lambda s: MARK in (s["pages"][-1]["text"] or "") and s["pages"][-1]["drawn"]
                     and all(p["text"] for p in s["pages"]), "the edited word")
    assert "舟山市测试办公室" + MARK in after["pages"][-1]["text"] and len(after["pages"]) == count
    assert after["pages"][-1]["src"] != first["pages"][-1]["src"] and after["pages"][-1]["mark"] is None
    for before, now in zip(first["pages"][:-1], after["pages"][:-1]):
        assert now["src"] == before["src"] and now["mark"] == "before" and now["text"] == before["text"]

    # A template error shows in the page with the template and its line; the server stays up.
    lines_of = edited.splitlines()
    if engine == "html":
        broken_line = next(i for i, line in enumerate(lines_of, 1) if "<body>" in line)
        lines_of[broken_line - 1] += "{% if %}"
        message = "模板语法错误"
    else:
        broken_line = next(i for i, line in enumerate(lines_of, 1) if line.startswith("#let gap ="))
        lines_of[broken_line - 1] = "#let gap = pitch - box-h + no-such-length"
        message = "Typst 模板出错"
    template.write_text("\n".join(lines_of) + "\n", encoding="utf-8")
    error = wait_for(browser, lambda s: s["error"] is not None, "the template error")
    assert path.rsplit("/", 1)[1] in error["error"] and f"第{broken_line}行" in error["error"], error["error"]
    assert message in error["error"]
    assert process.poll() is None

    template.write_text(edited, encoding="utf-8")
    recovered = wait_for(browser, lambda s: s["error"] is None and MARK in s["text"]
                         and all(p["text"] for p in s["pages"]) and s["pages"][-1]["drawn"], "the recovered pages")
    assert len(recovered["pages"]) == count

    # Data: a YAML mistake names the file and line; fixing it brings the new wording (on page 1).
    scroll_to(browser, 1)
    notice = project / "data" / "notice.yaml"
    notice.write_text(NOTICE.replace("抄送: 市发改委", "抄送: [市发改委"), encoding="utf-8")
    bad = wait_for(browser, lambda s: s["error"] is not None, "the YAML error")
    assert "data/notice.yaml" in bad["error"] and "第" in bad["error"]
    notice.write_text(NOTICE.replace("关于预览测试的通知", "关于预览测试的补充通知"), encoding="utf-8")
    wait_for(browser, lambda s: s["error"] is None and "关于预览测试的补充通知" in (s["pages"][0]["text"] or "")
             and s["pages"][0]["drawn"], "the new title")

    # config.yaml: a wrong key is shown with its line; fixing it brings the pages back.
    config = project / "config.yaml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good.replace("    notice: data/notice.yaml", "    notise: data/notice.yaml"), encoding="utf-8")
    line = next(i for i, text in enumerate(good.splitlines(), 1) if "notice: data/notice.yaml" in text)
    bad = wait_for(browser, lambda s: s["error"] is not None, "the config error")
    assert "config.yaml" in bad["error"] and "notise" in bad["error"] and f"第{line}行" in bad["error"]
    config.write_text(good, encoding="utf-8")
    wait_for(browser, lambda s: s["error"] is None and "关于预览测试的补充通知" in s["text"], "the pages again")

    # Ctrl+C stops the server cleanly, and the check's child process with it.
    helpers = eventually(lambda: helpers_with_check(process.pid), "the check's child process")
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=WAIT) == 0
    rest = []
    while (line := lines.get(timeout=WAIT)) is not None:
        rest.append(line)
    assert "预览已停止" in "".join(rest)
    assert "Traceback" not in process.stderr.read()
    eventually(lambda: all_gone(helpers), f"the child processes gone: {helpers}")


def test_check_process_ends_when_the_server_is_killed(tmp_path, engine):
    """A server killed outright (no clean-up runs) once it has shown a checked preview leaves no process
    behind: neither the check's child nor the others it has by then (e.g. multiprocessing's resource
    tracker, the Typst compiler's child, the worker that lays out WeasyPrint's PDF)."""
    from urllib.request import urlopen

    project = make_project(tmp_path / "w", engine)
    url, process, _lines = start_server(project)

    def checked() -> bool:
        """The preview has the check's result: the check's child is past its start and waits for
        the next job (killed earlier, it would die while starting, whatever its code does later)."""
        with urlopen(url.replace("/doc?", "/api/content?"), timeout=WAIT) as response:
            notes = re.search(r'id="notes">(.*?)</div>', response.read().decode("utf-8"))
        return bool(notes) and not notes.group(1).startswith("正在")

    try:
        eventually(checked, "the check's result")
        helpers = eventually(lambda: helpers_with_check(process.pid), "the check's child process")
    finally:
        process.kill()
        process.wait()
    eventually(lambda: all_gone(helpers), f"the child processes gone: {helpers}")


def test_switching_back_to_typst_ends_the_weasyprint_worker(tmp_path, monkeypatch):
    """An editor tries the HTML engine in the preview, then goes back to Typst: the worker that laid out
    WeasyPrint's PDFs (~200 MB, and its temporary folder of copied fonts) does not stay for the session."""
    from urllib.request import urlopen

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    project = make_project(tmp_path / "w", "html")
    url, process, _lines = start_server(project)
    try:
        urlopen(url, timeout=WAIT).read()
        eventually(lambda: list(temp.glob("gongfu-workers-*")), "the WeasyPrint worker's temporary folder")
        config = project / "config.yaml"
        config.write_text(config.read_text("utf-8").replace("pdf_engine: html", "pdf_engine: typst"), "utf-8")
        eventually(lambda: not list(temp.glob("gongfu-workers-*")), "the worker ended and its folder gone")
    finally:
        process.kill()
        process.wait()


def test_page_digests_change_with_what_the_page_draws(tmp_path):
    """Equal digest, equal image: rendering the same inputs again gives the same digests; a word on the
    last page changes that page's digest alone; a colour on page 1 (same text) changes page 1's alone."""
    from gongfu_reports.preview.render import PAGE_SCALE, Pdfium, render_document

    project = make_project(tmp_path / "w", "typst")
    pdfium = Pdfium()

    def pages():
        rendered = render_document(project, "yulan", None, pdfium)
        return [page for _index, page in pdfium.pages(rendered.pdf, list(range(len(rendered.pages))))], rendered

    first, rendered = pages()
    assert len(first) >= 3
    assert pages()[0] == first

    notice = project / "data" / "notice.yaml"
    notice.write_text(NOTICE.replace("抄送: 市发改委", "抄送: 市经信局"), encoding="utf-8")
    copy_to, _ = pages()
    assert [a.digest == b.digest for a, b in zip(first, copy_to)] == [True] * (len(first) - 1) + [False]
    assert "抄送：市经信局。" in copy_to[-1].text

    template = project / "templates" / "typst" / "document.typ"
    text = template.read_text(encoding="utf-8")
    assert text.count("stroke: 0.5mm + red") == 1   # the red rule under the 发文字号
    template.write_text(text.replace("stroke: 0.5mm + red", "stroke: 0.5mm + blue"), encoding="utf-8")
    blue, _ = pages()
    assert [a.text == b.text for a, b in zip(copy_to, blue)] == [True] * len(first)
    assert [a.digest == b.digest for a, b in zip(copy_to, blue)] == [False] + [True] * (len(first) - 1)

    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(pdfium.png(rendered.pdf, 0)))
    assert image.format == "PNG"
    assert image.size == (round(first[0].width * PAGE_SCALE), round(first[0].height * PAGE_SCALE))
    pdfium.close()


def test_port_in_use_is_a_clear_error(tmp_path):
    import socket

    project = make_project(tmp_path / "w", "typst")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "gongfu_reports", "serve", "--port", str(port),
                                 "-C", str(project)], capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 2
    assert f"端口 {port} 已被占用" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


def test_requests_from_other_sites_and_odd_requests_do_no_work(tmp_path):
    """A page of another site open in the browser cannot make the preview render (browsers say where a
    request comes from: Sec-Fetch-Site); a document or period that cannot be one is refused before any
    work; odd page ranges and a client that hangs up print nothing in the terminal."""
    import socket
    from urllib.error import HTTPError
    from urllib.request import Request, urlopen

    project = make_project(tmp_path / "w", "typst")
    url, process, _lines = start_server(project)
    base = url.split("/doc?", 1)[0]

    def get(path: str, **headers) -> int:
        try:
            with urlopen(Request(base + path, headers=headers), timeout=WAIT) as response:
                response.read()
                return response.status
        except HTTPError as error:
            return error.code

    try:
        assert get("/api/status?doc=yulan", **{"Sec-Fetch-Site": "cross-site"}) == 403
        assert get("/api/status?doc=yulan", **{"Sec-Fetch-Site": "same-site"}) == 403
        assert get("/api/status?doc=yulan", **{"Sec-Fetch-Site": "same-origin"}) == 200
        assert get("/api/status?doc=yulan&period=junk1") == 404
        assert get("/api/status?doc=" + quote("长" * 200)) == 404
        assert get("/api/status?doc=../config.yaml") == 404
        for pages in ("%C2%B2-1", "1-" + "9" * 5000, "x-1", "3-4"):
            assert get(f"/api/view?doc=yulan&pages={pages}") in (204, 414), pages
        eventually(lambda: get("/api/pdf?doc=yulan") == 200, "the PDF")
        for _ in range(3):   # a browser tab closed while the PDF loads
            with socket.create_connection(("127.0.0.1", urlsplit(base).port)) as sock:
                sock.sendall(b"GET /api/pdf?doc=yulan HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))   # reset
        assert get("/api/status?doc=yulan") == 200   # still serving
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=WAIT)
    stderr = process.stderr.read()
    assert "Traceback" not in stderr and "Error" not in stderr, stderr


def test_only_the_documents_wanted_last_are_kept(tmp_path):
    """However many documents (or periods) browsers ask for, the preview keeps MAX_ENTRIES renderings:
    those wanted least recently go, never one a browser is waiting on."""
    from gongfu_reports.preview.state import MAX_ENTRIES, Previews

    previews = Previews(tmp_path)
    previews.waiting[("first", None)] = 1          # a browser waits on it (a long poll)
    previews.want(("first", None))
    for n in range(40):
        previews.want((f"doc{n}", "2024-06"))
    kept = set(previews.entries)
    assert len(kept) == MAX_ENTRIES and ("first", None) in kept
    assert {(f"doc{n}", "2024-06") for n in range(40 - MAX_ENTRIES + 1, 40)} <= kept
    assert set(previews.seen) == kept and not set(previews.viewing) - kept
