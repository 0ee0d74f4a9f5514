"""The 通知 frame: 版头, title, 主送, covering text, 署名 and date, 附注."""

from __future__ import annotations

from ..model import DocumentMeta
from ..model.document import copy_line
from ..render.layout import text_width
from .blocks import Frame, Imprint, Paragraph, Run

CHARS_PER_LINE = 28
KEPT_WHOLE_LINES = 6   # the last paragraph moves whole with the 署名 up to this length


def frame(meta: DocumentMeta, mark_size: float) -> Frame:
    return Frame(mark=meta.issuer_mark, number=str(meta.number) if meta.number else "", mark_size=mark_size)


def heading_blocks(meta: DocumentMeta) -> list[Paragraph]:
    # 主送机关 one blank line under the title.
    return [Paragraph("title", [Run(meta.title)]), Paragraph("plain", [Run("")]),
            Paragraph("recipients", [Run(meta.recipients + "：")])]


def covering_text(meta: DocumentMeta) -> list[Paragraph]:
    return [Paragraph("body", [Run(p)]) for p in meta.body]


def signature_blocks(meta: DocumentMeta) -> list[Paragraph]:
    """The 署名, 代章 and 成文日期 (GB/T 9704 7.3.5).

    Without a seal (7.3.5.2): 署名 right-indented 2 characters, the date starting 2 characters right of the
    署名; a short 署名 is centred over the date. A 署名 longer than a line is set on several, each
    right-indented the same: broken where the data writes "\n", else where the words allow (as titles); the
    date starts 2 characters right of its first line, the 代章 line is centred under it.

    With a seal (加盖印章, 7.3.5.1): the date right-indented 4 characters, each line of the 署名 centred over it
    (以成文日期为准居中), the 代章 line too; a line too long to be centred there ends at the 版心's right edge. The
    署名 is broken as without a seal: where the data writes "\n", else only when longer than a line (more lines
    would make the block under the seal taller than the space it may take)."""
    date = meta.date_text
    date_w = text_width(date)
    seal = f"（{meta.seal_note}代章）" if meta.seal_note else ""
    if meta.sealed:
        date_at = CHARS_PER_LINE - 4 - date_w
        centre = date_at + date_w / 2

        def at(text: str) -> float:
            return max(min(centre - text_width(text) / 2, CHARS_PER_LINE - text_width(text)), 0)

        lines = signer_lines(meta.signer, CHARS_PER_LINE)
        blocks = [Paragraph("signature", [Run(line)], indent_chars=at(line)) for line in lines]
        if seal:
            blocks.append(Paragraph("signature", [Run(seal)], indent_chars=at(seal)))
    else:
        lines = signer_lines(meta.signer, CHARS_PER_LINE - 2)
        signer_w = max(text_width(line) for line in lines)
        if signer_w + 2 >= date_w:
            signer_at = CHARS_PER_LINE - 2 - signer_w
            date_at = signer_at + 2
        else:
            date_at = CHARS_PER_LINE - 2 - date_w
            signer_at = date_at + (date_w - signer_w) / 2
        end = signer_at + signer_w   # every line of the 署名 ends here
        blocks = [Paragraph("signature", [Run(line)], indent_chars=max(end - text_width(line), 0)) for line in lines]
        if seal:
            left = min(b.indent_chars for b in blocks)
            seal_at = left + (end - left - text_width(seal)) / 2
            blocks.append(Paragraph("signature", [Run(seal)], indent_chars=max(seal_at, 0)))
    blocks.append(Paragraph("signature", [Run(date)], indent_chars=max(date_at, 0)))
    if meta.note:
        blocks.append(Paragraph("note", [Run(f"（{meta.note}）")]))
    return blocks


def closing(blocks: list, meta: DocumentMeta) -> list[Paragraph]:
    """Blank lines and the 署名, 代章 and 成文日期 to follow these blocks, never on a page of their own
    (GB/T 9704 7.3.5): the last paragraph of the text before them (the whole 附件说明 when it ends
    there), the blank lines and every line but the date are kept, whole, with the next. One blank line;
    two where the seal goes (its top within a line of the text, the 署名 and date under its centre)."""
    lines = [Paragraph("plain", [Run("")]) for _ in range(2 if meta.sealed else 1)] + signature_blocks(meta)
    for block in reversed(blocks):
        if not isinstance(block, Paragraph) or text_width(block.text) > KEPT_WHOLE_LINES * CHARS_PER_LINE:
            break   # a long paragraph is not moved whole (it could not stand on a page)
        block.keep_with_next = True
        if block.text and block.role != "attach-note":
            break
    for line, following in zip(lines, lines[1:]):
        line.keep_with_next = following.role in ("plain", "signature")
    return lines


def signer_lines(signer: str, capacity: float) -> list[str]:
    """The lines of a 署名: as written ("\n"), else broken where the words allow when it is longer
    than `capacity` characters; a line that still does not fit is cut at the capacity."""
    from .titles import break_title

    lines = [line.strip() for line in break_title(signer.strip(), capacity).split("\n") if line.strip()]
    out = []
    for line in lines or [""]:
        while text_width(line) > capacity:
            cut, used = 0, 0.0
            while used + text_width(line[cut]) <= capacity:
                used += text_width(line[cut])
                cut += 1
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out


def attachment_note(titles: list[str]) -> list[Paragraph]:
    """附件说明: "附件：1.名称", further names aligned with the first name, no final punctuation.
    A line break written in a title (for its own page) does not belong in the note."""
    titles = [t.replace("\n", "") for t in titles]
    if not titles:
        return []
    if len(titles) == 1:
        return [Paragraph("attach-note", [Run(f"附件：{titles[0]}")], hanging_chars=3)]
    out = []
    for i, title in enumerate(titles, 1):
        label = "附件：" if i == 1 else ""
        number = f"{i}."
        indent = 0 if i == 1 else 3  # aligned under the first number
        out.append(Paragraph("attach-note", [Run(f"{label}{number}{title}")],
                             indent_chars=indent, hanging_chars=(3 if i == 1 else 0) + text_width(number)))
    return out


def attachment_head(index: int | None, title: str) -> list[Paragraph]:
    """附件 pages: "附件1" top-left, the title centred on the third line."""
    label = "附件" if index is None else f"附件{index}"
    return [Paragraph("attach-label", [Run(label)]),
            Paragraph("plain", [Run("")]),
            Paragraph("title", [Run(title)])]


def imprint(meta: DocumentMeta) -> Imprint | None:
    if not (meta.copy_to or meta.printer):
        return None
    date = meta.print_date or meta.date
    return Imprint(meta.copy_to, meta.printer, f"{date.year}年{date.month}月{date.day}日印发", copy_line(meta.copy_to))
