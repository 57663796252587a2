"""The policy's award formulas as pure functions (see ../shared/RULES.md).

    from rules import estimate, validate_profile, ProfileError, most_valuable_missing

    result = estimate({"role": "institution", "revenue": 320_000_000})   # dict, RULES.md output shape
    result = estimate(profile, as_of="2026-11-26")   # as_of overrides the profile's own; default today
    result = estimate(profile, lang="en")    # same shape and numbers; item, basis, reasons, notes in English
    result["institution_max"], result["personal_max"]   # 机构可得 / 个人奖励（第六条）; they add up to total_max
    result["cap_cut_max"], result["capped_clauses"]     # what the article 17 cap took off, from which articles
    validate_profile(profile)          # raises ProfileError(key, expected) on a bad profile; returns the told keys
    most_valuable_missing(profile)     # untold keys of the role, the one that could change total_max most first
    PROFILE_KEYS                       # key -> {type, meaning (Chinese), articles, roles, choices?}
    format_wan(720000)                 # "72万元" (exact; 75000 -> "7.5万元")
    format_rmb(720000)                 # "RMB 720,000" (exact, for English)
    render_text(result)                # the estimate as Chinese text (table in 万元, totals, missing, notes)
    render_text(result_en, "en")       # the same in English (amounts in RMB); estimate with lang="en" first
    validity_headline(date, lang)      # the line that opens an award answer outside the policy's term, else None

Amounts are int yuan, never floats. Every number of the policy lives in rules/parameters.toml beside
its article and the policy's words. Nothing here knows about chats or channels.
"""
from .estimate import estimate, most_valuable_missing, validity_headline
from .money import format_rmb, format_wan
from .profile import PROFILE_KEYS, ROLES, ProfileError, validate_profile
from .render import render_text

__all__ = ["estimate", "most_valuable_missing", "validate_profile", "ProfileError", "PROFILE_KEYS", "ROLES",
           "format_wan", "format_rmb", "render_text", "validity_headline"]
