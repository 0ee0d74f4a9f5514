"""A cell's value as Excel shows it, by its number format: 95% (not 0.95), 1.50 (not 1.5), 0.33 (not
0.3333333333333333), 2024/4/30 or 2024年4月30日 as the format says, 12,345 with its separator.

openpyxl gives the stored value and the format string; it does not apply one to the other. What is
covered: General, text (@), fixed decimals and thousands separators (0.00, #,##0), percent, scientific
(0.00E+00), literal text and currency symbols around the number ("万元", ¥), sections for negative
and zero values, and dates and times (y m d h s, 上午/下午 and AM/PM). A fraction format (# ?/?) is
shown as General. Excel rounds what it shows half away from zero, after taking the value to its
15 significant digits; so does this.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

GENERAL = "General"
# Excel's built-in short date (format 14) follows the system's locale: a Chinese Windows shows 2024/4/30.
_LOCALE_DATES = {"mm-dd-yy": "yyyy/m/d", "m/d/yy h:mm": "yyyy/m/d h:mm", "d-mmm-yy": "yyyy/m/d",
                 "d-mmm": "m月d日", "mmm-yy": "yyyy年m月"}
_TOKEN = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]|[^"\\_*\[]+')
_DATE_CODE = re.compile(r"(?i)yyyy|yy|e|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|aaaa|aaa|hh|h|ss|s|am/pm|a/p|上午/下午|\.0+")
_WEEKDAYS = "一二三四五六日"
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]


def format_value(value, number_format: str | None) -> str:
    """`value` (a number, a date/datetime/time, text, a bool or None) as Excel displays it with
    `number_format`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    fmt = _LOCALE_DATES.get(number_format or GENERAL, number_format or GENERAL)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return _date(value, fmt) if _is_date(fmt) else _default_date(value)
    if isinstance(value, (int, float)):
        if fmt in (GENERAL, "@") or not fmt.strip():
            return general(value)
        section, value = _section(fmt, value)
        if section is None:
            return general(value)
        if _is_date(section):
            from openpyxl.utils.datetime import from_excel

            try:
                return _date(from_excel(value), section)
            except (ValueError, OverflowError, TypeError):
                return general(value)
        return _number(value, section)
    return str(value)


def general(value) -> str:
    """General: integers without “.0”, other numbers to Excel's 15 significant digits (no float noise)."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) <= 1e15:
            return str(int(value))
        text = f"{value:.15g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            return f"{mantissa}E{int(exponent):+03d}"
        return text
    return str(value)


@functools.lru_cache(maxsize=512)
def _tokens(section: str) -> tuple[tuple[str, str], ...]:
    """(kind, text) parts of a format section: "lit" (quoted, escaped, [$¥-804] symbols), "skip"
    (padding, fill, colours, conditions, locales) and "code"."""
    out = []
    for token in _TOKEN.findall(section):
        if token.startswith('"'):
            out.append(("lit", token[1:-1]))
        elif token.startswith("\\"):
            out.append(("lit", token[1:]))
        elif token.startswith(("_", "*")):
            out.append(("skip", ""))
        elif token.startswith("["):
            symbol = re.match(r"\[\$([^-\]]*)", token)
            out.append(("lit", symbol.group(1)) if symbol else ("skip", token))
        else:
            out.append(("code", token))
    return tuple(out)


def _code(section: str) -> str:
    return "".join(text for kind, text in _tokens(section) if kind == "code")


def _is_date(section: str) -> bool:
    code = re.sub(r"(?i)general|e[+-]", "", _code(section))
    return bool(re.search(r"(?i)[ymdhs]", code)) and not re.search(r"[0#?]", re.sub(r"\.0+", "", code))


def _split_sections(fmt: str) -> list[str]:
    parts, current, quoted = [], "", False
    for i, ch in enumerate(fmt):
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted and not (i and fmt[i - 1] == "\\"):
            parts.append(current)
            current = ""
        else:
            current += ch
    return parts + [current]


def _section(fmt: str, value) -> tuple[str | None, float]:
    """The section that applies (positive; negative; zero; text) and the value it shows: a negative
    section shows the absolute value (its own signs and brackets are literal)."""
    sections = _split_sections(fmt)
    if value < 0 and len(sections) >= 2:
        return (sections[1] or None), -value
    if value == 0 and len(sections) >= 3:
        return (sections[2] or None), value
    return sections[0], value


def _excel_decimal(value) -> Decimal:
    return Decimal(f"{value:.15g}") if isinstance(value, float) else Decimal(value)


def _number(value, section: str) -> str:
    try:
        return _formatted(value, section)
    except (InvalidOperation, OverflowError):   # a number too large for its format (1e30 as "0.00"): as General
        return general(value)


def _formatted(value, section: str) -> str:
    tokens = _tokens(section)
    code = _code(section)
    if re.search(r"\?/|/\?|#/|/#|\d/\d", code):
        return general(value)                               # fractions: not supported, shown as General
    match = re.search(r"[0#?,.]*[0#?][0#?,.]*(?:[eE][+-][0#?]+)?|\.[0#?]+", code)
    if not match:                                          # only text ("-" for zero, "未填" …)
        return "".join(text if kind == "lit" else text.replace("%", "") for kind, text in tokens if kind != "skip")
    number = match.group()
    try:
        d = _excel_decimal(value)
    except InvalidOperation:
        return general(value)
    d *= Decimal(100) ** code.count("%")
    scaled = re.search(r"[0#?](,+)(?:$|[^0#?])", number + " ")
    if scaled:                                             # "#,##0," shows thousands
        d /= Decimal(1000) ** len(scaled.group(1))
    if re.search(r"[eE][+-]", number):
        digits = re.search(r"\.([0#?]+)", number.split("E")[0].split("e")[0])
        text = f"{float(d):.{len(digits.group(1)) if digits else 0}E}"
        mantissa, exponent = text.split("E")
        shown = f"{mantissa}E{exponent[0]}{int(exponent[1:]):0{len(re.search(r'[eE][+-]([0#?]+)', number).group(1))}d}"
    else:
        integer, _, decimals = number.partition(".")
        negative = d < 0
        places = len(re.sub(r"[^0#?]", "", decimals))
        required = len(re.sub(r"[^0?]", "", decimals))
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        shown = f"{abs(d):,.{places}f}" if "," in integer.rstrip(",") else f"{abs(d):.{places}f}"
        if places > required:                               # "#" decimals: trailing zeros are not shown
            head, _, tail = shown.partition(".")
            tail = tail[:required] + tail[required:].rstrip("0")
            shown = head + ("." + tail if tail or "." in decimals and not decimals.strip(".") else "")
        if "0" not in integer and shown.startswith("0") and abs(d) < 1:
            shown = shown[1:] or "0"                        # "#.00" shows .50
        minimum = integer.count("0")
        head, dot, tail = shown.partition(".")
        if len(head.replace(",", "")) < minimum:
            head = head.rjust(minimum, "0")
        shown = head + dot + tail
        if negative:   # Excel shows -0.004 as “-0.00”
            shown = "-" + shown
    # The number replaces the code's numeric part; literal text, % and signs around it stay.
    out, placed = [], False
    for kind, text in tokens:
        if kind == "lit":
            out.append(text)
        elif kind == "code":
            if not placed and number in text:
                i = text.index(number)
                out.append(_plain(text[:i]) + shown + _plain(text[i + len(number):]))
                placed = True
            else:
                out.append(_plain(text))
    return "".join(out) if placed else shown


def _plain(code_text: str) -> str:
    """Code characters around the number that show as themselves (%, signs, brackets, spaces)."""
    return re.sub(r"[0#?,]", "", code_text).replace("..", ".")


def _default_date(value) -> str:
    """A date with a format this reader does not know as one: the Chinese way."""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            value = value.date()
        else:
            return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return value.strftime("%H:%M:%S") if value.second else value.strftime("%H:%M")


def _date(value, fmt: str) -> str:
    section = _split_sections(fmt)[0]
    if isinstance(value, dt.time):
        value = dt.datetime.combine(dt.date(1899, 12, 31), value)
    elif not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    tokens = _tokens(section)
    codes = [(kind, text) for kind, text in tokens]
    twelve = any(kind == "code" and re.search(r"(?i)am/pm|a/p|上午/下午", text) for kind, text in codes)
    # Split the code into date codes and literal characters, then decide which "m" are minutes:
    # those right after an hour or right before seconds.
    parts: list[tuple[str, str]] = []
    for kind, text in codes:
        if kind != "code":
            if kind == "lit":
                parts.append(("lit", text))
            continue
        pos = 0
        for m in _DATE_CODE.finditer(text):
            if m.start() > pos:
                parts.append(("lit", text[pos:m.start()]))
            parts.append(("code", m.group()))
            pos = m.end()
        if pos < len(text):
            parts.append(("lit", text[pos:]))
    codes_only = [i for i, (kind, _) in enumerate(parts) if kind == "code"]
    out = []
    for n, (kind, text) in enumerate(parts):
        if kind == "lit":
            out.append(text)
            continue
        lower = text.lower()
        k = codes_only.index(n)
        prev = parts[codes_only[k - 1]][1].lower() if k > 0 else ""
        nxt = parts[codes_only[k + 1]][1].lower() if k + 1 < len(codes_only) else ""
        if lower in ("m", "mm") and (prev.startswith("h") or nxt.startswith("s")):
            out.append(f"{value.minute:02d}" if lower == "mm" else str(value.minute))
        else:
            out.append(_date_code(lower, text, value, twelve))
    return "".join(out)


def _date_code(code: str, original: str, value: dt.datetime, twelve: bool) -> str:
    hour = value.hour % 12 or 12 if twelve else value.hour
    return {
        "yyyy": f"{value.year:04d}", "e": str(value.year), "yy": f"{value.year % 100:02d}",
        "mmmmm": _MONTHS[value.month - 1][0], "mmmm": _MONTHS[value.month - 1], "mmm": _MONTHS[value.month - 1][:3],
        "mm": f"{value.month:02d}", "m": str(value.month),
        "dddd": f"星期{_WEEKDAYS[value.weekday()]}", "ddd": f"周{_WEEKDAYS[value.weekday()]}",
        "aaaa": f"星期{_WEEKDAYS[value.weekday()]}", "aaa": _WEEKDAYS[value.weekday()],
        "dd": f"{value.day:02d}", "d": str(value.day),
        "hh": f"{hour:02d}", "h": str(hour), "ss": f"{value.second:02d}", "s": str(value.second),
        "am/pm": "AM" if value.hour < 12 else "PM", "a/p": "A" if value.hour < 12 else "P",
        "上午/下午": "上午" if value.hour < 12 else "下午",
    }.get(code, original if not code.startswith(".") else
          "." + f"{value.microsecond / 1e6:.{len(code) - 1}f}"[2:])
