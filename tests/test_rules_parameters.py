"""Every number in rules/parameters.toml is the policy's own, quoted from knowledge/policy.txt."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from rules.parameters import load_parameters, parameters

ROOT = Path(__file__).resolve().parents[1]
POLICY = re.sub(r"\s+", "", (ROOT / "knowledge" / "policy.txt").read_text(encoding="utf-8"))
PARAMS = parameters()
# Project readings that the policy does not state (RULES.md); nothing else may lack a quote.
READINGS = {"validity.warning_days"}


def article_text(number: int) -> str:
    """The text of article N: from "N." to the next article's number."""
    match = re.search(rf"(?<![0-9]){number}\.(.*?)(?=(?<![0-9年]){number + 1}\.|$)", POLICY)
    assert match, f"article {number} not found in the policy"
    return match.group(1)


def stated(param) -> str:
    """How the policy writes the value, e.g. 800000 yuan -> "80万元", 90 percent -> "90%"."""
    value = param.value
    if param.unit == "yuan":
        assert value % 10_000 == 0, f"{param.name}: the policy states money in whole 万"
        return f"{value // 100_000_000}亿元" if value % 100_000_000 == 0 else f"{value // 10_000}万元"
    if param.unit == "date":
        return f"{value.year}年{value.month}月{value.day}日"
    return {"percent": f"{value}%", "year": f"{value}年", "person": f"{value}人", "match": f"1:{value}",
            "day": f"{value}天"}[param.unit]


def test_article_splitting_finds_known_words():
    assert article_text(5).startswith("降低入驻机构房租成本")
    assert article_text(19).startswith("本政策措施自印发之日起实施")


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_quote_is_in_the_policy_article_and_states_the_value(name):
    param = PARAMS[name]
    if param.quote is None:
        assert name in READINGS, f"{name} has no quote from the policy"
        assert str(param.value) in param.reading
        return
    assert stated(param) in param.quote, f"{name}: {stated(param)!r} is not in its quote {param.quote!r}"
    # The quote identifies one place in the policy, not a phrase that also stands elsewhere.
    assert POLICY.count(param.quote) == 1, f"{name}: quote {param.quote!r} occurs {POLICY.count(param.quote)} times"
    if param.article == 0:
        # The issuing notice before the articles, where the issue date stands.
        assert param.quote in POLICY.split("1.")[0]
    else:
        assert param.quote in article_text(param.article), f"{name}: quote not found in article {param.article}"


def test_the_start_date_is_the_issue_date_of_the_notice():
    # Article 19 says 自印发之日起实施; the date itself is the notice's, which prints the measures.
    start = PARAMS["validity.start"]
    assert "自印发之日起实施" in article_text(19)
    assert start.article == 0 and "印发给你们" in start.quote and "2023年11月20日" in start.quote


def test_the_operating_subsidy_years_quote_is_article_2s_sentence():
    quote = PARAMS["operating_subsidy.max_years"].quote
    assert quote in article_text(2) and quote not in article_text(5)


def test_all_values_take_effect_from_the_issue_date():
    assert {param.since for param in PARAMS.values()} == {PARAMS["validity.start"].value}


def test_rent_rates_cover_every_subsidised_year():
    years = PARAMS["rent_subsidy.max_years"].value
    rates = [PARAMS[f"rent_subsidy.rate_year_{year}"].value for year in range(1, years + 1)]
    assert rates == [90, 80, 50]


def test_a_malformed_parameter_is_refused(tmp_path):
    bad = tmp_path / "p.toml"
    bad.write_text('[x]\nvalue = 0.9\nunit = "percent"\narticle = 5\nquote = "90%"\nsince = 2023-11-20\n')
    with pytest.raises(ValueError, match="x.value"):
        load_parameters(bad)
    bad.write_text('[x]\nvalue = 90\nunit = "percent"\narticle = 5\nsince = 2023-11-20\n')
    with pytest.raises(ValueError, match="quote"):
        load_parameters(bad)


def _numbers_in(path: Path, skip: set[str] = frozenset()) -> set:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in tree.body:
        targets = [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
        if any(name in skip for name in targets) or getattr(getattr(node, "target", None), "id", None) in skip:
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and type(sub.value) is int:
                found.add(sub.value)
    return found


def test_no_policy_number_is_written_in_the_code():
    # 0, 1 and 100 (percent) are arithmetic, not policy; article numbers (1..19) name clauses.
    allowed = {0, 1, 100} | set(range(2, 20))
    assert _numbers_in(ROOT / "rules" / "formulas.py") <= allowed
    # The what-if trial values are spreads to try, not policy numbers.
    assert _numbers_in(ROOT / "rules" / "estimate.py", skip={"_TRIAL_YUAN", "TRIAL_VALUES"}) <= allowed
