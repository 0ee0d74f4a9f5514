"""Render into a staging folder, then move the outputs into build/ only when all succeeded.

A manifest of input hashes lets a rebuild skip documents whose inputs did not change, and a
lock keeps two builds in the same working folder from interleaving.
"""

from __future__ import annotations

import contextlib
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
    handle = open(build_dir / ".lock", "w")
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
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                digest.update(child.read_bytes())
        elif path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


class Publisher:
    def __init__(self, build_dir: Path):
        self.build_dir = build_dir
        self.manifest_path = build_dir / MANIFEST
        try:
            self.manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.manifest = {}
        self.staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=build_dir))
        self.staged: dict[str, tuple[str, list[str]]] = {}

    def up_to_date(self, doc_id: str, digest: str, names: list[str]) -> bool:
        entry = self.manifest.get(doc_id, {})
        return entry.get("digest") == digest and all((self.build_dir / n).exists() for n in names) \
            and set(names) <= set(entry.get("outputs", []))

    def stage(self, doc_id: str, digest: str, name: str, data: bytes) -> None:
        (self.staging / name).write_bytes(data)
        names = self.staged.setdefault(doc_id, (digest, []))[1]
        names.append(name)

    def commit(self) -> list[Path]:
        """Move every staged file into build/ (each move is atomic), then the manifest."""
        written = []
        for doc_id, (digest, names) in self.staged.items():
            for name in names:
                target = self.build_dir / name
                os.replace(self.staging / name, target)
                written.append(target)
            self.manifest[doc_id] = {"digest": digest, "outputs": sorted(names)}
        tmp = self.staging / MANIFEST
        tmp.write_text(json.dumps(self.manifest, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")
        os.replace(tmp, self.manifest_path)
        return written

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
