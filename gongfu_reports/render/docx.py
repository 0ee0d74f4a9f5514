"""View model → DOCX: a docxtpl template carries the 版头 and the styles (editable in Word);
the body is built from the same view model as the PDF, as WordprocessingML, and put in the
place of the template's {{p body }}."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import hashlib
import io
import re
import struct
import threading
import zipfile
import zlib
from copy import deepcopy
from pathlib import Path

import jinja2
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor
from lxml import etree

from .. import bundled
from ..compose.blocks import DocumentView, Image, Paragraph, Table
from ..config import Config
from ..errors import GongfuError, Place, display_path
from . import layout as L
from .styles import Style, load_styles
from . import oxml
from ..files.archive import check_zip
from .sandbox import REFUSED_HINT, LimitExceeded, TemplateEnvironment, inside, template_error, template_roots, undefined_message

TEMPLATE_NAME = "notice.docx"      # with the 版头 (red mark, issue number, rule)
PLAIN_TEMPLATE_NAME = "plain.docx"  # without: lists and extracts

# Word's paragraph alignments for the style sheet's (render/styles.py).
ALIGNMENTS = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "left": WD_ALIGN_PARAGRAPH.LEFT,
              "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}
TABLE_ROLES = ("cell", "header", "group")   # single line spacing, off the grid (made on 表格文字 when missing)

TWIPS_PER_MM = 1440 / 25.4
PAGE_TWIPS = (round(L.PAGE_W * TWIPS_PER_MM), round(L.PAGE_H * TWIPS_PER_MM))
# The number's top sits 7 mm under the 版心; the footer distance is measured to its bottom.
FOOTER_TWIPS = round((L.MARGIN_BOTTOM - L.PAGE_NUMBER_GAP_MM) * TWIPS_PER_MM - L.PAGE_NUMBER_PT * 1.3 * 20)
PORTRAIT_MARGINS = tuple(round(v * TWIPS_PER_MM) for v in
                         (L.MARGIN_TOP, L.MARGIN_RIGHT, L.MARGIN_BOTTOM, L.MARGIN_LEFT)) + (FOOTER_TWIPS,)
LAND_FOOTER = round((L.LAND_MARGIN_BOTTOM - L.PAGE_NUMBER_GAP_MM) * TWIPS_PER_MM - L.PAGE_NUMBER_PT * 1.3 * 20)
LANDSCAPE_MARGINS = tuple(round(v * TWIPS_PER_MM) for v in
                          (L.LAND_MARGIN_TOP, L.LAND_MARGIN_RIGHT, L.LAND_MARGIN_BOTTOM,
                           L.LAND_MARGIN_LEFT)) + (max(LAND_FOOTER, 400),)
LINE_TWIPS = round(L.LINE_PITCH_PT * 20)


def template_path(config: Config, name: str = TEMPLATE_NAME) -> Path:
    """The project's own template first, then the bundled one."""
    return bundled.template_file(config.root, "docx", name)


def word_templates(config: Config) -> list[Path]:
    """The Word templates a DOCX may be made from (with the 版头, and without)."""
    return [template_path(config, TEMPLATE_NAME), template_path(config, PLAIN_TEMPLATE_NAME)]


# ---------------------------------------------------------------------------------------------
# The template: styles, page setup, footers and the 版头 with Jinja tags.

def make_template(path: Path, frame: bool = True) -> None:
    """Write a bundled Word template (`gongfu make-template`)."""
    doc = Document()
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.size = Pt(L.BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    oxml.set_fonts(rpr, "仿宋_GB2312")
    oxml.set_char_spacing(rpr, round(L.LETTER_SPACING_PT * 20))
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(L.LINE_PITCH_PT)
    pf.space_before = pf.space_after = Pt(0)
    pf.widow_control = False
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    from docx.enum.style import WD_STYLE_TYPE
    sheet = load_styles(bundled.EXAMPLE)
    for role, st in sheet.items():
        style = styles.add_style(st.name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        f = style.paragraph_format
        if role in ("title", "h1", "h2", "caption", "attach-label"):
            # Other faces are taller than 仿宋: snapping them to the grid would double their lines
            # in LibreOffice. Exact line spacing keeps them on the 28.95 pt pitch anyway.
            oxml.set_snap_to_grid(style.element.get_or_add_pPr(), False)
        if role == "title":
            style.element.get_or_add_rPr()
            oxml.set_char_spacing(style.element.rPr, 0)
        if role == "mark":
            style.font.size = Pt(L.MARK_PT)
            style.font.color.rgb = RGBColor.from_string(L.RED)
            f.space_before = Mm(L.MARK_TOP_MM)
            # One line of the grid, as in the PDF (a taller mark gets a taller line: _fit_mark).
            f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            f.line_spacing = Pt(L.LINE_PITCH_PT)
            oxml.set_snap_to_grid(style.element.get_or_add_pPr(), False)
            oxml.set_char_spacing(style.element.get_or_add_rPr(), 0)
        if role == "number":
            oxml.set_paragraph_border(style.element.get_or_add_pPr(), "bottom", L.RED, 12,
                                      round(L.RULE_GAP_MM * L.PT_PER_MM - (L.LINE_PITCH_PT - L.BODY_PT) / 2))
        if role in TABLE_ROLES + ("page-number", "imprint"):
            f.line_spacing_rule = WD_LINE_SPACING.SINGLE
            if role == "imprint":
                f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                f.line_spacing = Pt(L.IMPRINT_LINE_PT)
            oxml.set_snap_to_grid(style.element.get_or_add_pPr(), False)
            oxml.set_char_spacing(style.element.get_or_add_rPr(), 0)
            if role in TABLE_ROLES:
                style.font.size = Pt(10.5)   # each table sets its own size
    apply_styles(doc, sheet, {role: font.docx for role, font in _default_fonts()}, list(doc.styles))
    # Page setup: A4, GB/T 9704 margins, a 22-line grid, odd/even page-number footers.
    section = doc.sections[0]
    oxml.configure_section(section._sectPr, False, PAGE_TWIPS, PORTRAIT_MARGINS)
    section._sectPr.remove(section._sectPr.find(qn("w:type")))
    oxml.set_doc_grid(section._sectPr, LINE_TWIPS)
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = styles[sheet["page-number"].name]
        p.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(L.PAGE_NUMBER_PT)
        else:
            p.paragraph_format.left_indent = Pt(L.PAGE_NUMBER_PT)
        oxml.add_page_field(p)
    # The 版头: Jinja tags filled by docxtpl; the body is a subdocument.
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    if frame:
        doc.add_paragraph("{{ frame.mark }}", style=sheet["mark"].name)
        doc.add_paragraph("", style=sheet["plain"].name)
        doc.add_paragraph("", style=sheet["plain"].name)
        doc.add_paragraph("{{ frame.number }}", style=sheet["number"].name)
    doc.add_paragraph("{{p body }}", style=sheet["plain"].name)
    # Chinese as the East Asian language: Word picks the theme's East Asian fonts by it for the styles a
    # clerk may apply from its gallery (标题 1 and the like; ours name their fonts). python-docx's template
    # says Japanese there, which set such Chinese text in ＭＳ 明朝 / ＭＳ ゴシック.
    doc.settings.element.find(qn("w:themeFontLang")).set(qn("w:eastAsia"), "zh-CN")
    styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}").set(
        qn("w:eastAsia"), "zh-CN")
    doc.core_properties.author = "gongfu-reports"
    doc.core_properties.created = doc.core_properties.modified = dt.datetime(2024, 1, 1)
    doc.save(path)


# ---------------------------------------------------------------------------------------------
# Rendering. The template's share of a document (版头, styles, footers, properties: everything
# but the body) is rendered by docxtpl once per template, fonts and 版头, and kept per process
# as a skeleton whose parts are compressed once. The body is written from the view model as
# WordprocessingML text, in the form python-docx gives the same content, put in the place of
# the template's {{p body }} and parsed once. Same bytes as building it element by element.

def apply_styles(document, sheet: dict[str, Style], fonts: dict[str, str], styles: list) -> dict[str, str]:
    """The style sheet (templates/styles.yaml) on the template's paragraph styles, each found by its
    name and made where the template has none: font (the official name from config.yaml, which Word
    and WPS on office PCs use), size, bold, alignment, first-line indent, keep with next. Properties
    the sheet does not set (spacing, the grid, the 版头's red) stay as the template has them.
    Returns each role's style id. `styles`: the document's styles, listed once."""
    from docx.enum.style import WD_STYLE_TYPE

    by_name: dict = {}
    for style in styles:
        by_name.setdefault(style.name, style)
    normal = document.styles["Normal"].element
    oxml.set_fonts(normal.get_or_add_rPr(), fonts[sheet["plain"].font])
    # Chinese text as in the PDF: no automatic space between it and Latin letters or digits, no
    # closing mark hanging in the margin (a line holds 28 characters).
    oxml.set_auto_space(normal.get_or_add_pPr(), False)
    oxml.set_overflow_punctuation(normal.get_or_add_pPr(), False)
    oxml.set_east_asian_language(normal.get_or_add_rPr(), "zh-CN")
    ids = {}
    for role, st in sheet.items():
        style = by_name.get(st.name)
        if style is None:
            style = document.styles.add_style(st.name, WD_STYLE_TYPE.PARAGRAPH)
            base = by_name.get(sheet["cell"].name) if role in TABLE_ROLES else None
            style.base_style = base or document.styles["Normal"]
            by_name[st.name] = style
        oxml.set_fonts(style.element.get_or_add_rPr(), fonts[st.font])
        font, f = style.font, style.paragraph_format
        if st.size is not None and font.size != Pt(st.size):
            font.size = Pt(st.size)
        if bool(font.bold) != st.bold:
            font.bold = True if st.bold else None
        if st.align and f.alignment != ALIGNMENTS[st.align]:
            f.alignment = ALIGNMENTS[st.align]
        indent = Pt(st.indent * L.CHAR_PITCH_PT) if st.indent else None
        if (f.first_line_indent or 0) != (indent or 0):
            f.first_line_indent = indent
        if bool(f.keep_with_next) != st.keep_with_next:
            f.keep_with_next = True if st.keep_with_next else None
        ids[role] = style.style_id
    oxml.sort_children(document.styles.element)   # children in schema order, whatever the template had
    return ids


def _default_fonts():
    """The fonts of the bundled config.yaml (make-template writes their names into the styles)."""
    from ..kinds import load_config

    return load_config(bundled.EXAMPLE).fonts


def render_docx(view: DocumentView, config: Config) -> bytes:
    path = template_path(config, TEMPLATE_NAME if view.frame else PLAIN_TEMPLATE_NAME)
    fonts = {role: font.docx for role, font in config.fonts}
    skeleton = _skeleton(path, fonts, view.frame, load_styles(config.root), config.root)
    body = _Body(skeleton, fonts)
    for i, section in enumerate(view.sections):
        for k, block in enumerate(section.blocks):
            if isinstance(block, Table):
                body.table(block, section.landscape)
            elif isinstance(block, Image):
                body.image(block)
            elif i == k == 0 and view.frame and block.role == "plain" and not block.text and skeleton.rule_pt:
                # The red rule (the 发文字号's bottom border) adds its space and width under the
                # number in Word; the blank line under it is that much lower, so the title and the
                # text stand where the PDF has them.
                body.paragraph(block, line_twips=LINE_TWIPS - round(skeleton.rule_pt * 20))
            else:
                body.paragraph(block)
        if i + 1 < len(view.sections):
            body.out.append(oxml.paragraph(body.style("plain") + skeleton.breaks[section.landscape]))
    if view.imprint:
        body.imprint(view.imprint, view.sections[-1].landscape)
    document = skeleton.document("".join(body.out), view.sections[-1].landscape, even=view.imprint_alone)
    day = dt.datetime.fromisoformat(view.date)
    return skeleton.package(document, _core_properties(skeleton.core, view.title, day), body.pictures, day)


# The place of {{p body }} in the rendered template: docxtpl writes what __html__ returns.
BODY_MARK = "<?gongfu-body?>"
BLOCK_PARENTS = {"body", "tc", "sdtContent", "txbxContent", "customXml"}   # what may hold paragraphs


class _BodyMark:
    def __html__(self) -> str:
        return BODY_MARK

    __str__ = __html__


_SKELETONS: collections.OrderedDict = collections.OrderedDict()
_SKELETONS_LOCK = threading.Lock()
SKELETONS_KEPT = 16   # per process: a build has a few templates × 版头 (plain documents share one)


def _skeleton(path: Path, fonts: dict, frame, sheet: dict[str, Style], root: Path) -> _Skeleton:
    """The rendered template for these inputs, from this process's cache when it was rendered
    before: keyed by the template's content, so an edited template is read again at once."""
    place = Place(display_path(path))
    if not inside(path, template_roots(root)):   # a link out of templates/ (to another office's file)
        raise GongfuError("Word 模板指向 templates/ 以外的文件", place, hint=REFUSED_HINT)
    check_zip(path, place, "Word 模板", GongfuError("无法作为 Word 模板打开：不是 .docx 文件", place))
    data = path.read_bytes()
    digest = hashlib.sha256(data).digest()
    key = (str(path), digest, tuple(sorted(fonts.items())),
           dataclasses.astuple(frame) if frame else None, tuple(sheet.values()))
    with _SKELETONS_LOCK:   # gongfu serve renders in more than one thread
        skeleton = _SKELETONS.get(key)
        if skeleton is None:
            skeleton = _SKELETONS[key] = _Skeleton(path, data, digest, fonts, frame, sheet)
            while len(_SKELETONS) > SKELETONS_KEPT:
                _SKELETONS.popitem(last=False)
        _SKELETONS.move_to_end(key)
        return skeleton


class _Skeleton:
    """A Word template rendered by docxtpl for one 版头 with the body left out: the document
    XML around the body's place, the other parts compressed, and what the body refers to
    (style ids, section properties, namespaces, image and relationship numbering)."""

    def __init__(self, path: Path, data: bytes, digest: bytes, fonts: dict, frame, sheet: dict[str, Style]):
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docxtpl import DocxTemplate

        _no_active_content(data, digest, path)
        tpl = DocxTemplate(io.BytesIO(data))
        try:
            tpl.init_docx()
        except (zipfile.BadZipFile, KeyError, ValueError, etree.LxmlError) as exc:
            raise GongfuError(f"无法作为 Word 模板打开：{exc}", Place(display_path(path)),
                              hint="模板应是 Word 保存的 .docx 文件；可用 gongfu make-template 重新生成") from None
        document = tpl.docx
        _no_external_links(document.part.package, path)
        self.path = path
        self.nsmap = document.element.nsmap
        if self.nsmap.get("w") != oxml.W_NS:
            raise GongfuError("Word 模板的正文不是 WordprocessingML（w:）", Place(display_path(path)))
        styles = list(document.styles)
        self.sheet = sheet
        ids = apply_styles(document, sheet, fonts, styles)
        self.styles = {role: oxml.style(style_id) for role, style_id in ids.items()}
        self.rule_pt = oxml.bottom_border_room(document.styles.element, ids["number"])
        styles = list(document.styles)   # with those the sheet added
        # Section breaks carry a copy of the template's own page setup (its footers); landscape
        # sections get footers of their own, with the page number turned (GB/T 9704 7.5).
        sectpr = document.sections[-1]._sectPr
        self.land_footers = _landscape_footers(document, self.styles["page-number"])
        self.breaks = {}
        for land in (False, True):
            copy = deepcopy(sectpr)
            self._page_setup(copy, land)
            self.breaks[land] = oxml.fragment(copy, self.nsmap)
        # Pictures: python-docx names them after the next free id of the template's body.
        self.picture_id = document.part.next_id
        package = document.part.package
        self.image_numbers = [p.partname.idx for p in package.image_parts]
        self.image_parts = {p.sha1: p.partname for p in package.image_parts}
        self.rels = {rel.rId: (None if rel.is_external else rel.target_part.partname, rel.reltype)
                     for rel in document.part.rels.values()}
        self.base_uri = document.part.partname.baseURI

        # Bounded, and plain data only: the 版头's Frame and a mark where the body goes (never a
        # docxtpl Subdoc, whose attributes reach python-docx objects with methods that save files).
        env = TemplateEnvironment(display_path(path), undefined=jinja2.StrictUndefined, autoescape=True)
        try:
            tpl.render({"frame": frame, "body": _BodyMark()}, env, autoescape=True)
        except jinja2.TemplateSyntaxError as exc:
            raise GongfuError(f"Word 模板中的标记有语法错误：{exc.message}", _tag_place(path, env),
                              hint="检查 {{ }} 与 {% %} 是否成对，引号是否被 Word 改成了中文引号") from None
        except jinja2.UndefinedError as exc:
            raise GongfuError(f"Word 模板使用了未定义的变量：{undefined_message(exc)}", _tag_place(path, env, exc)) from None
        except (LimitExceeded, jinja2.TemplateNotFound, jinja2.exceptions.SecurityError) as exc:
            raise template_error(exc, display_path(path)) from None
        except (etree.LxmlError, IndexError, ValueError, RecursionError, MemoryError) as exc:
            raise _not_a_document(path, exc) from None
        if frame:
            _fit_mark(document, frame, sheet["mark"].name, styles)
        document.core_properties   # python-docx adds the part if the template has none
        out = io.BytesIO()
        try:
            tpl.save(out)
        except (etree.LxmlError, ValueError, RecursionError, MemoryError) as exc:
            raise _not_a_document(path, exc) from None
        # The last section's page setup lives in the body's own sectPr: document.xml for each.
        # The 版记's page of its own (after landscape pages) starts on an even page: Word and LibreOffice
        # leave a blank page before it where needed.
        final = document.sections[-1]._sectPr
        template_sectpr, xml = deepcopy(final), {}
        for land, even in ((False, False), (True, False), (False, True)):
            variant = deepcopy(template_sectpr)
            self._page_setup(variant, land, even)
            final.getparent().replace(final, variant)
            final = variant
            xml[land, even] = etree.tostring(document.element, encoding="UTF-8", standalone=True)

        self.document_name = document.part.partname.membername
        core = next(rel.target_part for rel in package.rels.values() if rel.reltype == RT.CORE_PROPERTIES)
        self.core_name = core.partname.membername
        # The live element, not its saved form: docxtpl leaves empty texts that python-docx writes
        # as <dc:subject></dc:subject>.
        self.core = deepcopy(core.element)
        self.rels_name = document.part.partname.rels_uri.membername
        # New pictures go where python-docx writes them: after the parts the document refers to.
        order = [p.partname for p in package.iter_parts()]
        reach = _reachable(document.part)
        k = order.index(document.part.partname) + 1
        while k < len(order) and order[k] in reach:
            k += 1
        self.pictures_before = order[k].membername if k < len(order) else None
        with zipfile.ZipFile(out) as z:
            self.names = [info.filename for info in z.infolist()]
            parts = {name: z.read(name) for name in self.names}
        self.pieces = {key: xml[key].decode("utf-8").split(BODY_MARK) for key in xml}
        if len(self.pieces[False, False]) != 2:   # the document's text would be missing from the Word file, or twice in it
            raise GongfuError(f"Word 模板中应有且只有一处 {{{{p body }}}}（现有 {len(self.pieces[False, False]) - 1} 处）：正文放在那里",
                              Place(display_path(path)), hint="在正文位置单独一段写 {{p body }}；可对照随附模板（gongfu templates export）")
        for mark in document.element.iter(etree.ProcessingInstruction):
            if mark.target == BODY_MARK[2:-2] and etree.QName(mark.getparent()).localname not in BLOCK_PARENTS:
                raise GongfuError("Word 模板中的 {{p body }} 不在单独的一段中，正文无处可放",
                                  Place(display_path(path)), hint="{{p body }} 应单独成一段（前面加 p）")
        self.raw = {name: parts[name] for name in (CONTENT_TYPES, self.rels_name)}
        self.deflated = {name: _deflate_once(parts[name]) for name in self.names
                         if name not in (self.document_name, self.core_name)}

    def _page_setup(self, sectpr, landscape: bool, even: bool = False) -> None:
        oxml.configure_section(sectpr, landscape, PAGE_TWIPS, LANDSCAPE_MARGINS if landscape else PORTRAIT_MARGINS,
                               "evenPage" if even else "nextPage")
        if landscape:
            oxml.set_footer_references(sectpr, self.land_footers)

    def style(self, role: str) -> str:
        """The paragraph properties that give a paragraph the style of a role."""
        return self.styles[role]

    def decls(self, *prefixes: str) -> str:
        """Namespace declarations for the prefixes the template's root element does not declare."""
        return "".join(f' xmlns:{p}="{oxml.VML_NAMESPACES[p]}"' for p in prefixes
                       if self.nsmap.get(p) != oxml.VML_NAMESPACES[p])

    def document(self, body: str, landscape: bool, even: bool = False) -> bytes:
        """document.xml with the body in its place, parsed once (well-formed, pictures numbered
        as docxtpl numbers them) and serialised as python-docx does; the last section landscape
        or not, starting on an even page or not."""
        oxml.check_xml_chars(body)
        xml = body.join(self.pieces[landscape, even])
        root = etree.fromstring(xml.encode("utf-8"), _PARSER)
        if "docPr" in xml:
            for number, element in enumerate(root.iter(_DOCPR), 1001):
                element.set("id", str(number))
        return etree.tostring(root, encoding="UTF-8", standalone=True)

    def package(self, document: bytes, core: bytes, pictures: _Pictures, day: dt.datetime) -> bytes:
        """The .docx: the skeleton's parts in their order, this document's own compressed now."""
        own = {self.document_name: document, self.core_name: core}
        names = list(self.names)
        if pictures.rels:
            own.update(self._picture_parts(pictures))
            at = names.index(self.pictures_before) if self.pictures_before in names else len(names)
            names[at:at] = [partname.membername for partname, _data, _type in pictures.parts.values()]
        return _zip([(name, _deflate(own[name]) if name in own else self.deflated[name]) for name in names], day)

    def _picture_parts(self, pictures: _Pictures) -> dict[str, bytes]:
        """The new pictures, and the relationships and content types that name them, as
        python-docx writes them."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.spec import default_content_types

        parts = {partname.membername: data for partname, data, _type in pictures.parts.values()}
        rels = etree.fromstring(self.raw[self.rels_name])
        for rid, partname in pictures.rels.items():
            etree.SubElement(rels, f"{{{PR_NS}}}Relationship",
                             {"Id": rid, "Type": RT.IMAGE, "Target": partname.relative_ref(self.base_uri)})
        types = etree.fromstring(self.raw[CONTENT_TYPES])
        for partname, _data, content_type in pictures.parts.values():
            # Defaults sorted by extension, overrides by part name (python-docx's order).
            if (partname.ext.lower(), content_type) in default_content_types:
                kind, attr, value = "Default", "Extension", partname.ext
            else:
                kind, attr, value = "Override", "PartName", str(partname)
            present = [e for e in types if e.tag == f"{{{CT_NS}}}{kind}"]
            if any(e.get(attr).lower() == value.lower() for e in present):
                continue
            element = etree.Element(f"{{{CT_NS}}}{kind}", {attr: value, "ContentType": content_type})
            later = [e for e in present if e.get(attr) > value]
            if later:
                later[0].addprevious(element)
            elif present:
                present[-1].addnext(element)
            else:
                types.append(element)
        parts[self.rels_name] = etree.tostring(rels, encoding="UTF-8", standalone=True)
        parts[CONTENT_TYPES] = etree.tostring(types, encoding="UTF-8", standalone=True)
        return parts


class _Pictures:
    """The pictures of one document: parts and relationships shared with the template or an
    earlier picture of the same bytes, else new ones numbered as python-docx numbers them."""

    def __init__(self, skeleton: _Skeleton):
        self.skeleton = skeleton
        self.parts: dict = {}   # sha1 → (partname, bytes, content type), new in this document
        self.rels: dict = {}    # rId → partname, new in this document

    def add(self, png: bytes):
        """(relationship id, python-docx Image) of a picture."""
        from docx.image.image import Image as Picture
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI

        picture, skeleton = Picture.from_blob(png), self.skeleton
        partname = skeleton.image_parts.get(picture.sha1) or self.parts.get(picture.sha1, (None,))[0]
        if partname is None:
            used = skeleton.image_numbers + [p.idx for p, _data, _type in self.parts.values()]
            number = next((n for n in range(1, len(used) + 1) if n not in used), len(used) + 1)
            partname = PackURI(f"/word/media/image{number}.{picture.ext}")
            self.parts[picture.sha1] = (partname, png, picture.content_type)
        images = {rid: target for rid, (target, kind) in skeleton.rels.items() if kind == RT.IMAGE}
        rid = next((r for r, target in {**images, **self.rels}.items() if target == partname), None)
        if rid is None:
            taken = set(skeleton.rels) | set(self.rels)
            rid = next(f"rId{n}" for n in range(1, len(taken) + 2) if f"rId{n}" not in taken)
            self.rels[rid] = partname
        return rid, picture


CONTENT_TYPES = "[Content_Types].xml"
PR_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_PARSER = etree.XMLParser(resolve_entities=False)


def _reachable(part) -> set:
    """Partnames of the parts `part` refers to, directly or not."""
    seen, todo = set(), [part]
    while todo:
        for rel in todo.pop().rels.values():
            if not rel.is_external and rel.target_part.partname not in seen:
                seen.add(rel.target_part.partname)
                todo.append(rel.target_part)
    return seen


# Word content that acts when the document is opened: fields that fetch a picture or text (from a
# server, or the reader's disk) or start a program, macros, embedded objects and HTML chunks, ActiveX.
_ACTIVE_PARTS = re.compile(r"vbaProject|vbaData|/embeddings/|/activeX/|\.(exe|dll|js|vbs|ps1|htm|html|mht|mhtml)$", re.I)
_ACTIVE_RELATIONSHIPS = ("/vbaProject", "/oleObject", "/package", "/aFChunk", "/control", "/activeXControl",
                         "/attachedTemplate", "/frame", "/subDocument")
_ADDRESS = re.compile(r"^\s*([a-z][a-z0-9+.-]*:|\\\\|/)", re.I)
_ACTIVE_FIELDS = {"INCLUDEPICTURE", "INCLUDETEXT", "INCLUDE", "LINK", "DDE", "DDEAUTO", "IMPORT"}
_INSTRUCTION = re.compile(rb'<w:instrText\b[^>]*>([^<]*)<|\bw:instr="([^"]*)"')
_URL_ATTRIBUTE = re.compile(rb'\b(?:src|o:href|href)="([^"]*)"')


_INERT: set[bytes] = set()   # SHA-256 of the Word templates _no_active_content found inert


def _no_active_content(data: bytes, digest: bytes, path: Path) -> None:
    """A shared template may carry what Word runs or fetches when the generated document is opened:
    a field that includes a picture or text from a server or the reader's disk, or starts a program
    (DDE); a macro project, an embedded object or HTML chunk, an ActiveX control; a DTD (entities
    that read files). Refused, with the part where it is: the director signs the generated file and
    other offices open it. A template found inert (digest: its SHA-256) is not read again in this process
    (a build renders one template with several 版头)."""
    if digest in _INERT:
        return
    place = Place(display_path(path))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            name = info.filename
            if _ACTIVE_PARTS.search(name):
                raise GongfuError(f"Word 模板含有宏、嵌入对象或可执行内容（{name}）", place, hint=ACTIVE_HINT)
            if not name.endswith((".xml", ".rels")):
                continue
            xml = archive.read(info)
            if xml.count(b"{") > MAX_BRACES:   # docxtpl's tag repair takes time with the square of their number
                raise GongfuError(f"Word 模板的 {name} 中“{{”过多（{xml.count(b'{')} 个，最多 {MAX_BRACES} 个）",
                                  place, hint="Word 模板只需 {{ frame.… }} 和 {{p body }} 等少数标记")
            if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
                raise GongfuError(f"Word 模板的 {name} 含有文档类型定义（DOCTYPE），Word 文件中不应有", place,
                                  hint=ACTIVE_HINT)
            # Field codes, joined across the runs Word may split them into.
            codes = "".join((m[1] or b" " + m[2] + b" ").decode("utf-8", "replace") for m in _INSTRUCTION.finditer(xml))
            found = _ACTIVE_FIELDS & {word.upper() for word in re.split(r"[\s\"\\]+", codes)}
            if found:
                raise GongfuError(f"Word 模板的 {name} 含有域“{min(found)}”：打开生成的文件时 Word 会读取外部内容或启动程序",
                                  place, hint=ACTIVE_HINT)
            if name.endswith(".xml"):
                for match in _URL_ATTRIBUTE.finditer(xml):
                    if _ADDRESS.match(match[1].decode("utf-8", "replace")):
                        raise GongfuError(f"Word 模板的 {name} 引用了外部文件（{match[1][:80].decode('utf-8', 'replace')}）",
                                          place, hint="请在 Word 中把链接的图片改为嵌入（或删除它），再保存模板")
            if name.endswith(".rels"):
                for rel in re.finditer(rb'Type="([^"]*)"', xml):
                    if rel[1].decode("ascii", "replace").endswith(_ACTIVE_RELATIONSHIPS):
                        raise GongfuError(f"Word 模板的 {name} 引用了宏、嵌入对象或外部模板（{rel[1].decode('ascii', 'replace').rsplit('/', 1)[-1]}）",
                                          place, hint=ACTIVE_HINT)
    if len(_INERT) >= SKELETONS_KEPT:
        _INERT.clear()
    _INERT.add(digest)


MAX_BRACES = 2000
ACTIVE_HINT = "请用随附模板（gongfu templates export）重新制作，或在 Word 中删除该内容后另存为 .docx"


def _not_a_document(path: Path, exc: BaseException) -> GongfuError:
    return GongfuError(f"Word 模板填入内容后不是有效的 Word 文档（{type(exc).__name__}：{str(exc)[:120]}）",
                       Place(display_path(path)), hint="检查模板中的 {{ }} 标记：它们只应写在文字中")


def _no_external_links(package, path: Path) -> None:
    """A shared template may point outside the file: a picture, a frame or an attached template
    Word fetches when the document is opened (from a server: a reader is tracked, or a file of
    the reader's machine is shown). Only hyperlinks, which a reader follows by choice, may."""
    for part in package.iter_parts():
        for rel in part.rels.values():
            if rel.is_external and not rel.reltype.endswith("/hyperlink"):
                kind = rel.reltype.rsplit("/", 1)[-1]
                raise GongfuError(f"Word 模板的 {part.partname} 引用了外部文件（{kind}：{rel.target_ref[:80]}），"
                                  "打开生成的文件时 Word 会去读取它", Place(display_path(path)),
                                  hint="请在 Word 中把链接的图片改为嵌入（或删除它），再保存模板")


CORE_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"


def _core_properties(template, title: str, day: dt.datetime) -> bytes:
    """docProps/core.xml: the template's, with the document's title, dates, author and revision
    (as publish.normalise_zip leaves them). cp:revision and cp:lastModifiedBy are set here, not
    through python-docx: importing docxtpl imports docxcompose, which rebinds python-docx's "cp"
    prefix to the custom-properties namespace for the whole process, and python-docx's setters
    then add a second cp:revision and cp:lastModifiedBy in that namespace, which Word reports as
    unreadable content (docxtpl issue #471, python-docx issue #1037)."""
    from docx.opc.coreprops import CoreProperties
    from docx.opc.oxml import serialize_part_xml

    element = deepcopy(template)
    props = CoreProperties(element)
    props.title, props.created, props.modified = title, day, day
    props.author = "gongfu-reports"
    for name, value in (("revision", "1"), ("lastModifiedBy", "gongfu-reports")):
        child = element.find(f"{{{CORE_NS}}}{name}")
        if child is None:
            child = etree.SubElement(element, f"{{{CORE_NS}}}{name}")
        child.text = value
    payload = re.sub(rb"<cp:lastPrinted>.*?</cp:lastPrinted>", b"", serialize_part_xml(element))
    iso = day.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + iso + rb"\g<2>", payload)


_DEFLATED: collections.OrderedDict = collections.OrderedDict()


def _deflate_once(data: bytes) -> tuple[int, int, bytes]:
    """_deflate, compressing each content once per process: the skeletons of one template
    share their styles, theme and settings."""
    key = hashlib.sha256(data).digest()
    if key not in _DEFLATED:
        _DEFLATED[key] = _deflate(data)
        while len(_DEFLATED) > 64:
            _DEFLATED.popitem(last=False)
    _DEFLATED.move_to_end(key)
    return _DEFLATED[key]


def _deflate(data: bytes) -> tuple[int, int, bytes]:
    """(CRC, size, deflated data) of a zip entry, compressed as zipfile compresses."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return zlib.crc32(data), len(data), compressor.compress(data) + compressor.flush()


def _zip(entries: list[tuple[str, tuple[int, int, bytes]]], day: dt.datetime) -> bytes:
    """The zip file that zipfile writes for these entries with publish.normalise_zip's settings
    (the day's date at midnight, mode 644, deflated), from data compressed beforehand: most
    parts are the skeleton's, compressed once per process."""
    dosdate = (max(day.year, 1980) - 1980) << 9 | day.month << 5 | day.day
    system = zipfile.ZipInfo().create_system
    out, central = bytearray(), bytearray()
    for name, (crc, size, data) in entries:
        try:
            raw, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            raw, flags = name.encode("utf-8"), 0x800
        central += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, system, 20, 0, flags, zipfile.ZIP_DEFLATED,
                               0, dosdate, crc, len(data), size, len(raw), 0, 0, 0, 0, 0o644 << 16, len(out)) + raw
        out += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, flags, zipfile.ZIP_DEFLATED, 0, dosdate,
                           crc, len(data), size, len(raw), 0) + raw + data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(out), 0)
    return bytes(out + central + end)


SMART_QUOTES = "“”‘’"


def _tag_place(path: Path, env, exc: Exception | None = None) -> Place:
    """docxtpl reports positions in its joined XML; name the Word paragraph instead: the first
    paragraph whose tags do not parse on their own, hold smart quotes, or use the undefined name."""
    undefined = re.search(r"'(\w+)' is undefined|has no attribute '(\w+)'", str(exc or ""))
    name = next((g for g in undefined.groups() if g), None) if undefined else None
    doc = Document(path)
    paragraphs = list(doc.paragraphs) + [p for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    for index, p in enumerate(paragraphs, 1):
        text = p.text
        tags = re.findall(r"\{[{%].*?[}%]\}|\{[{%][^}]*$", text)
        if not tags:
            continue
        bad = any(ch in tag for tag in tags for ch in SMART_QUOTES)
        if not bad and name is None:
            try:
                # docxtpl's own prefixes ({{p …}}, {%tr …%}) are not Jinja: drop them to parse the tag alone.
                env.parse(re.sub(r"(\{[{%])(p|r|tr|tc)\s", r"\1 ", text))
            except jinja2.TemplateSyntaxError:
                bad = True
        if bad or (name and name in text):
            return Place(display_path(path), detail=f"第{index}段“{text[:30]}”")
    return Place(display_path(path))


def _landscape_footers(document, ppr: str) -> dict[str, str]:
    """Footers for landscape pages (GB/T 9704 7.5): the page number stays where the portrait pages
    have it on the sheet, 7 mm under the 版心 and one character in from its side. The sheet is turned
    with the table head to the 订口, so on a landscape page that is the left margin, the number read
    from top to bottom, at the 版心's bottom end on odd pages and its top end on even ones.
    Returns the relationship ids of the odd ("default") and even footers."""
    mm = L.PT_PER_MM
    width = L.PAGE_NUMBER_PT                             # one line of 4号 text across
    right = (L.LAND_MARGIN_LEFT - L.PAGE_NUMBER_GAP_MM) * mm
    top, bottom = L.LAND_MARGIN_TOP * mm, (L.PAGE_W - L.LAND_MARGIN_BOTTOM) * mm
    one = L.PAGE_NUMBER_PT                               # 1 character of 4号
    rids = {}
    for kind, box, at_end in (("default", (right - width, top, width, bottom - one - top), True),
                              ("even", (right - width, top + one, width, bottom - top - one), False)):
        part, rid = document.part.add_footer_part()
        footer = part.element
        for child in list(footer):
            footer.remove(child)
        decls = "".join(f' xmlns:{p}="{uri}"' for p, uri in oxml.VML_NAMESPACES.items())
        footer.append(etree.fromstring(f'<w:root xmlns:w="{oxml.W_NS}"{decls}>'
                                       + oxml.turned_page_number(ppr, box, at_end, f"gongfu-page-number-{kind}")
                                       + "</w:root>")[0])
        rids[kind] = rid
    return rids


def _fit_mark(document, frame, mark_style: str, styles: list) -> None:
    from docx.enum.style import WD_STYLE_TYPE

    scale = round(frame.mark_scale * 100)
    # Each paragraph's style name as python-docx's paragraph.style gives it (the default
    # paragraph style for a missing or unknown id), without its search through styles.xml.
    names = {s.style_id: s.name for s in reversed(styles) if s.type == WD_STYLE_TYPE.PARAGRAPH}
    default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    for p in document.paragraphs:
        name = names.get(p._p.style, default.name if default is not None else None)
        if name == mark_style:
            for run in p.runs:
                run.font.size = Pt(frame.mark_size)
                oxml.set_char_scale(run._r.get_or_add_rPr(), scale)
            if frame.mark_size > L.LINE_PITCH_PT:   # its line as high as the mark, as in the PDF
                p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                p.paragraph_format.line_spacing = Pt(frame.mark_size)


class _Body:
    """The body of one document as WordprocessingML text (`out`), in the form python-docx
    gives the same content; the pictures it adds to the package in `pictures`."""

    def __init__(self, skeleton: _Skeleton, fonts: dict):
        self.skeleton, self.fonts = skeleton, fonts
        self.style = skeleton.style
        self.out: list[str] = []
        self.pictures = _Pictures(skeleton)

    def paragraph(self, block: Paragraph, line_twips: int | None = None) -> None:
        ppr = self.style(block.role)
        if block.keep_with_next:    # kept whole, with the next (as both PDF engines keep it)
            ppr += "<w:keepNext/><w:keepLines/>"
        elif block.role == "attach-note":
            ppr += "<w:keepLines/>"   # an item of the 附件说明 never splits across pages
        if block.page_break_before:
            ppr += "<w:pageBreakBefore/>"
        if line_twips is not None:
            ppr += f'<w:snapToGrid w:val="0"/><w:spacing w:line="{line_twips}" w:lineRule="exact"/>'
        pitch = L.CHAR_PITCH_PT
        if block.role == "attach-note":
            ppr += oxml.indent_xml(left=Pt((2 + block.indent_chars + block.hanging_chars) * pitch).twips,
                                   first_line=Pt(-block.hanging_chars * pitch).twips)
        elif block.indent_chars:
            ppr += oxml.indent_xml(left=Pt(block.indent_chars * pitch).twips)
        runs = []
        for r in block.runs:
            rpr = (oxml.fonts_xml(self.fonts[r.font]) if r.font else "") + ("<w:b/>" if r.bold else "")
            runs.append(oxml.run(r.text, rpr))
        self.out.append(oxml.paragraph(ppr, "".join(runs)))

    def image(self, block: Image) -> None:
        from docx.oxml.shape import CT_Inline

        rid, picture = self.pictures.add(block.png)
        cx, cy = picture.scaled_dimensions(Mm(block.width_mm), None)
        inline = CT_Inline.new_pic_inline(self.skeleton.picture_id, rid, picture.filename, cx, cy)
        # Single line spacing, off the body grid (an exact line would clip the picture), with 4.25 pt
        # above and below: as high as in the PDF (6 pt, the picture, 6 pt; the line adds the rest);
        # kept with its 图题 below.
        ppr = (self.style("plain") + '<w:keepNext/><w:snapToGrid w:val="0"/>'
               '<w:spacing w:before="85" w:after="85" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>')
        drawing = f"<w:r><w:drawing>{oxml.fragment(inline, self.skeleton.nsmap)}</w:drawing></w:r>"
        self.out.append(oxml.paragraph(ppr, drawing))

    def table(self, block: Table, landscape: bool) -> None:
        n_cols = len(block.columns)
        all_rows = block.header + block.rows
        width_mm = L.LAND_TEXT_W if landscape else L.TEXT_W
        total = sum(c.width for c in block.columns)
        widths = [Mm(width_mm * c.width / total).twips for c in block.columns]
        # Place each cell at the first free grid column of its row; a cell spanning rows leaves a
        # continuation cell (vMerge) at its place in each row below.
        starts: list[dict] = [{} for _ in all_rows]
        below: list[dict] = [{} for _ in all_rows]
        for r, placed in enumerate(L.cell_columns(all_rows, n_cols)):
            for c, cell in placed:
                starts[r][c] = cell
                for rest in below[r + 1:r + cell.rowspan]:
                    rest[c] = cell.colspan
        size = f'<w:sz w:val="{int(Emu(Pt(block.font_size)).pt * 2)}"/>'
        # Lines at an exact pitch and the cells' padding as in both PDF engines (render/layout.py).
        spacing = f'<w:spacing w:line="{round(L.table_line_pt(block.font_size) * 20)}" w:lineRule="exact"/>'
        n_header = len(block.header)
        # Rows taller than a quarter page break across pages, and so do rows taller than a page: kept
        # whole (w:cantSplit), LibreOffice cuts such a row off at the page's end, and so does Word.
        split = set().union(*L.row_breaks(block, landscape))
        pad_v, pad_h = round(L.CELL_PAD_V_PT * 20), round(L.CELL_PAD_H_PT * 20)
        rule = round(L.TABLE_RULE_PT * 8)
        out = ['<w:tbl><w:tblPr>', oxml.TBL_W, '<w:jc w:val="center"/>',
               oxml.borders_xml(dict.fromkeys(("top", "left", "bottom", "right", "insideH", "insideV"), rule)),
               '<w:tblLayout w:type="fixed"/>', oxml.cell_margins_xml(pad_v, pad_v, pad_h, pad_h), oxml.TBL_LOOK,
               "</w:tblPr>", oxml.grid_xml(widths)]
        for r in range(len(all_rows)):
            header = r < n_header
            # Header and group rows take their style's font and weight (the style sheet's 表头 and
            # 表格分组行, as in the PDF); other cells their own weight and alignment. A group row
            # keeps with the row after it; a row shorter than a quarter page never breaks across pages.
            group = not header and r - n_header in block.group_rows
            role = "header" if header else "group" if group else "cell"
            keep = "<w:keepNext/>" if group else ""
            ppr_of = {"left": self.style(role) + keep + spacing,
                      "center": self.style(role) + keep + spacing + '<w:jc w:val="center"/>'}
            out.append('<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>' if header
                       else "<w:tr>" if r - n_header in split else '<w:tr><w:trPr><w:cantSplit/></w:trPr>')
            c = 0
            while c < n_cols:
                cell = starts[r].get(c)
                if cell is not None:
                    span = cell.colspan
                    # Vertically centred, as in both PDF engines; a body cell merged over rows keeps
                    # its text at the top of its first page, where a page break may cut it.
                    tcpr = oxml.cell_pr(sum(widths[c:c + span]), span, "restart" if cell.rowspan > 1 else None,
                                        "top" if cell.rowspan > 1 and not header else "center")
                    ppr = ppr_of["center" if cell.align == "center" and role == "cell" else "left"]
                    rpr = "<w:b/>" + size if cell.bold and role == "cell" else size
                    content = "".join(oxml.paragraph(ppr, oxml.run(line, rpr)) for line in cell.lines) \
                        or oxml.paragraph(ppr)
                elif c in below[r]:
                    span = below[r][c]
                    tcpr, content = oxml.cell_pr(sum(widths[c:c + span]), span, "continue"), oxml.paragraph(ppr_of["left"])
                else:   # a grid column no cell of this row reaches
                    span, tcpr, content = 1, oxml.cell_pr(widths[c]), oxml.paragraph(ppr_of["left"])
                out.append(f"<w:tc>{tcpr}{content}</w:tc>")
                c += span
            out.append("</w:tr>")
        out.append("</w:tbl>")
        self.out.append("".join(out))

    def imprint(self, imprint, landscape: bool) -> None:
        """版记 at the bottom of the last page: thick rules first and last, a thin rule between;
        抄送 indented 1 character (continuation under the names), 印发机关 left and 印发日期
        right, each 1 character in."""
        lines = [imprint.copy_line] if imprint.copy_line else []
        lines.append(f"{imprint.printer}\t{imprint.print_date}")
        copy_lines = lines[:-1]
        width_mm = L.LAND_TEXT_W if landscape else L.TEXT_W
        indent = Pt(L.IMPRINT_PT)  # 1 character of 4号
        height = L.imprint_lines(imprint.copy_line, width_mm) * L.IMPRINT_LINE_PT
        rows = []
        for text in lines:
            ppr = self.style("imprint")
            if "\t" in text:
                # Word measures tab stops from the cell's edge, not from the indent: 1 character in from the right.
                ppr += f'<w:tabs><w:tab w:pos="{Emu(Mm(width_mm) - indent).twips}" w:val="right"/></w:tabs>'
            if text in copy_lines:
                ppr += oxml.indent_xml(Emu(indent + Pt(3 * L.IMPRINT_PT)).twips, indent.twips,
                                       Pt(-3 * L.IMPRINT_PT).twips)
            else:
                ppr += oxml.indent_xml(indent.twips, indent.twips)
            rows.append(f"<w:tr><w:tc>{oxml.cell_pr(Mm(width_mm).twips)}{oxml.paragraph(ppr, oxml.run(text))}</w:tc></w:tr>")
        table = ("<w:tbl><w:tblPr>" + oxml.TBL_W
                 + oxml.borders_xml({"top": 8, "bottom": 8, "insideH": 6})  # 0.35 mm, 0.35 mm, 0.25 mm
                 + oxml.cell_margins_xml(0, 0, 0, 0) + oxml.TBL_LOOK + "</w:tblPr>"
                 + oxml.grid_xml([Mm(width_mm).twips]) + "".join(rows) + "</w:tbl>")
        # The box is exactly as high as its lines (plus the rules), so its bottom rule meets the 版心's bottom.
        bottom_mm = L.PAGE_W - L.LAND_MARGIN_BOTTOM if landscape else L.PAGE_H - L.MARGIN_BOTTOM
        box = oxml.vml_text_box(table, width_mm * L.PT_PER_MM, height + 3, bottom_mm * L.PT_PER_MM,
                                self.skeleton.decls("v", "w10"))
        self.out.append(oxml.paragraph(self.style("plain"), box))
