"""Titles longer than a line, broken where the words allow (GB/T 9704 7.3.3: 回行时词意完整、排列对称、
长短适宜，梯形或菱形). A line break written in the data ("\\n") is kept as written; otherwise the lines are
chosen here, once for every renderer, so the Word file and the PDF break at the same places.

No segmenter can tell a policy term from two words ("共同富裕" is one phrase, "共同/富裕" a bad break), so
breaks are scored: never inside a term of 公文 vocabulary, a number with its unit ("2024年", "1—8月"), or
next to punctuation that must not start or end a line; best after "关于", before "的通知" and its kin,
around 《》 and after 、，；：; acceptable between terms; poor between two characters of unknown words.
Among the breaks that fit every line, the cheapest and most even set wins."""

from __future__ import annotations

import itertools
import math
import re

from ..render.layout import text_width
from .blocks import DocumentView, Paragraph

# Terms of 公文 titles that are one phrase (longest first where they overlap).
TERMS = sorted({
    "共同富裕示范区", "领导小组办公室", "共同富裕", "示范区", "先行市", "高质量发展", "工作要点", "实施方案", "工作方案", "行动方案", "工作报告",
    "政府工作报告", "重点工作", "重点任务", "民生实事", "责任分解", "任务分解", "完成情况", "进展情况", "推进情况",
    "落实情况", "领导小组", "办公室", "人民政府", "委员会", "海岛样板", "任务清单", "改革突破", "主要指标",
    "指标目标", "有关单位", "县（区）", "功能区", "管委会", "现代化", "一体化", "市域", "海洋经济", "自由贸易",
    "试验区", "高质量", "新时代", "十四五", "半年度", "全年", "上半年", "下半年", "省政府", "市政府", "舟山市",
    "浙江省", "舟山", "通知", "通报", "意见", "决定", "报告", "函", "请示", "批复", "纪要", "清单", "要点", "计划",
    "项目", "事项", "名单", "分工", "考核", "督查", "督办", "评价", "监测",
}, key=len, reverse=True)
DOC_TYPES = ("通知", "通报", "意见", "决定", "报告", "方案", "函", "请示", "批复", "纪要", "清单", "要点", "计划")
NUMBER = re.compile(r"[〔\[]?\d+(?:[.．]\d+)?(?:[—\-–~～至到]\d+(?:[.．]\d+)?)?[〕\]]?[年月日号项个条%]?|[A-Za-z]+")
NO_LINE_START = "、，。；：？！）》」』】〕”’%"
NO_LINE_END = "（《「『【〔“‘"
GOOD_AFTER = "、，；：》"

FORBIDDEN = 1000.0


def break_costs(text: str) -> list[float]:
    """cost[i]: the cost of a line break before text[i] (i = 1 … len(text) - 1)."""
    n = len(text)
    cost = [3.0] * (n + 1)
    cost[0] = cost[n] = FORBIDDEN
    for i in range(1, n):
        a, b = text[i - 1], text[i]
        if b in NO_LINE_START or a in NO_LINE_END:
            cost[i] = FORBIDDEN
        elif a in GOOD_AFTER or b in "《":
            cost[i] = 0.0
    for start, end in _spans(text):
        for i in range(start + 1, end):
            cost[i] = FORBIDDEN
        for i in (start, end):
            if 0 < i < n and 1.0 < cost[i] < FORBIDDEN:
                cost[i] = 1.0   # a term's edge is a word boundary (not where punctuation forbids a break: “0）”)
    for match in re.finditer("关于", text):
        if 0 < match.end() < n:
            cost[match.end()] = min(cost[match.end()], 0.0)
        if 0 < match.start():
            cost[match.start()] = min(cost[match.start()], 0.5)
    for doc_type in DOC_TYPES:
        suffix = "的" + doc_type
        if text.endswith(suffix) and len(text) > len(suffix):
            i = n - len(suffix)
            cost[i] = min(cost[i], 0.5)
    for conj in ("和", "与", "及"):
        for match in re.finditer(conj, text):
            if 0 < match.start() < n and cost[match.start()] < FORBIDDEN:
                cost[match.start()] = min(cost[match.start()], 1.0)
    return cost


def _spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the terms and numbers that must stay on one line."""
    spans, taken = [], [False] * len(text)
    for match in NUMBER.finditer(text):
        spans.append(match.span())
        for i in range(*match.span()):
            taken[i] = True
    for term in TERMS:
        for match in re.finditer(re.escape(term), text):
            if not any(taken[match.start():match.end()]):
                spans.append(match.span())
                for i in range(*match.span()):
                    taken[i] = True
    return spans


MAX_LINES = 8          # longer is no title to lay out by hand: the renderer wraps it
MAX_COMBINATIONS = 100_000   # every set of breaks tried up to this many; above it, the best line by line
# Digits and Latin letters of the title face are wider than half a character (Noto Serif CJK Bold's
# digits: 0.594 em): counted at 0.5, "2024年省政府民生实事（舟山部分）责任分解" (20.37 characters)
# seemed to fit a line of 20.1 and the renderer wrapped its last character alone onto a second line.
HALF_WIDTH_IN_TITLES = 0.6


def title_width(text: str) -> float:
    """A title's width in characters of its size, on the high side."""
    return sum(1.0 if w == 1.0 else HALF_WIDTH_IN_TITLES for w in map(text_width, text))


def break_title(text: str, capacity: float) -> str:
    """The title with "\n" where its lines break (unchanged when it fits one line or already has breaks).
    capacity: characters per line (full-width ones count 1, half-width ones HALF_WIDTH_IN_TITLES)."""
    if "\n" in text or title_width(text) <= capacity:
        return text
    costs = break_costs(text)
    widths = [title_width(ch) for ch in text]
    lines = int(-(-sum(widths) // capacity))
    if lines > MAX_LINES:
        return text
    candidates = [i for i in range(1, len(text)) if costs[i] < FORBIDDEN]
    for count in (lines, lines + 1):
        if math.comb(len(candidates), count - 1) <= MAX_COMBINATIONS:
            cuts = _best_set(candidates, count, lines, costs, widths, capacity)
        else:
            cuts = _best_by_line(candidates, count, lines, costs, widths, capacity)
        if cuts is not None:
            bounds = (0, *cuts, len(text))
            return "\n".join(text[a:b] for a, b in zip(bounds, bounds[1:]))
    return text   # nothing fits: the renderer wraps it


def _best_set(candidates, count, lines, costs, widths, capacity):
    """The cheapest set of count - 1 breaks: the break costs, plus even lines (对称), the shortest not
    much shorter than the rest (no word alone on a line)."""
    best = None
    for cuts in itertools.combinations(candidates, count - 1):
        bounds = (0, *cuts, len(widths))
        line_widths = [sum(widths[a:b]) for a, b in zip(bounds, bounds[1:])]
        if max(line_widths) > capacity + 1e-9:
            continue
        evenness = (max(line_widths) - min(line_widths)) / capacity
        score = sum(costs[c] for c in cuts) + 4 * evenness + 2 * (count - lines)
        if best is None or score < best[0]:
            best = (score, cuts)
    return None if best is None else best[1]


def _best_by_line(candidates, count, lines, costs, widths, capacity):
    """The same choice for a title with too many sets of breaks to try each: the evenness counted line
    by line (each line's distance from the mean width), found by dynamic programming."""
    at = [0.0]
    for w in widths:
        at.append(at[-1] + w)
    n, mean = len(widths), at[-1] / count
    points = [0, *candidates, n]
    best = {0: (0.0, ())}   # break position → (score, breaks) with the lines so far
    for line in range(1, count + 1):
        ends = [n] if line == count else points[1:-1]
        here = {}
        for j in ends:
            for i, (score, cuts) in best.items():
                width = at[j] - at[i]
                if i >= j or width > capacity + 1e-9:
                    continue
                total = score + (costs[i] if i else 0) + 4 * abs(width - mean) / capacity
                if j not in here or total < here[j][0]:
                    here[j] = (total, cuts + ((i,) if i else ()))
        best = here
    return best[n][1] if n in best else None


def break_titles(view: DocumentView, capacity: float, landscape_capacity: float) -> None:
    """Every title paragraph of a view broken where the words allow, for the width of its pages."""
    for section in view.sections:
        for block in section.blocks:
            if isinstance(block, Paragraph) and block.role == "title" and len(block.runs) == 1:
                run = block.runs[0]
                run.text = break_title(run.text, landscape_capacity if section.landscape else capacity)
