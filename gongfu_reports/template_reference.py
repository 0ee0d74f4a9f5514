"""The reference page of template variables (`gongfu templates reference`).

Everything on it is read from the code, so it cannot drift from what templates receive: the view
model classes in compose/blocks.py (dataclass fields, their types and the docstring under each
field), the paragraph roles, the layout numbers of render/layout.py, and examples taken from the
bundled example documents, one column per document kind."""

from __future__ import annotations

import ast
import dataclasses
import html
import inspect
import os
import tempfile
import tokenize
import types
import typing
from pathlib import Path

from .compose import blocks
from .compose.blocks import DocumentView, Frame
from .render import layout
from . import kinds
from .bundled import EXAMPLE as BUNDLED_EXAMPLE
MAX_EXAMPLES = 3

# What render/html.py and render/docx.py pass to the templates, besides the view model.
HTML_CONTEXT = {
    "view": ("DocumentView", "文档的全部内容（见下方各表）"),
    "fonts": ("字典：用途名 → 字体", "PDF 使用的字体，按用途：fang 仿宋、xbs 小标宋、hei 黑体、kai 楷体、song 宋体；"
                             "每项有 family（CSS 字体名）、src（字体文件地址，系统字体为空）、weight（粗细）。"
                             "字体在 config.yaml 的 fonts 中设置"),
    "S": ("字典：段落用途 → CSS", "各种段落用途（title、body、h1 …，以及 header 表头、group 表格分组行、cell 表格文字、"
                              "imprint 版记、page-number 页码）的字体、字号、加粗、对齐、首行缩进，已写成 CSS 声明，"
                              "如 .body { {{ S.body }} }。由样式表 templates/styles.yaml 生成（Word 和 Typst 模板用同一张表）："
                              "改字体字号请改样式表"),
    "L": ("版式数值", "GB/T 9704 的页面数值（mm、pt），见下方“版式数值 L”表；改版式请改这里引用的数值，不要在模板里写死"),
    "mark_size": ("数字", "发文机关标志的字号（pt），config.yaml 中文档的 mark_size，默认 24"),
    "mark_scale": ("数字", "发文机关标志的横向压缩比例（1 = 不压缩），标志过长时自动压扁到一行"),
}
DOCX_CONTEXT = {
    "frame": ("Frame 或空", "版头：{{ frame.mark }} 发文机关标志，{{ frame.number }} 发文字号（只在 notice.docx 中）"),
    "body": ("正文", "整个正文，写成 {{p body }}（单独占一段，p 表示插入段落）"),
}


# --------------------------------------------------------------------------------------- the model

def view_classes() -> list[type]:
    """Every dataclass a template can reach from `view`, in the order it is reached."""
    seen: list[type] = []
    queue = [DocumentView]
    while queue:
        cls = queue.pop(0)
        if cls in seen:
            continue
        seen.append(cls)
        for hint in typing.get_type_hints(cls).values():
            queue += [t for t in _leaf_types(hint) if dataclasses.is_dataclass(t) and t not in seen]
    return seen


def _leaf_types(hint) -> list:
    args = typing.get_args(hint)
    if not args:
        return [hint]
    return [leaf for a in args for leaf in _leaf_types(a)]


def field_docs(cls: type) -> dict[str, str]:
    """The string literal under each field (attribute docstrings) and the docstrings of properties."""
    tree = ast.parse(inspect.getsource(cls).lstrip())
    body = tree.body[0].body
    docs = {}
    for node, after in zip(body, body[1:] + [None]):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(after, ast.Expr) \
                and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str):
            docs[node.target.id] = inspect.cleandoc(after.value.value)
    for name, member in vars(cls).items():
        if isinstance(member, property) and member.__doc__:
            docs[name] = inspect.cleandoc(member.__doc__)
    return docs


def members(cls: type) -> list[tuple[str, object]]:
    """Fields with their types, then read-only properties (typed by their return annotation)."""
    hints = typing.get_type_hints(cls)
    out = [(f.name, hints[f.name]) for f in dataclasses.fields(cls)]
    for name, member in vars(cls).items():
        if isinstance(member, property):
            out.append((name, typing.get_type_hints(member.fget).get("return", str)))
    return out


def methods(cls: type) -> list[tuple[str, object, str]]:
    """The methods a template may call (Table.tall_rows(landscape) …): (the call with its parameters,
    the return type, the docstring)."""
    out = []
    for name, member in vars(cls).items():
        if inspect.isfunction(member) and not name.startswith("_"):
            parameters = [p for p in inspect.signature(member).parameters if p != "self"]
            out.append((f"{name}({', '.join(parameters)})", typing.get_type_hints(member).get("return", str),
                        inspect.cleandoc(member.__doc__ or "")))
    return out


def type_label(hint) -> str:
    names = {str: "文字", bool: "是/否", int: "整数", float: "数字", bytes: "二进制数据"}
    if hint in names:
        return names[hint]
    if dataclasses.is_dataclass(hint):
        return hint.__name__
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        label = "、".join(type_label(a) for a in options)
        return f"{label} 或空" if len(options) < len(args) else label
    if origin in (list, set):
        return f"{type_label(args[0])} 的{'列表' if origin is list else '集合'}" if args else "列表"
    return getattr(hint, "__name__", str(hint))


def access_paths() -> dict[str, list[str]]:
    """How a template reaches each class: view.sections[].blocks[] ("[]" = each item of a list)."""
    paths: dict[str, list[str]] = {"DocumentView": ["view"]}
    for cls in view_classes():
        for base in paths.get(cls.__name__, []):
            for name, hint in members(cls):
                suffix = _list_suffix(hint)
                for leaf in _leaf_types(hint):
                    if dataclasses.is_dataclass(leaf):
                        paths.setdefault(leaf.__name__, []).append(f"{base}.{name}{suffix}")
    return paths


def _list_suffix(hint) -> str:
    suffix = ""
    while typing.get_origin(hint) in (list, set):
        suffix += "[]"
        hint = typing.get_args(hint)[0]
    return suffix


# ------------------------------------------------------------------------------------------ examples

def example_views() -> dict[str, list[tuple[str, DocumentView]]]:
    """The bundled example documents composed, by kind (those with periods: their latest)."""
    config = kinds.load_config(BUNDLED_EXAMPLE)
    out: dict[str, list] = {k.name: [] for k in kinds.all_kinds()}
    for doc_id, doc in config.documents.items():
        kind = kinds.get(doc.kind)
        outputs = kind.outputs(config, doc_id, required=False)
        if outputs:
            out[doc.kind].append((outputs[-1].stem, kinds.compose_output(config, outputs[-1]).view))
    return out


def collect_examples(view: DocumentView) -> dict[tuple[str, str], list[str]]:
    """Up to MAX_EXAMPLES different values of every field, in reading order."""
    found: dict[tuple[str, str], list[str]] = {}

    def visit(obj) -> None:
        if dataclasses.is_dataclass(obj):
            cls = type(obj)
            for name, _hint in members(cls):
                value = getattr(obj, name)
                shown = found.setdefault((cls.__name__, name), [])
                text = _example(value)
                if text not in shown and len(shown) < MAX_EXAMPLES:
                    shown.append(text)
                visit(value)
        elif isinstance(obj, (list, tuple)):
            for item in obj:
                visit(item)

    visit(view)
    return found


def _example(value) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return f"{value:g}"
    if isinstance(value, bytes):
        return f"（{len(value)} 字节）"
    if isinstance(value, str):
        return f"“{value[:40]}{'…' if len(value) > 40 else ''}”" if value else "（空文字）"
    if dataclasses.is_dataclass(value):
        return f"（一个 {type(value).__name__}）"
    if isinstance(value, (list, set, tuple)):
        items = sorted(value) if isinstance(value, set) else list(value)
        if items and all(dataclasses.is_dataclass(i) or isinstance(i, list) for i in items):
            return f"（{len(items)} 项）"
        text = "[" + ", ".join(_example(i) for i in items[:4]) + (", …" if len(items) > 4 else "") + "]"
        return text
    return str(value)[:40]


def layout_constants() -> list[tuple[str, object, str]]:
    """The upper-case numbers of render/layout.py with the comment on their line."""
    source = Path(layout.__file__)
    comments: dict[int, str] = {}
    with tokenize.open(source) as handle:
        for token in tokenize.generate_tokens(handle.readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.string.lstrip("# ").strip()
    lines: dict[str, int] = {}
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name in ([target] if isinstance(target, ast.Name) else getattr(target, "elts", [])):
                    if isinstance(name, ast.Name):
                        lines[name.id] = node.lineno
    return [(name, getattr(layout, name), comments.get(lines.get(name, 0), ""))
            for name in sorted(lines, key=lines.get) if name.isupper()]


# -------------------------------------------------------------------------------------------- page

STYLE = """
body { font-family: "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; margin: 2em auto; max-width: 72em;
       padding: 0 1em; line-height: 1.5; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; font-size: .92em; }
th, td { border: 1px solid #bbb; padding: .3em .5em; vertical-align: top; text-align: left; }
th { background: #f1f1f1; }
code { background: #f4f4f4; padding: 0 .25em; font-family: "Noto Sans Mono CJK SC", monospace; }
td.ex { color: #444; font-size: .9em; }
.where { color: #555; }
"""


def render_page() -> str:
    examples_by_kind: dict[str, dict] = {}
    sources: dict[str, list[str]] = {}
    role_examples: dict[str, dict[str, str]] = {}
    for kind, views in example_views().items():
        merged: dict = {}
        for _doc_id, view in views:
            for key, values in collect_examples(view).items():
                shown = merged.setdefault(key, [])
                shown += [v for v in values if v not in shown][:MAX_EXAMPLES - len(shown)]
            for paragraph in _paragraphs(view):
                role_examples.setdefault(paragraph.role, {}).setdefault(kind, paragraph.text)
        examples_by_kind[kind] = merged
        sources[kind] = [doc_id for doc_id, _ in views]
    kind_list = [k.name for k in kinds.all_kinds()]
    labels = {k.name: f"{k.label} {k.name}" for k in kinds.all_kinds()}
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8"><title>模板变量参考</title>',
           f"<style>{STYLE}</style></head><body>", "<h1>模板变量参考</h1>",
           "<p>本页由 <code>gongfu templates reference</code> 根据程序中的视图模型（<code>gongfu_reports/compose/blocks.py</code>）"
           "自动生成，列出模板中可以使用的全部变量；示例取自随附的示例文档：",
           "；".join(f"{e(labels[k])}：{e('、'.join(sources[k]) or '（无）')}" for k in kind_list),
           "。修改模板的方法见 <code>docs/模板编辑指南.md</code>。</p>",
           "<p>写法：<code>{{ view.title }}</code> 取值；<code>view.sections[]</code> 中的 <code>[]</code> 表示列表中的每一项，"
           "用 <code>{% for section in view.sections %}…{% endfor %}</code> 逐项取出；“或空”的变量先用 "
           "<code>{% if view.frame %}</code> 判断。变量名写错或不存在时，<code>gongfu check</code> 会指出模板文件和行号。</p>"]

    out.append("<h2 id=\"html\">HTML 模板（html/document.html.j2、html/gongwen.css.j2，生成 PDF 和预览）</h2>")
    out.append(_context_table(HTML_CONTEXT))
    out.append("<h2 id=\"docx\">Word 模板（docx/notice.docx、docx/plain.docx）</h2>")
    out.append("<p>Word 模板只有版头和正文两处标记，其余（样式、页面设置、页码）在 Word 中直接修改。</p>")
    out.append(_context_table(DOCX_CONTEXT))

    out.append("<h2 id=\"model\">文档内容 view 的各部分</h2>")
    paths = access_paths()
    for cls in view_classes():
        name = cls.__name__
        docs = field_docs(cls)
        where = "、".join(f"<code>{e(p)}</code>" for p in paths.get(name, []))
        if cls is Frame:
            where += "；Word 模板中为 <code>frame</code>"
        kind_note = ""
        if "kind" in {f.name for f in dataclasses.fields(cls)}:
            default = next(f.default for f in dataclasses.fields(cls) if f.name == "kind")
            kind_note = f"（其中 <code>block.kind == \"{e(default)}\"</code> 的项）"
        out.append(f'<h3 id="{name}">{name}：{e(inspect.cleandoc(cls.__doc__ or ""))}</h3>')
        out.append(f'<p class="where">在模板中：{where}{kind_note}</p>')
        out.append("<table><thead><tr><th>变量</th><th>类型</th><th>说明</th>"
                   + "".join(f"<th>示例：{e(labels[k])}</th>" for k in kind_list) + "</tr></thead><tbody>")
        for field_name, hint in members(cls):
            cells = [f"<td><code>{e(field_name)}</code></td>", f"<td>{e(type_label(hint))}</td>",
                     f"<td>{e(docs.get(field_name, ''))}</td>"]
            for k in kind_list:
                values = examples_by_kind[k].get((name, field_name), [])
                cells.append(f'<td class="ex">{"<br>".join(e(v) for v in values) or "（示例中未出现）"}</td>')
            out.append(f"<tr>{''.join(cells)}</tr>")
        for call, hint, doc in methods(cls):
            cells = [f"<td><code>{e(call)}</code></td>", f"<td>{e(type_label(hint))}</td>", f"<td>{e(doc)}</td>"]
            cells += ['<td class="ex">（调用时按参数得出）</td>'] * len(kind_list)
            out.append(f"<tr>{''.join(cells)}</tr>")
        out.append("</tbody></table>")

    out.append('<h2 id="roles">段落用途 role（Paragraph.role）</h2>')
    out.append("<p>HTML 模板中每个段落写成 <code>&lt;p class=\"{{ block.role }}\"&gt;</code>，样式在 gongwen.css.j2 中按 "
               "<code>.body</code>、<code>.h1</code> 等设置；Word 中对应同名的中文样式。</p>")
    out.append("<table><thead><tr><th>role</th><th>说明</th>"
               + "".join(f"<th>示例：{e(labels[k])}</th>" for k in kind_list) + "</tr></thead><tbody>")
    for role, text in blocks.ROLES.items():
        cells = "".join(f'<td class="ex">{e(_short(role_examples.get(role, {}).get(k)))}</td>' for k in kind_list)
        out.append(f"<tr><td><code>{e(role)}</code></td><td>{e(text)}</td>{cells}</tr>")
    out.append("</tbody></table>")

    out.append('<h2 id="layout">版式数值 L（gongfu_reports/render/layout.py）</h2>')
    out.append("<p>在模板中写成 <code>{{ L.BODY_PT }}</code>。这些是 GB/T 9704-2012 的数值，HTML 模板和 Word 模板共用，"
               "一般不要修改。</p><table><thead><tr><th>名称</th><th>值</th><th>备注</th></tr></thead><tbody>")
    for const, value, comment in layout_constants():
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        out.append(f"<tr><td><code>L.{e(const)}</code></td><td>{e(shown)}</td><td>{e(comment)}</td></tr>")
    out.append("</tbody></table></body></html>")
    return "\n".join(out)


def _context_table(context: dict) -> str:
    rows = "".join(f"<tr><td><code>{html.escape(name)}</code></td><td>{html.escape(kind)}</td>"
                   f"<td>{html.escape(text)}</td></tr>" for name, (kind, text) in context.items())
    return f"<table><thead><tr><th>变量</th><th>类型</th><th>说明</th></tr></thead><tbody>{rows}</tbody></table>"


def _paragraphs(view: DocumentView):
    for section in view.sections:
        for block in section.blocks:
            if isinstance(block, blocks.Paragraph) and block.text.strip():
                yield block


def _short(text: str | None) -> str:
    if text is None:
        return "（示例中未出现）"
    return f"“{text[:30]}{'…' if len(text) > 30 else ''}”"


def write_reference(path: Path) -> Path:
    """Write the page in one step (a reader never sees half a file)."""
    text = render_page()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".reference-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path
