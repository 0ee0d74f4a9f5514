"""The bundled example working folder (config.yaml, data/, templates/): the one place that says where
it is. In a checkout it is the repository root; an installed wheel carries the same files as package
data in gongfu_reports/example/ (mapped there by pyproject.toml at build time).
A working folder's own templates/ overrides the bundled templates file by file."""

from __future__ import annotations

from pathlib import Path

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
