"""English words of a question as matching terms.

A word is stemmed (Snowball's English stemmer, PyStemmer: "subsidies" and "subsidy" are one term),
mapped to its synonym's stem ("grant" → "subsidi"), and bridged to the Chinese policy term it names
("rent" → 房租). The bridge lets an English question use what the model learned from the Chinese
questions, which outnumber the English ones ten to one.
"""
from __future__ import annotations

from functools import lru_cache

import Stemmer

_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    """The Snowball stem of a lower-case English word ("interpreting" → "interpret")."""
    return _stemmer.stemWord(word)


def stem_synonyms(table: dict[str, list[str]]) -> dict[str, str]:
    """``{canonical: [variants]}`` → ``{stem of variant: stem of canonical}``."""
    out = {}
    for canonical, variants in table.items():
        for variant in [canonical, *variants]:
            out[stem(variant.lower())] = stem(canonical.lower())
    return out


def bridge_table(table: dict[str, list[str]], synonyms: dict[str, str],
                 chinese_synonyms: dict[str, str]) -> dict[str, str]:
    """``{Chinese term: [English words]}`` → ``{English term: canonical Chinese term}``."""
    out = {}
    for chinese, words in table.items():
        for word in words:
            key = stem(word.lower())
            out[synonyms.get(key, key)] = chinese_synonyms.get(chinese, chinese)
    return out
