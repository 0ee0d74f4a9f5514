"""A period's data files as `gongfu collect` rewrites them: the progress file (<progress>/<period>.yaml,
entries under 条目) and the indicator values (<indicator_values>/<period>.yaml, under 实际值).

Reading keeps the entries as written (unknown keys, 序号, 任务内容 survive a rewrite); writing is
atomic, and every earlier version of the file is kept: versions/<period>/<period>.v001.yaml, .v002 …
(a correction can always be traced and undone)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import GongfuError, Place, display_path
from ..files.yamlfile import LocDict, LocList, load_yaml

ENTRY_ORDER = ("编号", "填报单位", "序号", "任务内容", "牵头单位", "状态", "完成情况", "存在问题", "下步计划")
VALUE_ORDER = ("序号", "分项", "实际值", "说明", "填报单位")
VERSIONS = "versions"
ENTRIES = "条目"      # progress file
VALUES = "实际值"     # indicator values file
TRAILING = ("填报信息",)   # top-level keys written after the entries


def entry_key(entry: dict) -> tuple:
    """A progress entry is one task, or one member's report of a shared task."""
    return str(entry.get("编号") or "").strip(), str(entry.get("填报单位") or "").strip()


def value_key(entry: dict) -> tuple:
    return str(entry.get("序号") or "").strip(), str(entry.get("分项") or "").strip()


@dataclass
class ProgressFile:
    path: Path
    header: str = ""                                  # leading comment lines, kept on rewrite
    top: dict = field(default_factory=dict)           # 期间, 标题, … (everything but the list)
    entries: list[dict] = field(default_factory=list)
    places: dict[tuple, Place] = field(default_factory=dict)  # key → line of its entry
    list_key: str = ENTRIES
    order: tuple[str, ...] = ENTRY_ORDER

    def key(self, entry: dict) -> tuple:
        return entry_key(entry) if self.list_key == ENTRIES else value_key(entry)


def load_progress(path: Path, period: str) -> ProgressFile:
    """The existing progress file, or an empty one for a new period."""
    return load_records(path, period, ENTRIES)


def load_values(path: Path, period: str) -> ProgressFile:
    """The existing indicator values file, or an empty one."""
    return load_records(path, period, VALUES)


def load_records(path: Path, period: str, list_key: str) -> ProgressFile:
    order = ENTRY_ORDER if list_key == ENTRIES else VALUE_ORDER
    if not path.exists():
        return ProgressFile(path, top={"期间": period}, list_key=list_key, order=order)
    label = display_path(path)
    data = load_yaml(path)
    if not isinstance(data, LocDict):
        raise GongfuError(f"文件应为“键: 值”的映射（期间、{list_key}）", Place(label, line=1))
    if str(data.get("期间", "")).strip() != period:
        raise GongfuError(f"“期间”为 {data.get('期间')}，应为 {period}", data.place_of("期间"))
    entries = data.get(list_key) or LocList()
    if not isinstance(entries, list):
        raise GongfuError(f"“{list_key}”应为列表", data.place_of(list_key))
    result = ProgressFile(path, _leading_comments(path), {k: _plain(v) for k, v in data.items() if k != list_key},
                          list_key=list_key, order=order)
    first = order[0]
    for index, entry in enumerate(entries):
        place = entries.place_of(index) if isinstance(entries, LocList) else Place(label)
        if not isinstance(entry, dict) or not str(entry.get(first) or "").strip():
            raise GongfuError(f"每个条目都要有“{first}”", place)
        key = result.key(entry)
        if key in result.places:
            raise GongfuError(f"{first}“{key[0]}”{('（' + key[1] + '）') if key[1] else ''}重复"
                              f"（另见{result.places[key]}）", place)
        result.places[key] = place
        result.entries.append(_plain(entry))
    return result


def save_progress(progress: ProgressFile) -> Path | None:
    """Write via a temporary file and os.replace; the file it replaces is kept as the next version in
    versions/<period>/ first. Returns that version's path (None for a new file).

    Killed at any moment, the folder holds the previous file or the new one, never a part of
    either; a version is written whole (temporary file, then renamed) before the file changes."""
    tail = {k: v for k, v in progress.top.items() if k in TRAILING}
    data = {**{k: v for k, v in progress.top.items() if k not in TRAILING},
            progress.list_key: [ordered_entry(e, progress.order) for e in progress.entries], **tail}
    text = progress.header + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                                       width=1_000_000, default_flow_style=False)
    path = progress.path
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    version = None
    try:
        _write_synced(temporary, text.encode("utf-8"))
        if path.exists():
            version = keep_version(path)
        os.replace(temporary, path)
        _sync_folder(path.parent)
    finally:
        temporary.unlink(missing_ok=True)
    return version


def versions_folder(path: Path) -> Path:
    return path.parent / VERSIONS / path.stem


def versions(path: Path) -> list[Path]:
    """The kept versions of a period's file, oldest first."""
    folder = versions_folder(path)
    pattern = re.compile(re.escape(path.stem) + r"\.v(\d{3,})\.yaml")
    found = [(int(m.group(1)), p) for p in folder.glob("*.yaml") if (m := pattern.fullmatch(p.name))] \
        if folder.is_dir() else []
    return [p for _, p in sorted(found)]


def keep_version(path: Path) -> Path:
    """Copy the current file to the next free versions/<period>/<period>.vNNN.yaml (whole or not at all)."""
    folder = versions_folder(path)
    folder.mkdir(parents=True, exist_ok=True)
    existing = versions(path)
    number = int(existing[-1].stem.rsplit(".v", 1)[1]) + 1 if existing else 1
    target = folder / f"{path.stem}.v{number:03d}.yaml"
    temporary = folder / f".{target.name}.tmp"
    try:
        _write_synced(temporary, path.read_bytes())
        shutil.copystat(path, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    """Make the renames durable too (a power cut right after a collect)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def ordered_entry(entry: dict, order: tuple[str, ...] = ENTRY_ORDER) -> dict:
    """Keys in the order people read them; keys this tool does not know stay, at the end."""
    known = {k: entry[k] for k in order if k in entry}
    return {**known, **{k: v for k, v in entry.items() if k not in known}}


def sort_entries(progress: ProgressFile, position: Callable[[dict], tuple]) -> None:
    progress.entries.sort(key=position)


def _plain(value):
    """LocDict/LocList → dict/list, so the YAML writer needs no custom types."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _leading_comments(path: Path) -> str:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


class _Dumper(yaml.SafeDumper):
    """Multi-line text as block literals (|), lists indented under their key, like hand-written files."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, text: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Dumper.add_representer(str, _represent_text)
