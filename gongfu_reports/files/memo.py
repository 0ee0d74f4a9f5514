"""Data files parsed once per content in a process. Every document of a build reads units.yaml, the
责任分解's documents read key-tasks.yaml, the notice and its attachments read indicators.xlsx; the
preview server reads the unchanged files again at every save. A later read of the same content gets a
fresh copy of what the first parse gave (pickled: callers may change what they get, as load_tasks fills
merged cells down) and the punctuation notes that parse took (files/punctuation.py), as if it had
read the file itself. Keyed by the content, never by a name or a time: an edited file is parsed again.
Only what parsed without an error is kept; errors are raised again by parsing again."""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .archive import MAX_FILE_BYTES
from .punctuation import captured, resend

KEPT_BYTES = 64 * 1024 * 1024    # pickled parses kept, the least recently read dropped first

T = TypeVar("T")
_kept: OrderedDict[tuple, tuple[bytes, tuple]] = OrderedDict()
_kept_bytes = 0
_lock = threading.Lock()   # the preview server composes on more than one thread


def parsed(key: tuple, parse: Callable[[], T], still_valid: Callable[[], bool] | None = None) -> T:
    """What parse() gives for the content that key names (its digest and whatever else the result
    depends on: the file's label for the places, a sheet): parsed now, or a copy of the first parse.
    still_valid: asked after a parse, whether what it read is still what key names (else not kept)."""
    found = _copy(key)
    if found:
        return found[0]
    with captured() as notes:
        value = parse()
    if still_valid is None or still_valid():
        _keep(key, value, notes)
    return value


def parsed_file(path: Path, key: tuple, parse: Callable[[], T]) -> T:
    """parsed() for a parser that reads the file at path itself (openpyxl): the key gets the digest of
    the file's bytes, read before and after the parse; a file that changed meanwhile is not kept."""
    before = _file_digest(path)
    if before is None:
        return parse()   # missing, unreadable or too large: the parser says so
    return parsed((before, *key), parse, lambda: _file_digest(path) == before)


def _copy(key: tuple) -> tuple | None:
    """(a copy of the kept parse,) with its notes handed on, or None."""
    with _lock:
        hit = _kept.get(key)
        if hit is None:
            return None
        _kept.move_to_end(key)
    blob, notes = hit
    resend(notes)
    return (pickle.loads(blob),)  # noqa: S301 - bytes this process pickled itself, never read from outside


def text_digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _file_digest(path: Path) -> bytes | None:
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:   # no FIFO: opening one would wait
            return None
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").digest()
    except OSError:
        return None


def _keep(key: tuple, value, notes: list) -> None:
    global _kept_bytes
    try:
        blob = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return   # not kept: read again next time, as before
    if len(blob) > KEPT_BYTES:
        return
    with _lock:
        if key in _kept:
            return
        _kept[key] = (blob, tuple(notes))
        _kept_bytes += len(blob)
        while _kept_bytes > KEPT_BYTES:
            _, (dropped, _) = _kept.popitem(last=False)
            _kept_bytes -= len(dropped)
