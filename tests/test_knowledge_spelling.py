"""English typos: a misspelt policy word is understood, and a real word or pinyin is never "corrected"."""
from collections import Counter

import pytest

from knowledge import match_question
from knowledge.base import all_entries
from knowledge.segment import pinyin_table
from knowledge.spelling import EnglishSpeller, make_speller, syllable_splits


@pytest.fixture(scope="module")
def speller():
    return make_speller(all_entries())


@pytest.mark.parametrize("typed, meant", [
    ("brnad award", "brand award"),                           # two letters swapped
    ("servce vouchre", "service voucher"),                    # a letter left out, two swapped
    ("meetngs betwen agencys", "meetings between agencys"),   # 'agencys' is a word's stem: left alone
    ("subsidy for the opertaing compnay", "subsidy for the operating company"),
    ("revnue award", "revenue award"),
])
def test_misspelt_policy_words_are_read_as_the_policy_words(speller, typed, meant):
    assert speller.respell(typed) == meant


@pytest.mark.parametrize("text", [
    "fangzu butie",            # pinyin is read by the pinyin bridge, not respelt into English
    "shenzen company",         # pinyin with a slip (shenzhen)
    "brandy and wine shop",    # an English word near a policy word (brand) is not a typo of it
    "the park's 2024 rent",    # figures and short words
    "our payroll clients",
    "房租补贴",                # Chinese: nothing to do
])
def test_real_words_pinyin_and_chinese_are_left_as_typed(speller, text):
    assert speller.respell(text) == text


def test_a_word_two_edits_away_is_repaired_only_when_it_is_long():
    speller = EnglishSpeller(Counter({"operating": 3, "rent": 5}), frozenset(), frozenset())
    assert speller.respell("opeartng") == "operating"     # 8 letters, two edits
    assert speller.respell("rnte") == "rnte"              # 4 letters, two edits: could be anything


def test_among_equally_near_words_the_one_the_policy_uses_most_wins():
    speller = EnglishSpeller(Counter({"award": 9, "aware": 1}), frozenset(), frozenset())
    assert speller.respell("awarx") == "award"


def test_pinyin_runs_are_recognised():
    syllables = frozenset(pinyin_table().values())
    assert syllable_splits("fangzubutie", syllables)
    assert not syllable_splits("brnad", syllables)


@pytest.mark.parametrize("question, article", [
    ("how much is the brnad award", 10),
    ("can we use the servce vouchre for training", 9),
    ("is there a rnet subsidy for our offce", 5),
    ("does the polcy expire next yaer", 19),
    ("listng award on the stock exchnage", 12),
])
def test_english_questions_with_typos_are_answered_with_their_article(question, article):
    result = match_question(question)
    assert result.confident, (question, result.reason)
    assert article in result.matches[0].entry.clauses


@pytest.mark.parametrize("question", [
    "what is the socail insurance rate in tianjin",
    "how is the persnal income tax on a year-end bonsu calculated",
    "housing subsidy for talnets in xiqing",
])
def test_questions_the_policy_does_not_cover_stay_refused_when_misspelt(question):
    assert not match_question(question).confident
