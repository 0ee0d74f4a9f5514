"""Worker processes (multiprocessing "spawn" pools: WeasyPrint's, the checks'): they end with the
process that started them, and a worker that the system stopped is told apart from one that failed."""

from __future__ import annotations

import os
import signal
import threading
import time


def end_with_parent() -> None:
    """Call at a worker's start. A pool's worker waits on a queue whose both ends it holds itself: when
    the process that started it is killed outright (kill -9, the OOM killer), it would wait for ever,
    holding its memory. A thread ends it once it has another parent."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="gongfu-parent-watch", daemon=True).start()


def ended_worker(executor) -> str:
    """Why a worker of a broken process pool ended (typst_child.exit_reason of its exit code; the pool
    itself then ends the other workers with SIGTERM)."""
    from .render.typst_child import exit_reason

    processes = list((executor._processes or {}).values())   # noqa: SLF001 (the pool keeps no other record)
    deadline = time.monotonic() + 5
    # The pool's own thread collects the exit codes: until it has, a process reads as still running.
    while any(p.exitcode is None for p in processes) and time.monotonic() < deadline:
        time.sleep(0.01)
    codes = [p.exitcode for p in processes]
    return exit_reason(next((code for code in codes if code not in (None, 0, -signal.SIGTERM)), None))
