"""Prose documents (方案、意见、要点、报告) from a Markdown outline: GB/T heading numbers,
run-in items with bold lead sentences."""

from __future__ import annotations

from ..model.prose import ProseDocument
from ..model.numbering import chinese_numeral
from .blocks import Paragraph, Run

ROLE_OF_LEVEL = {"一、": "h1", "（一）": "h2"}
FONT_OF_LEVEL = {"一、": None, "（一）": None}


def _number(scheme: str, n: int) -> str:
    return {"一、": f"{chinese_numeral(n)}、", "（一）": f"（{chinese_numeral(n)}）",
            "1.": f"{n}.", "（1）": f"（{n}）"}[scheme]


def prose_blocks(doc: ProseDocument, page_break: bool = False) -> list:
    blocks: list = [Paragraph("title", [Run(doc.title)], page_break_before=page_break)]
    if doc.subtitle:
        blocks.append(Paragraph("title-sub", [Run(doc.subtitle)]))
    blocks.append(Paragraph("plain", [Run("")]))
    counters = [0] * len(doc.levels)
    pending_item: Paragraph | None = None
    for block in doc.blocks:
        if block.kind == "heading":
            level = block.level
            scheme = doc.levels[level - 1]
            counters[level - 1] += 1
            for deeper in range(level, len(counters)):
                if not (doc.continuous and doc.is_item_level(deeper + 1)):
                    counters[deeper] = 0
            number = _number(scheme, counters[level - 1])
            if doc.is_item_level(level):
                pending_item = Paragraph("body", [Run(f"{number}{block.text}。", bold=True)])
                blocks.append(pending_item)
            else:
                pending_item = None
                blocks.append(Paragraph(ROLE_OF_LEVEL[scheme], [Run(number + block.text)]))
        else:
            if pending_item is not None:
                pending_item.runs.append(Run(block.text))   # the item's paragraph, run in
                pending_item = None
            else:
                blocks.append(Paragraph("body", [Run(block.text)]))
    return blocks
