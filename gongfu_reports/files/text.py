"""Text checks for every value read from a data file: no invisible control characters, no runaway length."""

from __future__ import annotations

import re
import unicodedata

from ..errors import GongfuError, Place
from .punctuation import note

MAX_TEXT_CHARS = 10_000                 # one cell or one YAML value
# Characters that XML 1.0 (DOCX, HTML) cannot carry, plus DEL, the C1 controls (U+0085 is a line
# break to YAML and silently became a space) and lone surrogates (from a decoded _xD800_): usually
# pasted in by accident.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Characters that print as nothing (zero-width, soft hyphen, byte-order mark, fillers, variation
# selectors) or reorder what follows (bidi controls): in a name they make a second “市发改委” that looks
# like the first. Every other format character (Unicode category Cf: annotation anchors, joiners of
# other scripts …) is refused in names too (invisible_error).
INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                       "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e0fff]")
# Bidi controls reorder what follows: “正常\u202e文字反转” prints as “正常转反字文” in the PDF. No Chinese
# official text needs them; they are refused in every value, not only in names.
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_INVISIBLE_NAMES = {"\u200b": "零宽空格", "\u200c": "零宽不连字", "\u200d": "零宽连字", "\u2060": "零宽不折行空格",
                    "\ufeff": "零宽不折行空格（BOM）", "\u00ad": "软连字符"}


def check_text(text: str, place: Place) -> str:
    """Text from a cell or a YAML value: no invisible control characters, no bidi controls, no runaway length."""
    found = CONTROL.search(text)
    if found:
        raise GongfuError(f"含有不可见的控制字符（U+{ord(found.group()):04X}，在第{found.start() + 1}个字符处），请删除",
                          place, hint="这类字符多由复制粘贴带入；可重新输入该处文字，Excel 中也可用 CLEAN 函数清除")
    found = BIDI.search(text)
    if found:
        raise GongfuError(f"{_invisible_at(text, found.start())}：它使后面的文字倒序显示，请删除", place,
                          hint="这类字符看不见，多由复制粘贴带入；可重新输入该处文字")
    if len(text) > MAX_TEXT_CHARS:
        raise GongfuError(f"内容过长：{len(text)} 字，一处最多 {MAX_TEXT_CHARS} 字", place,
                          hint="请检查是否误粘贴了整篇文字；确需长文请分成几项")
    note(text, place)   # where a mark GB/T 15834 changes in print was read (files/punctuation.py)
    return text


def invisible_error(text: str) -> str | None:
    """“含有不可见字符（U+200B 零宽空格，在第5个字符处）” for text with an invisible or bidi
    character or a stray combining mark, None for clean text."""
    found = INVISIBLE.search(text)
    index = found.start() if found else next((i for i, ch in enumerate(text) if unicodedata.category(ch) == "Cf"), None)
    if index is None:
        mark = _stray_mark(text)
        return None if mark is None else \
            f"含有叠加在前一个字上的组合符号（U+{ord(text[mark]):04X}，在第{mark + 1}个字符处）"
    return _invisible_at(text, index)


def _invisible_at(text: str, index: int) -> str:
    """“含有不可见字符（U+202E 文字方向控制字符，在第3个字符处）”: the invisible character at `index`, named."""
    char = text[index]
    kind = _INVISIBLE_NAMES.get(char) or ("文字方向控制字符" if BIDI.match(char) else "不可见字符")
    return f"含有不可见字符（U+{ord(char):04X} {kind}，在第{index + 1}个字符处）"


def _stray_mark(text: str) -> int | None:
    """Where a combining mark (an accent and the like: Unicode Mn, Me) stands that no script of the name
    uses: first, after a Chinese character, a digit, a space or punctuation. It prints small or not at all
    over the character before (“市发改委\u0301”) and makes a second name that looks like the first;
    accents of other scripts (“é” typed as e and U+0301) pass."""
    for i, ch in enumerate(text):
        if unicodedata.category(ch) in ("Mn", "Me"):
            before = text[i - 1] if i else ""
            if not before.isalpha() or unicodedata.name(before, "").startswith("CJK"):
                return i
    return None
