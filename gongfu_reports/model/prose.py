"""A prose document (方案、意见、报告) as outlined in Markdown: headings by level, paragraphs, items
that may carry a task id and units."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Place
from ..files.yamlfile import LocDict
from .breakdown import KeyTask

DEFAULT_LEVELS = ("一、", "（一）", "1.", "（1）")


@dataclass
class ProseBlock:
    kind: str                 # "heading" | "paragraph"
    text: str
    line: int
    level: int = 0
    task_id: str = ""
    units: str = ""


@dataclass
class ProseDocument:
    path: str
    meta: LocDict
    title: str
    subtitle: str
    levels: tuple[str, ...]
    continuous: bool
    blocks: list[ProseBlock] = field(default_factory=list)

    def is_item_level(self, level: int) -> bool:
        """Arabic-numbered levels (1. and （1）) are run-in items."""
        return "1" in self.levels[level - 1]

    def tasks(self) -> list[KeyTask]:
        """Items carrying an id, as tasks for forms and bulletins (text = lead + paragraph)."""
        out = []
        for i, block in enumerate(self.blocks):
            if block.kind == "heading" and block.task_id:
                nxt = self.blocks[i + 1] if i + 1 < len(self.blocks) else None
                body = nxt.text if nxt and nxt.kind == "paragraph" else ""
                out.append(KeyTask(block.task_id, "", f"{block.text}。{body}", block.units,
                                   Place(self.path, line=block.line)))
        return out
