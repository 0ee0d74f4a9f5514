"""`gongfu build` and `gongfu check`: which outputs are due (their inputs changed since the manifest
says they were made), each composed by its document kind (kinds/), rendered by the renderers of the
formats asked for (render/, run by scheduler.py), then published into build/ all at once (publish.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__, kinds
from ..compose.extract import unit_extracts
from ..config import Config
from ..errors import GongfuError, GongfuErrors, GongfuWarning, Place
from ..files.names import distinct_files, file_name
from ..kinds import Kind, Output
from ..publish import Publisher, build_lock, inputs_digest
from ..render.registry import DEFAULT_FORMATS, FORMATS, PDF_ENGINES, Renderer, renderer_for
from .scheduler import Scheduler, default_jobs

PACKAGE_DIR = Path(__file__).resolve().parents[1]   # the program is an input of every output
MAX_ATTACHMENT = 99


@dataclass
class BuildOptions:
    doc_ids: list[str] = field(default_factory=list)        # default: every document of config.yaml
    formats: list[str] = field(default_factory=lambda: list(DEFAULT_FORMATS))
    force: bool = False                                     # rebuild even if the inputs did not change
    per_unit: bool = False                                  # also one extract per responsible unit
    period: str | None = None                               # the one period of kinds with periods
    jobs: int | None = None                                 # worker processes (default: all cores)
    attachment: int | None = None                           # only that attachment of the one notice named
    engine: str | None = None                               # PDF engine, overriding config.yaml's pdf_engine
    progress: Callable[[str, str], None] | None = None      # progress(name, step), for the terminal

    def report(self, name: str, step: str) -> None:
        if self.progress:
            self.progress(name, step)


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[GongfuWarning] = field(default_factory=list)


def build(root: Path, options: BuildOptions) -> BuildResult:
    config = kinds.load_config(root)
    if options.engine:
        if options.engine not in PDF_ENGINES:
            raise GongfuError(f"没有这种 PDF 排版引擎：“{options.engine}”", hint=f"可选：{'、'.join(PDF_ENGINES)}")
        config.pdf_engine = options.engine
    ids = options.doc_ids or list(config.documents)
    kinds.check_ids(config, ids)
    renderers = [renderer_for(fmt, config) for fmt in options.formats]
    result = BuildResult()
    with build_lock(config.root / "build"):
        publisher = Publisher(config.root / "build")
        jobs = 1 if options.attachment else options.jobs or default_jobs()
        scheduler = Scheduler(publisher, config, jobs, options.report)
        try:
            if options.attachment is not None:
                _add_attachment(config, ids, options, renderers, publisher, scheduler, result)
            else:
                outputs = []
                for doc_id in ids:
                    kind, _ = kinds.document(config, doc_id)
                    outputs += [(kind, output) for output in kind.outputs(config, doc_id, options.period)]
                for i, (kind, output) in enumerate(outputs, 1):
                    _add_output(config, kind, output, options, renderers, publisher, scheduler, result,
                                last=i == len(outputs))
            scheduler.publish(result)
        finally:
            scheduler.close()
            publisher.discard()
    return result


def _add_output(config: Config, kind: Kind, output: Output, options: BuildOptions, renderers: list[Renderer],
                publisher: Publisher, scheduler: Scheduler, result: BuildResult, last: bool = False) -> None:
    """Compose and schedule an output whose inputs changed (last: the build's last), and its per-unit
    extracts when asked for."""
    doc_id = output.doc_id
    digest = output_digest(config, kind, output)
    composed = None
    if options.force or not publisher.up_to_date(output.stem, digest, [f"{output.stem}.{r.suffix}" for r in renderers]):
        scheduler.prepare(renderers)
        options.report(output.stem, "compose")
        composed = kinds.compose_output(config, output)
        result.warnings += [dataclasses.replace(w, subject=doc_id) for w in composed.warnings]
        scheduler.add(output.stem, digest, output.stem, composed.view, renderers, last=last)
    else:
        result.skipped.append(output.stem)
        options.report(output.stem, "skip")
    # `build --per-unit` without ids: the extracts of the documents that have any.
    if not options.per_unit or (not options.doc_ids and not kind.has_unit_extracts(config, doc_id)):
        return
    key = f"{doc_id}/per-unit"
    if not options.force and publisher.up_to_date(key, digest):
        result.skipped.append(key)
        return
    composed = composed or kinds.compose_output(config, output)
    if composed.breakdown is None:
        raise GongfuError(f"文档“{doc_id}”没有责任分解内容，无法按单位生成清单", config.place("documents", doc_id))
    options.report(doc_id, "extract")
    extracts = unit_extracts(composed.breakdown)
    distinct_files({unit: None for unit, _ in extracts}, "单位名称")   # one file per unit, never one for two
    for unit, view in extracts:
        kinds.finish(config, view)   # as the document they come from (its report names the places)
        scheduler.add(key, digest, f"{doc_id}-per-unit/{file_name(unit, '单位名称')}", view, renderers, lint=False)


def _add_attachment(config: Config, ids: list[str], options: BuildOptions, renderers: list[Renderer],
                    publisher: Publisher, scheduler: Scheduler, result: BuildResult) -> None:
    """`build NOTICE --attachment N`: that attachment alone, as build/<id>-attachment-<N>."""
    if len(ids) != 1:
        raise GongfuError("--attachment 需要且只能指定一个通知类文档（kind: notice）",
                          hint="例如：gongfu build gongzuo-yaodian-2024 --attachment 1")
    kind, _ = kinds.document(config, ids[0])
    if not 1 <= options.attachment <= MAX_ATTACHMENT:   # it becomes part of a file name
        raise GongfuError(f"没有第{options.attachment}个附件：附件编号最大为 {MAX_ATTACHMENT}", Place("--attachment"))
    stem = f"{ids[0]}-attachment-{options.attachment}"
    digest = output_digest(config, kind, kind.outputs(config, ids[0])[0], f"#{options.attachment}")
    if not options.force and publisher.up_to_date(stem, digest, [f"{stem}.{r.suffix}" for r in renderers]):
        result.skipped.append(stem)
        return
    options.report(stem, "compose")
    composed = kinds.compose_attachment(config, ids[0], options.attachment)
    result.warnings += [dataclasses.replace(w, subject=ids[0]) for w in composed.warnings]
    scheduler.add(stem, digest, stem, composed.view, renderers)


def inputs(config: Config, kind: Kind, output: Output) -> list[Path]:
    """Everything an output is made from: config.yaml, the unit registry, the kind's data files, the
    templates and style sheet of every renderer that can make it (the Word file, the configured PDF
    engine and the web edition), and the program itself."""
    files = [config.root / "config.yaml", config.path(config.units), PACKAGE_DIR]
    files += kind.inputs(config, output)
    return files + [path for r in _renderers(config) for path in r.inputs(config)]


def output_digest(config: Config, kind: Kind, output: Output, extra: str = "") -> str:
    """The digest of an output's inputs, whatever formats a build asks for: a `--format pdf` build and a
    full one record the same digest, so neither makes the other's outputs look changed."""
    renderers = ",".join(r.name for r in _renderers(config))
    return inputs_digest(inputs(config, kind, output), f"{__version__}{renderers}{extra}")


def _renderers(config: Config) -> list[Renderer]:
    return [renderer_for(fmt, config) for fmt in FORMATS]


def check(root: Path) -> tuple[list[str], list[GongfuWarning]]:
    """Compose every document (every period of those that have periods) and run the PDF template
    over it, writing nothing: all the errors at once (the data's inconsistencies among them, which a
    build only warns about), and the other warnings (such as tasks not reported yet)."""
    config = kinds.load_config(root)
    checked = [renderer_for("pdf", config), renderer_for("html", config)]   # the print and web templates
    problems: list[GongfuError] = []
    warnings: list[GongfuWarning] = []
    for doc_id in config.documents:
        kind, _ = kinds.document(config, doc_id)
        try:
            for output in kind.outputs(config, doc_id, required=False):
                composed = kinds.compose_output(config, output)
                found = [dataclasses.replace(w, subject=doc_id) for w in composed.warnings]
                problems += [w.as_error() for w in found if w.category == "data"]
                warnings += [w for w in found if w.category != "data"]
                for renderer in checked:
                    renderer.check(composed.view, config)
        except GongfuError as exc:
            problems.extend(getattr(exc, "errors", [exc]))
    if problems:
        raise GongfuErrors(problems) if len(problems) > 1 else problems[0]
    return list(config.documents), warnings
