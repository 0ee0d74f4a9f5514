"""What `gongfu build` would report besides the PDF, for the preview: GB/T 9704 findings on the PDF and
on the Word output, and errors of the Word template (the preview shows the PDF only).

It runs in a child process of its own: it takes seconds (the lint reads every character), and in the
preview's process it would hold the interpreter while the pages of the next change are rendered and
drawn, and use PDFium from a second thread. One child, started with the server, kept for the session;
it ends with the server (and by itself if the server is killed: its end of the pipe closes)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading

from ..errors import GongfuError


def check_outputs(config, view, pdf: bytes) -> list[str]:
    """The findings, in this process (the child calls it)."""
    from ..lint import lint_bytes
    from ..render.registry import renderer_for

    findings = [f"PDF：{finding}" for finding in lint_bytes(pdf, "pdf")]
    try:
        docx = renderer_for("docx", config).render(view, config)
        findings += [f"Word：{finding}" for finding in lint_bytes(docx, "docx")]
    except GongfuError as exc:
        findings.append(f"Word：{exc}")
    return findings


def _child(connection) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl+C is the server's to handle
    try:
        os.nice(10)   # background work: the server's rendering and the browser come first
    except (AttributeError, OSError):
        pass
    from .. import lint  # noqa: F401 - imported now, while the server renders its first pages
    from ..render import docx  # noqa: F401

    while True:
        try:
            config, view, pdf = connection.recv()
        except (EOFError, OSError):   # the server has gone
            return
        try:
            reply = ("ok", check_outputs(config, view, pdf))
        except Exception as exc:   # noqa: BLE001 - reported in the page, the child carries on
            reply = ("error", f"{type(exc).__name__}：{exc}")
        connection.send(reply)


class Checker:
    """The child process, asked one check at a time (check() blocks the thread that asks)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process = None
        self.connection = None

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")   # nothing inherited: no locks, threads, PDFium state
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_child, args=(child_end,), name="gongfu-preview-check", daemon=True)
        self.process.start()
        child_end.close()

    def check(self, config, view, pdf: bytes) -> list[str]:
        with self.lock:
            if self.process is None or not self.process.is_alive():
                self.stop()
                self.start()
            connection = self.connection
            try:
                connection.send((config, view, pdf))
                status, value = connection.recv()
            except (EOFError, OSError) as exc:   # the child died (memory, a crash): a new one next time
                self.stop()
                return [f"检查时出错：检查进程意外退出（{type(exc).__name__}）"]
        return value if status == "ok" else [f"检查时出错（{value}）"]

    def stop(self) -> None:
        if self.connection is not None:
            self.connection.close()
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.process = self.connection = None
