"""The policy's award formulas as pure functions (see ../shared/RULES.md).

    from rules import estimate, validate_profile, ProfileError, most_valuable_missing

    result = estimate({"role": "institution", "revenue": 320_000_000})   # dict, RULES.md output shape
    validate_profile(profile)          # raises ProfileError(key, expected) on a bad profile
    most_valuable_missing(profile)     # missing profile keys, the one that changes the estimate most first

Nothing here knows about chats or channels.
"""
