"""`gongfu serve`: the preview over HTTP on 127.0.0.1 (standard library http.server), with a file
watcher (watchfiles) that redraws the pages when a template, data or config file is saved."""

from __future__ import annotations

import errno
import json
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from ..errors import GongfuError
from ..bundled import TEMPLATES as BUNDLED_TEMPLATES
from ..progress.period import PERIOD
from . import page
from .render import documents
from .state import Previews

HOST = "127.0.0.1"
LONG_POLL = 20.0   # seconds a status request waits for a new version before it answers anyway
# What a request may name: a document id (no longer than a file name may be) and a period.
DOC = re.compile(r"[^/\\]{1,150}")
PAGES = re.compile(r"([0-9]{1,5})-([0-9]{1,5})")
IGNORED_DIRS = {"build", ".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "node_modules"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128   # a browser opens many connections at once (pages, images); Python's default is 5
    previews: Previews
    start_doc: str | None

    def handle_error(self, request, client_address) -> None:
        """A browser that closed the connection first (a tab closed while the PDF loaded) is no error;
        anything else is said in one line, the preview goes on."""
        import sys

        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            print(f"预览服务处理请求时出错（{type(error).__name__}）：{error}", file=sys.stderr)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 60   # seconds a connection may stay silent (sending its request, reading the answer)

    def log_message(self, format, *args) -> None:   # noqa: A002 - the polling would fill the terminal
        pass

    def do_GET(self) -> None:  # noqa: N802
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        if host not in (HOST, "localhost"):   # only this machine's own browser (no DNS rebinding)
            return self._send(HTTPStatus.FORBIDDEN, "text/plain", "只接受本机访问".encode())
        # Only the preview's own pages, or an address typed in: another site open in the browser must
        # not make the preview render (browsers say where a request comes from).
        if self.headers.get("Sec-Fetch-Site", "none") not in ("none", "same-origin"):
            return self._send(HTTPStatus.FORBIDDEN, "text/plain", "只接受预览页面本身的请求".encode())
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        key = (query.get("doc", ""), query.get("period") or None)
        previews = self.server.previews
        if url.path == "/":
            return self._index("all" in query)
        if not DOC.fullmatch(key[0]) or key[1] is not None and not PERIOD.fullmatch(key[1]):
            return self._send(HTTPStatus.NOT_FOUND, "text/plain", "没有这个文档或期间".encode())
        if url.path == "/doc":
            return self._send(HTTPStatus.OK, "text/html", page.shell(key).encode())
        if url.path == "/api/view":   # the pages on screen: "3-4"
            pages = PAGES.fullmatch(query.get("pages", ""))
            if pages:
                previews.view(key, int(pages[1]), int(pages[2]))
            return self._send(HTTPStatus.NO_CONTENT, "text/plain", b"")
        if url.path == "/api/status":
            since = query.get("since")
            status = previews.status(key, since, LONG_POLL if since is not None else 0.0)
            return self._send(HTTPStatus.OK, "application/json", json.dumps(status).encode())
        if url.path == "/api/content":
            return self._send(HTTPStatus.OK, "text/html", page.content(key, previews.shown(key)).encode())
        if url.path == "/api/page":   # by the digest of what the page draws: an unchanged page keeps its image
            png = previews.page_image(key, query.get("p", ""))
            if png is None:
                return self._send(HTTPStatus.NOT_FOUND, "text/plain", b"")
            return self._send(HTTPStatus.OK, "image/png", png, cache=True)
        if url.path == "/api/pdf":
            rendered = previews.want(key).rendered
            if rendered is None:
                return self._send(HTTPStatus.NOT_FOUND, "text/plain", b"")
            return self._send(HTTPStatus.OK, "application/pdf", rendered.pdf)
        return self._send(HTTPStatus.NOT_FOUND, "text/plain", "没有这个页面".encode())

    def _index(self, show_all: bool) -> None:
        start = self.server.start_doc
        if start and not show_all:
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", f"/doc?doc={quote(start)}")
            self.end_headers()
            return
        try:
            docs, error = documents(self.server.previews.root), None
        except GongfuError as exc:
            docs, error = [], str(exc)
        self._send(HTTPStatus.OK, "text/html", page.index(docs, error).encode())

    def _send(self, status: HTTPStatus, mime: str, body: bytes, cache: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{mime}; charset=utf-8" if mime.startswith("text") else mime)
        self.send_header("Content-Length", str(len(body)))
        # Page images never change under their address (the digest of what the page draws); the rest may.
        self.send_header("Cache-Control", "max-age=3600, immutable" if cache else "no-store")
        self.end_headers()
        self.wfile.write(body)


def watch_paths(root: Path) -> list[Path]:
    """The working folder (config.yaml, data/, templates/) and the bundled templates."""
    paths = [root.resolve()]
    if not BUNDLED_TEMPLATES.is_relative_to(paths[0]):
        paths.append(BUNDLED_TEMPLATES)
    return paths


def is_input(path: str, root: Path) -> bool:
    """A change worth a new rendering: not build/ or tool folders, not editors' lock and swap files."""
    p = Path(path)
    try:
        parts = p.resolve().relative_to(root.resolve()).parts
    except ValueError:
        parts = p.parts[-2:]
    name = p.name
    if any(part in IGNORED_DIRS for part in parts[:-1]) or (parts and parts[0] in IGNORED_DIRS):
        return False
    return not (name.startswith(("~$", ".~lock", ".#")) or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak"))
                or name.endswith(".pyc"))


def _watch(previews: Previews, stop: threading.Event) -> None:
    from watchfiles import watch

    root = previews.root
    # A save shows after `step` ms without further changes (an editor's save is a burst of a few
    # events within milliseconds), or after `debounce` ms of continuous changes.
    for _changes in watch(*watch_paths(root), watch_filter=lambda _change, path: is_input(path, root),
                          stop_event=stop, debounce=400, step=50, raise_interrupt=False):
        previews.changed()


def serve(root: Path, doc_id: str | None, port: int, period: str | None, announce) -> None:
    """Run until Ctrl+C. announce(url) is called once the server listens."""
    previews = Previews(root, period)
    try:
        server = _Server((HOST, port), _Handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise GongfuError(f"端口 {port} 已被占用", hint=f"用 --port 指定其他端口，如 --port {port + 1}") from None
        raise GongfuError(f"无法在 {HOST}:{port} 上启动预览：{exc.strerror}") from None
    server.previews, server.start_doc = previews, doc_id
    if doc_id:
        previews.want((doc_id, period))   # rendered while the browser opens
    stop = threading.Event()
    threads = [threading.Thread(target=previews.run_worker, name="preview-render", daemon=True),
               threading.Thread(target=previews.run_checks, name="preview-check", daemon=True),
               threading.Thread(target=_watch, args=(previews, stop), name="preview-watch", daemon=True)]
    for thread in threads:
        thread.start()
    url = f"http://{HOST}:{server.server_address[1]}/"
    if doc_id:
        url += f"doc?doc={quote(doc_id)}" + (f"&period={quote(period)}" if period else "")
    announce(url)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        previews.stop()
        server.server_close()
