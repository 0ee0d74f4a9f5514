"""Putting a document's parts together: sections of portrait or landscape pages, attachments with
their "附件N" heads, blank lines."""

from __future__ import annotations

from .blocks import Paragraph, Run, Section
from .listtable import ListView
from .notice import attachment_head


def quoted(text: str) -> str:
    """Text in double quotes; quotes inside it become single ones (GB/T 15834 4.1.3.4: a quotation
    inside a quotation takes single quotes)."""
    return "“" + text.replace("“", "‘").replace("”", "’") + "”"


def blank() -> list[Paragraph]:
    """One empty line of the body grid."""
    return [Paragraph("plain", [Run("")])]


def append_section(sections: list[Section], section: Section) -> None:
    """Portrait content after portrait content continues the section (its first block breaks
    the page); anything else starts a new section."""
    if not section.landscape and not sections[-1].landscape:
        if section.blocks:
            section.blocks[0].page_break_before = True
        sections[-1].blocks += section.blocks
    else:
        sections.append(section)


def add_attachments(sections: list[Section], attachments: list[ListView]) -> None:
    """Each attachment on new pages: "附件" (or "附件N" when there are several), its title, its content."""
    numbered = len(attachments) > 1
    for index, att in enumerate(attachments, 1):
        head = attachment_head(index if numbered else None, att.title)
        append_section(sections, Section(att.landscape, head + att.blocks))
