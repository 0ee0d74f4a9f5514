"""The one place where a document's punctuation is set to GB/T 15834 (the rule: files/punctuation.py).

Every document kind goes through it (kinds/base.py finishes each composed view here), so all outputs
(DOCX, PDF, web page) print the same full-width marks; the data files stay as they are. Each change is
reported as a GongfuWarning of category "normalised" at the place its text was read from (the values
noted by the readers while the document was composed)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass

from ..errors import GongfuWarning
from ..files import punctuation
from ..files.punctuation import Edit, Noted
from .blocks import DocumentView, Paragraph, Table

CONTEXT = 3          # characters on each side of a mark that tie a printed mark to the value it was read in
SHOWN_PER_PLACE = 3  # changes quoted in one report line


@dataclass(frozen=True)
class Change:
    """One mark changed in a text of the view: text[index] was `old`, is now `new`."""

    text: str        # the text before the change
    index: int
    new: str

    @property
    def old(self) -> str:
        return self.text[self.index]

    def key(self) -> tuple[str, str, str, str]:
        return self.old, self.new, _left(self.text, self.index), _right(self.text, self.index)


def normalise_view(view: DocumentView) -> list[Change]:
    """Sets every printed text of the view to GB/T 15834 (in place); returns what changed."""
    changes: list[Change] = []

    def fix(text: str) -> str:
        found = punctuation.edits(text)
        changes.extend(Change(text, e.index, e.new) for e in found if e.new)
        return punctuation.apply(text, found)

    view.title = punctuation.normalise(view.title)   # the PDF's properties; printed as a title paragraph
    for part in (view.frame, view.imprint):   # 版头 and 版记: every text they print
        for f in dataclasses.fields(part) if part else ():
            if isinstance(getattr(part, f.name), str):
                setattr(part, f.name, fix(getattr(part, f.name)))
    for section in view.sections:
        for block in section.blocks:
            if isinstance(block, Paragraph):
                _fix_runs(block, fix)
            elif isinstance(block, Table):
                for row in block.header + block.rows:
                    for cell in row:
                        cell.lines = fix("\n".join(cell.lines)).split("\n") if cell.lines else cell.lines
    return changes


def _fix_runs(paragraph: Paragraph, fix) -> None:
    """The paragraph's text as a whole (a pair of brackets may open in one run and close in the
    next); each run keeps its own characters."""
    text = paragraph.text
    fixed = fix(text)
    if fixed == text:
        return
    found = {e.index: e.new for e in punctuation.edits(text)}
    start = 0
    for run in paragraph.runs:
        end = start + len(run.text)
        run.text = "".join(found.get(i, text[i]) for i in range(start, end))
        start = end


def report(changes: list[Change], notes: list[Noted]) -> list[GongfuWarning]:
    """One warning per value read (file and place) whose marks were changed in print; changes in
    text that was not read as it stands (a title in config.yaml, words the tool adds) in one more."""
    index: dict[tuple, list[tuple[Noted, Edit]]] = defaultdict(list)
    for noted in notes:
        for e in punctuation.edits(noted.text):
            if e.new:
                old, left, right = noted.text[e.index], _left(noted.text, e.index), _right(noted.text, e.index)
                index[(old, e.new, left[-1:], right[:1])].append((noted, e))
    by_place: dict[int, tuple[Noted, set[int]]] = {}
    unplaced: list[Change] = []
    for change in changes:
        old, new, left, right = change.key()
        # The value whose text around the mark agrees best; the one read last among equals (a unit
        # name is in the registry, read first, and in the data file that printed it).
        found, best = None, -1
        for noted, e in index.get((old, new, left[-1:], right[:1]), []):
            n_left, n_right = _left(noted.text, e.index), _right(noted.text, e.index)
            if (left.endswith(n_left) or n_left.endswith(left)) and (right.startswith(n_right) or n_right.startswith(right)):
                score = min(len(left), len(n_left)) + min(len(right), len(n_right)) \
                    + (CONTEXT * 2 if noted.text in change.text or change.text in noted.text else 0)
                if score >= best:
                    found, best = (noted, e), score
        if found is None:
            unplaced.append(change)
            continue
        noted, e = found
        by_place.setdefault(id(noted), (noted, set()))[1].add(e.index)
    warnings = []
    seen: set[tuple] = set()
    for noted, indexes in by_place.values():
        key = (noted.place, noted.text)
        if key in seen:   # the same value printed twice (a 牵头单位 in two tables)
            continue
        seen.add(key)
        quoted = _quotes(noted.text, sorted(indexes))
        warnings.append(GongfuWarning(_message(quoted), noted.place, category="normalised"))
    if unplaced:
        quoted = list(dict.fromkeys(q for c in unplaced for q in _quotes(c.text, [c.index])))
        warnings.append(GongfuWarning(_message(quoted) + "（这些文字不是从数据文件逐字读入的，如 config.yaml 中的标题）",
                                      category="normalised"))
    return warnings


def _message(quoted: list[str]) -> str:
    shown = "；".join(quoted[:SHOWN_PER_PLACE]) + (f" 等 {len(quoted)} 处" if len(quoted) > SHOWN_PER_PLACE else "")
    return f"半角标点按 GB/T 15834 印为全角：{shown}"


def _quotes(text: str, indexes: list[int]) -> list[str]:
    """“增强,高端”→“增强，高端”: each changed mark in its context, before and after (the marks of one
    stretch of text, such as a pair of brackets, quoted once)."""
    ranges: list[list[int]] = []
    for i in indexes:
        start, end = punctuation.snippet_range(text, i)
        if ranges and start <= ranges[-1][1]:
            ranges[-1][1] = max(ranges[-1][1], end)
        else:
            ranges.append([start, end])
    found = {e.index: e.new for e in punctuation.edits(text)}
    return [f"“{text[a:b]}”→“{''.join(found.get(i, text[i]) for i in range(a, b))}”" for a, b in ranges]


def _left(text: str, i: int) -> str:
    start = max(text.rfind("\n", 0, i) + 1, i - CONTEXT)
    return text[start:i]


def _right(text: str, i: int) -> str:
    end = text.find("\n", i)
    return text[i + 1:min(end if end != -1 else len(text), i + 1 + CONTEXT)]
