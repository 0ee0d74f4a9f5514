"""The web edition (`gongfu build --format html`, 政府信息公开): one self-contained page per document,
checked with an HTML5 parser (no parse errors), for its structure (one <h1>, headings without skipped
levels, tables with <th scope>), for carrying the same text as the DOCX, and in headless Chromium at
390 px and 1280 px (no page-level horizontal scroll, wide tables scroll in their box, no request
other than the page itself). Screenshots are written next to the pages (build/*-390.png, *-1280.png)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from tinyhtml5.parser import HTMLParser   # WeasyPrint's HTML5 parser (html5lib's), with the spec's parse errors

from conftest import DOC_ID, copy_workdir, docx_text, gongfu, headless_chromium

PAGES = ["gongzuo-yaodian-2024", "zhengfu-zeren-2024", "shishi-fangan", "gaige-tupo-2024", "bulletin-2024-06",
         "bulletin-2024-07", "tongbao-2024-06", "tongbao-2024-07"]


@pytest.fixture(scope="module")
def web(tmp_path_factory) -> Path:
    """The bundled example built as web pages and as DOCX (to compare the text with)."""
    workdir = copy_workdir(tmp_path_factory.mktemp("web"))
    result = gongfu(workdir, "build", "--format", "html,docx")
    assert result.returncode == 0, result.stderr
    return workdir / "build"


def page(build: Path, name: str):
    return lxml_html.fromstring((build / f"{name}.html").read_bytes())


def test_every_document_has_a_page_and_the_default_build_makes_none(web, built):
    assert sorted(p.stem for p in web.glob("*.html")) == sorted(PAGES)
    assert not list((built / "build").glob("*.html"))   # `gongfu build` makes DOCX and PDF only


@pytest.mark.parametrize("name", PAGES)
def test_page_parses_without_errors_and_is_self_contained(web, name):
    data = (web / f"{name}.html").read_bytes()
    parser = HTMLParser()
    parser.parse(data)
    assert parser.errors == [], parser.errors[:5]
    root = lxml_html.fromstring(data)
    assert root.get("lang") == "zh-CN" and root.find("head/meta[@charset]").get("charset") == "utf-8"
    assert root.find("head/meta[@name='viewport']") is not None and root.findtext("head/title")
    assert not root.findall(".//script") and not root.findall(".//link") and not root.findall(".//iframe")
    for element in root.iter():
        for attribute in ("src", "href", "srcset", "poster", "data"):
            value = element.get(attribute)
            assert value is None or value.startswith("data:"), (element.tag, value[:60])
    css = "".join(s.text or "" for s in root.iter("style")) + "".join(e.get("style", "") for e in root.iter())
    assert "@import" not in css and "@font-face" not in css
    # 小标宋's weight (700) is its free stand-in's: the official face listed first has one weight, which a
    # browser must not thicken into a fake bold.
    assert re.search(r"\.title \{[^}]*font-weight: 700; font-synthesis: none;", css), re.search(r"\.title \{[^}]*\}", css)
    # A style element's text is not HTML: an escaped quote there (&#34;) is not a quote, and the rule is dropped.
    assert not re.search(r"&(#\d+|#x[\da-f]+|quot|amp|lt|gt);", css, re.I), re.search(r".{40}&#?\w+;.{40}", css)[0]
    assert not [u for u in re.findall(r"url\(\s*['\"]?([^'\")]*)", css) if not u.startswith("data:")]


@pytest.mark.parametrize("name", PAGES)
def test_headings_and_tables_are_semantic(web, name):
    root = page(web, name)
    levels = [int(h.tag[1]) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels.count(1) == 1 and levels[0] == 1          # the document's title, once, first
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:]))   # no level skipped
    tables = root.findall(".//table")
    assert tables or name == "shishi-fangan"
    for table in tables:
        box = table.getparent()
        assert box.get("class") == "table-box" and box.get("role") == "region" and box.get("tabindex") == "0"
        assert box.get("aria-label")
        header = table.findall("thead/tr/th")
        assert header and all(th.get("scope") == ("colgroup" if th.get("colspan") else "col") for th in header)
        assert not table.findall("thead//td")
        names_rows = header[0].text_content().strip() != "序号"
        for tr in table.iterfind("tbody/tr"):
            for th in tr.iterfind("th"):
                if tr.get("class") == "group":   # a 分组 row heads the rows of its group
                    assert th.get("scope") == "rowgroup"
                    assert th.getparent().getparent().index(th.getparent()) == 0   # first row of its <tbody>
                else:   # the cell that names its row (牵头领导, 类别): its first cell, when the column is not 序号
                    assert th.get("scope") == "row" and names_rows, (name, th.text_content())
        # a table whose first column names its rows has them as row headers (a screen reader says whose figures)
        assert not names_rows or table.findall("tbody/tr/th[@scope='row']"), (name, header[0].text_content())
        widths = [float(c.get("style").split(":")[1].rstrip("%")) for c in table.iterfind("colgroup/col")]
        assert abs(sum(widths) - 100) < 0.05


def test_notice_headings_follow_the_document(web):
    root = page(web, DOC_ID)
    headings = [(h.tag, " ".join(h.text_content().split())) for h in root.iter("h1", "h2", "h3", "h4")]
    assert headings[0] == ("h1", "关于印发《2024年舟山高质量发展建设共同富裕示范区先行市工作要点》的通知")
    assert headings[1] == ("h2", "2024年舟山高质量发展建设共同富裕示范区先行市工作要点")
    assert ("h3", "一、指标目标") in headings and ("h4", "（一）筑牢高质量发展基石") in headings
    assert headings[-2:] == [("h2", "附件1 2024年共同富裕示范区先行市重点任务清单"), ("h2", "附件2 有关单位名单")]
    frame = root.find(".//header[@class='frame']")
    assert [p.text for p in frame.iter("p")] == ["舟山高质量发展建设共同富裕示范区先行市领导小组办公室文件", "舟共富办〔2024〕1号"]
    tasks = root.findall(".//table")[-1]
    assert [th.text for th in tasks.findall("thead/tr/th")][:2] == ["重点任务", "主要举措"]
    groups = [th.text_content() for th in tasks.iterfind("tbody/tr[@class='group']/th")]
    assert groups[0] == "（一）筑牢高质量发展基石（4项）" and len(groups) == len(tasks.findall("tbody")) == 7
    # each 重点任务 names the rows it spans
    assert [th.text_content() for th in tasks.iterfind("tbody/tr/th[@scope='row']")][0] == "夯实共同富裕物质基础"
    assert len(tasks.findall("tbody/tr")) == 76 + 7


def test_chart_says_what_it_draws(web):
    """The chart draws the table above it: its text alternative names that table."""
    root = page(web, "tongbao-2024-07")
    (image,) = root.iter("img")
    figure = image.getparent().getparent()                              # figure > div.chart-box > img
    caption = figure.getprevious().find("figcaption").text   # the table before the chart
    number, name = re.match(r"(表\d+)\W*(.+)", caption).groups()
    assert image.get("alt") == f"图：{name}（数据见{number}）"
    assert image.getparent().getnext().tag == "figcaption" and image.getparent().getnext().text.startswith("图1")   # 图题 under it
    assert image.get("src").startswith("data:image/svg+xml;base64,")


def web_text(root) -> str:
    """The page's text in reading order: what a reader and a screen reader get."""
    return "".join(root.find("body").text_content().split())


@pytest.mark.parametrize("name", ["gongzuo-yaodian-2024", "zhengfu-zeren-2024", "shishi-fangan", "gaige-tupo-2024",
                                  "tongbao-2024-07"])
def test_same_text_as_the_docx(web, name):
    """Every paragraph and cell of the Word file, in the same order (whitespace aside): the DOCX is
    read by python-docx, the page by lxml; nothing of the tool's own is compared with itself."""
    assert web_text(page(web, name)) == "".join(docx_text(web / f"{name}.docx").split())


# ------------------------------------------------------------------------------------------------
# In a real browser.

@pytest.fixture(scope="module")
def browser():
    driver = headless_chromium(capabilities={"goog:loggingPrefs": {"performance": "ALL"}})
    yield driver
    driver.quit()


MEASURE = """
const doc = document.documentElement;
return {
  page: [doc.scrollWidth, doc.clientWidth],
  boxes: [...document.querySelectorAll('.table-box')].map(b => {
    const r = b.getBoundingClientRect();
    return {scroll: b.scrollWidth, client: b.clientWidth, left: r.left, right: r.right};
  }),
  images: [...document.images].map(i => i.complete && i.naturalWidth > 0),
  charts: [...document.querySelectorAll('figure.chart')].map(f => {
    const r = f.getBoundingClientRect();
    return {image: f.querySelector('img').getBoundingClientRect().width, left: r.left, right: r.right};
  }),
  font: getComputedStyle(document.querySelector('p.body, p.plain, td')).fontFamily,
  runIn: [...document.querySelectorAll('p span.kai, p span.hei')].map(e => [e.className, getComputedStyle(e).fontFamily]),
  titleLines: (() => { const r = document.createRange(); r.selectNodeContents(document.querySelector('h1'));
                       return [...r.getClientRects()].map(x => x.width); })(),
  size: parseFloat(getComputedStyle(document.querySelector('p.body, p.plain, td')).fontSize),
};"""


@pytest.mark.parametrize("name", ["gongzuo-yaodian-2024", "zhengfu-zeren-2024", "gaige-tupo-2024", "tongbao-2024-07"])
def test_page_in_chromium_at_phone_and_desktop_width(web, browser, name):
    url = (web / f"{name}.html").as_uri()
    for width in (390, 1280):
        browser.set_window_size(width, 1000)
        browser.get_log("performance")   # drop what came before
        browser.get(url)
        shown = browser.execute_script(MEASURE)
        browser.save_screenshot(str(web / f"{name}-{width}.png"))
        scroll_width, client_width = shown["page"]
        assert scroll_width <= client_width, f"{name} at {width} px scrolls sideways: {shown['page']}"
        for box in shown["boxes"] + shown["charts"]:   # each box stays inside the window; a table or chart scrolls in it
            assert 0 <= box["left"] and box["right"] <= client_width + 0.5, box
        # a chart is not shrunk below the width its labels can be read at (its legend was 7 px high at 390 px)
        assert all(chart["image"] >= 500 for chart in shown["charts"]), shown["charts"]
        assert shown["charts"] or name != "tongbao-2024-07"
        if width == 390:
            assert any(b["scroll"] > b["client"] for b in shown["boxes"]), "a wide table scrolls in its box"
            assert shown["size"] >= 12
        assert all(shown["images"])
        assert "仿宋" in shown["font"] or "FangSong" in shown["font"]
        # run-in headings (“（一）强化组织保障。”) in 楷体 or 黑体, as printed
        assert all(family.split(",")[0].strip('" ') == {"kai": "楷体_GB2312", "hei": "黑体"}[face]
                   for face, family in shown["runIn"]), shown["runIn"]
        assert shown["runIn"] or name != "gongzuo-yaodian-2024"
        # a title of several lines has lines of even length (it once ended with “通知” alone at 1280 px)
        lines = shown["titleLines"]
        assert len(lines) == 1 or min(lines) >= 0.6 * max(lines), (name, width, lines)
        events = [json.loads(e["message"])["message"] for e in browser.get_log("performance")]
        requested = {m["params"]["request"]["url"] for m in events if m["method"] == "Network.requestWillBeSent"}
        assert {u for u in requested if not u.startswith("data:")} == {url}


def test_web_template_errors_name_the_template_and_line(tmp_path):
    workdir = copy_workdir(tmp_path / "w")
    template = workdir / "templates" / "web" / "document.html.j2"
    template.parent.mkdir(parents=True, exist_ok=True)
    source = (Path(__file__).resolve().parents[1] / "templates" / "web" / "document.html.j2").read_text(encoding="utf-8")
    lines = source.splitlines()
    number = next(n for n, line in enumerate(lines, 1) if "view.frame.number" in line and "<p" in line)
    lines[number - 1] = lines[number - 1].replace("view.frame.number", "view.frame.numbr")
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = gongfu(workdir, "build", DOC_ID, "--format", "html")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"templates/web/document.html.j2，第{number}行" in result.stderr and "numbr" in result.stderr
    assert not (workdir / "build" / f"{DOC_ID}.html").exists()
    result = gongfu(workdir, "check")
    assert result.returncode == 2 and f"document.html.j2，第{number}行" in result.stderr
