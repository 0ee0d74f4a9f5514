"""A generic list (清单): the columns are the source's header row, config.yaml places them.

Group header rows come from section columns (levels, each with a computed "（N项）"), numbered as
written in the data unless config.yaml asks for numbering; row spans from merge columns and from the
merges written in the source; items are numbered as written, continuously or per group; the title's
"{项数}" is the computed total; notes ("注：……") follow the table; unit columns print the names as
typed or, when asked, as registered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import ListOptions
from ..errors import GongfuError, GongfuWarning, Place
from ..model import UnitRegistry
from ..model.units import split_units
from ..files import fields
from ..files.table import Row
from ..model.lists import HEADER_LEVEL_SEPARATOR, ListTable, default_width
from ..model.numbering import level_number, split_section_title, written_section_title
from .blocks import Cell, Column, Paragraph, Run
from .blocks import Table as TableBlock
from .tasklist import cell_lines

COUNT_PLACEHOLDER = "{项数}"
SECTION_SCHEMES = ("一、", "（一）", "1.", "（1）")


@dataclass
class ListView:
    title: str
    landscape: bool
    blocks: list
    warnings: list[GongfuWarning] = field(default_factory=list)
    total: int = 0


def list_view(table: ListTable, opts: ListOptions, units: UnitRegistry, config_place: Place,
              default_title: str) -> ListView:
    _check_columns(table, opts, config_place)
    _fill_sections(table.rows, opts.sections)        # blank = same as above, in grouping columns
    fields.fill_down(table.rows, opts.merge)
    warnings: list[GongfuWarning] = []
    paths = [tuple(split_section_title(r.get(c))[0] for c in opts.sections) for r in table.rows]
    items = _item_ids(table, opts, paths)
    total = len(set(items))
    numbers = _numbers(table, opts, paths, items)
    shown = [h for h in table.headers if h not in opts.sections and h not in opts.hide]
    if numbers is not None and opts.number_column not in shown:
        shown.insert(0, opts.number_column)
    header = header_rows(shown)
    columns = [Column(opts.widths.get(h, default_width(h, [r.get(h) for r in table.rows])), _align(h, table.rows, opts))
               for h in shown]
    spans = _spans(table, opts, shown, paths, items)
    rows: list[list[Cell]] = []
    group_rows: set[int] = set()
    counters = [0] * len(opts.sections)
    for i, row in enumerate(table.rows):
        changed = next((lvl for lvl in range(len(opts.sections)) if i == 0 or paths[i][:lvl + 1] != paths[i - 1][:lvl + 1]),
                       None)
        if changed is not None:
            for lvl in range(changed, len(opts.sections)):
                title = paths[i][lvl]
                if not title:
                    continue
                counters[lvl] += 1
                for deeper in range(lvl + 1, len(counters)):
                    counters[deeper] = 0
                n = sum(1 for item in set(x for j, x in enumerate(items) if paths[j][:lvl + 1] == paths[i][:lvl + 1]))
                warnings += _stated_count_warning(row, opts.sections[lvl], n)
                group_rows.add(len(rows))
                number = _section_number(opts, lvl, counters[lvl])
                written = number + title if number is not None else written_section_title(row.get(opts.sections[lvl]))
                text = written + (f"（{n}项）" if opts.counts else "")
                rows.append([Cell([text], colspan=len(shown), bold=True)])
        cells = []
        for c, h in enumerate(shown):
            span = spans.get((i, c))
            if span is None:
                continue   # covered by a span that starts above or to the left
            text = numbers[i] if numbers is not None and h == opts.number_column else row.get(h)
            if opts.standard_unit_names and h in opts.units:
                text = units.registered_names(text)
            cells.append(Cell(cell_lines(text), rowspan=span[0], colspan=span[1], align=columns[c].align))
        rows.append(cells)
    warnings += _unit_warnings(table, opts, units)
    title = (opts.title or default_title).replace(COUNT_PLACEHOLDER, str(total))
    block = TableBlock(columns, header, rows, font_size=opts.font_size or 10.5, group_rows=group_rows)
    notes = [Paragraph("plain", [Run(line.strip())]) for note in opts.notes for line in note.splitlines() if line.strip()]
    return ListView(title, opts.landscape, [Paragraph("plain", [Run("")]), block, *notes], warnings, total)


def _fill_sections(rows: list[Row], sections: list[str]) -> None:
    """A blank section cell continues the section above, unless an outer section changed there."""
    for i in range(1, len(rows)):
        for level, column in enumerate(sections):
            outer_same = all(rows[i].get(c) == rows[i - 1].get(c) for c in sections[:level])
            if not rows[i].get(column) and outer_same:
                rows[i].values[column] = rows[i - 1].get(column)


def _check_columns(table: ListTable, opts: ListOptions, place: Place) -> None:
    named = {"sections": opts.sections, "merge": opts.merge, "units": opts.units, "hide": opts.hide,
             "widths": list(opts.widths)}
    for key, columns in named.items():
        missing = [c for c in columns if c not in table.headers and not (key == "widths" and c == opts.number_column)]
        if missing:
            raise GongfuError(f"配置项“{key}”中的列“{'、'.join(missing)}”在表格中不存在", place,
                              hint=f"{table.place}，现有表头：{'、'.join(table.headers)}")
    if opts.number == "as_written" and opts.number_column not in table.headers and "number_column" in opts.model_fields_set:
        raise GongfuError(f"序号列“{opts.number_column}”在表格中不存在", place,
                          hint=f"现有表头：{'、'.join(table.headers)}")


def _item_ids(table: ListTable, opts: ListOptions, paths) -> list[int]:
    """One id per row; neighbouring rows that share a written number (a merged 序号 cell) are one item."""
    ids = []
    has_number = opts.number_column in table.headers
    for i, row in enumerate(table.rows):
        same = (i > 0 and has_number and row.get(opts.number_column)
                and row.get(opts.number_column) == table.rows[i - 1].get(opts.number_column) and paths[i] == paths[i - 1])
        ids.append(ids[-1] if same else (ids[-1] + 1 if ids else 0))
    return ids


def _numbers(table: ListTable, opts: ListOptions, paths, items) -> list[str] | None:
    if opts.number == "as_written":
        return None
    out, n = [], 0
    for i in range(len(table.rows)):
        if i > 0 and opts.number == "per_group" and _group_key(table, opts, paths, i) != _group_key(table, opts, paths, i - 1):
            n = 0
        if i == 0 or items[i] != items[i - 1]:
            n += 1
        out.append(str(n))
    return out


def _group_key(table: ListTable, opts: ListOptions, paths, i: int):
    if opts.sections:
        return paths[i]
    return table.rows[i].get(opts.merge[0]) if opts.merge else None


def _section_number(opts: ListOptions, level: int, n: int) -> str | None:
    """The number config.yaml asks for at a level ("" = none), or None: as written in the data."""
    schemes = opts.section_numbers
    if schemes is None or level >= len(schemes):
        return None
    scheme = schemes[level]
    return level_number(SECTION_SCHEMES.index(scheme) + 1, n) if scheme in SECTION_SCHEMES else ""


def _stated_count_warning(row: Row, column: str, counted: int) -> list[GongfuWarning]:
    stated = split_section_title(row.get(column))[1]
    if stated is not None and stated != counted:
        return [GongfuWarning(f"“{row.get(column)}”写明 {stated} 项，实际 {counted} 项"
                              f"（生成的文件按实际项数写“（{counted}项）”）", row.place_of(column))]
    return []


def _spans(table: ListTable, opts: ListOptions, shown: list[str], paths, items) -> dict:
    """(row, visible column) → (rowspan, colspan) for every cell that is printed; cells covered by
    a span are absent. Spans never cross a group header row."""
    n_rows, n_cols = len(table.rows), len(shown)
    col = {h: c for c, h in enumerate(shown)}
    covered = [[False] * n_cols for _ in range(n_rows)]
    spans: dict = {}

    def place(r0: int, r1: int, c0: int, c1: int) -> None:
        if any(covered[r][c] for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)):
            return
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                covered[r][c] = True
        spans[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)

    def segments(r0: int, r1: int):
        """Rows r0..r1 cut where the group changes."""
        start = r0
        for r in range(r0 + 1, r1 + 1):
            if paths[r] != paths[r - 1]:
                yield start, r - 1
                start = r
        yield start, r1

    # 1. Merges written in the source, kept as they are.
    for (r0, r1), (h0, h1) in table.merges:
        if h0 not in table.headers or h1 not in table.headers:
            continue
        visible = [col[h] for h in table.headers[table.headers.index(h0):table.headers.index(h1) + 1] if h in col]
        if visible:
            for s0, s1 in segments(r0, r1):
                if (s1 - s0 + 1) * len(visible) > 1:
                    place(s0, s1, visible[0], visible[-1])
    # 2. Merge columns (equal neighbours, nested left to right) and the number of a multi-row item.
    merge_cols = [h for h in shown if h in opts.merge or h == opts.number_column]
    for k, h in enumerate(merge_cols):
        outer = [m for m in merge_cols[:k] if m != opts.number_column]

        def key(r: int):
            if h == opts.number_column:
                return (paths[r], items[r])
            value = table.rows[r].get(h)
            return (paths[r], tuple(table.rows[r].get(m) for m in outer), value) if value else None

        r = 0
        while r < n_rows:
            end = r
            while end + 1 < n_rows and key(r) is not None and key(end + 1) == key(r):
                end += 1
            if end > r:
                place(r, end, col[h], col[h])
            r = end + 1
    for r in range(n_rows):
        for c in range(n_cols):
            if not covered[r][c]:
                spans[(r, c)] = (1, 1)
    return spans


def header_rows(headers: list[str]) -> list[list[Cell]]:
    """Headers written "目标值/2025年" become two header rows: 目标值 spans its sub-columns."""
    parts = [h.split(HEADER_LEVEL_SEPARATOR) for h in headers]
    depth = max(len(p) for p in parts)
    rows: list[list[Cell]] = [[] for _ in range(depth)]
    for level in range(depth):
        c = 0
        while c < len(parts):
            p = parts[c]
            if level >= len(p):
                c += 1
                continue
            if level == len(p) - 1:
                rows[level].append(Cell([p[level]], rowspan=depth - level, align="center", bold=True))
                c += 1
                continue
            end = c
            while end + 1 < len(parts) and len(parts[end + 1]) > level + 1 and parts[end + 1][:level + 1] == p[:level + 1]:
                end += 1
            rows[level].append(Cell([p[level]], colspan=end - c + 1, align="center", bold=True))
            c = end + 1
    return rows


def _align(header: str, rows: list[Row], opts: ListOptions) -> str:
    if header == opts.number_column:
        return "center"
    longest = max((len(line) for r in rows for line in r.get(header).splitlines()), default=0)
    return "center" if longest <= 8 else "left"


def _unit_warnings(table: ListTable, opts: ListOptions, units: UnitRegistry) -> list[GongfuWarning]:
    warnings = []
    for row in table.rows:
        for column in opts.units:
            for name in split_units(row.get(column)):
                if units.find(name) is None:
                    try:
                        units.resolve(name, row.place_of(column))
                    except GongfuError as exc:
                        warnings.append(GongfuWarning.from_error(exc))
    return warnings
