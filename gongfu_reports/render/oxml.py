"""Small lxml helpers for what python-docx has no API for: East Asian fonts, docGrid,
PAGE fields, odd/even footers, repeated header rows, sections, character scale."""

from __future__ import annotations

import copy

from docx.oxml import OxmlElement
from docx.oxml.ns import qn


def _child(parent, tag: str, before: tuple[str, ...] = ()):
    """Get or create a child element (inserted before the first of `before` that exists)."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        for name in before:
            anchor = parent.find(qn(name))
            if anchor is not None:
                anchor.addprevious(found)
                break
        else:
            parent.append(found)
    return found


def set_fonts(rpr, east_asia: str, latin: str | None = None) -> None:
    """Set the East Asian (and Latin) font of a run or style: w:rFonts w:eastAsia."""
    fonts = _child(rpr, "w:rFonts")
    latin = latin or east_asia
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia), ("w:cs", latin)):
        fonts.set(qn(attr), value)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def set_char_spacing(rpr, twentieths_pt: int) -> None:
    _child(rpr, "w:spacing").set(qn("w:val"), str(twentieths_pt))


def set_char_scale(rpr, percent: int) -> None:
    _child(rpr, "w:w").set(qn("w:val"), str(percent))


def set_snap_to_grid(ppr, on: bool) -> None:
    _child(ppr, "w:snapToGrid").set(qn("w:val"), "1" if on else "0")


def set_doc_grid(sectpr, line_pitch_twips: int) -> None:
    """Lines-only grid: 22 lines per page; characters are placed by condensed spacing,
    which Word and LibreOffice both honour (LibreOffice mis-renders the character grid)."""
    grid = _child(sectpr, "w:docGrid")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(line_pitch_twips))
    grid.attrib.pop(qn("w:charSpace"), None)


def add_page_field(paragraph, before: str = "— ", after: str = " —") -> None:
    """"— PAGE —" with a real PAGE field (fldChar begin/instr/separate/end)."""
    paragraph.add_run(before)
    run = paragraph.add_run()
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)
    paragraph.add_run(after)


def set_repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    _child(trpr, "w:tblHeader").set(qn("w:val"), "1")


def set_cant_split(row, value: bool = False) -> None:
    trpr = row._tr.get_or_add_trPr()
    _child(trpr, "w:cantSplit").set(qn("w:val"), "1" if value else "0")


def set_cell_margins(table, top=40, bottom=40, left=70, right=70) -> None:
    tblpr = table._tbl.tblPr
    mar = _child(tblpr, "w:tblCellMar")
    for side, value in (("top", top), ("left", left), ("bottom", bottom), ("right", right)):
        el = _child(mar, f"w:{side}")
        el.set(qn("w:w"), str(value))
        el.set(qn("w:type"), "dxa")


def set_table_borders(table, size_eighths: int = 4) -> None:
    tblpr = table._tbl.tblPr
    borders = _child(tblpr, "w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = _child(borders, f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), str(size_eighths))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")


def set_paragraph_border(ppr, side: str, color: str, size_eighths: int, space_pt: int) -> None:
    borders = _child(ppr, "w:pBdr", before=("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc"))
    el = _child(borders, f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size_eighths))
    el.set(qn("w:space"), str(space_pt))
    el.set(qn("w:color"), color)


def section_break(paragraph, sectpr_template, landscape: bool, page_twips, margins_twips) -> None:
    """Make `paragraph` end a section with the given page setup (copied footers kept)."""
    sectpr = copy.deepcopy(sectpr_template)
    configure_section(sectpr, landscape, page_twips, margins_twips)
    paragraph._p.get_or_add_pPr().append(sectpr)


def configure_section(sectpr, landscape: bool, page_twips, margins_twips) -> None:
    width, height = page_twips
    pgsz = _child(sectpr, "w:pgSz")
    if landscape:
        width, height = height, width
        pgsz.set(qn("w:orient"), "landscape")
    else:
        pgsz.attrib.pop(qn("w:orient"), None)
    pgsz.set(qn("w:w"), str(width))
    pgsz.set(qn("w:h"), str(height))
    top, right, bottom, left, footer = margins_twips
    pgmar = _child(sectpr, "w:pgMar")
    for name, value in (("top", top), ("right", right), ("bottom", bottom), ("left", left),
                        ("header", 851), ("footer", footer), ("gutter", 0)):
        pgmar.set(qn(f"w:{name}"), str(value))
    _child(sectpr, "w:type", before=("w:pgSz",)).set(qn("w:val"), "nextPage")


VML_NS = ('xmlns:v="urn:schemas-microsoft-com:vml" '
          'xmlns:w10="urn:schemas-microsoft-com:office:word"')


def bottom_text_box(paragraph, content, width_pt: float, height_pt: float) -> None:
    """Move `content` (a table) into a text box anchored to the bottom of the page's text area,
    carried by `paragraph`. A VML box: Word, WPS and LibreOffice all place it at the bottom
    (LibreOffice drops framed paragraphs whose borders differ, which the 版记 rules need)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    xml = (f'<w:r {nsdecls("w")} {VML_NS}><w:pict>'
           '<v:shape id="gongfu-imprint" type="#_x0000_t202" stroked="f" filled="f" '
           f'style="position:absolute;margin-left:0;margin-top:0;width:{width_pt:.1f}pt;height:{height_pt:.1f}pt;'
           'z-index:1;mso-position-horizontal:center;mso-position-horizontal-relative:margin;'
           'mso-position-vertical:bottom;mso-position-vertical-relative:margin">'
           '<v:textbox inset="0,0,0,0"><w:txbxContent/></v:textbox>'
           '<w10:wrap type="topAndBottom"/></v:shape></w:pict></w:r>')
    run = parse_xml(xml)
    box = run.find(".//" + qn("w:txbxContent"))
    content.getparent().remove(content)
    box.append(content)
    # A text box must end with a paragraph; keep it 1 pt high so the last rule sits at the bottom.
    box.append(parse_xml(f'<w:p {nsdecls("w")}><w:pPr><w:snapToGrid w:val="0"/>'
                         '<w:spacing w:line="20" w:lineRule="exact"/><w:rPr><w:sz w:val="2"/></w:rPr>'
                         '</w:pPr></w:p>'))
    paragraph._p.append(run)


def set_borders(table, sides: dict[str, int]) -> None:
    """Table borders by side (eighths of a point; 0 = none)."""
    tblpr = table._tbl.tblPr
    borders = _child(tblpr, "w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = _child(borders, f"w:{side}")
        size = sides.get(side, 0)
        el.set(qn("w:val"), "single" if size else "nil")
        if size:
            el.set(qn("w:sz"), str(size))
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")

