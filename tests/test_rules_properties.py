"""Properties over random profiles: valid ones always estimate, with int totals and min ≤ max; others are refused."""
from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from rules import PROFILE_KEYS, ProfileError, estimate, most_valuable_missing, validate_profile

yuan = st.integers(min_value=0, max_value=10**10)


def value_for(spec: dict):
    kind = spec["type"]
    if kind == "choice":
        options = list(spec["choices"]) + ([None] if spec.get("nullable") else [])
        return st.sampled_from(options)
    return {
        "bool": st.booleans(),
        "yuan": yuan,
        "count": st.integers(min_value=1, max_value=10),
        "yuan_list": st.lists(yuan, max_size=5),
        "date": st.dates(dt.date(2023, 1, 1), dt.date(2028, 1, 1)).map(dt.date.isoformat),
    }[kind]


profiles = st.fixed_dictionaries(
    {"role": value_for(PROFILE_KEYS["role"])},
    optional={key: value_for(spec) for key, spec in PROFILE_KEYS.items() if key != "role"},
)


@settings(max_examples=300, deadline=None)
@given(profiles)
def test_valid_profiles_always_estimate(profile):
    result = estimate(profile, as_of="2026-06-01")
    json.dumps(result)
    for field in ("total_min", "total_max"):
        assert type(result[field]) is int and result[field] >= 0
    assert result["total_min"] <= result["total_max"]
    for line in result["lines"]:
        assert type(line["min"]) is int and type(line["max"]) is int and 0 <= line["min"] <= line["max"]
    assert result["total_max"] <= sum(line["max"] for line in result["lines"])
    assert set(result["missing"]) <= set(PROFILE_KEYS) - set(profile)
    if not result["eligible"]:
        assert result["lines"] == [] and result["reasons"]
    # The institution's subtotal and the managers' (article 6) make up the total; the cut is what
    # article 17 took off the sum of the lines.
    for end in ("min", "max"):
        assert result[f"institution_{end}"] + result[f"personal_{end}"] == result[f"total_{end}"]
        assert result[f"institution_{end}"] >= 0 and result[f"personal_{end}"] >= 0
        assert sum(line[end] for line in result["lines"]) - result[f"cap_cut_{end}"] == result[f"total_{end}"]
    assert result["personal_max"] == sum(line["max"] for line in result["lines"] if line["clause"] == 6)
    assert bool(result["capped_clauses"]) == result["capped_by_contribution"]


@settings(max_examples=50, deadline=None)
@given(profiles)
def test_most_valuable_missing_names_only_untold_keys_of_the_role(profile):
    keys = most_valuable_missing(profile, as_of="2026-06-01")
    assert len(keys) == len(set(keys))
    for key in keys:
        assert key not in profile and profile["role"] in PROFILE_KEYS[key]["roles"]


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                       max_size=3), max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(list(PROFILE_KEYS) + ["other"]), json_values, max_size=6))
def test_arbitrary_input_is_valid_or_refused_with_profile_error(profile):
    try:
        validate_profile(profile)
    except ProfileError as error:
        assert error.key and "\n" not in str(error)
        return
    estimate(profile, as_of="2026-06-01")
