"""YAML reading that remembers line numbers, so errors can name the place."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import GongfuError, Place, display_path, writing
from .memo import parsed, text_digest
from .text import CONTROL, check_text

MAX_TEXT_FILE_BYTES = 10 * 1024 * 1024   # a YAML or Markdown data file; real ones are a few hundred kB
# Nodes of a YAML document with its aliases expanded (every *ref counts as a copy of what it refers
# to): an “alias bomb” of a few lines refers to itself a billion times over, and everything that walks
# the data afterwards walks every copy. Real data files have a few thousand nodes.
MAX_YAML_NODES = 1_000_000
# Levels of nesting: real data files have a handful; a few hundred brackets ran the constructors past
# Python's recursion limit.
MAX_YAML_DEPTH = 100


class LocDict(dict):
    """A mapping from YAML that knows its own line and the line of each key."""

    place: Place
    key_places: dict

    def place_of(self, key) -> Place:
        return self.key_places.get(key, self.place)


class LocList(list):
    """A sequence from YAML that knows its own line and the line of each item."""

    place: Place
    item_places: list

    def place_of(self, index: int) -> Place:
        if 0 <= index < len(self.item_places):
            return self.item_places[index]
        return self.place


def _loader_for(file_label: str, first_line: int = 1, fast: bool = False):
    """fast: libyaml's parser (C, several times faster) under the same constructors."""
    base = yaml.CSafeLoader if fast and hasattr(yaml, "CSafeLoader") else yaml.SafeLoader

    class Loader(base):
        pass

    def place(node) -> Place:
        return Place(file_label, line=node.start_mark.line + first_line)

    def construct_mapping(loader, node, deep=False):
        loader.flatten_mapping(node)
        result = LocDict()
        result.place = place(node)
        result.key_places = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in result:
                raise GongfuError(f"键“{key}”重复出现", place(key_node))
            result[key] = loader.construct_object(value_node, deep=True)
            result.key_places[key] = place(key_node)
        return result

    def construct_sequence(loader, node, deep=False):
        result = LocList(loader.construct_object(child, deep=True) for child in node.value)
        result.place = place(node)
        result.item_places = [place(child) for child in node.value]
        return result

    def construct_timestamp(loader, node):
        # Dates stay as written ("2024-04-30"); the model parses them with a clear error.
        return loader.construct_scalar(node)

    def construct_text(loader, node):
        # Escapes such as "\a" or "\x07" can put control characters into a value: refuse them
        # here, with the line, rather than let them break the DOCX/HTML writers.
        return check_text(loader.construct_scalar(node), place(node))

    def get_single_data(loader):
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded_size(node, file_label, first_line)
        return loader.construct_document(node)

    Loader.get_single_data = get_single_data
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, construct_sequence)
    Loader.add_constructor("tag:yaml.org,2002:timestamp", construct_timestamp)
    Loader.add_constructor("tag:yaml.org,2002:str", construct_text)
    return Loader


def _check_expanded_size(root, label: str, first_line: int) -> None:
    """Count the nodes of the document as if every alias were a copy (each node's size once, so this
    takes as long as the document is written, not as long as it expands), and refuse nesting deeper than
    MAX_YAML_DEPTH at the line where it gets too deep."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()   # being counted: an alias back to one of them is a loop
    stack = [(root, False, 1)]

    def refuse(node, message: str):
        raise GongfuError(message, Place(label, line=node.start_mark.line + first_line),
                          hint="这里的“*”引用层层叠加或指回自身，是异常文件；正常的数据不需要这样写，请删除这些引用")

    while stack:
        node, children_done, depth = stack.pop()
        if id(node) in sizes:
            continue
        if depth > MAX_YAML_DEPTH:
            raise GongfuError(f"YAML 嵌套层数过多（超过 {MAX_YAML_DEPTH} 层），无法读取",
                              Place(label, line=node.start_mark.line + first_line), hint=_DEPTH_HINT)
        children = node.value if isinstance(node, yaml.SequenceNode) else \
            [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else []
        if children_done or not children:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[id(node)] > MAX_YAML_NODES:
                refuse(node, f"YAML 中的引用（“&”锚点和“*”别名）展开后过大（超过 {MAX_YAML_NODES} 项），不予读取")
            continue
        if id(node) in open_nodes:
            refuse(node, "YAML 中的引用（“*”别名）指向包含它自己的内容，形成循环，不予读取")
        open_nodes.add(id(node))
        stack.append((node, True, depth))
        stack.extend((c, False, depth + 1) for c in children if id(c) not in sizes)


def read_text_file(path: Path) -> str:
    """A data file's text (UTF-8); a missing file, another encoding or a runaway size is a Chinese message."""
    place = Place(display_path(path))
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise GongfuError("文件不存在", place) from None
    except OSError:
        size = 0   # the read below names the problem
    if size > MAX_TEXT_FILE_BYTES:
        raise GongfuError(f"文件过大（{size / 1024 / 1024:.0f} MB，上限 {MAX_TEXT_FILE_BYTES // 1024 // 1024} MB）", place,
                          hint="请确认这是正确的数据文件；正常的数据文件远小于此")
    try:
        with writing(path):
            return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise GongfuError("文件不是 UTF-8 编码的文本，请用 UTF-8 保存", place) from None


def load_yaml(path: str | Path):
    """Load a YAML file; syntax errors become a Chinese message with file, line and column."""
    path = Path(path)
    return load_yaml_text(read_text_file(path), display_path(path))


def load_yaml_text(text: str, label: str, first_line: int = 1):
    """YAML from text that starts at `first_line` of the file `label` (e.g. Markdown front matter); the
    same text again gets a copy of the first parse (files/memo.py)."""
    return parsed(("yaml", text_digest(text), label, first_line), lambda: _parse(text, label, first_line))


def _parse(text: str, label: str, first_line: int):
    # Raw in the file, before YAML sees them: it refuses most (with a mark) but takes U+0085 as a line break.
    found = CONTROL.search(text)
    if found:
        raise GongfuError(f"含有不可见的控制字符（U+{ord(found.group()):04X}），请删除",
                          Place(label, line=text.count("\n", 0, found.start()) + first_line),
                          hint="这类字符多由复制粘贴带入；可用编辑器删除后重新输入该处文字")
    try:
        return yaml.load(text, Loader=_loader_for(label, first_line, fast=True))  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError:
        pass   # read it again with the Python parser, whose messages and marks the errors below translate
    try:
        return yaml.load(text, Loader=_loader_for(label, first_line))  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and (exc.context or "").startswith(("while scanning a quoted scalar",
                                                                 "while parsing a flow")):
            mark = exc.context_mark   # an unclosed quote or bracket: where it opens, not where the file ends
        line = mark.line + first_line if mark else None
        column = f"第{mark.column + 1}个字符" if mark else None
        problem = _translate_problem(exc.problem or "", exc.context or "")
        raise GongfuError(f"YAML 语法错误：{problem}", Place(label, line=line, detail=column),
                          hint="检查缩进是否对齐、冒号后是否有空格、引号是否成对") from None
    except yaml.YAMLError as exc:
        raise GongfuError(f"YAML 无法读取：{exc}", Place(label)) from None
    except RecursionError:   # thousands of levels: the parser itself gave up, no line to name
        raise GongfuError("YAML 嵌套层数过多，无法读取", Place(label), hint=_DEPTH_HINT) from None


_DEPTH_HINT = "正常的数据文件只有几层缩进；请检查括号“[ ]”“{ }”是否成对"


_PROBLEMS = {
    "mapping values are not allowed here": "此处不能出现“键: 值”（可能缺少缩进或多了冒号）",
    "expected the node content, but found": "缺少内容（括号或引号未闭合，或“-”“:”后缺少值）",
    "expected ',' or ']'": "方括号“[ ]”未闭合或缺少逗号",
    "expected ',' or '}'": "花括号“{ }”未闭合或缺少逗号",
    "found unhashable key": "键不能是列表或映射",
    "could not determine a constructor for the tag": "不支持的 YAML 标签（以“!”开头的写法）",
    "found undefined tag handle": "不支持的 YAML 标签（以“!”开头的写法）",
    "found unknown escape character": "双引号内有无效的转义（“\\”后面的字符），可改用单引号",
    "expected alphabetic or numeric character": "锚点或引用（“&”“*”）后缺少名称；以“&”“*”开头的文字请加引号",
    "found character '@' that cannot start any token": "“@”不能作为开头，请给这段文字加引号",
    "found character '`' that cannot start any token": "“`”不能作为开头，请给这段文字加引号",
    "found character '%' that cannot start any token": "“%”不能作为开头，请给这段文字加引号",
    "could not find expected ':'": "缺少冒号“:”",
    "found character '\\t' that cannot start any token": "含有制表符（Tab），请改用空格缩进",
    "found undefined alias": "引用了未定义的锚点",
    "did not find expected key": "缩进不一致或缺少键",
    "found unexpected end of stream": "文件意外结束（引号或括号未闭合）",
    "did not find expected '-' indicator": "列表项缩进不一致",
    "expected <block end>, but found '-'": "列表项缩进不一致",
    "expected <block end>": "缩进不一致（这一行的缩进与上下文对不上）",
}


_CONTEXTS = {
    "while scanning a quoted scalar": "引号未闭合",
    "while scanning a double-quoted scalar": "双引号未闭合",
    "while scanning a single-quoted scalar": "单引号未闭合",
    "while parsing a flow sequence": "方括号“[ ]”未闭合或缺少逗号",
    "while parsing a flow mapping": "花括号“{ }”未闭合或缺少逗号",
    "while scanning an anchor": "锚点（“&”）后缺少名称；以“&”开头的文字请加引号",
    "while scanning an alias": "引用（“*”）后缺少名称；以“*”开头的文字请加引号",
    "while scanning a simple key": "缺少冒号“:”",
}


def _translate_problem(problem: str, context: str = "") -> str:
    for english, chinese in _PROBLEMS.items():
        if problem.startswith(english):
            return chinese
    for english, chinese in _CONTEXTS.items():
        if context.startswith(english):
            return chinese
    return f"格式不正确（{problem or context}）" if problem or context else "格式不正确"
