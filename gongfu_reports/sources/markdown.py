"""Prose documents written as Markdown outlines: front matter for the document's data,
headings by level without typed numbers (the tool numbers them per GB/T 9704 levels).

    ---
    标题: …实施方案
    层级编号: ["一、", "1."]     # numbering of heading levels 1, 2 … (default 一、 （一） 1. （1）)
    连续编号: true               # arabic-numbered items run on across chapters
    要求牵头单位: false          # true: every heading of the deepest level needs {#ID 单位、单位}
    ---
    # 章标题
    段落……
    ## 事项引领句 {#T-01 市发改委、市经信局}
    事项正文……

A heading of an arabic-numbered level is an item: printed run-in with the paragraph under it,
its lead sentence in bold ("1.引领句。正文…")."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt

from ..errors import GongfuError, Place, display_path
from ..model import UnitRegistry
from ..model.prose import DEFAULT_LEVELS, ProseBlock, ProseDocument
from ..errors import Collector
from ..files import punctuation
from ..files.text import CONTROL
from ..files.yamlfile import LocDict, load_yaml_text, read_text_file

ATTRS = re.compile(r"\s*\{#([A-Za-z0-9][A-Za-z0-9_.-]*)\s*([^}]*)\}\s*$")


def _front_matter(text: str, label: str) -> tuple[LocDict, str, int]:
    if not text.startswith("---\n"):
        raise GongfuError("文件应以“---”开头的前置信息（标题等）开始", Place(label, line=1))
    end = text.find("\n---", 4)
    if end == -1:
        raise GongfuError("前置信息缺少结束的“---”", Place(label, line=1))
    meta = load_yaml_text(text[4:end], label, first_line=2)
    if not isinstance(meta, LocDict):
        raise GongfuError("前置信息应为“键: 值”", Place(label, line=2))
    body_start = text.count("\n", 0, end + 4) + 1
    return meta, text[end + 4:].lstrip("\n"), body_start + (len(text[end + 4:]) - len(text[end + 4:].lstrip("\n")))


def load_prose(path: Path, registry: UnitRegistry) -> ProseDocument:
    label = display_path(path)
    text = read_text_file(path)
    found = CONTROL.search(text)
    if found:
        raise GongfuError(f"含有不可见的控制字符（U+{ord(found.group()):04X}），请删除",
                          Place(label, line=text.count("\n", 0, found.start()) + 1),
                          hint="这类字符多由复制粘贴带入；可用编辑器删除后重新输入该处文字")
    meta, body, offset = _front_matter(text, label)
    levels = meta.get("层级编号") or list(DEFAULT_LEVELS)
    if not isinstance(levels, list) or not all(l in DEFAULT_LEVELS for l in levels):
        raise GongfuError(f"“层级编号”应为列表，取值于 {'、'.join(DEFAULT_LEVELS)}", meta.place_of("层级编号"))
    doc = ProseDocument(label, meta, str(meta.get("标题") or "").strip(), str(meta.get("副标题") or "").strip(),
                        tuple(levels), bool(meta.get("连续编号", False)))
    if not doc.title:
        raise GongfuError("前置信息缺少“标题”", meta.place)
    errors = Collector()
    punctuation.note_lines(body, Place(label), offset)
    tokens = MarkdownIt("commonmark").parse(body)
    previous_level = 0
    ids: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type not in ("heading_open", "paragraph_open"):
            continue
        line = offset + token.map[0]
        content = tokens[index + 1].content.strip()
        place = Place(label, line=line)
        if token.type == "paragraph_open":
            if token.level == 0:
                doc.blocks.append(ProseBlock("paragraph", " ".join(content.splitlines()), line))
            continue
        level = int(token.tag[1])
        block = ProseBlock("heading", content, line, level)
        match = ATTRS.search(content)
        if match:
            block.text, block.task_id, block.units = content[:match.start()].strip(), match.group(1), match.group(2).strip()
        if re.match(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．、]|（\d+）)", block.text):
            errors.errors.append(GongfuError(f"标题“{block.text[:12]}”中手写了编号，请删去（编号由工具生成）", place))
        if level > len(doc.levels):
            errors.errors.append(GongfuError(f"标题层级 {level} 超出“层级编号”所定义的 {len(doc.levels)} 级", place))
        elif level > previous_level + 1:
            errors.errors.append(GongfuError(f"标题层级跳级：从第 {previous_level} 级直接到第 {level} 级", place,
                                             hint="“#”为第1级，“##”为第2级，依次递增"))
        previous_level = level
        if block.task_id:
            if block.task_id in ids:
                errors.errors.append(GongfuError(f"编号“{block.task_id}”重复（另见第{ids[block.task_id]}行）", place))
            ids[block.task_id] = line
            if block.units:
                errors.run(registry.check_list, block.units, place)
        doc.blocks.append(block)
    if meta.get("要求牵头单位"):
        # Items are the headings of the deepest level used in the document.
        headings = [b for b in doc.blocks if b.kind == "heading"]
        deepest = max((b.level for b in headings), default=0)
        for b in headings:
            if b.level == deepest and not b.units:
                errors.errors.append(GongfuError(f"事项“{b.text[:16]}”缺少牵头单位", Place(label, line=b.line),
                                                 hint="在标题末尾写 {#编号 牵头单位、配合单位}"))
    errors.raise_if_any()
    return doc
