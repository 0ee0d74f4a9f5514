"""Text checks for every value read from a data file: no invisible control characters, no runaway length."""

from __future__ import annotations

import re

from ..errors import GongfuError, Place
from .punctuation import note

MAX_TEXT_CHARS = 10_000                 # one cell or one YAML value
# Characters that XML 1.0 (DOCX, HTML) cannot carry, plus DEL, the C1 controls (U+0085 is a line
# break to YAML and silently became a space) and lone surrogates (from a decoded _xD800_): usually
# pasted in by accident.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def check_text(text: str, place: Place) -> str:
    """Text from a cell or a YAML value: no invisible control characters, no runaway length."""
    found = CONTROL.search(text)
    if found:
        raise GongfuError(f"含有不可见的控制字符（U+{ord(found.group()):04X}，在第{found.start() + 1}个字符处），请删除",
                          place, hint="这类字符多由复制粘贴带入；可重新输入该处文字，Excel 中也可用 CLEAN 函数清除")
    if len(text) > MAX_TEXT_CHARS:
        raise GongfuError(f"内容过长：{len(text)} 字，一处最多 {MAX_TEXT_CHARS} 字", place,
                          hint="请检查是否误粘贴了整篇文字；确需长文请分成几项")
    note(text, place)   # where a mark GB/T 15834 changes in print was read (files/punctuation.py)
    return text
