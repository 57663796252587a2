"""Every case of rules/cases/*.toml: a profile, a date, and what the estimate must say."""
from __future__ import annotations

import json
from rules.parameters import tomllib
from pathlib import Path

import pytest

from rules import estimate

CASES_DIR = Path(__file__).resolve().parents[1] / "rules" / "cases"
DEFAULT_AS_OF = "2026-06-01"  # a fixed date inside the policy's validity, far from its end
EXPECT_KEYS = {"clause_max", "clause_min", "absent", "kinds", "basis", "basis_contains", "total_min", "total_max",
               "eligible", "policy_valid", "capped", "reasons_count", "missing", "missing_has", "missing_lacks",
               "notes_contain", "notes_lack", "institution_min", "institution_max", "personal_min", "personal_max",
               "cap_cut_min", "cap_cut_max", "capped_clauses"}


def load_cases():
    for path in sorted(CASES_DIR.glob("*.toml")):
        with open(path, "rb") as handle:
            for case in tomllib.load(handle)["case"]:
                yield pytest.param(case, id=f"{path.stem}: {case['name']}")


def _by_clause(lines):
    clauses: dict[int, list[dict]] = {}
    for line in lines:
        clauses.setdefault(line["clause"], []).append(line)
    return clauses


@pytest.mark.parametrize("case", list(load_cases()))
def test_case(case):
    expect = case["expect"]
    assert set(expect) <= EXPECT_KEYS, f"unknown expectation {set(expect) - EXPECT_KEYS}"
    profile = dict(case["profile"]) | {key: None for key in case.get("null_keys", [])}
    as_of = case.get("as_of") or (None if "as_of" in profile else DEFAULT_AS_OF)
    result = estimate(profile, as_of=as_of)

    json.dumps(result)  # the result is plain JSON
    assert result["total_min"] <= result["total_max"]
    # The two subtotals (the institution's, the managers' article 6 reward) make up the total.
    assert result["institution_min"] + result["personal_min"] == result["total_min"]
    assert result["institution_max"] + result["personal_max"] == result["total_max"]
    clauses = _by_clause(result["lines"])
    for clause, amount in expect.get("clause_max", {}).items():
        assert int(clause) in clauses, f"no line for article {clause}: {result['lines']}"
        assert sum(line["max"] for line in clauses[int(clause)]) == amount
    for clause, amount in expect.get("clause_min", {}).items():
        assert sum(line["min"] for line in clauses[int(clause)]) == amount
    for clause in expect.get("absent", []):
        assert clause not in clauses, f"unexpected line for article {clause}: {clauses[clause]}"
    for clause, kind in expect.get("kinds", {}).items():
        assert {line["kind"] for line in clauses[int(clause)]} == {kind}
    for clause, text in expect.get("basis", {}).items():
        assert clauses[int(clause)][0]["basis"] == text
    for clause, text in expect.get("basis_contains", {}).items():
        assert text in clauses[int(clause)][0]["basis"]
    for key, field in (("total_min", "total_min"), ("total_max", "total_max"), ("eligible", "eligible"),
                       ("policy_valid", "policy_valid"), ("capped", "capped_by_contribution"),
                       ("institution_min", "institution_min"), ("institution_max", "institution_max"),
                       ("personal_min", "personal_min"), ("personal_max", "personal_max"),
                       ("cap_cut_min", "cap_cut_min"), ("cap_cut_max", "cap_cut_max"),
                       ("capped_clauses", "capped_clauses")):
        if key in expect:
            assert result[field] == expect[key], f"{field}: {result[field]!r}"
    if "reasons_count" in expect:
        assert len(result["reasons"]) == expect["reasons_count"], result["reasons"]
    if "missing" in expect:
        assert sorted(result["missing"]) == sorted(expect["missing"])
    for key in expect.get("missing_has", []):
        assert key in result["missing"]
    for key in expect.get("missing_lacks", []):
        assert key not in result["missing"]
    notes = "\n".join(result["notes"])
    for text in expect.get("notes_contain", []):
        assert text in notes, notes
    for text in expect.get("notes_lack", []):
        assert text not in notes, notes
