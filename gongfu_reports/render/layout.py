"""GB/T 9704-2012 page numbers shared by both renderers (mm and pt)."""

import functools
import math
import unicodedata

PT_PER_MM = 72 / 25.4

PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 37.0, 35.0, 28.0, 26.0
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT      # 156 mm
TEXT_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM      # 225 mm
LINES, CHARS = 22, 28
BODY_PT = 16.0                                    # 3号
TITLE_PT = 22.0                                   # 2号
PAGE_NUMBER_PT = 14.0                             # 4号
LINE_PITCH_PT = 28.95                             # 225 mm / 22 lines, a little under
FIGURE_GAP_PT = 6.0                               # space above and below a chart
# 156 mm / 28 characters = 15.79 pt; 16 pt glyphs are condensed to fit 28 per line.
LETTER_SPACING_PT = -0.25
CHAR_PITCH_PT = BODY_PT + LETTER_SPACING_PT       # 15.75 pt
MARK_TOP_MM = 35.0                                # issuer mark: 35 mm below the top of the 版心
MARK_PT = 24.0                                    # issuer mark size unless config.yaml sets mark_size
RULE_GAP_MM = 4.0                                 # red rule: 4 mm under the issue number
PAGE_NUMBER_GAP_MM = 7.0                          # page number: 7 mm below the 版心
RED = "FF0000"
IMPRINT_PT = 14.0                                 # 版记: 4号
IMPRINT_LINE_PT = 22.0                            # 版记 line pitch

# Tables (the same metrics in the DOCX and both PDF engines, so rows are as high everywhere): lines
# 1.35 × the table's text size apart, in whole twentieths of a point (Word's unit for exact line
# spacing); cells padded 1 mm above and below (57 twips), 1.2 mm left and right (68 twips); 0.5 pt rules.
TABLE_LINE_RATIO = 1.35
CELL_PAD_V_PT = 2.85
CELL_PAD_H_PT = 3.4
TABLE_RULE_PT = 0.5


def table_line_pt(size_pt: float) -> float:
    """Line pitch of table text of this size (the Typst template computes the same)."""
    return round(size_pt * TABLE_LINE_RATIO * 20) / 20


# A row taller than this share of a page may break across pages: kept whole, it would leave up to
# that much of the page above it empty (a list of long 完成情况 rows: page after page half empty).
SPLIT_ROW_SHARE = 0.25


def tall_rows(table, landscape: bool) -> list[int]:
    """The body rows of a table (a compose.blocks.Table) too tall for a page under its header. The PDF
    templates start such a row on a new page and let it run on; the DOCX lets it break where the page
    ends (kept whole with w:cantSplit, LibreOffice and Word cut it off at the page's end). The height
    is estimated on the high side (each character its full width, a character less per line), so a
    row that would not fit is never kept whole."""
    return row_breaks(table, landscape)[0]


def split_rows(table, landscape: bool) -> list[int]:
    """The body rows taller than SPLIT_ROW_SHARE of a page (and not taller than the page): they break
    across pages where the page ends, in every output; shorter rows are kept whole, and so is a row
    under a group row (the two stay on one page: the group heading never ends a page)."""
    return row_breaks(table, landscape)[1]


def row_breaks(table, landscape: bool) -> tuple[list[int], list[int]]:
    """tall_rows and split_rows of a table, its rows measured once (what a renderer asks for)."""
    heights, room = _row_heights(table, landscape)
    return ([r for r, h in enumerate(heights) if h > room],
            [r for r, h in enumerate(heights) if SPLIT_ROW_SHARE * room < h <= room and r - 1 not in table.group_rows])


def _row_heights(table, landscape: bool) -> tuple[list[float], float]:
    """The estimated height of each body row, and the room for them on a page under the header (pt)."""
    width_pt = (LAND_TEXT_W if landscape else TEXT_W) * PT_PER_MM
    page_pt = (TEXT_W if landscape else TEXT_H) * PT_PER_MM
    total = sum(c.width for c in table.columns) or 1
    widths = [width_pt * c.width / total for c in table.columns]
    line = table_line_pt(table.font_size)

    def heights(rows):
        out = []
        for placed in cell_columns(rows, len(widths)):
            tallest = 0.0
            for c, cell in placed:
                room = sum(widths[c:c + cell.colspan]) - 2 * CELL_PAD_H_PT - TABLE_RULE_PT
                per_line = max(1, int(room / table.font_size) - 1)
                lines = sum(max(1, math.ceil(_width(text) / per_line)) for text in cell.lines) or 1
                if cell.rowspan == 1:
                    tallest = max(tallest, lines * line + 2 * CELL_PAD_V_PT + TABLE_RULE_PT)
            out.append(tallest)
        return out

    return heights(table.rows), page_pt - sum(heights(table.header))


def cell_columns(rows: list, width: int) -> list[list[tuple[int, object]]]:
    """Each row's cells (compose.blocks.Cell: only those that start in the row) with the grid column
    each starts at: the first of its row that no cell before it, or above it merged over rows, takes,
    as Word and HTML place them. One place for the walk that the DOCX, the row heights and the web
    edition's column widths all make."""
    taken = [[False] * width for _ in rows]
    out = []
    for r, row in enumerate(rows):
        c, placed = 0, []
        for cell in row:
            while c < width and taken[r][c]:
                c += 1
            placed.append((c, cell))
            for covered in taken[r:r + cell.rowspan]:
                for cc in range(c, min(c + cell.colspan, width)):
                    covered[cc] = True
            c += cell.colspan
        out.append(placed)
    return out


def _width(text: str) -> float:
    return sum(map(_estimated_width, text))


@functools.lru_cache(maxsize=8192)   # each character looked up once: tables are measured for every renderer
def _estimated_width(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.6


# Landscape pages keep the same 版心 turned by 90 degrees.
LAND_MARGIN_TOP, LAND_MARGIN_BOTTOM = 28.0, 26.0
LAND_MARGIN_LEFT, LAND_MARGIN_RIGHT = 35.0, 37.0
LAND_TEXT_W = PAGE_H - LAND_MARGIN_LEFT - LAND_MARGIN_RIGHT  # 225 mm


def mark_scale(text: str, size_pt: float) -> float:
    """Horizontal scale that fits the issuer mark on one line of the 版心."""
    width_pt = len(text) * size_pt
    # Floor to whole percent (Word's w:w) with a little room, so no renderer wraps it.
    return min(100, int(98 * TEXT_W * PT_PER_MM / width_pt)) / 100


def char_width(ch: str) -> float:
    """Width in body characters: full-width characters count 1, half-width 0.5."""
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5


def text_width(text: str) -> float:
    return sum(char_width(ch) for ch in text)


def imprint_lines(copy_line: str, width_mm: float = TEXT_W) -> int:
    """Lines of a 版记: its 抄送 line wrapped (1 character in from both sides, further lines under the
    names), and the line of the 印发机关 and 印发日期."""
    chars = width_mm * PT_PER_MM / IMPRINT_PT
    return (wrapped_lines(copy_line, chars - 2, chars - 5) if copy_line else 0) + 1


IMPRINT_MAX_LINES = int(TEXT_H * PT_PER_MM // IMPRINT_LINE_PT)   # a 版记 on one page: 28 lines


def wrapped_lines(text: str, first_width_chars: float, width_chars: float) -> int:
    """How many lines `text` takes when full-width characters count 1 and half-width 0.5."""
    lines, used, room = 1, 0.0, first_width_chars
    for ch in text:
        w = char_width(ch)
        if used + w > room + 1e-9:
            lines, used, room = lines + 1, 0.0, width_chars
        used += w
    return lines
