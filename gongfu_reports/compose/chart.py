"""Charts for bulletins (matplotlib): the same figure as PNG (Word) and SVG (PDF), byte-stable."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
import os
from pathlib import Path

from ..render.layout import FIGURE_GAP_PT, LINE_PITCH_PT
from .blocks import Image

COLOURS = {"已完成": "#2e7d32", "序时推进": "#1565c0", "滞后": "#c62828", "未启动": "#9e9e9e",
           "未填状态": "#e0e0e0", "未报送": "#ffffff"}


def status_chart(counts: dict[str, dict[str, int]], statuses: list[str], font_path: Path | None,
                 width_mm: float = 150) -> Image:
    """Horizontal stacked bars: one bar per leader, one segment per status."""
    # The Figure API without pyplot: no global figures or GUI backend, and pyplot's import is spared.
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    family = _registered(font_manager, font_path) if font_path is not None else "sans-serif"
    labels = [label if len(label) <= 12 else label[:11] + "…" for label in counts]
    counts = dict(zip(labels, counts.values()))
    with matplotlib.rc_context():
        # matplotlib's own defaults, whatever a matplotlibrc says: matplotlib reads one from the working
        # folder (a shared folder's could switch on text.usetex, which runs LaTeX on the labels) and
        # from the user's settings; the chart must not depend on either.
        matplotlib.rcdefaults()
        matplotlib.rcParams.update({"font.family": family, "svg.hashsalt": "gongfu", "svg.fonttype": "path",
                                    "axes.unicode_minus": False})
        # About 5 mm a bar, 8 pt labels, the legend on one line: the chart fits under its table. Its
        # height plus the 6 pt above and below it is a whole number of body lines, so the text after it
        # stays on the 22-line grid and every output ends its pages at the same lines.
        wanted = max(1.4, 0.18 * len(labels) + 0.5) * 72 + 2 * FIGURE_GAP_PT
        height = (math.ceil(wanted / LINE_PITCH_PT - 0.25) * LINE_PITCH_PT - 2 * FIGURE_GAP_PT) / 72
        fig = Figure(figsize=(width_mm / 25.4, height))
        ax = fig.subplots()
        left = [0] * len(labels)
        for status in statuses:
            values = [counts[label].get(status, 0) for label in labels]
            if not any(values):
                continue
            ax.barh(labels, values, left=left, color=COLOURS.get(status, "#888888"), edgecolor="#333333",
                    linewidth=0.4, label=status)
            left = [a + b for a, b in zip(left, values)]
        ax.invert_yaxis()
        ax.tick_params(labelsize=8)
        ax.set_xlabel("任务数（项）")
        ax.legend(ncol=len(statuses), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=8,
                  handlelength=1.2, columnspacing=1.0)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        # tight_layout leaves a placeholder layout engine behind, and savefig lays the figure out once
        # more for any engine before drawing it: without one, each save draws it once (same bytes).
        fig.set_layout_engine(None)
        png, svg = io.BytesIO(), io.StringIO()
        fig.savefig(png, format="png", dpi=200, metadata={"Software": None})
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return Image(png.getvalue(), svg.getvalue(), width_mm)


def _registered(font_manager, font_path: Path) -> str:
    """The chart's font file made known to matplotlib under a name of its own. Under the face's family
    name it would tie with every other file of that family that matplotlib lists (it reads
    FandolHei-Bold.otf as weight 400 too), and the first listed won: the chart came out bold on a
    machine whose font cache listed the bold file first."""
    name = "gongfu-chart-" + hashlib.sha256(os.fsencode(font_path)).hexdigest()[:16]
    if not any(entry.name == name for entry in font_manager.fontManager.ttflist):
        entry = font_manager.ttfFontProperty(font_manager.get_font(str(font_path)))
        font_manager.fontManager.ttflist.append(dataclasses.replace(entry, name=name))
    return name
