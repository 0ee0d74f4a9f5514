"""Charts for bulletins (matplotlib): the same figure as PNG (Word) and SVG (PDF), byte-stable."""

from __future__ import annotations

import io
import math
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

    if font_path is not None:
        font_manager.fontManager.addfont(str(font_path))
        family = font_manager.FontProperties(fname=str(font_path)).get_name()
    else:
        family = "sans-serif"
    labels = [label if len(label) <= 12 else label[:11] + "…" for label in counts]
    counts = dict(zip(labels, counts.values()))
    with matplotlib.rc_context({"font.family": family, "svg.hashsalt": "gongfu", "svg.fonttype": "path",
                                "axes.unicode_minus": False}):
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
