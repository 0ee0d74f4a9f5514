"""The renderers: the view model of one document → the bytes of one output file, registered by name
("docx", "pdf:html", "pdf:typst", "html": the web edition), all with the signature render(view, config) -> bytes.
A format asked for on the command line ("docx", "pdf") picks its renderer here; the PDF engine
(config.yaml's pdf_engine) decides which PDF renderer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..compose.blocks import DocumentView
from ..config import Config
from ..errors import GongfuError
from . import workers
from .styles import sheet_files


def _docx(view: DocumentView, config: Config) -> bytes:
    from .docx import render_docx

    return render_docx(view, config)


def _pdf_html(view: DocumentView, config: Config) -> bytes:
    from .pdf import render_pdf_html

    return render_pdf_html(view, config)


def _pdf_typst(view: DocumentView, config: Config) -> bytes:
    from .typst import render_pdf_typst

    return render_pdf_typst(view, config)


def _weasyprint_stopped(reason: str, view: DocumentView, config: Config) -> GongfuError:
    from .pdf import stopped_error

    return stopped_error(reason, view, config.root)


def _start_typst(config: Config) -> None:
    from .typst import start_compiler

    start_compiler(config)


def _web(view: DocumentView, config: Config) -> bytes:
    from .web import render_web

    return render_web(view, config)


def _web_templates(config: Config) -> list[Path]:
    from .web import template_dirs

    return template_dirs(config)


def _check_html(view: DocumentView, config: Config) -> None:
    from .html import render_html

    render_html(view, config)   # template errors; laying out the PDF would take much longer


def _docx_templates(config: Config) -> list[Path]:
    from .docx import word_templates

    return word_templates(config)


def _html_templates(config: Config) -> list[Path]:
    from .html import template_dirs

    return template_dirs(config)


def _typst_templates(config: Config) -> list[Path]:
    from .typst import template_dirs

    return template_dirs(config)


@dataclass(frozen=True)
class Renderer:
    name: str                                        # "docx", "pdf:html", "pdf:typst"
    suffix: str                                      # of the output file
    render: Callable[[DocumentView, Config], bytes]
    check: Callable[[DocumentView, Config], None]    # what `gongfu check` runs: finds template errors
    templates: Callable[[Config], list[Path]]        # the template files and folders it reads
    # Rough cost of one output of n characters on one core (fitted on the bundled example), and the
    # memory it adds to a worker while it renders (WeasyPrint keeps every page until the file is written).
    seconds: Callable[[int], float]
    memory_mb: Callable[[int], float]
    # Where a parallel build runs it: "process" (in the build's own process: quick Python), "child" (its
    # work is done by a child process of its own, the Typst compiler: the build's process only waits, on a
    # thread, while it composes the next documents) or "worker" (heavy Python: WeasyPrint, in worker processes).
    runs_in: str = "process"
    gbt9704: bool = True             # a paged output that `gongfu lint` checks against GB/T 9704
    # What a parallel build starts before its first output is composed (the Typst child, fonts loaded).
    start: Callable[[Config], None] | None = None
    # "worker" renderers: what a worker process does before its first output (WeasyPrint: its limits, its
    # temporary files in the folder it is given: workers.bounded_start), and the error for an output whose
    # worker the system stopped (at its CPU time or memory: typst_child.exit_reason).
    worker_start: Callable[[str], None] | None = None
    worker_stopped: Callable[[str, DocumentView, Config], GongfuError] | None = None

    def inputs(self, config: Config) -> list[Path]:
        """What an output of this renderer is made from besides the view: its templates and the style
        sheet (for the rebuild check)."""
        return self.templates(config) + sheet_files(config.root)


RENDERERS = {r.name: r for r in (
    Renderer("docx", "docx", _docx, _docx, _docx_templates,
             seconds=lambda n: 0.03 + 1e-5 * n, memory_mb=lambda n: n / 5000),
    # WeasyPrint keeps every page until the PDF is written: measured on the scaled documents (2026-12-06),
    # a worker grows by ~100 MB (WeasyPrint and its fonts) and 2.3-3.8 MB per 1000 characters (the
    # 1000-row task list: 775 MB for 275 000 characters).
    Renderer("pdf:html", "pdf", _pdf_html, _check_html, _html_templates,
             seconds=lambda n: 0.1 + 7e-5 * n, memory_mb=lambda n: 100 + n / 400, runs_in="worker",
             worker_start=workers.bounded_start, worker_stopped=_weasyprint_stopped),
    # Typst's compile (in its child process) takes 300-400 MB for the 663 000 characters of the scaled
    # 1000-row 通报 (render/sandbox.py): about 1 MB per 2000 characters.
    Renderer("pdf:typst", "pdf", _pdf_typst, _pdf_typst, _typst_templates,
             seconds=lambda n: 0.01 + 1e-5 * n, memory_mb=lambda n: n / 2000, runs_in="child",
             start=_start_typst),
    # The web edition (政府信息公开): one self-contained page, no pages to check against GB/T 9704.
    Renderer("html", "html", _web, _web, _web_templates,
             seconds=lambda n: 0.01 + 2e-6 * n, memory_mb=lambda n: n / 20000, gbt9704=False),
)}
FORMATS = ("docx", "pdf", "html")
DEFAULT_FORMATS = ("docx", "pdf")      # what `gongfu build` makes unless --format says otherwise
PDF_ENGINES = ("html", "typst")


def renderer_for(fmt: str, config: Config) -> Renderer:
    """The renderer of an output format ("docx", "pdf") under the configured PDF engine."""
    return RENDERERS[fmt if fmt != "pdf" else f"pdf:{config.pdf_engine}"]


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise GongfuError(f"不支持的输出格式：{'、'.join(bad) or '（空）'}；可选：{'、'.join(FORMATS)}")
    return formats
