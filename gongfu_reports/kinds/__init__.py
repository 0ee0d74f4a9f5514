"""Document kinds: one module per kind (notice, prose, list, bulletin …), each with a KIND; this
registry finds them, validates config.yaml with their settings, and looks documents up.
A new kind is one module here (see docs/architecture.md)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from ..compose.punctuation import normalise_view, report
from ..compose.titles import break_titles
from ..config import Config, DocumentSettings, load_config as _load_config
from ..errors import GongfuError, GongfuWarning
from ..files import punctuation
from ..render.layout import LAND_TEXT_W, PT_PER_MM, TEXT_W, TITLE_PT
from ..render.styles import load_styles
from .base import Composed, Context, Kind, Output

_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    """Add a kind (the modules of this package are registered when it is first imported)."""
    _KINDS[kind.name] = kind


def unregister(name: str) -> None:
    _KINDS.pop(name, None)


def _discover() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if isinstance(getattr(module, "KIND", None), Kind):
            register(module.KIND)


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.name))


def get(name: str) -> Kind:
    if name not in _KINDS:
        raise GongfuError(f"没有这种文档类型：“{name}”", hint=f"可选：{'、'.join(k.name for k in all_kinds())}")
    return _KINDS[name]


def load_config(root: Path) -> Config:
    """config.yaml of a working folder, every document checked by its kind's settings."""
    return _load_config(root, tuple(k.settings for k in all_kinds()))


def document(config: Config, doc_id: str) -> tuple[Kind, DocumentSettings]:
    """The kind and settings of a document of config.yaml."""
    check_ids(config, [doc_id])
    settings = config.documents[doc_id]
    return _KINDS[settings.kind], settings


def compose(config: Config, doc_id: str, period: str | None = None) -> Composed:
    """A document composed: its only output, or the latest period (or the one asked for) of a document
    that has periods."""
    kind, _ = document(config, doc_id)
    return compose_output(config, kind.outputs(config, doc_id, period)[-1])


def compose_output(config: Config, output: Output) -> Composed:
    """An output composed by its kind, then finished as every output is (finish)."""
    with punctuation.noting() as notes:   # the values the kind reads, with their places
        composed = get(config.documents[output.doc_id].kind).compose(config, output)
    composed.warnings += finish(config, composed.view, notes)
    return composed


def compose_attachment(config: Config, doc_id: str, number: int) -> Composed:
    """Attachment `number` of a document on its own (`build --attachment N`), finished as every output is."""
    kind, _ = document(config, doc_id)
    with punctuation.noting() as notes:
        composed = kind.attachment(config, doc_id, number)
    composed.warnings += finish(config, composed.view, notes)
    return composed


def finish(config: Config, view, notes: list | None = None) -> list[GongfuWarning]:
    """What every composed view gets, whatever its kind: its printed text set to GB/T 15834
    punctuation (config.yaml's normalise_punctuation; returned: each change at the place it was read,
    from the notes the readers took while it was composed), and titles broken where the words allow,
    for the title size of the style sheet and the width of their pages."""
    changed = []
    if config.normalise_punctuation:
        changes = normalise_view(view)
        changed = report(changes, notes) if changes and notes is not None else []
    size = load_styles(config.root)["title"].size or TITLE_PT
    break_titles(view, TEXT_W * PT_PER_MM / size, LAND_TEXT_W * PT_PER_MM / size)
    return changed


def check_ids(config: Config, ids: list[str]) -> None:
    unknown = [d for d in ids if d not in config.documents]
    if unknown:
        hint = f"已有文档：{'、'.join(config.documents) or '（无）'}"
        # The name of an output of one period (build/tongbao-2024-07.pdf): the document and its period.
        for doc_id in config.documents:
            match = re.fullmatch(re.escape(doc_id) + r"-(\d{4}-\d{2})", unknown[0])
            if match:
                hint = f"按期间生成的文档写作：gongfu build {doc_id} --period {match[1]}；" + hint
        raise GongfuError(f"config.yaml 中没有文档“{'、'.join(unknown)}”", config.place("documents"), hint=hint)


_discover()

__all__ = ["Composed", "Context", "Kind", "Output", "all_kinds", "check_ids", "compose", "compose_attachment", "compose_output", "document", "finish", "get",
           "load_config", "register", "unregister"]
