"""Names that become paths (document ids, `--as` names, unit names, periods, attachment numbers):
checked where they enter, so that every file the tool writes stays inside the working folder's
build/ and data/ (and config.yaml), and two names never map to one file.

A name is refused, never quietly changed: a unit called “市发改委.” would otherwise become the
same file as “市发改委” (Windows drops a trailing dot), and one form would overwrite the other.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..errors import GongfuError, Place, display_path
from .text import CONTROL, invisible_error

# A name is one part of a file name: build/<id>-attachment-12.docx, build/forms/<期间>/.<单位>.xlsx.tmp,
# build/<id>-per-unit/<单位>.docx. File systems allow 255 bytes per part; this leaves room for the rest.
MAX_NAME_BYTES = 150
# Not allowed in a file name on Windows (where the forms and outputs are opened); / and \ are separators.
_FORBIDDEN = re.compile(r'[\\/:*?"<>|]')
_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\..*)?", re.IGNORECASE)   # Windows device names
WRITABLE = ("build", "data")   # the folders of a working folder the tool writes into (and config.yaml)


def check_name(name: str, what: str, place: Place | None = None, hint: str | None = None) -> str:
    """`name` as it is, if it can be a file name; otherwise a Chinese error naming `what` (文档编号,
    单位名称 …) and the place it was written."""
    def refuse(problem: str, advice: str | None = None):
        raise GongfuError(f"{what}“{name}”{problem}", place, hint=hint or advice)

    if not name or not name.strip():
        refuse("不能为空")
    found = CONTROL.search(name)
    if found:
        refuse(f"含有不可见的控制字符（U+{ord(found.group()):04X}）", "请删除后重新输入")
    invisible = invisible_error(name)
    if invisible:
        refuse(invisible, "这类字符看不见，却会让名称与看起来相同的另一个名称不同；请删除后重新输入")
    if _FORBIDDEN.search(name):
        refuse("不能含有 / \\ : * ? \" < > | 等字符（会用作文件名）")
    if name.startswith("."):
        refuse("不能以“.”开头（会用作文件名）")
    if name != name.strip() or name.endswith("."):
        refuse("开头或末尾不能是空格，末尾不能是“.”（用作文件名时会被去掉，与另一个名称成为同一个文件）")
    if _RESERVED.fullmatch(name):
        refuse("是 Windows 的保留名称，不能用作文件名")
    size = len(name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        refuse(f"过长（{len(name)} 个字符，{size} 字节；用作文件名最多 {MAX_NAME_BYTES} 字节，约 {MAX_NAME_BYTES // 3} 个汉字）",
               "请改用简称")
    return name


def file_key(name: str) -> str:
    """What decides whether two names are the same file: case (Windows, macOS) and look-alike forms
    (Unicode NFKC: full-width letters, compatibility ideographs) do not count."""
    return unicodedata.normalize("NFKC", name).casefold()


def distinct_files(names: dict[str, Place | None], what: str) -> None:
    """Names that become files in one folder: no two may map to the same file."""
    seen: dict[str, tuple[str, Place | None]] = {}
    for name, place in names.items():
        key = file_key(name)
        if key in seen and seen[key][0] != name:
            other, other_place = seen[key]
            also = f"（另见{other_place}）" if other_place and other_place != place else ""
            raise GongfuError(f"{what}“{name}”与“{other}”会生成同一个文件（只差大小写或字形）{also}", place,
                              hint="请把其中一个改为不同的名称")
        seen[key] = (name, place)


def file_name(name: str, what: str = "名称") -> str:
    """A file name made from a checked name (unit names are checked when the registry is read)."""
    return check_name(name, what)


def check_writable(root: Path, target: Path, place: Place | None = None, written: str | None = None) -> Path:
    """`target` resolved, if it lies in the working folder's build/ or data/ (after following symbolic
    links and “..”); anything else is refused before a byte is written (`written`: the path as the
    user wrote it, for the message)."""
    base = Path(root).resolve()
    resolved = Path(target).resolve()
    for folder in WRITABLE:
        if resolved == (base / folder).resolve() or resolved.is_relative_to((base / folder).resolve()):
            return resolved
    raise GongfuError(f"要写入的位置“{written or display_path(target)}”不在工作目录的 build/ 或 data/ 中，未写入", place,
                      hint="数据文件和进展目录请放在工作目录的 data/ 下（写相对路径，如 data/progress）")
