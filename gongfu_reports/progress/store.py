"""The period's progress file (<progress>/<period>.yaml) as `gongfu collect` rewrites it.

Reading keeps the entries as written (unknown keys, 序号, 任务内容 survive a rewrite); writing is
atomic and keeps the previous version as <period>.yaml.bak, so a bad merge can be undone by hand.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import GongfuError, Place, display_path
from ..files.yamlfile import LocDict, LocList, load_yaml

ENTRY_ORDER = ("编号", "序号", "任务内容", "牵头单位", "状态", "完成情况", "存在问题", "下步计划")


@dataclass
class ProgressFile:
    path: Path
    header: str = ""                                  # leading comment lines, kept on rewrite
    top: dict = field(default_factory=dict)           # 期间, 标题, … (everything but 条目)
    entries: list[dict] = field(default_factory=list)
    places: dict[str, Place] = field(default_factory=dict)  # task id → line of its entry


def load_progress(path: Path, period: str) -> ProgressFile:
    """The existing file, or an empty one for a new period."""
    if not path.exists():
        return ProgressFile(path, top={"期间": period})
    label = display_path(path)
    data = load_yaml(path)
    if not isinstance(data, LocDict):
        raise GongfuError("进展文件应为“键: 值”的映射（期间、条目）", Place(label, line=1))
    if str(data.get("期间", "")).strip() != period:
        raise GongfuError(f"“期间”为 {data.get('期间')}，应为 {period}", data.place_of("期间"))
    entries = data.get("条目") or LocList()
    if not isinstance(entries, list):
        raise GongfuError("“条目”应为列表", data.place_of("条目"))
    result = ProgressFile(path, _leading_comments(path), {k: v for k, v in data.items() if k != "条目"})
    for index, entry in enumerate(entries):
        place = entries.place_of(index) if isinstance(entries, LocList) else Place(label)
        if not isinstance(entry, dict) or not str(entry.get("编号") or "").strip():
            raise GongfuError("每个条目都要有“编号”", place)
        task_id = str(entry["编号"]).strip()
        if task_id in result.places:
            raise GongfuError(f"编号“{task_id}”重复（另见{result.places[task_id]}）", place)
        result.places[task_id] = place
        result.entries.append(_plain(entry))
    return result


def save_progress(progress: ProgressFile) -> None:
    """Write via a temporary file and os.replace; the previous version becomes <name>.bak.

    Killed at any moment, the folder holds the previous file or the new one, never a part of
    either, and <name>.bak is either the previous backup or a complete copy of the previous file."""
    data = {**progress.top, "条目": [ordered_entry(e) for e in progress.entries]}
    text = progress.header + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                                       width=1_000_000, default_flow_style=False)
    path = progress.path
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    backup_tmp = path.with_name(f".{path.name}.bak.tmp")
    try:
        _write_synced(temporary, text.encode("utf-8"))
        if path.exists():
            _write_synced(backup_tmp, path.read_bytes())
            shutil.copystat(path, backup_tmp)
            os.replace(backup_tmp, path.with_name(path.name + ".bak"))
        os.replace(temporary, path)
        _sync_folder(path.parent)
    finally:
        temporary.unlink(missing_ok=True)
        backup_tmp.unlink(missing_ok=True)


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


def ordered_entry(entry: dict) -> dict:
    """Keys in the order people read them; keys this tool does not know stay, at the end."""
    known = {k: entry[k] for k in ENTRY_ORDER if k in entry}
    return {**known, **{k: v for k, v in entry.items() if k not in known}}


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
