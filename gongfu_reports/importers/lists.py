"""`gongfu import FILE.xlsx|FILE.docx --as NAME`: an existing table becomes a list document.

The header row is found under any title rows; multi-level headers are flattened ("目标值/2025年");
full-width rows such as "（一）产业发展（12项）" become section columns, their numbers as written
("（一）产业发展"; none stays none) and their stated counts checked against the rows; blank "same as
above" cells are filled in grouping columns only; merged cells are kept as merged ranges in the data
file; "注：……" lines under the table are kept as its notes. Writes data/NAME.xlsx and a config entry.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model.numbering import split_section_title, written_section_title
from ..errors import GongfuError, Place, display_path, writing
from ..publish import build_lock, write_atomic
from ..files.grid import Grid, Merge
from ..model.lists import default_width

GROUP_HEADER = re.compile(r"^(类别|分类|类型|领域|板块|方面|篇章|部分|大类|小类|分组|专项|项目类别|重点领域|改革领域|"
                          r"重点任务|主要任务|工作任务|任务|重点工作|工作内容|专项行动|行动)$")
NUMBER_HEADERS = ("序号", "编号", "序")
UNIT_HEADER = re.compile(r"(单位|部门)$")
NOT_UNIT_HEADER = re.compile(r"^(计量)?单位$")
SECTION_COLUMN_NAMES = ("部分", "分组", "小组", "小项")
_SCHEMES = [("一、", re.compile(r"^[一二三四五六七八九十百]+、")),
            ("（一）", re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")),
            ("第一", re.compile(r"^第[一二三四五六七八九十百]+[部章篇节]")),
            ("1.", re.compile(r"^\d+[.．、](?!\d)")),
            ("（1）", re.compile(r"^[（(]\d+[）)]"))]
_COLUMN_NUMBERS = re.compile(r"^\d+$")
_NOTE = re.compile(r"^(注|备注|说明)[：:\s]")
_NOTE_CONTINUED = re.compile(r"^(\d+[.．、]|[（(]\d+[）)])")   # "2.……" under "注：1.……"
_ATTACHMENT_LABEL = re.compile(r"^附件\s*\d*[：:]?$")
_FORM_NOTE = re.compile(r"^(填报|编制|制表|报送)?(单位|日期|时间|联系人)[：:]")


@dataclass
class ImportedList:
    title: str
    headers: list[str]
    rows: list[list[str]]
    merges: list[Merge]              # among rows/headers, as written in the source
    sections: list[str] = field(default_factory=list)
    merge_columns: list[str] = field(default_factory=list)
    number: str = "as_written"
    number_column: str | None = None
    unit_columns: list[str] = field(default_factory=list)
    widths: dict[str, float] = field(default_factory=dict)
    landscape: bool = False
    warnings: list[str] = field(default_factory=list)
    items: int = 0
    notes: list[str] = field(default_factory=list)   # "注：……" under the table, as written
    counts: bool = True              # the section rows stated their counts ("（12项）")


def analyse(grid: Grid) -> ImportedList:
    header, depth, titles = _find_header(grid)
    columns, names = _columns(grid, header, depth)
    if len(columns) < 2:
        raise GongfuError("找不到表头行：表格中没有一行有两个以上的列名", grid.place(),
                          hint="表头行应写明每一列的名称（如 序号、指标、目标值、牵头单位）")
    warnings: list[str] = []
    levels: list[str] = []                 # section numbering schemes, outermost first
    path: list[str] = []
    sections: list[tuple[int, list[str], int, str]] = []   # (grid row, path, level, text) with a stated count
    data_rows: list[int] = []
    paths: list[tuple[str, ...]] = []
    notes: list[str] = []
    stated_counts = False
    first_data = header + depth
    for r in range(first_data, len(grid.cells)):
        own = grid.own(r)
        if not any(grid.value(r, c) for c in columns):
            continue
        if r == first_data and _is_column_numbering(own):
            continue
        if len(own) == 1 and ((_NOTE.match(own[0][1]) and data_rows) or notes):
            notes.append(own[0][1].strip())   # a note under the table, and the rows of one cell under it
            continue
        if len(own) == 1 and _NOTE.match(own[0][1]):
            warnings.append(f"{grid.place(r)}：表头下方的说明“{own[0][1][:20]}”未导入，请在需要时写入标题或 notes")
            continue
        if _is_section_row(grid, r, own, columns):
            text = "".join(own[0][1].split())
            scheme = next((s for s, pattern in _SCHEMES if pattern.match(text)), "")
            if scheme not in levels:
                levels.append(scheme)
            level = levels.index(scheme)
            stated = split_section_title(text)[1]
            stated_counts = stated_counts or stated is not None
            path = path[:level] + [""] * (level - len(path)) + [written_section_title(text)]
            if stated is not None:
                sections.append((r, list(path), level, text))
            continue
        data_rows.append(r)
        paths.append(tuple(path) + ("",) * (len(levels) - len(path)))
    if not data_rows:
        raise GongfuError("表头行下面没有数据行", grid.place(header),
                          hint="请确认 --sheet / --table 选择的是清单所在的表格")
    paths = [p + ("",) * (len(levels) - len(p)) for p in paths]
    rows = [[grid.value(r, c) for c in columns] for r in data_rows]
    merges = _data_merges(grid, data_rows, columns)
    number_col = next((i for i, n in enumerate(names) if n in NUMBER_HEADERS), None)
    groups = _grouping_columns(names, rows, merges, number_col)
    _fill_same_as_above(rows, paths, groups + ([number_col] if number_col is not None else []))
    items = _item_ids(rows, paths, number_col)
    section_names = _section_names(len(levels), names)
    result = ImportedList(
        title=_title(titles, grid), headers=section_names + names,
        rows=[list(p) + row for p, row in zip(paths, rows)],
        merges=[(r0, r1, c0 + len(section_names), c1 + len(section_names)) for r0, r1, c0, c1 in merges],
        sections=section_names, merge_columns=[names[c] for c in groups],
        number_column=names[number_col] if number_col is not None else None,
        items=len(set(items)), warnings=warnings, notes=notes + _notes_below(grid.below),
        counts=stated_counts or not levels)
    result.number = _numbering(rows, paths, items, number_col)
    for r, section_path, level, text in sections:
        counted = len({items[i] for i, p in enumerate(paths) if list(p[:level + 1]) == section_path})
        stated = split_section_title(text)[1]
        if stated != counted:
            warnings.append(f"{grid.place(r)}：“{text}”写明 {stated} 项，实际 {counted} 项"
                            f"（生成的文件按实际项数写“（{counted}项）”）")
    stated_total = re.search(r"[（(](?:共)?(\d+)项[）)]", result.title)
    if stated_total:
        if int(stated_total.group(1)) != result.items:
            warnings.append(f"{grid.place(header - 1 if header else None)}：标题“{result.title}”写明 "
                            f"{stated_total.group(1)} 项，实际 {result.items} 项")
        result.title = result.title[:stated_total.start(1)] + "{项数}" + result.title[stated_total.end(1):]
    result.unit_columns = [n for n in names if UNIT_HEADER.search(n.split("/")[-1]) and not NOT_UNIT_HEADER.match(n)]
    shown = [n for n in names]
    result.widths = {n: default_width(n, [row[i] for row in rows]) for i, n in enumerate(shown)}
    result.landscape = grid.landscape or sum(result.widths.values()) > 48 or len(shown) >= 7
    return result


def _notes_below(paragraphs: list[str]) -> list[str]:
    """Word: the "注：……" paragraphs right under the table, with their numbered continuations."""
    notes: list[str] = []
    for text in paragraphs:
        if _NOTE.match(text) or (notes and _NOTE_CONTINUED.match(text)):
            notes.append(text)
        else:
            break
    return notes


def _find_header(grid: Grid) -> tuple[int, int, list[str]]:
    """The first row with two or more cells of its own is the header; single-cell rows above it
    are titles. The header has more rows when its cells are merged down or over sub-columns."""
    titles = []
    def filled(r: int) -> int:   # columns covered by the row's own non-empty cells (a merged parent counts wide)
        return sum(1 for c in range(grid.width) if grid.value(r, c) and grid.origin[r][c][0] == r)

    widest = max((filled(r) for r in range(min(len(grid.cells), 15)) if len(grid.own(r)) >= 2), default=0)
    needed = max(2, -(-widest * 3 // 5))   # a note such as "填报单位：…  日期：…" above is not the header
    for r in range(len(grid.cells)):
        own = grid.own(r)
        if len(own) >= 2 and filled(r) >= needed:
            return r, _header_depth(grid, r), titles
        if own:
            titles.append(own[0][1])
    raise GongfuError("找不到表头行：没有一行有两个以上的列名", grid.place(),
                      hint="表头行应写明每一列的名称；标题行可以在表头之上")


def _header_depth(grid: Grid, header: int) -> int:
    depth = 1
    while depth < 4 and header + depth < len(grid.cells):
        last = header + depth - 1
        merges = [m for m in grid.merges if header <= m[0] <= last]
        extends = any(m[1] > last for m in merges)
        parents = [m for m in merges if m[1] == last and m[3] > m[2]]
        if parents and not extends:
            # Sub-headers below: every column not under a parent is merged down from the header.
            under = {c for m in parents for c in range(m[2], m[3] + 1)}
            nxt = last + 1
            others_covered = all(grid.origin[nxt][c][0] < nxt or not grid.cells[nxt][c]
                                 for c in range(grid.width) if c not in under)
            children = all(grid.value(nxt, c) for c in under)
            extends = others_covered and children
        if not extends:
            break
        depth += 1
    return depth


def _columns(grid: Grid, header: int, depth: int) -> tuple[list[int], list[str]]:
    columns, names = [], []
    for c in range(grid.width):
        parts: list[str] = []
        for r in range(header, header + depth):
            text = "".join(grid.value(r, c).split()).replace("/", "／")
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        has_data = any(grid.value(r, c) for r in range(header + depth, len(grid.cells)))
        if not parts and not has_data:
            continue
        if c > 0 and grid.origin[header][c] == grid.origin[header][c - 1] and depth == 1 and columns \
                and columns[-1] == c - 1 and not has_data:
            continue   # a header merged over an empty column
        name = "/".join(parts) or f"第{c + 1}列"
        base, k = name, 2
        while name in names:
            name, k = f"{base}（{k}）", k + 1
        columns.append(c)
        names.append(name)
    return columns, names


def _is_column_numbering(own: list[tuple[int, str]]) -> bool:
    """A row "1 2 3 4 …" under the header (column numbers, as in some official forms)."""
    return len(own) >= 3 and all(_COLUMN_NUMBERS.match(t) for _, t in own) and \
        [int(t) for _, t in own] == list(range(int(own[0][1]), int(own[0][1]) + len(own)))


def _is_section_row(grid: Grid, r: int, own, columns: list[int]) -> bool:
    """One cell of its own, at the left, spanning the row or alone in it: "一、产业发展（80项）"."""
    if len(own) != 1:
        return False
    c, text = own[0]
    if c not in columns[:2] or _COLUMN_NUMBERS.match(text):
        return False
    merge = grid.merge_at(r, c)
    wide = merge is not None and merge[3] - merge[2] + 1 >= max(2, len(columns) // 2)
    alone = all(not grid.value(r, k) for k in columns if k != c)
    numbered = any(p.match(text) for _, p in _SCHEMES) or re.search(r"[（(]\d+项[）)]$", text)
    return wide or (alone and bool(numbered))


def _data_merges(grid: Grid, data_rows: list[int], columns: list[int]) -> list[Merge]:
    row_of = {r: i for i, r in enumerate(data_rows)}
    col_of = {c: i for i, c in enumerate(columns)}
    out = []
    for r0, r1, c0, c1 in grid.merges:
        rows = [row_of[r] for r in range(r0, r1 + 1) if r in row_of]
        cols = [col_of[c] for c in range(c0, c1 + 1) if c in col_of]
        if rows and cols and len(rows) * len(cols) > 1 and r0 in row_of:
            out.append((rows[0], rows[-1], cols[0], cols[-1]))
    return out


def _grouping_columns(names: list[str], rows: list[list[str]], merges: list[Merge], number_col) -> list[int]:
    """Columns whose blank cells mean "same as above": the leading columns (before the content)
    that are merged down in the source or named like a group (类别、领域、重点任务 …)."""
    merged_down = {c for r0, r1, c0, c1 in merges if r1 > r0 and c0 == c1 for c in (c0,)}
    leading = [c for c in range(len(names)) if c != number_col][:3]
    out = []
    for c in leading:
        if c in merged_down or GROUP_HEADER.match(names[c]):
            out.append(c)
        else:
            break   # grouping columns come first; the content starts here
    return out


def _fill_same_as_above(rows: list[list[str]], paths, columns: list[int]) -> None:
    for c in columns:
        for i in range(1, len(rows)):
            if not rows[i][c] and paths[i] == paths[i - 1] and rows[i - 1][c]:
                rows[i][c] = rows[i - 1][c]


def _item_ids(rows, paths, number_col) -> list[int]:
    ids: list[int] = []
    for i, row in enumerate(rows):
        same = (i > 0 and number_col is not None and row[number_col] and row[number_col] == rows[i - 1][number_col]
                and paths[i] == paths[i - 1])
        ids.append(ids[-1] if same else len(set(ids)))
    return ids


def _numbering(rows, paths, items, number_col) -> str:
    if number_col is None:
        return "as_written"
    firsts = [i for i in range(len(rows)) if i == 0 or items[i] != items[i - 1]]
    numbers = [rows[i][number_col] for i in firsts]
    if not all(re.fullmatch(r"\d+", n) for n in numbers):
        return "as_written"
    values = [int(n) for n in numbers]
    if values == list(range(1, len(values) + 1)):
        return "continuous"
    expected, n = [], 0
    for k, i in enumerate(firsts):
        n = 1 if k == 0 or paths[i] != paths[firsts[k - 1]] else n + 1
        expected.append(n)
    return "per_group" if values == expected else "as_written"


def _section_names(count: int, names: list[str]) -> list[str]:
    chosen = list(SECTION_COLUMN_NAMES[:count]) if count > 1 else (["分组"] if count else [])
    chosen += [f"分组{k}" for k in range(len(chosen) + 1, count + 1)]
    return [n if n not in names else f"{n}（标题）" for n in chosen]


def _title(titles: list[str], grid: Grid) -> str:
    candidates = ["".join(t.split()) for t in titles + [grid.caption] if t]
    candidates = [t for t in candidates if not _ATTACHMENT_LABEL.match(t) and not _FORM_NOTE.match(t)]
    return max(candidates, key=len) if candidates else ""


# ---------------------------------------------------------------------------------------------
# Writing: data/NAME.xlsx and the config entry.

def write_data(imported: ImportedList, target: Path, sheet: str) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append(imported.headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"   # a header is text too, never a formula
    for row in imported.rows:
        ws.append([_excel_value(v) for v in row])
    for r, row in enumerate(imported.rows, 2):
        for c, value in enumerate(row, 1):
            cell = ws.cell(r, c)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"   # text, never a formula
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r0, r1, c0, c1 in imported.merges:
        ws.merge_cells(start_row=r0 + 2, end_row=r1 + 2, start_column=c0 + 1, end_column=c1 + 1)
    for c, name in enumerate(imported.headers, 1):
        ws.column_dimensions[get_column_letter(c)].width = min(max(len(name) * 2 + 2, 
                                                                   imported.widths.get(name, 6) * 2), 60)
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    with writing(target):
        target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, buffer.getvalue())


def _excel_value(text: str):
    return int(text) if re.fullmatch(r"[1-9]\d{0,8}", text) else text


def config_entry(imported: ImportedList, name: str, data_file: str, source: str) -> str:
    q = lambda s: json.dumps(s, ensure_ascii=False)   # noqa: E731 — YAML reads JSON strings as they are
    flow = lambda items: "[" + ", ".join(q(i) for i in items) + "]"   # noqa: E731
    lines = [f"  {name}:                        # 由 gongfu import 从 {source} 导入",
             "    kind: list",
             f"    title: {q(imported.title or name)}          # {{项数}} = 自动计算的项数",
             f"    file: {data_file}"]
    if imported.landscape:
        lines.append("    landscape: true                   # 横排")
    if imported.sections:
        lines.append(f"    sections: {flow(imported.sections)}          # 这些列作为分组标题行，编号照原表格；"
                     "要重新编号加 section_numbers: [\"一、\", \"（一）\"]")
        if not imported.counts:
            lines.append("    counts: false                     # 原表格分组行没有写项数；true = 自动加“（N项）”")
    if imported.merge_columns:
        lines.append(f"    merge: {flow(imported.merge_columns)}          # 内容相同的相邻单元格合并")
    if imported.number_column:
        if imported.number_column != "序号":
            lines.append(f"    number_column: {q(imported.number_column)}")
        lines.append(f"    number: {imported.number}            # 序号：continuous 连续编号，per_group 每组从1编起，"
                     "as_written 照原样")
    if imported.unit_columns:
        lines.append(f"    units: {flow(imported.unit_columns)}          # 按单位名册检查")
    if imported.notes:
        lines.append(f"    notes: {flow(imported.notes)}          # 表格下方的说明，照原样印在表格之后")
    if imported.unit_columns:
        lines.append("    standard_unit_names: false        # true = 单位列印名册中的规范名称，不照原表格的写法")
    widths = ", ".join(f"{q(k)}: {v:g}" for k, v in imported.widths.items())
    lines.append(f"    widths: {{{widths}}}          # 列宽（相对比例，约等于字数）")
    return "\n".join(lines) + "\n"


def import_list(grid: Grid, root: Path, name: str, source: Path, force: bool = False) -> tuple[Path, ImportedList]:
    """Write data/<name>.xlsx and add a list document <name> to config.yaml, under the working
    folder's lock (two imports at once: the second waits for nothing and says so)."""
    from ..kinds import load_config
    from .config_edit import add_document, check_new_name
    from ..sources.loaders import load_units

    imported = analyse(grid)   # the source's own problems first: nothing in the working folder is touched
    with build_lock(Path(root) / "build"):
        config = load_config(root)
        target = root / "data" / f"{name}.xlsx"
        check_new_name(config, name, target, force)
        units = load_units(config.path(config.units))
        imported.warnings += grid.notes + unit_warnings(imported, units, grid)
        write_data(imported, target, grid.sheet or "清单")
        if name not in config.documents:
            label = source.name + (f"（工作表“{grid.sheet}”）" if grid.sheet and not grid.sheet.startswith("表格")
                                   else f"（{grid.sheet}）" if grid.sheet else "")
            add_document(root, name, config_entry(imported, name, f"data/{name}.xlsx", label))
    return target, imported


def unit_warnings(imported: ImportedList, units, grid: Grid) -> list[str]:
    """Unknown unit names, once each, with the closest registered names."""
    import difflib

    from ..model.units import split_units

    seen: dict[str, int] = {}
    for row in imported.rows:
        for column in imported.unit_columns:
            for unit in split_units(row[imported.headers.index(column)]):
                if units.find(unit) is None:
                    seen[unit] = seen.get(unit, 0) + 1
    out = []
    known = units.names()
    for unit, times in seen.items():
        close = difflib.get_close_matches(unit, known, n=3, cutoff=0.5)
        hint = f"最接近的已登记单位：{'、'.join(close)}" if close else "名册中没有相近的名称"
        out.append(f"{grid.file}：单位“{unit}”不在单位名册中（出现 {times} 次）；{hint}；"
                   "请在 data/units.yaml 中登记（同一单位的不同写法登记为别称）")
    return out


__all__ = ["analyse", "import_list", "ImportedList", "display_path", "Place"]
