"""Which template files each document kind uses, and copying the bundled ones into a project
(`gongfu templates export|list`). A project's templates/ overrides the bundled files one by one
(see render/html.py and render/docx.py); this module only copies and compares files."""

from __future__ import annotations

import filecmp
import shutil
from dataclasses import dataclass
from pathlib import Path
from . import kinds as registry
from .bundled import TEMPLATES as BUNDLED_DIR
from .errors import GongfuError, display_path

# The HTML template (PDF and preview) and its style sheet serve every kind, and so does the Typst
# template (pdf_engine: typst); each kind names its Word templates (the one with the 版头 serves
# documents with a 版头, the plain one the others).
HTML_FILES = ["html/document.html.j2", "html/gongwen.css.j2"]
TYPST_FILES = ["typst/document.typ"]
STYLE_FILES = ["styles.yaml"]          # the style sheet of paragraph roles: Word and both PDF engines
WEB_FILES = ["web/document.html.j2", "web/web.css.j2"]   # the web edition (gongfu build --format html)


def kinds() -> list[str]:
    """The document kinds of config.yaml (the `kind:` values)."""
    return [k.name for k in registry.all_kinds()]


def kind_files(kind: str) -> list[str]:
    """The template files (relative to templates/) a document of this kind is rendered with."""
    return STYLE_FILES + HTML_FILES + TYPST_FILES + WEB_FILES + [f"docx/{name}" for name in registry.get(kind).word_templates]


def users_of(name: str) -> list[str]:
    """The kinds that use a template file."""
    return [k for k in kinds() if name in kind_files(k)]


@dataclass
class Copied:
    name: str          # relative to templates/, e.g. "html/document.html.j2"
    target: Path
    action: str        # "copied", "same", "kept" (edited, not overwritten), "replaced" (with --force)
    backup: Path | None = None


def export(kind: str, target_dir: Path, force: bool = False) -> list[Copied]:
    """Copy the bundled templates of a kind into target_dir (templates/ of the project). A file that
    is already there and differs from the bundled one was edited: it is kept unless force, and then
    saved as <name>.bak first."""
    names = kind_files(kind)
    if target_dir.resolve() == BUNDLED_DIR:
        raise GongfuError(f"“{display_path(target_dir)}”就是随附模板所在的目录，模板已在这里，可直接编辑",
                          hint="要在其他工作目录中使用，请在该目录中运行 gongfu templates export")
    out = []
    for name in names:
        source, target = BUNDLED_DIR / name, target_dir / name
        # Copies are written into templates/ only: never through a link that leads elsewhere.
        linked = next((p for p in (target, *target.parents)
                       if p != target_dir and p.is_relative_to(target_dir) and p.is_symlink()), None)
        if linked is not None:
            raise GongfuError(f"“{display_path(linked)}”是指向其他位置的链接，模板不写入它", hint="请删除该链接后再导出")
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            out.append(Copied(name, target, "copied"))
        elif filecmp.cmp(source, target, shallow=False):
            out.append(Copied(name, target, "same"))
        elif not force:
            out.append(Copied(name, target, "kept"))
        else:
            backup = target.with_name(target.name + ".bak")
            shutil.copyfile(target, backup)
            shutil.copyfile(source, target)
            out.append(Copied(name, target, "replaced", backup))
    return out


@dataclass
class TemplateStatus:
    name: str
    kinds: list[str]
    state: str         # "bundled" (not overridden), "same" (project copy, unchanged), "edited"; "unused"


def status(project_dir: Path) -> list[TemplateStatus]:
    """Each bundled template: used from the bundle or overridden by the project; then the project's
    files that no renderer looks for (a misspelt name is silently ignored otherwise)."""
    bundled = sorted({n for k in kinds() for n in kind_files(k)})
    out = []
    for name in bundled:
        own = project_dir / name
        if project_dir.resolve() == BUNDLED_DIR or not own.exists():
            state = "bundled"
        else:
            state = "same" if filecmp.cmp(BUNDLED_DIR / name, own, shallow=False) else "edited"
        out.append(TemplateStatus(name, users_of(name), state))
    if project_dir.is_dir() and project_dir.resolve() != BUNDLED_DIR:
        for sub in ("html", "typst", "docx"):
            for path in sorted((project_dir / sub).glob("*")) if (project_dir / sub).is_dir() else []:
                name = f"{sub}/{path.name}"
                if path.is_file() and name not in bundled and not _ignorable(path.name):
                    out.append(TemplateStatus(name, [], "unused"))
    return out


def _ignorable(name: str) -> bool:
    """Backups and the lock files Word, WPS and LibreOffice leave beside an open document."""
    return name.endswith((".bak", "~")) or name.startswith(("~$", ".~lock", "."))
