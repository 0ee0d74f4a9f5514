"""`gongfu serve` in a real headless Chromium: the page shows the printed pages, follows an edited
template, shows a broken template or data file with its place, and recovers when it is fixed."""

from __future__ import annotations

import queue
import shutil
import signal
import subprocess
import sys
import threading

import pytest

from conftest import REPO, gongfu

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

WAIT = 120   # seconds; a generous bound for a shared 2-core machine, not a measurement

NOTICE = """\
发文机关标志: 舟山市测试办公室文件
发文字号: 舟测办〔2024〕7号
标题: 关于预览测试的通知
主送机关: 各有关单位
正文:
  - 这是一份只有一页的通知，用来检查预览是否随模板和数据的修改而更新。
署名: 舟山市测试办公室
成文日期: 2024-05-06
抄送: 市发改委
印发机关: 舟山市测试办公室
印发日期: 2024-05-07
"""


@pytest.fixture()
def project(tmp_path):
    folder = tmp_path / "w"
    (folder / "data").mkdir(parents=True)
    shutil.copy(REPO / "data" / "units.yaml", folder / "data" / "units.yaml")
    (folder / "data" / "notice.yaml").write_text(NOTICE, encoding="utf-8")
    config = (REPO / "config.yaml").read_text(encoding="utf-8")
    head = config[:config.index("\ndocuments:")]
    (folder / "config.yaml").write_text(head + "\ndocuments:\n  yulan:\n    kind: notice\n    notice: data/notice.yaml\n",
                                        encoding="utf-8")
    assert gongfu(folder, "templates", "export", "notice").returncode == 0
    return folder


@pytest.fixture()
def server(project):
    process = subprocess.Popen([sys.executable, "-m", "gongfu_reports", "serve", "yulan", "--port", "0",
                                "-C", str(project)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
    assert first.startswith("预览地址：http://127.0.0.1:"), first
    yield first.split("：", 1)[1].strip(), process, lines
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture()
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("Chromium is not installed: `bash scripts/install.sh --with-test-tools` installs chromium and "
                    "chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1000,1400"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def shown(driver) -> dict:
    """What the page shows: the error box, each page's text (from the rendered PDF), loaded images."""
    return driver.execute_script("""
        const error = document.getElementById('error');
        const pages = [...document.querySelectorAll('figure.page')];
        return {
          error: error ? error.textContent : null,
          text: pages.map(p => p.querySelector('.text').textContent).join('\\n'),
          images: pages.map(p => p.querySelector('img')).filter(i => i.complete && i.naturalWidth > 500).length,
          pages: pages.length,
          sources: pages.map(p => p.querySelector('img').getAttribute('src')),
        };""")


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


def test_preview_follows_edits_and_shows_errors(project, server, browser):
    url, process, lines = server
    browser.get(url)
    first = wait_for(browser, lambda s: s["images"] == s["pages"] >= 1 and "抄送：市发改委。" in s["text"],
                     "the pages of the notice")
    assert "关于预览测试的通知" in first["text"] and first["error"] is None

    # An editor changes a fixed word of the template; the page follows without a reload.
    template = project / "templates" / "html" / "document.html.j2"
    original = template.read_text(encoding="utf-8")
    assert original.count("抄送：") == 1
    edited = original.replace("抄送：", "分送：")
    template.write_text(edited, encoding="utf-8")
    after = wait_for(browser, lambda s: "分送：市发改委。" in s["text"] and s["images"] == s["pages"],
                     "the edited word")
    assert "抄送：" not in after["text"]
    assert after["sources"] != first["sources"]          # new page images, not the old ones

    # A template syntax error shows in the page with the template and its line; the server stays up.
    lines_of = edited.splitlines()
    broken_line = next(i for i, line in enumerate(lines_of, 1) if "<body>" in line)
    lines_of[broken_line - 1] += "{% if %}"
    template.write_text("\n".join(lines_of) + "\n", encoding="utf-8")
    error = wait_for(browser, lambda s: s["error"] is not None, "the template error")
    assert "templates/html/document.html.j2" in error["error"] and f"第{broken_line}行" in error["error"]
    assert "模板语法错误" in error["error"]
    assert process.poll() is None

    template.write_text(edited, encoding="utf-8")
    recovered = wait_for(browser, lambda s: s["error"] is None and "分送：市发改委。" in s["text"]
                         and s["images"] == s["pages"], "the recovered pages")
    assert recovered["pages"] == first["pages"]

    # Data: a YAML mistake names the file and line; fixing it brings the new wording.
    notice = project / "data" / "notice.yaml"
    notice.write_text(NOTICE.replace("抄送: 市发改委", "抄送: [市发改委"), encoding="utf-8")
    bad = wait_for(browser, lambda s: s["error"] is not None, "the YAML error")
    assert "data/notice.yaml" in bad["error"] and "第" in bad["error"]
    notice.write_text(NOTICE.replace("关于预览测试的通知", "关于预览测试的补充通知"), encoding="utf-8")
    wait_for(browser, lambda s: s["error"] is None and "关于预览测试的补充通知" in s["text"], "the new title")

    # config.yaml: a wrong key is shown with its line; fixing it brings the pages back.
    config = project / "config.yaml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good.replace("    notice: data/notice.yaml", "    notise: data/notice.yaml"), encoding="utf-8")
    line = next(i for i, text in enumerate(good.splitlines(), 1) if "notice: data/notice.yaml" in text)
    bad = wait_for(browser, lambda s: s["error"] is not None, "the config error")
    assert "config.yaml" in bad["error"] and "notise" in bad["error"] and f"第{line}行" in bad["error"]
    config.write_text(good, encoding="utf-8")
    wait_for(browser, lambda s: s["error"] is None and "关于预览测试的补充通知" in s["text"], "the pages again")

    # Ctrl+C stops the server cleanly.
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=WAIT) == 0
    rest = []
    while (line := lines.get(timeout=WAIT)) is not None:
        rest.append(line)
    assert "预览已停止" in "".join(rest)


def test_port_in_use_is_a_clear_error(project):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "gongfu_reports", "serve", "--port", str(port),
                                 "-C", str(project)], capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 2
    assert f"端口 {port} 已被占用" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr
