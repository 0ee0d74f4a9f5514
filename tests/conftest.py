"""Shared fixtures: a copy of the bundled working folder, built once per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests (hypothesis), whichever file runs: no example database (nothing written into the
# repository, .hypothesis/), no deadline per example (the CI machine is loaded) and the same examples
# in every run (derandomize: a run passes or fails by the code, not by chance). To look for new failing
# inputs: GONGFU_HYPOTHESIS=explore .venv/bin/python -m pytest tests/test_properties.py tests/test_titles.py
# tests/test_punctuation.py (random examples, ten times as many); add what it finds as an @example.
settings.register_profile("gongfu", database=None, deadline=None, derandomize=True)
settings.register_profile("explore", database=None, deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("GONGFU_HYPOTHESIS", "gongfu"))

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "tests" / "fixtures" / "seeds"  # reference texts (copies of shared/seeds)
DOC_ID = "gongzuo-yaodian-2024"
MM = 72 / 25.4
EXAMPLE_OUTPUTS = 8   # config.yaml's documents, the bulletins once per period (2024-06, 2024-07)


def copy_workdir(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "config.yaml", target / "config.yaml")
    shutil.copytree(REPO / "data", target / "data", ignore=shutil.ignore_patterns("_src"))
    shutil.copytree(REPO / "templates", target / "templates")
    return target


def notices_folder(folder: Path, notices: dict[str, str]) -> Path:
    """A working folder of notices only (id → the notice's YAML), with the bundled settings and unit list."""
    (folder / "data").mkdir(parents=True)
    shutil.copy(REPO / "data" / "units.yaml", folder / "data" / "units.yaml")
    config = (REPO / "config.yaml").read_text(encoding="utf-8")
    documents = "".join(f"  {doc}:\n    kind: notice\n    notice: data/{doc}.yaml\n" for doc in notices)
    (folder / "config.yaml").write_text(config[:config.index("\ndocuments:")] + "\ndocuments:\n" + documents,
                                        encoding="utf-8")
    for doc, text in notices.items():
        (folder / "data" / f"{doc}.yaml").write_text(text, encoding="utf-8")
    return folder


# Processes (Linux /proc): whether the helpers of a killed command have ended.

def stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (the state first); None: no such process."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def alive(pid: int, started: str) -> bool:
    fields = stat(pid)
    return fields is not None and fields[0] != "Z" and fields[19] == started


def all_gone(helpers: dict[int, str]) -> bool:
    return not any(alive(pid, started) for pid, started in helpers.items())


def rewrite_zip(path: Path, changes: dict, add: dict[str, bytes] | None = None) -> None:
    """Write the zip at `path` (a DOCX, XLSX or ODT) again in place: the members named in `changes`
    through their function (bytes → bytes), each kept as it was stored, then the members of `add`."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            z.writestr(info, changes[info.filename](data) if info.filename in changes else data)
        for name, data in (add or {}).items():
            z.writestr(name, data)


def pdf_engine(path: Path) -> str:
    """Which engine wrote a PDF, from its metadata: "html" (WeasyPrint names itself as the producer),
    "typst" (Typst as the creator), else "?"."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        meta = pdf.get_metadata_dict()
    finally:
        pdf.close()
    if meta.get("Producer", "").startswith("WeasyPrint"):
        return "html"
    return "typst" if meta.get("Creator", "").startswith("Typst") else "?"


def headless_chromium(*arguments: str, capabilities: dict | None = None):
    """A headless Chromium under Selenium (the tests of gongfu serve and of the web edition); skips the
    test where it is not installed."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.skip("Chromium is not installed: `bash scripts/install.sh --with-test-tools` installs chromium and "
                    "chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", *arguments):
        options.add_argument(arg)
    for name, value in (capabilities or {}).items():
        options.set_capability(name, value)
    return webdriver.Chrome(service=Service(driver), options=options)


def gongfu(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gongfu_reports", *args, "-C", str(workdir)],
                          capture_output=True, text=True, cwd=workdir)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The bundled example built once with the default settings (DOCX, PDF by the Typst engine):
    returns the working folder."""
    workdir = copy_workdir(tmp_path_factory.mktemp("example"))
    result = gongfu(workdir, "build")
    assert result.returncode == 0, result.stderr
    (workdir / "build.log").write_text(result.stdout + result.stderr, encoding="utf-8")   # what the user saw
    pdfs = sorted((workdir / "build").glob("*.pdf"))
    assert len(pdfs) == EXAMPLE_OUTPUTS and all(pdf_engine(p) == "typst" for p in pdfs)   # tests loop over them
    return workdir


@pytest.fixture(scope="session")
def pdf_path(built) -> Path:
    return built / "build" / f"{DOC_ID}.pdf"


@pytest.fixture(scope="session")
def built_html(tmp_path_factory) -> Path:
    """The bundled example's PDFs made by the HTML engine (`build --engine html`, WeasyPrint), the PDF
    engine that is not the default: it passes the same checks of what a reader sees."""
    workdir = copy_workdir(tmp_path_factory.mktemp("example-html"))
    result = gongfu(workdir, "build", "--engine", "html", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    (workdir / "build.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    pdfs = sorted((workdir / "build").glob("*.pdf"))
    assert len(pdfs) == EXAMPLE_OUTPUTS and all(pdf_engine(p) == "html" for p in pdfs)   # tests loop over them
    return workdir


@pytest.fixture(scope="session", params=["typst", "html"])
def any_pdf_path(request) -> Path:
    """The 工作要点 PDF from each PDF engine: the checks of what a reader sees hold for both."""
    workdir = request.getfixturevalue("built" if request.param == "typst" else "built_html")
    return workdir / "build" / f"{DOC_ID}.pdf"


@pytest.fixture(scope="session")
def docx_path(built) -> Path:
    return built / "build" / f"{DOC_ID}.docx"


def libreoffice(sources: list[Path], target: str, out: Path, tmp_path_factory) -> list[Path]:
    """Convert files with LibreOffice in one call (target "pdf", "odt", …), with the font names the
    README's fontconfig file (fonts/60-gongfu-fonts.conf, installed by scripts/install.sh) maps,
    taken from this checkout so that the tests see its mapping whatever copy the machine has."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is installed by `bash scripts/install.sh --with-test-tools`"
    profile = tmp_path_factory.mktemp("lo-profile")
    fonts = tmp_path_factory.mktemp("fontconfig") / "fonts.conf"
    fonts.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                     '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                     f'<include>{REPO / "fonts" / "60-gongfu-fonts.conf"}</include></fontconfig>', encoding="utf-8")
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", target, "--outdir", str(out), *map(str, sources)],
                   check=True, capture_output=True, timeout=600, env={**os.environ, "FONTCONFIG_FILE": str(fonts)})
    made = [out / f"{source.stem}.{target}" for source in sources]
    assert all(path.exists() for path in made), [path.name for path in made if not path.exists()]
    return made


@pytest.fixture(scope="session")
def libreoffice_pdf(docx_path, tmp_path_factory) -> Path:
    """The DOCX as a Word user on LibreOffice sees it."""
    return libreoffice([docx_path], "pdf", tmp_path_factory.mktemp("lo"), tmp_path_factory)[0]


def normalise(text: str) -> str:
    return "".join(text.split())


# The seeds are web copies with half-width marks between Chinese characters; the documents print
# the GB/T 15834 full-width ones (tests/test_punctuation.py checks which): the text is compared
# with the width of the marks folded.
FOLD_WIDTH = str.maketrans("，；：？！（）“”", ",;:?!()\"\"")


def shingles(text: str, size: int = 12) -> set[str]:
    text = normalise(text).translate(FOLD_WIDTH)
    return {text[i:i + size] for i in range(len(text) - size + 1)}


def coverage(seed: str, text: str) -> float:
    """The share of the seed's 12-character shingles that the text contains."""
    wanted = shingles(seed)
    return len(wanted & shingles(text)) / len(wanted)


def docx_text(path: Path) -> str:
    """All text of a DOCX in document order: paragraphs and table cells (merged cells once)."""
    from docx import Document

    doc = Document(path)
    parts = []
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for tc in block.iter():
                if tc.tag.endswith("}tc"):
                    vmerge = [e for e in tc.iter() if e.tag.endswith("}vMerge")]
                    if vmerge and vmerge[0].get(
                            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") != "restart":
                        continue
                    parts.append("".join(t.text or "" for t in tc.iter() if t.tag.endswith("}t")))
    return "\n".join(parts)
