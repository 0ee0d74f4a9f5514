"""Worker processes (multiprocessing "spawn" pools: WeasyPrint's, the checks'; the Typst child): they end
with the process that started them, and one that the system stopped at a limit is told apart from one
that failed."""

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


def exit_reason(code: int | None) -> str:
    """Why a process that renders within OS limits ended (its exit code): "cpu" (past its CPU time:
    SIGXCPU), "memory" (an allocation failed and the library aborted, or the kernel's OOM killer:
    SIGKILL) or "exit <code>"."""
    if code == -signal.SIGXCPU:
        return "cpu"
    return "memory" if code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL) else f"exit {code}"


def ended_worker(executor) -> str:
    """Why a worker of a broken process pool ended (exit_reason of its exit code; the pool itself then
    ends the other workers with SIGTERM)."""
    processes = list((executor._processes or {}).values())   # noqa: SLF001 (the pool keeps no other record)
    deadline = time.monotonic() + 5
    # The pool's own thread collects the exit codes: until it has, a process reads as still running.
    while any(p.exitcode is None for p in processes) and time.monotonic() < deadline:
        time.sleep(0.01)
    codes = [p.exitcode for p in processes]
    return exit_reason(next((code for code in codes if code not in (None, 0, -signal.SIGTERM)), None))
