"""Render into a staging folder, then move the outputs into build/ only when all succeeded.

A manifest of input hashes lets a rebuild skip documents whose inputs did not change, and a
lock keeps two builds in the same working folder from interleaving.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import zipfile
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from .errors import GongfuError, Place, display_path

MANIFEST = ".manifest.json"


@contextlib.contextmanager
def build_lock(build_dir: Path):
    """An exclusive lock on build/.lock; the OS releases it if the process dies."""
    build_dir.mkdir(parents=True, exist_ok=True)
    handle = open(build_dir / ".lock", "a")   # not "w": a build that changes nothing touches nothing
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise GongfuError("另一个构建或收集正在使用此工作目录，请等它结束后再运行",
                          Place(display_path(build_dir / ".lock"))) from None
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def inputs_digest(paths: list[Path], extra: str = "") -> str:
    digest = hashlib.sha256(extra.encode("utf-8"))
    for path in sorted(set(paths)):
        digest.update(str(path).encode("utf-8"))
        if path.is_dir():
            # Sources only: bytecode caches come and go (first import, other Python) without a change.
            for child in sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
                digest.update(child.read_bytes())
        elif path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def remove_stale_staging(build_dir: Path) -> None:
    """Staging folders left by a build that was killed (its process is gone) are removed."""
    for folder in build_dir.glob(".staging-*"):
        match = re.match(r"\.staging-(\d+)-", folder.name)
        if match and _alive(int(match.group(1))):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Publisher:
    def __init__(self, build_dir: Path):
        self.build_dir = build_dir
        self.manifest_path = build_dir / MANIFEST
        try:
            self.manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.manifest = {}
        remove_stale_staging(build_dir)
        self.staging = Path(tempfile.mkdtemp(prefix=f".staging-{os.getpid()}-", dir=build_dir))
        self.staged: dict[str, tuple[str, list[str]]] = {}

    def up_to_date(self, key: str, digest: str, names: list[str] | None = None) -> bool:
        """Same inputs as last time and every output still there (names: the outputs expected;
        by default the ones recorded)."""
        entry = self.manifest.get(key, {})
        recorded = entry.get("outputs", [])
        names = recorded if names is None else names
        return entry.get("digest") == digest and bool(names) and set(names) <= set(recorded) \
            and all((self.build_dir / n).exists() for n in names)

    def stage(self, key: str, digest: str, name: str, data: bytes) -> None:
        path = self.staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.staged.setdefault(key, (digest, []))[1].append(name)

    def commit(self) -> list[Path]:
        """Move every staged file into build/ (each move is atomic), drop per-unit outputs of the same
        key that are no longer produced (in the formats built), then write the manifest."""
        written = []
        for key, (digest, names) in self.staged.items():
            for name in names:
                target = self.build_dir / name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.staging / name, target)
                written.append(target)
            # An extract of a unit no longer in the data goes; one in a format not built this time stays.
            built = {Path(n).suffix for n in names}
            for stale in set(self.manifest.get(key, {}).get("outputs", [])) - set(names):
                if key.endswith("/per-unit") and Path(stale).suffix in built:
                    (self.build_dir / stale).unlink(missing_ok=True)
            # Same inputs as the outputs recorded before (another format built earlier): they stay recorded.
            kept = [n for n in self.manifest.get(key, {}).get("outputs", []) if (self.build_dir / n).exists()] \
                if self.manifest.get(key, {}).get("digest") == digest else []
            self.manifest[key] = {"digest": digest, "outputs": sorted(set(names) | set(kept))}
        text = json.dumps(self.manifest, ensure_ascii=False, indent=1, sort_keys=True)
        if not self.manifest_path.exists() or self.manifest_path.read_bytes() != text.encode("utf-8"):
            tmp = self.staging / MANIFEST
            tmp.write_text(text, "utf-8")
            os.replace(tmp, self.manifest_path)
        return written

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def normalise_zip(data: bytes, day: dt.datetime) -> bytes:
    """Fixed timestamps and order in the zip, so the same inputs give the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = re.sub(rb"<cp:lastPrinted>.*?</cp:lastPrinted>", b"", payload)
                iso = day.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                payload = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + iso + rb"\g<2>",
                                 payload)
            new = zipfile.ZipInfo(info.filename, date_time=stamp)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o644 << 16
            dst.writestr(new, payload)
    return out.getvalue()
