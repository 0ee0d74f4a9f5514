"""View model → DOCX: a docxtpl template carries the 版头 and the styles (editable in Word),
the body is built from the same view model as the PDF and inserted as a subdocument."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import jinja2
from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from markupsafe import Markup

from ..compose.blocks import DocumentView, Image, Paragraph, Table
from ..config import Config
from ..errors import GongfuError, Place, display_path
from ..publish import normalise_zip
from . import layout as L
from . import oxml
from .sandbox import TemplateEnvironment

TEMPLATE_NAME = "notice.docx"      # with the 版头 (red mark, issue number, rule)
PLAIN_TEMPLATE_NAME = "plain.docx"  # without: lists and extracts

# Paragraph role → Word style name (Chinese, as a Word user sees it) and font role.
STYLES = {
    "title": ("公文标题", "xbs"), "title-sub": ("副标题", "kai"), "recipients": ("主送机关", "fang"), "body": ("公文正文", "fang"),
    "h1": ("一级标题", "hei"), "h2": ("二级标题", "kai"), "caption": ("表题", "hei"),
    "attach-note": ("附件说明", "fang"), "attach-label": ("附件标识", "hei"),
    "signature": ("落款", "fang"), "note": ("附注", "fang"), "plain": ("无缩进", "fang"),
    "mark": ("发文机关标志", "xbs"), "number": ("发文字号", "fang"), "cell": ("表格文字", "fang"),
    "page-number": ("页码", "song"), "imprint": ("版记", "fang"),
}

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
    own = config.root / "templates" / "docx" / name
    if own.exists():
        return own
    return Path(__file__).resolve().parents[2] / "templates" / "docx" / name


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
    indent = Pt(2 * L.CHAR_PITCH_PT)
    from docx.enum.style import WD_STYLE_TYPE
    for role, (name, _font) in STYLES.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        f = style.paragraph_format
        if role in ("body", "h1", "h2", "note"):
            f.first_line_indent = indent
        if role in ("title", "title-sub", "mark", "number", "caption"):
            f.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if role in ("recipients", "signature", "plain", "attach-label"):
            f.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if role in ("h1", "h2", "caption"):
            f.keep_with_next = True
        if role in ("title", "h1", "h2", "caption", "attach-label"):
            # Other faces are taller than 仿宋: snapping them to the grid would double their lines
            # in LibreOffice. Exact line spacing keeps them on the 28.95 pt pitch anyway.
            oxml.set_snap_to_grid(style.element.get_or_add_pPr(), False)
        if role == "title":
            style.font.size = Pt(L.TITLE_PT)
            style.element.get_or_add_rPr()
            oxml.set_char_spacing(style.element.rPr, 0)
        if role == "mark":
            style.font.size = Pt(24)
            style.font.color.rgb = RGBColor.from_string(L.RED)
            f.space_before = Mm(L.MARK_TOP_MM)
            f.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
            oxml.set_snap_to_grid(style.element.get_or_add_pPr(), False)
            oxml.set_char_spacing(style.element.get_or_add_rPr(), 0)
        if role == "number":
            oxml.set_paragraph_border(style.element.get_or_add_pPr(), "bottom", L.RED, 12,
                                      round(L.RULE_GAP_MM * L.PT_PER_MM - (L.LINE_PITCH_PT - L.BODY_PT) / 2))
        if role in ("cell", "page-number", "imprint"):
            f.line_spacing_rule = WD_LINE_SPACING.SINGLE
            if role == "imprint":
                f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                f.line_spacing = Pt(L.IMPRINT_LINE_PT)
            f.first_line_indent = Pt(0)
            oxml.set_snap_to_grid(style.element.get_or_add_pPr(), False)
            oxml.set_char_spacing(style.element.get_or_add_rPr(), 0)
            style.font.size = Pt(L.PAGE_NUMBER_PT if role != "cell" else 10.5)
        if role == "cell":
            f.alignment = WD_ALIGN_PARAGRAPH.LEFT
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
        p.style = styles[STYLES["page-number"][0]]
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
        doc.add_paragraph("{{ frame.mark }}", style=STYLES["mark"][0])
        doc.add_paragraph("", style=STYLES["plain"][0])
        doc.add_paragraph("", style=STYLES["plain"][0])
        doc.add_paragraph("{{ frame.number }}", style=STYLES["number"][0])
    doc.add_paragraph("{{p body }}", style=STYLES["plain"][0])
    doc.core_properties.author = "gongfu-reports"
    doc.core_properties.created = doc.core_properties.modified = dt.datetime(2024, 1, 1)
    doc.save(path)


# ---------------------------------------------------------------------------------------------
# Rendering.

def apply_fonts(document, config: Config) -> None:
    """Official font names from config.yaml on every style (Word/WPS on office PCs use them)."""
    fonts = {role: font.docx for role, font in config.fonts}
    oxml.set_fonts(document.styles["Normal"].element.get_or_add_rPr(), fonts["fang"])
    present = {s.name: s for s in document.styles}
    for name, font_role in STYLES.values():
        if name in present:
            oxml.set_fonts(present[name].element.get_or_add_rPr(), fonts[font_role])


class _StyleIds:
    """Paragraph style ids by role, each looked up once per document: python-docx searches
    styles.xml on every `paragraph.style = name`, which made large tables slow."""

    def __init__(self, document):
        self.styles, self.ids = document.styles, {}

    def apply(self, paragraph, role: str):
        if role not in self.ids:
            self.ids[role] = self.styles[STYLES[role][0]].style_id
        paragraph._p.style = self.ids[role]
        return paragraph

    def add(self, container, role: str):
        """A new paragraph in the given style at the end of a document, subdocument or cell."""
        return self.apply(container.add_paragraph(), role)


def render_docx(view: DocumentView, config: Config, mark_size: float) -> bytes:
    from docxtpl import DocxTemplate

    path = template_path(config, TEMPLATE_NAME if view.frame else PLAIN_TEMPLATE_NAME)
    tpl = DocxTemplate(str(path))
    tpl.init_docx()
    apply_fonts(tpl.docx, config)
    sub = tpl.new_subdoc()
    sectpr = tpl.docx.sections[-1]._sectPr
    fonts = {role: font.docx for role, font in config.fonts}
    styles = _StyleIds(tpl.docx)
    for i, section in enumerate(view.sections):
        for block in section.blocks:
            if isinstance(block, Table):
                _add_table(sub, block, section.landscape, styles)
            elif isinstance(block, Image):
                _add_image(sub, block, styles)
            else:
                _add_paragraph(sub, block, fonts, styles)
        if i + 1 < len(view.sections):
            holder = styles.add(sub, "plain")
            oxml.section_break(holder, sectpr, section.landscape, PAGE_TWIPS,
                               LANDSCAPE_MARGINS if section.landscape else PORTRAIT_MARGINS)
    if view.imprint:
        _add_imprint(sub, view, view.sections[-1].landscape, styles)
    # Bounded, and plain data only: the body is the XML docxtpl would insert for the Subdoc (whose
    # attributes reach python-docx objects with methods that save files).
    env = TemplateEnvironment(display_path(path), undefined=jinja2.StrictUndefined, autoescape=True)
    context = {"frame": view.frame, "body": Markup(str(sub))}
    try:
        tpl.render(context, env, autoescape=True)
    except jinja2.TemplateSyntaxError as exc:
        raise GongfuError(f"Word 模板中的标记有语法错误：{exc.message}", _tag_place(path, env),
                          hint="检查 {{ }} 与 {% %} 是否成对，引号是否被 Word 改成了中文引号") from None
    except jinja2.UndefinedError as exc:
        raise GongfuError(f"Word 模板使用了未定义的变量：{exc.message}", _tag_place(path, env, exc)) from None
    # The last section's page setup lives in the body's own sectPr.
    last = view.sections[-1].landscape
    oxml.configure_section(tpl.docx.sections[-1]._sectPr, last, PAGE_TWIPS,
                           LANDSCAPE_MARGINS if last else PORTRAIT_MARGINS)
    _fit_mark(tpl.docx, view, mark_size)
    props = tpl.docx.core_properties
    day = dt.datetime.fromisoformat(view.date)
    props.title, props.created, props.modified, props.revision = view.title, day, day, 1
    props.last_modified_by = props.author = "gongfu-reports"
    out = io.BytesIO()
    tpl.save(out)
    return normalise_zip(out.getvalue(), day)


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


def _fit_mark(document, view: DocumentView, mark_size: float) -> None:
    if not view.frame:
        return
    scale = round(L.mark_scale(view.frame.mark, mark_size) * 100)
    for p in document.paragraphs:
        if p.style is not None and p.style.name == STYLES["mark"][0]:
            for run in p.runs:
                run.font.size = Pt(mark_size)
                oxml.set_char_scale(run._r.get_or_add_rPr(), scale)


def _add_image(doc, block: Image, styles: _StyleIds) -> None:
    p = styles.add(doc, "plain")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # not the exact body pitch
    oxml.set_snap_to_grid(p._p.get_or_add_pPr(), False)
    p.add_run().add_picture(io.BytesIO(block.png), width=Mm(block.width_mm))


def _add_paragraph(doc, block: Paragraph, fonts: dict, styles: _StyleIds) -> None:
    p = styles.add(doc, block.role)
    pf = p.paragraph_format
    pitch = L.CHAR_PITCH_PT
    if block.role == "attach-note":
        pf.left_indent = Pt((2 + block.indent_chars + block.hanging_chars) * pitch)
        pf.first_line_indent = Pt(-block.hanging_chars * pitch)
    elif block.indent_chars:
        pf.left_indent = Pt(block.indent_chars * pitch)
    if block.page_break_before:
        pf.page_break_before = True
    for r in block.runs:
        run = p.add_run(r.text)
        if r.bold:
            run.bold = True
        if r.font:
            oxml.set_fonts(run._r.get_or_add_rPr(), fonts[r.font])


def _add_table(doc, block: Table, landscape: bool, styles: _StyleIds) -> None:
    n_cols = len(block.columns)
    all_rows = block.header + block.rows
    table = doc.add_table(rows=len(all_rows), cols=n_cols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    oxml.set_table_borders(table)
    oxml.set_cell_margins(table)
    width_mm = L.LAND_TEXT_W if landscape else L.TEXT_W
    total = sum(c.width for c in block.columns)
    widths = [Mm(width_mm * c.width / total) for c in block.columns]
    for col, w in zip(table.columns, widths):
        col.width = w
    grid_rows = list(table.rows)
    # The cells of the fresh table, taken once (table.cell(r, c) walks the whole table on each
    # call). A merge keeps the top-left cell of its span and never touches cells outside it, so
    # the cells still to be visited stay valid.
    grid = [list(row.cells) for row in grid_rows]
    for cells in grid:
        for cell, w in zip(cells, widths):
            cell.width = w
    for r in range(len(block.header)):
        oxml.set_repeat_header(grid_rows[r])
    for row in grid_rows:
        oxml.set_cant_split(row, False)
    # Place each cell at the first free grid column, merging its span.
    occupied = [[False] * n_cols for _ in all_rows]
    for r, row in enumerate(all_rows):
        c = 0
        for cell in row:
            while c < n_cols and occupied[r][c]:
                c += 1
            r2, c2 = r + cell.rowspan - 1, c + cell.colspan - 1
            for rr in range(r, r2 + 1):
                for cc in range(c, c2 + 1):
                    occupied[rr][cc] = True
            target = grid[r][c]
            if (r2, c2) != (r, c):
                target = target.merge(grid[r2][c2])
            _fill_cell(target, cell, block.font_size, styles, header=r < len(block.header))
            c = c2 + 1


def _fill_cell(target, cell, size: float, styles: _StyleIds, header: bool) -> None:
    # A merged cell that may cross a page keeps its text at the top of its first page.
    target.vertical_alignment = (WD_CELL_VERTICAL_ALIGNMENT.TOP if cell.rowspan > 1
                                 else WD_CELL_VERTICAL_ALIGNMENT.CENTER)
    paragraphs = target.paragraphs
    for extra in paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    for i, line in enumerate(cell.lines):
        p = styles.apply(paragraphs[0] if i == 0 else target.add_paragraph(), "cell")
        if cell.align == "center" or header:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(line)
        run.font.size = Pt(size)
        if cell.bold or header:
            run.bold = True


def _add_imprint(doc, view: DocumentView, landscape: bool, styles: _StyleIds) -> None:
    """版记 at the bottom of the last page: thick rules first and last, a thin rule between;
    抄送 indented 1 character (continuation under the names), 印发机关 left and 印发日期 right,
    each 1 character in."""
    imprint = view.imprint
    lines = [f"抄送：{imprint.copy_to}。"] if imprint.copy_to else []
    lines.append(f"{imprint.printer}\t{imprint.print_date}")
    width_mm = L.LAND_TEXT_W if landscape else L.TEXT_W
    table = doc.add_table(rows=len(lines), cols=1)
    oxml.set_cell_margins(table, 0, 0, 0, 0)
    oxml.set_borders(table, {"top": 8, "bottom": 8, "insideH": 6})  # 0.35 mm, 0.35 mm, 0.25 mm
    indent = Pt(L.IMPRINT_PT)  # 1 character of 4号
    chars = width_mm * L.PT_PER_MM / L.IMPRINT_PT
    height = 0.0
    for row, text in zip(table.rows, lines):
        cell = row.cells[0]
        cell.width = Mm(width_mm)
        p = styles.apply(cell.paragraphs[0], "imprint")
        p.add_run(text)
        fmt = p.paragraph_format
        fmt.left_indent = fmt.right_indent = indent
        if text.startswith("抄送："):
            fmt.left_indent, fmt.first_line_indent = indent + Pt(3 * L.IMPRINT_PT), Pt(-3 * L.IMPRINT_PT)
            height += L.wrapped_lines(text, chars - 2, chars - 5) * L.IMPRINT_LINE_PT
        else:
            height += L.IMPRINT_LINE_PT
        if "\t" in text:
            fmt.tab_stops.add_tab_stop(Mm(width_mm) - 2 * indent, alignment=WD_TAB_ALIGNMENT.RIGHT)
    anchor = styles.add(doc, "plain")
    # The box is exactly as high as its lines (plus the rules), so its bottom rule meets the 版心's bottom.
    oxml.bottom_text_box(anchor, table._tbl, width_mm * L.PT_PER_MM, height + 3)
