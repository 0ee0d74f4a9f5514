"""Chinese heading numbers per GB/T 9704 levels: 一、 （一） 1. （1）."""

import re

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    if not 0 < n < 100:
        raise ValueError(f"number out of range: {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    prefix = "" if tens == 1 else _DIGITS[tens]
    return prefix + "十" + (_DIGITS[ones] if ones else "")


def level_number(level: int, n: int) -> str:
    """The typed number of a heading at a level: 1 → 一、 2 → （一） 3 → 1. 4 → （1）."""
    if level == 1:
        return f"{chinese_numeral(n)}、"
    if level == 2:
        return f"（{chinese_numeral(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    raise ValueError(f"no numbering for level {level}")


# A section title as typed in a source: "（一）产业发展（12项）" → number, title, stated count.
_TYPED_NUMBER = re.compile(r"^(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百]+[）)]|"
                           r"第[一二三四五六七八九十百]+(?:部分|章|篇|节)[、：:\s]*|\d+[.．、](?!\d)|[（(]\d+[）)])\s*")
_STATED_COUNT = re.compile(r"[（(]\s*(?:共\s*)?(\d+)\s*[项个条件]\s*[）)]\s*$")


def split_section_title(text: str) -> tuple[str, int | None]:
    """"（一）产业发展（12项）" → ("产业发展", 12): the typed number and the stated count removed."""
    text = _TYPED_NUMBER.sub("", text.strip(), count=1)
    count = _STATED_COUNT.search(text)
    if count:
        return text[:count.start()].strip(), int(count.group(1))
    return text, None


def written_section_title(text: str) -> str:
    """"（一）产业发展（12项）" → "（一）产业发展": the section row as written, its typed number kept and
    its stated count (which the tool computes) removed."""
    text = text.strip()
    count = _STATED_COUNT.search(text)
    return text[:count.start()].strip() if count and text[:count.start()].strip() else text
