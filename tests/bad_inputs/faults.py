"""Run `gongfu` with a file-system fault under one folder, as the machine would report it:

    python faults.py EROFS|ENOSPC FOLDER gongfu-arguments…

EROFS (a read-only disk): creating, opening for writing, renaming or removing anything under FOLDER
fails with "Read-only file system", naming the file. ENOSPC (a full disk): files under FOLDER open,
but every write() into them fails with "No space left on device", naming no file (as the kernel
does). Reading is untouched. The faults are raised where Python meets the operating system (open,
os.open, os.mkdir, os.replace …), so everything above (gongfu's own code, openpyxl, zipfile) runs
as it is. A file-size limit and a dangling build/ link are real in the tests (setrlimit, symlink).
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import runpy
import sys

KIND, FOLDER = sys.argv[1], os.path.realpath(sys.argv[2])
CODE = {"EROFS": errno.EROFS, "ENOSPC": errno.ENOSPC}[KIND]
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def under(path) -> bool:
    if isinstance(path, int):
        try:
            path = os.readlink(f"/proc/self/fd/{path}")
        except OSError:
            return False
    try:
        real = os.path.realpath(os.fsdecode(os.fspath(path)))
    except TypeError:
        return False
    return real == FOLDER or real.startswith(FOLDER + os.sep)


def fail(path=None):
    raise OSError(CODE, os.strerror(CODE), *([os.fsdecode(os.fspath(path))] if path is not None else []))


class FullFile:
    """A file on a full disk: it opens, it does not take data."""

    def __init__(self, handle):
        self._handle = handle

    def write(self, data):
        if data:
            fail()
        return 0

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()

    def __iter__(self):
        return iter(self._handle)


real_open, real_os_open = io.open, os.open


def faulty_open(file, mode="r", *args, **kwargs):
    writes = any(c in mode for c in "wax+")
    if writes and under(file):   # a path, or a descriptor from os.open (tempfile.mkstemp + os.fdopen)
        if CODE == errno.EROFS:
            fail(file if not isinstance(file, int) else None)
        return FullFile(real_open(file, mode, *args, **kwargs))
    return real_open(file, mode, *args, **kwargs)


def faulty_os_open(path, flags, *args, **kwargs):
    if CODE == errno.EROFS and flags & WRITE_FLAGS and under(path):
        fail(path)
    return real_os_open(path, flags, *args, **kwargs)


def refuse_under(real):
    def changed(*paths, **kwargs):
        if CODE == errno.EROFS and any(under(p) for p in paths[:2] if isinstance(p, (str, bytes, os.PathLike))):
            fail(next(p for p in paths[:2] if under(p)))
        return real(*paths, **kwargs)
    return changed


builtins.open = io.open = faulty_open
os.open = faulty_os_open
for name in ("mkdir", "replace", "rename", "unlink", "remove", "rmdir", "chmod", "utime"):
    setattr(os, name, refuse_under(getattr(os, name)))

sys.argv = ["gongfu", *sys.argv[3:]]
runpy.run_module("gongfu_reports", run_name="__main__", alter_sys=True)
