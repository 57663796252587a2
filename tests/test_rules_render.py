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


MANAGERS = {"role": "institution", "revenue": 300_000_000, "manager_contributions": [500_000, 300_000],
            "brand_selected": True, "contribution": 250_000}


def test_text_gives_the_institutions_and_the_managers_subtotals():
    text = render_text(estimate(MANAGERS, as_of="2026-06-01"))
    # Article 10 (up to 20万) and 11 (30万) are cut to the 25万 contribution; article 6 goes to the managers.
    assert "机构可得：25万元" in text
    assert "个人奖励（第六条）：80万元（付给主要管理人员本人）" in text
    assert "合计（含机构可得和个人奖励）：105万元" in text
    assert text.index("机构可得") < text.index("个人奖励（第六条）") < text.index("合计（含")


def test_english_text_gives_the_two_subtotals():
    text = render_text(estimate(MANAGERS, as_of="2026-06-01", lang="en"), "en")
    assert "For the institution: RMB 250,000" in text
    assert "Personal awards (Article 6): RMB 800,000 (paid to the main managers themselves)" in text
    assert "Total (institution and personal awards together): RMB 1,050,000" in text


def test_without_a_talent_award_there_is_one_total():
    text = render_text(estimate({"role": "institution", "revenue": 300_000_000}, as_of="2026-06-01"))
    assert "合计：30万元" in text and "个人奖励" not in text


def test_the_cap_row_names_the_lines_and_the_cut():
    text = render_text(estimate(MANAGERS, as_of="2026-06-01"))
    # The table shows the cut as its own row, so the column adds up to the subtotal.
    assert "第十七条  核减（第十条、第十一条超过年度综合贡献部分）" in text and "-5～-25万元" in text
    en = render_text(estimate(MANAGERS, as_of="2026-06-01", lang="en"), "en")
    assert "Article 17  Cut (Articles 10 and 11 above the yearly contribution)" in en and "-RMB 50,000 to -RMB 250,000" in en


def test_an_expired_policy_opens_the_text_and_labels_the_total():
    profile = {"role": "institution", "revenue": 300_000_000}
    text = render_text(estimate(profile, as_of="2027-01-05"))
    first = text.splitlines()[0]
    assert "已不再施行" in first and "区人社局" in first
    assert "原政策本可给予的合计：30万元" in text
    en = render_text(estimate(profile, as_of="2027-01-05", lang="en"), "en")
    assert "no longer in force" in en.splitlines()[0]
    assert "Total the policy would have given: RMB 300,000" in en
    early = render_text(estimate(profile, as_of="2023-11-01"))
    assert "尚未施行" in early.splitlines()[0]
    assert not any(line.startswith("合计") for line in text.splitlines())  # never a plain, confident total
