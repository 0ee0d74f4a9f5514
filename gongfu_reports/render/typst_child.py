"""The Typst compiler in a child process with OS limits. Typst runs native code that cannot be
stopped from Python: a template's endless loop or huge array ran 46 s and took 6 GB in-process.

One child per process (a build's worker, the preview server), started at its first compile and
kept for the next ones (it keeps a compiler per template folder and fonts, with the fonts loaded
and its layout cache), started again after one was stopped. Its limits: data memory
(RLIMIT_DATA) and CPU time (RLIMIT_CPU) per compile (raised before each), no files written, no
core dumps, no network (package downloads go to a closed proxy port), no packages from disk; the
parent stops it after the wall-clock limit.

Protocol over the child's stdin/stdout, no pickle: a request is a 4-byte length and JSON;
a reply is one byte (P: PDF follows; p: PDF follows and the child ends after it; E: JSON error
follows), a 4-byte length and the payload."""

from __future__ import annotations

import atexit
import fcntl
import json
import os
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time

NO_PACKAGES = "/dev/null/no-packages"   # a folder that cannot exist: no packages from disk
CLOSED_PROXY = "http://127.0.0.1:9"     # discard port, nothing listens: no downloads
PIPE_BYTES = 1 << 20
RECYCLE_MB = 400   # a child holding more after a compile ends (the example's 45-page notice: ~250 MB)


# ---------------------------------------------------------------------------------------------
# Parent side.

class ChildStopped(Exception):
    """The child went past a limit or ended: reason is "cpu" (its CPU time), "wall" (the wall
    clock), "memory" or "exit <code>"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CompileError(Exception):
    """Typst's own error (message, diagnostic, hints), as the child sent it."""

    def __init__(self, error: dict):
        super().__init__(error.get("message", ""))
        self.message = error.get("message", "")
        self.diagnostic = error.get("diagnostic", "")
        self.hints = error.get("hints", [])


class _Child:
    def __init__(self):
        env = dict(os.environ)
        for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy"):
            env[name] = CLOSED_PROXY
        env.pop("NO_PROXY", None)
        env.pop("no_proxy", None)
        # This file as a script (it imports only the standard library and typst): the same code
        # whatever sys.path finds; -P: not its own folder first (render/typst.py is not typst).
        self.process = subprocess.Popen([sys.executable, "-P", os.path.abspath(__file__)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        cwd="/", env=env, close_fds=True)
        self.pid = os.getpid()   # the process that started it (a forked copy starts its own)
        # Pipes of 1 MB (Linux; 64 KB by default): a PDF is written at once, and the child goes on to the
        # next request while the build's busy thread waits to be scheduled to read it.
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
            except (AttributeError, OSError):   # not Linux, or more than the system allows
                pass

    def request(self, payload: bytes, seconds: float) -> tuple[bytes, bytes]:
        out = self.process.stdout
        try:
            self.process.stdin.write(struct.pack(">I", len(payload)) + payload)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise ChildStopped(self._stop()) from None
        deadline = time.monotonic() + seconds
        header = self._read(out, 5, deadline)
        kind, length = header[:1], struct.unpack(">I", header[1:])[0]
        return kind, self._read(out, length, deadline)

    def _read(self, out, n: int, deadline: float) -> bytes:
        chunks, got = [], 0
        fd = out.fileno()
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self._stop(kill=True)
                raise ChildStopped("wall")
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                raise ChildStopped(self._stop())
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _stop(self, kill: bool = False) -> str:
        """Stop the child (kill: it is still working; else it closed its output and is ending)
        and say why it ended (ChildStopped.reason)."""
        if not kill:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                kill = True
        if kill:
            self.process.kill()
        code = self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        return "wall" if kill and code != -signal.SIGXCPU else exit_reason(code)

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.close()   # the child ends at end of input
                self.process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


def exit_reason(code: int | None) -> str:
    """Why a process that works within OS limits (this child, a worker of render/workers.py) ended, by
    its exit code: "cpu" (past its CPU time: SIGXCPU), "memory" (an allocation failed and the library
    aborted, or the kernel's OOM killer: SIGKILL) or "exit <code>"."""
    if code == -signal.SIGXCPU:
        return "cpu"
    return "memory" if code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL) else f"exit {code}"


_child: _Child | None = None
_lock = threading.Lock()   # one compile at a time per process (the preview server has threads)


def compile_pdf(request: dict, cpu_seconds: float, wall_seconds: float, memory_mb: int) -> bytes:
    """The PDF of one compile request, made in the child; raises CompileError for Typst's errors
    and ChildStopped when the child went past a limit (a new one starts at the next compile)."""
    global _child
    limits = {"cpu_seconds": cpu_seconds, "memory_mb": memory_mb, "recycle_mb": RECYCLE_MB}
    payload = json.dumps({**request, "limits": limits}, ensure_ascii=False).encode("utf-8")
    with _lock:
        if _child is not None and (_child.pid != os.getpid() or _child.process.poll() is not None):
            _child = None   # inherited through fork, or ended: never share its pipes
        if _child is None:
            _child = _Child()
        try:
            kind, data = _child.request(payload, wall_seconds)
        except BaseException as exc:   # a limit, or interrupted (Ctrl-C): its reply would be stale
            if not isinstance(exc, ChildStopped):
                _child._stop(kill=True)
            _child = None
            raise
        if kind == b"p":   # the child ends after this compile (its memory had grown past RECYCLE_MB)
            _child.close()
            _child = None
        if kind in (b"P", b"p"):
            return data
        error = json.loads(data.decode("utf-8"))
        if error.get("limit"):   # this child, before another compile can take it
            _child._stop(kill=True)
            _child = None
            raise ChildStopped(error["limit"])
    raise CompileError(error)


# Sets every font of the request's inputs["fonts"] (the template's face() of each role): their data is read.
FONTS_SOURCE = '#for f in json(bytes(sys.inputs.fonts)).values() { text(font: f.family, weight: f.weight)[字，] }'


def start(root: str, font_dirs: list[str], fonts: str, cpu_seconds: float, wall_seconds: float,
          memory_mb: int) -> None:
    """Start the child now, its compiler for this template folder made and these fonts (JSON, as the
    template's inputs) loaded: a parallel build asks for this while it composes its first document, so
    the first compile does not wait for them. What goes wrong here is left to that compile to report."""
    request = {"root": root, "font_dirs": font_dirs, "source": FONTS_SOURCE, "timestamp": 0,
               "inputs": {"fonts": fonts}}
    try:
        compile_pdf(request, cpu_seconds, wall_seconds, memory_mb)
    except (CompileError, ChildStopped):
        pass


def interrupt() -> None:
    """Stop a compile in progress (from another thread: the build is failing and will not wait for it);
    the compiling thread gets ChildStopped."""
    child = _child
    if child is not None and child.pid == os.getpid() and child.process.poll() is None:
        child.process.kill()


@atexit.register
def _close() -> None:
    if _child is not None and _child.pid == os.getpid():
        _child.close()


# ---------------------------------------------------------------------------------------------
# Child side.

def _serve() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))   # writes no files (pipes are not files)
    import typst

    # The replies get their own descriptor; fd 1 becomes stderr (/dev/null), so that nothing
    # Typst or Python prints can get into them.
    stdin, stdout = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    compilers: dict = {}
    while True:
        header = stdin.read(4)
        if len(header) < 4:
            return
        request = json.loads(stdin.read(struct.unpack(">I", header)[0]).decode("utf-8"))
        # This compile's share of CPU time and data memory on top of what the child used so far
        # (its caches, the fonts): soft limits only, raised again for the next compile.
        limits, usage = request["limits"], resource.getrusage(resource.RUSAGE_SELF)
        resource.setrlimit(resource.RLIMIT_CPU, (int(usage.ru_utime + usage.ru_stime + limits["cpu_seconds"]) + 1,
                                                 resource.getrlimit(resource.RLIMIT_CPU)[1]))
        resource.setrlimit(resource.RLIMIT_DATA, (_data_bytes() + limits["memory_mb"] * 1024 * 1024,
                                                  resource.getrlimit(resource.RLIMIT_DATA)[1]))
        try:
            key = (request["root"], tuple(request["font_dirs"]))
            if key not in compilers:
                compilers[key] = typst.Compiler(root=request["root"], font_paths=list(request["font_dirs"]),
                                                package_path=NO_PACKAGES, package_cache_path=NO_PACKAGES)
            # A template file, or (start()) a line of source that loads the fonts.
            source = request["source"].encode("utf-8") if "source" in request else request["template"]
            pdf = compilers[key].compile(input=source, format="pdf", sys_inputs=request["inputs"],
                                         timestamp=request["timestamp"], pdf_tags=True)
            # Typst keeps what it laid out for the next compiles: after a large document the child ends
            # and gives its memory back (the next compile starts a new one, fonts loaded again).
            recycle = _rss_bytes() > limits["recycle_mb"] * 1024 * 1024
            reply = (b"p" if recycle else b"P") + struct.pack(">I", len(pdf)) + pdf
        except typst.TypstError as exc:
            reply = _error({"message": getattr(exc, "message", "") or str(exc),
                            "diagnostic": str(getattr(exc, "diagnostic", "") or ""),
                            "hints": list(getattr(exc, "hints", None) or [])})
        except MemoryError:
            reply = _error({"limit": "memory"})
        except BaseException as exc:   # noqa: BLE001 (a panic in Typst too: reported as its error)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            reply = _error({"message": f"{type(exc).__name__}: {exc}"})
        stdout.write(reply)
        stdout.flush()
        if reply[:1] == b"p":
            return


def _data_bytes() -> int:
    """The data memory this process uses now (what RLIMIT_DATA limits: VmData; 0 without /proc)."""
    return status_bytes("VmData:")


def _rss_bytes() -> int:
    """The memory this process holds now (VmRSS; 0 without /proc)."""
    return status_bytes("VmRSS:")


def status_bytes(field: str) -> int:
    """A size from /proc/self/status in bytes (VmData, VmRSS; 0 without /proc); workers.py reads it too."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _error(error: dict) -> bytes:
    data = json.dumps(error, ensure_ascii=False).encode("utf-8")
    return b"E" + struct.pack(">I", len(data)) + data


if __name__ == "__main__":
    _serve()
