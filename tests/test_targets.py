"""Indicator targets: parsing as written, and judging actual values without guessing."""

from __future__ import annotations

import dataclasses

import pytest

from gongfu_reports.model.targets import (STATUS_ORDER, Judgement, Target, judge, parse_direction,
                                          parse_target)


# ── parse_target ───────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("text, op, value, unit", [
    ("≥95", ">=", 95.0, ""),
    ("≥ 95", ">=", 95.0, ""),
    (">=95", ">=", 95.0, ""),
    ("≥95%", ">=", 95.0, "%"),
    ("≥93%", ">=", 93.0, "%"),
    ("≧95", ">=", 95.0, ""),
    (">96", ">", 96.0, ""),
    ("＞96", ">", 96.0, ""),
    ("＞＝96", ">=", 96.0, ""),
    ("<0.019", "<", 0.019, ""),
    ("＜0.019", "<", 0.019, ""),
    ("≤8.55", "<=", 8.55, ""),
    ("<=8.55", "<=", 8.55, ""),
    ("<= 8.55", "<=", 8.55, ""),
    (" ≥95 ", ">=", 95.0, ""),
    ("≥９５％", ">=", 95.0, "%"),
])
def test_comparison_targets(text, op, value, unit):
    target = parse_target(text)
    assert target == Target(text, "comparison", op, value, unit)


@pytest.mark.parametrize("direction", ["", "越大越好", "越小越好", "higher", "lower"])
def test_comparator_wins_over_direction(direction):
    assert parse_target("<0.019", direction).op == "<"
    assert parse_target("≥95", direction).op == ">="


@pytest.mark.parametrize("text, value, unit", [
    ("19", 19.0, ""),
    ("2.26", 2.26, ""),
    ("45000", 45000.0, ""),
    ("45,000", 45000.0, ""),
    ("74.4", 74.4, ""),
    ("0.0341", 0.0341, ""),
    ("95%", 95.0, "%"),
    ("95％", 95.0, "%"),
    ("5亿元", 5.0, "亿元"),
    ("330台", 330.0, "台"),
    ("330 台", 330.0, "台"),
    ("8.55人/万车", 8.55, "人/万车"),
])
@pytest.mark.parametrize("direction, op", [
    ("", ">="), ("越大越好", ">="), ("higher", ">="), ("Higher", ">="),
    ("越小越好", "<="), ("lower", "<="), (" 越小越好 ", "<="),
])
def test_plain_number_targets(text, value, unit, direction, op):
    target = parse_target(text, direction)
    assert target == Target(text, "number", op, value, unit)


@pytest.mark.parametrize("text", [
    "三分之二以上",
    "与经济增长基本同步",
    "较2023年增长",
    "5亿元以上",
    "约95",
    "95左右",
    "30余个",
    "≥50%；省内异地结算定点医院开通率达100%",
    "90-95",
    "≥",
    "/",
    "",
    "不低于95",
])
def test_textual_targets(text):
    assert parse_target(text) == Target(text, "text", None, None, "")


def test_target_keeps_text_as_written_and_is_frozen():
    target = parse_target("＞96")
    assert target.text == str(target) == "＞96"
    with pytest.raises(dataclasses.FrozenInstanceError):
        target.value = 1.0  # type: ignore[misc]


def test_unknown_direction_is_an_error():
    with pytest.raises(ValueError, match="指标方向"):
        parse_target("95", "差不多就好")
    assert parse_direction("") == "越大越好"
    assert parse_direction("lower") == "越小越好"


# ── judge ──────────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("target, direction, actual, status", [
    # comparisons, boundary equality included
    ("≥95", "", "96.5", "达标"),
    ("≥95", "", "95", "达标"),
    ("≥95", "", "95.0", "达标"),
    ("≥95", "", "94.9", "未达标"),
    ("≥ 95", "", "96.5%", "达标"),
    (">=95", "", "94", "未达标"),
    (">96", "", "96", "未达标"),
    (">96", "", "96.01", "达标"),
    ("＞96", "", "96", "未达标"),
    ("＞96", "", "97", "达标"),
    ("<0.019", "", "0.018", "达标"),
    ("<0.019", "", "0.019", "未达标"),
    ("＜0.019", "", "0.02", "未达标"),
    ("≤8.55", "", "8.55", "达标"),
    ("≤8.55", "", "8.56", "未达标"),
    ("<=8.55", "", "7", "达标"),
    # the comparator decides, whatever the direction says
    ("≤8.55", "越大越好", "8", "达标"),
    ("≥95", "越小越好", "96", "达标"),
    # plain numbers: the direction decides
    ("19", "", "19", "达标"),
    ("19", "", "19.5", "达标"),
    ("19", "", "18.9", "未达标"),
    ("2.26", "越大越好", "2.3", "达标"),
    ("45000", "higher", "44999", "未达标"),
    ("45000", "越大越好", "45,000", "达标"),
    ("74.4", "", "74.4", "达标"),
    ("1.54", "越小越好", "1.54", "达标"),
    ("1.54", "越小越好", "1.53", "达标"),
    ("1.54", "越小越好", "1.6", "未达标"),
    ("0.0341", "lower", "0.04", "未达标"),
    ("0.0341", "lower", "0.03", "达标"),
    # units and percent
    ("95%", "", "96.5%", "达标"),
    ("95%", "", "96.5", "达标"),
    ("95", "", "94%", "未达标"),
    ("95%", "", "94.5％", "未达标"),
    ("5亿元", "", "5.2亿元", "达标"),
    ("5亿元", "", "4.8亿元", "未达标"),
    ("330台", "", "330", "达标"),
    ("6.8", "", "4.3%", "未达标"),
    # full-width digits in the actual
    ("≥95", "", "９６．５", "达标"),
])
def test_judge_numbers(target, direction, actual, status):
    judgement = judge(parse_target(target, direction), actual)
    assert isinstance(judgement, Judgement)
    assert judgement.status == status
    assert judgement.reason.startswith("实际 ")


@pytest.mark.parametrize("target, actual, reason", [
    ("≥95", "96.5", "实际 96.5 ≥ 目标 95"),
    (">96", "97", "实际 97 > 目标 96"),
    ("<0.019", "0.018", "实际 0.018 < 目标 0.019"),
    ("≤8.55", "8.55", "实际 8.55 ≤ 目标 8.55"),
    ("95%", "96.5%", "实际 96.5% ≥ 目标 95%"),
    ("≥95", "94", "实际 94 < 目标 95，未达到“≥95”"),
    ("＞96", "96", "实际 96 ≤ 目标 96，未达到“＞96”"),
    ("<0.019", "0.019", "实际 0.019 ≥ 目标 0.019，未达到“<0.019”"),
])
def test_judge_reasons(target, actual, reason):
    assert judge(parse_target(target), actual).reason == reason


def test_plain_number_reason_follows_direction():
    assert judge(parse_target("1.54", "越小越好"), "1.5").reason == "实际 1.5 ≤ 目标 1.54"
    assert judge(parse_target("1.54", "越小越好"), "1.6").reason == "实际 1.6 > 目标 1.54，未达到“1.54”"


@pytest.mark.parametrize("target", ["三分之二以上", "与经济增长基本同步", "较2023年增长", "5亿元以上",
                                    "≥50%；省内异地结算定点医院开通率达100%"])
@pytest.mark.parametrize("actual", ["70", "100%", "已完成", "约7成"])
def test_textual_targets_are_never_guessed(target, actual):
    judgement = judge(parse_target(target), actual)
    assert judgement == Judgement("需人工判断", f"目标为文字表述“{target}”，需人工判断")


def test_empty_target_needs_review():
    assert judge(parse_target(""), "95") == Judgement("需人工判断", "未设定目标值，需人工判断")


@pytest.mark.parametrize("actual", ["约7成", "七成", "已完成", "95以上", "≥96", "96.5左右", "94-96",
                                    "/", "—", "96.5%；另有说明", "n/a"])
@pytest.mark.parametrize("target", ["≥95", "95%", "19"])
def test_non_numeric_actuals_need_review(target, actual):
    judgement = judge(parse_target(target), actual)
    assert judgement == Judgement("需人工判断", f"实际值“{actual}”无法识别为数字，需人工判断")


@pytest.mark.parametrize("actual", ["", "  ", "\u3000", None])
@pytest.mark.parametrize("target", ["≥95", "19", "三分之二以上"])
def test_empty_actuals_are_not_reported(target, actual):
    assert judge(parse_target(target), actual) == Judgement("未填报", "未填报实际值")


@pytest.mark.parametrize("target, actual", [
    ("5亿元", "4000万元"),
    ("5亿元", "6万元"),
    ("≥95%", "0.96个百分点"),
    ("330台", "330套"),
    ("70%", "7成"),
])
def test_unit_mismatch_needs_review(target, actual):
    judgement = judge(parse_target(target), actual)
    assert judgement.status == "需人工判断"
    assert "单位" in judgement.reason and "不一致" in judgement.reason
    assert actual in judgement.reason and target in judgement.reason


def test_numeric_actuals_from_excel_cells():
    assert judge(parse_target("≥95"), 96.5).status == "达标"
    assert judge(parse_target("45000"), 45000.0).reason == "实际 45000 ≥ 目标 45000"
    assert judge(parse_target("19"), 18).status == "未达标"


def test_status_order():
    assert STATUS_ORDER == ("达标", "未达标", "需人工判断", "未填报")
    statuses = {judge(parse_target(t), a).status
                for t, a in [("≥95", "96"), ("≥95", "94"), ("三分之二以上", "70"), ("≥95", "")]}
    assert statuses == set(STATUS_ORDER)
