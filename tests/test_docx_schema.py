"""The WordprocessingML of every bundled DOCX keeps the children of each element in schema order
(ECMA-376 Part 1: the sequences of w:pPr, w:rPr, w:tblPr, w:tcPr, w:sectPr, …): Word reports a file
with, say, w:b before w:rFonts or w:tblBorders after w:tblLook as damaged."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from gongfu_reports.render.oxml import SEQUENCES, prefixed

DOCUMENTS = ["gongzuo-yaodian-2024", "zhengfu-zeren-2024", "shishi-fangan", "gaige-tupo-2024",
             "bulletin-2024-06", "tongbao-2024-06"]


def out_of_order(xml: bytes) -> list[str]:
    """Where a child comes after one the schema puts later, as "parent: child after sibling"."""
    found = []
    for element in etree.fromstring(xml).iter():
        order = SEQUENCES.get(prefixed(element.tag)) if isinstance(element.tag, str) else None
        if not order:
            continue
        ranks = [(order.index(name), name) for name in (prefixed(c.tag) for c in element if isinstance(c.tag, str))
                 if name in order]
        for (r1, n1), (r2, n2) in zip(ranks, ranks[1:]):
            if r2 < r1:
                found.append(f"{prefixed(element.tag)}: {n2} after {n1}")
    return found


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()
                if name.startswith("word/") and name.endswith(".xml") and "theme" not in name}


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_children_in_schema_order(built, doc):
    found = {name: out_of_order(xml) for name, xml in parts(built / "build" / f"{doc}.docx").items()}
    assert not any(found.values()), {name: sorted(set(f))[:5] for name, f in found.items() if f}


def test_the_sequences_agree_with_python_docx():
    """The order the check (and the writer) takes from render/oxml.py against another transcription of
    ECMA-376: python-docx inserts each child it knows where the schema puts it. Children added in a
    shuffled order come out in python-docx's order, which must be SEQUENCES' order too."""
    import random

    from docx.oxml.parser import OxmlElement

    checked = 0
    for tag in ("w:pPr", "w:rPr", "w:tblPr", "w:tcPr", "w:sectPr"):
        element = OxmlElement(tag)
        adders = sorted(name for name in dir(element) if name.startswith("get_or_add_"))
        random.Random(tag).shuffle(adders)
        for adder in adders:
            getattr(element, adder)()
        order = [prefixed(child.tag) for child in element]
        assert len(order) >= 4 and set(order) <= set(SEQUENCES[tag]), (tag, set(order) - set(SEQUENCES[tag]))
        assert sorted(order, key=SEQUENCES[tag].index) == order, tag
        checked += len(order)
    assert checked > 40


def test_the_check_finds_children_out_of_order():
    bad = (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
           b'<w:r><w:rPr><w:sz w:val="32"/><w:w w:val="90"/><w:b/><w:rFonts w:ascii="x"/></w:rPr></w:r></w:p>'
           b'<w:tbl><w:tblPr><w:tblLook w:val="04A0"/><w:tblBorders/></w:tblPr></w:tbl></w:body></w:document>')
    assert out_of_order(bad) == ["w:rPr: w:w after w:sz", "w:rPr: w:b after w:w", "w:rPr: w:rFonts after w:b",
                                 "w:tblPr: w:tblBorders after w:tblLook"]


def test_the_template_styles_of_an_older_template_are_put_in_order(tmp_path):
    """A Word template made before (w:rFonts after w:sz in its styles) gives a DOCX in order."""
    from conftest import copy_workdir, gongfu, rewrite_zip

    work = copy_workdir(tmp_path / "w")
    template = work / "templates" / "docx" / "plain.docx"

    def old_order(data: bytes) -> bytes:   # the order the old make-template wrote
        root = etree.fromstring(data)
        for rpr in root.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rPr"):
            fonts = rpr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rFonts")
            if fonts is not None:
                rpr.append(fonts)
        data = etree.tostring(root, encoding="UTF-8", standalone=True)
        assert out_of_order(data)
        return data
    rewrite_zip(template, {"word/styles.xml": old_order})
    result = gongfu(work, "build", "shishi-fangan", "--format", "docx")
    assert result.returncode == 0, result.stderr
    found = {name: out_of_order(xml) for name, xml in parts(work / "build" / "shishi-fangan.docx").items()}
    assert not any(found.values()), found
