"""One build: config → compose → render → publish, for the requested documents and formats."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .compose import compose_document
from .compose.blocks import Paragraph, Table
from .compose.extract import unit_extracts
from .config import BulletinConfig, Config, ListConfig, ProseConfig, load_config
from .errors import GongfuError, Place, display_path
from .lint import lint_bytes
from .files.names import safe_file_name
from .publish import Publisher, build_lock, inputs_digest
from .render.docx import PLAIN_TEMPLATE_NAME, render_docx, template_path
from .render.html import render_html, template_dirs
from .render.pdf import render_pdf
from .render.typst import render_pdf_typst, template_dirs as typst_template_dirs

FORMATS = ("docx", "pdf")
PDF_ENGINES = ("html", "typst")


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def document_inputs(config: Config, doc_id: str, period: str | None = None) -> list[Path]:
    """The files an output is made from (period: the one period of a bulletin; default all)."""
    doc = config.documents[doc_id]
    common = [config.root / "config.yaml", config.path(config.units)]
    common += template_dirs(config) + [template_path(config), template_path(config, PLAIN_TEMPLATE_NAME),
                                       Path(__file__).parent]
    common += typst_template_dirs(config) if config.pdf_engine == "typst" else []
    if isinstance(doc, (ProseConfig, ListConfig)):
        return common + [config.path(doc.file)]
    if isinstance(doc, BulletinConfig):
        files = common + [config.path(doc.tasks)]
        files += [config.path(doc.leaders)] if doc.leaders else []
        files += [config.path(doc.indicators.file)] if doc.indicators else []
        if period is not None:
            return files + _period_inputs(config, doc, period)
        files.append(config.path(doc.progress))
        return files + ([config.path(doc.indicator_values)] if doc.indicator_values else [])
    files = common + [config.path(doc.notice)]
    if config.districts:
        files.append(config.path(config.districts))
    for enc in doc.enclosures:
        files.append(config.path(enc.file))
        files += [config.path(p.file) for p in (enc.indicators,) if p]
        files += [config.path(enc.leaders)] if enc.leaders else []
        files += [_attachment_file(config, a) for a in enc.attachments]
    files += [_attachment_file(config, a) for a in doc.attachments]
    return files


def _variant(config: Config, formats: list[str]) -> str:
    """What an output depends on besides its input files: the gongfu version, formats and PDF engine."""
    return f"{__version__}{','.join(formats)}" + ("" if config.pdf_engine == "html" else f"@{config.pdf_engine}")


def _period_inputs(config: Config, doc: BulletinConfig, period: str) -> list[Path]:
    """A bulletin of one period reads that period's progress, the period before it (changes
    since then) and that period's indicator values: a new period leaves earlier ones alone."""
    from .sources.progress import period_files

    folder = config.path(doc.progress)
    earlier = [path for p, path in period_files(folder).items() if p < period]
    files = [folder / f"{period}.yaml"] + earlier[-1:]
    return files + ([config.path(doc.indicator_values) / f"{period}.yaml"] if doc.indicator_values else [])


def _attachment_file(config: Config, att) -> Path:
    if getattr(att, "document", None) and isinstance(config.documents.get(att.document), ListConfig):
        return config.path(config.documents[att.document].file)
    return config.path(att.file or "config.yaml")


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise GongfuError(f"不支持的输出格式：{'、'.join(bad) or '（空）'}；可选：docx、pdf")
    return formats


def build(root: Path, doc_ids: list[str] | None, formats: list[str], force: bool = False,
          progress=None, per_unit: bool = False, period: str | None = None,
          jobs: int | None = None, attachment: int | None = None, engine: str | None = None) -> BuildResult:
    """jobs: worker processes that render documents (default: all cores; 1 = render in this process).
    attachment: build only that attachment of the one notice named, as build/<id>-attachment-<N>.
    engine: the PDF engine, overriding config.yaml's pdf_engine."""
    config = load_config(root)
    if engine:
        if engine not in PDF_ENGINES:
            raise GongfuError(f"没有这种 PDF 排版引擎：“{engine}”", hint=f"可选：{'、'.join(PDF_ENGINES)}")
        config.pdf_engine = engine
    ids = doc_ids or list(config.documents)
    unknown = [d for d in ids if d not in config.documents]
    if unknown:
        raise GongfuError(f"config.yaml 中没有文档“{'、'.join(unknown)}”",
                          config.place("documents"), hint=f"已有文档：{'、'.join(config.documents)}")
    if attachment is not None:
        return _build_attachment(config, ids, attachment, formats, force, progress)
    build_dir = config.root / "build"
    result = BuildResult()
    with build_lock(build_dir):
        publisher = Publisher(build_dir)
        renderer = _Renderer(publisher, config, formats, jobs or default_jobs(), progress)
        try:
            for doc_id in ids:
                if isinstance(config.documents[doc_id], BulletinConfig):
                    _build_bulletin(publisher, renderer, config, doc_id, force, period, progress, result)
                    continue
                digest = inputs_digest(document_inputs(config, doc_id), _variant(config, formats))
                mark_size = config.documents[doc_id].mark_size
                composed = None
                if force or not publisher.up_to_date(doc_id, digest, [f"{doc_id}.{f}" for f in formats]):
                    if progress:
                        progress(doc_id, "compose")
                    composed = compose_document(config, doc_id)
                    result.warnings += [f"{doc_id}：{w}" for w in composed.warnings]
                    renderer.add(doc_id, digest, doc_id, composed.view, mark_size)
                else:
                    result.skipped.append(doc_id)
                    if progress:
                        progress(doc_id, "skip")
                if not per_unit or (not doc_ids and not _has_breakdown(config.documents[doc_id])):
                    continue   # `build --per-unit` without ids: extracts of the documents that have any
                key = f"{doc_id}/per-unit"
                if not force and publisher.up_to_date(key, digest):
                    result.skipped.append(key)
                    continue
                composed = composed or compose_document(config, doc_id)
                data = composed.data
                if not data["key_tasks"] and not data["livelihood"]:
                    raise GongfuError(f"文档“{doc_id}”没有责任分解内容，无法按单位生成清单",
                                      config.place("documents", doc_id))
                meta = data["meta"]
                extracts = unit_extracts(data, data["units"], meta.title.replace("\n", ""), str(meta.number or ""),
                                         meta.date.isoformat())
                if progress:
                    progress(doc_id, "extract")
                for unit, view in extracts:
                    renderer.add(key, digest, f"{doc_id}-per-unit/{safe_file_name(unit)}", view, mark_size)
            renderer.publish(result)
        finally:
            renderer.close()
            publisher.discard()
    return result


def _build_attachment(config: Config, ids: list[str], number: int, formats, force, progress) -> BuildResult:
    from .compose import compose_attachment
    from .config import DocumentConfig

    if len(ids) != 1 or not isinstance(config.documents[ids[0]], DocumentConfig):
        raise GongfuError("--attachment 需要且只能指定一个通知类文档（kind: notice）",
                          hint="例如：gongfu build gongzuo-yaodian-2024 --attachment 1")
    doc_id = ids[0]
    stem = f"{doc_id}-attachment-{number}"
    result = BuildResult()
    build_dir = config.root / "build"
    with build_lock(build_dir):
        publisher = Publisher(build_dir)
        try:
            digest = inputs_digest(document_inputs(config, doc_id), f"{_variant(config, formats)}#{number}")
            if not force and publisher.up_to_date(stem, digest, [f"{stem}.{f}" for f in formats]):
                result.skipped.append(stem)
                return result
            if progress:
                progress(stem, "compose")
            composed = compose_attachment(config, doc_id, number)
            result.warnings += [f"{doc_id}：{w}" for w in composed.warnings]
            renderer = _Renderer(publisher, config, formats, 1, progress)
            renderer.add(stem, digest, stem, composed.view, config.documents[doc_id].mark_size)
            renderer.publish(result)
        finally:
            publisher.discard()
    return result


def _has_breakdown(doc) -> bool:
    return any(e.kind in ("leader_tasks", "livelihood") for e in getattr(doc, "enclosures", []))


def _build_bulletin(publisher, renderer, config, doc_id, force, period, progress, result) -> None:
    """One output per period: build/<id>-<period>.docx|pdf (all periods when none is given)."""
    from .compose import compose_bulletin
    from .sources.progress import period_files

    doc = config.documents[doc_id]
    periods = [period] if period else list(period_files(config.path(doc.progress)))
    if not periods:
        raise GongfuError("还没有任何一期进展数据", Place(str(doc.progress)),
                          hint="先用 gongfu forms 生成填报表，再用 gongfu collect 收集")
    formats = renderer.formats
    for p in periods:
        key = f"{doc_id}-{p}"
        digest = inputs_digest(document_inputs(config, doc_id, p), _variant(config, formats))
        if not force and publisher.up_to_date(key, digest, [f"{key}.{f}" for f in formats]):
            result.skipped.append(key)
            continue
        if progress:
            progress(key, "compose")
        composed = compose_bulletin(config, doc_id, p)
        result.warnings += [f"{doc_id}：{w}" for w in composed.warnings]
        renderer.add(key, digest, key, composed.view, doc.mark_size)


def render_one(config: Config, fmt: str, view, mark_size: float) -> bytes:
    """One output as bytes: the unit of work of a parallel build (runs in a worker process)."""
    if fmt == "docx":
        return render_docx(view, config, mark_size)
    if config.pdf_engine == "typst":
        return render_pdf_typst(view, config, mark_size)
    return render_pdf(render_html(view, config, mark_size), view, config.root)


class _Renderer:
    """Collects the outputs to render while documents are composed and renders them: in this
    process (jobs=1, or too little work for a pool) or in a pool of worker processes (with the Typst
    engine started as soon as enough work has been added, so rendering overlaps the composing of
    later documents).
    Either way the parent stages the results in the order they were added, so outputs, manifest
    and commit are those of a serial build."""

    def __init__(self, publisher: Publisher, config: Config, formats: list[str], jobs: int, progress):
        self.publisher, self.config, self.formats, self.jobs = publisher, config, formats, jobs
        self.progress = progress
        self.work: list[tuple] = []   # (key, digest, stem, fmt, view, mark_size)
        self.chars: list[int] = []    # per item of work: its view's characters (_weight), taken once
        self.findings: list[tuple[str, object]] = []   # (file name in build/, lint Finding)
        self.pool = None
        self.seconds = 0.0            # estimated render time of the work added
        self.waiting: list[int] = []  # indexes into work, not yet submitted
        self.running: dict = {}       # index → future
        self.done: dict = {}          # index → (bytes, findings)

    def add(self, key, digest, stem, view, mark_size) -> None:
        for fmt in FORMATS:
            if fmt in self.formats:
                self.work.append((key, digest, stem, fmt, view, mark_size))
                self.chars.append(_weight(view))
                self.seconds += self._estimate(len(self.work) - 1)
                if self.pool is not None:
                    self.waiting.append(len(self.work) - 1)
        # Enough work for every worker: start them now, while the next documents are composed. Not
        # with WeasyPrint: its workers hold hundreds of MB per long table, and together with the
        # parent composing the next 1000-row document the scaled build came within 2 % of 1 GB.
        if self.pool is None and self.jobs > 1 and self.config.pdf_engine == "typst" \
                and self.seconds >= 2 * WORKER_START_S * self.jobs:
            self._start(self.jobs)
        if self.pool is not None:
            self._fill()

    def _estimate(self, i: int) -> float:
        # Linting an output costs about as much as rendering it.
        key, fmt = self.work[i][0], self.work[i][3]
        return _seconds(fmt, self.chars[i], self.config.pdf_engine) * (2 if _linted(key) else 1)

    def _memory(self, i: int) -> float:
        return _memory_mb(self.work[i][3], self.chars[i], self.config.pdf_engine)

    def _stage(self, item, rendered: tuple[bytes, list]) -> None:
        key, digest, stem, fmt = item[:4]
        data, findings = rendered
        self.publisher.stage(key, digest, f"{stem}.{fmt}", data)
        self.findings += [(f"{stem}.{fmt}", f) for f in findings]

    def publish(self, result: BuildResult) -> None:
        """Render what was added, move it all into build/, and report the GB/T 9704 findings on the
        outputs (gongfu lint's checks) as warnings."""
        self.run()
        result.written = self.publisher.commit()
        build_dir = self.publisher.build_dir
        result.warnings += [f"{display_path(build_dir / name)}：{finding}" for name, finding in self.findings]

    def _start(self, workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn: fresh workers, no state (locks, threads, fonts) inherited from this process.
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        self.workers = workers
        self.waiting = list(range(len(self.work)))

    def _fill(self) -> None:
        """Collect what has finished; submit what fits in the memory budget (always one at least),
        largest first (a long document must not start last and keep the others waiting), a few ahead."""
        for j in [j for j, future in self.running.items() if future.done()]:
            self.done[j] = self.running.pop(j).result()
        self.waiting.sort(key=lambda i: -self.chars[i])
        while self.waiting and len(self.running) < 2 * self.workers:
            used = sum(self._memory(j) for j in self.running)
            j = next((j for j in self.waiting if not self.running or used + self._memory(j) <= MEMORY_BUDGET_MB),
                     None)
            if j is None:
                break
            self.waiting.remove(j)
            self.running[j] = self.pool.submit(_render_in_worker, self.config, *self.work[j][3:6],
                                               _linted(self.work[j][0]))

    def run(self) -> None:
        if self.pool is None:
            workers = pool_size(self.jobs, [self._estimate(i) for i in range(len(self.work))])
            if workers <= 1:
                for item in self.work:
                    self._report(item)
                    self._stage(item, _render_and_lint(self.config, item[3], item[4], item[5], _linted(item[0])))
                self.work, self.chars = [], []
                return
            self._start(workers)
        from concurrent.futures import FIRST_COMPLETED, wait

        try:
            for i, item in enumerate(self.work):
                self._report(item)
                while i not in self.done:
                    self._fill()
                    if i not in self.done:
                        wait(self.running.values(), return_when=FIRST_COMPLETED)
                self._stage(item, self.done.pop(i))   # in the order added: the bytes of a serial build
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool, self.work, self.chars, self.waiting, self.running, self.done = None, [], [], [], {}, {}

    def close(self) -> None:
        """Stop the workers of a build that failed while they were rendering (nothing is staged)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _report(self, item) -> None:
        if self.progress:
            self.progress(item[2], item[3])


# A spawned worker starts Python and imports gongfu, WeasyPrint and python-docx before its first
# output: about 0.7 s more CPU per worker than rendering in this process (measured on 2 cores).
# Each worker must get twice that much work, or a pool makes a small build slower, not faster.
WORKER_START_S = 0.75


def pool_size(jobs: int, seconds: list[float]) -> int:
    """How many worker processes to render with (<= 1: none, render in this process): at most
    `jobs`, and only as many as have 2 × WORKER_START_S of estimated work each."""
    return min(jobs, len(seconds), int(sum(seconds) / (2 * WORKER_START_S)))


# A worker's memory grows by about 1 MB per 1000 characters of the PDF it lays out (WeasyPrint
# keeps every page until the file is written): ~550 MB at the peak for a 1000-row table, ~230 MB
# of it the worker itself. The outputs rendered at the same time may add at most this much, so
# two such tables never run together (one larger than the budget runs with small ones only).
MEMORY_BUDGET_MB = 400


def _memory_mb(fmt: str, chars: int, engine: str = "html") -> float:
    """Rough memory an output of `chars` characters (_weight) adds to a worker while it renders
    (Typst: a fifth of WeasyPrint's)."""
    return chars / (1000 if fmt == "pdf" and engine == "html" else 5000)


def _linted(key: str) -> bool:
    """Which outputs `gongfu build` checks against GB/T 9704: all but the per-unit extracts (many,
    plain, and made like the document they come from)."""
    return not key.endswith("/per-unit")


def _render_and_lint(config: Config, fmt: str, view, mark_size: float, lint: bool) -> tuple[bytes, list]:
    """An output's bytes and its lint findings: checked where it was rendered, in parallel."""
    data = render_one(config, fmt, view, mark_size)
    return data, lint_bytes(data, fmt) if lint else []


def _render_in_worker(config: Config, fmt: str, view, mark_size: float, lint: bool) -> tuple[bytes, list]:
    """_render_and_lint in a pool worker; after a large output, the memory it freed goes back to the
    system, so the worker does not keep the peak of its largest document for the rest of the build."""
    data = _render_and_lint(config, fmt, view, mark_size, lint)
    if _memory_mb(fmt, _weight(view), config.pdf_engine) > 50:
        import ctypes
        import gc

        gc.collect()
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)   # glibc: release free heap pages
        except (OSError, AttributeError):
            pass
    return data


def _seconds(fmt: str, chars: int, engine: str = "html") -> float:
    """Rough time to render one output of `chars` characters (_weight) on one core (fitted on the
    bundled example's documents)."""
    if fmt == "docx":
        return 0.03 + 1e-5 * chars
    return 0.1 + 7e-5 * chars if engine == "html" else 0.01 + 1e-5 * chars


def default_jobs() -> int:
    """The cores this process may use (fewer than the machine's in a container or under taskset)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # not on Linux
        return os.cpu_count() or 1


def _weight(view) -> int:
    """Roughly how long a view takes to render: its characters."""
    n = 0
    for section in view.sections:
        for block in section.blocks:
            if isinstance(block, Table):
                n += sum(len(line) for row in block.header + block.rows for cell in row for line in cell.lines)
            else:
                n += len(block.text) if isinstance(block, Paragraph) else 1000
    return n


def check(root: Path) -> list[str]:
    """Validate config, data and templates of every document without writing anything."""
    config = load_config(root)
    problems: list[GongfuError] = []
    for doc_id in config.documents:
        if isinstance(config.documents[doc_id], BulletinConfig):
            from .compose import compose_bulletin
            from .sources.progress import period_files

            for period in period_files(config.path(config.documents[doc_id].progress)):
                try:
                    compose_bulletin(config, doc_id, period)
                except GongfuError as exc:
                    problems.extend(getattr(exc, "errors", [exc]))
            continue
        try:
            composed = compose_document(config, doc_id)
            if config.pdf_engine == "typst":   # fast enough to lay the PDF out: finds template errors
                render_pdf_typst(composed.view, config, config.documents[doc_id].mark_size)
            else:
                render_html(composed.view, config, config.documents[doc_id].mark_size)
            problems += [GongfuError(w) for w in composed.warnings]
        except GongfuError as exc:
            problems.extend(getattr(exc, "errors", [exc]))
    if problems:
        from .errors import GongfuErrors
        raise GongfuErrors(problems) if len(problems) > 1 else problems[0]
    return list(config.documents)


__all__ = ["build", "check", "parse_formats", "FORMATS", "Place"]
