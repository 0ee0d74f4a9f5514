"""User-facing errors and warnings: Chinese message, file and place; errors exit with code 2."""

from __future__ import annotations

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
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
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
        return "\n".join(str(e) for e in self.errors)


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
