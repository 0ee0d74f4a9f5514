"""A notice's attachments (附件): fixed kinds (重点任务清单, 有关单位名单, 任务分解表) and lists, composed
into a title, a landscape flag and blocks. Lists come with their own settings or name a list document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import Field

from ..compose.breakdown import allocation_sum_problems, allocation_table
from ..compose.blocks import Paragraph, Run
from ..compose.listtable import ListView, list_view
from ..compose.tasklist import task_table
from ..config import Config, ListOptions, Strict
from ..errors import GongfuError, Place, display_path
from ..files.yamlfile import LocDict, load_yaml
from ..sources.breakdown import load_allocation
from ..sources.lists import load_list
from ..sources.loaders import load_tasks
from .base import Context


class TableAttachmentSettings(Strict):
    title: str
    kind: Literal["task_list", "unit_list", "allocation"]
    file: str
    sheet: str | None = None
    columns: dict[str, str] | None = None
    landscape: bool = False
    font_size: float | None = None          # table text size in pt (default: 10.5, allocations 9)
    name_column: str = "事项名称"          # allocation: the column that names the item


class ListAttachmentSettings(ListOptions):
    """An attachment that is a list: its own settings, or those of a list document."""

    kind: Literal["list"]
    document: str | None = None             # the id of a `kind: list` document to attach


AttachmentSettings = Annotated[Union[TableAttachmentSettings, ListAttachmentSettings], Field(discriminator="kind")]


def attachment_file(config: Config, att) -> Path:
    """The data file an attachment shows (a list document's file when it names one)."""
    if isinstance(att, ListAttachmentSettings) and att.document:
        doc = config.documents.get(att.document)
        if isinstance(doc, ListOptions) and doc.file:
            return config.path(doc.file)
    return config.path(att.file or "config.yaml")


def compose_attachment(att, ctx: Context, place: Place) -> ListView:
    """place: where the attachment is set in config.yaml."""
    if isinstance(att, ListAttachmentSettings):
        opts = list_options(att, ctx.config, place)
        return compose_list(opts, ctx, place, att.document or Path(opts.file).stem)
    return ListView(att.title, att.landscape, _fixed(att, ctx))


def compose_list(opts: ListOptions, ctx: Context, place: Place, default_title: str) -> ListView:
    listed = list_view(load_list(ctx.config.path(opts.file), opts.sheet), opts, ctx.units, place, default_title)
    ctx.warnings += listed.warnings
    return listed


def list_options(att: ListAttachmentSettings, config: Config, place: Place) -> ListOptions:
    """A list attachment's settings: its own, or those of the list document it names (its own
    settings, such as a title, win)."""
    if att.document is None:
        if not att.file:
            raise GongfuError("清单附件需要 file（数据文件）或 document（清单文档编号）", place)
        return att
    doc = config.documents.get(att.document)
    if getattr(doc, "kind", None) != "list":
        lists = [k for k, d in config.documents.items() if d.kind == "list"]
        raise GongfuError(f"附件引用的清单文档“{att.document}”不存在，或不是 kind: list", place,
                          hint=f"已有清单文档：{'、'.join(lists) or '（无）'}")
    own = att.model_dump(include=att.model_fields_set - {"kind", "document"})
    return ListOptions(**{**doc.model_dump(include=doc.model_fields_set & set(ListOptions.model_fields)), **own})


def _fixed(att: TableAttachmentSettings, ctx: Context) -> list:
    path = ctx.config.path(att.file)
    if att.kind == "task_list":
        tasks = load_tasks(path, ctx.units, att.sheet, att.columns)
        return [Paragraph("plain", [Run("")]), task_table(tasks, att.font_size or 10.5)]
    if att.kind == "unit_list":
        data = load_yaml(path)
        if not isinstance(data, LocDict) or not isinstance(data.get("单位"), list):
            raise GongfuError("应包含“单位”列表", Place(display_path(path), line=1))
        names = [str(n) for n in data["单位"]]
        for i, name in enumerate(names):
            ctx.units.resolve(name, data["单位"].place_of(i))
        return [Paragraph("plain", [Run("")]), Paragraph("body", [Run("、".join(names))])]
    allocation = load_allocation(path, att.sheet, ctx.units, ctx.districts, att.name_column)
    ctx.warnings += allocation_sum_problems(allocation)
    return [Paragraph("plain", [Run("")]), allocation_table(allocation, att.font_size or 9)]
