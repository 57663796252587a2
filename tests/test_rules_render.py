"""Amounts in 万元 are exact, and the text names articles the way the policy does."""
from __future__ import annotations

import pytest

from rules import estimate, format_wan, render_text
from rules.money import article_name, format_amount


@pytest.mark.parametrize("yuan, text", [
    (720_000, "72万元"), (75_000, "7.5万元"), (3_500, "0.35万元"), (0, "0万元"), (1, "0.0001万元"),
    (12_345, "1.2345万元"), (20_000_000, "2000万元"), (10**18 + 1, "100000000000000.0001万元"),
])
def test_format_wan_is_exact(yuan, text):
    assert format_wan(yuan) == text


@pytest.mark.parametrize("yuan, text", [
    (320_000_000, "3.2亿元"), (100_000_000, "1亿元"), (99_999_999, "9999.9999万元"), (170_000_001, "17000.0001万元"),
])
def test_revenues_read_in_yi_when_exact(yuan, text):
    assert format_amount(yuan) == text


@pytest.mark.parametrize("number, name", [(1, "第一条"), (10, "第十条"), (11, "第十一条"), (19, "第十九条")])
def test_article_names(number, name):
    assert article_name(number) == name


def test_text_orders_lines_by_article_and_shows_ceilings():
    result = estimate({"role": "institution", "facility_fees": 150_000, "ranking": "china500",
                       "revenue": 320_000_000, "contribution": 100_000_000}, as_of="2026-06-01")
    text = render_text(result)
    assert text.index("第四条") < text.index("第十一条") < text.index("第十四条")
    assert "最高2000万元" in text and "7.5万元" in text
    assert "合计：37.5～2237.5万元" in text


def test_text_of_a_capped_estimate_says_so():
    result = estimate({"role": "institution", "revenue": 300_000_000, "contribution": 100_000}, as_of="2026-06-01")
    assert "合计：10万元（已按第十七条年度综合贡献核减）" in render_text(result)
