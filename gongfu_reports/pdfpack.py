"""A PDF's objects that are not streams packed into compressed object streams (PDF 1.5, ISO 32000-1
7.5.7), with a cross-reference stream (7.5.8) in place of the table. Typst writes every element of a
tagged PDF's structure tree as an object of its own, uncompressed: a quarter of the 工作要点's PDF
(0.28 MB of 1.06 MB), which compresses to 25 KB. WeasyPrint (the HTML engine) packs its objects itself.

The objects are copied as they are written (their bytes, numbers and generations unchanged), streams
in place; only where they are changes. A file this does not expect (not one classic cross-reference
table, objects already packed, an object of another generation) is returned unchanged: packing is an
optimisation, never a reason for a build to fail.

pikepdf (qpdf) packs as well, and more generally; measured on the example it made the default build 9 %
slower, this copy ~2 % (docs/performance.md, "PDF size")."""

from __future__ import annotations

import re
import zlib

from . import pdfread

PER_STREAM = 200                      # objects per object stream (qpdf packs 100)
_WHITE = rb"[\x00\t\n\x0c\r ]*"
_ENDSTREAM = re.compile(_WHITE + rb"endstream" + _WHITE + rb"endobj")
_STARTXREF = re.compile(rb"startxref" + _WHITE + rb"(\d+)" + _WHITE + rb"%%EOF" + _WHITE + rb"$")


def pack(data: bytes) -> bytes:
    """The PDF with its objects that are not streams in compressed object streams (data itself where
    the file is not as expected)."""
    try:
        return _pack(data)
    except Exception:   # noqa: BLE001 - Unsupported, or a file pdfread did not foresee (as pdftext does): as it was
        return data


def _pack(data: bytes) -> bytes:
    version = re.match(rb"%PDF-(\d)\.(\d)", data)
    if version is None or (int(version[1]), int(version[2])) < (1, 5):
        raise pdfread.Unsupported("a PDF version without object streams")
    doc = pdfread.Document(data)
    table = _STARTXREF.search(data)
    if table is None or not data.startswith(b"xref", int(table[1])) or "Prev" in doc.trailer:
        raise pdfread.Unsupported("not one cross-reference table")
    if any(len(where) != 1 for where in doc.xref.values() if where):
        raise pdfread.Unsupported("objects already packed")
    placed = sorted((where[0], number) for number, where in doc.xref.items() if where)
    if not placed:
        raise pdfread.Unsupported("no objects")
    bounds = [offset for offset, _ in placed[1:]] + [int(table[1])]   # where each object's bytes end at the latest
    out = bytearray(data[:placed[0][0]])                              # the header and its binary comment
    offsets: dict[int, int] = {}
    small: list[tuple[int, bytes]] = []
    for (offset, number), bound in zip(placed, bounds):
        head = pdfread.OBJECT_HEAD.match(data, offset)
        if head is None or int(head[1]) != number or int(head[2]) != 0:
            raise pdfread.Unsupported("an object not where the table says, or of another generation")
        close = data.rfind(b"endobj", head.end(), bound)
        if close < 0:
            raise pdfread.Unsupported("no endobj")
        stream = None
        if data.rfind(b"endstream", head.end(), close) >= 0:    # a stream, or text that spells endstream
            value, after = pdfread.parse(data, head.end())
            stream = pdfread.STREAM_HEAD.match(data, after) if isinstance(value, dict) else None
        if stream is None:                                       # not a stream: its value as written
            small.append((number, data[head.end():close].strip(b"\x00\t\n\x0c\r ")))
            continue
        length = doc.get(value.get("Length"))
        finish = _ENDSTREAM.match(data, stream.end() + length) if isinstance(length, int) else None
        if finish is None or finish.end() != close + len(b"endobj"):
            raise pdfread.Unsupported("a stream not as its length says")
        offsets[number] = len(out)
        out += data[offset:finish.end()] + b"\n"
    size = max(doc.xref) + 1
    packed: dict[int, tuple[int, int]] = {}
    for first in range(0, len(small), PER_STREAM):
        chunk, number = small[first:first + PER_STREAM], size
        size += 1
        head, body = [], bytearray()
        for index, (member, value) in enumerate(chunk):
            head.append(b"%d %d" % (member, len(body)))
            body += value + b"\n"
            packed[member] = (number, index)
        head_bytes = b" ".join(head) + b"\n"
        offsets[number] = len(out)
        out += _stream_object(number, b"/Type/ObjStm/N %d/First %d" % (len(chunk), len(head_bytes)),
                              head_bytes + bytes(body))
    xref_number, size = size, size + 1
    offsets[xref_number] = len(out)
    rows = bytearray()
    for number in range(size):
        if number in offsets:
            rows += b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00"
        elif number in packed:
            stream_number, index = packed[number]
            rows += b"\x02" + stream_number.to_bytes(4, "big") + index.to_bytes(2, "big")
        else:
            rows += b"\x00\x00\x00\x00\x00\xff\xff"
    trailer = b"".join(b"/%s %s" % (key.encode(), _value(doc.trailer[key]))
                       for key in ("Root", "Info", "ID") if key in doc.trailer)
    out += _stream_object(xref_number, b"/Type/XRef/Size %d/W[1 4 2]%s" % (size, trailer), bytes(rows))
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)


def _stream_object(number: int, entries: bytes, content: bytes) -> bytes:
    compressed = zlib.compress(content)   # level 6, as Typst's own streams
    return (b"%d 0 obj\n<<%s/Filter/FlateDecode/Length %d>>\nstream\n" % (number, entries, len(compressed))
            + compressed + b"\nendstream\nendobj\n")


def _value(value) -> bytes:
    """A trailer entry written again: a reference, or the file identifier (an array of two strings)."""
    if isinstance(value, pdfread.Ref):
        return b"%d %d R" % tuple(value)
    if isinstance(value, list) and all(isinstance(v, bytes) for v in value):
        return b"[" + b"".join(b"<%s>" % v.hex().encode() for v in value) + b"]"
    raise pdfread.Unsupported("a trailer entry other than a reference or the identifier")
