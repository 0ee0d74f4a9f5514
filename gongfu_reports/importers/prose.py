"""Turn an existing prose document (.docx) into a Markdown outline: typed numbers
(一、 （一） 1. （1）) become heading levels, the tool numbers them again when it builds."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import GongfuError, Place, display_path, writing
from ..publish import build_lock, write_atomic

# GB/T 9704 levels in order, with the pattern of a paragraph that starts with such a number.
SCHEMES = [
    ("一、", re.compile(r"^([一二三四五六七八九十百]+)、\s*(.+)$")),
    ("（一）", re.compile(r"^[（(]([一二三四五六七八九十百]+)[）)]\s*(.+)$")),
    ("1.", re.compile(r"^(\d+)[.．、]\s*(?!\d)(.+)$")),
    ("（1）", re.compile(r"^[（(](\d+)[）)]\s*(.+)$")),
]


def read_paragraphs(path: Path) -> list[tuple[str, bool]]:
    """(text, centred) of every non-empty body paragraph, in order (tables are skipped)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from ..files.grid import open_docx

    doc = open_docx(path)
    out = []
    for p in doc.paragraphs:
        text = "".join(p.text.split()) if not re.search(r"[A-Za-z] [A-Za-z]", p.text) else p.text.strip()
        if text:
            align = p.alignment if p.alignment is not None else (p.style.paragraph_format.alignment if p.style else None)
            out.append((text, align == WD_ALIGN_PARAGRAPH.CENTER))
    return out


def classify(text: str) -> tuple[str | None, str]:
    for scheme, pattern in SCHEMES:
        match = pattern.match(text)
        if match:
            return scheme, match.group(2)
    return None, text


def to_markdown(paragraphs: list[tuple[str, bool]], source: str) -> str:
    if not paragraphs:
        raise GongfuError("文档中没有文字", Place(source))
    # Leading centred paragraphs are the title (and a subtitle such as "（2021-2025年）").
    head = []
    while paragraphs and paragraphs[0][1] and classify(paragraphs[0][0])[0] is None and len(head) < 2:
        head.append(paragraphs.pop(0)[0])
    if not head:
        head.append(paragraphs.pop(0)[0])
    title, subtitle = head[0], head[1] if len(head) > 1 else ""
    classified = [(classify(text), text) for text, _ in paragraphs]
    used = [s for s, _ in SCHEMES if any(c[0] == s for (c, _) in classified)]
    level_of = {s: i + 1 for i, s in enumerate(used)}
    numbers: dict[str, list[int]] = {s: [] for s in used}
    lines = []
    for (scheme, rest), text in classified:
        if scheme is None:
            lines.append(text)
            continue
        numbers[scheme].append(_value(_number_text(text, scheme)))
        lead, sep, body = rest.partition("。")
        marks = "#" * level_of[scheme]
        if sep and body:
            lines.append(f"{marks} {lead}\n{body}")     # a run-in item: lead sentence, then its text
        else:
            lines.append(f"{marks} {rest.rstrip('。')}")
    continuous = any(_runs_on(numbers[s]) for s in used if s in ("1.", "（1）"))
    # Quoted as JSON strings (YAML reads them as they are): a title starting with [ or * stays a title.
    front = [f"标题: {json.dumps(title, ensure_ascii=False)}"]
    front += [f"副标题: {json.dumps(subtitle, ensure_ascii=False)}"] if subtitle else []
    front.append("层级编号: [" + ", ".join(f'"{s}"' for s in used) + "]")
    if continuous:
        front.append("连续编号: true")
    return "---\n" + "\n".join(front) + "\n---\n\n" + "\n\n".join(lines) + "\n"


def _number_text(text: str, scheme: str) -> str:
    return dict(SCHEMES)[scheme].match(text).group(1)


def _value(number: str) -> int:
    if number.isdigit():
        return int(number)
    from ..model.numbering import chinese_numeral

    return next((n for n in range(1, 100) if chinese_numeral(n) == number), 0)   # 0: not a number it writes


def _runs_on(values: list[int]) -> bool:
    """Numbers that never restart (1, 2, … 45 across chapters) mean continuous numbering."""
    return len(values) > 1 and all(b == a + 1 for a, b in zip(values, values[1:]))


def import_prose(source: Path, root: Path, name: str, force: bool = False) -> tuple[Path, str]:
    """Write data/<name>.md and add a prose document <name> to config.yaml."""
    from ..kinds import load_config

    from .config_edit import add_document, check_new_name

    markdown = to_markdown(read_paragraphs(source), display_path(source))
    with build_lock(Path(root) / "build"):   # one writer of config.yaml and data/ at a time
        config = load_config(root)
        target = root / "data" / f"{name}.md"
        check_new_name(config, name, target, force)
        with writing(target):
            target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, markdown.encode("utf-8"))
        if name not in config.documents:
            add_document(root, name, f"  {name}:                        # 由 gongfu import 从 {source.name} 导入\n"
                                     f"    kind: prose\n    file: data/{name}.md\n")
    return target, name
