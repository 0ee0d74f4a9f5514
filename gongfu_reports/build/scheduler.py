"""Rendering the outputs of a build: jobs (one view, one renderer), each output checked against GB/T 9704
(gongfu lint), staged in the order the jobs were added, so outputs, manifest and commit are those of a
serial build. The scheduler knows jobs and renderers, not document kinds.

How a parallel build (--jobs > 1) spreads the work, by where each renderer runs (Renderer.runs_in):
- before the first output is composed (prepare), the check workers and the Typst child are started, on
  the cores that reading and composing leave idle;
- "child" (Typst): the compile is asked for on a thread as soon as the view is composed; the Typst child
  process compiles while this process composes the next documents;
- "process" (Word, the web edition): rendered here, once everything is composed;
- the checks of both go to a small pool of check workers (they import little and start fast); a long
  PDF is checked in parts, and so is the build's last one (then nothing else is left to do), this
  process taking the first when it gets to that output;
- "worker" (WeasyPrint, heavy Python): the whole build's rendering and checking runs in a pool of worker
  processes (spawned Python with gongfu imported: worth it only for the slow HTML engine)."""

from __future__ import annotations

import os
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from ..compose.blocks import DocumentView, view_chars
from ..config import Config
from ..errors import GongfuError, GongfuWarning, Place, display_path
from ..lint import check_pdf_part, lint_bytes, whole_pdf
from ..publish import Publisher
from ..render import typst_child
from ..render.registry import RENDERERS, Renderer
from ..render.workers import end_with_parent, ended_worker, remove_scratch, scratch_folder


@dataclass
class Job:
    key: str           # manifest entry the output belongs to
    digest: str
    name: str          # file name in build/ without suffix
    renderer: Renderer
    view: DocumentView
    lint: bool         # check the output against GB/T 9704
    chars: int         # the view's size (view_chars), taken once
    rendered: Future | None = None   # (bytes, findings: as _render gives them), when rendered on a thread
    last: bool = False  # of the build's last output: its checks are all that is left to do once it is rendered

    @property
    def checked(self) -> bool:
        return self.lint and self.renderer.gbt9704

    @property
    def seconds(self) -> float:
        # Linting an output costs about as much as rendering it.
        return self.renderer.seconds(self.chars) * (2 if self.checked else 1)

    @property
    def memory_mb(self) -> float:
        return self.renderer.memory_mb(self.chars)


class Scheduler:
    """Collects the jobs while documents are composed and renders them (see the module's docstring):
    all in this process with jobs=1, else spread over threads and processes."""

    def __init__(self, publisher: Publisher, config: Config, jobs: int, report):
        self.publisher, self.config, self.jobs, self.report = publisher, config, jobs, report
        self.work: list[Job] = []
        self.findings: list[tuple[str, object]] = []   # (file name in build/, lint Finding)
        self.thread = None            # waits for the Typst child's compiles
        self.checkers = None          # check worker processes
        self.prepared = False
        self.pool = None              # render worker processes (WeasyPrint)
        self.scratch = None           # their temporary folder (workers.scratch_folder)
        self.waiting: list[int] = []  # indexes into work, not yet submitted to the pool
        self.running: dict = {}       # index → future
        self.done: dict = {}          # index → (bytes, findings)

    def prepare(self, renderers: list[Renderer]) -> None:
        """An output is about to be composed with these renderers (and checked): a parallel build starts
        what its jobs will need while this process reads and composes: the check workers when it makes
        PDFs (the first one now, more as checks wait, up to jobs - 1) and each renderer's start (the
        Typst child, fonts loaded)."""
        if self.prepared or self.jobs <= 1 or _pooled(renderers):
            return
        self.prepared = True
        if any(r.gbt9704 and r.suffix == "pdf" for r in renderers):   # a Word file's checks take milliseconds
            self.checkers = _processes(self.jobs - 1, _check_worker_start)
            self.checkers.submit(int)   # the pool spawns a worker for a task waiting
        for r in renderers:
            if r.start is not None:
                self._thread().submit(r.start, self.config)

    def add(self, key: str, digest: str, name: str, view: DocumentView, renderers: list[Renderer],
            lint: bool = True, last: bool = False) -> None:
        """One job per renderer for a view (lint: check the outputs; per-unit extracts are not checked:
        many, plain, and made like the document they come from; last: the build's last output)."""
        chars = view_chars(view)
        spread = self.jobs > 1 and not _pooled(renderers)
        for renderer in renderers:
            self.work.append(Job(key, digest, name, renderer, view, lint, chars, last=last))
            if spread:
                self._start(self.work[-1])

    def _start(self, job: Job) -> None:
        """A job of a parallel build, as it is added: a Typst compile goes to the thread."""
        if job.renderer.runs_in == "child":
            job.rendered = self._thread().submit(self._render, job)

    def _thread(self):
        if self.thread is None:
            from concurrent.futures import ThreadPoolExecutor

            self.thread = ThreadPoolExecutor(1, thread_name_prefix="gongfu-typst")
        return self.thread

    def _render(self, job: Job) -> tuple[bytes, object]:
        """An output's bytes, and its findings: checked here (a list), in a check worker (its future)
        or in parts (_Parts)."""
        if self.checkers is None or not job.checked:
            return _render_and_lint(self.config, job.renderer.name, job.view, job.lint)
        data = job.renderer.render(job.view, self.config)
        parts = 1
        if job.renderer.suffix == "pdf":
            # A long PDF in parts, and the last output's on every core: nothing is left for them but its checks.
            parts = self.jobs if job.last else min(self.jobs, 1 + job.chars // SPLIT_CHARS)
        if parts == 1:
            return data, self.checkers.submit(lint_bytes, data, job.renderer.suffix)
        return data, _Parts(data, [self.checkers.submit(check_pdf_part, data, part, parts) for part in range(1, parts)])

    def _stage(self, job: Job, rendered: tuple[bytes, list]) -> None:
        data, findings = rendered
        file_name = f"{job.name}.{job.renderer.suffix}"
        self.publisher.stage(job.key, job.digest, file_name, data)
        self.findings += [(file_name, f) for f in findings]

    def publish(self, result) -> None:
        """Render what was added, move it all into build/, and report the GB/T 9704 findings on the
        outputs (gongfu lint's checks) as warnings."""
        self.run()
        result.written = self.publisher.commit()
        build_dir = self.publisher.build_dir
        result.warnings += [GongfuWarning(str(finding), Place(display_path(build_dir / name)), category="lint")
                            for name, finding in self.findings]

    def run(self) -> None:
        try:
            if _pooled([job.renderer for job in self.work]):
                self._run_pool()
                return
            rendered = []
            try:
                for job in self.work:
                    self._report(job)
                    data, findings = job.rendered.result() if job.rendered is not None else self._render(job)
                    rendered.append((data, findings.check() if isinstance(findings, _Parts) else findings))
                for job, (data, findings) in zip(self.work, rendered):   # in the order added: as a serial build
                    self._stage(job, (data, findings.result() if isinstance(findings, Future) else findings))
            except BrokenProcessPool:   # a check worker was killed (the kernel's OOM killer, kill -9)
                raise self._checks_stopped(job) from None
        finally:
            self.close()

    def _checks_stopped(self, job: Job) -> GongfuError:
        reason = ended_worker(self.checkers)
        why = "被系统终止，可能是内存不足" if reason == "memory" else f"意外结束（{reason}）"
        return GongfuError(f"GB/T 9704 检查进程{why}，未能完成检查",
                           Place(display_path(self.publisher.build_dir / f"{job.name}.{job.renderer.suffix}")),
                           hint="build/ 中的文件未改动；请关闭占用内存的程序后重新生成，或用 --jobs 1 逐个生成")

    def _run_pool(self) -> None:
        """Render and check everything in worker processes (or here, when a pool would not pay)."""
        workers = pool_size(self.jobs, [job.seconds for job in self.work])
        if workers <= 1:
            for job in self.work:
                self._report(job)
                self._stage(job, _render_and_lint(self.config, job.renderer.name, job.view, job.lint))
            return
        # A worker keeps ~450 MB after a 1000-row WeasyPrint table even when idle: with such an output in
        # the build, each worker ends after one output (a new one takes the next: ~1 s of start-up each).
        large = any(job.memory_mb > MEMORY_BUDGET_MB for job in self.work)
        start = next(job.renderer.worker_start for job in self.work if job.renderer.runs_in == "worker")
        self.scratch = scratch_folder()
        self.pool = _processes(workers, start, (self.scratch,), max_tasks_per_child=1 if large else None)
        self.workers = workers
        self.waiting = list(range(len(self.work)))
        from concurrent.futures import FIRST_COMPLETED, wait

        for i, job in enumerate(self.work):
            self._report(job)
            while i not in self.done:
                self._fill()
                if i not in self.done:
                    wait(self.running.values(), return_when=FIRST_COMPLETED)
            self._stage(job, self.done.pop(i))   # in the order added: the bytes of a serial build

    def _fill(self) -> None:
        """Collect what has finished; submit what fits in the memory budget (always one at least),
        largest first (a long document must not start last and keep the others waiting), a few ahead."""
        for j in [j for j, future in self.running.items() if future.done()]:
            try:
                self.done[j] = self.running.pop(j).result()
            except BrokenProcessPool:   # a worker went past its CPU time or memory (or was killed)
                job = self.work[j]
                raise job.renderer.worker_stopped(ended_worker(self.pool), job.view, self.config) from None
        self.waiting.sort(key=lambda i: -self.work[i].chars)
        while self.waiting and len(self.running) < 2 * self.workers:
            used = sum(self.work[j].memory_mb for j in self.running)
            j = next((j for j in self.waiting if not self.running or used + self.work[j].memory_mb <= MEMORY_BUDGET_MB),
                     None)
            if j is None:
                break
            self.waiting.remove(j)
            job = self.work[j]
            self.running[j] = self.pool.submit(_render_and_lint, self.config, job.renderer.name, job.view, job.lint)

    def close(self) -> None:
        """Stop the threads and processes of the build (of one that failed: what they were doing is dropped)."""
        if self.thread is not None and any(job.rendered is not None and not job.rendered.done() for job in self.work):
            typst_child.interrupt()   # a compile still running is not waited for
        for executor in (self.thread, self.checkers, self.pool):
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
        if self.scratch is not None:
            remove_scratch(self.scratch)
        self.thread = self.checkers = self.pool = self.scratch = None
        self.work, self.waiting, self.running, self.done = [], [], {}, {}

    def _report(self, job: Job) -> None:
        self.report(job.name, job.renderer.suffix)


# A PDF of more characters than this (view_chars) is checked in parts, one per core at most: the
# scaled workload's 1000-row tables took 1.6-2.1 s each to check, the last one alone at the build's end.
SPLIT_CHARS = 100_000


@dataclass
class _Parts:
    """A long PDF's checks in runs of pages: the first is this process's, the others are in the check
    workers (futures)."""
    data: bytes
    others: list[Future]

    def check(self) -> list:
        """The PDF's findings: this process checks its part while the workers check theirs."""
        first = check_pdf_part(self.data, 0, len(self.others) + 1)
        return whole_pdf([first] + [future.result() for future in self.others])


def _pooled(renderers: list[Renderer]) -> bool:
    """Whether the build renders in the worker pool: all of it, when a renderer is heavy Python (WeasyPrint)."""
    return any(r.runs_in == "worker" for r in renderers)


def _processes(n: int, initializer=None, initargs: tuple = (), max_tasks_per_child: int | None = None):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn: fresh workers, no state (locks, threads, fonts) inherited from this process.
    return ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"), initializer=initializer,
                               initargs=initargs, max_tasks_per_child=max_tasks_per_child)


def _check_worker_start() -> None:
    """A check worker's start: fewer cycle collections, the checks and PDFium imported before its
    first output arrives (about 0.2 s of CPU), and its end with the build's. (WeasyPrint's workers
    keep Python's defaults: its layout objects refer to each other, and fewer collections there left
    the 1000-row table's worker 30 MB larger.)"""
    from .. import lint, pdftext  # noqa: F401
    from ..gc_settings import fewer_collections

    fewer_collections()
    end_with_parent()


# A spawned worker starts Python and imports gongfu, WeasyPrint and python-docx before its first
# output: about 0.7 s more CPU per worker than rendering in this process (measured on 2 cores).
# Each worker must get twice that much work, or a pool makes a small build slower, not faster.
WORKER_START_S = 0.75


def pool_size(jobs: int, seconds: list[float]) -> int:
    """How many worker processes to render with (<= 1: none, render in this process): at most
    `jobs`, and only as many as have 2 × WORKER_START_S of estimated work each."""
    return min(jobs, len(seconds), int(sum(seconds) / (2 * WORKER_START_S)))


# The estimated memory (Renderer.memory_mb) of the outputs submitted to the worker pool at the same
# time may add up to at most this much; one larger output runs alone. So two large WeasyPrint tables
# (~800 MB each for 1000 rows) never run together.
MEMORY_BUDGET_MB = 400


def _render_and_lint(config: Config, renderer: str, view: DocumentView, lint: bool) -> tuple[bytes, list]:
    """An output's bytes and its lint findings: checked where it was rendered (in a worker: in parallel)."""
    r = RENDERERS[renderer]
    data = r.render(view, config)
    return data, lint_bytes(data, r.suffix) if lint and r.gbt9704 else []


def default_jobs() -> int:
    """The cores this process may use (fewer than the machine's in a container or under taskset)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # not on Linux
        return os.cpu_count() or 1
