"""Render into a staging folder, then move the outputs into build/ only when all succeeded.

A manifest of input hashes lets a rebuild skip documents whose inputs did not change, and one
lock (build/.lock) keeps every command that writes config.yaml, data/ or build/ (build, forms,
collect, import) from interleaving with another in the same working folder.

The manifest is crash-consistent: the entries of the outputs about to be replaced are dropped from it
(on disk) before the first output moves, and written again after the last one, so a run killed in
between leaves those outputs unrecorded and the next build makes them again; it never calls an output
"unchanged" that came from other inputs.
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

from .errors import GongfuError, Place, display_path, writing

MANIFEST = ".manifest.json"
KEPT = "build/ 中原有的文件没有改动"


@contextlib.contextmanager
def build_lock(build_dir: Path):
    """An exclusive lock on build/.lock, held by every command that writes into the working folder;
    the OS releases it if the process dies."""
    if build_dir.is_symlink() and not build_dir.exists():
        raise GongfuError(f"build 是一个符号链接，指向的位置“{os.readlink(build_dir)}”不存在",
                          Place(display_path(build_dir)),
                          hint="请创建它指向的文件夹，或删除这个链接（gongfu 会新建 build 文件夹）")
    with writing(build_dir / ".lock"):
        build_dir.mkdir(parents=True, exist_ok=True)
        handle = open(build_dir / ".lock", "a")   # not "w": a build that changes nothing touches nothing
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise GongfuError("另一个 gongfu 命令（生成、填报表、收集或导入）正在使用此工作目录，请等它结束后再运行",
                          Place(display_path(build_dir / ".lock"))) from None
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def write_atomic(path: Path, data: bytes, note: str | None = None) -> None:
    """Write `path` in one step: a temporary file of its own in the same folder (never one shared by
    two processes), flushed to disk, then renamed over the old file. Interrupted at any moment, the
    folder holds the old file or the new one, and no temporary file."""
    with writing(path, note):
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path` (a name read back from the manifest, which anyone can edit) lies inside `folder`."""
    return path.resolve().is_relative_to(folder.resolve()) and path.resolve() != folder.resolve()


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
        if not isinstance(self.manifest, dict):
            self.manifest = {}
        # An entry that is not what this program writes (edited by hand, damaged) is forgotten: its
        # outputs are made again.
        self.manifest = {k: v for k, v in self.manifest.items() if isinstance(v, dict) and isinstance(
            v.get("digest"), str) and isinstance(v.get("outputs"), list) and all(isinstance(o, str) for o in v["outputs"])}
        remove_stale_staging(build_dir)
        with writing(build_dir, KEPT):
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
        if not path.resolve().is_relative_to(self.staging.resolve()):   # names are checked where they enter
            raise GongfuError(f"输出文件名“{name}”会写到 build/ 之外，未写入")
        with writing(self.build_dir / name, KEPT):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        self.staged.setdefault(key, (digest, []))[1].append(name)

    def commit(self) -> list[Path]:
        """Move every staged file into build/ (each move is atomic), drop per-unit outputs of the same
        key that are no longer produced (in the formats built), then write the manifest. The entries
        of the keys being replaced leave the manifest first (see the module's docstring)."""
        written = []
        if any(key in self.manifest for key in self.staged):
            self._write_manifest({k: v for k, v in self.manifest.items() if k not in self.staged})
        for key, (digest, names) in self.staged.items():
            for name in names:
                target = self.build_dir / name
                with writing(target, "其余输出仍为上次生成的文件；问题解决后重新运行会重新生成"):
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(self.staging / name, target)
                written.append(target)
            # An extract of a unit no longer in the data goes; one in a format not built this time stays.
            built = {Path(n).suffix for n in names}
            for stale in set(self.manifest.get(key, {}).get("outputs", [])) - set(names):
                path = self.build_dir / stale
                if key.endswith("/per-unit") and path.suffix in built and _inside(path, self.build_dir):
                    path.unlink(missing_ok=True)
            # Same inputs as the outputs recorded before (another format built earlier): they stay recorded.
            kept = [n for n in self.manifest.get(key, {}).get("outputs", []) if (self.build_dir / n).exists()] \
                if self.manifest.get(key, {}).get("digest") == digest else []
            self.manifest[key] = {"digest": digest, "outputs": sorted(set(names) | set(kept))}
        self._write_manifest(self.manifest)
        return written

    def _write_manifest(self, manifest: dict) -> None:
        data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        try:
            if self.manifest_path.read_bytes() == data:
                return
        except OSError:
            pass
        write_atomic(self.manifest_path, data, "生成的文件已在 build/ 中，下次生成会重新生成它们")

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
