"""Worker processes: they end with the process that started them, and untrusted work (WeasyPrint's
layout of a template's HTML, the checks of a file from elsewhere) runs in one whose CPU time and data
memory are limited for each call (`bounded`); one that the system stopped at a limit is told apart
from one that failed (`Stopped.reason`). A bounded worker's temporary files go to a folder its starter
makes (`scratch_folder`) and removes, even when the worker was killed (WeasyPrint copies the fonts into
a temporary folder of 25 MB that only a worker ending normally removes)."""

from __future__ import annotations

import atexit
import os
import resource
import shutil
import signal
import tempfile
import threading
import time

from .typst_child import exit_reason, status_bytes


class Stopped(Exception):
    """A bounded call went past a limit: reason "cpu", "wall", "memory" or "exit <code>"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def end_with_parent(scratch: str | None = None) -> None:
    """Call at a worker's start. A pool's worker waits on a queue whose both ends it holds itself: when
    the process that started it is killed outright (kill -9, the OOM killer), it would wait for ever,
    holding its memory. A thread ends it once it has another parent, and removes the workers' temporary
    folder (`scratch`) that the parent can no longer remove."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        if scratch is not None:
            remove_scratch(scratch)
        os._exit(1)

    threading.Thread(target=watch, name="gongfu-parent-watch", daemon=True).start()


# ---------------------------------------------------------------------------------------------
# Bounded calls.

_bounded_here = False   # this process is a bounded worker: it sets its own limits for each call
WALL_FACTOR = 4         # the wall clock of a call in the kept worker: this many times its CPU time


def scratch_folder() -> str:
    """A temporary folder for the bounded workers about to be started; whoever starts them removes it
    (`remove_scratch`) once they have ended, however they ended."""
    return tempfile.mkdtemp(prefix="gongfu-workers-")


def remove_scratch(scratch: str) -> None:
    shutil.rmtree(scratch, ignore_errors=True)


def bounded_start(scratch: str) -> None:
    """Start of a process that runs bounded calls (a pool's initializer): past its CPU time the process
    ends (SIGXCPU: an exception raised there would not do, WeasyPrint catches everything while it draws
    an SVG picture and goes on with the picture cut short); no core dumps; its temporary files in
    `scratch` (a killed worker removes none of them); it ends with its parent."""
    global _bounded_here
    _bounded_here = True
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    tempfile.tempdir = scratch
    end_with_parent(scratch)


def bounded(seconds: float, memory_mb: int, fn, *args):
    """fn(*args) with at most `seconds` of CPU time and `memory_mb` more data memory: here when this
    process is a bounded worker (a build's pool), else in the worker kept for this process, which the
    wall clock (WALL_FACTOR × seconds) also stops. Raises Stopped past a limit."""
    if _bounded_here:
        return _within_limits(seconds, memory_mb, fn, *args)
    return _in_kept_worker(seconds, memory_mb, fn, *args)


def _within_limits(seconds: float, memory_mb: int, fn, *args):
    """fn(*args) in this process with its limits on top of what the process used so far; afterwards the
    limits as they were, and the memory a large call took given back to the system."""
    usage, rss = resource.getrusage(resource.RUSAGE_SELF), status_bytes("VmRSS:")
    limits = {resource.RLIMIT_CPU: int(usage.ru_utime + usage.ru_stime + seconds) + 1,
              resource.RLIMIT_DATA: status_bytes("VmData:") + memory_mb * 1024 * 1024}
    before = {which: resource.getrlimit(which) for which in limits}
    try:
        try:
            for which, soft in limits.items():
                hard = before[which][1]
                resource.setrlimit(which, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
            return fn(*args)
        finally:   # before anything else: what follows needs memory too
            for which, limit in before.items():
                resource.setrlimit(which, limit)
    except MemoryError:
        raise Stopped("memory") from None
    finally:
        if status_bytes("VmRSS:") > rss + 50 * 1024 * 1024:
            give_back_memory()


def give_back_memory() -> None:
    """After a large piece of work (WeasyPrint keeps every page until the file is written): the freed
    memory back to the system, so that the process does not keep its largest document's peak."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)   # glibc: release free heap pages
    except (OSError, AttributeError):
        pass


_worker: tuple[object, int, str] | None = None   # the kept worker: (its executor, the process that started it, its scratch folder)
_worker_lock = threading.Lock()              # one call at a time: the wall clock is its own


def _in_kept_worker(seconds: float, memory_mb: int, fn, *args):
    from concurrent.futures import TimeoutError as WallClock
    from concurrent.futures.process import BrokenProcessPool

    global _worker
    with _worker_lock:
        if _worker is None or _worker[1] != os.getpid():   # none yet, or inherited through fork
            scratch = scratch_folder()
            _worker = (_start_worker(scratch), os.getpid(), scratch)
        try:
            return _worker[0].submit(_within_limits, seconds, memory_mb, fn, *args).result(timeout=WALL_FACTOR * seconds)
        except WallClock:
            _stop_worker()
            raise Stopped("wall") from None
        except BrokenProcessPool:
            reason = ended_worker(_worker[0])
            _stop_worker()
            raise Stopped(reason) from None
        except KeyboardInterrupt:   # the call is not waited for
            _stop_worker()
            raise


def _start_worker(scratch: str):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_kept_worker,
                               initargs=(scratch,))


def _kept_worker(scratch: str) -> None:
    """Start of the kept worker: bounded, and with the cycle collector of the process it serves
    (the `gongfu` command's: 10-15 % less time for the example's serial build than Python's defaults)."""
    from ..gc_settings import fewer_collections

    bounded_start(scratch)
    fewer_collections()


def _stop_worker(kill: bool = True) -> None:
    """End the kept worker (killed: what it does is dropped) and remove its temporary folder; the next
    call starts a new one."""
    global _worker
    if _worker is None:
        return
    (executor, _, scratch), _worker = _worker, None
    if kill:
        for process in list((executor._processes or {}).values()):   # noqa: SLF001 (no public kill before 3.14)
            process.kill()
    executor.shutdown(wait=True, cancel_futures=True)
    remove_scratch(scratch)


def release_kept_worker() -> None:
    """End this process's kept worker, if it has one, when nothing here needs it any more (the preview
    switched from the HTML engine back to Typst): its memory (~200 MB) and its temporary folder go."""
    with _worker_lock:
        _close_worker()


@atexit.register
def _close_worker() -> None:
    if _worker is not None and _worker[1] == os.getpid():   # not one inherited through fork
        _stop_worker(kill=False)


# ---------------------------------------------------------------------------------------------
# Why a worker ended.

def ended_worker(executor) -> str:
    """Why a worker of a broken process pool ended (typst_child.exit_reason of its exit code; the pool
    itself then ends the other workers with SIGTERM)."""
    processes = list((executor._processes or {}).values())   # noqa: SLF001 (the pool keeps no other record)
    deadline = time.monotonic() + 5
    # The pool's own thread collects the exit codes: until it has, a process reads as still running.
    while any(p.exitcode is None for p in processes) and time.monotonic() < deadline:
        time.sleep(0.01)
    codes = [p.exitcode for p in processes]
    return exit_reason(next((code for code in codes if code not in (None, 0, -signal.SIGTERM)), None))
