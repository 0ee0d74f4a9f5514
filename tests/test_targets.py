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
    ("≥95", "", "96.5", "已达标"),
    ("≥95", "", "95", "已达标"),
    ("≥95", "", "95.0", "已达标"),
    ("≥95", "", "94.9", "未达标"),
    ("≥ 95", "", "96.5%", "已达标"),
    (">=95", "", "94", "未达标"),
    (">96", "", "96", "未达标"),
    (">96", "", "96.01", "已达标"),
    ("＞96", "", "96", "未达标"),
    ("＞96", "", "97", "已达标"),
    ("<0.019", "", "0.018", "已达标"),
    ("<0.019", "", "0.019", "未达标"),
    ("＜0.019", "", "0.02", "未达标"),
    ("≤8.55", "", "8.55", "已达标"),
    ("≤8.55", "", "8.56", "未达标"),
    ("<=8.55", "", "7", "已达标"),
    # the comparator decides, whatever the direction says
    ("≤8.55", "越大越好", "8", "已达标"),
    ("≥95", "越小越好", "96", "已达标"),
    # plain numbers: the direction decides
    ("19", "", "19", "已达标"),
    ("19", "", "19.5", "已达标"),
    ("19", "", "18.9", "未达标"),
    ("2.26", "越大越好", "2.3", "已达标"),
    ("45000", "higher", "44999", "未达标"),
    ("45000", "越大越好", "45,000", "已达标"),
    ("74.4", "", "74.4", "已达标"),
    ("1.54", "越小越好", "1.54", "已达标"),
    ("1.54", "越小越好", "1.53", "已达标"),
    ("1.54", "越小越好", "1.6", "未达标"),
    ("0.0341", "lower", "0.04", "未达标"),
    ("0.0341", "lower", "0.03", "已达标"),
    # units and percent
    ("95%", "", "96.5%", "已达标"),
    ("95%", "", "96.5", "已达标"),
    ("95", "", "94%", "未达标"),
    ("95%", "", "94.5％", "未达标"),
    ("5亿元", "", "5.2亿元", "已达标"),
    ("5亿元", "", "4.8亿元", "未达标"),
    ("330台", "", "330", "已达标"),
    ("6.8", "", "4.3%", "未达标"),
    # full-width digits in the actual
    ("≥95", "", "９６．５", "已达标"),
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
    assert judge(parse_target("≥95"), 96.5).status == "已达标"
    assert judge(parse_target("45000"), 45000.0).reason == "实际 45000 ≥ 目标 45000"
    assert judge(parse_target("19"), 18).status == "未达标"


def test_status_order():
    assert STATUS_ORDER == ("已达标", "快于序时进度", "达到序时进度", "低于序时进度", "未达标", "需人工判断", "未填报")
    statuses = {judge(parse_target(t), a, timing, elapsed).status
                for t, a, timing, elapsed in [("≥95", "96", "时点", 1), ("≥95", "94", "时点", 1),
                                              ("三分之二以上", "70", "时点", 1), ("≥95", "", "时点", 1),
                                              ("100", "80", "累计", 0.5), ("100", "50", "累计", 0.5),
                                              ("100", "20", "累计", 0.5)]}
    assert statuses == set(STATUS_ORDER)


# ── by period: 累计 against 序时进度, 时点 directly, 年度 only at the year's end ─────────────────

@pytest.mark.parametrize("target, direction, actual, elapsed, status", [
    # The case: 31200 of 45000 (69.3%) in August (8/12 = 66.7%) is ahead, not 未达标.
    ("45000", "", "31200", 8 / 12, "快于序时进度"),
    ("45000", "", "30000", 8 / 12, "达到序时进度"),      # exactly 66.7%
    ("45000", "", "29800", 8 / 12, "达到序时进度"),      # 66.2%: within one point
    ("45000", "", "29500", 8 / 12, "低于序时进度"),      # 65.6%
    ("45000", "", "45000", 8 / 12, "已达标"),            # the year's target reached early
    ("45000", "", "31200", 1.0, "未达标"),               # December: the target's end
    ("45000", "", "46000", 1.0, "已达标"),
    ("≥400", "", "150", 6 / 12, "低于序时进度"),
    # ceilings: the allowance so far is the target pro rata
    ("0.0341", "越小越好", "0.015", 6 / 12, "达到序时进度"),
    ("0.0341", "越小越好", "0.02", 6 / 12, "低于序时进度"),
    ("0.0341", "越小越好", "0.04", 1.0, "未达标"),
])
def test_cumulative_indicators_follow_the_time_schedule(target, direction, actual, elapsed, status):
    assert judge(parse_target(target, direction), actual, "累计", elapsed).status == status


def test_cumulative_reason_names_share_and_schedule():
    reason = judge(parse_target("45000"), "31200", "累计", 8 / 12).reason
    assert reason == "累计 31200，完成全年目标 45000 的 69.3%，序时进度 66.7%"


def test_ceiling_reason_names_the_allowance_to_the_targets_precision():
    """The allowance so far shown to one decimal more than the target (it was 0.019892), and no brackets:
    the 通报 puts each reason in brackets of its own (“（低于序时进度：…（全年目标…））”)."""
    assert judge(parse_target("0.0341", "越小越好"), "0.021", "累计", 7 / 12).reason == \
        "累计 0.021，超过序时控制数 0.01989；全年目标 0.0341，序时进度 58.3%"
    assert judge(parse_target("≤8.55"), "4", "累计", 7 / 12).reason == \
        "累计 4，未超过序时控制数 4.988；全年目标 8.55，序时进度 58.3%"
    assert judge(parse_target("≤120"), "130", "累计", 1 / 2).reason == \
        "累计 130，超过序时控制数 60；全年目标 120，序时进度 50.0%"
    unit = judge(parse_target("95%"), "30个", "时点").reason
    assert "（" not in unit and unit.endswith("需人工判断"), unit


@pytest.mark.parametrize("timing", ["年度", ""])
def test_year_end_indicators_are_not_judged_mid_year(timing):
    mid = judge(parse_target("74.4"), "70", timing, 8 / 12)
    assert mid.status == "需人工判断" and "年末评价" in mid.reason and "70" in mid.reason
    assert judge(parse_target("74.4"), "70", timing, 1.0).status == "未达标"
    assert judge(parse_target("74.4"), "", timing, 8 / 12).status == "未填报"


def test_point_in_time_indicators_are_compared_directly():
    assert judge(parse_target("≥95"), "94", "时点", 3 / 12).status == "未达标"
    assert judge(parse_target("≥95"), "96", "时点", 3 / 12).status == "已达标"


def test_timing_words():
    from gongfu_reports.model.targets import parse_timing

    assert [parse_timing(w) for w in ("累计", "累计值", "时点", "时点值", "年度", "年末", "", None)] == \
        ["累计", "累计", "时点", "时点", "年度", "年度", "", ""]
    with pytest.raises(ValueError, match="时间口径“每月”无法识别"):
        parse_timing("每月")
