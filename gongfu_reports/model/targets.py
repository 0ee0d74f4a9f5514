"""Indicator targets kept exactly as written, and judging an actual value against them.

A target is one of three kinds:

- ``comparison``: a comparator and a number, e.g. "≥95", ">= 95", "＞96", "<0.019", "≤8.55%";
- ``number``: a plain number, optionally with a unit, e.g. "19", "45000", "95%", "5亿元";
  the indicator's direction (越大越好 / 越小越好) decides whether it is a floor or a ceiling;
- ``text``: anything else ("三分之二以上", "与经济增长基本同步", "较2023年增长"), which is
  never judged automatically.

Actual values are text as entered ("96.5", "96.5%", "4000万元"). A judgement never guesses:
textual targets, actuals that are not a plain number and differing units all go to
需人工判断; nothing is converted between units.

Targets are for a whole year; a month's value is judged by how it relates to time (the
indicator's 时间口径):

- 累计 (cumulative within the year: 城镇新增就业): before the year ends, the share of the target
  reached is compared with the share of the year gone (序时进度, 8/12 in August):
  快于 / 达到 (within one percentage point) / 低于序时进度; 已达标 once the full target is reached;
- 时点 (a level at a point in time: 覆盖率, 增速 so far): compared with the target directly;
- 年度 (known only for the whole year: 人均预期寿命): judged at the year's end only.

未达标 is only ever said where the period is the target's end or the indicator is 时点.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ACHIEVED = "已达标"
AHEAD = "快于序时进度"
ON_SCHEDULE = "达到序时进度"
BEHIND = "低于序时进度"
NOT_ACHIEVED = "未达标"
MANUAL = "需人工判断"
MISSING = "未填报"

STATUS_ORDER: tuple[str, ...] = (ACHIEVED, AHEAD, ON_SCHEDULE, BEHIND, NOT_ACHIEVED, MANUAL, MISSING)

CUMULATIVE = "累计"
POINT = "时点"
ANNUAL = "年度"
TIMINGS = (CUMULATIVE, POINT, ANNUAL)
_TIMINGS = {CUMULATIVE: CUMULATIVE, "累计值": CUMULATIVE, "年内累计": CUMULATIVE,
            POINT: POINT, "时点值": POINT, "当期": POINT,
            ANNUAL: ANNUAL, "年度值": ANNUAL, "年末": ANNUAL, "年末考核": ANNUAL}
SCHEDULE_TOLERANCE = 0.01   # within one percentage point of the time schedule: 达到序时进度

HIGHER = "越大越好"
LOWER = "越小越好"

_DIRECTIONS = {
    "": HIGHER, HIGHER: HIGHER, "越高越好": HIGHER, "正向": HIGHER, "higher": HIGHER,
    LOWER: LOWER, "越低越好": LOWER, "逆向": LOWER, "反向": LOWER, "lower": LOWER,
}

# Full-width and variant characters → their plain forms, before any matching.
_NORMALISE = str.maketrans({
    **{chr(0xFF10 + i): str(i) for i in range(10)},   # ０–９
    "．": ".", "％": "%", "＋": "+", "－": "-", "＝": "=",
    "＞": ">", "＜": "<", "≧": "≥", "≦": "≤", "⩾": "≥", "⩽": "≤",
    "\u3000": " ", "\u00a0": " ",
})

# Longest spellings first so ">=" is not read as ">".
_OPS = {">=": ">=", "=>": ">=", "≥": ">=", "<=": "<=", "=<": "<=", "≤": "<=",
        ">": ">", "<": "<"}
_OP_RE = "|".join(re.escape(op) for op in sorted(_OPS, key=len, reverse=True))

_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
# A unit is a short run of letters, CJK characters and a few symbols: "%", "亿元", "台",
# "人/万车", "km". Digits and punctuation make the whole target textual.
_UNIT = r"[A-Za-z%‰℃°/·²³\u4e00-\u9fff]{0,8}"
_VALUE_RE = re.compile(rf"(?P<number>{_NUMBER})\s*(?P<unit>{_UNIT})")
_TARGET_RE = re.compile(rf"(?:(?P<op>{_OP_RE})\s*)?{_VALUE_RE.pattern}")

# Words that qualify a number rather than name its unit: "5亿元以上", "约95", "30余个".
_QUALIFIERS = ("以上", "以下", "以内", "左右", "上下", "约", "余", "多", "超", "达", "至", "到",
               "及", "或", "和", "不", "近", "逾", "增", "减", "降", "提", "高", "低", "少")

_SYMBOL = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}
_NEGATION = {">=": "<", ">": "≤", "<=": ">", "<": "≥"}


@dataclass(frozen=True)
class Target:
    text: str                 # exactly as written
    kind: str                 # "comparison" | "number" | "text"
    op: str | None            # ">=", ">", "<=", "<"; None for text
    value: float | None       # None for text
    unit: str = ""            # "", "%", "亿元", "台" …

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Judgement:
    status: str               # one of STATUS_ORDER
    reason: str               # Chinese, for the report


def parse_direction(direction: str | None) -> str:
    """Normalise an indicator direction to 越大越好 or 越小越好 (empty means 越大越好)."""
    key = (direction or "").strip()
    found = _DIRECTIONS.get(key) or _DIRECTIONS.get(key.lower())
    if found is None:
        raise ValueError(f"指标方向“{direction}”无法识别，应为“{HIGHER}”或“{LOWER}”")
    return found


def parse_timing(timing: str | None) -> str:
    """Normalise an indicator's 时间口径 to 累计, 时点 or 年度 ("" when not given)."""
    key = (timing or "").strip()
    if not key:
        return ""
    if key not in _TIMINGS:
        raise ValueError(f"时间口径“{timing}”无法识别，应为“{CUMULATIVE}”（年内累计）、“{POINT}”（时点值）"
                         f"或“{ANNUAL}”（只在年末评价）")
    return _TIMINGS[key]


def parse_target(text: str, direction: str = "") -> Target:
    """Read a target as written. Raises ValueError for an unknown direction."""
    written = _as_text(text)
    higher = parse_direction(direction) == HIGHER
    match = _TARGET_RE.fullmatch(written.translate(_NORMALISE).strip())
    if match is None or not _is_unit(match["unit"]):
        return Target(written, "text", None, None, "")
    value = _to_float(match["number"])
    if match["op"]:
        return Target(written, "comparison", _OPS[match["op"]], value, match["unit"])
    return Target(written, "number", ">=" if higher else "<=", value, match["unit"])


def judge(target: Target, actual: str | float | int | None, timing: str = POINT,
          elapsed: float = 1.0) -> Judgement:
    """Judge an actual value (as entered) against a target. `timing`: the indicator's 时间口径;
    `elapsed`: the share of the target's period gone (8/12 for January–August of a yearly
    target; 1 at its end)."""
    entered = _as_text(actual).strip()
    if not entered:
        return Judgement(MISSING, "未填报实际值")
    if target.kind == "text" or target.op is None or target.value is None:
        if not target.text.strip():
            return Judgement(MANUAL, "未设定目标值，需人工判断")
        return Judgement(MANUAL, f"目标为文字表述“{target.text}”，需人工判断")
    match = _VALUE_RE.fullmatch(entered.translate(_NORMALISE).strip())
    if match is None or not _is_unit(match["unit"]):
        return Judgement(MANUAL, f"实际值“{entered}”无法识别为数字，需人工判断")
    value, unit = _to_float(match["number"]), match["unit"]
    if unit and target.unit and unit != target.unit:
        return Judgement(MANUAL, f"实际值单位“{unit}”与目标单位“{target.unit}”不一致："
                                 f"实际“{entered}”，目标“{target.text}”，需人工判断")
    shown_actual = _format(value) + (unit or target.unit)
    shown_target = _format(target.value) + target.unit
    final = elapsed >= 1
    if not final and timing != POINT:
        if timing == CUMULATIVE:
            return _schedule(target, value, elapsed, shown_actual, shown_target)
        why = "年度指标，年末评价" if timing == ANNUAL else "未注明时间口径（累计、时点或年度），年末评价"
        return Judgement(MANUAL, f"{why}；本期实际 {shown_actual}，全年目标 {shown_target}")
    if _holds(value, target.op, target.value):
        return Judgement(ACHIEVED, f"实际 {shown_actual} {_SYMBOL[target.op]} 目标 {shown_target}")
    return Judgement(NOT_ACHIEVED, f"实际 {shown_actual} {_NEGATION[target.op]} 目标 {shown_target}"
                                   f"，未达到“{target.text}”")


def _schedule(target: Target, value: float, elapsed: float, shown_actual: str, shown_target: str) -> Judgement:
    """A cumulative value against the target pro rata (序时进度)."""
    assert target.op is not None and target.value is not None
    schedule = f"序时进度 {elapsed:.1%}"
    if target.op in (">=", ">"):
        if _holds(value, target.op, target.value):
            return Judgement(ACHIEVED, f"累计 {shown_actual}，已达到全年目标 {shown_target}")
        if target.value <= 0:
            return Judgement(MANUAL, f"全年目标为 {shown_target}，无法计算序时进度，需人工判断")
        share = value / target.value
        reason = f"累计 {shown_actual}，完成全年目标 {shown_target} 的 {share:.1%}，{schedule}"
        if share > elapsed + SCHEDULE_TOLERANCE:
            return Judgement(AHEAD, reason)
        if share >= elapsed - SCHEDULE_TOLERANCE:
            return Judgement(ON_SCHEDULE, reason)
        return Judgement(BEHIND, reason)
    # A ceiling (越小越好): the year's allowance so far is the target pro rata, shown to one decimal
    # more than the target has. No brackets: the 通报 quotes a reason in brackets of its own.
    allowance = target.value * elapsed
    decimals = len(_format(target.value).partition(".")[2]) + 1
    shown_allowance = _format(round(allowance, decimals)) + target.unit
    if _holds(value, target.op, allowance):
        return Judgement(ON_SCHEDULE, f"累计 {shown_actual}，未超过序时控制数 {shown_allowance}；"
                                      f"全年目标 {shown_target}，{schedule}")
    return Judgement(BEHIND, f"累计 {shown_actual}，超过序时控制数 {shown_allowance}；"
                             f"全年目标 {shown_target}，{schedule}")


def _holds(actual: float, op: str, target: float) -> bool:
    if op == ">=":
        return actual >= target
    if op == ">":
        return actual > target
    if op == "<=":
        return actual <= target
    return actual < target


def _is_unit(unit: str) -> bool:
    return not any(word in unit for word in _QUALIFIERS)


def _to_float(number: str) -> float:
    return float(number.replace(",", ""))


def _format(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class IndicatorValues:
    """A period's indicator values as entered, by (序号, 分项)."""

    period: str = ""
    sample: bool = False
    values: dict[tuple[int, str], str] = field(default_factory=dict)
    notes: dict[tuple[int, str], str] = field(default_factory=dict)   # 说明 given with a value
