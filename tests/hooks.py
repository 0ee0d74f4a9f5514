"""Run `gongfu` with a test hook, so that tests about concurrency and crashes depend on events, never
on timing (the CI machine is loaded):

    python hooks.py hold-lock READY GO gongfu-arguments…
        once the command holds the working folder's lock, create the file READY, then wait until the
        file GO exists before doing its work (another command can be tried meanwhile);
    python hooks.py kill-before-manifest gongfu-arguments…
        a build is killed (SIGKILL) after it has moved its outputs into build/ and before it writes
        the manifest that records them;
    python hooks.py terminal gongfu-arguments…
        Ctrl+C (SIGINT) as in a terminal, whatever ran the tests: a shell that runs them in the
        background starts its commands with SIGINT ignored, and a Python started so never raises
        KeyboardInterrupt.

The hooks wrap gongfu's own functions (publish.build_lock, Publisher._write_manifest); everything
else runs as it is.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import signal
import sys
import time
from pathlib import Path

from gongfu_reports import publish

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


def kill_before_manifest() -> None:
    real = publish.Publisher._write_manifest

    def write(self, manifest):
        if manifest is self.manifest:   # the final write, after the moves (the first one drops entries)
            os.kill(os.getpid(), signal.SIGKILL)
        real(self, manifest)

    publish.Publisher._write_manifest = write


if __name__ == "__main__":
    hook, args = sys.argv[1], sys.argv[2:]
    if hook == "hold-lock":
        hold_lock(Path(args[0]), Path(args[1]))
        args = args[2:]
    elif hook == "kill-before-manifest":
        kill_before_manifest()
    elif hook == "terminal":
        signal.signal(signal.SIGINT, signal.default_int_handler)
    else:
        raise SystemExit(f"unknown hook {hook}")
    sys.argv = ["gongfu", *args]
    runpy.run_module("gongfu_reports", run_name="__main__", alter_sys=True)
