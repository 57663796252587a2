"""Entry texts say what the policy says, no more (issue 9, point 8)."""
from __future__ import annotations

from dialogs.answers import CHAPTERS_EN
from knowledge import get_entry


def test_how_to_apply_states_article_15_exactly():
    entry = get_entry("t-how-to-apply")
    # Article 15: the operator helps 「符合条件的」入驻机构 with these applications, not with any application.
    assert "协助符合条件的入驻机构做好社保补贴、创业补贴、岗位补贴、职业培训补贴等政策申报" in entry.answer
    assert "有关政策申报" not in entry.answer
    assert ("helps eligible institutions apply for social insurance subsidies, start-up subsidies, job subsidies, "
            "vocational training subsidies and the like") in entry.answer_en
    assert "subsidy applications" not in entry.answer_en


def test_part_two_is_about_gathering_high_quality_firms():
    # 二、推动优质企业高水平集聚: high-quality firms of every kind, not only leading ones (Article 4).
    answer = get_entry("a00").answer_en
    assert "gathering high-quality firms (4–7)" in answer and "leading firms (4" not in answer
    assert CHAPTERS_EN["二"] == "II. Gathering high-quality firms"


def test_the_estimates_article_15_line_says_the_same():
    from rules import estimate

    result = estimate({"role": "institution"}, as_of="2026-06-01")
    basis = next(line["basis"] for line in result["lines"] if line["clause"] == 15)
    assert "协助符合条件的入驻机构做好社保补贴、创业补贴、岗位补贴、职业培训补贴等政策申报" in basis
