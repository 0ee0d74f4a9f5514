"""Document kinds: one module per kind (notice, prose, list, bulletin …), each with a KIND; this
registry finds them, validates config.yaml with their settings, and looks documents up.
A new kind is one module here (see docs/architecture.md)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from ..compose.titles import break_titles
from ..config import Config, DocumentSettings, load_config as _load_config
from ..errors import GongfuError
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
    composed = get(config.documents[output.doc_id].kind).compose(config, output)
    finish(config, composed.view)
    return composed


def finish(config: Config, view) -> None:
    """What every composed view gets, whatever its kind: titles broken where the words allow, for the
    title size of the style sheet and the width of their pages."""
    size = load_styles(config.root)["title"].size or TITLE_PT
    break_titles(view, TEXT_W * PT_PER_MM / size, LAND_TEXT_W * PT_PER_MM / size)


def check_ids(config: Config, ids: list[str]) -> None:
    unknown = [d for d in ids if d not in config.documents]
    if unknown:
        raise GongfuError(f"config.yaml 中没有文档“{'、'.join(unknown)}”", config.place("documents"),
                          hint=f"已有文档：{'、'.join(config.documents) or '（无）'}")


_discover()

__all__ = ["Composed", "Context", "Kind", "Output", "all_kinds", "check_ids", "compose", "compose_output", "document", "finish", "get",
           "load_config", "register", "unregister"]
