"""Parallel and incremental builds, judged on the files in build/ (bytes, mtimes, inodes), never
on time.

- `--jobs 2` writes the same bytes as `--jobs 1` (manifest included);
- a rebuild with nothing changed rewrites no file;
- after one data file changes, only the outputs that read it are rewritten, and they show the change.
"""

from __future__ import annotations

from pathlib import Path

from conftest import copy_workdir, docx_text, gongfu, normalise
from test_content import pdf_text

PARALLEL_IDS = ("gongzuo-yaodian-2024", "zhengfu-zeren-2024")


def files(build: Path) -> dict[str, Path]:
    """Every file under build/ by its relative name (the lock file aside)."""
    return {p.relative_to(build).as_posix(): p for p in sorted(build.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def stamps(build: Path) -> dict[str, tuple[int, int]]:
    """(mtime in ns, inode) of every file: a rewrite, in place or by a move, changes one of them."""
    return {name: (path.stat().st_mtime_ns, path.stat().st_ino) for name, path in files(build).items()}


def _jobs(work: Path, engine: str, ids=None) -> list:
    from gongfu_reports import kinds
    from gongfu_reports.build.scheduler import Job
    from gongfu_reports.compose.blocks import view_chars
    from gongfu_reports.render.registry import renderer_for

    config = kinds.load_config(work)
    config.pdf_engine = engine
    views = [kinds.compose_output(config, output).view for doc_id, doc in config.documents.items()
             for output in kinds.get(doc.kind).outputs(config, doc_id) if ids is None or doc_id in ids]
    return [Job(view.id, "", view.id, renderer_for(fmt, config), view, True, view_chars(view))
            for view in views for fmt in ("docx", "pdf")]


def _serial_then_parallel(work: Path, *args: str) -> None:
    """`build --jobs 1`, then `build --jobs 2 --force`: the same files, byte for byte."""
    result = gongfu(work, "build", *args, "--jobs", "1")
    assert result.returncode == 0, result.stderr
    serial = {name: path.read_bytes() for name, path in files(work / "build").items()}
    assert {f"{doc_id}.{fmt}" for doc_id in PARALLEL_IDS for fmt in ("docx", "pdf")} < set(serial)
    result = gongfu(work, "build", *args, "--jobs", "2", "--force")
    assert result.returncode == 0, result.stderr
    parallel = files(work / "build")
    assert sorted(parallel) == sorted(serial)
    for name, data in serial.items():   # the manifest too: same digests recorded
        assert parallel[name].read_bytes() == data, name


def test_parallel_build_writes_the_same_bytes_as_a_serial_one(tmp_path):
    work = copy_workdir(tmp_path / "work")
    # The default engine (Typst): the parallel build starts the Typst child (fonts loaded) and a check
    # worker before it composes, compiles on its thread and checks in the other process.
    jobs = _jobs(work, "typst")
    assert {job.renderer.runs_in for job in jobs} == {"process", "child"}
    _serial_then_parallel(work)


def test_parallel_build_with_the_html_engine_writes_the_same_bytes(tmp_path):
    from gongfu_reports.build.scheduler import pool_size

    work = copy_workdir(tmp_path / "work")
    # WeasyPrint renders in worker processes: two documents are enough work for two of them.
    assert pool_size(2, [job.seconds for job in _jobs(work, "html", PARALLEL_IDS)]) == 2
    _serial_then_parallel(work, *PARALLEL_IDS, "--engine", "html")


def test_rebuild_with_nothing_changed_rewrites_no_file(built):
    build = built / "build"
    before = stamps(build)
    assert {"gongzuo-yaodian-2024.pdf", "tongbao-2024-07.docx", ".manifest.json"} <= set(before)
    result = gongfu(built, "build")
    assert result.returncode == 0, result.stderr
    assert stamps(build) == before
    assert "已生成" not in result.stdout
    assert "gongzuo-yaodian-2024：输入未变化" in result.stdout


def test_one_changed_progress_file_rebuilds_only_the_outputs_of_that_period(tmp_path):
    work = copy_workdir(tmp_path / "work")
    ids = ("bulletin", "tongbao", "shishi-fangan")
    result = gongfu(work, "build", *ids)
    assert result.returncode == 0, result.stderr
    build = work / "build"
    before = stamps(build)

    progress = work / "data/zhengfu-2024/progress/2024-07.yaml"
    old = "（示例）一是严格落实政府债务偿还责任。"
    new = "（示例）一是严格落实政府债务偿还责任，七月已全部按期偿还。"
    text = progress.read_text("utf-8")
    assert old in text
    progress.write_text(text.replace(old, new), "utf-8")
    result = gongfu(work, "build", *ids)
    assert result.returncode == 0, result.stderr

    after = stamps(build)
    rewritten = {name for name in before if after.get(name) != before[name]}
    assert rewritten == {"bulletin-2024-07.docx", "bulletin-2024-07.pdf", "tongbao-2024-07.docx",
                         "tongbao-2024-07.pdf", ".manifest.json"}
    # The outputs of 2024-06 and the other document were kept as they were.
    assert {"bulletin-2024-06.pdf", "tongbao-2024-06.docx", "shishi-fangan.pdf"} <= set(before) - rewritten
    # What was rebuilt shows the change, in both formats.
    assert normalise(new) in normalise(pdf_text(build / "tongbao-2024-07.pdf"))
    assert normalise(new) in normalise(docx_text(build / "bulletin-2024-07.docx"))


def test_building_one_format_keeps_the_extracts_in_the_other(tmp_path):
    """`build --per-unit --format pdf` after a full build: the Word extracts stay, and the PDF ones
    are those of the new build (the bench found the DOCX extracts deleted as if stale)."""
    workdir = copy_workdir(tmp_path / "w")
    assert gongfu(workdir, "build", "zhengfu-zeren-2024", "--per-unit").returncode == 0
    folder = workdir / "build" / "zhengfu-zeren-2024-per-unit"
    docx = sorted(p.name for p in folder.glob("*.docx"))
    assert len(docx) >= 20
    assert sorted(p.stem for p in folder.glob("*.pdf")) == [Path(n).stem for n in docx]   # a PDF for each
    before = stamps(folder)
    result = gongfu(workdir, "build", "zhengfu-zeren-2024", "--per-unit", "--format", "pdf", "--force")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in folder.glob("*.docx")) == docx
    after = stamps(folder)
    assert all(after[n] == before[n] for n in docx)                          # untouched
    assert sorted(p.stem for p in folder.glob("*.pdf")) == [Path(n).stem for n in docx]
    assert all(after[n] != before[n] for n in before if n.endswith(".pdf"))  # rebuilt


def test_building_one_format_leaves_the_other_recorded(tmp_path):
    """A `--format pdf` build after a full one records the same inputs: the next full build changes nothing."""
    work = copy_workdir(tmp_path / "work")
    assert gongfu(work, "build", "shishi-fangan").returncode == 0
    assert gongfu(work, "build", "shishi-fangan", "--format", "pdf", "--force").returncode == 0
    before = stamps(work / "build")
    result = gongfu(work, "build", "shishi-fangan")
    assert result.returncode == 0, result.stderr
    assert "shishi-fangan：输入未变化" in result.stdout and stamps(work / "build") == before


def test_long_pdfs_checked_in_parts_give_the_findings_of_one_pass(tmp_path, monkeypatch):
    """A parallel build checks a long PDF in runs of pages, this process taking the first while a check
    worker takes the other: the warnings are a serial build's, page by page, and the body's size is
    judged on the whole document. Here every PDF is long enough, and the body is set at 15 pt, so the
    checks find something on a page (a line of 29 characters) and in the whole (the body's size).
    tests/test_lint.py: the parts of a PDF with findings on every page, split at every page."""
    from gongfu_reports.build import scheduler

    lint_warnings = _body_at_15pt(tmp_path, monkeypatch, ["gongzuo-yaodian-2024", "shishi-fangan"])
    serial = lint_warnings(1)
    monkeypatch.setattr(scheduler, "SPLIT_CHARS", 1000)
    split = _parts_checked(monkeypatch)
    parallel = lint_warnings(2)
    assert split == [2, 2]                     # both PDFs checked in two parts
    assert sum("全文，正文字号：应为 3 号" in w for w in serial) == 2   # judged on each whole document
    assert any("第5页，每行字数" in w for w in serial)
    assert parallel == serial


def test_the_last_pdf_is_checked_on_every_core(tmp_path, monkeypatch):
    """Once the build's last PDF is compiled, its checks are all that is left to do: a parallel build checks
    it in as many parts as it has cores (here two), the shorter PDFs before it whole. The warnings stay a
    serial build's."""
    lint_warnings = _body_at_15pt(tmp_path, monkeypatch, ["gaige-tupo-2024", "shishi-fangan"])
    serial = lint_warnings(1)
    split = _parts_checked(monkeypatch)
    assert lint_warnings(2) == serial and split == [2]
    assert any("shishi-fangan.pdf：第5页，每行字数" in w for w in serial)      # found in a part
    assert any("shishi-fangan.pdf：全文，正文字号" in w for w in serial)        # judged on the whole


def _body_at_15pt(tmp_path, monkeypatch, ids: list[str]):
    """The example with the body set at 15 pt (the checks find lines of 29 characters and the body's size),
    and a function that builds these documents with N jobs and gives the lint warnings."""
    from gongfu_reports.build import BuildOptions, build

    work = copy_workdir(tmp_path / "work")
    styles = work / "templates" / "styles.yaml"
    text = styles.read_text("utf-8")
    assert "字号: 16, 对齐: 两端, 首行缩进: 2}" in text
    styles.write_text(text.replace("字号: 16, 对齐: 两端, 首行缩进: 2}", "字号: 15, 对齐: 两端, 首行缩进: 2}", 1), "utf-8")
    monkeypatch.chdir(work)

    def lint_warnings(jobs: int) -> list[str]:
        result = build(Path("."), BuildOptions(ids, force=True, jobs=jobs))
        return [str(w) for w in result.warnings if w.category == "lint"]
    return lint_warnings


def _parts_checked(monkeypatch) -> list[int]:
    """The number of parts of each PDF the build checks in parts, as it puts them together."""
    from gongfu_reports.build import scheduler

    split = []
    real = scheduler._Parts.check
    monkeypatch.setattr(scheduler._Parts, "check", lambda parts: split.append(len(parts.others) + 1) or real(parts))
    return split
