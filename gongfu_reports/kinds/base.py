"""What a document kind declares: its settings in config.yaml, its outputs (one per period where it has
periods), the data files each output reads (for the rebuild check), how an output is composed into the
view model, and the Word templates it is rendered with. build, check, serve, forms and the template tools
go through these, never through a kind's settings class."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from ..compose.blocks import DocumentView
from ..config import Config, DocumentSettings
from ..errors import GongfuError, GongfuWarning
from ..model import Breakdown, UnitRegistry
from ..sources.breakdown import load_districts
from ..sources.loaders import load_units


@dataclass(frozen=True)
class Output:
    """One output of a document: build/<stem>.docx and .pdf."""

    doc_id: str
    stem: str                  # the file name in build/ without suffix; also the key of its manifest entry
    period: str | None = None  # the reporting period, for kinds that have periods


@dataclass
class Composed:
    view: DocumentView
    warnings: list[GongfuWarning] = field(default_factory=list)
    breakdown: Breakdown | None = None   # what per-unit extracts are made from (`build --per-unit`)


class Kind:
    """One kind of document. A subclass lives in its own module of kinds/ as KIND = TheKind()."""

    name: ClassVar[str]                    # the `kind:` value in config.yaml
    label: ClassVar[str]                   # what office staff call it
    settings: ClassVar[type[DocumentSettings]]
    word_templates: ClassVar[tuple[str, ...]] = ("plain.docx",)   # in templates/docx/
    order: ClassVar[int] = 100             # where it is listed to users (help, templates list)

    def outputs(self, config: Config, doc_id: str, period: str | None = None, required: bool = True) -> list[Output]:
        """The outputs a build makes (period: the one asked for, where the kind has periods; required:
        having none is an error, not an empty list)."""
        return [Output(doc_id, doc_id)]

    def inputs(self, config: Config, output: Output) -> list[Path]:
        """The data files an output is made from (config.yaml, the unit registry, templates and the
        program are added by the build)."""
        raise NotImplementedError

    def compose(self, config: Config, output: Output) -> Composed:
        raise NotImplementedError

    def has_unit_extracts(self, config: Config, doc_id: str) -> bool:
        """Whether `build --per-unit` makes per-unit extracts of this document."""
        return False

    def attachment(self, config: Config, doc_id: str, number: int) -> Composed:
        """Attachment `number` on its own (`build --attachment N`)."""
        raise GongfuError("--attachment 需要且只能指定一个通知类文档（kind: notice）",
                          hint="例如：gongfu build gongzuo-yaodian-2024 --attachment 1")


class Context:
    """What one composition reads once and shares: the unit registry, the district registry (when
    asked for), and the warnings found on the way."""

    def __init__(self, config: Config):
        self.config = config
        self.units: UnitRegistry = load_units(config.path(config.units))
        self._districts: UnitRegistry | None = None
        self.warnings: list[GongfuWarning] = []

    @property
    def districts(self) -> UnitRegistry:
        if self._districts is None:
            if not self.config.districts:
                raise GongfuError("任务分解表需要区县名录：请在 config.yaml 中设置 districts", self.config.place())
            self._districts = load_districts(self.config.path(self.config.districts))
        return self._districts
