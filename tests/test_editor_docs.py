"""The editors' guide stays true: the commands it shows exist, the Word styles it names are in the
bundled templates, and the README links to it."""

from __future__ import annotations

import re
import subprocess
import sys

from docx import Document

from conftest import REPO

GUIDE = REPO / "docs" / "模板编辑指南.md"


def test_commands_in_the_guide_exist():
    text = GUIDE.read_text(encoding="utf-8")
    commands = set(re.findall(r"^gongfu ([a-z-]+(?: (?:export|list|reference))?)", text, flags=re.M))
    commands |= set(re.findall(r"`gongfu ([a-z-]+(?: (?:export|list|reference))?)", text))
    assert {"templates export", "templates list", "templates reference", "serve", "check", "build", "lint"} <= commands
    for command in commands:
        result = subprocess.run([sys.executable, "-m", "gongfu_reports", *command.split(), "--help"],
                                capture_output=True, text=True, cwd=REPO)
        assert result.returncode == 0, f"gongfu {command}: {result.stderr}"


def test_word_styles_named_in_the_guide_are_in_the_templates():
    text = GUIDE.read_text(encoding="utf-8")
    listed = re.search(r"在“样式”窗格中修改样式：\n(.+?)。", text, flags=re.S).group(1)
    names = [n.strip() for n in listed.replace("\n", "").split("、")]
    assert len(names) >= 15
    for template in ("notice.docx", "plain.docx"):
        styles = {s.name for s in Document(REPO / "templates" / "docx" / template).styles}
        assert set(names) <= styles, set(names) - styles


def test_readme_links_the_guide():
    assert "(docs/模板编辑指南.md)" in (REPO / "README.md").read_text(encoding="utf-8")
