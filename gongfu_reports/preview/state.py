"""What the preview shows and when it is redrawn: a watcher marks the inputs changed, one worker
thread renders the documents that a browser is looking at, and the browser asks for the version
every second (polling) and fetches the new pages when it changed."""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GongfuError
from .render import Rendered, check_outputs, render_document

WATCHED_FOR = 15.0   # seconds a document stays wanted after a browser last asked for it


@dataclass
class Entry:
    """The latest result for one document (and period)."""

    version: int = 0                  # changes whenever the browser should redraw
    generation: int = -1              # the inputs generation it was rendered from
    rendered: Rendered | None = None  # the last good rendering (kept while an error shows)
    render_id: int = 0                # of `rendered`: page image addresses carry it
    error: str | None = None          # the error of the latest attempt, with its place
    findings: list[str] | None = None  # lint and Word template checks (None: still running)
    pngs: dict[int, bytes] = field(default_factory=dict)


class Previews:
    def __init__(self, root: Path, default_period: str | None = None):
        self.root = root
        self.default_period = default_period
        self.cond = threading.Condition()
        self.generation = 0
        self.counter = 0
        self.entries: dict[tuple, Entry] = {}
        self.seen: dict[tuple, float] = {}
        self.busy: tuple | None = None
        self.stopped = False

    # ----------------------------------------------------------------- called by the HTTP handler
    def want(self, key: tuple) -> Entry:
        """The entry of a document a browser shows; the worker keeps it up to date."""
        with self.cond:
            self.seen[key] = time.monotonic()
            entry = self.entries.setdefault(key, Entry())
            if entry.generation < self.generation:
                self.cond.notify_all()
            return entry

    def is_busy(self, key: tuple) -> bool:
        with self.cond:
            entry = self.entries.get(key)
            return self.busy == key or entry is None or entry.generation < self.generation \
                or (entry.rendered is not None and entry.error is None and entry.findings is None)

    def changed(self) -> None:
        """An input file was saved."""
        with self.cond:
            self.generation += 1
            self.cond.notify_all()

    def stop(self) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify_all()

    # ------------------------------------------------------------------------------ the worker
    def _next(self) -> tuple | None:
        """The most recently wanted document that is out of date."""
        now = time.monotonic()
        stale = [k for k, e in self.entries.items()
                 if e.generation < self.generation and now - self.seen.get(k, 0) < WATCHED_FOR]
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
            rendered, error = None, None
            try:
                rendered = render_document(self.root, key[0], key[1] or self.default_period)
            except GongfuError as exc:
                error = str(exc)
            except Exception as exc:   # noqa: BLE001 - the preview must survive anything a file can cause
                error = f"生成时出错（{type(exc).__name__}）：{exc}\n\n{traceback.format_exc(limit=6)}"
            with self.cond:
                entry = self.entries[key]
                self.counter += 1
                entry.version, entry.generation, entry.error = self.counter, generation, error
                if rendered is not None:
                    entry.rendered, entry.render_id, entry.pngs, entry.findings = rendered, self.counter, {}, None
                self.busy = None
            if rendered is not None:
                self._check(entry, rendered, generation)

    def _check(self, entry: Entry, rendered: Rendered, generation: int) -> None:
        """Second step, after the pages are on screen: lint and the Word template; given up when an
        input changes meanwhile (the next rendering comes first)."""
        try:
            findings = check_outputs(rendered, lambda: self.generation == generation)
        except Exception as exc:   # noqa: BLE001
            findings = [f"检查时出错（{type(exc).__name__}）：{exc}"]
        with self.cond:
            if findings is not None and entry.rendered is rendered:
                self.counter += 1
                entry.findings, entry.version = findings, self.counter
