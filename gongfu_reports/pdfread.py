"""The characters and painted paths of a PDF page, read from the file's own bytes in Python: what
PDFium's page objects and text page give pdftext, for PDFs like the ones gongfu writes (Typst,
WeasyPrint), several times faster than PDFium loads them.

Read here: cross-reference tables and streams, object streams, FlateDecode, the page tree, content
streams, composite fonts with the Identity-H encoding and a ToUnicode map, gray, RGB and ICC-based
gray or RGB colours, the text and path operators. Everything else raises Unsupported, and pdftext
reads that file or page with PDFium: encryption, other fonts and encodings, XObjects, inline images,
and text that PDFium's text page would not give one for one (characters it drops or merges:
overlapping or repeated text, spaces after spaces or after large gaps, lone blank characters, soft
hyphens; characters it rewrites: ligatures, control codes, right-to-left scripts, ActualText).

The numbers are PDFium's (its page objects and text page, as pdftext reads them), worked out in
double precision where PDFium uses single: coordinates agree to a thousandth of a point or so."""

from __future__ import annotations

import codecs
import re
import unicodedata
import zlib
from binascii import Error as binascii_error, unhexlify
from collections import deque
from functools import partial
from itertools import accumulate
from math import floor
from operator import add
from struct import unpack

_SKIP = rb"(?:[\x00\t\n\x0c\r ]++|%[^\r\n]*+)*+"   # possessive: backtracking into it was exponential
_MAX_STREAM = 256 * 1024 * 1024         # bytes a stream may inflate to (a larger one is left to PDFium)
_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"


class Unsupported(Exception):
    """Something this reader does not read the way PDFium does: read it with PDFium."""


class Name(str):
    """A PDF name (without its slash), told apart from a string (bytes)."""


class Ref(tuple):
    """An indirect reference: (object number, generation)."""


class Stream:
    """A stream object: its dictionary and its bytes as stored (decoded by Document.decode)."""

    __slots__ = ("dict", "raw", "_data")

    def __init__(self, d: dict, raw: bytes):
        self.dict, self.raw, self._data = d, raw, None


# ------------------------------------------------------------------------------------------ objects

_OBJ = re.compile(_SKIP + rb"""(?:
    (\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]+R(?!""" + _REGULAR + rb""")   # 1, 2: reference
   |([-+]?(?:\d+\.?\d*|\.\d+))                                               # 3: number
   |/(""" + _REGULAR + rb"""*)                                                # 4: name
   |(<<|>>|\[|\]|\(|<|[A-Za-z]+)                                             # 5: delimiter, keyword
   )""", re.X)
_LITERAL_END = re.compile(rb"[()\\]")
_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|(\r\n|\r|\n)|(.))", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_NOT_HEX = re.compile(rb"[^0-9A-Fa-f\x00\t\n\x0c\r ]")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _number(token: bytes):
    return float(token) if b"." in token else int(token)


def _name(token: bytes) -> Name:
    if b"#" in token:
        token = _NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), token)
    return Name(token.decode("latin-1"))


_PYTHON_ESCAPES_DIFFER = re.compile(rb"\\(?:[^0-7nrtbf\\]|[4-7][0-7][0-7])")


def unescape(raw: bytes) -> bytes:
    """The bytes of a literal string's body."""
    if b"\\" not in raw:
        if b"\r" in raw:
            raise Unsupported("line end in a string")
        return raw
    if b"\r" not in raw and not _PYTHON_ESCAPES_DIFFER.search(raw):
        return codecs.escape_decode(raw)[0]        # the same escapes as PDF's, in C
    if b"\r" in _ESCAPE.sub(b"", raw):
        raise Unsupported("line end in a string")
    return _ESCAPE.sub(lambda m: bytes([int(m[1], 8) & 0xFF]) if m[1] else b"" if m[2]
                       else _ESCAPES.get(m[3], m[3]), raw)


def _literal(data: bytes, pos: int) -> tuple[bytes, int]:
    """A literal string whose "(" ends at pos (nested parentheses balanced)."""
    depth, start = 1, pos
    while True:
        m = _LITERAL_END.search(data, pos)
        if m is None:
            raise Unsupported("unterminated string")
        c = data[m.start()]
        if c == 0x5C:
            pos = m.start() + 2
            continue
        depth += 1 if c == 0x28 else -1
        pos = m.end()
        if not depth:
            return unescape(data[start:m.start()]), pos


def _hex(data: bytes, pos: int) -> tuple[bytes, int]:
    end = data.find(b">", pos)
    if end < 0 or _NOT_HEX.search(data, pos, end):
        raise Unsupported("bad hex string")
    digits = bytes(c for c in data[pos:end] if c not in b"\x00\t\n\x0c\r ")
    return bytes.fromhex((digits + b"0" if len(digits) % 2 else digits).decode()), end + 1


def parse(data: bytes, pos: int):
    """The object at pos and the position after it."""
    stack: list[list] = []
    while True:
        m = _OBJ.match(data, pos)
        if m is None:
            raise Unsupported(f"syntax at {pos}")
        pos = m.end()
        if m.group(1):
            value = Ref((int(m.group(1)), int(m.group(2))))
        elif m.group(3):
            value = _number(m.group(3))
        elif m.group(4) is not None:
            value = _name(m.group(4))
        else:
            token = m.group(5)
            if token == b"<<" or token == b"[":
                stack.append([token])
                continue
            if token == b">>":
                items = stack.pop() if stack else None
                if not items or items[0] != b"<<" or len(items) % 2 == 0:
                    raise Unsupported("bad dictionary")
                value = {items[i]: items[i + 1] for i in range(1, len(items), 2) if isinstance(items[i], Name)}
                if len(value) * 2 != len(items) - 1:
                    raise Unsupported("bad dictionary key")
            elif token == b"]":
                items = stack.pop() if stack else None
                if not items or items[0] != b"[":
                    raise Unsupported("bad array")
                value = items[1:]
            elif token == b"(":
                value, pos = _literal(data, pos)
            elif token == b"<":
                value, pos = _hex(data, pos)
            elif token == b"true" or token == b"false":
                value = token == b"true"
            elif token == b"null":
                value = None
            else:
                raise Unsupported(f"keyword {token!r} at {pos}")
        if not stack:
            return value, pos
        stack[-1].append(value)


# ----------------------------------------------------------------------------------------- document

# An indirect object's "12 0 obj", and the keyword its stream data follows (pdfpack.py reads them too).
OBJECT_HEAD = re.compile(_SKIP + rb"(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]+obj")
STREAM_HEAD = re.compile(_SKIP + rb"stream(?:\r\n|\n|\r)")
_ENDSTREAM = re.compile(rb"(?:\r\n|\n|\r)?endstream")
_XREF_SECTION = re.compile(_SKIP + rb"(\d+)[\x00\t\n\x0c\r ]+(\d+)")
_XREF_ENTRY = re.compile(_SKIP + rb"(\d{10})[\x00\t\n\x0c\r ]+(\d{5})[\x00\t\n\x0c\r ]+([nf])")
_TRAILER = re.compile(_SKIP + rb"trailer")


class Document:
    """A PDF file's objects and pages (raises Unsupported when it cannot be read here)."""

    def __init__(self, data: bytes):
        if not data.startswith(b"%PDF-"):
            raise Unsupported("no header at the start")
        self.data = data
        self.objects: dict = {}
        self.object_streams: dict = {}
        self.fonts: dict = {}
        self.shown: dict = {}               # (a Tj or TJ operand, font …) → _Shown, for text shown again
        self.xref: dict = {}
        self.trailer = self._read_xref()
        if "Encrypt" in self.trailer:
            raise Unsupported("encrypted")

    # ---- cross-reference
    def _read_xref(self) -> dict:
        data = self.data
        at = data.rfind(b"startxref")
        m = re.compile(_SKIP + rb"(\d+)").match(data, at + 9) if at >= 0 else None
        if m is None:
            raise Unsupported("no startxref")
        offset, trailer, seen = int(m.group(1)), None, set()
        while offset is not None:
            if offset in seen or offset >= len(data):
                raise Unsupported("bad xref offset")
            seen.add(offset)
            m = re.compile(_SKIP + rb"xref").match(data, offset)
            if m:
                section = self._xref_table(m.end())
                if "XRefStm" in section:
                    raise Unsupported("hybrid xref")
            else:
                section = self._xref_stream(offset)
            trailer = trailer or section
            offset = section.get("Prev")
            if offset is not None and not isinstance(offset, int):
                raise Unsupported("bad Prev")
        if not isinstance(trailer.get("Root"), Ref):
            raise Unsupported("no Root")
        return trailer

    def _xref_table(self, pos: int) -> dict:
        data, xref = self.data, self.xref
        while True:
            m = _TRAILER.match(data, pos)
            if m:
                trailer, _ = parse(data, m.end())
                if not isinstance(trailer, dict):
                    raise Unsupported("bad trailer")
                return trailer
            m = _XREF_SECTION.match(data, pos)
            if m is None:
                raise Unsupported("bad xref table")
            first, count = int(m.group(1)), int(m.group(2))
            pos = m.end()
            if count * 18 > len(data) - pos:
                raise Unsupported("xref section longer than the file")
            for number in range(first, first + count):
                e = _XREF_ENTRY.match(data, pos)
                if e is None:
                    raise Unsupported("bad xref entry")
                pos = e.end()
                xref.setdefault(number, (int(e.group(1)),) if e.group(3) == b"n" else None)

    def _xref_stream(self, offset: int) -> dict:
        stream = self._indirect(offset)
        if not isinstance(stream, Stream) or stream.dict.get("Type") != "XRef":
            raise Unsupported("bad xref stream")
        d = stream.dict
        widths = d.get("W")
        if not isinstance(widths, list) or len(widths) != 3 or not all(isinstance(w, int) and w >= 0 for w in widths):
            raise Unsupported("bad xref W")
        index = d.get("Index", [0, d.get("Size", 0)])
        raw, size, row = self.decode(stream), sum(widths), 0
        if not size or sum(index[1::2]) > len(raw) // size:
            raise Unsupported("xref stream shorter than its index")
        w0, w1, w2 = widths
        for first, count in zip(index[::2], index[1::2]):
            for number in range(first, first + count):
                entry = raw[row * size:(row + 1) * size]
                if len(entry) < size:
                    raise Unsupported("short xref stream")
                row += 1
                kind = int.from_bytes(entry[:w0], "big") if w0 else 1
                a = int.from_bytes(entry[w0:w0 + w1], "big")
                b = int.from_bytes(entry[w0 + w1:], "big")
                self.xref.setdefault(number, (a,) if kind == 1 else (a, b) if kind == 2 else None)
        return d

    # ---- objects
    def _indirect(self, offset: int, number: int | None = None):
        data = self.data
        m = OBJECT_HEAD.match(data, offset)
        if m is None or (number is not None and int(m.group(1)) != number):
            raise Unsupported(f"no object {number} at {offset}")
        value, pos = parse(data, m.end())
        m = STREAM_HEAD.match(data, pos)
        if m and isinstance(value, dict):
            start, length = m.end(), self.get(value.get("Length"))
            end = start + length if isinstance(length, int) and length >= 0 else -1
            if end < 0 or not _ENDSTREAM.match(data, end) and not re.compile(_SKIP + rb"endstream").match(data, end):
                found = _ENDSTREAM.search(data, start)
                if found is None:
                    raise Unsupported("no endstream")
                end = found.start()
            value = Stream(value, data[start:end])
        return value

    def get(self, value):
        """An object with its reference followed (other values as they are)."""
        if not isinstance(value, Ref):
            return value
        number = value[0]
        if number in self.objects:
            return self.objects[number]
        where = self.xref.get(number)
        if where is None:
            obj = None
        elif len(where) == 1:
            obj = self._indirect(where[0], number)
        else:
            obj = self._from_object_stream(*where)
        self.objects[number] = obj
        return obj

    def _from_object_stream(self, stream_number: int, index: int):
        if stream_number not in self.object_streams:
            stream = self.get(Ref((stream_number, 0)))
            if not isinstance(stream, Stream) or stream.dict.get("Type") != "ObjStm":
                raise Unsupported("bad object stream")
            data = self.decode(stream)
            first, count = stream.dict.get("First"), stream.dict.get("N")
            head = re.findall(rb"\d+", data[:first])
            if not isinstance(first, int) or len(head) < 2 * count:
                raise Unsupported("bad object stream header")
            offsets = [first + int(o) for o in head[1:2 * count:2]]
            self.object_streams[stream_number] = (data, offsets)
        data, offsets = self.object_streams[stream_number]
        if index >= len(offsets):
            raise Unsupported("object stream index")
        return parse(data, offsets[index])[0]

    def decode(self, stream: Stream) -> bytes:
        if stream._data is not None:
            return stream._data
        filters, parms = self.get(stream.dict.get("Filter")), self.get(stream.dict.get("DecodeParms"))
        filters = [filters] if isinstance(filters, str) else filters or []
        parms = parms if isinstance(parms, list) else [parms] * len(filters)
        data = stream.raw
        for name, parm in zip(filters, parms):
            if name != "FlateDecode":
                raise Unsupported(f"filter {name}")
            inflate = zlib.decompressobj()
            try:
                data = inflate.decompress(data, _MAX_STREAM)
            except zlib.error:
                raise Unsupported("bad Flate data") from None
            if inflate.unconsumed_tail:
                raise Unsupported("a stream larger than this reader takes")
            parm = self.get(parm) or {}
            predictor = parm.get("Predictor", 1)
            if predictor >= 10:
                data = _png_unpredict(data, parm.get("Columns", 1) * parm.get("Colors", 1)
                                      * parm.get("BitsPerComponent", 8) // 8)
            elif predictor != 1:
                raise Unsupported("TIFF predictor")
        stream._data = data
        return data

    # ---- pages
    def pages(self) -> list[tuple[dict, dict]]:
        """Each page: its dictionary with the Resources, MediaBox, CropBox and Rotate it inherits, and
        its own dictionary."""
        root = self.get(self.trailer["Root"])
        top = self.get(root.get("Pages")) if isinstance(root, dict) else None
        if not isinstance(top, dict):
            raise Unsupported("no page tree")
        out, seen = [], set()
        stack = [(top, {})]
        while stack:
            node, inherited = stack.pop()
            if id(node) in seen:
                raise Unsupported("page tree cycle")
            seen.add(id(node))
            attrs = {**inherited, **{k: node[k] for k in ("Resources", "MediaBox", "CropBox", "Rotate") if k in node}}
            kids = self.get(node.get("Kids"))
            if node.get("Type") == "Pages" or (kids is not None and node.get("Type") != "Page"):
                if not isinstance(kids, list):
                    raise Unsupported("bad Kids")
                for kid in reversed(kids):
                    kid = self.get(kid)
                    if not isinstance(kid, dict):
                        raise Unsupported("bad page")
                    stack.append((kid, attrs))
            else:
                out.append(({**node, **attrs}, node))
        return out

    def contents(self, page: dict) -> bytes:
        contents = self.get(page.get("Contents"))
        if isinstance(contents, Stream):
            return self.decode(contents)
        if contents is None:
            return b""
        if not isinstance(contents, list):
            raise Unsupported("bad Contents")
        parts = [self.get(c) for c in contents]
        if not all(isinstance(p, Stream) for p in parts):
            raise Unsupported("bad Contents")
        return b" ".join(self.decode(p) for p in parts)

    def font(self, ref) -> Font:
        key = ref if isinstance(ref, Ref) else id(ref)
        font = self.fonts.get(key)
        if font is None:
            font = self.fonts[key] = Font(self, self.get(ref))
        return font


def _png_unpredict(data: bytes, columns: int) -> bytes:
    row_size, out, previous = columns + 1, bytearray(), bytearray(columns)
    for start in range(0, len(data) - row_size + 1, row_size):
        kind, row = data[start], bytearray(data[start + 1:start + row_size])
        if kind == 1:
            for i in range(1, columns):
                row[i] = (row[i] + row[i - 1]) & 0xFF
        elif kind == 2:
            row = bytearray((a + b) & 0xFF for a, b in zip(row, previous))
        elif kind != 0:
            raise Unsupported("PNG predictor")
        out += row
        previous = row
    return bytes(out)


# -------------------------------------------------------------------------------------------- fonts

_CMAP_BLOCK = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.S)
_BFCHAR_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>[\x00\t\n\x0c\r ]*<([0-9A-Fa-f]*)>")
_CMAP_TOKEN = re.compile(rb"<([0-9A-Fa-f\x00\t\n\x0c\r ]*)>|(\[)|(\])")


class Font:
    """A composite font with the Identity-H encoding: two bytes a code; its ToUnicode map, widths
    (W and DW, in thousandths of the font size) and descent, as PDFium loads them."""

    def __init__(self, doc: Document, d):
        get = doc.get
        if not isinstance(d, dict) or d.get("Subtype") != "Type0" or get(d.get("Encoding")) != "Identity-H":
            raise Unsupported("not a Type0 Identity-H font")
        descendants = get(d.get("DescendantFonts"))
        cid = get(descendants[0]) if isinstance(descendants, list) and len(descendants) == 1 else None
        desc = get(cid.get("FontDescriptor")) if isinstance(cid, dict) else None
        if not isinstance(desc, dict) or cid.get("Subtype") not in ("CIDFontType0", "CIDFontType2"):
            raise Unsupported("bad descendant font")
        if not any(isinstance(get(desc.get(k)), Stream) for k in ("FontFile", "FontFile2", "FontFile3")):
            raise Unsupported("font not embedded")
        bbox = get(desc.get("FontBBox"))
        ascent, descent = get(desc.get("Ascent")), get(desc.get("Descent"))
        number = (int, float)
        if not isinstance(bbox, list) or len(bbox) != 4 or not all(isinstance(get(v), number) for v in bbox) \
                or not any(int(get(v)) for v in bbox) or not isinstance(descent, number) \
                or not isinstance(ascent, number) or (int(ascent) == 0 and int(descent) == 0):
            raise Unsupported("font metrics")      # PDFium would take them from the font program
        descent = int(descent)                     # PDFium's integers: cut toward zero
        self.descent = -descent if descent > 10 else descent
        self.bbox = [float(get(v)) for v in bbox]
        dw = get(cid.get("DW", 1000))
        if not isinstance(dw, int):
            raise Unsupported("DW")
        self.default_width = dw
        self.ranges = self._widths(get, get(cid.get("W")))
        self.widths = _Widths(self)           # code → width in thousandths of the font size
        self.unicode, self.reverse = self._to_unicode(doc, get(d.get("ToUnicode")))
        self.advances = _Advances(self)       # character → pdftext's advance at 1 pt

    @staticmethod
    def _widths(get, w) -> list:
        """(first, last, width) in the order of W (the first that holds a code wins), each number taken
        as PDFium takes it: as an integer, cut toward zero."""
        if w is None:
            return []
        if not isinstance(w, list):
            raise Unsupported("W")
        out, i, w = [], 0, [get(v) for v in w]
        number = (int, float)
        while i < len(w):
            if i + 1 < len(w) and isinstance(w[i], number) and isinstance(w[i + 1], list):
                widths = [get(v) for v in w[i + 1]]
                if not all(isinstance(v, number) for v in widths):
                    raise Unsupported("W widths")
                first = int(w[i])
                out += [(first + j, first + j, int(v)) for j, v in enumerate(widths)]
                i += 2
            elif i + 2 < len(w) and all(isinstance(v, number) for v in w[i:i + 3]):
                out.append((int(w[i]), int(w[i + 1]), int(w[i + 2])))
                i += 3
            else:
                raise Unsupported("W entry")
        return out

    def width(self, code: int) -> int:
        """GetCharWidthF: the first range of W that holds the code, else DW."""
        return next((v for first, last, v in self.ranges if first <= code <= last), self.default_width)

    def _known_widths(self) -> dict:
        """code → width for the codes of W's short ranges, the first range that holds a code winning
        (a long range before a short one holds its codes: they are left to width())."""
        out: dict = {}
        long: list = []
        for first, last, v in self.ranges:
            if last - first > 4096:
                long.append((first, last))
                continue
            for code in range(first, last + 1):
                if code not in out and not any(f <= code <= la for f, la in long):
                    out[code] = v
        return out

    @staticmethod
    def _to_unicode(doc: Document, stream) -> tuple[dict, dict]:
        """code → its character (codes mapped to one character only), and character → the lowest
        code mapped to it (PDFium's reverse lookup, which pdftext's advances come from)."""
        if not isinstance(stream, Stream):
            raise Unsupported("no ToUnicode")
        text = doc.decode(stream)
        if b"usecmap" in text:
            raise Unsupported("usecmap")
        values: dict = {}                   # code → its value: a character, or None for a longer string
        more: dict = {}                     # code → its other values, for a code the map gives twice

        def add(code: int, value) -> None:
            if code in values:
                if value != values[code]:
                    more.setdefault(code, set()).add(value)
            else:
                values[code] = value

        for kind, body in _CMAP_BLOCK.findall(text):
            if kind == b"bfchar":
                pairs = _BFCHAR_PAIR.findall(body)
                if body.count(b"<") != 2 * len(pairs):
                    raise Unsupported("bfchar")
                for src, dst in pairs:
                    add(int(src, 16), _utf16_hex(dst))
                continue
            tokens = _CMAP_TOKEN.findall(body)
            i = 0
            while i < len(tokens):
                if i + 2 >= len(tokens) or tokens[i][1] or tokens[i][2] or tokens[i + 1][1] or tokens[i + 1][2]:
                    raise Unsupported("bfrange")
                lo, hi = _hex_int(tokens[i][0]), _hex_int(tokens[i + 1][0])
                if hi - lo > 0xFFFF:
                    raise Unsupported("bfrange size")
                if tokens[i + 2][1]:                        # <lo> <hi> [<dst> …]
                    j = i + 3
                    while j < len(tokens) and not tokens[j][2]:
                        if lo + j - i - 3 <= hi:
                            add(lo + j - i - 3, _utf16(_hex_bytes(tokens[j][0])))
                        j += 1
                    i = j + 1
                    continue
                dst = _hex_bytes(tokens[i + 2][0])
                for code in range(lo, hi + 1):
                    if len(dst) == 2 and int.from_bytes(dst, "big") + code - lo <= 0xFFFF:
                        add(code, _utf16((int.from_bytes(dst, "big") + code - lo).to_bytes(2, "big")))
                    else:
                        add(code, None)
                i += 3
        unicode, reverse = {}, {}
        for code in sorted(values):
            value = values[code]
            others = more.get(code)
            for v in (value, *others) if others else (value,):
                if v is not None and v not in reverse:
                    reverse[v] = code
            if value is not None and not others:
                unicode[code] = value
        return unicode, reverse

    def advance(self, char: str) -> float:
        """pdftext's advance of a character at 1 pt (FPDFFont_GetGlyphWidth): the width of the lowest
        code mapped to it."""
        return max(self.widths[self.reverse.get(char, 0)] / 1000, 0.0)


class _Widths(dict):
    def __init__(self, font: Font):
        super().__init__(font._known_widths())
        self.font = font

    def __missing__(self, code: int) -> int:
        w = self[code] = self.font.width(code)
        return w


class _Advances(dict):
    def __init__(self, font: Font):
        super().__init__()
        self.font = font

    def __missing__(self, char: str) -> float:
        a = self[char] = self.font.advance(char)
        return a


def _hex_bytes(h: bytes) -> bytes:
    h = bytes(c for c in h if c not in b"\x00\t\n\x0c\r ")
    return bytes.fromhex((h + b"0" if len(h) % 2 else h).decode())


def _hex_int(h: bytes) -> int:
    return int.from_bytes(_hex_bytes(h), "big")


def _utf16_hex(h: bytes):
    """_utf16 of a hex string."""
    if len(h) == 4:
        v = int(h, 16)
        return None if v == 0xFFFF or 0xD800 <= v <= 0xDFFF else chr(v)
    return _utf16(_hex_bytes(h))


def _utf16(b: bytes):
    """One character from UTF-16BE (PDFium keeps one 16-bit unit; None for anything longer)."""
    if len(b) != 2:
        return None
    v = int.from_bytes(b, "big")
    return None if v == 0xFFFF or 0xD800 <= v <= 0xDFFF else chr(v)


# ------------------------------------------------------------------------------------ content stream

_W = rb"[\x00\t\n\x0c\r ]"
_NESTED = rb"\([^()\\]*(?:\\.[^()\\]*)*\)"
_STRING = rb"\([^()\\]*(?:(?:\\.|" + _NESTED + rb")[^()\\]*)*\)"    # parentheses nested one deep
_HEXSTRING = rb"<[0-9A-Fa-f\x00\t\n\x0c\r ]*>"
_BETWEEN = rb"[\x00\t\n\x0c\r \d.+-]*"                                  # numbers, blanks
_ARRAY = rb"\[" + _BETWEEN + rb"(?:(?:" + _STRING + rb"|" + _HEXSTRING + rb")" + _BETWEEN + rb")*\]"
_OPERAND = _W + rb"*(?:[-+.\d]+|/" + _REGULAR + rb"*|" + _ARRAY + rb"|" + _STRING + rb"|" + _HEXSTRING \
    + rb"|<<[^<>]*>>)"
# One operator with its operands (or a character that starts neither: a syntax this reader leaves to PDFium).
_OPERATION = re.compile(rb"((?:" + _OPERAND + rb")*)" + _W + rb"*(?:([A-Za-z'\"][A-Za-z0-9*'\"]*)|(.))", re.S)
# A TJ array: the numbers (and empty strings) before its first string, then each string with the numbers
# (and empty strings) after it.
_TAIL = rb"((?:[\x00\t\n\x0c\r ]*+(?:[-+.\d]++|<>|\(\)))*+)"        # (possessive: nothing follows it)
_LEAD = re.compile(rb"\[" + _TAIL)
_STRING_AND_TAIL = re.compile(rb"[\x00\t\n\x0c\r ]*(" + _STRING + rb"|" + _HEXSTRING + rb")" + _TAIL, re.S)
_ONE_STRING = re.compile(_STRING + rb"|" + _HEXSTRING, re.S)
# Typst writes each run of text as a text object of its own, in a q … Q group of always the same operators,
# marked as content (BDC … EMC, which this reader ignores):
#   /Span<</MCID 3>>BDC\nq 1 0 0 -1 79.37 716.45 cm/c0 cs 0 scn\nBT 0 Tr/f0 16 Tf 1 0 0 -1 0 0 Tm[(…)15.625<…>]TJ
#   ET\nQ\nEMC
# Page.run matches such a group whole where it stands (else one operator at a time) and hands the same
# operands to the same handlers, without the tokens and the dispatch in between (most of a page's time).
_N = rb"[-+.\d]+"
_TEXT_GROUP = (_W + rb"*(?:/\w+<<[^<>]*>>BDC" + _W + rb"+)?q ((?:" + _N + rb" ){6})cm(/\w+) cs ((?:" + _N
               + rb" )+)scn\nBT (" + _N + rb") Tr(/\w+ " + _N + rb") Tf ((?:" + _N + rb" ){6})Tm(?:(" + _ARRAY
               + rb")TJ|(" + _STRING + rb"|" + _HEXSTRING + rb")Tj)\nET\nQ(?:\nEMC)?(?![A-Za-z0-9*'\"])")
_PIECE = re.compile(_TEXT_GROUP + rb"|" + _OPERATION.pattern, re.S)
_IGNORED = frozenset((b"BDC", b"EMC", b"BMC", b"MP", b"DP", b"ET", b"j", b"M", b"d", b"ri", b"i", b"BX", b"EX",
                      b"sh"))

# Characters PDFium's text page rewrites, merges or reorders (pdftext would not get them one for one):
# NUL and its control codes, line ends, the soft hyphen, ligatures (split), right-to-left scripts.
_REWRITTEN = re.compile("[\x00\x02\x03\n\r\x93\x94\x96\x97\x98\xad\ufffe\ufb00-\ufb06\u0590-\u08ff\u200f\u202b"
                        "\u202e\u2067\ufb1d-\ufdff\ufe70-\ufeff]")
_SPACE_THEN_SPACE = re.compile("  |[-\xad] +$|^ +$")
_INVISIBLE = frozenset(("Cc", "Cf", "Zl", "Zp", "Mn", "Me", "Co", "Cn"))
_STROKE_MODES = (1, 2)
_CODES = [f">{n}H" for n in range(64)]       # struct formats: n two-byte codes
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_UNSUPPORTED_COLOUR = object()


def _mul(m1, m2):
    """m1 then m2 (PDF matrices as (a, b, c, d, e, f))."""
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def _text_matrix(scale: float, tm: tuple, ctm: tuple) -> tuple:
    """PDFium's text matrix (a, b, c, d): the horizontal scaling, then Tm, then the CTM."""
    return _mul(_mul((scale, 0.0, 0.0, 1.0, 0.0, 0.0), tm), ctm)[:4]


def _rgb(values) -> tuple:
    """An RGB colour as PDFium hands it over: each component clamped and rounded to 1/255."""
    return tuple(floor(min(max(v, 0.0), 1.0) * 255 + 0.5) / 255 for v in values)


def _numbers(operands: bytes, count: int) -> tuple:
    numbers = _NUMBERS.get(operands)
    if numbers is None or len(numbers) != count:
        numbers = _parse_numbers(operands, count)
        _remember(_NUMBERS, operands, numbers)
    return numbers


def _parse_numbers(operands: bytes, count: int) -> tuple:
    """_numbers of operands that will not come again (a text group's place)."""
    values = operands.split()
    if len(values) != count:
        raise Unsupported("operand count")
    try:
        return tuple(map(float, values))
    except ValueError:
        raise Unsupported("operand type") from None


def _remember(cache: dict, key, value) -> None:
    """Operands that recur (a text matrix, a glyph's string) are worked out once: kept up to a limit."""
    if len(cache) > 20000:
        cache.clear()
    cache[key] = value


_NUMBERS: dict = {}                      # operands → their numbers


class _Kernings(dict):
    """A TJ array's number as written (b"" where there is none) → its value, kept up to a limit."""

    def __missing__(self, token: bytes) -> float:
        value = float(token) if token else 0.0
        if len(self) < 20000:
            self[token] = value
        return value


_KERNINGS = _Kernings()
_STRINGS: dict = {}                      # a string as written → its bytes


def _name_operand(operands: bytes) -> str:
    values = operands.split()
    if len(values) != 1 or not values[0].startswith(b"/"):
        raise Unsupported("name operand")
    return _name(values[0][1:])


def _string(token: bytes) -> bytes:
    value = _STRINGS.get(token)
    if value is None:
        value = _decode_string(token)
        _remember(_STRINGS, token, value)
    return value


def _decode_string(token: bytes) -> bytes:
    if token[0] == 0x28:                # "("
        body = token[1:-1]
        return unescape(body) if 0x5C in body or 0x0D in body else body
    try:
        return unhexlify(token[1:-1])
    except (ValueError, binascii_error):
        return _hex_bytes(token[1:-1])


def _kerning(tail: bytes) -> float:
    """The sum of the numbers in a TJ array's run of numbers and empty strings."""
    try:
        return sum(float(v) for v in tail.replace(b"<>", b" ").replace(b"()", b" ").split())
    except ValueError:
        raise Unsupported("TJ number") from None


def _tj_single(operands: bytes) -> tuple[list, list, float, float]:
    """A Tj operand as _tj_operand gives a TJ's."""
    token = operands.strip(b"\x00\t\n\x0c\r ")
    if not _ONE_STRING.fullmatch(token):
        raise Unsupported("Tj operand")
    text = _string(token)
    return ([text], [0.0], 0.0, 0.0) if text else ([], [], 0.0, 0.0)


def _tj_operand(operands: bytes) -> tuple[list, list, float, float]:
    """A TJ operand: its strings, the kerning number after each, the one before the first and the one
    the text position moves on by after the last."""
    token = operands.strip(b"\x00\t\n\x0c\r ")
    if token[:1] != b"[" or token[-1:] != b"]":
        raise Unsupported("TJ operand")
    lead = _LEAD.match(token)
    pairs = _STRING_AND_TAIL.findall(token, lead.end(), len(token) - 1)
    # PDFium leaves out empty strings; it keeps a kerning slot for every string all the same, and
    # moves on by the last slot's number: after an empty string that stays 0.
    strings, numbers = _STRINGS, _KERNINGS
    segments = [strings.get(string) or _string(string) for string, _ in pairs]
    try:
        kernings = [numbers[tail] for _, tail in pairs]
        initial = float(lead.group(1)) if lead.group(1) else 0.0
        empty = False
    except ValueError:                  # empty strings or several numbers in a row
        kernings = [_kerning(tail) for _, tail in pairs]
        initial = _kerning(lead.group(1))
        empty = any(b"<" in tail or b"(" in tail for _, tail in pairs) or b"<" in lead.group(1) \
            or b"(" in lead.group(1)
    if not all(segments):               # an empty string: its numbers go to the string before
        kept, merged = [], []
        for segment, kerning in zip(segments, kernings):
            if segment:
                kept.append(segment)
                merged.append(kerning)
            elif merged:
                merged[-1] += kerning
            else:
                initial += kerning
        segments, kernings, empty = kept, merged, True
    if not segments:
        return [], [], initial, 0.0
    return segments, kernings, initial, 0.0 if empty else kernings[-1]


class _Shown:
    """What a Tj or TJ operand shows in a font at a size, with a character spacing and a horizontal
    scaling, in text space: the same wherever it is shown (Page._show places it). Raises Unsupported
    where the characters alone tell that PDFium's text page would not give them one for one."""

    __slots__ = ("shift", "advance", "text", "segments", "origins", "min_step", "spaced", "blank", "advances",
                 "widthless", "widths_at", "widths")

    def __init__(self, segments: list[bytes], kernings: list[float], initial: float, final: float, font, size,
                 char_space, scale):
        """kernings: the TJ number after each string; the text position moves on by the final one."""
        self.shift = self.advance = 0.0     # the text position's move before the text and after it
        self.text = None                    # None: nothing shown
        self.widths_at, self.widths = None, None    # Page._runs: the characters' widths on the page at a scale
        if font is None:
            return
        per_unit = size / 1000
        self.shift = initial * per_unit * scale
        if not segments:
            return
        if not size:
            raise Unsupported("font size 0")
        joined = b"".join(segments) if len(segments) > 1 else segments[0]
        count = len(joined) // 2
        if count == len(segments):                      # a string a character (Typst)
            after = kernings[:-1]
            after.append(0.0)
        else:
            if len(joined) % 2 or any(len(segment) % 2 for segment in segments):
                raise Unsupported("odd byte count for a two-byte encoding")
            after = [0.0] * count
            end = 0
            for segment, kerning in zip(segments[:-1], kernings):
                end += len(segment) // 2
                after[end - 1] = kerning
        codes = unpack(_CODES[count] if count < 64 else f">{count}H", joined)
        # Where each character starts along the baseline, in text space, and where the next would
        # (PDFium's CalcPositionData; the kerning after the last string moves only the text position).
        if char_space:
            steps = [(w - k) * per_unit + char_space for w, k in zip(map(font.widths.__getitem__, codes), after)]
        else:
            steps = [(w - k) * per_unit for w, k in zip(map(font.widths.__getitem__, codes), after)]
        origins = list(accumulate(steps, initial=0.0))
        total = origins.pop()
        try:
            text = "".join(map(font.unicode.__getitem__, codes))
        except KeyError:
            raise Unsupported("a code without one character in ToUnicode") from None
        if _REWRITTEN.search(text):
            raise Unsupported("characters PDFium's text page rewrites")
        if len(text) == 1 and not text.isspace() and unicodedata.category(text) in _INVISIBLE:
            raise Unsupported("a lone invisible character")
        if " " in text:
            if _SPACE_THEN_SPACE.search(text):
                raise Unsupported("space after space, or after a hyphen at the end")
            # PDFium puts a space of its own into a gap before a character (a negative kerning, a
            # character spacing) and then drops a space that follows it.
            if abs(char_space) > 0.001 and " " in text[1:]:
                raise Unsupported("a gap before a space")
            start = 0
            for segment, kerning in zip(segments, kernings):
                start += len(segment) // 2
                if kerning < 0 and text[start:start + 1] == " ":
                    raise Unsupported("a gap before a space")
        self.advance = (total - final * per_unit) * scale
        self.text, self.segments, self.origins = text, segments, origins
        self.min_step = min(steps[:-1]) if len(steps) > 1 else None
        self.spaced = " " in text
        self.blank = count == 1 and text.isspace()
        self.advances = list(map(font.advances.__getitem__, text))
        self.widthless = 0.0 in self.advances


class _State:
    """The graphics and text state (saved and restored whole by q and Q, as PDFium does)."""

    def __init__(self):
        self.ctm = _IDENTITY
        self.fill = self.stroke = (0.0, 0.0, 0.0)    # RGB, or _UNSUPPORTED_COLOUR
        self.fill_n = self.stroke_n = 1              # components of the colour space (None: not read here)
        self.line_width, self.line_cap = 1.0, 0
        self.font, self.size = None, 0.0
        self.char_space, self.word_space, self.scale, self.leading, self.rise, self.mode = 0.0, 0.0, 1.0, 0.0, 0.0, 0
        self.tm, self.matrix = _IDENTITY, (1.0, 0.0, 0.0, 1.0)    # text matrix; scale × Tm × CTM (a, b, c, d)
        self.line = self.pos = (0.0, 0.0)


class Page:
    """One page's content run through: the characters of each text object as runs (pdftext.Run) and the
    painted paths as shapes (pdftext.Shape), in the order drawn."""

    def __init__(self, doc: Document, page: dict, display, run_type, shapes_of):
        self.doc, self.display, self.Run, self.shapes_of = doc, display, run_type, shapes_of
        self.new_run = partial(tuple.__new__, run_type)     # a run from a tuple of its fields, in C
        resources = doc.get(page.get("Resources"))
        self.resources = resources if isinstance(resources, dict) else {}
        self.runs: list = []
        self.shapes: list = []
        self.g = _State()
        self.stack: list[dict] = []
        self.path: list = []                # [x, y, kind ("m", "l", "c"), closes], as PDFium keeps a path
        self.start = self.current = (0.0, 0.0)
        self.clip = False
        self.recent_segments = deque(maxlen=5)  # the last five text objects' strings
        self.recent = deque(maxlen=5)       # and their places: [_rect's arguments, _rect's result once worked out]
        self.boxes: dict = {}               # 8 pt band of y → boxes around the origins of text objects in it
        self.space_ends = self.space_starts = False
        self.spaces: dict = {}              # cs operands → (initial colour, components)
        self.colours: dict = {}             # (components, operands) → colour
        self.font_operands: dict = {}       # Tf operands → (font, size)
        self.text_states: dict = {}         # a text group's cs, scn, Tr, Tf, Tm operands → what they set
        self.text_matrices: dict = {}       # (Tm, CTM's a b c d, scale) → PDFium's text matrix (a, b, c, d)
        content = doc.contents(page)
        if b"ActualText" in content:
            raise Unsupported("ActualText")
        if doc.get(self.resources.get("Properties")):
            raise Unsupported("marked-content properties")
        self.run(content)

    def run(self, content: bytes) -> None:
        ops, ignored, text_group = self.OPS, _IGNORED, self._text_group
        for cm, space, colour, mode, font, matrix, array, string, operands, op, stray in _PIECE.findall(content):
            if cm:
                text_group(cm, space, colour, mode, font, matrix, array, string)
                continue
            if op in ignored:
                continue
            handler = ops.get(op)
            if handler is not None:
                handler(self, operands)
            elif stray:
                raise Unsupported(f"content syntax {stray!r}")
            elif op in (b"Do", b"BI", b"d0", b"d1"):
                raise Unsupported(f"operator {op.decode()}")

    def _text_group(self, cm, space, colour, mode, font, matrix, array, string) -> None:
        """A Typst text group (_TEXT_GROUP) at once: what q, cm, cs, scn, BT, Tr, Tf, Tm, TJ or Tj, ET and Q
        do, one after the other. What cs, scn, Tr, Tf and Tm set depends on their operands alone (and
        the page's resources): it is kept for the next group with the same. Q gives back the state of
        before q, so the group is placed without changing it (BT sets nothing that Tm does not set again)."""
        g = self.g
        key = (space, colour, mode, font, matrix)
        state = self.text_states.get(key)
        if state is None:
            saved = g.__dict__.copy()                                       # q
            self.op_cs(space)
            self.op_sc(colour)
            self.op_Tr(mode)
            self.op_Tf(font)
            self.op_Tm(matrix)
            state = self.text_states[key] = (g.fill, g.mode, g.font, g.size, g.tm)
            g.__dict__.update(saved)                                        # Q
        fill, mode, font, size, tm = state
        ctm = _mul(_parse_numbers(cm, 6), g.ctm)                            # cm
        key = (tm, ctm[:4], g.scale)
        text_matrix = self.text_matrices.get(key)
        if text_matrix is None:
            text_matrix = self.text_matrices[key] = _text_matrix(g.scale, tm, ctm)
        self._place(array or string, bool(array), font, size, mode, fill, tm, ctm, text_matrix, 0.0, 0.0)

    # ---- graphics state
    def op_q(self, operands):
        self.stack.append(self.g.__dict__.copy())

    def op_Q(self, operands):
        if self.stack:
            self.g.__dict__.update(self.stack.pop())

    def op_cm(self, operands):
        g = self.g
        g.ctm = _mul(_numbers(operands, 6), g.ctm)
        g.matrix = None

    def op_w(self, operands):
        self.g.line_width = _numbers(operands, 1)[0]

    def op_J(self, operands):
        self.g.line_cap = int(_numbers(operands, 1)[0])

    def op_gs(self, operands):
        get = self.doc.get
        ext = get((get(self.resources.get("ExtGState")) or {}).get(_name_operand(operands)))
        if not isinstance(ext, dict) or "Font" in ext:
            raise Unsupported("ExtGState")
        if "LW" in ext:
            self.g.line_width = float(get(ext["LW"]))
        if "LC" in ext:
            self.g.line_cap = int(get(ext["LC"]))

    # ---- colours: gray, RGB and ICC-based gray or RGB; anything else is left to PDFium when painted with
    def _components(self, name: str) -> int | None:
        if name in ("DeviceGray", "DeviceRGB"):
            return 1 if name == "DeviceGray" else 3
        get = self.doc.get
        space = get((get(self.resources.get("ColorSpace")) or {}).get(name))
        if isinstance(space, list) and len(space) == 2 and space[0] == "ICCBased":
            stream = get(space[1])
            n = stream.dict.get("N") if isinstance(stream, Stream) else None
            if n in (1, 3):
                return n
        return None

    @staticmethod
    def _colour(n: int | None, values: list[float]):
        if n is None or len(values) != n:
            return _UNSUPPORTED_COLOUR
        return _rgb(values * 3 if n == 1 else values)

    def _set_colour(self, n: int | None, operands: bytes):
        key = (n, operands)
        colour = self.colours.get(key)
        if colour is None:
            colour = self.colours[key] = self._colour(n, _numbers(operands, len(operands.split())))
        return colour

    def _space(self, operands: bytes) -> tuple:
        """A colour space set by cs or CS: its initial colour (black) and its components."""
        space = self.spaces.get(operands)
        if space is None:
            n = self._components(_name_operand(operands))
            space = self.spaces[operands] = (self._colour(n, [0.0] * (n or 0)), n)
        return space

    def op_cs(self, operands):
        self.g.fill, self.g.fill_n = self._space(operands)

    def op_CS(self, operands):
        self.g.stroke, self.g.stroke_n = self._space(operands)

    def op_sc(self, operands):
        self.g.fill = self._set_colour(self.g.fill_n, operands)

    def op_SC(self, operands):
        self.g.stroke = self._set_colour(self.g.stroke_n, operands)

    def op_g(self, operands):
        self.g.fill, self.g.fill_n = _rgb(_numbers(operands, 1) * 3), 1

    def op_G(self, operands):
        self.g.stroke, self.g.stroke_n = _rgb(_numbers(operands, 1) * 3), 1

    def op_rg(self, operands):
        self.g.fill, self.g.fill_n = _rgb(_numbers(operands, 3)), 3

    def op_RG(self, operands):
        self.g.stroke, self.g.stroke_n = _rgb(_numbers(operands, 3)), 3

    def op_k(self, operands):
        _numbers(operands, 4)
        self.g.fill, self.g.fill_n = _UNSUPPORTED_COLOUR, None

    def op_K(self, operands):
        _numbers(operands, 4)
        self.g.stroke, self.g.stroke_n = _UNSUPPORTED_COLOUR, None

    # ---- paths, point by point as PDFium's content parser keeps them
    def _add(self, x: float, y: float, kind: str) -> None:
        path = self.path
        if kind == "m":
            if path and not path[-1][3] and path[-1][2] == "m" and self.current == (x, y):
                return
            self.current = self.start = (x, y)
            if path and path[-1][2] == "m" and not path[-1][3]:
                path[-1][0], path[-1][1] = x, y        # a move after a move replaces it
                return
        else:
            self.current = (x, y)
            if not path:
                return                                  # nothing before the first move
        path.append([x, y, kind, False])

    def _add_closing(self, x: float, y: float) -> None:
        self.current = (x, y)
        if self.path:
            self.path.append([x, y, "l", True])

    def op_m(self, operands):
        if len(operands.split()) == 2:
            self._add(*_numbers(operands, 2), "m")

    def op_l(self, operands):
        if len(operands.split()) == 2:
            self._add(*_numbers(operands, 2), "l")

    def op_c(self, operands):
        x1, y1, x2, y2, x3, y3 = _numbers(operands, 6)
        self._add(x1, y1, "c")
        self._add(x2, y2, "c")
        self._add(x3, y3, "c")

    def op_v(self, operands):
        x2, y2, x3, y3 = _numbers(operands, 4)
        self._add(*self.current, "c")
        self._add(x2, y2, "c")
        self._add(x3, y3, "c")

    def op_y(self, operands):
        x1, y1, x3, y3 = _numbers(operands, 4)
        self._add(x1, y1, "c")
        self._add(x3, y3, "c")
        self._add(x3, y3, "c")

    def op_re(self, operands):
        x, y, w, h = _numbers(operands, 4)
        self._add(x, y, "m")
        self._add(x + w, y, "l")
        self._add(x + w, y + h, "l")
        self._add(x, y + h, "l")
        self._add_closing(x, y)

    def op_h(self, operands=b""):
        if not self.path:
            return
        if self.start != self.current:
            self._add_closing(*self.start)
        else:
            self.path[-1][3] = True

    def op_W(self, operands):
        self.clip = True

    def _paint(self, fill: bool, stroke: bool) -> None:
        path, self.path = self.path, []
        clip, self.clip = self.clip, False
        if not path:
            return
        if len(path) == 1:                  # only a round cap draws a closed move
            first = path[0]
            if clip or first[2] != "m" or not first[3] or self.g.line_cap != 1:
                return
            first[3] = False
            path.append([first[0], first[1], "l", True])
        if path[-1][2] == "m" and not path[-1][3]:
            path.pop()
        if not (fill or stroke):
            return
        g = self.g
        if g.fill is _UNSUPPORTED_COLOUR or g.stroke is _UNSUPPORTED_COLOUR:
            raise Unsupported("colour")
        a, b, c, d, e, f = g.ctm
        point = self.display.point
        segments = [(point(a * x + c * y + e, b * x + d * y + f), kind, closes) for x, y, kind, closes in path]
        self.shapes += self.shapes_of(segments, g.stroke, g.fill)

    def op_S(self, operands):
        self._paint(False, True)

    def op_s(self, operands):
        self.op_h()
        self._paint(False, True)

    def op_f(self, operands):
        self._paint(True, False)

    def op_B(self, operands):
        self._paint(True, True)

    def op_b(self, operands):
        self.op_h()
        self._paint(True, True)

    def op_b_star(self, operands):
        self._add_closing(*self.start)
        self._paint(True, True)

    def op_n(self, operands):
        self._paint(False, False)

    # ---- text state
    def op_BT(self, operands):
        g = self.g
        g.tm, g.line, g.pos, g.matrix = _IDENTITY, (0.0, 0.0), (0.0, 0.0), None

    def op_Tm(self, operands):
        g = self.g
        g.tm, g.line, g.pos, g.matrix = _numbers(operands, 6), (0.0, 0.0), (0.0, 0.0), None

    def op_Td(self, operands):
        tx, ty = _numbers(operands, 2)
        g = self.g
        g.line = g.pos = (g.line[0] + tx, g.line[1] + ty)

    def op_TD(self, operands):
        self.op_Td(operands)
        self.g.leading = -_numbers(operands, 2)[1]

    def op_T_star(self, operands=b""):
        g = self.g
        g.line = g.pos = (g.line[0], g.line[1] - g.leading)

    def op_TL(self, operands):
        self.g.leading = _numbers(operands, 1)[0]

    def op_Tc(self, operands):
        self.g.char_space = _numbers(operands, 1)[0]

    def op_Tw(self, operands):
        self.g.word_space = _numbers(operands, 1)[0]

    def op_Tz(self, operands):
        if len(operands.split()) == 1:
            self.g.scale = _numbers(operands, 1)[0] / 100
            self.g.matrix = None        # PDFium's text matrix (scale × Tm × CTM), worked out when used

    def op_Ts(self, operands):
        self.g.rise = _numbers(operands, 1)[0]

    def op_Tr(self, operands):
        mode = int(_numbers(operands, 1)[0])
        if mode not in (0, 1, 2, 3):
            raise Unsupported(f"text render mode {mode}")
        self.g.mode = mode

    def op_Tf(self, operands):
        g = self.g
        font_size = self.font_operands.get(operands)
        if font_size is None:
            values = operands.split()
            if len(values) != 2 or not values[0].startswith(b"/"):
                raise Unsupported("Tf operands")
            ref = (self.doc.get(self.resources.get("Font")) or {}).get(_name(values[0][1:]))
            if ref is None:
                raise Unsupported("font not in the resources")
            font_size = self.font_operands[operands] = (self.doc.font(ref), _numbers(values[1], 1)[0])
        g.font, g.size = font_size

    # ---- text showing
    def op_Tj(self, operands):
        self._show(operands, False)

    def op_quote(self, operands):
        self.op_T_star()
        self.op_Tj(operands)

    def op_double_quote(self, operands):
        m = re.match(rb"\s*([-+.\d]+)\s+([-+.\d]+)\s*(.*)$", operands, re.S)
        if m is None:
            raise Unsupported("\" operands")
        self.g.word_space, self.g.char_space = float(m[1]), float(m[2])
        self.op_quote(m[3])

    def op_TJ(self, operands):
        self._show(operands, True)

    def _show(self, operands: bytes, array: bool) -> None:
        """A text object (PDFium's: one Tj, TJ, ' or "), shown where the text state says."""
        g = self.g
        if g.matrix is None:
            g.matrix = _text_matrix(g.scale, g.tm, g.ctm)
        x, y = g.pos
        g.pos = (self._place(operands, array, g.font, g.size, g.mode, g.fill, g.tm, g.ctm, g.matrix, x, y), y)

    def _place(self, operands: bytes, array: bool, font, size, mode, fill, tm, ctm, matrix, x, y) -> float:
        """A text object's characters, as pdftext's PDFium reader gives them, from the text position (x, y) in
        a text state (the rest of it from self.g); returns the x of the next. What the operand shows in the
        font is worked out once (_Shown); here it is placed."""
        g = self.g
        key = (operands, array, font, size, g.char_space, g.scale)
        shown = self.doc.shown.get(key)
        if shown is None:
            shown = _Shown(*(_tj_operand if array else _tj_single)(operands), font, size, g.char_space, g.scale)
            _remember(self.doc.shown, key, shown)
        x -= shown.shift
        if shown.text is None:
            return x
        a, b, c, d = matrix
        y += g.rise
        tx, ty = x * tm[0] + y * tm[2] + tm[4], x * tm[1] + y * tm[3] + tm[5]
        mx, my = tx * ctm[0] + ty * ctm[2] + ctm[4], tx * ctm[1] + ty * ctm[3] + ctm[5]
        self._check(shown, matrix, mx, my, font, size, mode)
        if shown.blank and not (mode in _STROKE_MODES and g.line_width >= 0.01):
            return x + shown.advance        # no extent: PDFium's text page leaves it out
        if fill is _UNSUPPORTED_COLOUR:
            raise Unsupported("colour")
        self._runs(shown, font, size, a, b, c, d, mx, my, fill)
        return x + shown.advance

    def _check(self, shown: _Shown, matrix, mx, my, font, size, mode) -> None:
        """Raise Unsupported where PDFium's text page would not give these characters one for one (what
        the characters alone tell is checked by _Shown)."""
        text = shown.text
        if shown.spaced:
            self.space_starts |= text[0] == " "
            self.space_ends |= text[-1] == " "
            if self.space_starts and self.space_ends:
                raise Unsupported("text objects that end and start with spaces")
        # Duplicates: PDFium drops a character drawn within 0.07 em of the same one just before it, and a
        # text object that repeats one of the five before it over itself.
        scale, along = _scales(matrix)
        a, b = matrix[0], matrix[1]
        reach = 0.1 * size * scale
        if shown.min_step is not None and shown.min_step * along < reach:
            raise Unsupported("characters closer than 0.1 em")
        end = shown.origins[-1]
        here = [(end, size, matrix, mx, my, font, mode, self.g.line_width), None]   # _rect's arguments, its result
        segments = shown.segments
        if segments in self.recent_segments:    # (a test in C: the strings differ as a rule)
            rect = here[1] = _rect(*here[0])
            for other, place in zip(self.recent_segments, self.recent):
                if other == segments:
                    if place[1] is None:
                        place[1] = _rect(*place[0])
                    if _rects_meet(place[1], rect):
                        raise Unsupported("a text object repeated over itself")
        self.recent_segments.append(segments)
        self.recent.append(here)
        x0, x1 = (mx, mx + a * end) if a * end >= 0 else (mx + a * end, mx)
        y0, y1 = (my, my + b * end) if b * end >= 0 else (my + b * end, my)
        left, right, low, high = box = (x0 - reach, x1 + reach, y0 - reach, y1 + reach)
        boxes = self.boxes
        bands = range(floor(low / 8), floor(high / 8) + 1)
        for band in bands:
            for other in boxes.get(band, ()):
                if other[0] < right and left < other[1] and other[2] < high and low < other[3]:
                    raise Unsupported("text objects overlapping")
        for band in bands:
            boxes.setdefault(band, []).append(box)

    def _runs(self, shown: _Shown, font, size, a, b, c, d, mx, my, colour) -> None:
        """The characters' boxes as pdftext's PDFium reader works them out (pdfminer's): from the origin
        along the advance, from the font's descent up by the font size."""
        if shown.widthless:
            raise Unsupported("a character without width")
        display = self.display
        descent = font.descent * size / 1000
        text, origins, advances = shown.text, shown.origins, shown.advances
        if display.rotation == 0 and not b and not c and a > 0 and d > 0:   # upright text, page not turned
            x = mx - display.left
            x0s = list(map(x.__add__, origins)) if a == 1.0 else [x + a * at for at in origins]   # 1.0 * at == at
            a_size, d_size = a * size, d * size
            if shown.widths_at != a_size:
                shown.widths_at, shown.widths = a_size, [a_size * adv for adv in advances]
            bottom = display.top - my - d * descent
            self.runs.append(self.new_run((text, x0s, list(map(add, x0s, shown.widths)), bottom - d_size, bottom,
                                           d_size, colour, True)))
            return
        upright = display.upright(a, b, c, d)
        point, Run, append = display.point, self.Run, self.runs.append
        for char, at, adv in zip(text, origins, advances):
            x, y, across, up = mx + a * at, my + b * at, adv * size, descent + size
            x0, top0 = point(x + c * descent, y + d * descent)
            x1, top1 = point(x + a * across + c * up, y + b * across + d * up)
            append(Run(char, [min(x0, x1)], [max(x0, x1)], min(top0, top1), max(top0, top1), abs(top1 - top0),
                       colour, upright))

    OPS = {b"q": op_q, b"Q": op_Q, b"cm": op_cm, b"w": op_w, b"J": op_J, b"gs": op_gs,
           b"cs": op_cs, b"CS": op_CS, b"sc": op_sc, b"scn": op_sc, b"SC": op_SC, b"SCN": op_SC,
           b"g": op_g, b"G": op_G, b"rg": op_rg, b"RG": op_RG, b"k": op_k, b"K": op_K,
           b"m": op_m, b"l": op_l, b"c": op_c, b"v": op_v, b"y": op_y, b"re": op_re, b"h": op_h,
           b"W": op_W, b"W*": op_W, b"S": op_S, b"s": op_s, b"f": op_f, b"F": op_f, b"f*": op_f,
           b"B": op_B, b"B*": op_B, b"b": op_b, b"b*": op_b_star, b"n": op_n,
           b"BT": op_BT, b"Tm": op_Tm, b"Td": op_Td, b"TD": op_TD, b"T*": op_T_star, b"TL": op_TL,
           b"Tc": op_Tc, b"Tw": op_Tw, b"Tz": op_Tz, b"Ts": op_Ts, b"Tr": op_Tr, b"Tf": op_Tf,
           b"Tj": op_Tj, b"'": op_quote, b'"': op_double_quote, b"TJ": op_TJ}


def _rect(end, size, matrix, mx, my, font, mode, line_width) -> tuple:
    """Around a text object as PDFium bounds it (its glyphs' boxes, within the font's FontBBox; half the
    line width more when stroked): (x0, x1, y0, y1) on the page, a point wider each way."""
    a, b, c, d = matrix
    left, bottom, right, top = (v * size / 1000 for v in font.bbox)
    corners = [(x, y) for x in (min(left, 0), end + max(right, 0)) for y in (bottom, top)]
    xs = [mx + a * x + c * y for x, y in corners]
    ys = [my + b * x + d * y for x, y in corners]
    pad = line_width / 2 + 1 if mode in _STROKE_MODES else 1
    return (min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad)


_SCALES: dict = {}


def _scales(matrix: tuple) -> tuple[float, float]:
    """A text matrix's largest coefficient and how far it takes a unit step along the baseline."""
    scales = _SCALES.get(matrix)
    if scales is None:
        if len(_SCALES) > 1000:
            _SCALES.clear()
        a, b, c, d = matrix
        scales = _SCALES[matrix] = (max(abs(a), abs(b), abs(c), abs(d)), (a * a + b * b) ** 0.5)
    return scales


def _rects_meet(r1, r2) -> bool:
    return r1[0] <= r2[1] and r2[0] <= r1[1] and r1[2] <= r2[3] and r2[2] <= r1[3]
