"""`gongfu templates reference`: every variable a template can use is on the page, with a description
and examples from the bundled documents, so the page cannot drift from the view model."""

from __future__ import annotations

import dataclasses
import re
import typing

import jinja2
import jinja2.meta
import pytest
import yaml
from jinja2 import nodes
from lxml import html as lxml_html

from conftest import REPO, gongfu
from gongfu_reports.compose.blocks import DocumentView


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ref")
    (folder / "config.yaml").write_text((REPO / "config.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = gongfu(folder, "templates", "reference")
    assert result.returncode == 0, result.stderr
    path = folder / "build" / "模板变量参考.html"
    assert "已生成模板变量参考：build/模板变量参考.html" in result.stdout
    return lxml_html.fromstring(path.read_text(encoding="utf-8"))


def reachable_dataclasses() -> dict[str, list[str]]:
    """Every dataclass reachable from DocumentView through field types, with its field names."""
    found: dict[str, list[str]] = {}
    todo = [DocumentView]
    while todo:
        cls = todo.pop()
        if cls.__name__ in found:
            continue
        found[cls.__name__] = [f.name for f in dataclasses.fields(cls)]
        stack = list(typing.get_type_hints(cls).values())
        while stack:
            hint = stack.pop()
            stack += typing.get_args(hint)
            if dataclasses.is_dataclass(hint):
                todo.append(hint)
    return found


def rows_of(page, class_name: str) -> dict[str, list[str]]:
    """The table under the heading of a class: variable name → the other cells' text."""
    heading = page.get_element_by_id(class_name)
    table = heading.getnext()
    while table.tag != "table":
        table = table.getnext()
    rows = {}
    for tr in table.xpath("./tbody/tr"):
        cells = [c.text_content().strip() for c in tr.xpath("./td")]
        rows[cells[0]] = cells[1:]
    return rows


def test_every_view_model_field_is_documented(page):
    classes = reachable_dataclasses()
    assert {"DocumentView", "Section", "Paragraph", "Run", "Table", "Cell", "Column", "Frame", "Imprint",
            "Image"} <= set(classes)
    for name, fields in classes.items():
        rows = rows_of(page, name)
        for field in fields:
            assert field in rows, f"{name}.{field} is missing from the reference page"
            type_label, description = rows[field][0], rows[field][1]
            assert type_label and description, f"{name}.{field} has no type or description"


def test_names_the_bundled_templates_use_are_documented(page):
    text = page.text_content()
    from gongfu_reports.render.html import quote_breaks

    env = jinja2.Environment()
    env.filters["quote_breaks"] = quote_breaks   # the template's own filter
    for name in ("document.html.j2", "gongwen.css.j2"):
        tree = env.parse((REPO / "templates" / "html" / name).read_text(encoding="utf-8"))
        assigned = {n.target.name for n in tree.find_all(nodes.Assign) if isinstance(n.target, nodes.Name)}
        context = page.get_element_by_id("html").getnext().xpath("./tbody/tr/td[1]/code/text()")
        for variable in jinja2.meta.find_undeclared_variables(tree) - assigned:
            assert variable in context, variable
        loop_and_dict = {"index0", "first", "last", "items"}   # Jinja's loop.index0 / .first / .last, dict.items()
        for attr in {n.attr for n in tree.find_all(nodes.Getattr)} - loop_and_dict:
            listed = {code.split("(")[0] for code in page.xpath("//td[1]/code/text()")}   # fields; methods as calls
            # … or explained where the context table describes a value's items: “family（CSS 字体名）”,
            # “cell 表格文字”
            explained = re.search(rf"(?<![A-Za-z_-]){attr}(（| [\u4e00-\u9fff])", text)
            documented = f"L.{attr}" in text or attr in listed or explained
            assert documented, f"{name} uses .{attr}, which the reference page does not list"
    from docxtpl import DocxTemplate

    docx_table = page.get_element_by_id("docx").getnext().getnext().xpath("./tbody/tr/td[1]/code/text()")
    for name in ("notice.docx", "plain.docx"):
        for variable in DocxTemplate(str(REPO / "templates" / "docx" / name)).get_undeclared_template_variables():
            assert variable in docx_table, variable


def test_examples_come_from_the_bundled_documents(page):
    notice = yaml.safe_load((REPO / "data" / "notice.yaml").read_text(encoding="utf-8"))
    frame = rows_of(page, "Frame")
    header = [th.text_content() for th in page.get_element_by_id("Frame").getnext().getnext().xpath(".//th")]
    notice_column = header.index("示例：通知 notice") - 1
    assert f"“{notice['发文字号']}”" in frame["number"][notice_column]
    front = (REPO / "data" / "shishi-fangan" / "plan.md").read_text(encoding="utf-8").split("---")[1]
    prose_title = yaml.safe_load(front)["标题"]
    view = rows_of(page, "DocumentView")
    assert f"“{prose_title}”" in view["title"][header.index("示例：方案等正文 prose") - 1]
    # Only the 通报 has charts: its example column shows the image width, the others say none appeared.
    image = rows_of(page, "Image")
    assert re.fullmatch(r"\d+(\.\d+)?", image["width_mm"][header.index("示例：完成情况 bulletin") - 1].split()[0])
    assert image["width_mm"][notice_column] == "（示例中未出现）"


def test_paragraph_roles_and_layout_numbers(page):
    roles = page.get_element_by_id("roles").getnext().getnext()
    listed = [tr.xpath("./td[1]")[0].text_content() for tr in roles.xpath("./tbody/tr")]
    sheet = yaml.safe_load((REPO / "templates" / "styles.yaml").read_text(encoding="utf-8"))
    assert {"title", "body", "h1", "h2", "signature", "attach-label"} <= set(listed)
    assert [role for role in listed if role not in sheet] == []   # every role the reference lists has a style
    layout = page.get_element_by_id("layout").getnext().getnext()
    values = {tr.xpath("./td[1]")[0].text_content(): tr.xpath("./td[2]")[0].text_content()
              for tr in layout.xpath("./tbody/tr")}
    assert values["L.MARGIN_TOP"] == "37" and values["L.LINES"] == "22" and values["L.BODY_PT"] == "16"
