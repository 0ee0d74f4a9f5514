"""Small pure parts: numbering, issue numbers, dates, signature placement."""

from __future__ import annotations

import datetime as dt

import pytest

from gongfu_reports.compose.notice import signature_blocks, text_width
from gongfu_reports.model.numbering import chinese_numeral, level_number
from gongfu_reports.errors import GongfuError, Place
from gongfu_reports.model import DocumentMeta
from gongfu_reports.sources.loaders import parse_date, parse_issue_number


@pytest.mark.parametrize("n, text", [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (39, "三十九")])
def test_chinese_numerals(n, text):
    assert chinese_numeral(n) == text


def test_levels():
    assert [level_number(level, 3) for level in (1, 2, 3, 4)] == ["三、", "（三）", "3.", "（3）"]


@pytest.mark.parametrize("written", ["舟共富办〔2024〕1号", "舟共富办[2024]01号", "舟共富办（2024）第1号"])
def test_issue_numbers_are_normalised(written):
    assert str(parse_issue_number(written, Place("x"))) == "舟共富办〔2024〕1号"


def test_bad_issue_number_and_date_are_clear():
    with pytest.raises(GongfuError, match="发文字号"):
        parse_issue_number("舟共富办2024-1", Place("x"))
    with pytest.raises(GongfuError, match="日期"):
        parse_date("2024-02-30", Place("x"))
    assert parse_date("2024年4月30日", Place("x")) == dt.date(2024, 4, 30)


def meta(signer):
    return DocumentMeta("某某文件", None, "标题", "主送", ["正文"], signer, dt.date(2024, 4, 30))


def test_long_signer_right_indented_two_and_date_two_further():
    signer, date = signature_blocks(meta("舟山市发展和改革委员会办公室"))
    assert signer.indent_chars + text_width(signer.text) == 26
    assert date.indent_chars == signer.indent_chars + 2


def test_short_signer_is_centred_over_the_date():
    signer, date = signature_blocks(meta("市发改委"))
    assert date.indent_chars + text_width(date.text) == 26
    assert signer.indent_chars + text_width(signer.text) / 2 == pytest.approx(
        date.indent_chars + text_width(date.text) / 2)
