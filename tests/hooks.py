"""Run `gongfu` with a test hook, so that tests about concurrency and crashes depend on events, never
on timing (the CI machine is loaded):

    python hooks.py hold-lock READY GO gongfu-arguments…
        once the command holds the working folder's lock, create the file READY, then wait until the
        file GO exists before doing its work (another command can be tried meanwhile);
    python hooks.py kill-before-moves gongfu-arguments…
        a build is killed (SIGKILL) once every output is rendered into its staging folder, before
        anything in build/ changes;
    python hooks.py kill-after-first-move gongfu-arguments…
        a build is killed right after its first output is moved into build/, before the next one is
        (one output new, the others not yet);
    python hooks.py kill-before-manifest gongfu-arguments…
        a build is killed (SIGKILL) after it has moved its outputs into build/ and before it writes
        the manifest that records them;
    python hooks.py kill-saving after-version|before-replace FILE gongfu-arguments…
        a collect is killed while it saves FILE (progress/store.py save_progress): right after the
        copy of the current FILE is kept in versions/, or just before the os.replace that puts the
        new FILE in place;
    python hooks.py kill-with-workers PIDFILE gongfu-arguments…
        a build is killed (SIGKILL) once a worker process is at work (a check worker with the Typst
        engine, a WeasyPrint worker with the HTML engine), after writing the workers' process ids to PIDFILE;
    python hooks.py kill-check-worker gongfu-arguments…
        a build's check worker is killed (SIGKILL, as the kernel's OOM killer does) once it has started;
        the build goes on;
    python hooks.py terminal gongfu-arguments…
        Ctrl+C (SIGINT) as in a terminal, whatever ran the tests: a shell that runs them in the
        background starts its commands with SIGINT ignored, and a Python started so never raises
        KeyboardInterrupt.

The hooks wrap gongfu's own functions (publish.build_lock, Publisher.commit, Publisher._write_manifest,
store.keep_version, Scheduler.prepare, workers._start_worker) or the os.replace that publish.py and
store.py call; everything else runs as it is.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import signal
import sys
import tempfile
import time
from pathlib import Path

from gongfu_reports import publish
from gongfu_reports.progress import store

WAIT_LIMIT_S = 600   # a test that died never leaves the process waiting for ever


def hold_lock(ready: Path, go: Path) -> None:
    real = publish.build_lock

    @contextlib.contextmanager
    def held(build_dir):
        with real(build_dir):
            ready.touch()
            deadline = time.monotonic() + WAIT_LIMIT_S
            while not go.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            yield

    publish.build_lock = held


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class _OsWith:
    """The os module as one module sees it, with some functions replaced (the rest of the process
    keeps the real ones)."""

    def __init__(self, **replaced):
        self.__dict__.update(replaced)

    def __getattr__(self, name):
        return getattr(os, name)


def kill_before_moves() -> None:
    def commit(self):
        if self.staged:
            die()
        raise AssertionError("kill-before-moves: nothing was staged")

    publish.Publisher.commit = commit


def kill_after_first_move() -> None:
    def replace(src, dst, **kwargs):
        os.replace(src, dst, **kwargs)
        if any(part.startswith(".staging-") for part in Path(src).parts):   # an output, not the manifest
            die()

    publish.os = _OsWith(replace=replace)


def kill_before_manifest() -> None:
    real = publish.Publisher._write_manifest

    def write(self, manifest):
        if manifest is self.manifest:   # the final write, after the moves (the first one drops entries)
            die()
        real(self, manifest)

    publish.Publisher._write_manifest = write


def kill_with_workers(pid_file: Path) -> None:
    from gongfu_reports.build import scheduler
    from gongfu_reports.render import workers

    def record_and_die(executor, work=int) -> None:
        executor.submit(work).result()   # a worker has started (its start function has run) and works
        pid_file.write_text(" ".join(str(pid) for pid in executor._processes), encoding="ascii")
        die()

    real_prepare, real_start = scheduler.Scheduler.prepare, workers._start_worker

    def prepare(self, renderers):
        real_prepare(self, renderers)
        if self.checkers is not None:
            record_and_die(self.checkers)

    def start_worker(scratch):
        record_and_die(real_start(scratch), tempfile.mkdtemp)   # as WeasyPrint's fonts: a temporary folder

    scheduler.Scheduler.prepare = prepare
    workers._start_worker = start_worker


def kill_check_worker() -> None:
    from gongfu_reports.build import scheduler

    real_prepare = scheduler.Scheduler.prepare

    def prepare(self, renderers):
        started = self.checkers is not None
        real_prepare(self, renderers)
        if self.checkers is not None and not started:
            os.kill(self.checkers.submit(os.getpid).result(), signal.SIGKILL)

    scheduler.Scheduler.prepare = prepare


def kill_saving(point: str, file: Path) -> None:
    target = file.resolve()
    if point == "after-version":
        real = store.keep_version

        def keep(path):
            version = real(path)
            if Path(path).resolve() == target:
                die()
            return version

        store.keep_version = keep
    elif point == "before-replace":
        def replace(src, dst, **kwargs):
            if Path(dst).resolve() == target:
                die()
            os.replace(src, dst, **kwargs)

        store.os = _OsWith(replace=replace)
    else:
        raise SystemExit(f"unknown point {point}")


if __name__ == "__main__":
    hook, args = sys.argv[1], sys.argv[2:]
    if hook == "hold-lock":
        hold_lock(Path(args[0]), Path(args[1]))
        args = args[2:]
    elif hook == "kill-before-moves":
        kill_before_moves()
    elif hook == "kill-after-first-move":
        kill_after_first_move()
    elif hook == "kill-before-manifest":
        kill_before_manifest()
    elif hook == "kill-with-workers":
        kill_with_workers(Path(args[0]))
        args = args[1:]
    elif hook == "kill-check-worker":
        kill_check_worker()
    elif hook == "kill-saving":
        kill_saving(args[0], Path(args[1]))
        args = args[2:]
    elif hook == "terminal":
        signal.signal(signal.SIGINT, signal.default_int_handler)
    else:
        raise SystemExit(f"unknown hook {hook}")
    sys.argv = ["gongfu", *args]
    runpy.run_module("gongfu_reports", run_name="__main__", alter_sys=True)
