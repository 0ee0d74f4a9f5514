"""GB/T 9704 7.3.5: the 署名 and the 成文日期 never stand on a page of their own. Notices whose body
ends at every place of a page are laid out (Word file through LibreOffice, and both PDF engines);
on the page that carries the date there is the 署名 and a line of the body above it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import libreoffice, notices_folder
from gongfu_reports import kinds, pdftext
from gongfu_reports.render.registry import renderer_for

LINE = "各单位要按照本通知要求认真组织实施确保工作落实。"   # one line: 24 characters after the indent of 2
SIGNER, DATE = "舟山市测试办公室", "2024年5月6日"
LINES = range(4, 12)   # body lines: page 1 holds 9 under the 版头; the closing lines fall at its foot, then across it


def notice(lines: int) -> str:
    body = "".join(f"  - {LINE}\n" for _ in range(lines))
    return (f"发文机关标志: 舟山市测试办公室文件\n发文字号: 舟测办〔2024〕7号\n标题: 关于测试落款位置的通知\n"
            f"主送机关: 各有关单位\n正文:\n{body}署名: {SIGNER}\n成文日期: 2024-05-06\n")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return notices_folder(tmp_path_factory.mktemp("signature"), {f"n{k}": notice(k) for k in LINES})


def page_lines(pdf: Path) -> list[list[str]]:
    document = pdftext.open_document(pdf)
    try:
        return [[line.text.replace(" ", "") for line in page.lines] for page in pdftext.pages(document)]
    finally:
        document.close()


def check(pages: list[list[str]], lines: int) -> None:
    """The date's page: a body line, then the 署名, then the date."""
    dated = [i for i, page in enumerate(pages) if DATE in page]
    assert len(dated) == 1, (lines, pages)
    page = pages[dated[0]]
    assert LINE in page and SIGNER in page, (lines, dated[0] + 1, page)
    assert page.index(LINE) < page.index(SIGNER) < page.index(DATE), (lines, page)


@pytest.mark.parametrize("engine", ["typst", "html"])
def test_signature_and_date_stay_with_the_body_in_the_pdf(folder, engine, tmp_path):
    config = kinds.load_config(folder)
    config.pdf_engine = engine
    for k in LINES:
        composed = kinds.compose(config, f"n{k}", None)
        kinds.finish(config, composed.view)
        path = tmp_path / f"n{k}.pdf"
        path.write_bytes(renderer_for("pdf", config).render(composed.view, config))
        check(page_lines(path), k)
    assert any(DATE in page for page in page_lines(path)[1:]), "no notice of the range reaches a second page"


def test_signature_and_date_stay_with_the_body_in_word(folder, tmp_path, tmp_path_factory):
    """The Word file as LibreOffice lays it out (a Word user's view)."""
    config = kinds.load_config(folder)
    for k in LINES:
        composed = kinds.compose(config, f"n{k}", None)
        kinds.finish(config, composed.view)
        (tmp_path / f"n{k}.docx").write_bytes(renderer_for("docx", config).render(composed.view, config))
    pdfs = libreoffice([tmp_path / f"n{k}.docx" for k in LINES], "pdf", tmp_path_factory.mktemp("word"), tmp_path_factory)
    reached = False
    for k, pdf in zip(LINES, pdfs):
        pages = page_lines(pdf)
        check(pages, k)
        reached |= any(DATE in page for page in pages[1:])
    assert reached, "no notice of the range reaches a second page"


@pytest.mark.parametrize("engine", ["typst", "html"])
def test_a_long_last_paragraph_is_not_moved_whole(folder, engine, tmp_path):
    """A long last paragraph (13 lines) is not moved whole with the 署名, which would leave most of a
    page empty: it runs on from the page where it starts, filled to the foot of its 版心, and nothing
    runs out of the 版心."""
    from gongfu_reports.lint import lint
    from gongfu_reports.render import layout as L

    text = notice(4).replace(f"  - {LINE}\n", "", 1) + ""
    text = text.replace("署名:", f"  - {LINE * 13}\n署名:", 1)
    (folder / "data" / "n4.yaml").write_text(text, encoding="utf-8")
    try:
        config = kinds.load_config(folder)
        config.pdf_engine = engine
        composed = kinds.compose(config, "n4", None)
        kinds.finish(config, composed.view)
        path = tmp_path / "long.pdf"
        path.write_bytes(renderer_for("pdf", config).render(composed.view, config))
    finally:
        (folder / "data" / "n4.yaml").write_text(notice(4), encoding="utf-8")
    assert not [f for f in lint(path) if "版心" in str(f) or "页边距" in str(f)]
    (dated,) = [page for page in page_lines(path) if DATE in page]
    assert "落实" in "".join(dated[:dated.index(SIGNER)]), dated   # body text above the 署名
    document = pdftext.open_document(path)
    try:
        first = next(pdftext.pages(document))
        limit = first.height - L.MARGIN_BOTTOM * L.PT_PER_MM
        body = [line for line in first.lines if line.bottom <= limit + 2]
        assert limit - max(line.bottom for line in body) < 2 * L.LINE_PITCH_PT, [l.text for l in body]
    finally:
        document.close()
