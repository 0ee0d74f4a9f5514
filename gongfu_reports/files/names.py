"""File names made from data (unit names, document ids): they must stay inside their folder."""

from __future__ import annotations

import re


def safe_file_name(name: str) -> str:
    """A file name derived from data: no path separators, control characters or leading dots."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f]', "_", name).strip(". ")
    return cleaned[:120] or "未命名"
