"""GB/T 15834 punctuation in Chinese text: the rule, and a note of where the marks it changes were read.

Half-width , ; : ? ! ( ) next to Chinese text and straight quotes around Chinese text become their
full-width forms (，；：？！（）“”‘’), with the spaces typed around them dropped; the hyphen between the
years of a span becomes the 一字线 (GB/T 15834 4.13.3.2: "2021-2025年" → "2021—2025年"). Numbers, Latin words,
URLs and e-mail addresses keep their own marks: "3.5%", "8:00", "1,200", "ZF24-001", "f(x)",
"see (1) above", "http://x.gov.cn/a?b=1" stay as written; "(1)加强" → "（1）加强", "GDP(现价)" →
"GDP（现价）", "研究与试验发展(R&D)经费" → "研究与试验发展（R&D）经费".

edits(text) says what would change; compose/punctuation.py is the one place that applies it to what
a document prints. The data files are never rewritten: while a document is composed, the readers of
files/ note() every value they read that the rule would change, with its place, so the report can
name the file and place of each mark.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from ..errors import Place

FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_MARKS = ",;:?!"
_CANDIDATE = re.compile(r"[,;:?!()\"']")
_PRODUCED = "，；：？！（）“”‘’"
# Chinese text: Chinese characters and the marks only Chinese text has (、。《》〔〕……——), not the
# marks this rule produces: a mark's neighbours are looked for past spaces and marks of either
# width, so the rule gives the same answer on its own output (normalise is idempotent).
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
                  "\u3001-\u303f\uff01-\uff60\u2014\u2026\u00b7]")
_CHINESE_TEXT = re.compile(f"[{_PRODUCED}]|{_CJK.pattern}")
_SPACE = " \t"
_SKIPPED = _SPACE + ",;:?!()\"'" + _PRODUCED
_CODE = "<>{}[]$=*\\|^`~"   # marks of markup and code, not of words: a word ends there
# The years a span runs from and to, with 年 after them: its hyphen is the 一字线 ("—") in Chinese text.
# Dates (2024-06, 2022-02-28), phone numbers and codes (ZF24-001) have no 年 there, or other digits.
_YEAR_SPAN = re.compile(r"(?<![0-9A-Za-z.\-])(?:1[89]|20)\d\d(-)(?:1[89]|20)\d\d(?=年)")
# Kept as written: web and mail addresses (their trailing mark belongs to the sentence).
_PROTECTED = re.compile(r"(?:https?://|ftp://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+"
                        r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True)
class Edit:
    """text[index] becomes `new` ("" = the character is dropped: a space next to a changed mark)."""

    index: int
    new: str


def is_cjk(ch: str) -> bool:
    return bool(ch) and ch not in _PRODUCED and _CJK.match(ch) is not None


def has_cjk(text: str) -> bool:
    return any(is_cjk(m.group()) for m in _CJK.finditer(text))


@functools.lru_cache(maxsize=4096)   # a text is looked at when printed, reported and quoted
def edits(text: str) -> tuple[Edit, ...]:
    """What GB/T 15834 changes in `text`, in order; () when nothing (most text: checked quickly)."""
    if not (_CANDIDATE.search(text) or "-" in text) or not _CHINESE_TEXT.search(text):
        return ()
    protected = set()
    for m in _PROTECTED.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in ".,;:!?)'\"":
            end -= 1   # "见 http://x.cn/a, 详见" : the comma is the sentence's
        protected.update(range(m.start(), end))
    changed: dict[int, str] = {m.start(1): "—" for m in _YEAR_SPAN.finditer(text) if m.start(1) not in protected}
    _brackets(text, protected, changed)
    _quotes(text, protected, changed, '"', "“", "”")
    _quotes(text, protected, changed, "'", "‘", "’")
    for i, ch in enumerate(text):
        if ch in _MARKS and i not in protected and (_chinese_side(text, i, -1) or _chinese_side(text, i, 1)):
            if _latin(text, i - 1) and _latin(text, i + 1):
                continue   # between letters or digits: 1,200 · 8:00 · 1:3 · Tel:0580 · a,b
            changed[i] = FULL_WIDTH[ch]
    dropped = set()
    for i in changed:   # spaces typed around a changed mark: a full-width mark carries its own
        j = i + 1
        while j < len(text) and text[j] in _SPACE:
            dropped.add(j)
            j += 1
        j = i - 1
        while j >= 0 and text[j] in _SPACE:
            j -= 1
        if j >= 0 and text[j] != "\n":   # not the indent at the start of a line
            dropped.update(range(j + 1, i))
    return tuple(sorted([Edit(i, new) for i, new in changed.items()] + [Edit(i, "") for i in dropped - set(changed)],
                        key=lambda e: e.index))


def apply(text: str, found: tuple[Edit, ...]) -> str:
    if not found:
        return text
    chars = list(text)
    for e in found:
        chars[e.index] = e.new
    return "".join(chars)


def normalise(text: str) -> str:
    return apply(text, edits(text))


def _chinese_side(text: str, i: int, step: int) -> bool:
    """Is the text on one side of i (step -1: before, 1: after) Chinese, on the same line: the nearest
    character past spaces and marks is Chinese, or the word that starts there (letters, digits and
    half-width marks, up to a space, a full-width mark or a mark of code such as < > { }) touches Chinese
    ("增长3.5%,ZF24-001按期" → "，"; "(1)8:00开放" → "（1）"; "。<b>f(x)" stays). Stopping at full-width
    marks keeps the rule idempotent."""
    j = i + step
    while 0 <= j < len(text) and text[j] in _SKIPPED:
        j += step
    while 0 <= j < len(text) and text[j] != "\n":
        if is_cjk(text[j]):
            return True
        if text[j] in _SPACE or text[j] in _PRODUCED or text[j] in _CODE:
            return False
        j += step
    return False


def _brackets(text: str, protected: set[int], changed: dict[int, str]) -> None:
    """A pair ( ) is Chinese when it holds Chinese text, stands next to it, or its other half is
    already full-width; a bracket without its pair, when it stands next to Chinese text."""
    stack: list[int] = []
    alone: list[int] = []
    for i, ch in enumerate(text):
        if i in protected:
            continue
        if ch in "(（":
            stack.append(i)
        elif ch in ")）":
            if not stack:
                alone.append(i)
                continue
            o = stack.pop()
            if text[o] == "(" or ch == ")":
                chinese = ("（" in (text[o], ch) or "）" in (text[o], ch) or has_cjk(text[o + 1:i])
                           or _chinese_side(text, o, -1) or _chinese_side(text, i, 1))
                if chinese:
                    for k in (o, i):
                        if text[k] in "()":
                            changed[k] = FULL_WIDTH[text[k]]
    for i in alone + stack:
        if text[i] in "()" and (_chinese_side(text, i, -1) or _chinese_side(text, i, 1)):
            changed[i] = FULL_WIDTH[text[i]]


def _quotes(text: str, protected: set[int], changed: dict[int, str], straight: str, left: str, right: str) -> None:
    """Straight quotes pair up in order (a curly opening quote may be closed by a straight one); a
    pair around or next to Chinese text becomes “ ” (‘ ’). A straight quote left without a pair
    stays: which side it belongs to cannot be told. An apostrophe (Xi'an, don't) is no quote."""
    stack: list[int] = []
    for i, ch in enumerate(text):
        if i in protected:
            continue
        if ch == straight and straight == "'" and _latin(text, i - 1) and _latin(text, i + 1):
            continue
        if ch == left:
            stack.append(i)
        elif ch == right:
            if stack:
                stack.pop()
        elif ch == straight:
            if stack:
                o = stack.pop()
                if text[o] == left or has_cjk(text[o + 1:i]) or _chinese_side(text, o, -1) or _chinese_side(text, i, 1):
                    if text[o] == straight:
                        changed[o] = left
                    changed[i] = right
            else:
                stack.append(i)


def _latin(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isascii() and text[i].isalnum()


def snippet_range(text: str, index: int, width: int = 6) -> tuple[int, int]:
    """Where the text around a mark starts and ends, on its line: what a report quotes."""
    start = max(text.rfind("\n", 0, index) + 1, index - width)
    end = text.find("\n", index)
    return start, min(end if end != -1 else len(text), index + width + 1)


# ---------------------------------------------------------------------------------------------
# Where the values a composition read came from.

@dataclass(frozen=True)
class Noted:
    text: str
    place: Place


_NOTES: ContextVar[list[Noted] | None] = ContextVar("gongfu_punctuation_notes", default=None)


def note(text: str, place: Place) -> None:
    """A value read from a data file, with its place (called by the readers; kept only while a
    document is being composed, and only when the rule would change it)."""
    notes = _NOTES.get()
    if notes is not None and _CANDIDATE.search(text) and _CHINESE_TEXT.search(text):
        notes.append(Noted(text, place))


def note_lines(text: str, place: Place, first_line: int = 1) -> None:
    """A text file read as a whole (a Markdown outline): each line with its line number."""
    if _NOTES.get() is None:
        return
    for n, line in enumerate(text.splitlines(), first_line):
        note(line, place.at(line=n))


@contextmanager
def noting() -> Iterator[list[Noted]]:
    """Notes the values read inside the block (those of an enclosing block too: one list)."""
    notes = _NOTES.get()
    if notes is not None:
        yield notes
        return
    notes = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


@contextmanager
def captured() -> Iterator[list[Noted]]:
    """The notes of the values read inside the block, whether a document is being composed or not
    (files/memo.py keeps them with a parse), also handed on to an enclosing noting() block."""
    notes: list[Noted] = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)
        resend(notes)


def resend(notes) -> None:
    """Notes taken earlier (captured()) for values read again now: to the enclosing noting() block."""
    outer = _NOTES.get()
    if outer is not None:
        outer.extend(notes)
