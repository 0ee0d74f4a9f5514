"""What the preview shows and when it is redrawn: a watcher marks the inputs changed, one worker
thread renders the documents that a browser is looking at, a second thread has each new rendering
checked (in a child process), and the browser waits on /api/status (a long poll) for the next
version and fetches the pages whose images changed."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import OrderedDict
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from ..errors import GongfuError
from .check import Checker
from .render import Pdfium, Rendered, render_document

WATCHED_FOR = 15.0          # seconds a document stays wanted after a browser last asked for it
MAX_ENTRIES = 8             # documents kept rendered at once: the least recently wanted is dropped
FIRST_PAGES = (1, 2)        # the pages on screen, before a browser says which (1-based, inclusive)
MAX_ON_SCREEN = 6
IMAGE_CACHE_BYTES = 96 << 20
PAGE_WAIT = 30.0            # seconds a page image request waits for the page to be read


@dataclass
class Entry:
    """The latest result for one document (and period)."""

    version: int = 0                  # changes whenever the browser should redraw
    generation: int = -1              # the inputs generation it was rendered from
    rendered: Rendered | None = None  # the last good rendering (kept while an error shows)
    previous: Rendered | None = None  # the one before: its pages stay on screen while the new are read
    render_id: int = 0                # of `rendered`
    error: str | None = None          # the error of the latest attempt, with its place
    findings: list[str] | None = None  # lint and Word template checks (None: still running)


class Previews:
    def __init__(self, root: Path, default_period: str | None = None):
        self.root = root
        self.default_period = default_period
        self.cond = threading.Condition()
        self.generation = 0
        self.counter = 0
        self.entries: dict[tuple, Entry] = {}
        self.seen: dict[tuple, float] = {}
        self.waiting: dict[tuple, int] = {}   # browsers waiting for a document's next version
        self.viewing: dict[tuple, tuple[int, int]] = {}   # the pages a browser has on screen
        self.busy: tuple | None = None
        self.stopped = False
        self.pdfium = Pdfium()
        self.checker = Checker()
        self.images: OrderedDict[str, bytes] = OrderedDict()   # page digest → PNG, the latest used last
        self.drawing: set[str] = set()                          # digests being drawn
        self.image_bytes = 0

    # ----------------------------------------------------------------- called by the HTTP handler
    def want(self, key: tuple) -> Entry:
        """The entry of a document a browser shows; the worker keeps it up to date. At most MAX_ENTRIES
        are kept (each holds its PDF and pages): a new one drops the one wanted least recently."""
        with self.cond:
            self.seen[key] = time.monotonic()
            entry = self.entries.get(key)
            if entry is None:
                entry = self.entries[key] = Entry()
                self._drop_old()
            if entry.generation < self.generation:
                self.cond.notify_all()
            return entry

    def shown(self, key: tuple) -> Entry:
        """want(), as a copy taken under the lock: a page made from it shows one version (the worker
        thread publishes the next meanwhile)."""
        with self.cond:
            return dataclasses.replace(self.want(key))

    def _drop_old(self) -> None:
        idle = [k for k in self.entries if not self.waiting.get(k) and k != self.busy]
        for key in sorted(idle, key=lambda k: self.seen.get(k, 0))[:max(0, len(self.entries) - MAX_ENTRIES)]:
            del self.entries[key]
            for table in (self.seen, self.waiting, self.viewing):
                table.pop(key, None)

    def status(self, key: tuple, since: str | None = None, timeout: float = 0.0) -> dict:
        """{version, busy, token}; when `since` is the token the browser has, wait (up to timeout)
        until it changes: the browser hears of a new version the moment it is there."""
        deadline = time.monotonic() + timeout
        with self.cond:
            self.want(key)   # and counted as waiting at once: a waited-for entry is never dropped
            self.waiting[key] = self.waiting.get(key, 0) + 1
            try:
                while True:
                    entry = self.entries[key]
                    busy = self._is_busy(key, entry)
                    token = f"{entry.version}{'b' if busy else ''}"
                    left = deadline - time.monotonic()
                    if token != since or left <= 0 or self.stopped:
                        return {"version": entry.version, "busy": busy, "token": token}
                    self.cond.wait(left)
            finally:
                self.waiting[key] -= 1
                self.seen[key] = time.monotonic()

    def view(self, key: tuple, first: int, last: int) -> None:
        """The pages (1-based) a browser shows: after a change they are read first."""
        with self.cond:
            if key in self.entries:
                self.viewing[key] = (first, max(first, last))

    def _is_busy(self, key: tuple, entry: Entry) -> bool:
        return self.busy == key or entry.generation < self.generation \
            or (entry.rendered is not None and entry.error is None and entry.findings is None)

    def page_image(self, key: tuple, digest: str) -> bytes | None:
        """The PNG of the page with this digest, drawn once: from the document's current rendering,
        or the one before (the browser keeps showing its pages until the new ones are read); while
        pages are being read, the one asked for may be among them."""
        deadline = time.monotonic() + PAGE_WAIT
        with self.cond:
            while True:
                if digest in self.images:
                    self.images.move_to_end(digest)
                    return self.images[digest]
                found = None if digest in self.drawing else self._page_source(key, digest)
                left = deadline - time.monotonic()
                if found or left <= 0 or self.stopped or (self.busy != key and digest not in self.drawing):
                    break
                self.cond.wait(left)
            if found is None:
                return None
            self.drawing.add(digest)
        return self._draw(digest, *found)

    def _draw(self, digest: str, pdf: bytes, index: int) -> bytes:
        """Draw a page (its digest in self.drawing, added by the caller) and keep its image."""
        png = None
        try:
            png = self.pdfium.png(pdf, index)
        finally:
            with self.cond:
                self.drawing.discard(digest)
                if png is not None and digest not in self.images:
                    self.images[digest] = png
                    self.image_bytes += len(png)
                while self.image_bytes > IMAGE_CACHE_BYTES and len(self.images) > 1:
                    self.image_bytes -= len(self.images.popitem(last=False)[1])
                self.cond.notify_all()
        return png

    def _page_source(self, key: tuple, digest: str) -> tuple[bytes, int] | None:
        entry = self.entries.get(key)
        for rendered in (entry.rendered, entry.previous) if entry else ():
            for index, page in enumerate(rendered.pages if rendered else ()):
                if page is not None and page.digest == digest:
                    return rendered.pdf, index
        return None

    def changed(self) -> None:
        """An input file was saved."""
        with self.cond:
            self.generation += 1
            self.cond.notify_all()

    def stop(self) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify_all()
        self.checker.stop()

    # ------------------------------------------------------------------------------ the worker
    def _wanted(self, key: tuple, now: float) -> bool:
        return self.waiting.get(key, 0) > 0 or now - self.seen.get(key, 0) < WATCHED_FOR

    def _next(self) -> tuple | None:
        """The most recently wanted document that is out of date."""
        now = time.monotonic()
        stale = [k for k, e in self.entries.items() if e.generation < self.generation and self._wanted(k, now)]
        return max(stale, key=lambda k: self.seen[k]) if stale else None

    def run_worker(self) -> None:
        while True:
            with self.cond:
                key = self._next()
                while key is None and not self.stopped:
                    self.cond.wait(timeout=1.0)
                    key = self._next()
                if self.stopped:
                    return
                generation = self.generation
                self.busy = key
                self.cond.notify_all()
            rendered, error = None, None
            try:
                rendered = render_document(self.root, key[0], key[1] or self.default_period, self.pdfium)
            except GongfuError as exc:
                error = str(exc)
            except Exception as exc:   # noqa: BLE001 - the preview must survive anything a file can cause
                error = f"生成时出错（{type(exc).__name__}）：{exc}"
            if rendered is None:
                self._publish(key, generation, None, error)
            else:
                self._read_pages(key, generation, rendered)

    def _read_pages(self, key: tuple, generation: int, rendered: Rendered) -> None:
        """Read the pages, those on screen first; the browser is told as soon as those are read (the
        others keep their old images meanwhile), and again when all are."""
        count = len(rendered.pages)
        with self.cond:
            first, last = self.viewing.get(key, FIRST_PAGES)
        start = max(first - 1, 0)   # 0-based: the pages on screen and the one below, a few at most
        on_screen = list(range(start, min(last + 1, start + MAX_ON_SCREEN, count))) or [0]
        order = on_screen + [i for i in range(count) if i not in on_screen]
        try:
            with closing(self.pdfium.pages(rendered.pdf, order)) as pages:
                for n, (index, page) in enumerate(pages, 1):
                    rendered.pages[index] = page
                    if n == len(on_screen):
                        if n < count:
                            self._publish(key, generation, rendered, None, busy=True)
                        self._draw_ahead(rendered, on_screen)
                    if n >= len(on_screen) and self.generation != generation:
                        return   # saved again: the next rendering comes first
        except Exception as exc:   # noqa: BLE001 - PDFium refusing the PDF the renderer made
            self._publish(key, generation, None, f"无法读取生成的 PDF（{type(exc).__name__}）：{exc}")
            return
        self._publish(key, generation, rendered, None)

    def _draw_ahead(self, rendered: Rendered, indexes: list[int]) -> None:
        """Draw the pages on screen while the browser fetches the new content (it asks for them next)."""
        for index in indexes:
            digest = rendered.pages[index].digest
            with self.cond:
                if digest in self.images or digest in self.drawing:
                    continue
                self.drawing.add(digest)
            self._draw(digest, rendered.pdf, index)

    def _publish(self, key: tuple, generation: int, rendered: Rendered | None, error: str | None,
                 busy: bool = False) -> None:
        with self.cond:
            entry = self.entries[key]
            self.counter += 1
            entry.version, entry.generation, entry.error = self.counter, generation, error
            if rendered is not None and entry.rendered is not rendered:
                entry.previous, entry.rendered, entry.render_id, entry.findings = \
                    entry.rendered, rendered, self.counter, None
            self.busy = key if busy else None
            self.cond.notify_all()

    # ------------------------------------------------------------------------------- the check
    def _unchecked(self) -> tuple[Entry, Rendered] | None:
        """The newest rendering still to check, of a document still wanted, whose inputs did not change."""
        now = time.monotonic()
        todo = [(self.seen.get(k, 0), e) for k, e in self.entries.items()
                if e.rendered is not None and e.findings is None and e.error is None
                and e.generation == self.generation and self._wanted(k, now)]
        if not todo:
            return None
        entry = max(todo, key=lambda t: t[0])[1]
        return entry, entry.rendered

    def run_checks(self) -> None:
        """Second step, after the pages are on screen: lint and the Word output, in the child process."""
        self.checker.start()   # now: its imports overlap the first rendering
        while True:
            with self.cond:
                job = self._unchecked()
                while job is None and not self.stopped:
                    self.cond.wait(timeout=1.0)
                    job = self._unchecked()
                if self.stopped:
                    return
            entry, rendered = job
            config, view = rendered.source
            try:
                findings = self.checker.check(config, view, rendered.pdf)
            except Exception as exc:   # noqa: BLE001 - e.g. a view that cannot be sent to the child
                findings = [f"检查时出错（{type(exc).__name__}）：{exc}"]
            with self.cond:
                if entry.rendered is rendered:
                    self.counter += 1
                    entry.findings, entry.version = findings, self.counter
                    self.cond.notify_all()
