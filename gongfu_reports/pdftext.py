"""One PDF page as `gongfu lint` reads it: characters, text lines, ruling lines and rectangles, and the
tables those rulings draw.

A page is read from the file's own objects and content streams (pdfread, Python) where it can be — the
PDFs gongfu writes, with either engine — and else with PDFium (pypdfium2, C), giving the same values:
PDFium's, to a thousandth of a point. One page at a time; only plain Python values stay: the characters
in runs (a text object's, left to right; made into single characters where asked for) and the shapes.
They are arranged the way pdfplumber arranges them, which the checks were written against:

- coordinates in points from the top-left corner of the page (PDF's own run from the bottom);
- a character's box runs from its origin to origin + advance across and from the font's descent to
  descent + font size up, and its size is the font size as drawn (times the text matrix);
- text lines: characters whose tops are within 3 pt of each other (chained), left to right, split into
  words at spaces and at gaps over 3 pt; a line's text is its words joined by one space;
- tables: horizontal and vertical edges of the ruling lines and rectangles (snapped and joined within
  3 pt, at least 3 pt long), their crossings, the cells those crossings close, and the groups of cells
  that share corners (two cells at least).
"""

from __future__ import annotations

import ctypes
import itertools
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter, sub
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

TOLERANCE = 3       # pt: characters on one line, word gaps, snapping and joining edges, edge crossings
MIN_EDGE = 3        # pt: shortest table edge
LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}
_LIGATURES = str.maketrans(LIGATURES)


@dataclass(slots=True)
class Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    colour: tuple | None = None      # fill colour, RGB 0–1
    upright: bool = True             # runs left to right as displayed


class Run(NamedTuple):
    """Characters drawn one after another, left to right (upright), that share their top, bottom, size
    and colour: a text object's characters as a rule, single characters where they do not."""
    text: str
    x0s: list
    x1s: list
    top: float
    bottom: float
    size: float
    colour: tuple | None = None
    upright: bool = True

    def chars(self) -> list[Char]:
        top, bottom, size, colour, upright = self.top, self.bottom, self.size, self.colour, self.upright
        return [Char(t, x0, x1, top, bottom, size, colour, upright) for t, x0, x1 in zip(self.text, self.x0s, self.x1s)]


def char_runs(chars: list[Char]) -> list[Run]:
    return [Run(c.text, [c.x0], [c.x1], c.top, c.bottom, c.size, c.colour, c.upright) for c in chars]


@dataclass(slots=True)
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass(slots=True)
class Shape:
    """A rectangle, a straight line or any other path (a curve), one per subpath as drawn."""
    kind: str                        # "rect", "line", "curve"
    pts: list                        # [(x, top), …]
    x0: float
    x1: float
    top: float
    bottom: float
    stroke: tuple | None = None      # RGB 0–1
    fill: tuple | None = None


@dataclass(slots=True)
class Table:
    bbox: tuple                      # (x0, top, x1, bottom)
    first_row: list                  # the text of each cell of the top row, None where a cell spans


@dataclass
class Page:
    number: int
    width: float
    height: float
    runs: list = field(default_factory=list)                  # the characters, in runs, in the order drawn
    shapes: list = field(default_factory=list)
    _chars: list | None = field(default=None, repr=False)      # worked out when first asked for
    _lines: list | None = field(default=None, repr=False)
    _tables: list | None = field(default=None, repr=False)

    @property
    def chars(self) -> list[Char]:
        if self._chars is None:
            self._chars = [c for run in self.runs for c in run.chars()]
        return self._chars

    @property
    def lines(self) -> list[Line]:
        if self._lines is None:
            self._lines = run_lines(self.runs, self.chars if self._chars is not None else None)
        return self._lines

    @property
    def tables(self) -> list[Table]:
        if self._tables is None:
            self._tables = find_tables(self.shapes, self.runs)
        return self._tables


_TEXT, _X0, _X1, _TOP, _BOTTOM, _UPRIGHT = (attrgetter(name) for name in ("text", "x0", "x1", "top", "bottom", "upright"))
_FIRST, _SECOND = itemgetter(0), itemgetter(1)
_WHITESPACE = re.compile(r"\s")                # the characters str.isspace() is true for


# ------------------------------------------------------------------------------------------ reading

class Document:
    """A PDF to read page by page: each page read from the file's bytes here (pdfread) where it can
    be, else with PDFium. PDFium opens the file all the same: it says whether it is a PDF at all,
    how many pages it has and how large they are."""

    def __init__(self, source):
        """source: a path, bytes or a binary file object. Raises pypdfium2's PdfiumError when it is not
        a PDF (and OSError when the file cannot be read)."""
        from . import pdfread

        if hasattr(source, "read"):
            source = source.read()
        elif not isinstance(source, (bytes, bytearray)):
            with open(source, "rb") as f:
                source = f.read()
        self.pdfium = pdfium.PdfDocument(source)
        try:
            self.parsed = pdfread.Document(bytes(source))
            self.page_dicts = self.parsed.pages()
            if len(self.page_dicts) != len(self.pdfium):
                raise pdfread.Unsupported("another page count than PDFium's")
        except Exception:                   # noqa: BLE001 - Unsupported, or a file malformed in a way
            self.parsed = None              # it did not foresee: PDFium reads it, as it always did

    def __len__(self) -> int:
        return len(self.pdfium)

    def close(self) -> None:
        self.pdfium.close()


def open_document(source) -> Document:
    return Document(source)


def pages(document: Document, first: int = 0, stop: int | None = None):
    """Each page (from index first to stop, by default all) read into plain values, one at a time."""
    for index in range(first, len(document) if stop is None else stop):
        page = None
        if document.parsed is not None:
            try:
                page = _read_here(document, index)
            except Exception:               # noqa: BLE001 - as in Document: PDFium reads the page
                page = None
        if page is None:
            page = _read_with_pdfium(document.pdfium, index)
        yield page


def _read_here(document: Document, index: int) -> Page:
    from . import pdfread

    d, own = document.page_dicts[index]
    width, height = document.pdfium.get_page_size(index)
    display = _Display(_rotation(document.parsed.get(d.get("Rotate"))), _mediabox(document.parsed, own))
    read = pdfread.Page(document.parsed, d, display, Run, _path_shapes)
    out = Page(index + 1, width, height)
    out.runs, out.shapes = read.runs, read.shapes
    return out


def _rotation(value) -> int:
    """PDFium's page rotation in degrees: /Rotate (inherited) in whole quarter turns."""
    from .pdfread import Unsupported

    if value is None:
        return 0
    if not isinstance(value, (int, float)):
        raise Unsupported("bad Rotate")
    quarters = int(int(value) / 90)
    quarters -= 4 * int(quarters / 4)
    return (quarters + 4 if quarters < 0 else quarters) * 90


def _mediabox(doc, own: dict) -> tuple:
    """The MediaBox as pypdfium2 gives it to pdftext's PDFium reader: the page's own (PDFium does not
    look up the page tree for it), or US Letter."""
    from .pdfread import Unsupported

    box = doc.get(own.get("MediaBox"))
    if box is None:
        return (0, 0, 612, 792)
    box = [doc.get(v) for v in box] if isinstance(box, list) else None
    if not box or len(box) != 4 or not all(isinstance(v, (int, float)) for v in box):
        raise Unsupported("bad MediaBox")
    return tuple(float(v) for v in box)


def _read_with_pdfium(document: pdfium.PdfDocument, index: int) -> Page:
    page = document[index]
    try:
        return read_page(page, index + 1)
    finally:
        page.close()


def read_page(page: pdfium.PdfPage, number: int) -> Page:
    width, height = page.get_size()
    display = _Display(page.get_rotation() % 360, page.get_mediabox())
    out = Page(number, width, height)
    textpage = page.get_textpage()
    try:
        out._chars = _chars(textpage.raw, display)
    finally:
        textpage.close()
    out.runs = char_runs(out._chars)
    out.shapes = _shapes(page.raw, display.point)
    return out


class _Display:
    """From PDF space to the page as displayed (turned by /Rotate): (x, y) → (x, top), in points from
    its top-left corner."""

    def __init__(self, rotation: int, mediabox: tuple):
        self.rotation = rotation
        self.left, self.bottom, self.right, self.top = mediabox
        left, bottom, right, top = self.left, self.bottom, self.right, self.top
        self.point = {90: lambda x, y: (y - bottom, x - left),
                      180: lambda x, y: (right - x, y - bottom),
                      270: lambda x, y: (top - y, right - x)}.get(self.rotation, lambda x, y: (x - left, top - y))

    def upright(self, a: float, b: float, c: float, d: float) -> bool:
        """pdfminer's test, on the text matrix as displayed: not turned, not mirrored."""
        if self.rotation in (90, 270):
            return -b * c > 0 and -a * d <= 0
        return a * d > 0 and b * c <= 0


_BLANK = frozenset({0x09, 0x0A, 0x0D, 0x20, 0xA0, 0x3000})
_DOUBLE_P = ctypes.POINTER(ctypes.c_double)


def _c_function(name: str, restype, *argtypes):
    """A PDFium function of pypdfium2's bindings, called with handles as plain addresses: ctypes passes
    those faster than pypdfium2's typed pointers, which adds up at a few calls per character."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value)


_unicode_of = _c_function("FPDFText_GetUnicode", ctypes.c_uint, ctypes.c_void_p, ctypes.c_int)
_object_of = _c_function("FPDFText_GetTextObject", ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)
_origin_of = _c_function("FPDFText_GetCharOrigin", ctypes.c_int, ctypes.c_void_p, ctypes.c_int, _DOUBLE_P, _DOUBLE_P)
_glyph_width = _c_function("FPDFFont_GetGlyphWidth", ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_float,
                           ctypes.POINTER(ctypes.c_float))


def _chars(tp, display: _Display) -> list[Char]:
    """Every character drawn on the page, in the order drawn (PDFium's own line breaks and inferred
    spaces left out; spaces that are in the PDF kept). A character's box is pdfminer's: the text matrix
    applied to (0, descent) and (advance, descent + font size)."""
    handle = ctypes.cast(tp, ctypes.c_void_p).value
    ox, oy = ctypes.c_double(), ctypes.c_double()
    p_ox, p_oy = ctypes.pointer(ox), ctypes.pointer(oy)
    width = ctypes.c_float()
    p_width = ctypes.pointer(width)
    point, left, top = display.point, display.left, display.top
    chars: list[Char] = []
    append = chars.append
    key = None
    fonts: dict = {}                        # font → {character: advance at 1 pt}
    count = pdfium_c.FPDFText_CountChars(tp)
    codes = _all_text(tp, count)
    for i in range(count):
        code = codes[i] if codes else _unicode_of(handle, i)
        if code in _BLANK and (code == 0x0A or code == 0x0D or pdfium_c.FPDFText_IsGenerated(tp, i)):
            continue
        if (code == 0x02 or code == 0xFFFE) and pdfium_c.FPDFText_IsHyphen(tp, i):
            code = 0x2D                     # PDFium's mark for a hyphen at the end of a line
        obj_key = _object_of(handle, i)
        if not obj_key:
            continue
        if obj_key != key:                  # a new text object: its size, matrix, descent, colour and font
            key = obj_key
            size, a, b, c, d, descent, colour, font = _style(tp, i, pdfium_c.FPDFText_GetTextObject(tp, i))
            advances = fonts.setdefault(font, {})
            upright = display.upright(a, b, c, d)
            plain = display.rotation == 0 and not b and not c and a > 0 and d > 0
            a_size, d_size, d_descent = a * size, d * size, d * descent
        _origin_of(handle, i, p_ox, p_oy)
        advance = advances.get(code)
        if advance is None:                 # the font's own width for the code that maps to the character, at 1 pt
            width.value = 0
            found = font and _glyph_width(font, code, 1.0, p_width)
            advance = advances[code] = max(width.value, 0.0) if found else 0.0
        if not advance and a and size:      # none known: the width of PDFium's loose box (this character's own)
            box = pdfium_c.FS_RECTF()
            pdfium_c.FPDFText_GetLooseCharBox(tp, i, box)
            advance = max(box.right - box.left, 0.0) / abs(a * size)
        if plain:                           # the usual case: upright text on an upright page
            x0, bottom = ox.value - left, top - oy.value - d_descent
            append(Char(chr(code), x0, x0 + a_size * advance, bottom - d_size, bottom, d_size, colour))
            continue
        x, y, across, up = ox.value, oy.value, advance * size, descent + size
        x0, top0 = point(x + c * descent, y + d * descent)
        x1, top1 = point(x + a * across + c * up, y + b * across + d * up)
        append(Char(chr(code), min(x0, x1), max(x0, x1), min(top0, top1), max(top0, top1), abs(top1 - top0),
                    colour, upright))
    return chars


def _all_text(tp, count: int) -> list[int] | None:
    """The characters of the text page in one call, when they are one for one with its character
    indexes (no character left out, none outside the Basic Multilingual Plane); None otherwise."""
    if count <= 0:
        return None
    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(tp, 0, count, buffer)
    codes = list(buffer[:written - 1]) if written > 0 else []
    if len(codes) != count or any(0xD800 <= c <= 0xDFFF for c in codes):
        return None
    return codes


def _style(tp, index: int, obj) -> tuple:
    """Font size, matrix, descent, fill colour and font of the text object a character belongs to."""
    size = ctypes.c_float(0)
    pdfium_c.FPDFTextObj_GetFontSize(obj, ctypes.byref(size))
    m = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFText_GetMatrix(tp, index, m)         # the object's matrix, with the form's it is in
    descent = ctypes.c_float(0)
    font = pdfium_c.FPDFTextObj_GetFont(obj)
    if font:
        pdfium_c.FPDFFont_GetDescent(font, size, ctypes.byref(descent))
    rgba = [ctypes.c_uint() for _ in range(4)]
    colour = None
    if pdfium_c.FPDFPageObj_GetFillColor(obj, *map(ctypes.byref, rgba)):
        colour = tuple(v.value / 255 for v in rgba[:3])
    return size.value, m.a, m.b, m.c, m.d, descent.value, colour, ctypes.cast(font, ctypes.c_void_p).value


_VOID, _INT, _FLOAT_P = ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)
_page_object = _c_function("FPDFPage_GetObject", _VOID, _VOID, _INT)
_object_type = _c_function("FPDFPageObj_GetType", _INT, _VOID)
_segment_of = _c_function("FPDFPath_GetPathSegment", _VOID, _VOID, _INT)
_segment_point = _c_function("FPDFPathSegment_GetPoint", _INT, _VOID, _FLOAT_P, _FLOAT_P)
_segment_type = _c_function("FPDFPathSegment_GetType", _INT, _VOID)
_segment_closes = _c_function("FPDFPathSegment_GetClose", _INT, _VOID)


def _shapes(page_handle, point_of) -> list[Shape]:
    """Every filled or stroked path on the page (inside form XObjects too), one Shape per subpath,
    classified as pdfminer does: a closed axis-aligned four-sided subpath is a rectangle, a single
    segment a line, anything else a curve."""
    out: list[Shape] = []
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    page = ctypes.cast(page_handle, ctypes.c_void_p).value
    stack = [(_page_object(page, i), identity) for i in range(pdfium_c.FPDFPage_CountObjects(page_handle) - 1, -1, -1)]
    m = pdfium_c.FS_MATRIX()
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    px, py = ctypes.c_float(), ctypes.c_float()
    p_px, p_py = ctypes.pointer(px), ctypes.pointer(py)
    rgba = [ctypes.c_uint() for _ in range(4)]
    ref_rgba = [ctypes.byref(v) for v in rgba]
    moveto, bezierto = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_BEZIERTO
    while stack:
        address, outer = stack.pop()
        kind = _object_type(address)
        if kind != pdfium_c.FPDF_PAGEOBJ_PATH and kind != pdfium_c.FPDF_PAGEOBJ_FORM:
            continue
        obj = ctypes.cast(address, pdfium_c.FPDF_PAGEOBJECT)
        pdfium_c.FPDFPageObj_GetMatrix(obj, m)
        a, b, c, d, e, f = _multiply((m.a, m.b, m.c, m.d, m.e, m.f), outer)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            stack += [(ctypes.cast(pdfium_c.FPDFFormObj_GetObject(obj, i), ctypes.c_void_p).value, (a, b, c, d, e, f))
                      for i in range(pdfium_c.FPDFFormObj_CountObjects(obj) - 1, -1, -1)]
            continue
        pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill_mode), ctypes.byref(stroke))
        if not fill_mode.value and not stroke.value:
            continue
        colours = [tuple(v.value / 255 for v in rgba[:3]) if getter(obj, *ref_rgba) else None
                   for getter in (pdfium_c.FPDFPageObj_GetStrokeColor, pdfium_c.FPDFPageObj_GetFillColor)]
        kinds = {moveto: "m", bezierto: "c"}
        segments = []
        for j in range(pdfium_c.FPDFPath_CountSegments(obj)):
            segment = _segment_of(address, j)
            _segment_point(segment, p_px, p_py)
            x, y = px.value, py.value
            segments.append((point_of(a * x + c * y + e, b * x + d * y + f), kinds.get(_segment_type(segment), "l"),
                             bool(_segment_closes(segment))))
        out += _path_shapes(segments, *colours)
    return out


def _path_shapes(segments: list, stroke, fill) -> list[Shape]:
    """A painted path's subpaths as pdfminer sees them: "m", "l", "c" (its end point) and "h" (back to
    the start). segments: (point as displayed, "m" / "l" / "c", closes) as PDFium keeps a path: it
    closes a subpath with a line back to its start marked "closes": that line is the "h"."""
    subpaths: list[list] = []               # [shape, points, control points pending]
    for point, kind, closes in segments:
        if kind == "m" or not subpaths:
            subpaths.append(["m", [point], 0])
            continue
        current = subpaths[-1]
        if kind == "c":
            current[2] += 1
            if current[2] < 3:
                continue                    # the two control points of a Bézier segment
            current[2] = 0
            current[0] += "c"
            current[1].append(point)
        elif not (closes and point == current[1][0]):
            current[0] += "l"
            current[1].append(point)
        if closes:
            current[0] += "h"
            current[1].append(current[1][0])
    return [_classify(shape, pts, stroke, fill) for shape, pts, _ in subpaths if shape != "m"]


def _multiply(m1, m2):
    """m1 then m2 (PDF matrices as (a, b, c, d, e, f))."""
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def _classify(shape: str, pts: list, stroke, fill) -> Shape:
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"        # a redundant "l" back to the start, then "h"
        pts = pts[:-2] + pts[-1:]
    xs, tops = [p[0] for p in pts], [p[1] for p in pts]
    kind = "curve"
    if shape in ("ml", "mlh"):
        kind, pts = "line", pts[:2]
        xs, tops = xs[:2], tops[:2]
    elif shape in ("mlllh", "mllll") and pts[0] == pts[4]:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        if (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0):
            kind = "rect"
    return Shape(kind, pts, min(xs), max(xs), min(tops), max(tops), stroke, fill)


# -------------------------------------------------------------------------------------- text lines

def _cluster(values, tolerance: float = TOLERANCE) -> dict:
    """value → cluster number: sorted distinct values, a new cluster after a gap over the tolerance."""
    out, number, last = {}, -1, None
    for v in sorted(set(values)):
        if last is None or v > last + tolerance:
            number += 1
        out[v] = number
        last = v
    return out


def _char_words(chars: list[Char]) -> list[tuple]:
    """Words in line order, (text, x0, x1, top, bottom): upright characters grouped by their tops and read
    left to right, turned ones grouped by their left edges and read top to bottom; split at blanks
    and at gaps."""
    words: list[list[Char]] = []
    for upright, run in itertools.groupby(chars, key=_UPRIGHT):
        run = list(run)
        lines = [c.top for c in run] if upright else [c.x0 for c in run]
        clusters = _cluster(lines)
        # In line order, each line along its direction, characters at the same place as drawn.
        order = sorted(zip(map(clusters.__getitem__, lines), [c.x0 for c in run] if upright
                           else [c.top for c in run], range(len(run))))
        current: list[Char] = []
        line = previous = None
        for number, _, i in order:
            char = run[i]
            if number != line:
                if current:
                    words.append(current)
                current, line = [], number
            if char.text.isspace():
                if current:
                    words.append(current)
                current = []
                continue
            if current:                     # back before the previous character, a gap, off its line
                if upright:
                    new = (char.x0 < previous.x0 or char.x0 > previous.x1 + TOLERANCE
                           or abs(char.top - previous.top) > TOLERANCE)
                else:
                    new = (char.top < previous.top or char.top > previous.bottom + TOLERANCE
                           or abs(char.x0 - previous.x0) > TOLERANCE)
                if new:
                    words.append(current)
                    current = []
            current.append(char)
            previous = char
        if current:
            words.append(current)
    return [("".join(map(_TEXT, w)).translate(_LIGATURES),) + _bbox(w) for w in words]


def _run_words(runs: list[Run]) -> list[tuple] | None:
    """_char_words worked out run by run, without the characters: None where runs are not simple enough
    for that (turned text; runs of one line that overlap or touch along it)."""
    if not all(r.upright for r in runs):
        return None
    clusters = _cluster([r.top for r in runs])
    words: list[list] = []                  # [text, x0, x1, top, bottom]
    current = None
    line = previous = None                  # the run before, in line order
    for number, _, i in sorted((clusters[r.top], r.x0s[0], i) for i, r in enumerate(runs)):
        run = runs[i]
        x0s, x1s, text = run.x0s, run.x1s, run.text
        if number != line:
            current, line = None, number
        elif previous.x0s[-1] >= x0s[0]:
            return None                     # characters of two runs interleave or share a place
        elif current is not None and (x0s[0] > current[5] + TOLERANCE or abs(run.top - previous.top) > TOLERANCE):
            current = None                  # a gap or a step to another line between the runs
        # Split where a blank stands or a gap opens; characters of a run go left to right.
        gapped = len(text) > 1 and max(map(sub, x0s[1:], x1s)) > TOLERANCE
        blank = _WHITESPACE.search(text)
        if not gapped and blank is None:    # the whole run goes on the word before or starts one
            if current is None:
                current = [text, x0s[0], max(x1s), run.top, run.bottom, x1s[-1]]
                words.append(current)
            else:
                current[0] += text
                current[2] = max(current[2], max(x1s))
                current[3], current[4] = min(current[3], run.top), max(current[4], run.bottom)
                current[5] = x1s[-1]
            previous = run
            continue
        cuts = [j + 1 for j, (left, right) in enumerate(zip(x1s, x0s[1:])) if right > left + TOLERANCE] \
            if gapped else []
        blanks = [m.start() for m in _WHITESPACE.finditer(text)] if blank else []
        start = 0
        for end in sorted(set(cuts + blanks + [len(text)])):
            if start < end:
                piece_x1 = max(x1s[start:end])
                if current is None:
                    current = [text[start:end], x0s[start], piece_x1, run.top, run.bottom, x1s[end - 1]]
                    words.append(current)
                else:
                    current[0] += text[start:end]
                    current[2] = max(current[2], piece_x1)
                    current[3], current[4] = min(current[3], run.top), max(current[4], run.bottom)
                    current[5] = x1s[end - 1]
            if end in blanks or end < len(text):
                current = None
            start = end + 1 if end in blanks else end
        previous = run
    return [(w[0].translate(_LIGATURES), w[1], w[2], w[3], w[4]) for w in words]


def _bbox(chars: list[Char]) -> tuple[float, float, float, float]:
    return (min(map(_X0, chars)), max(map(_X1, chars)), min(map(_TOP, chars)), max(map(_BOTTOM, chars)))


def _lines_of(words: list[tuple]) -> list[Line]:
    """The text lines, top to bottom (pdfplumber's extract_text_lines): words whose tops cluster."""
    tops = [w[3] for w in words]
    clusters = _cluster(tops)
    out = []
    for _, group in itertools.groupby(zip(words, map(clusters.__getitem__, tops)), key=_SECOND):
        texts, x0s, x1s, line_tops, bottoms = zip(*(w for w, _ in group))
        out.append(Line(" ".join(texts), min(x0s), max(x1s), min(line_tops), max(bottoms)))
    return out


def run_lines(runs: list[Run], chars: list[Char] | None = None) -> list[Line]:
    """The text lines of some runs, top to bottom: text_lines of their characters (given as chars, or
    made from the runs), worked out run by run where _run_words can."""
    words = _run_words(runs)
    if words is None:
        words = _char_words(chars if chars is not None else [c for run in runs for c in run.chars()])
    return _lines_of(words)


def text_lines(chars: list[Char]) -> list[Line]:
    """The text lines of some characters, top to bottom."""
    return _lines_of(_char_words(chars))


def extract_text(chars: list[Char]) -> str:
    """The text of some characters (a table cell): lines joined by newlines, words by spaces."""
    words = _char_words(chars)
    if not words:
        return ""
    clusters = _cluster(w[3] for w in words)
    ordered = sorted(((clusters[w[3]], w[0]) for w in words), key=_FIRST)
    return "\n".join(" ".join(text for _, text in group) for _, group in itertools.groupby(ordered, key=_FIRST))


# ------------------------------------------------------------------------------------------ tables

def _edges(shapes: list[Shape]) -> tuple[list, list]:
    """Horizontal edges (top, x0, x1) and vertical edges (x, top, bottom) at least 1 pt long."""
    h, v = [], []
    for s in shapes:
        if s.kind == "line":
            (h if s.top == s.bottom else v).append(s)
    h = [(s.top, s.x0, s.x1) for s in h]
    v = [(s.x0, s.top, s.bottom) for s in v]
    for s in shapes:
        if s.kind == "rect":
            h += [(s.top, s.x0, s.x1), (s.bottom, s.x0, s.x1)]
            v += [(s.x0, s.top, s.bottom), (s.x1, s.top, s.bottom)]
    for s in shapes:
        if s.kind == "curve":
            for (x0, y0), (x1, y1) in zip(s.pts, s.pts[1:]):
                if x0 == x1:
                    v.append((x0, min(y0, y1), max(y0, y1)))
                elif y0 == y1:
                    h.append((y0, min(x0, x1), max(x0, x1)))
    return [e for e in h if e[2] - e[1] >= 1], [e for e in v if e[2] - e[1] >= 1]


def _merge(edges: list) -> list:
    """Edges (position, start, end) snapped to the mean position of their cluster, then joined where
    they meet or nearly meet along the same line; the ones at least MIN_EDGE long."""
    clusters = _cluster(e[0] for e in edges)
    sums: dict = {}
    for e in edges:
        n = clusters[e[0]]
        total, count = sums.get(n, (0.0, 0))
        sums[n] = (total + e[0], count + 1)
    snapped = sorted((sums[clusters[e[0]]][0] / sums[clusters[e[0]]][1], e[1], e[2]) for e in edges)
    out = []
    for position, group in itertools.groupby(snapped, key=lambda e: e[0]):
        joined: list = []
        for _, start, end in group:         # sorted by start
            if joined and start <= joined[-1][2] + TOLERANCE:
                if end > joined[-1][2]:
                    joined[-1][2] = end
            else:
                joined.append([position, start, end])
        out += [tuple(e) for e in joined if e[2] - e[1] >= MIN_EDGE]
    return out


def find_tables(shapes: list[Shape], runs: list[Run]) -> list[Table]:
    """The tables the ruling lines draw, top to bottom (pdfplumber's find_tables, "lines" strategy)."""
    h_edges, v_edges = _edges(shapes)
    if not h_edges or not v_edges:
        return []
    h_edges, v_edges = _merge(h_edges), _merge(v_edges)
    # Crossings: a vertical edge meets a horizontal one (within the tolerance at both).
    h_sorted = sorted(h_edges)
    h_tops = [e[0] for e in h_sorted]
    crossings: dict = {}                     # (x, top) → (vertical edges, horizontal edges)
    for v in sorted(v_edges):
        x, top, bottom = v
        for h in h_sorted[bisect_left(h_tops, top - TOLERANCE):bisect_right(h_tops, bottom + TOLERANCE)]:
            if h[1] - TOLERANCE <= x <= h[2] + TOLERANCE:
                vs, hs = crossings.setdefault((x, h[0]), (set(), set()))
                vs.add(v)
                hs.add(h)
    cells = _cells(crossings)
    return [_table(group, runs) for group in _groups(cells)]


def _cells(crossings: dict) -> list[tuple]:
    """For each crossing, the smallest cell it is the top-left corner of: crossings below and to the
    right on the same edges, and the crossing that closes the rectangle on both."""
    points = sorted(crossings)
    by_x: dict = {}                         # x → the crossings on that vertical, top to bottom
    by_top: dict = {}                       # top → the crossings on that horizontal, left to right
    for p in points:
        by_x.setdefault(p[0], []).append(p)
        by_top.setdefault(p[1], []).append(p)
    down = {p: i for line in by_x.values() for i, p in enumerate(line)}
    across = {p: i for line in by_top.values() for i, p in enumerate(line)}

    def same_v(p, q):
        return not crossings[p][0].isdisjoint(crossings[q][0])

    def same_h(p, q):
        return not crossings[p][1].isdisjoint(crossings[q][1])

    cells = []
    for p in points:
        below = by_x[p[0]][down[p] + 1:]
        right = by_top[p[1]][across[p] + 1:]
        found = None
        for b in below:
            if not same_v(p, b):
                continue
            for r in right:
                if not same_h(p, r):
                    continue
                corner = (r[0], b[1])
                if corner in crossings and same_v(corner, r) and same_h(corner, b):
                    found = (p[0], p[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def _groups(cells: list[tuple]) -> list[list[tuple]]:
    """Cells that share corners, directly or through other cells, as tables of two cells or more,
    ordered by their top-left cell."""
    parent = list(range(len(cells)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict = {}
    for i, (x0, top, x1, bottom) in enumerate(cells):
        for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            j = owner.setdefault(corner, i)
            if j != i:
                parent[root(i)] = root(j)
    groups: dict = {}
    for i, cell in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    tables = [g for g in groups.values() if len(g) > 1]
    return sorted(tables, key=lambda g: min((c[1], c[0]) for c in g))


def _table(cells: list[tuple], runs: list[Run]) -> Table:
    bbox = (min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells), max(c[3] for c in cells))
    columns = sorted({c[0] for c in cells})
    top = bbox[1]
    in_row = {c[0]: c for c in sorted(cells, key=lambda c: (c[1], c[0])) if c[1] == top}
    row = [in_row.get(x) for x in columns]
    present = [c for c in row if c]
    row_box = (min(c[0] for c in present), min(c[1] for c in present),
               max(c[2] for c in present), max(c[3] for c in present))
    row_chars = [ch for run in runs if row_box[1] <= (run.top + run.bottom) / 2 < row_box[3] or not run.upright
                 for ch in run.chars() if _inside(ch, row_box)]
    first_row = [None if cell is None else extract_text([ch for ch in row_chars if _inside(ch, cell)])
                 for cell in row]
    return Table(bbox, first_row)


def _inside(char: Char, box: tuple) -> bool:
    """The character's centre is in the box (left and top edges included)."""
    x, y = (char.x0 + char.x1) / 2, (char.top + char.bottom) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]
