"""`gongfu lint`: check a DOCX or PDF against GB/T 9704-2012 and say what is off, by page and element.

The checks read the file the way a reader (or Word) does: page geometry, where text sits, font sizes,
lines per page, characters per line, the red 标志 and rule, page numbers and their sides, the 版记,
and repeated table headers."""

from __future__ import annotations

import lzma
import posixpath
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .errors import GongfuError, Place, display_path
from .files.archive import check_zip, not_docx
from .render import layout as L, workers

MM = 72 / 25.4
TOL_MM = 1.5
FULL_WIDTH_LINE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’—]+")


@dataclass(frozen=True)
class Finding:
    where: str      # "第3页" / "第2节" / "样式“公文正文”"
    element: str    # "页边距", "页码" …
    message: str

    def __str__(self) -> str:
        return f"{self.where}，{self.element}：{self.message}"


# `gongfu lint` may be given a file from elsewhere (a Word file edited and sent back, a PDF received): its
# size is checked first and its checks run bounded (workers.bounded): a PDF of a few kB can hold streams
# that inflate to gigabytes, forms drawn inside forms, millions of operators. Measured: the largest bundled
# output checks in 0.5 s of CPU and under 40 MB, the scaled workload's 1000-row 通报 (5 MB, ~150 pages) in
# 2.1 s and 70 MB. (The build checks its own outputs as it makes them, in its processes: lint_bytes.)
MAX_PDF_BYTES = 100 * 1024 * 1024
CHECK_SECONDS = 20
CHECK_MEMORY_MB = 500


def lint(path: Path) -> list[Finding]:
    """The findings of a .docx or .pdf file given to `gongfu lint`."""
    place = Place(display_path(path))
    suffix = path.suffix.lower()
    if not path.exists():
        raise GongfuError("文件不存在", place)
    if suffix not in (".pdf", ".docx"):
        raise GongfuError("只能检查 .docx 或 .pdf 文件", place)
    if not path.is_file():
        raise GongfuError("不是普通文件（是文件夹、设备或管道），无法检查", place)
    if suffix == ".docx":
        check_zip(path, place, "Word 文档", not_docx(place))
    elif (size := path.stat().st_size) > MAX_PDF_BYTES:
        raise GongfuError(f"文件过大（{size / 1024 / 1024:.0f} MB，上限 {MAX_PDF_BYTES // 1024 // 1024} MB）", place)
    try:
        return workers.bounded(CHECK_SECONDS, CHECK_MEMORY_MB, _lint_file, path)
    except workers.Stopped as exc:
        message = {"cpu": f"检查超过 {CHECK_SECONDS} 秒（CPU 时间），已停止",
                   "wall": f"检查超过 {workers.WALL_FACTOR * CHECK_SECONDS} 秒，已停止",
                   "memory": f"检查用尽了内存上限（{CHECK_MEMORY_MB} MB），已停止"}.get(exc.reason,
                                                                               f"检查进程意外结束（{exc.reason}）")
        raise GongfuError(message, place, hint="文件异常复杂或已损坏（也可能是有意构造的文件）；本工具生成的文件远在上限之内") \
            from None


def _lint_file(path: Path) -> list[Finding]:
    return lint_pdf(path) if path.suffix.lower() == ".pdf" else lint_docx(path)


def lint_bytes(data: bytes, fmt: str) -> list[Finding]:
    """The checks of an output just rendered, before it is written (a build worker runs them)."""
    from io import BytesIO

    return lint_pdf(BytesIO(data)) if fmt == "pdf" else lint_docx(BytesIO(data))


def _label(source) -> str:
    return display_path(source) if isinstance(source, Path) else "生成的文件"


# --------------------------------------------------------------------------------------------- PDF

def lint_pdf(path) -> list[Finding]:
    """path: a Path or a binary file object."""
    return whole_pdf([check_pdf_part(path)])


@dataclass
class PageChecks:
    """The checks of some of a PDF's pages: their findings, and the characters of their body text by
    size (the body's size is judged on the whole document: whole_pdf)."""
    findings: list[Finding]
    body_sizes: Counter


def check_pdf_part(source, part: int = 0, parts: int = 1) -> PageChecks:
    """The checks of the part-th of `parts` equal runs of a PDF's pages (by default all of them): a
    build checks a long PDF in parts, on several cores, and whole_pdf puts them together. source: a
    Path, the bytes or a binary file object. One pass, one page in memory at a time: each page is read
    into plain values and closed. A run that starts after the first page reads the page before it
    too, for a table that runs on from there."""
    from pypdfium2 import PdfiumError

    from . import pdftext

    findings: list[Finding] = []
    try:
        document = pdftext.open_document(source)
    except Exception as exc:  # noqa: BLE001 - any parse failure is "not a readable PDF"
        if "password" in str(exc).lower():
            raise GongfuError("无法作为 PDF 打开：PDF 设有打开密码", Place(_label(source)),
                              hint="请检查未加密的文件") from None
        raise GongfuError("无法作为 PDF 打开：文件已损坏或并非 PDF 格式", Place(_label(source)),
                          hint="请用 PDF 阅读器打开确认，或重新导出 PDF") from None
    try:
        body_sizes: Counter = Counter()
        state = _PageState()
        count = len(document)
        first, stop = count * part // parts, count * (part + 1) // parts
        number = first
        try:
            for index in range(first - 1, -1, -1):   # as one pass has it here: set by the pages before
                page = next(pdftext.pages(document, index, index + 1))
                if index == first - 1:
                    state.previous_blank = _blank_before_imprint(document, page, count)
                if _paper_mm(page) == A4_MM:
                    _repeated_headers(page, page.tables, state)
                    break
            for page in pdftext.pages(document, first, stop):
                number = page.number
                blank = _blank_before_imprint(document, page, count)
                findings += _check_page(page, page.number == count, body_sizes, state, blank)
        except PdfiumError:          # a page that neither reader can read
            raise GongfuError(f"无法作为 PDF 打开：第{number + 1}页已损坏，无法读出", Place(_label(source)),
                              hint="请用 PDF 阅读器打开确认，或重新导出 PDF") from None
    finally:
        document.close()
    return PageChecks(findings, body_sizes)


def whole_pdf(parts: list[PageChecks]) -> list[Finding]:
    """The findings of a PDF checked in runs of pages (in page order), the body's size judged on all."""
    findings = [f for part in parts for f in part.findings]
    body_sizes = sum((part.body_sizes for part in parts), Counter())
    if body_sizes and body_sizes.most_common(1)[0][0] != round(L.BODY_PT):
        findings.append(Finding("全文", "正文字号", f"应为 3 号（16 pt），实际多为 {body_sizes.most_common(1)[0][0]} pt"))
    return findings


A4_MM = [210, 297]


def _paper_mm(page) -> list[int]:
    """The sheet's width and height in whole mm, the shorter first."""
    return sorted((round(page.width / MM), round(page.height / MM)))


def _blank_before_imprint(document, page, count: int) -> bool:
    """The page is the blank one a 版记 on an even page may need: the last but one, nothing on it, and
    the last page holds a 版记 (read for it)."""
    from . import pdftext

    if page.number != count - 1 or page.runs or page.shapes:
        return False
    return _has_imprint(next(pdftext.pages(document, count - 1, count)).lines)


def _check_page(page, last: bool, body_sizes: Counter, state: "_PageState", blank: bool = False) -> list[Finding]:
    """`blank`: the blank page before the 版记's page (GB/T 9704 7.5: neither of them is numbered)."""
    after_blank, state.previous_blank = state.previous_blank, blank
    where = f"第{page.number}页"
    landscape = page.width > page.height
    size = _paper_mm(page)
    if size != A4_MM:
        return [Finding(where, "纸张", f"应为 A4（210×297 mm），实际为 {size[0]}×{size[1]} mm")]
    if blank:
        state.previous_header = None
        return []
    if landscape:
        left, right, top, bottom = L.LAND_MARGIN_LEFT, L.LAND_MARGIN_RIGHT, L.LAND_MARGIN_TOP, L.LAND_MARGIN_BOTTOM
    else:
        left, right, top, bottom = L.MARGIN_LEFT, L.MARGIN_RIGHT, L.MARGIN_TOP, L.MARGIN_BOTTOM
    findings: list[Finding] = []
    tables = page.tables
    limit = page.height - bottom * MM
    # A landscape page's number stands in its left margin, turned (GB/T 9704 7.5: where the portrait
    # pages have it on the sheet): its characters are not part of the lines of the page.
    turned, lines = [], None
    if landscape:
        margin, low = left * MM, limit + 2
        edge, rest = [], []   # the runs with such characters, and the others
        for r in page.runs:
            (edge if r.bottom <= low and min(r.x1s) < margin else rest).append(r)
        turned = [c for r in edge for c in r.chars() if c.x1 < margin]
        if turned:
            from .pdftext import run_lines, text_lines

            if all(max(r.x1s) < margin for r in edge):  # runs all in the margin: the lines of the others
                lines = run_lines(rest)
            else:
                lines = text_lines([c for c in page.chars if not (c.x1 < margin and c.bottom <= low)])
    if lines is None:
        lines = page.lines
    body = [l for l in lines if l.bottom <= limit + 2]
    footer = [l for l in lines if l.top > limit + 2]
    for line in body:
        if line.x0 < left * MM - TOL_MM * MM or _right_edge(line) > page.width - (right - TOL_MM) * MM \
                or line.top < (top - 3) * MM:
            findings.append(Finding(where, "页边距", f"文字超出版心：“{line.text[:12]}”"))
            break
    if landscape:
        findings += _turned_page_number(page, where, turned)
    elif footer or not after_blank:
        findings += _page_number(page, where, footer)
    if not landscape and not tables:
        for run in page.runs:               # every character above the footer, by its size
            if run.top < limit:
                body_sizes[round(run.size)] += len(run.text)
        if len(body) > L.LINES:
            findings.append(Finding(where, "行数", f"每页应不超过 {L.LINES} 行，实际 {len(body)} 行"))
        # 28 characters per line is the rule for 3号 text (the 4号 版记 holds more): lines of body height.
        long = [l for l in body if FULL_WIDTH_LINE.fullmatch(l.text) and len(l.text) > L.CHARS
                and l.bottom - l.top > L.BODY_PT - 1]
        if long:
            findings.append(Finding(where, "每行字数", f"应不超过 {L.CHARS} 字，有 {len(long[0].text)} 字的行"))
    if page.number == 1:
        findings += _frame(page)
    findings += _imprint(page, lines, last)
    findings += _repeated_headers(page, tables, state)
    return findings


# GB/T 15834-2011 5.1.10: punctuation at the end of a line may be set half-width; these marks have
# their ink in the left half of the character, so such a line ends half a character early.
LINE_END_HALF_WIDTH = "、，。．！？）；：》」』】〕〗］｝〉”’"


def _right_edge(line) -> float:
    """Where a line's ink ends: a closing mark at its end counts half a character."""
    if line.text and line.text[-1] in LINE_END_HALF_WIDTH:
        return line.x1 - (line.bottom - line.top) / 2
    return line.x1


def _page_number(page, where: str, footer) -> list[Finding]:
    expected = f"— {page.number} —"
    if not footer:
        return [Finding(where, "页码", "缺少页码")]
    line = footer[-1]
    out = []
    if line.text.strip() != expected:
        out.append(Finding(where, "页码", f"应为“{expected}”，实际为“{line.text.strip()[:20]}”"))
    centre = (line.x0 + line.x1) / 2
    odd = page.number % 2 == 1
    if odd and centre <= page.width * 0.6:
        out.append(Finding(where, "页码", "单页页码应在右侧"))
    if not odd and centre >= page.width * 0.4:
        out.append(Finding(where, "页码", "双页页码应在左侧"))
    sizes = {round(r.size) for r in page.runs if r.top >= line.top - 1 and any(c.isdigit() for c in r.text)}
    if sizes and sizes != {round(L.PAGE_NUMBER_PT)}:
        out.append(Finding(where, "页码", f"应为 4 号（14 pt），实际为 {sorted(sizes)} pt"))
    return out


def _turned_page_number(page, where: str, turned) -> list[Finding]:
    """The number of a landscape page, read from top to bottom in the left margin: at the bottom of
    the 版心 on odd pages, at its top on even ones (the portrait pages' right and left)."""
    expected = f"—{page.number}—"
    text = "".join(c.text for c in sorted(turned, key=lambda c: c.top)).replace(" ", "")
    if not text:
        return [Finding(where, "页码", "缺少页码（横排页的页码在左侧页边，竖排）")]
    out = []
    if text != expected:
        out.append(Finding(where, "页码", f"应为“— {page.number} —”，实际为“{text[:20]}”"))
    # Turned, the number runs down a column (pdfminer's upright flag is no test: Typst turns text with
    # cos 90° = 6e-17, which it counts as upright).
    if max(c.x1 for c in turned) - min(c.x0 for c in turned) > max(c.bottom for c in turned) - min(c.top for c in turned):
        out.append(Finding(where, "页码", "横排页的页码应随纸张转向竖排（由上往下读）"))
    centre = (min(c.top for c in turned) + max(c.bottom for c in turned)) / 2
    if page.number % 2 == 1 and centre <= page.height / 2:
        out.append(Finding(where, "页码", "横排单页的页码应在左侧页边的下端"))
    if page.number % 2 == 0 and centre >= page.height / 2:
        out.append(Finding(where, "页码", "横排双页的页码应在左侧页边的上端"))
    return out


def _is_red(colour) -> bool:
    colour = tuple(colour or ())
    return len(colour) == 3 and colour[0] > 0.8 and colour[1] < 0.3 and colour[2] < 0.3


def _frame(page) -> list[Finding]:
    """A red 标志 (when present) 35 mm under the 版心 top, with a red rule of 版心 width under it."""
    red = [r for r in page.runs if _is_red(r.colour)]
    if not red:
        return []
    out = []
    top = min(c.top for c in red) / MM
    expected = L.MARGIN_TOP + L.MARK_TOP_MM
    if abs(top - expected) > 5:
        out.append(Finding("第1页", "发文机关标志", f"上边缘应距版心上边 35 mm（页面 {expected:.0f} mm），实际 {top:.0f} mm"))
    rules = [r for r in page.shapes
             if r.kind in ("rect", "line") and abs((r.x1 - r.x0) - L.TEXT_W * MM) < 2 * MM and r.bottom - r.top < 3 * MM
             and (_is_red(r.fill) or _is_red(r.stroke))]
    if not rules:
        out.append(Finding("第1页", "分隔线", "缺少与版心等宽的红色分隔线"))
    return out


def _has_imprint(lines) -> bool:
    """Lines with a 版记 (抄送, 印发) among them."""
    text = "".join(l.text for l in lines).replace(" ", "")
    return "抄送：" in text or bool(re.search(r"\d+年\d+月\d+日印发", text))


def _imprint(page, lines, last: bool) -> list[Finding]:
    """The 版记 (抄送, 印发) on the last page, at the bottom of the 版心, which is an even page."""
    if not _has_imprint(lines):
        return []
    if not last:
        return [Finding(f"第{page.number}页", "版记", "版记应在最后一页")]
    if page.number % 2:   # printed on both sides, the last page is the back of the last sheet
        return [Finding(f"第{page.number}页", "版记", "版记应在双页（双面印刷时的最后一面）；单页后可留空白页")]
    printed = [l for l in lines if "印发" in l.text.replace(" ", "")]
    bottom = page.height - (L.MARGIN_BOTTOM if page.width < page.height else L.LAND_MARGIN_BOTTOM) * MM
    if printed and bottom - printed[-1].bottom > 15:
        return [Finding(f"第{page.number}页", "版记", "版记应位于版心底部")]
    return []


@dataclass
class _PageState:
    """What the checks of a page carry to the next."""
    previous_header: list[str] | None = None   # header row of the last table on the page before
    previous_blank: bool = False                # the page before is the blank one before the 版记's page


def _repeated_headers(page, tables, state: _PageState) -> list[Finding]:
    """A table that runs on to the next page repeats its header row there."""
    if not tables:
        state.previous_header = None
        return []
    out = []
    first = ["".join((c or "").split()) for c in tables[0].first_row]
    top_of_page = tables[0].bbox[1] < (L.LAND_MARGIN_TOP if page.width > page.height else L.MARGIN_TOP) * MM + 10
    previous = state.previous_header
    if previous and top_of_page and len(first) == len(previous) and first != previous:
        out.append(Finding(f"第{page.number}页", "表格", "跨页表格应重复表头"))
    state.previous_header = ["".join((c or "").split()) for c in tables[-1].first_row]
    return out


# -------------------------------------------------------------------------------------------- DOCX

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_EMU = {"mm": 36000, "cm": 360000, "in": 914400, "pt": 12700, "pc": 152400, "pi": 152400}


def lint_docx(path) -> list[Finding]:
    """path: a Path or a binary file object. Only the parts the checks need are read (the document,
    its styles, settings and first section's footers), as python-docx would read them."""
    from lxml import etree

    try:
        docx = _Docx(path)
        return _check_docx(docx)
    except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError, KeyError, ValueError,
            OverflowError, RuntimeError, OSError, etree.XMLSyntaxError):   # RuntimeError: an encrypted part
        raise not_docx(Place(_label(path))) from None


class _Docx:
    """A Word package: its parts found through [Content_Types].xml and the relationships."""

    def __init__(self, source):
        from lxml import etree

        self.parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False)
        self.zip = zipfile.ZipFile(source)
        self.rels: dict = {}
        main = self.related("", "officeDocument")
        if main is None:
            raise KeyError("no main document part")
        types = self.xml("[Content_Types].xml")
        overrides = {e.get("PartName"): e.get("ContentType") for e in types.iter(_CONTENT_TYPES + "Override")}
        defaults = {e.get("Extension", "").lower(): e.get("ContentType") for e in types.iter(_CONTENT_TYPES + "Default")}
        if overrides.get("/" + main, defaults.get(main.rsplit(".", 1)[-1].lower())) != _MAIN:
            raise ValueError("not a Word document")
        self.main = main
        self.sections, self.tables = self._body(self.zip.read(main))

    def xml(self, name: str, data: bytes | None = None):
        from lxml import etree

        return etree.fromstring(self.zip.read(name) if data is None else data, self.parser)

    def _body(self, data: bytes) -> tuple[list, list]:
        """The sections (w:sectPr of the body and of its paragraphs) and the tables of the body, each as
        (rows, whether the first has w:tblHeader): found by their tags where the document is plain (no
        content controls, text boxes, alternate content, comments …), else from the parsed document."""
        from lxml import etree

        body = _plain_body(data)
        if body is not None:
            start, sections, tables = body
            try:
                return [self.xml("", start + snippet + b"</w:document>")[0] for snippet in sections], tables
            except etree.XMLSyntaxError:    # a prefix the start tag does not declare: read it all
                pass
        return _parsed_body(self.xml("", data))

    def normal_style(self):
        """The style python-docx finds as styles["Normal"]: the first named Normal, else the one with
        that id (None when neither is there)."""
        name = self.related(self.main, "styles")
        data = self.zip.read(name) if name is not None else None
        from lxml import etree

        snippet = _plain_normal_style(data) if data is not None else None
        if snippet is not None:
            try:
                return self.xml("", snippet)[0]
            except etree.XMLSyntaxError:
                pass
        styles = self.part_or_default("styles") if data is None else self.xml("", data)
        normal = next((s for s in styles.findall(W + "style")
                       if any(n.get(W + "val") == "Normal" for n in s.findall(W + "name"))), None)
        if normal is None:
            normal = next((s for s in styles.findall(W + "style") if s.get(W + "styleId") == "Normal"), None)
        return normal

    def relationships(self, part: str) -> dict:
        """Relationship id → (type, part name) of a part ("" for the package)."""
        if part not in self.rels:
            self.rels[part] = self._relationships(part)
        return self.rels[part]

    def _relationships(self, part: str) -> dict:
        folder, _, file = part.rpartition("/")
        rels = f"{folder}/_rels/{file}.rels" if part else "_rels/.rels"
        try:
            root = self.xml(rels)
        except KeyError:
            return {}
        out = {}
        for rel in root.iter(_PACKAGE_REL):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            name = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target))
            out[rel.get("Id")] = (rel.get("Type", ""), name)
        return out

    def related(self, part: str, kind: str) -> str | None:
        return next((name for rel_type, name in self.relationships(part).values() if rel_type == _REL + kind), None)

    def part_or_default(self, kind: str):
        """The document's styles or settings part; python-docx's default one when there is none."""
        name = self.related(self.main, kind)
        if name is not None:
            return self.xml(name)
        from lxml import etree
        import docx

        default = Path(docx.__file__).parent / "templates" / f"default-{kind}.xml"
        return etree.fromstring(default.read_bytes(), self.parser)


def _emu(value: str | None, universal_allowed: bool = True) -> int | None:
    """A twips measure (python-docx's ST_TwipsMeasure) in EMU."""
    if value is None:
        return None
    if universal_allowed and any(u in value for u in "imp"):
        return int(round(float(value[:-2]) * _EMU[value[-2:]]))
    return int(int(value) * 635)


def _half_points_emu(value: str) -> int:
    if any(u in value for u in "imp"):
        return int(round(float(value[:-2]) * _EMU[value[-2:]]))
    return int(int(value) / 2.0 * 12700)


# Where a document's body is plain (no content controls, text boxes, alternate content, tracked section
# changes, comments or CDATA that could hide or add sections and tables), its structure is read from
# the tags of its tables, rows and sections without parsing it all.
_TABLE_TAGS = re.compile(rb"<w:t(bl|r|rPr|blHeader)(?=[\s/>])[^>]*?(/?)>|</w:t(bl|r|rPr)>")
_NOT_PLAIN = (b"<w:sdtContent", b"<w:txbxContent", b"AlternateContent", b"<w:customXml", b"sectPrChange", b"<!--",
              b"<![CDATA[")
_NAMESPACE_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _plain_body(data: bytes):
    """(the document's start tag, the sections' XML, the body's tables as (rows, header on the first)),
    read from the tags; None where the document is not plain enough for that."""
    root = re.match(rb"(?:<\?[^>]*\?>\s*)?(<w:document\b[^>]*>)", data)
    if root is None or _NAMESPACE_W not in root.group(1) or any(token in data for token in _NOT_PLAIN):
        return None
    body_start, body_end = data.find(b"<w:body>"), data.rfind(b"</w:body>")
    if body_start < 0 or body_end < body_start or data.find(b"<w:body", body_start + 1) >= 0:
        return None
    tables, edges = [], []                  # edges: where each table starts and ends (depth changes)
    depth, row, in_trpr = 0, 0, False
    for m in _TABLE_TAGS.finditer(data, body_start, body_end):
        opening, empty, closing = m.group(1), m.group(2), m.group(3)
        if opening == b"bl" and not empty:
            depth += 1
            edges.append((m.start(), depth))
            if depth == 1:
                tables.append([0, False])
                row = 0
        elif closing == b"bl":
            depth -= 1
            edges.append((m.end(), depth))
            if depth < 0:
                return None
        elif depth == 1 and opening == b"r" and not empty:
            row += 1
            tables[-1][0] += 1
        elif depth == 1 and row == 1:
            if opening == b"rPr":
                in_trpr = not empty
            elif closing == b"rPr":
                in_trpr = False
            elif opening == b"blHeader" and in_trpr:
                tables[-1][1] = True
    if depth:
        return None
    sections, at = [], body_start
    while True:
        at = data.find(b"<w:sectPr", at, body_end)
        if at < 0:
            break
        end = data.find(b">", at)
        if data[at + 9:at + 10] not in (b" ", b">", b"/") or any(a < at < b for a, b in _table_spans(edges)):
            return None                     # another tag, or a section inside a table
        end = end + 1 if data[end - 1:end] == b"/" else data.find(b"</w:sectPr>", at) + 11
        if end < at + 11:
            return None
        sections.append(data[at:end])
        at = end
    return root.group(1), sections, [tuple(t) for t in tables]


def _parsed_body(document) -> tuple[list, list]:
    """_plain_body's sections and tables, from the parsed document (as python-docx finds them)."""
    body = document.find(W + "body")
    children = list(body) if body is not None else []
    sections = [sect for child in children if child.tag == W + "p"
                for ppr in child.findall(W + "pPr")[:1] for sect in ppr.findall(W + "sectPr")[:1]]
    sections += [child for child in children if child.tag == W + "sectPr"]
    tables = []
    for table in (child for child in children if child.tag == W + "tbl"):
        rows = table.findall(W + "tr")
        trpr = rows[0].find(W + "trPr") if rows else None
        tables.append((len(rows), trpr is not None and trpr.find(W + "tblHeader") is not None))
    return sections, tables


def _table_spans(edges: list) -> list[tuple[int, int]]:
    """(start, end) of the body's top-level tables, from where tables start and end."""
    spans, start = [], None
    for position, depth in edges:
        if depth == 1 and start is None:
            start = position
        elif depth == 0:
            spans.append((start, position))
            start = None
    return spans


def _plain_normal_style(data: bytes) -> bytes | None:
    """The style named Normal, wrapped in the styles part's start tag, found by its name where the part
    is plain; None when it is not (or names no Normal style: then python-docx looks further)."""
    root = re.match(rb"(?:<\?[^>]*\?>\s*)?(<w:styles\b[^>]*>)", data)
    at = data.find(b'<w:name w:val="Normal"/>')
    if root is None or at < 0 or _NAMESPACE_W not in root.group(1) or b"<!--" in data or b"CDATA" in data:
        return None
    start, end = data.rfind(b"<w:style ", 0, at), data.find(b"</w:style>", at)
    if start < 0 or end < 0 or b"</w:style>" in data[start:at] or b'<w:name ' in data[start:at]:
        return None
    return root.group(1) + data[start:end + 10] + b"</w:styles>"


def _check_docx(docx: _Docx) -> list[Finding]:
    out: list[Finding] = []
    sections = docx.sections
    for n, sect in enumerate(sections, 1):
        where = f"第{n}节"
        size = sect.find(W + "pgSz")
        width = _emu(size.get(W + "w")) if size is not None else None
        height = _emu(size.get(W + "h")) if size is not None else None
        if width is None or height is None:
            out.append(Finding(where, "纸张", "应为 A4，未设置纸张大小"))
            landscape = False
        else:
            landscape = width > height
            w, h = sorted((round(width / 36000), round(height / 36000)))
            if (w, h) != (210, 297):
                out.append(Finding(where, "纸张", f"应为 A4，实际为 {w}×{h} mm"))
        margins = (L.LAND_MARGIN_TOP, L.LAND_MARGIN_BOTTOM, L.LAND_MARGIN_LEFT, L.LAND_MARGIN_RIGHT) if landscape \
            else (L.MARGIN_TOP, L.MARGIN_BOTTOM, L.MARGIN_LEFT, L.MARGIN_RIGHT)
        mar = sect.find(W + "pgMar")
        for name, key, want in zip(("上", "下", "左", "右"), ("top", "bottom", "left", "right"), margins):
            got = _emu(mar.get(W + key)) if mar is not None else None
            if got is None:
                out.append(Finding(where, "页边距", f"{name}边距应为 {want:g} mm，未设置"))
            elif abs(want - got / 36000) > 0.5:
                out.append(Finding(where, "页边距", f"{name}边距应为 {want:g} mm，实际 {got / 36000:.1f} mm"))
        grid = sect.find(W + "docGrid")
        if grid is None or grid.get(W + "linePitch") != str(round(L.LINE_PITCH_PT * 20)):
            out.append(Finding(where, "文档网格", f"行距网格应为 {L.LINE_PITCH_PT} pt（每页 {L.LINES} 行）"))
    out += _normal_style(docx.normal_style())
    if docx.part_or_default("settings").find(W + "evenAndOddHeaders") is None:
        out.append(Finding("页面设置", "页码", "应设置奇偶页不同的页脚（单页居右、双页居左）"))
    if sections:
        out += _page_fields(docx, sections[0])
    for n, (rows, header) in enumerate(docx.tables, 1):
        if rows > 15 and not header:
            out.append(Finding(f"第{n}个表格", "表头", "跨页表格应设置“标题行重复”"))
    return out


def _normal_style(normal) -> list[Finding]:
    """The 正文 (Normal) style: 3号 (16 pt), exact line spacing of the grid, a 仿宋 East Asian font."""
    rpr = normal.find(W + "rPr") if normal is not None else None
    ppr = normal.find(W + "pPr") if normal is not None else None
    out = []
    sz = rpr.find(W + "sz") if rpr is not None else None
    size = sz.get(W + "val") if sz is not None else None
    if size is None or round(_half_points_emu(size) / 12700) != round(L.BODY_PT):
        out.append(Finding("样式“正文”", "字号", "应为 3 号（16 pt）"))
    spacing = ppr.find(W + "spacing") if ppr is not None else None
    line = _emu(spacing.get(W + "line")) if spacing is not None else None
    rule = spacing.get(W + "lineRule") if spacing is not None else None
    if line is None or rule in (None, "auto") or abs(line / 12700 - L.LINE_PITCH_PT) > 0.1:
        out.append(Finding("样式“正文”", "行距", f"应为固定值 {L.LINE_PITCH_PT} pt"))
    fonts = rpr.find(W + "rFonts") if rpr is not None else None
    if fonts is None or "仿宋" not in (fonts.get(W + "eastAsia") or ""):
        out.append(Finding("样式“正文”", "字体", "中文字体应为仿宋（如仿宋_GB2312）"))
    return out


def _page_fields(docx: _Docx, section) -> list[Finding]:
    """A PAGE field in the first section's odd (default) and even footers."""
    from lxml import etree

    rels = docx.relationships(docx.main)
    out = []
    for kind, side in (("default", "单页"), ("even", "双页")):
        ref = next((r for r in section.findall(W + "footerReference") if r.get(W + "type") == kind), None)
        paragraphs = []
        if ref is not None:
            paragraphs = docx.xml(rels[ref.get(R_ID)][1]).findall(W + "p")
        if not any("PAGE" in etree.tostring(p, encoding="unicode") for p in paragraphs):
            out.append(Finding("页脚", "页码", f"{side}页脚缺少页码域"))
    return out
