"""What a template may do. Templates are untrusted (shared between offices, sent by mail), so in
every engine a template reads only the templates folders (the working folder's templates/ and the
bundled one, symlinks followed) and the fonts config.yaml names, and runs within bounds: time,
work (loop passes, calls, characters made), the size of each string and number it makes and of
its output. Going past one is a Chinese error naming the template, never a hang.

This module: the limits, the folders a template may read, and the Jinja environment (HTML and
Word templates) that keeps to both. Typst runs native code that cannot be stopped in-process: its
compile runs in a child process with OS limits (typst_child.py), with the same time limit."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import math
import os
import re
import string
import time
import types
from pathlib import Path

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.loaders import split_template_path
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment

from .. import bundled
from ..errors import GongfuError, Place, display_path
from . import workers

# ---------------------------------------------------------------------------------------------
# Limits: generous for real documents, small enough to stop a runaway template in seconds and in
# hundreds of MB. Measured: the largest bundled document needs 33,000 work and
# makes 245,000 characters; the 1000-row 通报 of bench/workload.py 145,000 work, 663,000
# characters, under 0.3 s of Jinja, and a Typst compile of 2-5 s and 300-400 MB.

SECONDS = 20.0              # CPU time of one template rendering or one Typst compile: a busy
WALL_FACTOR = workers.WALL_FACTOR   # machine does not stop real documents; wall clock: 4 times that
MAX_CHARS = 20_000_000      # characters (or items) of one string or list a template makes, output included
MAX_WORK = 20_000_000       # loop passes + calls + characters made, per rendering
CALL_COST = 20              # work of a call, filter or operator (about 20 times a loop pass)
MAX_INT_BITS = 1024         # numbers up to about 10^308
MAX_FORMAT_WIDTH = 1000     # "%1000d", "{:>1000}"
MAX_TEMPLATE_BYTES = 5_000_000   # one template file
MEMORY_MB = 800             # data memory one Typst compile or WeasyPrint layout may add (RLIMIT_DATA)

BUNDLED_TEMPLATES = bundled.TEMPLATES


def seconds() -> float:
    """The CPU time limit: GONGFU_TEMPLATE_SECONDS for an unusually large document, else SECONDS."""
    return _setting("GONGFU_TEMPLATE_SECONDS", SECONDS, 1.0)


def memory_mb() -> int:
    """The memory limit of a Typst compile or a WeasyPrint layout: GONGFU_TEMPLATE_MEMORY_MB, else MEMORY_MB."""
    return int(_setting("GONGFU_TEMPLATE_MEMORY_MB", MEMORY_MB, 100))


def _setting(name: str, default: float, least: float) -> float:
    try:
        return max(least, float(os.environ.get(name, default)))
    except ValueError:
        return default


class LimitExceeded(Exception):
    """A template went past a limit or named something it may not read (message in Chinese)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message, self.hint = message, hint


# ---------------------------------------------------------------------------------------------
# What a template may read.

def template_roots(root: Path) -> tuple[Path, ...]:
    """The folders templates may read, symlinks resolved: the working folder's templates/ and
    the bundled templates."""
    return tuple(dict.fromkeys(p.resolve() for p in (Path(root) / "templates", BUNDLED_TEMPLATES)))


def inside(path: Path, roots: tuple[Path, ...]) -> bool:
    """Whether `path`, symlinks followed, lies in one of `roots` (a symlink loop does not)."""
    real = _resolved(path)
    return real is not None and any(real == r or real.is_relative_to(r) for r in roots)


def _resolved(path: Path) -> Path | None:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):   # a symlink loop
        return None


def forbidden_entries(folder: Path, roots: tuple[Path, ...]) -> list[tuple[Path, str]]:
    """(path, what is wrong) for each entry under `folder` a template must not be able to read:
    a symlink that points outside `roots` (Typst follows symlinks inside its project folder), a
    pipe or device (reading it would wait for ever or never end)."""
    found = []
    for parent, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(parent, name)
            if path.is_symlink() and not inside(path, roots):
                found.append((path, f"是指向模板文件夹以外（{_resolved(path) or os.readlink(path)}）的链接"))
            elif not (path.is_file() or path.is_dir()) and path.exists():
                found.append((path, "不是普通文件（管道或设备）"))
    return found


@dataclasses.dataclass(frozen=True)
class Readable:
    """What a template may read: files in `roots` (symlinks followed) and the font `files`."""

    roots: tuple[Path, ...]
    files: frozenset[Path] = frozenset()

    def allows(self, path: Path) -> bool:
        return inside(path, self.roots) or _resolved(path) in self.files


REFUSED_HINT = "模板只能读取工作目录 templates/ 中（及随附模板中）的文件和 config.yaml 中配置的字体"


# ---------------------------------------------------------------------------------------------
# Jinja: a loader confined to the template roots.

class ConfinedLoader(jinja2.BaseLoader):
    """FileSystemLoader's search (project folder first, then the bundled one; no "..") that
    reads a template only when the file, symlinks followed, lies in the template roots."""

    def __init__(self, folders: list[Path], roots: tuple[Path, ...]):
        self.folders, self.roots = [Path(f) for f in folders], roots

    def get_source(self, environment, template):
        pieces = split_template_path(template)
        for folder in self.folders:
            path = folder.joinpath(*pieces)
            if not path.is_file():
                continue
            if path.stat().st_size > MAX_TEMPLATE_BYTES:
                raise LimitExceeded(f"模板“{template}”过大（超过 {MAX_TEMPLATE_BYTES // 1_000_000} MB）")
            if not inside(path, self.roots):
                raise LimitExceeded(f"模板“{template}”是指向模板文件夹以外的链接（{_resolved(path) or os.readlink(path)}），不能读取",
                                    REFUSED_HINT)
            mtime = path.stat().st_mtime
            try:
                source = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise LimitExceeded(f"模板“{template}”不是 UTF-8 编码的文本",
                                    "用记事本“另存为”UTF-8 编码") from None
            return source, str(path), lambda: path.exists() and path.stat().st_mtime == mtime
        raise jinja2.TemplateNotFound(template)


# ---------------------------------------------------------------------------------------------
# Jinja: the work budget of the rendering in progress.

class _Budget:
    __slots__ = ("work", "next_check", "seconds", "cpu_deadline", "wall_deadline")

    def __init__(self):
        self.seconds = seconds()
        self.work, self.next_check = 0, 0
        self.cpu_deadline = time.thread_time() + self.seconds
        self.wall_deadline = time.monotonic() + WALL_FACTOR * self.seconds

    def charge(self, n: int) -> None:
        self.work += n
        if self.work >= self.next_check:
            if self.work > MAX_WORK:
                raise LimitExceeded(f"模板运算量超过上限（循环次数、调用次数与生成的字符合计 {MAX_WORK:,}），已停止",
                                    "检查模板中的循环：是否嵌套过深或次数过多")
            self.check_time()
            self.next_check = self.work + 1000

    def check_time(self) -> None:
        if time.thread_time() > self.cpu_deadline:
            raise LimitExceeded(f"模板运行超过 {self.seconds:g} 秒（CPU 时间），已停止", TIME_HINT)
        if time.monotonic() > self.wall_deadline:
            raise LimitExceeded(f"模板运行超过 {WALL_FACTOR * self.seconds:g} 秒，已停止", TIME_HINT)


TIME_HINT = "检查模板中的循环、宏和层层引用的 SVG 图形；文档确实很大时，可设环境变量 GONGFU_TEMPLATE_SECONDS 放宽"
MEMORY_HINT = "检查模板中的循环、大数组和层层引用的 SVG 图形；文档确实很大时，可设环境变量 GONGFU_TEMPLATE_MEMORY_MB 放宽"


def stopped(engine: str, reason: str, seconds: float, memory_mb: int) -> tuple[str, str | None]:
    """Message and hint for a layout (engine: "Typst", "HTML") stopped at a limit: reason "cpu", "wall",
    "memory" or "exit <code>" (typst_child.exit_reason)."""
    if reason == "cpu":
        return f"{engine} 模板排版超过 {round(seconds, 1):g} 秒（CPU 时间），已停止", TIME_HINT
    if reason == "wall":
        return f"{engine} 模板排版超过 {round(WALL_FACTOR * seconds, 1):g} 秒，已停止", TIME_HINT
    if reason == "memory":
        return f"{engine} 模板排版用尽了内存上限（{memory_mb} MB），已停止", MEMORY_HINT
    return f"{engine} 排版进程意外结束（{reason}）", None


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("gongfu_template_budget", default=None)


def _charge(n: int) -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.charge(n)


_SIZED = (str, list, tuple, dict, set, frozenset, range)
_METHODS = (types.MethodType, types.BuiltinMethodType)


def _size(value) -> int:
    return len(value) if isinstance(value, _SIZED) else 0


def _made(value):
    """Check and charge a value a template made: a string or list, or a number."""
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise LimitExceeded(f"模板计算出的数字过大（超过 {MAX_INT_BITS} 位二进制），已停止")
    n = _size(value)
    if n > MAX_CHARS:
        raise LimitExceeded(f"模板生成的文字或列表超过上限（{MAX_CHARS:,} 个字符或项），已停止")
    _charge(CALL_COST + n)
    return value


def _limit(n: float, what: str = "文字或列表") -> None:
    """Refuse before making something of about n characters or items."""
    if n > MAX_CHARS:
        raise LimitExceeded(f"模板要生成的{what}超过上限（{MAX_CHARS:,} 个字符或项），已停止")


_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_printf(fmt: str) -> None:
    """Widths and precisions of "%…d" conversions (they make strings of that length)."""
    for width, precision in _PRINTF.findall(fmt):
        for n in (width, precision):
            if n == "*" or (n and int(n) > MAX_FORMAT_WIDTH):
                raise LimitExceeded(f"模板中的格式宽度过大或不定（“%{width}.{precision}”，最多 {MAX_FORMAT_WIDTH}），已停止")


def _check_format(fmt: str) -> None:
    """Widths and precisions of "{:>…}" fields (str.format)."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return   # str.format raises the same error itself
    for _text, _name, spec, _conv in fields:
        if spec and ("{" in spec or any(int(n) > MAX_FORMAT_WIDTH for n in re.findall(r"\d+", spec))):
            raise LimitExceeded(f"模板中的格式宽度过大或不定（“{{:{spec}}}”，最多 {MAX_FORMAT_WIDTH}），已停止")


def _check_power(base, exponent) -> None:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        if exponent > MAX_INT_BITS or exponent * math.log2(abs(base)) > MAX_INT_BITS:
            raise LimitExceeded(f"模板计算出的数字过大（超过 {MAX_INT_BITS} 位二进制），已停止")


def _check_repeat(left, right) -> None:
    for seq, n in ((left, right), (right, left)):
        if isinstance(n, int) and isinstance(seq, (str, list, tuple)):
            _limit(len(seq) * n)
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
        raise LimitExceeded(f"模板计算出的数字过大（超过 {MAX_INT_BITS} 位二进制），已停止")


def _check_binop(op: str, left, right) -> None:
    if op == "*":
        _check_repeat(left, right)
    elif op == "**":
        _check_power(left, right)
    elif op == "%" and isinstance(left, str):
        _check_printf(left)
    elif op == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        _limit(len(left) + len(right))


def _replaced_size(s, old, new, count=-1) -> int:
    if not (isinstance(s, str) and isinstance(old, str) and isinstance(new, str)):
        return 0
    n = s.count(old) if old else len(s) + 1
    if isinstance(count, int) and count >= 0:
        n = min(n, count)
    return len(s) + n * (len(new) - len(old))


def _joined_size(items, sep="") -> int:
    if not isinstance(items, (list, tuple)):
        return 0
    return _text_size(items) + len(items) * len(str(sep))


def _int(n) -> int:
    return n if isinstance(n, int) else 0


def _lines(s) -> int:
    return s.count("\n") + 1 if isinstance(s, str) else 0


# The size of what a filter or a str method will make, from its arguments, for those that make
# more than they are given (a 1-character string centred in a width of 10^9): (value, *args).
_FILTER_GROWTH = {
    "center": lambda s, width=80, *a: _int(width),
    "indent": lambda s, width=4, *a: _lines(s) * (len(width) if isinstance(width, str) else _int(width)),
    "wordwrap": lambda s, width=79, long=True, wrapstring=None, *a: _lines(s) + len(s) * len(wrapstring or "\n"),
    "replace": _replaced_size,
    "join": _joined_size,
    "batch": lambda s, linecount, *a: _int(linecount),
    "slice": lambda s, slices, *a: _int(slices),
}
_METHOD_GROWTH = {
    "center": lambda s, width, *a: _int(width),
    "ljust": lambda s, width, *a: _int(width),
    "rjust": lambda s, width, *a: _int(width),
    "zfill": lambda s, width: _int(width),
    "expandtabs": lambda s, tabsize=8: s.count("\t") * _int(tabsize),
    "replace": _replaced_size,
    "join": lambda sep, items: _joined_size(items, sep),
}
# Filters whose time grows faster than their text (textwrap): at most this many characters.
_SLOW = {"wordwrap": 100_000}
# Filters that turn any value into text: a list holding the same long string many times makes a
# text that many times as long.
_STRINGIFY = {"string", "pprint", "tojson", "e", "escape", "forceescape", "urlize", "striptags", "title",
              "upper", "lower", "capitalize", "trim", "truncate", "wordcount", "urlencode", "xmlattr", "safe",
              "center", "indent", "wordwrap", "replace", "format"}


def _text_size(value) -> int:
    """About how many characters str(value) has (more than MAX_CHARS: stops counting)."""
    total, stack, steps = 0, [value], 0
    while stack and total <= MAX_CHARS and steps <= 1_000_000:
        v = stack.pop()
        steps += 1
        if isinstance(v, str):
            total += len(v)
        elif isinstance(v, (list, tuple, set, frozenset)):
            stack.extend(v)
            total += 2 + 2 * len(v)
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
            total += 2 + 4 * len(v)
        elif isinstance(v, jinja2.runtime.Namespace):
            stack.append(v._Namespace__attrs)
        elif dataclasses.is_dataclass(v):
            stack.extend(getattr(v, f.name) for f in dataclasses.fields(v))
            total += 20
        else:
            total += 20
    return total if not stack else MAX_CHARS + 1


def _estimate(table: dict, name: str, args: tuple, kwargs: dict) -> None:
    try:
        _limit(table[name](*args, **kwargs))
    except TypeError:
        pass   # wrong arguments: the call itself says so


def _bounded_filter(name: str, func):
    """A Jinja filter that checks what it will make before and after (value first; environment,
    context or eval context before it for the filters that take one)."""
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0

    def bounded(*args, **kwargs):
        values = args[skip:]
        if values:
            value = values[0]
            if name in _STRINGIFY and not isinstance(value, (str, int, float)):
                _limit(_text_size(value))
            if name in _SLOW and _size(value) > _SLOW[name]:
                raise LimitExceeded(f"模板中 {name} 处理的文字过长（最多 {_SLOW[name]:,} 个字符），已停止")
            if name in _FILTER_GROWTH:
                _estimate(_FILTER_GROWTH, name, values, kwargs)
            elif name == "format" and isinstance(value, str):
                _check_printf(value)
            elif name == "sum" and not isinstance(kwargs.get("start", values[2] if len(values) > 2 else 0),
                                                  (int, float)):
                raise LimitExceeded("模板中的 sum 只能用于数字")
            _charge(_size(value))
        return _made(func(*args, **kwargs))

    return functools.update_wrapper(bounded, func)   # with its jinja_pass_arg


def _printed(value):
    """environment.finalize: a value a template prints other than text or a number (a list, an
    object) becomes text of about _text_size characters; the same list printed in a loop
    adds up."""
    if not isinstance(value, (str, int, float, jinja2.Undefined)) and value is not None:
        n = _text_size(value)
        _limit(n, "内容")
        _charge(n)
    return value


def _loop(iterable):
    """The iterable of a {% for %}: its length charged at once when it has one, so that nested
    loops stop before they start; the clock looked at every 256 passes as they
    come (a long loop over work that costs nothing else, such as comparing long strings)."""
    if isinstance(iterable, _SIZED):
        _charge(len(iterable))
        return _Passes(iterable)
    return _passes(iterable, True)


class _Passes:
    """A sized iterable whose iterator looks at the clock (keeps len() for loop.length)."""

    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __iter__(self):
        return _passes(self.items, False)


def _passes(iterable, charge: bool):
    budget = _BUDGET.get()
    if budget is None:
        yield from iterable
        return
    for n, item in enumerate(iterable, 1):
        if not n & 255:
            budget.charge(256 if charge else 0)
            budget.check_time()
        yield item


def _concat(parts) -> str:
    """Joins the output of a template, a macro or a {% set %} block: within MAX_CHARS."""
    parts = parts if isinstance(parts, list) else list(parts)
    _limit(sum(map(len, parts)), "内容")
    return "".join(parts)


class _CodeGenerator(CodeGenerator):
    """Jinja's code with two more checks: the iterable of every {% for %} goes through
    environment.loop (its passes counted), the result of every ~ through environment.made."""

    def visit_For(self, node, frame):
        node.iter = nodes.Call(nodes.EnvironmentAttribute("loop"), [node.iter], [], None, None)
        super().visit_For(node, frame)

    def visit_Concat(self, node, frame):
        self.write("environment.made(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedTemplate(jinja2.Template):
    def render(self, *args, **kwargs) -> str:
        """Render within the budget; going past a limit is a GongfuError naming the template and line."""
        token = _BUDGET.set(_Budget())
        try:
            return super().render(*args, **kwargs)
        except (LimitExceeded, jinja2.TemplateNotFound, ArithmeticError, RecursionError, MemoryError, TypeError,
                ValueError) as exc:
            raise template_error(exc, self.environment.label) from None
        finally:
            _BUDGET.reset(token)


class TemplateEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox (no attribute tricks, no changing lists or dicts in place) with
    bounds on what a template makes and how long it runs. `label`: the template named in errors
    when Jinja has no file name for it (a Word template's XML)."""

    code_generator_class = _CodeGenerator
    template_class = BoundedTemplate
    intercepted_binops = frozenset({"+", "-", "*", "**", "%"})

    def __init__(self, label: str, **options):
        options.setdefault("loader", jinja2.DictLoader({}))   # a Word template includes nothing
        super().__init__(finalize=_printed, **options)
        self.label = label
        self._safe_attributes: dict[tuple[type, str], bool] = {}
        self.concat = _concat
        self.globals.pop("lipsum", None)   # makes any amount of text; no use in a document
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}

    # environment.loop / environment.made, called from the generated code (see _CodeGenerator)
    loop = staticmethod(_loop)
    made = staticmethod(_made)

    def call_binop(self, context, operator, left, right):
        _check_binop(operator, left, right)
        return _made(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args, **kwargs):   # noqa: N805 (Jinja's signature)
        bound_to = getattr(__obj, "__self__", None)
        if isinstance(bound_to, str) and __obj.__name__ in _METHOD_GROWTH:
            _estimate(_METHOD_GROWTH, __obj.__name__, (bound_to,) + args, kwargs)
        return _made(super().call(__context, __obj, *args, **kwargs))

    def is_safe_attribute(self, obj, attr, value) -> bool:
        # Jinja's checks depend on the type of obj and the name only; they cost a quarter of a
        # rendering (isinstance against the mutable ABCs for every attribute read): kept per type.
        key = (type(obj), attr)
        safe = self._safe_attributes.get(key)
        if safe is None:
            safe = self._safe_attributes[key] = super().is_safe_attribute(obj, attr, value)
        return safe

    def wrap_str_format(self, value):
        if not isinstance(value, _METHODS):
            return None   # as Jinja's own check, first: most values read are not methods
        wrapper = super().wrap_str_format(value)
        if wrapper is not None:   # str.format / format_map: check the widths first
            _check_format(value.__self__)
        return wrapper

    def getitem(self, obj, argument):
        return _made(super().getitem(obj, argument)) if isinstance(argument, slice) else super().getitem(obj, argument)


# ---------------------------------------------------------------------------------------------
# Errors: a Chinese message naming the template and, where Jinja knows it, the line.

def template_place(exc: BaseException, name: str) -> Place:
    """The template file and line of the innermost template frame in the traceback."""
    place = Place(name)
    tb = exc.__traceback__
    while tb is not None:
        # Jinja rewrites the traceback: a template's frames carry its file name and line.
        if "__jinja_exception__" in tb.tb_frame.f_globals or tb.tb_frame.f_code.co_filename.endswith(".j2"):
            filename = tb.tb_frame.f_code.co_filename
            # A Word template's XML has no lines a Word user could find: the template only.
            place = Place(name) if filename == "<template>" else Place(display_path(filename), line=tb.tb_lineno)
        tb = tb.tb_next
    return place


@contextlib.contextmanager
def template_errors(name: str, label: str = "模板"):
    """Rendering the template `name` (an HTML or web template): its errors as the user's messages,
    each naming the template and line ("模板语法错误…", or "网页模板语法错误…" with label="网页模板")."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        message, line = syntax_message(exc)
        raise GongfuError(f"{label}语法错误：{message}", Place(display_path(exc.filename or name), line=line)) from None
    except jinja2.UndefinedError as exc:
        raise GongfuError(f"{label}使用了未定义的变量：{undefined_message(exc)}", template_place(exc, name)) from None
    except jinja2.exceptions.SecurityError as exc:
        raise GongfuError(f"{label}中有不安全的操作：{exc}", template_place(exc, name)) from None
    except (LimitExceeded, jinja2.TemplateNotFound, RecursionError, MemoryError) as exc:   # loading it too
        raise template_error(exc, name) from None


def syntax_message(exc: jinja2.TemplateSyntaxError) -> tuple[str, int | None]:
    """A template syntax error in the editor's words, and the line to look at: for a block left open,
    the line that opens it (Jinja reports where the file ended)."""
    message, line = exc.message or "", exc.lineno
    innermost = re.search(r"The innermost block that needs to be closed is '(\w+)'", message)
    opened = _opened_at(exc, innermost[1]) if innermost else None
    if innermost and message.startswith("Unexpected end of template"):
        tag = innermost[1]
        return f"“{{% {tag} %}}”没有结束（缺少 {{% end{tag} %}}）", opened or line
    unknown = re.match(r"Encountered unknown tag '(\w+)'", message)
    if unknown and innermost:
        where = f"第{opened}行的" if opened else "前面的"
        return f"{{% {unknown[1]} %}} 与前面的标记不配对：{where}“{{% {innermost[1]} %}}”还没有结束", line
    if unknown:
        return f"不认识的标记“{{% {unknown[1]} %}}”", line
    if message.startswith("unexpected end of template, expected 'end of print statement'"):
        return "“{{”没有用“}}”结束", line
    return f"{message}（Jinja 的说明）", line


def _opened_at(exc: jinja2.TemplateSyntaxError, tag: str) -> int | None:
    """The line of the last {% tag %} of the template that no {% endtag %} closes."""
    source = exc.source
    if source is None and exc.filename:
        try:
            source = Path(exc.filename).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    opened: list[int] = []
    try:
        after_begin = False
        for line, kind, value in jinja2.Environment().lex(source or ""):
            if kind == "block_begin":
                after_begin = True
                continue
            if after_begin and kind == "name":
                if value == tag:
                    opened.append(line)
                elif value == f"end{tag}" and opened:
                    opened.pop()
            after_begin = after_begin and kind == "whitespace"
    except jinja2.TemplateSyntaxError:
        return None
    return opened[-1] if opened else None


def undefined_message(exc: jinja2.UndefinedError) -> str:
    """“view.frame 中没有 markk” rather than Python's “'gongfu_reports.compose.blocks.Frame object' has no
    attribute 'markk'”."""
    message = exc.message or ""
    missing = re.match(r"'(.+?) object' has no attribute '(.+)'$", message)
    if missing:
        owner = "这组数据" if missing[1] in ("dict", "list", "tuple") else f"“{missing[1].rsplit('.', 1)[-1]}”"
        return f"{owner}中没有“{missing[2]}”"
    name = re.match(r"'(.+)' is undefined$", message)
    return f"“{name[1]}”未定义" if name else message


def template_error(exc: BaseException, name: str) -> GongfuError:
    """The user's view of an exception raised while loading or rendering a template."""
    place = template_place(exc, name)
    if isinstance(exc, LimitExceeded):
        return GongfuError(exc.message, place, hint=exc.hint)
    if isinstance(exc, jinja2.TemplateNotFound):
        return GongfuError(f"模板引用的文件不存在：“{exc.name}”", place,
                           hint="HTML 模板引用的文件应在 templates/html/ 中（或是随附模板）；Word 模板不能引用其他文件")
    if isinstance(exc, OverflowError) and "MAX_RANGE" in str(exc):
        return GongfuError(f"模板中 range() 的范围过大（最多 {MAX_RANGE:,} 项），已停止", place)
    if isinstance(exc, RecursionError):
        return GongfuError("模板嵌套过深（宏或 include 调用自身，或括号套得太多），已停止", place)
    if isinstance(exc, MemoryError):
        return GongfuError("模板运行时内存不足，已停止", place)
    if isinstance(exc, ZeroDivisionError):
        return GongfuError("模板中有除以零的计算", place)
    return GongfuError(f"模板中的计算出错：{exc}", place)
