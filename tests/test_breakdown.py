"""The 责任分解 (seed 002): text, allocation tables, 版记, allocation checks, per-unit extracts."""

from __future__ import annotations

import re

import pdfplumber
import pytest
import yaml
from docx import Document
from docx.oxml.ns import qn

from conftest import MM, REPO, SEEDS, copy_workdir, coverage, docx_text, gongfu, libreoffice, normalise
from test_content import pdf_text

DOC = "zhengfu-zeren-2024"


@pytest.fixture(scope="module")
def paths(built):
    return built / "build" / f"{DOC}.docx", built / "build" / f"{DOC}.pdf"


def test_reproduces_seed_002(paths):
    seed = (SEEDS / "002_ec35677d0826c0ae.txt").read_text(encoding="utf-8")
    seed = seed.replace("$\\geq", "≥").replace("\\%$", "%")
    docx, pdf = paths
    assert coverage(seed, docx_text(docx)) >= 0.95
    assert coverage(seed, pdf_text(pdf)) >= 0.90


def test_leaders_tasks_and_lead_unit_note(paths):
    doc = Document(paths[0])
    h1 = [p.text for p in doc.paragraphs if p.style.name == "一级标题"]
    assert h1[:2] == ["一、徐仁标市长牵头重点工作", "二、毛江平常务副市长牵头重点工作"]
    assert "十一、各县（区）政府、功能区管委会，市政府直属各单位共同落实工作" in h1
    text = [p.text for p in doc.paragraphs]
    units = [t for t in text if t.startswith("责任单位：")]
    assert len(units) == 125
    notes = [t for t in text if "列第一位者为牵头单位，下同" in t]
    assert notes == ["责任单位：市财政局（市国资委），市属各国有企业（列第一位者为牵头单位，下同）"]   # written "(市国资委)": GB/T 15834
    assert "（此件公开发布）" in text
    assert text.index("（此件公开发布）") == text.index("2024年3月6日") + 1


def header_texts(table):
    return list({c._tc: c.text for c in table.rows[0].cells}.values())


def test_allocation_tables_in_docx(paths):
    doc = Document(paths[0])
    districts = ["市本级", "定海区", "普陀区", "岱山县", "嵊泗县", "高新区", "新城", "普朱"]
    tables = [t for t in doc.tables if header_texts(t)[:2] == ["序号", "事项分类"]]
    assert [len(header_texts(t)) for t in tables] == [15, 13]
    assert header_texts(tables[0]) == ["序号", "事项分类", "事项名称", "全市目标任务", *districts, "金塘", "六横", "责任单位"]
    assert header_texts(tables[1]) == ["序号", "事项分类", "事项内容", "全市目标任务", *districts, "责任单位"]
    provincial = tables[0]
    assert provincial.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    # 事项分类 merged down: 医疗卫生 covers rows 1–6 (序号 1–5 and the 培训应急救护人员 sub-row).
    assert provincial.cell(1, 1).text == "医疗卫生"
    assert provincial.cell(6, 1)._tc is provincial.cell(1, 1)._tc
    # The sub-row shares 序号 3 with the row above it, but has its own name.
    assert provincial.cell(4, 0)._tc is provincial.cell(3, 0)._tc and provincial.cell(3, 0).text == "3"
    assert provincial.cell(4, 2).text == "培训应急救护人员5万名以上"
    assert provincial.cell(1, 4).text == "/" and provincial.cell(1, 5).text == "37100"
    # Both tables sit in landscape sections.
    body = list(doc.element.body.iterchildren())
    for table in tables:
        index = body.index(table._tbl)
        sect = next(el for el in body[index:] if el.find(".//" + qn("w:sectPr")) is not None or el.tag == qn("w:sectPr"))
        sectpr = sect if sect.tag == qn("w:sectPr") else sect.find(".//" + qn("w:sectPr"))
        assert sectpr.find(qn("w:pgSz")).get(qn("w:orient")) == "landscape"


def test_allocation_pages_in_pdf_are_landscape_with_header(paths):
    with pdfplumber.open(paths[1]) as pdf:
        pages = [p for p in pdf.pages if p.width > p.height]
        assert len(pages) >= 4
        for page in pages:
            # The header row starts the table on every page.
            header = [normalise(c or "") for c in page.extract_tables()[0][0]]
            assert header[:4] in (["序号", "事项分类", "事项内容", "全市目标任务"],
                                  ["序号", "事项分类", "事项名称", "全市目标任务"]), (page.page_number, header)
            assert header[4] == "市本级" and header[-1] == "责任单位"
        text = normalise("".join(p.extract_text() for p in pages))
        assert "117000人" in text and "≥50%" in text


def imprint_bottom(page):
    lines = page.extract_text_lines()
    date = next(l for l in lines if l["text"].replace(" ", "").endswith("2024年3月8日印发"))
    copy = next(l for l in lines if l["text"].replace(" ", "").startswith("抄送："))
    return copy, date


def test_imprint_at_the_bottom_of_the_last_page(paths, libreoffice_pdf_002):
    for pdf_path in (paths[1], libreoffice_pdf_002):
        with pdfplumber.open(pdf_path) as pdf:
            last = pdf.pages[-1]
            assert last.width < last.height
            copy, date = imprint_bottom(last)
            bottom = last.height - 35 * MM
            assert bottom - 12 <= date["bottom"] <= bottom + 2, (pdf_path.name, date["bottom"], bottom)
            assert copy["top"] < date["top"]
            assert all("抄送" not in (p.extract_text() or "") for p in pdf.pages[:-1])
            # 印发日期 1 character (4号) in from the 版心's right edge (it was 2 in Word's layout); LibreOffice
            # draws the 版记's box 1.5 mm to the right
            right = last.width - 26 * MM - 14
            assert right - 1 * MM <= date["x1"] <= right + 2 * MM, (pdf_path.name, date["x1"] / MM, right / MM)


@pytest.fixture(scope="module")
def libreoffice_pdf_002(paths, tmp_path_factory):
    return libreoffice([paths[0]], "pdf", tmp_path_factory.mktemp("lo002"), tmp_path_factory)[0]


def test_check_reports_a_wrong_district_sum(tmp_path):
    workdir = copy_workdir(tmp_path / "w")
    path = workdir / "data" / "zhengfu-2024" / "provincial-allocation.yaml"
    text = path.read_text(encoding="utf-8")
    assert "定海区: '12400'" in text
    path.write_text(text.replace("定海区: '12400'", "定海区: '12000'", 1), encoding="utf-8")
    result = gongfu(workdir, "check")
    assert result.returncode == 2
    assert "provincial-allocation.yaml" in result.stderr
    assert "为全省重点人群免费开展结肠癌筛查" in result.stderr
    assert "44200人" in result.stderr and "43800" in result.stderr
    ok = gongfu(copy_workdir(tmp_path / "ok"), "check")
    assert ok.returncode == 0, ok.stderr


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    workdir = copy_workdir(tmp_path_factory.mktemp("units"))
    result = gongfu(workdir, "build", DOC, "--per-unit", "--format", "docx")
    assert result.returncode == 0, result.stderr
    return workdir / "build" / f"{DOC}-per-unit"


def expected_roles():
    """Independently from the data files: each canonical unit's (lead, shared) task texts."""
    units = yaml.safe_load((REPO / "data" / "units.yaml").read_text(encoding="utf-8"))
    canonical = {}
    for unit in units:
        for name in [unit["名称"], unit.get("全称"), *(unit.get("别称") or [])]:
            if name:
                canonical[name] = unit["名称"]
    tasks = yaml.safe_load((REPO / "data" / "zhengfu-2024" / "key-tasks.yaml").read_text(encoding="utf-8"))
    roles: dict[str, tuple[list, list]] = {}
    for task in tasks:
        names = [n for n in re.split(r"[、，,\s]+", task["责任单位"]) if n]
        seen = set()
        for i, name in enumerate(names):
            unit = canonical[name]
            if unit in seen:
                continue
            seen.add(unit)
            roles.setdefault(unit, ([], []))[0 if i == 0 else 1].append(task["任务内容"])
    return roles


def extract_tables(path):
    doc = Document(path)
    return [[row.cells[1].text for row in table.rows[1:]] for table in doc.tables], doc


def test_every_unit_gets_one_extract_with_exactly_its_tasks(extracts):
    roles = expected_roles()
    # The extracts' tables hold the unit's 民生实事 rows too: of the key tasks, exactly the unit's own.
    key_tasks = {text for lead, share in roles.values() for text in lead + share}
    files = {p.stem for p in extracts.glob("*.docx")}
    assert set(roles) <= files
    assert "市港航和口岸局" not in files  # an alias: its tasks are in 市港航局's extract
    for unit in ("市发改委", "市港航局", "市财政局", "市委组织部"):
        lead, share = roles[unit]
        tables, doc = extract_tables(extracts / f"{unit}.docx")
        heads = [p.text for p in doc.paragraphs if p.style.name == "一级标题"]
        lead_rows = tables[0] if lead else []
        assert sorted(t for t in lead_rows if t in key_tasks) == sorted(lead), unit
        shared_rows = tables[-1] if share else []
        assert sorted(t for t in shared_rows if t in key_tasks) == sorted(share), unit
        assert heads[0].startswith("一、牵头任务（") and heads[1].startswith("二、配合任务（")
