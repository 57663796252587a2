"""The fast totals path: the same totals as estimate(), and the same ranking of missing keys as before it."""
from __future__ import annotations

import datetime as dt
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from rules import PROFILE_KEYS, estimate, most_valuable_missing, validate_profile
from tests.test_rules_properties import profiles

rules_estimate = sys.modules["rules.estimate"]  # the module (rules.estimate is the function)
AS_OF = "2026-06-01"


@settings(max_examples=500, deadline=None)
@given(profiles, st.dates(dt.date(2023, 1, 1), dt.date(2028, 1, 1)))
def test_totals_equal_the_estimates_totals(profile, day):
    result = estimate(profile, as_of=day)
    assert rules_estimate.totals(validate_profile(profile)) == (result["total_min"], result["total_max"])


def reference_ranking(profile: dict, as_of: str) -> list[str]:
    """most_valuable_missing as it was before the totals path: a full compute() per trial profile."""
    told = validate_profile(profile)
    day = dt.date.fromisoformat(as_of)
    role = told["role"]
    weights = []
    for order, (key, spec) in enumerate(PROFILE_KEYS.items()):
        if key in told or key in ("role", "as_of") or role not in spec["roles"]:
            continue
        companion = rules_estimate.COMPANIONS.get(key)
        if companion is None or companion in told:
            bases = [told]
        else:
            bases = [{**told, companion: value} for value in rules_estimate._trials(companion, told)]
        best = (0, 0)
        for base in bases:
            before = rules_estimate.compute(base, day)
            for trial in rules_estimate._trials(key, base):
                after = rules_estimate.compute({**base, key: trial}, day)
                best = max(best, (abs(after["total_max"] - before["total_max"]),
                                  abs(after["total_min"] - before["total_min"])))
        if best > (0, 0):
            weights.append((best, order, key))
    weights.sort(key=lambda item: (-item[0][0], -item[0][1], item[1]))
    return [key for _, _, key in weights]


GATE_PASSED = {"registered_in_park": True, "legal_person": True, "independent_accounting": True,
               "sound_finance": True}
# Profiles as the interview builds them, answer by answer, for each role.
INTERVIEW_STEPS = [
    [("role", "institution"), *GATE_PASSED.items(), ("origin", "new"), ("ranking", None), ("revenue", 320_000_000),
     ("contribution", 5_000_000), ("park_year", 2), ("rent_paid", 1_200_000), ("events", [100_000, 300_000]),
     ("competition_city_award", 100_000), ("competition_before_joining", False), ("brand_selected", True),
     ("ipo_city_subsidy", 0), ("facility_fees", 80_000), ("manager_contributions", [500_000, 300_000])],
    [("role", "institution"), *GATE_PASSED.items(), ("origin", "relocated"), ("revenue", 150_000_000),
     ("revenue_prev", 90_000_000), ("contribution", 2_000_000), ("ranking", "china500"), ("park_year", 4)],
    [("role", "institution"), ("registered_in_park", True), ("legal_person", False)],
    [("role", "operator"), ("operating_years", 2), ("park_level", "national"), ("tenants_revenue", 1_200_000_000),
     ("events", [])],
    [("role", "builder"), ("park_level", "national"), ("upgraded_from_city", True)],
]


def test_ranking_is_unchanged_at_every_step_of_scripted_interviews():
    for steps in INTERVIEW_STEPS:
        profile = {}
        for key, value in steps:
            profile[key] = value
            assert most_valuable_missing(profile, as_of=AS_OF) == reference_ranking(profile, AS_OF), profile


@settings(max_examples=300, deadline=None)
@given(profiles)
def test_ranking_is_unchanged_for_random_profiles(profile):
    assert most_valuable_missing(profile, as_of=AS_OF) == reference_ranking(profile, AS_OF)


@settings(max_examples=500, deadline=None)
@given(profiles, profiles)
def test_totals_reusing_the_told_profiles_lines_equal_the_estimates_totals(profile, more):
    # The ranking works out a trial profile from the told one's lines, re-running only the award
    # formulas that read a key the trial sets.
    told = validate_profile(profile)
    added = {k: v for k, v in validate_profile(more).items() if k != "role"}
    result = estimate({**told, **added}, as_of=AS_OF)
    expected = (result["total_min"], result["total_max"])
    assert rules_estimate._Trials(told).totals(added) == expected


@settings(max_examples=300, deadline=None)
@given(profiles, st.sets(st.sampled_from(sorted(PROFILE_KEYS))))
def test_ranking_only_some_keys_is_the_full_ranking_without_the_others(profile, keys):
    # The interview asks for the keys of the questions it chooses between.
    full = most_valuable_missing(profile, as_of=AS_OF)
    assert most_valuable_missing(profile, as_of=AS_OF, keys=keys) == [key for key in full if key in keys]
