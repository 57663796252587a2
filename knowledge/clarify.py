"""Clarifying questions for two close entries ("您是入驻前获奖，还是入驻后获奖？"), from clarify.toml."""
from __future__ import annotations

import sys
from functools import lru_cache

from knowledge.base import PACKAGE_DIR

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CLARIFY_FILE = PACKAGE_DIR / "clarify.toml"


@lru_cache(maxsize=1)
def _load() -> dict:
    try:
        return tomllib.loads(CLARIFY_FILE.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def clarifying_question(entry_ids, lang: str = "zh") -> tuple[str, dict[str, str]]:
    """The question to ask between these entries, and a short button label per entry id (labels
    missing for a pair with no wording of its own: the caller shows the entries' titles)."""
    data = _load()
    lang = "en" if lang == "en" else "zh"
    wanted = set(entry_ids)
    for pair in data.get("pair", []):
        if set(pair.get("entries", [])) == wanted:
            return pair.get(lang, ""), dict(pair.get(f"options_{lang}", {}))
    generic = data.get("generic", {})
    return generic.get(lang) or ("Which of these do you mean?" if lang == "en" else "您想了解的是下面哪一项？"), {}


@lru_cache(maxsize=1)
def curated_pairs() -> frozenset[frozenset[str]]:
    """The pairs of entries that have a question of their own (known to be confused)."""
    return frozenset(frozenset(pair.get("entries", [])) for pair in _load().get("pair", []))


@lru_cache(maxsize=1)
def _cues() -> dict[frozenset[str], tuple[tuple[str, ...], tuple[str, ...]]]:
    """pair → (words of its subject, words saying which side a question is on)."""
    return {frozenset(pair.get("entries", [])): (tuple(w.lower() for w in pair.get("about", [])),
                                                 tuple(w.lower() for words in pair["cues"].values() for w in words))
            for pair in _load().get("pair", []) if pair.get("cues")}


def leaves_open(first: str, second: str, normalized: str) -> bool:
    """True when these two entries are a pair with cue words and the (normalised) question is about
    the pair's subject but has none of the cues: it does not say which of the two it means."""
    about, cues = _cues().get(frozenset((first, second)), ((), ()))
    return (bool(cues) and any(word in normalized for word in about)
            and not any(cue in normalized for cue in cues))
