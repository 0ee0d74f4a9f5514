"""Load and validate config.yaml: documents, data files, fonts."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from .errors import GongfuError, GongfuErrors, Place, display_path
from .files.yamlfile import LocDict, LocList, load_yaml
from .render.layout import MARK_PT

CONFIG_NAME = "config.yaml"

# Where the free PDF faces are installed by the setup command (Debian packages).
FONT_DIRS = [
    "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol",
    "/usr/share/fonts",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FontRole(Strict):
    docx: str = Field(description="Word/WPS 中使用的正式字体名")
    pdf: str = Field(description="嵌入 PDF 的字体：字体文件名（如 FandolFang-Regular.otf）或系统字体名")
    weight: int = 400


class Fonts(Strict):
    fang: FontRole   # 仿宋: body text
    xbs: FontRole    # 小标宋: issuer mark and titles
    hei: FontRole    # 黑体: level-1 headings, attachment labels
    kai: FontRole    # 楷体: level-2 headings
    song: FontRole   # 宋体: page numbers


class TableSource(Strict):
    file: str
    sheet: str | None = None
    columns: dict[str, str] | None = None


class IndicatorSource(TableSource):
    target_header: str = "目标值"


class ListOptions(Strict):
    """A generic list (清单): its columns are the source's header row; these settings place them."""

    title: str | None = None                # "{项数}" is replaced by the computed number of items
    file: str | None = None                 # .xlsx or .yaml; the header row names the columns
    sheet: str | None = None
    landscape: bool = False
    font_size: float | None = None          # table text size in pt (default 10.5)
    widths: dict[str, float] = {}           # relative column widths by header (default 2)
    sections: list[str] = []                # columns shown as nested group header rows 一、（一）1.
    # Group rows keep the number written in the data ("一、产业" stays, "产业" stays unnumbered) unless
    # numbering is asked for per level: ["一、", "（一）"] numbers levels 1 and 2 ("" = no number there).
    section_numbers: list[str] | None = None
    counts: bool = True                     # "（N项）" after each group header
    notes: list[str] = []                   # printed under the table, one paragraph per line ("注：……")
    standard_unit_names: bool = False       # the unit columns print the registry's names, not the aliases typed
    merge: list[str] = []                   # columns whose equal neighbouring cells become row spans
    number: Literal["as_written", "continuous", "per_group"] = "as_written"
    number_column: str = "序号"
    units: list[str] = []                   # columns holding unit lists, checked against the registry
    hide: list[str] = []                    # columns kept in the data but not printed


class DocumentSettings(Strict):
    """What every document entry of config.yaml has; each kind (kinds/) adds its own settings."""

    kind: str
    mark_size: float = MARK_PT    # 发文机关标志 size in pt (documents with a 版头)


class Config(Strict):
    units: str = "data/units.yaml"
    districts: str | None = None   # 区县名录, for allocation tables
    fonts: Fonts
    # PDF engine: "typst" = the Typst template (templates/typst/), the default: about ten times WeasyPrint's
    # pages per second, the same GB/T 9704 layout; "html" = the HTML template laid out by WeasyPrint.
    pdf_engine: Literal["html", "typst"] = "typst"
    # GB/T 15834: half-width , ; : ? ! ( ) and straight quotes in Chinese text are printed full-width
    # (the data files stay as they are; gongfu check lists each change with its place). false: as written.
    normalise_punctuation: bool = True
    documents: dict[str, DocumentSettings]   # validated by each kind's own settings model
    # Filled in after loading:
    root: Path = Path(".")
    places: dict = {}

    def path(self, relative: str) -> Path:
        return (self.root / relative).resolve()

    def place(self, *keys) -> Place:
        return self.places.get(tuple(keys)) or Place(display_path(self.root / CONFIG_NAME))


def _record_places(node, prefix: tuple, out: dict) -> None:
    if isinstance(node, LocDict):
        for key, value in node.items():
            out[prefix + (key,)] = node.place_of(key)
            _record_places(value, prefix + (key,), out)
    elif isinstance(node, LocList):
        for i, value in enumerate(node):
            out[prefix + (i,)] = node.place_of(i)
            _record_places(value, prefix + (i,), out)


_PYDANTIC_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的配置项（可能拼错了）",
    "literal_error": "取值不在允许范围内",
    "string_type": "应为文字",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "dict_type": "应为“键: 值”的映射",
    "list_type": "应为列表",
    "int_type": "应为整数",
    "float_type": "应为数字",
    "bool_type": "应为 true 或 false",
    "int_from_float": "应为整数",
    "model_type": "应为“键: 值”的映射",
    "model_attributes_type": "应为“键: 值”的映射",
    "union_tag_not_found": "缺少“kind”（文档类型）",
}


def _written_loc(loc: tuple, data) -> tuple:
    """pydantic puts the tag of a discriminated union into an error's location
    (documents.x.notice.file for a document of kind notice): drop it, so the message and its line
    name the keys as written in config.yaml."""
    out, node, tag_dropped = [], data, False
    for key in loc:
        if isinstance(node, dict) and not tag_dropped and node.get("kind") == key:
            tag_dropped = True
            continue
        out.append(key)
        if isinstance(node, dict):
            node = node.get(key)
        else:
            node = node[key] if isinstance(node, list) and isinstance(key, int) and key < len(node) else None
        tag_dropped = False
    return tuple(out)


@functools.lru_cache(maxsize=8)
def _validator(settings: tuple[type[DocumentSettings], ...]) -> type[Config]:
    """Config whose documents are validated by the kinds' settings models, told apart by `kind`."""
    document = Annotated[Union[settings], Field(discriminator="kind")]   # noqa: UP007 - a tuple of types
    return create_model("ProjectConfig", __base__=Config, documents=(dict[str, document], ...))


def load_config(root: Path, settings: tuple[type[DocumentSettings], ...]) -> Config:
    """config.yaml of the working folder `root`; `settings`: the settings model of every document kind
    (kinds.load_config passes the registered ones)."""
    root = Path(root)
    path = root / CONFIG_NAME
    if not path.exists():
        raise GongfuError("找不到配置文件 config.yaml；请在工作目录中运行，或用 --dir 指定工作目录",
                          Place(display_path(path)))
    data = load_yaml(path)
    places: dict = {}
    _record_places(data, (), places)
    label = display_path(path)
    try:
        validated = _validator(settings).model_validate(data if data is not None else {})
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc = _written_loc(tuple(err["loc"]), data)
            place = places.get(loc)
            while place is None and loc:
                loc = loc[:-1]
                place = places.get(loc)
            message = _PYDANTIC_MESSAGES.get(err["type"], f"取值不正确（{err['msg']}）")
            if err["type"] == "value_error":   # a settings class's own check: its message is the user's
                message = str(err["ctx"]["error"])
            if err["type"] == "literal_error":
                message += f"（{err['ctx'].get('expected', '')}）"
            if err["type"] == "union_tag_invalid":
                ctx = err.get("ctx", {})
                message = (f"文档类型 kind“{ctx.get('tag', '')}”不认识，应为："
                           f"{str(ctx.get('expected_tags', '')).replace(chr(39), '')}")
                place = places.get(tuple(err["loc"]) + ("kind",), place)
            written = _written_loc(tuple(err["loc"]), data)
            errors.append(GongfuError(f"配置项“{'.'.join(map(str, written))}”：{message}",
                                      place or Place(label)))
        raise GongfuErrors(errors) if len(errors) > 1 else errors[0] from None
    # A plain Config (the validating class is made at run time and cannot be pickled for the workers).
    config = Config.model_construct(**{name: getattr(validated, name) for name in Config.model_fields})
    config.root = root.resolve()
    config.places = places
    _check_ids(config)
    return config


def _check_ids(config: Config) -> None:
    """A document id names its outputs (build/<id>.docx, build/<id>-per-unit/ …): it must be a file name."""
    from .files.names import check_name, distinct_files

    for doc_id in config.documents:
        check_name(str(doc_id), "文档编号", config.place("documents", doc_id),
                   hint="文档编号用作输出文件名 build/<编号>.docx，建议只用字母、数字、- 和 _，如 gongzuo-yaodian-2024")
    distinct_files({str(d): config.place("documents", d) for d in config.documents}, "文档编号")


def find_font_file(name: str) -> Path | None:
    """A font given as a file name is looked up in the Debian font folders."""
    candidate = Path(name)
    if candidate.is_absolute():
        return candidate if candidate.exists() else None
    for folder in FONT_DIRS:
        for found in Path(folder).rglob(name) if Path(folder).exists() else []:
            return found
    return None


def pdf_font_file(config: Config, role: str) -> Path | None:
    """The file of a role's PDF font when config names one (FandolFang-Regular.otf), None when it
    names an installed font by family (Noto Serif CJK SC); a file not found is a clear error."""
    name = getattr(config.fonts, role).pdf
    if "." not in name:
        return None
    path = find_font_file(name)
    if path is None:
        raise GongfuError(f"找不到 PDF 字体文件“{name}”（用于 {role}）", config.place("fonts", role, "pdf"),
                          hint="请先运行 README 中的安装命令（安装 texlive-lang-chinese 等 Debian 字体包）")
    return path
