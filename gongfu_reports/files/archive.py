"""Untrusted zip containers (.xlsx, .docx): size on disk, member count and what they expand to are
checked before a parser opens them, so a “zip bomb” of a few hundred kB is refused at once instead of
taking gigabytes. Python's zipfile never inflates a member past the size its header declares, so the
declared sizes bound the work."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import GongfuError, Place

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024   # all members together
MAX_ZIP_MEMBERS = 10_000


def not_docx(place: Place) -> GongfuError:
    """What a .docx that cannot be read means to the user, whatever the parser's error was."""
    return GongfuError("无法作为 Word 文档（.docx）打开：文件已损坏、加密或并非 docx 格式", place,
                       hint="请用 Word 或 WPS 打开后另存为 .docx")


def check_zip(path: Path, place: Place, what: str, not_readable: GongfuError) -> list[zipfile.ZipInfo]:
    """The members of the zip at `path` (a 工作簿 or Word 文档, `what`), or a Chinese error: too large on
    disk or unpacked, too many members, or not a zip at all (`not_readable`)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise GongfuError("文件不存在", place) from None
    except OSError as exc:
        raise GongfuError(f"无法读取文件（{exc.strerror}）", place) from None
    if size > MAX_FILE_BYTES:
        raise GongfuError(f"文件过大（{size / 1024 / 1024:.0f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB）", place)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_readable from None
    unzipped = sum(m.file_size for m in members)
    if len(members) > MAX_ZIP_MEMBERS or unzipped > MAX_UNZIPPED_BYTES:
        raise GongfuError(f"{what}解压后过大（约 {unzipped / 1024 / 1024:.0f} MB，上限 "
                          f"{MAX_UNZIPPED_BYTES // 1024 // 1024} MB），可能是异常文件（“压缩炸弹”）", place,
                          hint="请确认文件来源；正常的文件远小于此")
    return members
