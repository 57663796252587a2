"""English estimates: the same numbers as the Chinese ones, in English words and RMB amounts, through
rules.estimate, render_text, `policybot estimate --lang en` and an English interview."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli import main
from dialogs import new_state, respond
from dialogs.answers import computed_amounts
from dialogs.document import docx_text
from dialogs.summary import estimate_text
from rules.render import total_label
from rules import PROFILE_KEYS, estimate, format_rmb, format_wan, render_text

# Han characters, CJK punctuation (，。：、“”) and full-width forms (：；（）).
CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef\u201c\u201d]")
AS_OF = "2026-06-01"  # inside the policy's validity, far from its end

FULL_INSTITUTION = {
    "role": "institution", "registered_in_park": True, "legal_person": True, "independent_accounting": True,
    "sound_finance": True, "origin": "new", "revenue": 320_000_000, "contribution": 30_000_000,
    "park_year": 2, "rent_paid": 1_200_000, "ranking": "global500", "competition_city_award": 100_000,
    "competition_before_joining": True, "ipo_city_subsidy": 1_000_000, "events": [500_000, 300_000],
    "facility_fees": 300_000, "manager_contributions": [600_000, 500_000, 300_000, 200_000],
    "brand_selected": True,
}
PROFILES = {
    "institution with every award": (FULL_INSTITUTION, AS_OF),
    "institution, prize won after joining": ({"role": "institution", "competition_city_award": 150_000,
                                              "competition_before_joining": False, "revenue": 50_000_000,
                                              "manager_contributions": [100_000]}, AS_OF),
    "operator": ({"role": "operator", "operating_years": 2, "park_level": "national",
                  "tenants_revenue": 1_200_000_000, "events": [100_000]}, AS_OF),
    "operator past its three years": ({"role": "operator", "operating_years": 4, "park_level": "city",
                                       "tenants_revenue": 100}, AS_OF),
    "builder, city": ({"role": "builder", "park_level": "city"}, AS_OF),
    "builder, upgraded": ({"role": "builder", "park_level": "national", "upgraded_from_city": True}, AS_OF),
    "gate fails": ({"role": "institution", "legal_person": False, "sound_finance": False, "revenue": 10**9}, AS_OF),
    "gate untold": ({"role": "institution", "legal_person": True, "park_year": 1, "rent_paid": 800_000}, AS_OF),
    "contribution cap": ({"role": "institution", "ranking": "china500", "brand_selected": True,
                          "contribution": 500_000, "revenue": 320_000_000, "park_year": 1,
                          "rent_paid": 800_000}, AS_OF),
    "contribution untold": ({"role": "institution", "brand_selected": True}, AS_OF),
    "relocated, growth": ({"role": "institution", "origin": "relocated", "revenue": 320_000_000,
                           "revenue_prev": 150_000_000, "contribution": 900_000, "contribution_prev": 400_000,
                           "ranking": "china_service500"}, AS_OF),
    "relocated, no growth": ({"role": "institution", "origin": "relocated", "revenue": 100_000_000,
                              "revenue_prev": 200_000_000}, AS_OF),
    "rent past three years": ({"role": "institution", "park_year": 4, "rent_paid": 500_000}, AS_OF),
    "before the policy": ({"role": "builder", "park_level": "city"}, "2023-01-01"),
    "after the policy": ({"role": "builder", "park_level": "city"}, "2027-01-01"),
    "policy ending soon": ({"role": "builder", "park_level": "city"}, "2026-11-26"),
}


def numbers(result: dict) -> dict:
    """Everything of a result but its words."""
    return {**{k: v for k, v in result.items() if k not in ("lines", "reasons", "notes")},
            "lines": [{k: v for k, v in line.items() if k not in ("item", "basis")} for line in result["lines"]],
            "reasons": len(result["reasons"]), "notes": len(result["notes"])}


def words(result: dict) -> list[str]:
    return ([line["item"] for line in result["lines"]] + [line["basis"] for line in result["lines"]]
            + result["reasons"] + result["notes"])


def both(name):
    profile, as_of = PROFILES[name]
    return estimate(profile, as_of=as_of), estimate(profile, as_of=as_of, lang="en")


@pytest.mark.parametrize("name", list(PROFILES))
def test_english_has_the_chinese_numbers_and_no_chinese_words(name):
    zh, en = both(name)
    assert list(en) == list(zh)
    assert numbers(en) == numbers(zh)
    assert [CJK.findall(text) for text in words(en) if CJK.search(text)] == []
    for line in en["lines"]:
        if line["max"] > 0:  # each amount given is the one its sentence arrives at
            assert format_rmb(line["max"]) in line["basis"], line["basis"]
    assert all(text.startswith(("Article ", "Amounts marked", "As of ")) for text in en["notes"] + en["reasons"])


def test_rent_basis_reads_as_the_policy_computes_it():
    _, en = both("institution with every award")
    rent = [line for line in en["lines"] if line["clause"] == 5][0]
    assert rent["item"] == "Rent subsidy (year 2)"
    assert rent["basis"] == ("Article 5: year 2, 80% of the RMB 1,200,000 rent actually paid is RMB 960,000, "
                             "above the RMB 800,000 yearly cap, so RMB 800,000.")
    first = estimate({"role": "institution", "park_year": 1, "rent_paid": 800_000}, as_of=AS_OF, lang="en")
    assert first["lines"][0]["basis"] == ("Article 5: year 1, 90% of the RMB 800,000 rent actually paid is "
                                          "RMB 720,000, within the RMB 800,000 yearly cap.")


def test_builder_upgrade_and_operator_steps():
    _, builder = both("builder, upgraded")
    assert builder["lines"][0]["basis"] == ("Article 1: the park has been raised from city to national level, so "
                                            "the builder receives the difference, RMB 2,000,000 − RMB 1,000,000 = "
                                            "RMB 1,000,000.")
    _, operator = both("operator")
    recruitment = [line for line in operator["lines"] if line["clause"] == 3][0]
    assert recruitment["basis"].endswith("for each full RMB 500,000,000 the operator receives RMB 100,000, "
                                         "in all RMB 200,000.")
    _, old = both("operator past its three years")
    assert "Article 2: the operating subsidy is paid for at most 3 years; year 4 no longer qualifies." in old["notes"]


def test_gate_reasons_and_untold_conditions():
    _, failed = both("gate fails")
    assert failed["reasons"] == [
        "Article 16: the policy applies only to HR service institutions with a sound financial system; "
        "this institution does not meet this condition (sound_finance is false).",
        "Article 16: the policy applies only to HR service institutions with independent legal person status; "
        "this institution does not meet this condition (legal_person is false).",
    ]
    _, untold = both("gate untold")
    assert ("Article 16: you did not say whether the institution meets these conditions: registration and actual "
            "presence in the Xiqing HR Service Industrial Park, a sound financial system and independent "
            "accounting; the estimate assumes it does.") in untold["notes"]


def test_cap_and_relocation_notes_name_the_figures():
    _, capped = both("contribution cap")
    assert capped["capped_by_contribution"]
    cap_note = [note for note in capped["notes"] if note.startswith("Article 17: Article")][0]
    assert "more than the yearly overall contribution to the district of RMB 500,000" in cap_note
    assert "so RMB 500,000 counts for the institution" in cap_note
    _, untold = both("contribution untold")
    assert any("not yet told: this year's overall economic contribution to the district" in n for n in untold["notes"])
    _, relocated = both("relocated, growth")
    revenue = [line for line in relocated["lines"] if line["clause"] == 11][0]
    assert "RMB 320,000,000 − RMB 150,000,000 = RMB 170,000,000" in revenue["basis"]
    assert "(Article 18)" in revenue["basis"] and revenue["max"] == 100_000
    _, flat = both("relocated, no growth")
    revenue = [line for line in flat["lines"] if line["clause"] == 11][0]
    assert "RMB 100,000,000 − RMB 200,000,000, so no growth" in revenue["basis"] and revenue["max"] == 0


def test_validity_notes_give_dates_in_english():
    _, before = both("before the policy")
    _, after = both("after the policy")
    _, soon = both("policy ending soon")
    assert not before["policy_valid"] and not after["policy_valid"] and soon["policy_valid"]
    # Outside the term, the validity note comes first, not last under the amounts.
    assert "20 November 2023" in before["notes"][0] and "1 January 2023" in before["notes"][0]
    assert after["notes"][0].startswith("Article 19: the policy was valid until 31 December 2026")
    assert "Xiqing District Human Resources and Social Security Bureau" in after["notes"][0]
    assert soon["notes"][-1] == "As of 26 November 2026, 35 days remain until the policy expires; apply early."


@pytest.mark.parametrize("yuan, text", [(0, "RMB 0"), (3_500, "RMB 3,500"), (75_000, "RMB 75,000"),
                                        (800_000, "RMB 800,000"), (12_345_678_901, "RMB 12,345,678,901")])
def test_rmb_is_exact_with_thousands_separators(yuan, text):
    assert format_rmb(yuan) == text


def test_english_text_table_and_cli(tmp_path, capsys):
    profile, as_of = PROFILES["institution with every award"]
    text = render_text(estimate(profile, as_of=as_of, lang="en"), "en")
    assert not CJK.search(text)
    assert "Article 5   Rent subsidy (year 2)" in text and "up to RMB 20,000,000" in text
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({"role": "institution", "park_year": 1, "rent_paid": 800_000}), encoding="utf-8")
    assert main(["estimate", str(path), "--lang", "en", "--as-of", "2026-11-26"]) == 0
    out = capsys.readouterr().out
    assert not CJK.search(out)
    assert "Total: RMB 720,000" in out and "revenue: this year's revenue (yuan)" in out
    assert main(["estimate", str(path), "--json", "--as-of", "2026-11-26"]) == 0  # JSON stays Chinese by default
    assert json.loads(capsys.readouterr().out)["lines"][0]["item"] == "房租补贴（第1年）"


yuan = st.integers(min_value=0, max_value=10**10)
KINDS = {"bool": st.booleans(), "yuan": yuan, "count": st.integers(min_value=1, max_value=6),
         "yuan_list": st.lists(yuan, max_size=4)}


def _value(spec):
    if spec["type"] == "choice":
        return st.sampled_from(list(spec["choices"]) + ([None] if spec.get("nullable") else []))
    return KINDS[spec["type"]]


random_profiles = st.fixed_dictionaries(
    {"role": _value(PROFILE_KEYS["role"])},
    optional={key: _value(spec) for key, spec in PROFILE_KEYS.items() if key not in ("role", "as_of")})


@settings(max_examples=150, deadline=None)
@given(random_profiles, st.sampled_from(["2023-01-01", "2026-06-01", "2026-12-20", "2027-03-01"]))
def test_any_profile_gives_the_same_numbers_in_both_languages(profile, as_of):
    zh, en = estimate(profile, as_of=as_of), estimate(profile, as_of=as_of, lang="en")
    assert numbers(en) == numbers(zh)
    assert not any(CJK.search(text) for text in words(en))
    assert not CJK.search(render_text(en, "en"))


# ---- the chat ---------------------------------------------------------------------------------

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


def interview(lang: str, answers: dict):
    """Answer an interview by profile key (a typed answer, or the button value); return the last reply."""
    state, replies = respond(new_state(lang), "/check", now=NOW)
    for _ in range(40):
        if replies[-1].kind != "question":
            return replies[-1]
        key = state["interview"]["pending"]
        assert key in answers, f"unexpected question {key}: {replies[-1].text}"
        state, replies = respond(state, answers[key], now=NOW)
    raise AssertionError("the interview did not end")


INTERVIEW = {"role": "1", "registered_in_park": "yes", "legal_person": "yes", "independent_accounting": "yes",
             "sound_finance": "yes", "origin": "relocated", "ranking": "global500", "contribution": "500000",
             "contribution_prev": "100000", "park_year": "2", "rent_paid": "1200000", "events": "500000, 300000",
             "revenue": "320000000", "revenue_prev": "150000000", "manager_contributions": "500000, 300000",
             "ipo_city_subsidy": "0", "competition_city_award": "0", "facility_fees": "300000",
             "brand_selected": "yes"}
INTERVIEW_PROFILE = {"role": "institution", "registered_in_park": True, "legal_person": True,
                     "independent_accounting": True, "sound_finance": True, "origin": "relocated",
                     "ranking": "global500", "contribution": 500_000, "contribution_prev": 100_000, "park_year": 2,
                     "rent_paid": 1_200_000, "events": [500_000, 300_000], "revenue": 320_000_000,
                     "revenue_prev": 150_000_000, "manager_contributions": [500_000, 300_000],
                     "ipo_city_subsidy": 0, "competition_city_award": 0, "facility_fees": 300_000,
                     "brand_selected": True}


def test_english_interview_ends_in_an_english_estimate():
    reply = interview("en", INTERVIEW)
    result = estimate(INTERVIEW_PROFILE, as_of=NOW.date(), lang="en")
    assert reply.kind == "estimate" and result["capped_by_contribution"]
    assert CJK.findall(reply.text) == [] and CJK.findall(docx_text(reply.document[1])) == []
    for line in result["lines"]:
        assert f"Article {line['clause']} {line['item']}" in reply.text
        if line["kind"] != "service":
            assert line["basis"] in reply.text
    label = total_label(result, "en")  # the managers' article 6 reward is in it: "Total (institution and ...)"
    assert f"{label}: {format_rmb(result['total_min'])} to {format_rmb(result['total_max'])}" in reply.text
    assert "万元" not in reply.text and all(note in reply.text for note in result["notes"])


def test_chinese_interview_still_gives_chinese_amounts():
    chinese = {**INTERVIEW, "registered_in_park": "是", "legal_person": "是", "independent_accounting": "是",
               "sound_finance": "是", "brand_selected": "是"}
    reply = interview("zh", chinese)
    result = estimate(INTERVIEW_PROFILE, as_of=NOW.date())
    assert f"合计（含机构可得和个人奖励）：{format_wan(result['total_min'])} ～ {format_wan(result['total_max'])}" \
        in reply.text
    assert "RMB" not in reply.text


def test_an_ineligible_estimate_document_is_english():
    # The interview itself stops at a failed article 16 answer; a document of such a result must still read.
    profile, as_of = PROFILES["gate fails"]
    text = estimate_text(estimate(profile, as_of=as_of, lang="en"), "en")
    assert not CJK.search(text)
    assert "with independent legal person status; this institution does not meet this condition" in text


def test_figures_in_an_english_question_are_computed_in_rmb():
    rent = computed_amounts({"rent_paid": 1_000_000}, "en")
    assert not CJK.search(rent)
    assert "Year 1: RMB 800,000; Year 2: RMB 800,000; Year 3: RMB 500,000" in rent
    revenue = computed_amounts({"revenue": 130_000_000}, "en")
    assert not CJK.search(revenue) and "· Revenue award: RMB 100,000. Article 11: revenue of RMB 130,000,000" in revenue
    assert "第1年：80万元" in computed_amounts({"rent_paid": 1_000_000}, "zh")
