"""Reporting periods ("YYYY-MM"): parsing what the user typed, and finding the period before."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable

from ..errors import GongfuError, Place

PERIOD = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")   # ASCII digits: \d takes ٢٠٢٤ too, and int() reads it
LAST_MONTH = "last-month"
# Periods name files and folders (build/forms/<期间>/) and date the forms (zip dates end in 2107): a
# year outside these is a typo.
FIRST_YEAR, LAST_YEAR = 2000, 2099
TODAY_VARIABLE = "GONGFU_TODAY"   # fixes "today" (YYYY-MM-DD), so runs and tests are repeatable


def today() -> dt.date:
    text = os.environ.get(TODAY_VARIABLE)
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise GongfuError(f"环境变量 {TODAY_VARIABLE}=“{text}”不是日期，应写作 2024-07-15") from None


def parse_period(text: str) -> str:
    """"2024-06" as given, or "last-month": the month before today."""
    text = text.strip()
    if text == LAST_MONTH:
        first = today().replace(day=1)
        before = first - dt.timedelta(days=1)
        text = f"{before.year:04d}-{before.month:02d}"
    if not PERIOD.fullmatch(text):
        raise GongfuError(f"期间“{text}”格式不对，应写作 年-月（如 2024-06），或 last-month 表示上个月", Place("--period"))
    if not FIRST_YEAR <= int(text[:4]) <= LAST_YEAR:
        raise GongfuError(f"期间“{text}”的年份不在 {FIRST_YEAR}—{LAST_YEAR} 年之间", Place("--period"),
                          hint="请检查年份是否写错，如 2024-06")
    return text


def month_label(period: str) -> str:
    """"2024-06" → "2024年6月" for messages and form titles."""
    return f"{period[:4]}年{int(period[5:7])}月"


def previous_period(period: str, available: Iterable[str]) -> str | None:
    """The latest of the available periods before this one (None if there is none): the bulletin
    compares with it, whether or not every month was reported."""
    earlier = [p for p in available if PERIOD.fullmatch(p) and p < period]
    return max(earlier) if earlier else None
