"""Property-based tests (hypothesis) on the readers and on the numbering and grouping logic."""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import unicodedata
from itertools import groupby
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongfu_reports.compose.blocks import Table
from gongfu_reports.compose.breakdown import allocation_table
from gongfu_reports.model.numbering import chinese_numeral, level_number
from gongfu_reports.compose.tasklist import task_table
from gongfu_reports.errors import GongfuError, Place
from gongfu_reports.model import Allocation, AllocationRow, TaskRow
from gongfu_reports.model.units import split_units
from gongfu_reports.files.names import MAX_NAME_BYTES, check_name, file_key
from gongfu_reports.files.excel import cell_text
from gongfu_reports.files.table import read_excel
from gongfu_reports.files.text import CONTROL, MAX_TEXT_CHARS, check_text
from gongfu_reports.files.yamlfile import LocDict, LocList, load_yaml
from gongfu_reports.importers.prose import SCHEMES, _value, classify
from gongfu_reports.sources.loaders import parse_date

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HERE = Place("test")
TMP = Path(tempfile.mkdtemp(prefix="gongfu-properties-"))

CJK = "共同富裕示范区先行市建设重点任务数字经济海岛发展改革民生实事"
cjk_text = st.text(alphabet=CJK, min_size=1, max_size=12)
# Unit names: no separators (、，,；; and whitespace), as written in the registry.
unit_name = st.text(alphabet=CJK + "（）()ABC123", min_size=1, max_size=10)
# Text a person could type: anything but control characters, surrogates and unassigned points.
typed_text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cn")), max_size=60)


# --- numbering ---------------------------------------------------------------------------------

@given(st.integers(1, 99))
def test_chinese_numeral_round_trips_through_the_importer(n):
    text = chinese_numeral(n)
    assert set(text) <= set("一二三四五六七八九十")
    assert _value(text) == n
    assert not text.startswith("一十")          # 十一, not 一十一
    assert len(text) <= 3


@given(st.integers().filter(lambda n: not 0 < n < 100))
def test_chinese_numeral_refuses_what_it_cannot_write(n):
    with pytest.raises(ValueError):
        chinese_numeral(n)


@given(st.integers(1, 4), st.integers(1, 99), cjk_text)
def test_level_number_is_read_back_by_the_importer(level, n, title):
    scheme, rest = classify(level_number(level, n) + title)
    assert scheme == SCHEMES[level - 1][0]
    assert rest == title
    number = dict(SCHEMES)[scheme].match(level_number(level, n) + title).group(1)
    assert _value(number) == n


@given(st.integers(1, 4), st.lists(st.integers(1, 99), min_size=2, max_size=5, unique=True))
def test_level_numbers_are_distinct(level, numbers):
    assert len({level_number(level, n) for n in numbers}) == len(numbers)


# --- units ---------------------------------------------------------------------------------------

separator = st.text(alphabet="、，,；; \u3000\t", min_size=1, max_size=3)


@given(st.lists(unit_name, min_size=1, max_size=6), st.data())
def test_split_units_recovers_the_names_whatever_the_separators(names, data):
    text = data.draw(st.sampled_from(["", " ", "\u3000"]))
    for i, name in enumerate(names):
        text += name + (data.draw(separator) if i < len(names) - 1 else "")
    text += data.draw(st.sampled_from(["", " ", "\n"]))
    assert split_units(text) == names


@given(typed_text)
def test_split_units_is_idempotent_and_never_yields_empty_names(text):
    parts = split_units(text)
    assert all(parts) and not any(re.search(r"[、，,；;\s]", p) for p in parts)
    assert split_units("、".join(parts)) == parts


# --- cells ---------------------------------------------------------------------------------------

@given(st.integers(-10**15, 10**15))
def test_cell_text_of_whole_numbers_has_no_decimal_point(n):
    assert cell_text(n) == str(n)
    assert cell_text(float(n)) == str(n)


@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()))
def test_cell_text_of_fractions_is_what_excel_shows_in_general(f):
    """Excel keeps 15 significant digits: General shows 0.1+0.2 as 0.3 and 1/3 as 0.333333333333333
    (never the float's 17-digit noise); a number typed with 15 digits or fewer reads back exactly."""
    text = cell_text(f)
    assert float(text) == float(f"{f:.15g}")
    assert len(re.sub(r"E[+-]\d+$|[^0-9]", "", text).strip("0")) <= 15
    if len(repr(f).lstrip("-0.").replace(".", "").split("e")[0]) <= 15:
        assert float(text) == f


@given(st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)))
def test_cell_text_of_dates_is_chinese_and_parses_back(day):
    text = cell_text(day)
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", text)
    assert cell_text(dt.datetime.combine(day, dt.time(0, 0))) == text   # Excel dates are datetimes
    assert parse_date(text, HERE) == day


@given(typed_text)
def test_cell_text_of_text_is_the_text_stripped(text):
    assert cell_text(text) == text.strip()
    assert cell_text(True) == "是" and cell_text(None) == ""


def control(ch: str) -> bool:
    """What the data must not carry, from Unicode's categories: control characters (but tab and line
    breaks), lone surrogates, and the two noncharacters XML 1.0 forbids."""
    return unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\t\n\r" or ch in "\ufffe\uffff"


@given(st.text(max_size=80))
def test_check_text_refuses_exactly_the_control_characters(text):
    if any(map(control, text)):
        with pytest.raises(GongfuError, match="控制字符"):
            check_text(text, HERE)
    else:
        assert check_text(text, HERE) == text


def test_check_text_limits_the_length():
    check_text("字" * MAX_TEXT_CHARS, HERE)
    with pytest.raises(GongfuError, match="内容过长"):
        check_text("字" * (MAX_TEXT_CHARS + 1), HERE)


# --- the Excel reader ----------------------------------------------------------------------------

HEADERS = ["分组", "重点任务", "序号", "牵头单位"]
cell_value = st.one_of(
    typed_text.filter(lambda s: not re.search(r"_x[0-9A-Fa-f]{4}_", s)),   # Excel's own escapes aside
    st.integers(-10**9, 10**9),
    st.sampled_from(["=HYPERLINK(\"http://x\",\"点此\")", "+cmd|' /C calc'!A0", "@SUM(1,2)", "-1", "≥95", "0012"]),
)


def write_book(rows: list[list], merges: list[str] = ()) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "表"
    ws.append(HEADERS)
    for r, row in enumerate(rows, 2):
        for c, value in enumerate(row, 1):
            cell = ws.cell(r, c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"   # text as text, even "=…" (as gongfu forms writes it)
    for merged in merges:
        ws.merge_cells(merged)
    buffer = io.BytesIO()
    book.save(buffer)
    path = Path(tempfile.mkstemp(suffix=".xlsx", dir=TMP)[1])
    path.write_bytes(buffer.getvalue())
    return path


@SLOW
@given(st.lists(st.lists(cell_value, min_size=4, max_size=4), min_size=1, max_size=8))
def test_excel_reader_returns_each_cell_as_written(rows):
    path = write_book(rows)
    table = read_excel(path, None)
    expected = [[str(v).strip() for v in row] for row in rows]   # text stripped, whole numbers as written
    expected = [row for row in expected if any(row)]
    assert [[r.values[h] for h in HEADERS] for r in table.rows] == expected
    for r in table.rows:
        assert r.place.sheet == "表" and r.place.row >= 2
        assert r.place_of("序号").column == "序号"
    path.unlink()


@SLOW
@given(st.lists(st.tuples(cjk_text, st.integers(1, 4)), min_size=1, max_size=5))
def test_excel_reader_fills_merged_cells_down(groups):
    rows, merges, expected, r = [], [], [], 2
    for name, size in groups:
        for k in range(size):
            rows.append([name if k == 0 else None, f"任务{r}", r - 1, "市发改委"])
            expected.append(name)
        if size > 1:
            merges.append(f"A{r}:A{r + size - 1}")
        r += size
    table = read_excel(write_book(rows, merges), None)
    assert [row.values["分组"] for row in table.rows] == expected
    assert [row.place.row for row in table.rows] == list(range(2, r))


# --- grouping: task lists and allocation tables --------------------------------------------------

def layout(table: Table) -> list[list[tuple[int, int]]]:
    """Place every cell on the grid as a renderer does; fail on an overlap or an overflow.
    Returns, per row and grid column, the (row, index) of the cell that covers it."""
    width = len(table.columns)
    grid: list[list[tuple[int, int] | None]] = [[None] * width for _ in table.rows]
    for r, row in enumerate(table.rows):
        c = 0
        for i, cell in enumerate(row):
            while c < width and grid[r][c] is not None:
                c += 1
            assert c + cell.colspan <= width, f"row {r}: cell {i} runs past the last column"
            assert r + cell.rowspan <= len(table.rows), f"row {r}: cell {i} spans past the last row"
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    assert grid[r + dr][c + dc] is None, f"row {r + dr}, column {c + dc} covered twice"
                    grid[r + dr][c + dc] = (r, i)
            c += cell.colspan
    for r, row in enumerate(grid):
        assert all(slot is not None for slot in row), f"row {r} is not fully covered"
    return grid


tasks_strategy = st.lists(
    st.tuples(st.sampled_from(["基石", "地区差距", "城乡差距", "收入差距"]),
              st.sampled_from(["任务甲", "任务乙", "任务丙"]),
              st.text(alphabet=CJK + "\n", min_size=0, max_size=20)),
    min_size=1, max_size=30)


@SETTINGS
@given(tasks_strategy)
def test_task_table_group_counts_and_row_spans(raw):
    tasks = [TaskRow(g, t, i, f"举措{i}", goals, "", "市发改委", HERE) for i, (g, t, goals) in enumerate(raw, 1)]
    table = task_table(tasks)
    grid = layout(table)
    groups = [(g, list(items)) for g, items in groupby(tasks, key=lambda t: t.group)]
    assert len(table.rows) == len(groups) + len(tasks)
    assert sorted(table.group_rows) == [i for i, row in enumerate(table.rows) if row[0].colspan == 5]
    counts = []
    for index in sorted(table.group_rows):
        (cell,) = table.rows[index]
        number, name, count = re.fullmatch(r"（([一二三四五六七八九十]+)）(.+)（(\d+)项）", cell.lines[0]).groups()
        counts.append((name, int(count)))
        assert _value(number) == len(counts)
    assert counts == [(g, len(items)) for g, items in groups]
    assert sum(c for _, c in counts) == len(tasks)
    # Each 重点任务 cell spans exactly one maximal run of tasks with the same group and task.
    task_rows = [i for i in range(len(table.rows)) if i not in table.group_rows]
    assert len(task_rows) == len(tasks)
    k = 0
    for (group, name), run in groupby(tasks, key=lambda t: (t.group, t.task)):
        length = len(list(run))
        first = table.rows[task_rows[k]]
        assert first[0].lines == [name] and first[0].rowspan == length
        assert task_rows[k:k + length] == list(range(task_rows[k], task_rows[k] + length))  # no group row inside
        for j in range(k, k + length):
            assert grid[task_rows[j]][0] == (task_rows[k], 0)
            cells = table.rows[task_rows[j]]
            assert len(cells) == (5 if j == k else 4)
            assert cells[-4].lines == [f"{tasks[j].number}.{tasks[j].measure}"]
            assert cells[-1].lines == ["市发改委"]
        k += length


DISTRICTS = ["定海区", "普陀区", "岱山县"]
allocation_rows = st.lists(
    st.tuples(st.booleans(), st.sampled_from(["医疗卫生", "教育", "养老"]), st.sampled_from(["市卫健委", "市教育局"])),
    min_size=1, max_size=25)


@SETTINGS
@given(allocation_rows)
def test_allocation_table_spans(raw):
    rows, number = [], 0
    for i, (numbered, category, units) in enumerate(raw):
        if numbered or i == 0:
            number += 1
        rows.append(AllocationRow(str(number) if numbered or i == 0 else "", category, f"事项{i}", "10",
                                  {d: "/" for d in DISTRICTS}, units, HERE))
    allocation = Allocation(["序号", "事项分类", "事项名称", "全市目标任务"], DISTRICTS, rows)
    table = allocation_table(allocation)
    grid = layout(table)
    assert len(table.rows) == len(rows)

    def owner(r, c):
        row, index = grid[r][c]
        return row, table.rows[row][index]

    for r, row in enumerate(rows):
        start, cell = owner(r, 0)                   # 序号: from the numbered row over its unnumbered ones
        assert cell.lines == [rows[start].number] and rows[start].number
        assert all(not rows[k].number for k in range(start + 1, r + 1))
        start, cell = owner(r, 1)                   # 事项分类: a maximal run of equal categories
        assert cell.lines == [row.category]
        assert start == 0 or rows[start - 1].category != row.category
        end = start + cell.rowspan
        assert end == len(rows) or rows[end].category != row.category
        start, cell = owner(r, len(table.columns) - 1)   # 责任单位: equal units within the category run
        assert cell.lines == split_units(row.units)
        assert all((rows[k].category, rows[k].units) == (row.category, row.units)
                   for k in range(start, start + cell.rowspan))
        assert owner(r, 2)[0] == r                  # the item's own cells never span
    number_cells = [row[0] for r, row in enumerate(table.rows) if grid[r][0] == (r, 0)]
    assert [c.lines[0] for c in number_cells] == [row.number for row in rows if row.number]
    assert sum(c.rowspan for c in number_cells) == len(rows)


# --- the YAML reader -----------------------------------------------------------------------------

yaml_scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                        st.floats(allow_nan=False), st.text(max_size=30))
yaml_key = st.text(min_size=1, max_size=10)
yaml_value = st.recursive(yaml_scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                 st.dictionaries(yaml_key, inner, max_size=4)),
                          max_leaves=15)


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def places(value, lines: int):
    if isinstance(value, LocDict):
        assert 1 <= value.place.line <= lines
        for k, v in value.items():
            assert 1 <= value.place_of(k).line <= lines
            places(v, lines)
    elif isinstance(value, LocList):
        for v in value:
            places(v, lines)


@SETTINGS
@given(st.dictionaries(yaml_key, yaml_value, min_size=1, max_size=6), st.booleans())
def test_yaml_reader_loads_back_what_safe_dump_wrote(data, unicode):
    text = yaml.safe_dump(data, allow_unicode=unicode, sort_keys=False)
    path = TMP / "data.yaml"
    path.write_text(text, encoding="utf-8")
    if any(CONTROL.search(s) for s in strings(data)):
        with pytest.raises(GongfuError, match="控制字符") as info:   # refused, with the line
            load_yaml(path)
        assert info.value.place.line is not None
        return
    loaded = load_yaml(path)
    assert loaded == data
    assert isinstance(loaded, LocDict)
    places(loaded, text.count("\n") + 1)


# --- file names from data ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["市发改委", "定海区人民政府", "舟山市港航和口岸管理局", "市委组织部（市委老干部局）",
                                  "A-1 工作组", "第3组", "Cafe\u0301 工作组"])
def test_names_an_office_writes_are_taken(name):
    assert check_name(name, "单位名称") == name


@pytest.mark.parametrize("name", ["", " ", "市发改委\u200b", "\u202e市发改委", "市发改委\ufff9", "市发改委\u034f", "市发改委\x07",
                                  "市发改委\u0301", "\u0301市发改委", "第3\u20dd组", "a/b", "..", ".市发改委", "市发改委.", "市发改委 ", "CON", "市" * 100])
def test_names_that_would_hide_or_move_a_file_are_refused(name):
    with pytest.raises(GongfuError, match="单位名称"):
        check_name(name, "单位名称")


@given(st.text(max_size=200))
def test_names_from_data_are_refused_or_stay_in_their_folder(name):
    """A name that becomes a file name is taken as it is or refused with a Chinese message, never
    changed: what is taken is one file name in its folder, short enough, without hidden characters,
    and not one that Windows would trim into another name."""
    try:
        checked = check_name(name, "单位名称")
    except GongfuError as exc:
        assert exc.message.startswith(f"单位名称“{name}”")
        return
    assert checked == name and len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert not name.startswith(".") and not name.endswith((".", " "))
    assert not [ch for ch in name if control(ch) or unicodedata.category(ch) == "Cf"]   # nothing hidden
    assert not set(name) & set('\\/:*?"<>|')
    folder = TMP / "per-unit"
    assert (folder / f"{name}.docx").resolve().parent == folder.resolve()
    assert file_key(name) == file_key(file_key(name))


def test_a_number_too_large_for_its_format_is_shown_as_general():
    """1e30 in a cell formatted "0.00" (Decimal cannot quantize it): shown as Excel's General does."""
    from gongfu_reports.files.numfmt import format_value

    assert format_value(1e30, "0.00") == "1E+30"
    assert format_value(1234.5, "0.00") == "1234.50"
