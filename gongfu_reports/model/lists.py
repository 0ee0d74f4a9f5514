"""A generic list (清单): records under the header row of its source, with the merges written there.
Which columns group, merge or number the rows is a setting of the document (config.ListOptions)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Place
from ..files.table import Row

HEADER_LEVEL_SEPARATOR = "/"          # "目标值/2025年": a two-level header


@dataclass
class ListTable:
    headers: list[str]
    rows: list[Row]                   # each row's text by header, with its place
    place: Place                      # the header row
    # Merged ranges among the rows, as written: ((first row, last row) as indexes into rows,
    # (first header, last header)). Their cells all carry the range's value.
    merges: list[tuple[tuple[int, int], tuple[str, str]]] = field(default_factory=list)


def default_width(header: str, texts: list[str]) -> float:
    """A column's relative width, in characters: what most of its lines need (long text wraps)."""
    lengths = sorted(max((len(line) for line in text.splitlines()), default=0) for text in texts)
    typical = lengths[int(len(lengths) * 0.8)] if lengths else 0
    label = max(len(p) for p in header.split(HEADER_LEVEL_SEPARATOR))
    return float(min(max(typical, label, 2), 24) + 1)
