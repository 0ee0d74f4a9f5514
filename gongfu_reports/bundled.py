"""The bundled example working folder (config.yaml, data/, templates/): the one place that says where
it is. In a checkout it is the repository root; an installed wheel carries the same files as package
data in gongfu_reports/example/ (mapped there by pyproject.toml at build time).
A working folder's own templates/ overrides the bundled templates file by file."""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import GongfuError, Place, display_path

_PACKAGE = Path(__file__).resolve().parent
EXAMPLE = _PACKAGE / "example" if (_PACKAGE / "example" / "config.yaml").exists() else _PACKAGE.parent
TEMPLATES = EXAMPLE / "templates"


def template_dirs(root: Path, sub: str) -> list[Path]:
    """templates/<sub> of the working folder `root`, then the bundled one (those that exist)."""
    dirs = [Path(root) / "templates" / sub, TEMPLATES / sub]
    return [d for d in dict.fromkeys(dirs) if d.is_dir()]


def template_file(root: Path, sub: str, name: str) -> Path:
    """The working folder's templates/<sub>/<name> if there is one, else the bundled one."""
    own = Path(root) / "templates" / sub / name
    return own if own.exists() else TEMPLATES / sub / name


def init_working_folder(target: Path) -> Path:
    """`gongfu init DIR`: a new working folder with the bundled example's config.yaml, data/ and
    templates/ (the example's documents build from it at once; replace them with the office's own)."""
    target = Path(target)
    if (target / "config.yaml").exists():
        raise GongfuError("这里已经是工作目录（已有 config.yaml），没有改动任何文件", Place(display_path(target / "config.yaml")),
                          hint="换一个新的或空的文件夹")
    taken = [name for name in ("data", "templates") if (target / name).exists()]
    if taken:
        raise GongfuError(f"文件夹中已有 {'、'.join(taken)}，没有改动任何文件", Place(display_path(target)),
                          hint="换一个新的或空的文件夹")
    try:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copytree(EXAMPLE / "data", target / "data", ignore=shutil.ignore_patterns("_src"))
        shutil.copytree(TEMPLATES, target / "templates")
        shutil.copyfile(EXAMPLE / "config.yaml", target / "config.yaml")
    except OSError as exc:
        raise GongfuError(f"无法写入：{exc.strerror}", Place(display_path(exc.filename or target))) from None
    return target
