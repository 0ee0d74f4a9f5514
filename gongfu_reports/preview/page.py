"""The preview's own HTML (Chinese): the list of documents, the page that polls for changes, and the
part it swaps in: the pages as images, or the error with its place above the last good pages."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from .state import Entry

STYLE = """
body { margin: 0; background: #7a7a7a; font-family: "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; }
header { position: sticky; top: 0; z-index: 2; background: #2b2b2b; color: #eee; padding: .5em 1em;
         display: flex; gap: 1.2em; align-items: center; font-size: 14px; }
header a { color: #9cf; } header .title { font-weight: bold; }
#busy { color: #fc6; } #offline { color: #f88; }
main { padding: 1em; }
.error { background: #fff0f0; border: 2px solid #c00; color: #600; margin: 0 auto 1em; max-width: 900px;
         padding: .6em 1.2em; }
.error h2 { margin: .2em 0; font-size: 18px; }
.error pre { white-space: pre-wrap; font-size: 15px; font-family: inherit; }
.notes { background: #fffbe6; border: 1px solid #d9b500; margin: 0 auto 1em; max-width: 900px; padding: .4em 1.2em;
         font-size: 14px; }
.notes.ok { background: #effbef; border-color: #5a5; }
.pages { display: flex; flex-direction: column; align-items: center; gap: 1.2em; }
.pages.stale { opacity: .45; }
figure.page { margin: 0; }
figure.page .blank { background: white; opacity: .6; }
figure.page img { display: block; background: white; box-shadow: 0 2px 8px rgba(0,0,0,.5); }
figure.page figcaption { color: #eee; font-size: 12px; text-align: center; margin-top: .3em; }
.page-text { max-width: 794px; color: #eee; font-size: 12px; }
.page-text .text { white-space: pre-wrap; background: #fff; color: #000; padding: .5em; }
.wait { color: #fff; text-align: center; padding: 3em; font-size: 18px; }
ul.docs { background: white; max-width: 900px; margin: 1em auto; padding: 1em 2.5em; line-height: 2; }
"""

SCRIPT = """
const query = %(query)s;
const content = document.getElementById('content');
let version = null, token = '', shown = '';

// The new content in place of the old, the pages changed in place: a page whose image did not
// change keeps its element (and its drawn image), and so does a page not read yet; only changed pages
// are fetched and redrawn. (Elements are never taken out of the page: a lazy image out of the
// document would load at once.)
function show(html) {
  const next = document.createElement('div');
  next.innerHTML = html;
  const pages = next.querySelector('.pages'), old = content.querySelector('.pages');
  if (!pages || !old) {
    content.replaceChildren(...next.childNodes);
    return;
  }
  old.className = pages.className;
  old.dataset.render = pages.dataset.render;
  const figures = [...pages.children];
  figures.forEach((figure, i) => {
    const kept = old.children[i];
    if (!kept) old.append(figure);
    else if (kept.id !== figure.id || (kept.dataset.key !== figure.dataset.key && !figure.dataset.key.endsWith('-')))
      kept.replaceWith(figure);
  });
  while (old.children.length > figures.length) old.lastElementChild.remove();
  while (content.firstChild !== old) content.firstChild.remove();
  pages.remove();
  old.before(...next.childNodes);
}

// The pages on screen ("3-4"): after a change the server reads them first.
function onScreen() {
  let first = 0, last = 0;
  for (const figure of content.querySelectorAll('figure.page')) {
    const box = figure.getBoundingClientRect();
    if (box.bottom > 0 && box.top < window.innerHeight) {
      const n = +figure.id.slice(5);
      first = first || n;
      last = n;
    } else if (first) break;
  }
  return first ? first + '-' + last : '';
}
let viewTimer = null;
window.addEventListener('scroll', () => {
  clearTimeout(viewTimer);
  viewTimer = setTimeout(() => {
    const pages = onScreen();
    if (pages && pages !== shown) {
      shown = pages;
      fetch('/api/view?' + query + '&pages=' + pages, {cache: 'no-store'}).catch(() => {});
    }
  }, 150);
}, {passive: true});

// The server answers /api/status when the version differs from ours (a long poll): no delay.
async function poll() {
  let wait = 0;
  try {
    const response = await fetch('/api/status?' + query + '&since=' + encodeURIComponent(token), {cache: 'no-store'});
    const status = await response.json();
    document.getElementById('offline').hidden = true;
    document.getElementById('busy').hidden = !status.busy;
    token = status.token;
    if (status.version !== version) {
      show(await (await fetch('/api/content?' + query, {cache: 'no-store'})).text());
      version = status.version;
    }
  } catch (e) {
    document.getElementById('offline').hidden = false;
    token = '';
    wait = 1000;
  }
  setTimeout(poll, wait);
}
poll();
"""


def _head(title: str) -> str:
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head><body>")


def shell(key: tuple) -> str:
    """The page a browser keeps open; it polls and swaps in the content when it changed."""
    doc, period = key
    query = urlencode({"doc": doc, **({"period": period} if period else {})})
    label = doc + (f"（{period}）" if period else "")
    return (_head(f"预览：{label}")
            + f'<header><span class="title">预览：{escape(label)}</span>'
            + '<span>打印版式（由 PDF 生成）；保存模板、数据或 config.yaml 后自动更新</span>'
            + f'<a href="/api/pdf?{escape(query)}" target="_blank">打开 PDF</a><a href="/?all=1">全部文档</a>'
            + '<span id="busy">正在生成…</span><span id="offline" hidden>与预览服务的连接已断开</span></header>'
            + '<main id="content"><p class="wait">正在生成预览…</p></main>'
            + f"<script>{SCRIPT % {'query': _js_string(query)}}</script></body></html>")


def content(key: tuple, entry: Entry) -> str:
    doc, period = key
    query = urlencode({"doc": doc, **({"period": period} if period else {})})
    parts = []
    if entry.error:
        parts.append('<div class="error" id="error"><h2>无法生成预览</h2>'
                     f"<pre>{escape(entry.error)}</pre>"
                     "<p>改正后保存文件，预览会自动更新。"
                     + ("下面是上次成功生成的版本。" if entry.rendered else "") + "</p></div>")
    rendered = entry.rendered
    if rendered is None:
        if not entry.error:
            parts.append('<p class="wait">正在生成预览…</p>')
        return "".join(parts)
    notes = rendered.warnings + (entry.findings or [])
    if entry.error:
        pass   # the findings belong to the last good pages, not to what is being edited
    elif entry.findings is None:
        parts.append('<div class="notes" id="notes">正在按 GB/T 9704 检查 PDF 和 Word 输出…</div>')
    elif notes:
        items = "".join(f"<li>{escape(n)}</li>" for n in notes)
        parts.append(f'<div class="notes" id="notes"><b>提示（{len(notes)}）</b><ul>{items}</ul></div>')
    else:
        parts.append('<div class="notes ok" id="notes">PDF 和 Word 输出均符合 GB/T 9704-2012 的各项检查</div>')
    pages = []
    for n, ((width, height), p) in enumerate(zip(rendered.sizes, rendered.pages), 1):
        w, h = round(width * 96 / 72), round(height * 96 / 72)   # true size at 96 px per inch
        if p is None:   # not read yet: the browser keeps what it shows there
            pages.append(f'<figure class="page" id="page-{n}" data-key="{n}-"><div class="blank" '
                         f'style="width:{w}px;height:{h}px"></div><figcaption>第 {n} 页</figcaption></figure>')
            continue
        src = f"/api/page?{query}&p={p.digest}"
        load = 'fetchpriority="high"' if n == 1 else 'loading="lazy"'
        pages.append(f'<figure class="page" id="page-{n}" data-key="{n}-{p.digest}"><img src="{escape(src)}" '
                     f'width="{w}" height="{h}" {load} alt="第{n}页"><figcaption>第 {n} 页</figcaption>'
                     f'<details class="page-text"><summary>本页文字</summary>'
                     f'<div class="text">{escape(p.text)}</div></details></figure>')
    stale = " stale" if entry.error else ""
    parts.append(f'<div class="pages{stale}" data-render="{entry.render_id}">{"".join(pages)}</div>')
    return "".join(parts)


def index(docs: list[tuple[str, str, str | None]], error: str | None) -> str:
    body = ""
    if error:
        body += (f'<div class="error"><h2>config.yaml 有错误</h2><pre>{escape(error)}</pre>'
                 "<p>改正后保存，再刷新本页。</p></div>")
    items = "".join(
        f'<li><a href="/doc?{escape(urlencode({"doc": d, **({"period": p} if p else {})}))}">{escape(d)}</a>'
        f"（{escape(kind)}{'，' + escape(p) if p else ''}）</li>" for d, kind, p in docs)
    if items:
        body += f'<ul class="docs">{items}</ul>'
    return (_head("gongfu 预览") + '<header><span class="title">gongfu 预览：选择文档</span></header>'
            + f"<main>{body}</main></body></html>")


def _js_string(text: str) -> str:
    import json

    return json.dumps(text).replace("<", "\\u003c")
