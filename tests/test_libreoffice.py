"""The DOCX as LibreOffice lays it out: still A4, 22 lines × 28 characters, numbers outside."""

from __future__ import annotations

import re
from collections import Counter

import pdfplumber

from conftest import MM


def test_libreoffice_keeps_the_grid_and_page_numbers(libreoffice_pdf):
    with pdfplumber.open(libreoffice_pdf) as pdf:
        assert len(pdf.pages) > 20
        line_counts, widths = Counter(), Counter()
        landscape = 0
        for page in pdf.pages:
            landscape += page.width > page.height
            lines = page.extract_text_lines()
            footer = [l for l in lines if l["top"] > page.height - 30 * MM]
            if page.width > page.height:   # turned in the left margin (test_parity.test_landscape_pages_turned_as_gbt9704_7_5)
                assert not [l for l in lines if l["top"] > page.height - 26 * MM + 2], page.page_number
                continue
            assert footer and footer[-1]["text"] == f"— {page.page_number} —"
            centre = (footer[-1]["x0"] + footer[-1]["x1"]) / 2
            assert (centre > page.width / 2) == bool(page.page_number % 2)
            if page.width > page.height or page.find_tables() or page.page_number == 1:
                continue
            body = [l for l in lines if l["bottom"] < page.height - 35 * MM]
            line_counts[len(body)] += 1
            for line in body:
                if re.fullmatch(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]+", line["text"]) \
                        and line["x0"] < 29 * MM:
                    widths[len(line["text"])] += 1
        assert landscape >= 10
        assert max(line_counts) == 22 and line_counts[22] >= 4, line_counts
        assert widths.most_common(1)[0][0] == 28 and max(widths) == 28, widths
