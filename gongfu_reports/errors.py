"""User-facing errors and warnings: Chinese message, file and place; errors exit with code 2."""

from __future__ import annotations

import contextlib
import errno
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Place:
    """Where something sits in an input file: a YAML line, an Excel cell, a template line."""

    file: str
    line: int | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    detail: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet is not None:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column is not None:
            parts.append(f"“{self.column}”列")
        if self.line is not None:
            parts.append(f"第{self.line}行")
        if self.detail:
            parts.append(self.detail)
        return "，".join(parts)

    def at(self, **changes) -> "Place":
        values = {**self.__dict__, **changes}
        return Place(**values)


def display_path(path: str | Path) -> str:
    """A path as the user typed it, relative to the working folder when possible."""
    p = Path(path)
    try:
        # A symbolic link is named as itself (build → elsewhere is still “build”), not as its target.
        resolved = p.parent.resolve() / p.name if p.is_symlink() else p.resolve()
        return str(resolved.relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):   # elsewhere, or a name the system refuses (too long, a NUL in it)
        return str(p)


class GongfuError(Exception):
    """An error caused by the user's input: reported without a traceback, exit code 2."""

    exit_code = 2

    def __init__(self, message: str, place: Place | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.place = place
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.place}：{self.message}" if self.place else self.message
        if self.hint:
            text += f"\n  提示：{self.hint}"
        return text


@dataclass(frozen=True)
class GongfuWarning:
    """Something worth a look that does not stop the work (a stated count that does not match, a
    GB/T 9704 finding on an output): printed on one line with its place, counted by --strict."""

    message: str
    place: Place | None = None
    hint: str | None = None
    subject: str | None = None   # the document it concerns, when the place alone does not say
    # "data": the input disagrees with itself (`gongfu check` fails on it); "progress": the state of a
    # reporting period (tasks not reported yet); "lint": a GB/T 9704 finding on an output.
    category: str = "data"

    def __str__(self) -> str:
        text = f"{self.place}：{self.message}" if self.place else self.message
        if self.hint:
            text += f"；{self.hint}"
        return f"{self.subject}：{text}" if self.subject else text

    @classmethod
    def from_error(cls, exc: GongfuError) -> "GongfuWarning":
        """An input problem reported as a warning instead of stopping the build."""
        return cls(exc.message, exc.place, exc.hint)

    def as_error(self) -> GongfuError:
        return GongfuError(f"{self.subject}：{self.message}" if self.subject else self.message, self.place, self.hint)


class GongfuErrors(GongfuError):
    """Several input errors found in one pass."""

    def __init__(self, errors: list[GongfuError]):
        self.errors = errors
        super().__init__(f"发现 {len(errors)} 处错误")

    def __str__(self) -> str:
        return "\n".join(str(e) for e in capped(self.errors))


# A file with the same mistake on 100 000 rows is reported with the first few of them and one line for
# the rest, per file and kind of problem.
MAX_SHOWN_PER_KIND = 10


def _kind(item) -> tuple:
    """Problems of one kind in one file: the same message, whatever it quotes (“…”) or counts."""
    message = re.sub(r"\d+", "N", re.sub(r"“[^”]*”", "“…”", getattr(item, "message", str(item))))
    place = getattr(item, "place", None)
    return (place.file if place else None, getattr(item, "subject", None), message)


def capped(items: list) -> list:
    """Errors or warnings to print: at most MAX_SHOWN_PER_KIND of one kind per file, followed by a line
    “<file>：另有 N 处同类问题（…）” for the rest of each kind."""
    counts: dict[tuple, int] = {}
    shown, rest = [], {}
    for item in items:
        key = _kind(item)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] <= MAX_SHOWN_PER_KIND:
            shown.append(item)
        else:   # the first of the rest is quoted as it is (the kind's key has its numbers as N)
            more, first = rest.get(key, (0, item))
            rest[key] = (more + 1, first)
    for (file, subject, _), (more, first) in rest.items():
        head = "：".join(p for p in (subject, file) if p)
        example = getattr(first, "message", str(first))
        shown.append(f"{head + '：' if head else ''}另有 {more} 处同类问题（如：{example}），未逐一列出；"
                     "请先改正以上几处，再运行一次")
    return shown


# File-system faults (a full disk, a read-only folder, a file-size limit): what happened, what to do.
_FILE_PROBLEMS = {
    errno.EROFS: ("磁盘或文件夹是只读的，无法写入", "请把工作目录放在可写的磁盘上，或请管理员取消只读"),
    errno.EACCES: ("没有读写权限", "请检查该文件或文件夹的权限，或换一个有权限的工作目录"),
    errno.EPERM: ("没有读写权限", "请检查该文件或文件夹的权限，或换一个有权限的工作目录"),
    errno.ENOSPC: ("磁盘空间已满，无法写入", "请清理磁盘空间后重新运行"),
    errno.EDQUOT: ("超出了磁盘配额，无法写入", "请清理文件或请管理员提高配额后重新运行"),
    errno.EFBIG: ("文件超过了系统允许的大小", "请提高文件大小限制（如 ulimit -f unlimited）或联系管理员后重新运行"),
    errno.ENAMETOOLONG: ("文件名或路径过长", "请缩短文档编号、单位名称或工作目录的路径"),
    errno.ENOENT: ("文件或文件夹不存在", "请检查路径是否正确"),
    errno.ENOTDIR: ("路径中有一部分不是文件夹", "请检查路径是否正确"),
    errno.EISDIR: ("这是一个文件夹，不是文件", "请检查路径是否正确"),
    errno.EEXIST: ("同名的文件或链接已存在", "请检查该位置"),
    errno.ELOOP: ("符号链接形成了循环", "请检查该位置的符号链接"),
    errno.EIO: ("读写出错（磁盘或网络盘故障）", "请检查磁盘或网络连接后重新运行"),
    errno.EMFILE: ("同时打开的文件过多", "请关闭其他程序后重新运行"),
    errno.ENFILE: ("同时打开的文件过多", "请关闭其他程序后重新运行"),
    errno.ETXTBSY: ("文件正被其他程序使用", "请关闭正在使用它的程序后重新运行"),
}


def file_error(exc: OSError, path: str | Path | None = None, note: str | None = None) -> GongfuError:
    """An OSError as the usual message: the path, what happened, what to do (and `note`: what was kept)."""
    path = path if path is not None else exc.filename
    problem, advice = _FILE_PROBLEMS.get(exc.errno, (f"无法读写（{exc.strerror or exc}）",
                                                     "请检查磁盘和文件权限后重新运行"))
    return GongfuError(problem, Place(display_path(path)) if path is not None else None,
                       hint=f"{advice}；{note}" if note else advice)


@contextlib.contextmanager
def writing(path: str | Path, note: str | None = None):
    """Reading or writing `path`: an OSError becomes file_error(…) naming the file (the one the system
    names, or `path`: a write() that fails names none)."""
    try:
        yield
    except OSError as exc:
        raise file_error(exc, exc.filename if exc.filename is not None else path, note) from None


class Collector:
    """Collects input errors so one run reports all of them."""

    def __init__(self):
        self.errors: list[GongfuError] = []

    def run(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except GongfuErrors as exc:
            self.errors.extend(exc.errors)
        except GongfuError as exc:
            self.errors.append(exc)
        return None

    def each(self, items, func) -> list:
        """func(item) for every item; failures are collected, successes returned in order."""
        results = [self.run(func, item) for item in items]
        return [r for r in results if r is not None]

    def raise_if_any(self):
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise GongfuErrors(self.errors)
