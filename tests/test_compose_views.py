"""The compose layer on small fixtures, without rendering: what each kind puts into the view model
(text, order, roles, merged cells, numbering) and what it warns about, in milliseconds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gongfu_reports import kinds
from gongfu_reports.compose.blocks import Paragraph, Table
from gongfu_reports.compose.extract import unit_extracts
from gongfu_reports.compose.listtable import list_view
from gongfu_reports.config import ListOptions
from gongfu_reports.errors import Place
from gongfu_reports.files.table import Row
from gongfu_reports.model import Breakdown, KeyTask, Leader, Unit, UnitRegistry
from gongfu_reports.model.lists import ListTable

UNITS = UnitRegistry([Unit("市发改委", aliases=("市发展改革委",)), Unit("市经信局"), Unit("市财政局")])
FONTS = """fonts:
  fang: {docx: 仿宋_GB2312, pdf: FandolFang-Regular.otf}
  xbs:  {docx: 方正小标宋简体, pdf: Noto Serif CJK SC}
  hei:  {docx: 黑体, pdf: FandolHei-Regular.otf}
  kai:  {docx: 楷体_GB2312, pdf: FandolKai-Regular.otf}
  song: {docx: 宋体, pdf: FandolSong-Regular.otf}
"""


def folder(tmp_path: Path, documents: str, files: dict[str, str]) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "units.yaml").write_text(
        "- 名称: 市发改委\n  别称: [市发展改革委]\n- 名称: 市经信局\n- 名称: 市财政局\n", encoding="utf-8")
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(FONTS + "documents:\n" + documents, encoding="utf-8")
    return tmp_path


def texts(view) -> list[str]:
    return [b.text for s in view.sections for b in s.blocks if isinstance(b, Paragraph)]


def row(values: dict[str, str], n: int) -> Row:
    place = Place("清单.xlsx", sheet="清单", row=n)
    return Row(values, place, {k: place.at(column=k) for k in values})


def test_list_groups_count_their_items_and_warn_about_a_wrong_stated_count():
    table = ListTable(["分组", "事项", "牵头单位"], [
        row({"分组": "一、产业（3项）", "事项": "甲", "牵头单位": "市发改委"}, 3),
        row({"分组": "", "事项": "乙", "牵头单位": "市经信局"}, 4),
        row({"分组": "二、民生", "事项": "丙", "牵头单位": "市财政厅"}, 5),
    ], Place("清单.xlsx", sheet="清单", row=2))
    opts = ListOptions(sections=["分组"], number="continuous", units=["牵头单位"])
    view = list_view(table, opts, UNITS, Place("config.yaml"), "清单")
    grid = view.blocks[-1]
    assert isinstance(grid, Table)
    assert [[c.lines[0] for c in r] for r in grid.rows] == [
        ["一、产业（2项）"], ["1", "甲", "市发改委"], ["2", "乙", "市经信局"], ["二、民生（1项）"], ["3", "丙", "市财政厅"]]
    assert grid.group_rows == {0, 3} and grid.rows[0][0].colspan == 3
    stated, unknown = view.warnings
    assert stated.place == Place("清单.xlsx", sheet="清单", row=3, column="分组") and "写明 3 项，实际 2 项" in stated.message
    assert unknown.place.row == 5 and "市财政厅" in unknown.message and unknown.category == "data"


def test_notice_puts_frame_title_recipients_signature_and_attachment_note_in_order(tmp_path):
    root = folder(tmp_path, "  tz:\n    kind: notice\n    notice: data/notice.yaml\n    mark_size: 22\n"
                            "    attachments:\n      - {kind: unit_list, title: 有关单位名单, file: data/units-list.yaml}\n", {
        "data/notice.yaml": "发文机关标志: 某某办公室文件\n发文字号: 某办〔2024〕3号\n标题: 关于做好某项工作的通知\n"
                            "主送机关: 各有关单位\n正文: 现将有关事项通知如下。\n署名: 某某办公室\n成文日期: 2024-05-06\n"
                            "抄送: 市委办公室\n印发机关: 某某办公室\n",
        "data/units-list.yaml": "单位: [市发改委, 市经信局]\n",
    })
    config = kinds.load_config(root)
    composed = kinds.compose(config, "tz")
    view = composed.view
    assert (view.frame.mark, view.frame.number, view.frame.mark_size) == ("某某办公室文件", "某办〔2024〕3号", 22)
    lines = texts(view)
    order = ["关于做好某项工作的通知", "各有关单位：", "现将有关事项通知如下。", "附件：有关单位名单", "某某办公室",
             "2024年5月6日", "附件", "有关单位名单", "市发改委、市经信局"]
    positions = [lines.index(t) for t in order]
    assert positions == sorted(positions)
    assert view.imprint.copy_to == "市委办公室" and view.imprint.print_date == "2024年5月6日印发"
    assert composed.breakdown is None and composed.warnings == []


BULLETIN_FILES = {
    "data/tasks.yaml": "- {编号: T-1, 牵头领导: 张三, 任务内容: 推进甲项目建设，年内完工。, 责任单位: 市发改委}\n"
                       "- {编号: T-2, 牵头领导: 张三, 任务内容: 任务二, 责任单位: 市经信局}\n"
                       "- {编号: T-3, 牵头领导: 张三, 任务内容: 任务三, 责任单位: 市财政局}\n",
    "data/leaders.yaml": "- {姓名: 张三, 职务: 副市长}\n",
    "data/progress/2024-04.yaml": "期间: 2024-04\n条目:\n  - {编号: T-1, 状态: 序时推进, 完成情况: 四月进展。}\n"
                                  "  - {编号: T-3, 状态: 已完成, 完成情况: 已完成。}\n",
    "data/progress/2024-05.yaml": "期间: 2024-05\n示例: true\n条目:\n  - {编号: T-1, 状态: 滞后, 完成情况: 示例。}\n",
    "data/progress/2024-06.yaml": "期间: 2024-06\n亮点: [T-3]\n条目:\n"
                                  "  - {编号: T-1, 状态: 滞后, 完成情况: 已开工。, 存在问题: 用地未批, 下步计划: 加快报批}\n"
                                  "  - {编号: T-3, 状态: 序时推进, 完成情况: 六月进展。}\n",
}


def test_bulletin_lists_every_task_and_marks_the_unreported(tmp_path):
    root = folder(tmp_path, "  wc:\n    kind: bulletin\n    tasks: data/tasks.yaml\n    leaders: data/leaders.yaml\n"
                            "    progress: data/progress\n", BULLETIN_FILES)
    config = kinds.load_config(root)
    kind = kinds.get("bulletin")
    assert [o.stem for o in kind.outputs(config, "wc")] == ["wc-2024-04", "wc-2024-05", "wc-2024-06"]
    composed = kind.compose(config, kind.outputs(config, "wc", "2024-04")[0])
    table = composed.view.sections[0].blocks[-1]
    assert [[c.lines[0] for c in r] for r in table.rows] == [
        ["张三副市长牵头重点工作"], ["1", "推进甲项目建设，年内完工。", "市发改委", "四月进展。"],
        ["2", "任务二", "市经信局", "未报送"], ["3", "任务三", "市财政局", "已完成。"]]
    assert table.group_rows == {0}
    (warning,) = composed.warnings
    assert warning.category == "progress" and "T-2" in warning.message and "未报送" in warning.message
    assert warning.place.file.endswith("2024-04.yaml")


def test_tongbao_view_is_a_gongwen_with_sections_from_the_data(tmp_path):
    notice = ("发文机关标志: 某某办公室文件\n发文字号: 某办督〔{year}〕{month}号\n"
              "标题: 关于{year}年{months}重点工作推进情况的通报\n主送机关: 各有关单位\n"
              "开头: 现将{months}推进情况通报如下：\n"
              "正文:\n"
              "  - 标题: 总体情况\n    内容:\n      - 文字: 应报送{应报送}项，{状态构成}；完成率{完成率}。\n"
              "      - 领导统计表: 推进情况\n      - 与上期相比\n"
              "  - 标题: 主要进展\n    内容: [亮点]\n"
              "  - 标题: 存在问题\n    内容: [滞后任务, 未报送]\n"
              "  - 标题: 下步工作要求\n    内容:\n      - 二级标题: 压实责任\n      - 文字: 各单位要按期完成。\n"
              "附件:\n  - 分项进展情况表: 重点工作{months}推进情况表\n"
              "署名: 某某办公室\n成文日期: 次月5日\n抄送: 市委办公室\n印发机关: 某某办公室\n")
    root = folder(tmp_path, "  tb:\n    kind: bulletin\n    notice: data/tongbao.yaml\n    tasks: data/tasks.yaml\n"
                            "    leaders: data/leaders.yaml\n    progress: data/progress\n",
                  {**BULLETIN_FILES, "data/tongbao.yaml": notice})
    config = kinds.load_config(root)
    composed = kinds.compose(config, "tb", "2024-06")
    view = composed.view
    assert (view.frame.mark, view.frame.number) == ("某某办公室文件", "某办督〔2024〕6号")
    assert view.date == "2024-07-05" and view.imprint.print_date == "2024年7月5日印发"
    lines = texts(view)
    order = ["关于2024年1—6月重点工作推进情况的通报", "各有关单位：", "现将1—6月推进情况通报如下：", "一、总体情况",
             "应报送3项，序时推进1项、滞后1项、未报送1项；完成率0.0%。", "表1　推进情况",
             "与上期（2024年4月）相比：（2024年5月为示例数据，不作比较。）", "由已完成退回1项：第3项“任务三”（市财政局），现为序时推进。",
             "转为滞后或未启动1项：第1项“推进甲项目建设”（市发改委），现为滞后。", "二、主要进展",
             "1.任务三（市财政局）。六月进展。", "三、存在问题",
             "1.第1项“推进甲项目建设”（市发改委），滞后。原因：用地未批。下步：加快报批。",
             "1项任务未按时报送进展情况，涉及市经信局。", "四、下步工作要求", "（一）压实责任", "各单位要按期完成。",
             "附件：重点工作1—6月推进情况表", "某某办公室", "2024年7月5日", "附件", "重点工作1—6月推进情况表"]
    positions = [lines.index(t) for t in order]
    assert positions == sorted(positions)
    attachment, imprint_page = view.sections[-2:]
    assert attachment.landscape and not imprint_page.landscape and not imprint_page.blocks   # 版记 on a portrait page
    table = attachment.blocks[-1]
    assert [c.lines[0] for c in table.header[0]] == ["序号", "任务内容", "牵头单位", "状态", "进展情况"]
    assert [[c.lines[0] for c in r] for r in table.rows[1:]] == [
        ["1", "推进甲项目建设，年内完工。", "市发改委", "滞后", "已开工。"], ["2", "任务二", "市经信局", "未报送", "未报送"],
        ["3", "任务三", "市财政局", "序时推进", "六月进展。"]]


def test_summary_without_a_notice_file_gives_the_default_parts_without_a_frame(tmp_path):
    root = folder(tmp_path, "  tb:\n    kind: bulletin\n    summary: true\n    tasks: data/tasks.yaml\n"
                            "    leaders: data/leaders.yaml\n    progress: data/progress\n", BULLETIN_FILES)
    view = kinds.compose(kinds.load_config(root), "tb", "2024-06").view
    assert view.frame is None and view.imprint is None
    lines = [t.replace("\n", "") for t in texts(view)]
    order = ["2024年市政府工作报告重点工作半年度进展情况通报", "一、总体情况", "二、主要进展", "三、存在问题", "附件1", "附件2"]
    positions = [lines.index(t) for t in order]
    assert positions == sorted(positions)
    assert "本期应报送任务3项，其中序时推进1项、滞后1项、未报送1项；完成率0.0%，序时推进率（含已完成）33.3%，滞后率33.3%。" in lines


def test_tongbao_template_errors_name_the_line(tmp_path):
    notice = "标题: 通报\n正文:\n  - 标题: 总体情况\n    内容:\n      - 文字: 完成{完成数}项\n"
    root = folder(tmp_path, "  tb:\n    kind: bulletin\n    notice: data/tongbao.yaml\n    tasks: data/tasks.yaml\n"
                            "    leaders: data/leaders.yaml\n    progress: data/progress\n",
                  {**BULLETIN_FILES, "data/tongbao.yaml": notice})
    config = kinds.load_config(root)
    with pytest.raises(Exception) as caught:
        kinds.compose(config, "tb", "2024-06")
    message = str(caught.value)
    assert "data/tongbao.yaml，第5行：文字中的“{完成数}”不认识" in message and "{已完成}" in message


def test_unit_extracts_merge_aliases_and_keep_registry_order():
    tasks = [KeyTask("A-1", "张三", "任务一", "市经信局、市发展改革委", Place("x")),
             KeyTask("A-2", "张三", "任务二", "市发改委", Place("x"))]
    breakdown = Breakdown("关于印发某方案的通知", "某办〔2024〕1号", "2024-05-06", UNITS, [Leader("张三", "副市长")], tasks)
    extracts = dict(unit_extracts(breakdown))
    assert list(extracts) == ["市发改委", "市经信局"]
    lead, share = [b for b in extracts["市发改委"].sections[0].blocks if isinstance(b, Table)]
    assert [r[1].lines[0] for r in lead.rows] == ["任务二"] and [r[1].lines[0] for r in share.rows] == ["任务一"]
    assert "（据某办〔2024〕1号《某方案》整理）" in texts(extracts["市发改委"])


@pytest.mark.parametrize("doc_id", ["gongzuo-yaodian-2024", "shishi-fangan", "gaige-tupo-2024"])
def test_bundled_documents_compose_without_warnings(doc_id):
    from conftest import REPO

    config = kinds.load_config(REPO)
    composed = kinds.compose(config, doc_id)
    # Notes of GB/T 15834 punctuation printed full-width are no problem (tests/test_punctuation.py)
    assert [w for w in composed.warnings if w.category != "normalised"] == [] and composed.view.sections
    assert dt.date.fromisoformat(composed.view.date)
