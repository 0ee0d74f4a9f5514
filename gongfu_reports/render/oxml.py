"""WordprocessingML below python-docx: lxml helpers for what it has no API for (East Asian
fonts, docGrid, PAGE fields, sections, character scale), used on the Word templates, and the
document body's elements as text, in the form python-docx writes them."""

from __future__ import annotations

import re

from docx.oxml import OxmlElement
from docx.oxml.ns import qn


# WordprocessingML child order (ECMA-376 Part 1, the sequences of CT_PPr, CT_RPr, CT_TblPr, CT_TcPr,
# CT_SectPr, …): Word reports a file whose children are out of this order as damaged. The helpers below
# insert children in place, and tests check the generated parts against these lists.
_RPR = ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:dstrike",
        "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden",
        "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
        "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
        "w:specVanish", "w:oMath")
SEQUENCES: dict[str, tuple[str, ...]] = {
    "w:pPr": ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
              "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
              "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
              "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
              "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
              "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
    "w:rPr": ("w:ins", "w:del", "w:moveFrom", "w:moveTo") + _RPR + ("w:rPrChange",),
    "w:pBdr": ("w:top", "w:left", "w:bottom", "w:right", "w:between", "w:bar"),
    "w:tblPr": ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
                "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"),
    "w:tblBorders": ("w:top", "w:left", "w:start", "w:bottom", "w:right", "w:end", "w:insideH", "w:insideV"),
    "w:tblCellMar": ("w:top", "w:left", "w:start", "w:bottom", "w:right", "w:end"),
    "w:tcPr": ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd", "w:noWrap",
               "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark", "w:headers", "w:cellIns",
               "w:cellDel", "w:cellMerge", "w:tcPrChange"),
    "w:sectPr": ("w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
                 "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt",
                 "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid",
                 "w:printerSettings", "w:sectPrChange"),
    "w:tbl": ("w:bookmarkStart", "w:tblPr", "w:tblGrid", "w:tr"),
    "w:tc": ("w:tcPr",),
    "w:p": ("w:pPr",),
    "w:r": ("w:rPr",),
}
W_PREFIXED = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def prefixed(tag: str) -> str:
    """"w:pPr" for a Clark-notation tag of the WordprocessingML namespace, else the tag as it is."""
    return "w:" + tag[len(W_PREFIXED):] if tag.startswith(W_PREFIXED) else tag


# SEQUENCES by Clark-notation tags: each child's place in its parent's sequence.
_RANKS = {qn(parent): {qn(tag): i for i, tag in reversed(list(enumerate(order)))}
          for parent, order in SEQUENCES.items()}


def _child(parent, tag: str):
    """Get or create a child element, inserted where the schema puts it among its siblings."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        order = SEQUENCES.get(prefixed(parent.tag), ())
        if tag in order:
            later = {qn(t) for t in order[order.index(tag) + 1:]}
            anchor = next((c for c in parent if c.tag in later), None)
            if anchor is not None:
                anchor.addprevious(found)
                return found
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


def set_auto_space(ppr, on: bool) -> None:
    """Word's automatic space between Asian text and Latin letters / digits (autoSpaceDE / DN):
    off, "125项" prints as written, as in the PDF."""
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        _child(ppr, tag).set(qn("w:val"), "1" if on else "0")


def set_overflow_punctuation(ppr, on: bool) -> None:
    """Word's "allow punctuation to extend past the margin" (w:overflowPunct): off, a line holds 28
    characters, its closing mark included, as in the PDF."""
    _child(ppr, "w:overflowPunct").set(qn("w:val"), "1" if on else "0")


def set_east_asian_language(rpr, language: str) -> None:
    _child(rpr, "w:lang").set(qn("w:eastAsia"), language)


def sort_children(element) -> None:
    """Put the children of `element` and of its descendants in schema order (stable: an element
    the sequence does not name stays after the one before it)."""
    for el in element.iter():
        if len(el) < 2 or not isinstance(el.tag, str):
            continue
        ranks = _RANKS.get(el.tag)
        if ranks is None:
            continue
        rank, keyed = -1, []
        for child in el:
            rank = ranks.get(child.tag, rank)
            keyed.append((rank, child))
        ordered = [child for _rank, child in sorted(keyed, key=lambda pair: pair[0])]
        if ordered != list(el):
            for child in ordered:
                el.append(child)


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


def set_paragraph_border(ppr, side: str, color: str, size_eighths: int, space_pt: int) -> None:
    borders = _child(ppr, "w:pBdr")
    el = _child(borders, f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size_eighths))
    el.set(qn("w:space"), str(space_pt))
    el.set(qn("w:color"), color)


def bottom_border_room(styles, style_id: str) -> float:
    """Points a paragraph style's bottom border adds under its text (w:space plus the width), 0 without one."""
    border = styles.find(f"{qn('w:style')}[@{qn('w:styleId')}='{style_id}']/{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}")
    if border is None or border.get(qn("w:val")) in (None, "nil", "none"):
        return 0.0
    return float(border.get(qn("w:space"), 0)) + float(border.get(qn("w:sz"), 0)) / 8


def set_footer_references(sectpr, rids: dict[str, str]) -> None:
    """Point the section's footers of each type ("default", "even") at these relationships."""
    for kind, rid in rids.items():
        ref = next((r for r in sectpr.findall(qn("w:footerReference")) if r.get(qn("w:type")) == kind), None)
        if ref is None:
            ref = OxmlElement("w:footerReference")
            ref.set(qn("w:type"), kind)
            later = next((c for c in sectpr if c.tag not in (qn("w:headerReference"), qn("w:footerReference"))), None)
            if later is not None:
                later.addprevious(ref)
            else:
                sectpr.append(ref)
        ref.set(qn("r:id"), rid)


PAGE_FIELD = ('<w:r><w:t xml:space="preserve">— </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
              '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
              '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
              '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> —</w:t></w:r>')


# The text box shape type, declared in each part that uses it as Word writes it: without it
# LibreOffice takes the box for a plain shape and sets its text 0.15 cm in from each side, which in a
# box one line wide clips the line away.
TEXT_BOX_TYPE = ('<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
                 '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


def turned_page_number(ppr: str, box: tuple[float, float, float, float], at_end: bool, shape_id: str) -> str:
    """A footer paragraph whose page number ("— PAGE —") stands in a text box at `box` (left, top,
    width, height in points from the page's corner), its text turned a quarter clockwise (read from
    top to bottom), at the end of the box or at its start. Uses the prefixes w, v, o and w10."""
    left, top, width, height = box
    align = '<w:jc w:val="right"/>' if at_end else '<w:jc w:val="left"/>'
    return ('<w:p><w:pPr>' + ppr + '</w:pPr><w:r><w:pict>' + TEXT_BOX_TYPE +
            f'<v:shape id="{shape_id}" type="#_x0000_t202" stroked="f" filled="f" '
            f'style="position:absolute;margin-left:{left:.2f}pt;margin-top:{top:.2f}pt;width:{width:.2f}pt;'
            f'height:{height:.2f}pt;z-index:1;mso-position-horizontal-relative:page;mso-position-vertical-relative:page">'
            '<v:textbox inset="0,0,0,0" style="layout-flow:vertical"><w:txbxContent>'
            f'<w:p><w:pPr>{ppr}{align}</w:pPr>{PAGE_FIELD}</w:p>'
            '</w:txbxContent></v:textbox><w10:wrap type="none"/></v:shape></w:pict></w:r></w:p>')


def configure_section(sectpr, landscape: bool, page_twips, margins_twips, start: str = "nextPage") -> None:
    """Page size, orientation and margins of a section; `start`: where it begins (w:type: nextPage,
    evenPage)."""
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
    _child(sectpr, "w:type").set(qn("w:val"), start)


# ---------------------------------------------------------------------------------------------
# WordprocessingML as text: the document body is written as one string and parsed once, in the
# exact form python-docx gives the same content (same elements, attributes and their order), so
# the output is that of its per-element API at a fraction of the cost.

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
VML_NAMESPACES = {"v": "urn:schemas-microsoft-com:vml", "w10": "urn:schemas-microsoft-com:office:word",
                  "o": "urn:schemas-microsoft-com:office:office"}
_RUN_BREAKS = re.compile(r"([\t\r\n])")


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_attr(text: str) -> str:
    return esc(text).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


# What XML 1.0 cannot carry (lxml refuses to set such text: python-docx raised the same).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def check_xml_chars(text: str) -> None:
    found = NOT_XML.search(text)
    if found:
        raise ValueError(f"All strings must be XML compatible: U+{ord(found.group()):04X} in the document body")


def _t(text: str) -> str:
    # python-docx keeps leading and trailing white space (str.strip: ideographic space too).
    if len(text.strip()) < len(text):
        return f'<w:t xml:space="preserve">{esc(text)}</w:t>'
    return f"<w:t>{esc(text)}</w:t>"


def run_content(text: str) -> str:
    """A run's text as python-docx writes it: <w:t>, a <w:tab/> for each tab, a <w:br/> for
    each line break."""
    if not text:
        return ""
    if "\t" not in text and "\n" not in text and "\r" not in text:
        return _t(text)
    out = []
    for piece in _RUN_BREAKS.split(text):
        if piece == "\t":
            out.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            out.append("<w:br/>")
        elif piece:
            out.append(_t(piece))
    return "".join(out)


def run(text: str, rpr: str = "") -> str:
    """<w:r>: `rpr` the inner XML of its w:rPr (empty: none)."""
    inner = (f"<w:rPr>{rpr}</w:rPr>" if rpr else "") + run_content(text)
    return f"<w:r>{inner}</w:r>" if inner else "<w:r/>"


def paragraph(ppr: str, content: str = "") -> str:
    """<w:p>: `ppr` the inner XML of its w:pPr (empty: none), `content` its runs."""
    inner = (f"<w:pPr>{ppr}</w:pPr>" if ppr else "") + content
    return f"<w:p>{inner}</w:p>" if inner else "<w:p/>"


def style(style_id: str) -> str:
    return f'<w:pStyle w:val="{esc_attr(style_id)}"/>'


def fonts_xml(east_asia: str) -> str:
    """w:rFonts as set_fonts() sets it (one face for every script)."""
    f = esc_attr(east_asia)
    return f'<w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:eastAsia="{f}" w:cs="{f}"/>'


def indent_xml(left: int | None = None, right: int | None = None, first_line: int | None = None) -> str:
    """w:ind in twips, attributes in the order python-docx sets them; a negative first line is
    a hanging indent."""
    attrs = ""
    if left is not None:
        attrs += f' w:left="{left}"'
    if right is not None:
        attrs += f' w:right="{right}"'
    if first_line is not None:
        attrs += f' w:hanging="{-first_line}"' if first_line < 0 else f' w:firstLine="{first_line}"'
    return f"<w:ind{attrs}/>"


TBL_W = '<w:tblW w:type="auto" w:w="0"/>'
TBL_LOOK = ('<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
            'w:noHBand="0" w:noVBand="1" w:val="04A0"/>')


def cell_margins_xml(top=40, bottom=40, left=70, right=70) -> str:
    """w:tblCellMar: cell margins in twips."""
    sides = (("top", top), ("left", left), ("bottom", bottom), ("right", right))
    return "<w:tblCellMar>" + "".join(f'<w:{s} w:w="{v}" w:type="dxa"/>' for s, v in sides) + "</w:tblCellMar>"


def borders_xml(sides: dict[str, int]) -> str:
    """w:tblBorders by side (eighths of a point; 0 or missing = none)."""
    out = []
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        size = sides.get(side, 0)
        out.append(f'<w:{side} w:val="single" w:sz="{size}" w:space="0" w:color="000000"/>' if size
                   else f'<w:{side} w:val="nil"/>')
    return "<w:tblBorders>" + "".join(out) + "</w:tblBorders>"


def grid_xml(widths: list[int]) -> str:
    return "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"


def cell_pr(width: int, span: int = 1, vmerge: str | None = None, valign: str | None = None) -> str:
    """<w:tcPr>: width in twips, horizontal span, vertical merge ("restart", "continue") and
    vertical alignment, in schema order as python-docx writes them."""
    out = f'<w:tcPr><w:tcW w:type="dxa" w:w="{width}"/>'
    if span > 1:
        out += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        out += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        out += "<w:vMerge/>"
    if valign:
        out += f'<w:vAlign w:val="{valign}"/>'
    return out + "</w:tcPr>"


def vml_text_box(content: str, width_pt: float, height_pt: float, bottom_pt: float, decls: str = "") -> str:
    """A run with `content` (block XML) in a VML text box whose bottom is `bottom_pt` below the
    top of the page (the text area's bottom). A VML box: Word, WPS and LibreOffice all place it
    there (LibreOffice drops framed paragraphs whose borders differ, which the 版记 rules need).
    Measured from the page, not aligned to the bottom of the margin: LibreOffice gives a section
    that starts on an even page a footer of another height, and the box stood 7 mm in the bottom
    margin there. A text box must end with a paragraph: one 1 pt high, so the last rule sits at
    the bottom. `decls`: namespace declarations the document root lacks."""
    return (f'<w:r{decls}><w:pict>'
            '<v:shape id="gongfu-imprint" type="#_x0000_t202" stroked="f" filled="f" '
            f'style="position:absolute;margin-left:0;margin-top:{bottom_pt - height_pt:.1f}pt;'
            f'width:{width_pt:.1f}pt;height:{height_pt:.1f}pt;'
            'z-index:1;mso-position-horizontal:center;mso-position-horizontal-relative:margin;'
            'mso-position-vertical-relative:page">'
            f'<v:textbox inset="0,0,0,0"><w:txbxContent>{content}'
            '<w:p><w:pPr><w:snapToGrid w:val="0"/><w:spacing w:line="20" w:lineRule="exact"/>'
            '<w:rPr><w:sz w:val="2"/></w:rPr></w:pPr></w:p>'
            '</w:txbxContent></v:textbox><w10:wrap type="topAndBottom"/></v:shape></w:pict></w:r>')


def fragment(element, root_nsmap: dict) -> str:
    """An element as text to go inside a document whose root declares `root_nsmap`: the
    namespace declarations the root already makes are dropped from its start tag."""
    from lxml import etree

    text = etree.tostring(element, encoding="unicode")
    end = text.index(">")
    head = re.sub(r' xmlns:(\w+)="([^"]*)"',
                  lambda m: "" if root_nsmap.get(m.group(1)) == m.group(2) else m.group(0), text[:end])
    return head + text[end:]
