"""Chinese heading numbers per GB/T 9704 levels: 一、 （一） 1. （1）."""

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
