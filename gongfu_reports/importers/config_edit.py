"""Add a document to config.yaml by editing its text: the user's comments and layout stay as they
are. The new text is checked before it replaces the file, in one step (the caller holds the
working folder's lock, so two imports never edit it at once)."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import GongfuError, Place, display_path
from ..files.names import check_name, distinct_files
from ..publish import write_atomic

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def check_new_name(config, name: str, target: Path, force: bool) -> None:
    place = Place("--as")
    if not _NAME.fullmatch(name):
        raise GongfuError(f"文档编号“{name}”只能用字母、数字、- 和 _", place, hint="例如 --as zhongdian-renwu-2025")
    check_name(name, "文档编号", place, hint="例如 --as zhongdian-renwu-2025")
    distinct_files({**{str(d): config.place("documents", d) for d in config.documents if d != name}, name: place},
                   "文档编号")
    if name in config.documents and not force:
        raise GongfuError(f"config.yaml 中已有文档“{name}”", config.place("documents", name),
                          hint="换一个编号，或加 --force 覆盖数据文件")
    if target.exists() and not force:
        raise GongfuError("文件已存在", Place(display_path(target)), hint="加 --force 覆盖")


def add_document(root: Path, name: str, entry: str) -> None:
    """Insert `entry` (indented two spaces) at the end of the `documents:` block."""
    import yaml

    from ..config import CONFIG_NAME
    from ..kinds import load_config

    path = root / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"documents:\s*(#.*)?$", line)), None)
    if start is None:
        raise GongfuError("config.yaml 中没有 documents:（文档列表）", Place(display_path(path)))
    end = len(lines)
    for i in range(start + 1, len(lines)):
        if re.match(r"[^\s#]", lines[i]):   # the next top-level key
            end = i
            break
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    if end > 0 and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    new_text = "".join(lines[:end]) + "\n" + entry + "".join(lines[end:])
    try:
        data = yaml.safe_load(new_text)
        assert name in data["documents"]
    except Exception:   # never write a config.yaml that does not load
        raise GongfuError("无法自动写入 config.yaml（文件格式与预期不同）", Place(display_path(path)),
                          hint="请把以下内容手动加到 documents: 下：\n" + entry) from None
    write_atomic(path, new_text.encode("utf-8"))
    try:
        load_config(root)
    except GongfuError:
        write_atomic(path, text.encode("utf-8"))   # put the user's file back as it was
        raise
