"""The 通报's chart (compose/chart.py) drawn the same on every machine: with the font file config.yaml
names, whatever other files of its family matplotlib lists first, and whatever a matplotlibrc says."""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
import sys

from gongfu_reports.compose.chart import status_chart
from gongfu_reports.config import find_font_file

COUNTS = {"张三副市长": {"已完成": 3, "序时推进": 2, "滞后": 1}, "李四副市长": {"已完成": 1, "未启动": 2}}
STATUSES = ["已完成", "序时推进", "滞后", "未启动"]


def _digests(font) -> tuple[str, str]:
    image = status_chart(COUNTS, STATUSES, font)
    return hashlib.sha256(image.png).hexdigest(), hashlib.sha256(image.svg.encode()).hexdigest()


def test_the_configured_font_file_whatever_matplotlib_lists_first():
    """matplotlib reads FandolHei-Bold.otf as weight 400, like FandolHei-Regular.otf: looked up by the
    family name, the chart took whichever file the machine's font cache listed first."""
    from matplotlib import font_manager

    regular, bold = find_font_file("FandolHei-Regular.otf"), find_font_file("FandolHei-Bold.otf")
    assert regular and bold, "the Fandol fonts come with the README's install command"
    manager = font_manager.fontManager
    listed = list(manager.ttflist)
    try:
        manager.ttflist[:] = [entry for entry in listed if entry.fname != str(bold)]
        manager._findfont_cached.cache_clear()
        without_bold = _digests(regular)
        decoy = font_manager.ttfFontProperty(font_manager.get_font(str(bold)))
        assert decoy.name == font_manager.ttfFontProperty(font_manager.get_font(str(regular))).name
        manager.ttflist.insert(0, dataclasses.replace(decoy, weight=400))   # a cache that lists it first
        manager._findfont_cached.cache_clear()
        assert _digests(regular) == without_bold
        assert _digests(bold)[0] != without_bold[0]   # the two files do draw differently
    finally:
        manager.ttflist[:] = listed
        manager._findfont_cached.cache_clear()


PROBE = """
import hashlib, sys
from gongfu_reports.compose.chart import status_chart
from gongfu_reports.config import find_font_file
image = status_chart({"张三副市长": {"已完成": 3, "滞后": 1}}, ["已完成", "滞后"], find_font_file("FandolHei-Regular.otf"))
print(hashlib.sha256(image.png).hexdigest(), hashlib.sha256(image.svg.encode()).hexdigest())
"""


def test_a_matplotlibrc_in_the_working_folder_changes_nothing(tmp_path):
    """matplotlib reads ./matplotlibrc: one in a shared working folder switched on LaTeX for the labels
    (an outside program reading files; the build ended in a traceback) and changed the drawing."""
    plain, shared = tmp_path / "plain", tmp_path / "shared"
    plain.mkdir()
    shared.mkdir()
    (shared / "matplotlibrc").write_text("text.usetex: True\nfont.size: 30\npatch.linewidth: 5\n"
                                         "axes.facecolor: black\n", "utf-8")
    runs = [subprocess.run([sys.executable, "-c", PROBE], cwd=folder, capture_output=True, text=True)
            for folder in (plain, shared)]
    assert [run.returncode for run in runs] == [0, 0], runs[1].stderr[-2000:]
    assert runs[0].stdout.split() == runs[1].stdout.split()
