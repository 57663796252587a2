"""most_valuable_missing: the interview asks first about what could change the estimate most."""
from __future__ import annotations

from rules import PROFILE_KEYS, most_valuable_missing

AS_OF = "2026-06-01"
GATE = {"registered_in_park", "legal_person", "independent_accounting", "sound_finance"}


def ask(profile):
    return most_valuable_missing(profile, as_of=AS_OF)


def test_a_blank_institution_is_first_asked_about_the_500_lists():
    keys = ask({"role": "institution"})
    assert keys[0] == "ranking"
    assert {"revenue", "park_year", "rent_paid", "events"} <= set(keys)


def test_an_operator_is_asked_only_operator_questions():
    keys = ask({"role": "operator"})
    assert set(keys) == {"operating_years", "park_level", "tenants_revenue", "events"}
    assert keys[0] == "park_level"  # 200万 for a national park outweighs 50万 a year


def test_a_builder_is_asked_the_level_before_the_upgrade():
    assert ask({"role": "builder"}) == ["park_level", "upgraded_from_city"]
    assert ask({"role": "builder", "park_level": "national"}) == ["upgraded_from_city"]
    assert ask({"role": "builder", "park_level": "city"}) == []


def test_with_a_big_ceiling_the_gate_and_the_contribution_matter_most():
    keys = ask({"role": "institution", "ranking": "global500"})
    assert set(keys[:5]) == GATE | {"contribution"}


def test_last_years_revenue_is_asked_only_of_a_relocated_firm():
    assert "revenue_prev" in ask({"role": "institution", "origin": "relocated", "revenue": 300_000_000})
    assert "revenue_prev" not in ask({"role": "institution", "origin": "new", "revenue": 300_000_000})


def test_told_keys_are_never_asked_again():
    profile = {"role": "institution", "ranking": None, "revenue": 300_000_000, "park_year": 1}
    keys = ask(profile)
    assert not set(keys) & set(profile)
    assert keys and all(key in PROFILE_KEYS for key in keys)
    assert "rent_paid" in keys
