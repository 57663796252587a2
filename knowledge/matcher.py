"""The question matcher: normalise → segment → rank → decide confidence.

Ranking blends four signals per entry:
- BM25 over content words (jieba with the policy dictionary and synonyms) of the entry's title,
  keywords, example questions, text and answers, with field weights (BM25F-style);
- BM25 over character bigrams, which survives segmentation that differs between query and entry;
- rapidfuzz similarity of the whole question to the entry's example questions;
- "anchors": the entry's keywords and title words that few entries share, found in the question
  (and a strong bonus when the question names the article: 第十一条).

These signals, and the verdict of the hand-written rules below (a question must name an anchor of
the best entry or be very close to one of its examples; out-of-scope subjects and other places'
policies veto an answer), are inputs of the learned model (``knowledge/model.py``), which decides:
``match_question`` answers with its probabilities, confident at the threshold chosen by
cross-validation, and asks which entry is meant when two are close (``clarify``). The rules alone
still answer when a caller passes its own index without a model.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
import re
import threading
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache, partial, reduce
from itertools import repeat
from operator import add, is_not
from pathlib import Path

from knowledge.base import Entry, all_entries
from knowledge.clients import with_clients_named_plainly
from knowledge.normalize import (article_asked_about, article_term, articles_beyond_policy, articles_in_cleaned, clean,
                                 grouped_alternation, may_name_an_article, other_documents_cited,
                                 normalize_cleaned, normalize_query)
from knowledge.sequence import PARK_FIRST, PRIZE_FIRST
from knowledge.spelling import make_speller

# numpy is often first loaded by this module (the index's cache file holds arrays), before
# knowledge.model can ask for one BLAS thread: ask here too (at these sizes threads only fight
# over the cores).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

# Field weights: how much a word counts in each part of an entry.
FIELD_WEIGHTS = {
    "title": 3.0, "keywords": 3.0, "questions": 1.0, "text": 0.7, "answer": 0.5,
    "title_en": 3.0, "questions_en": 1.0, "answer_en": 0.5,
}
K1, B = 1.2, 0.75
# How the four signals add up to a score in 0..1.
WORD_WEIGHT, BIGRAM_WEIGHT, FUZZ_WEIGHT, ANCHOR_WEIGHT = 0.4, 0.15, 0.25, 0.2
ANCHOR_SATURATION = 4.0  # anchor idf sum that counts as "fully about this entry"
# Topic entries cut across articles; an article that fits equally well is the better answer.
TOPIC_FACTOR = 0.9
TOPIC_FACTOR_WHEN_ARTICLE_NAMED = 0.75
CONFIDENT_SCORE = 0.10
MIN_ANCHOR = 1.0  # an anchor word shared by about a third of the entries or fewer
NEAR_QUESTION = 80.0  # rapidfuzz ratio to an example question that counts as "the same question"
NEAR_SHORT_QUESTION = 92.0
GENERIC_SHARE = 0.2   # a word in the titles/keywords of more than this share of entries is no anchor
MAX_MATCHES = 3


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float


@dataclass(frozen=True)
class MatchResult:
    query: str
    confident: bool
    matches: tuple[Match, ...] = ()
    reason: str = ""  # why not confident: "empty", "out_of_scope", "clarify", "low_score", "not_in_policy", "status", ...
    # When two entries are close: the ones to ask the user to choose between (best first).
    clarify: tuple[Match, ...] = ()
    probability_out_of_scope: float = 0.0
    # The second entry of an answer that names two (the first is the top match): a question asking
    # whether two awards can be had together (with article 17's rule on combining awards), or an
    # award for an institution moved into the park (with article 18's rule on counting it).
    also: tuple[Match, ...] = ()

    @property
    def top(self) -> Match | None:
        return self.matches[0] if self.matches else None

    def to_json(self) -> dict:
        return {
            "query": self.query,
            "confident": self.confident,
            "matches": [
                {"id": m.entry.id, "clauses": list(m.entry.clauses), "title": m.entry.title,
                 "score": round(m.score, 3)}
                for m in self.matches
            ],
        }


@dataclass
class Index:
    entries: list[Entry]
    segmenter: object
    word_tf: list[Counter] = field(default_factory=list)
    word_len: list[float] = field(default_factory=list)
    word_idf: dict[str, float] = field(default_factory=dict)
    bigram_tf: list[Counter] = field(default_factory=list)
    bigram_len: list[float] = field(default_factory=list)
    bigram_idf: dict[str, float] = field(default_factory=dict)
    # Term → row, and the rows of idf × saturated term weight per entry (see _bm25_table).
    word_table: tuple | None = None
    bigram_table: tuple | None = None
    anchors: list[set[str]] = field(default_factory=list)
    anchor_idf: dict[str, float] = field(default_factory=dict)
    phrase_idf: dict[str, float] = field(default_factory=dict)
    # (phrase, compiled word-boundary pattern for English or None, idf, entry) for ranking
    weighted_phrases: list[tuple] = field(default_factory=list)
    keyword_phrases: list[tuple[str, ...]] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    question_owner: list[int] = field(default_factory=list)
    max_word_idf: float = 1.0
    max_bigram_idf: float = 1.0
    # Example questions by character, to skip those too unlike a question for rapidfuzz to score.
    fuzz_postings: tuple | None = None
    # The English words' Chinese words (pinyin spellings, CC-CEDICT glosses: make_segmenter), kept
    # with the index so that a cold start does not cut every entry again to find them.
    english_words: tuple | None = None
    # The words for a business of another trade (trades.trade_words), kept likewise.
    trade_words: tuple | None = None


def _idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _compact(text: str) -> str:
    return normalize_query(text).replace(" ", "")


def make_segmenter(entries: list[Entry], english_words: tuple[dict, dict] | None = None,
                   trade_words: tuple[list, list] | None = None):
    from knowledge.business import _OWN_TRADE
    from knowledge.english import cedict_bridge
    from knowledge.segment import Segmenter, cache_dir
    from knowledge.trades import trade_words as dictionary_trade_words

    # Entry keywords are not added to jieba's dictionary: "营收总额" is better split into
    # 营收 + 总额, so that "营业收入合计" shares words with it.
    segmenter = Segmenter()
    try:  # (the on-disk cache of the dictionaries' derived words; none when the folder cannot be made)
        folder = cache_dir()
    except OSError:
        folder = None
    # Typos are repaired only towards curated policy terms: entry keywords include everyday
    # phrases (哪些单位) that would "repair" ordinary words (哪个单位) into something else.
    vocabulary = segmenter.policy_terms() | {e.title for e in entries}
    segmenter.set_vocabulary(vocabulary)
    if english_words is None:
        # Pinyin may spell any word of the entries (人才, 国家级, 比例); the curated ones come first.
        entry_words = Counter(word for e in entries for text in (e.title, *e.keywords, e.text, e.answer, *e.questions)
                              for word in segmenter.cut(text))
        # English words the hand bridge lacks reach the entries' Chinese words through CC-CEDICT.
        lex = segmenter.lexicon
        english_words = (segmenter.pinyin_words(vocabulary, entry_words), cedict_bridge(
            {**dict.fromkeys(vocabulary, 0), **entry_words}, lex.english_synonyms, lex.synonyms,
            lex.stopwords, lex.english_to_chinese, folder))
    pinyin_words, dictionary_words = english_words
    segmenter.use_pinyin_words(pinyin_words)
    segmenter.set_dictionary_words(dictionary_words)
    if trade_words is None:
        # A word the entries use is the policy's, not another trade's (厂房 of article 5's rent).
        domain = "\n".join(sorted(vocabulary)) + "\n" + "\n".join(
            normalize_query(text) for e in entries for text in (e.title, *e.keywords, e.text, e.answer, *e.questions))
        trade_words = dictionary_trade_words(domain, _OWN_TRADE, folder)
    segmenter.set_trade_words(trade_words)
    segmenter.speller = make_speller(entries, folder)
    return segmenter


def build_index(entries: list[Entry] | None = None, extra_questions: dict[str, list[str]] | None = None,
                segmenter=None) -> Index:
    """Segment every entry once. ``extra_questions`` adds taught examples by entry id."""
    entries = list(entries if entries is not None else all_entries())
    extra_questions = extra_questions or {}
    segmenter = segmenter or make_segmenter(entries)
    index = Index(entries=entries, segmenter=segmenter,
                  english_words=(segmenter._pinyin_words, segmenter._dictionary_words),
                  trade_words=segmenter.trade_table)
    words = segmenter.words
    word_df: Counter = Counter()
    bigram_df: Counter = Counter()
    anchor_df: Counter = Counter()
    entry_anchor_words = []
    for entry in entries:
        questions = list(entry.questions) + list(extra_questions.get(entry.id, []))
        fields = {
            "title": [entry.title], "keywords": list(entry.keywords), "questions": questions,
            "text": [entry.text], "answer": [entry.answer], "title_en": [entry.title_en],
            "questions_en": list(entry.questions_en), "answer_en": [entry.answer_en],
        }
        tf: Counter = Counter()
        bigrams: Counter = Counter()
        for name, texts in fields.items():
            weight = FIELD_WEIGHTS[name]
            for text in texts:
                normalized = normalize_query(text)
                for token in words(normalized):
                    tf[token] += weight
                if not name.endswith("_en"):
                    for gram in segmenter.bigrams(normalized):
                        bigrams[gram] += weight
        index.word_tf.append(tf)
        index.word_len.append(sum(tf.values()))
        index.bigram_tf.append(bigrams)
        index.bigram_len.append(sum(bigrams.values()))
        word_df.update(tf.keys())
        bigram_df.update(bigrams.keys())
        anchor_words = set()
        for text in [entry.title, entry.title_en, *entry.keywords]:
            anchor_words.update(words(normalize_query(text)))
        entry_anchor_words.append(anchor_words)
        anchor_df.update(anchor_words)
        index.keyword_phrases.append(tuple(clean(k) for k in entry.keywords if len(k) >= 2))
        for question in questions + list(entry.questions_en):
            index.questions.append(_compact(question))
            index.question_owner.append(len(index.word_tf) - 1)
    n = len(entries)
    index.word_idf = {t: _idf(df, n) for t, df in word_df.items()}
    index.bigram_idf = {t: _idf(df, n) for t, df in bigram_df.items()}
    index.max_word_idf = _idf(0, n)
    index.max_bigram_idf = _idf(0, n)
    index.word_table = _bm25_table(_postings(index.word_tf, index.word_len), index.word_idf, n)
    index.bigram_table = _bm25_table(_postings(index.bigram_tf, index.bigram_len), index.bigram_idf, n)
    generic = {t for t, df in anchor_df.items() if df > max(2, GENERIC_SHARE * n)}
    # Amounts say nothing of the subject; single characters (月, 算, 做) and two-letter words
    # are too ambiguous to show one.
    generic |= {t for t in anchor_df if t.startswith("#") or t.isdigit()} | segmenter.lexicon.generic
    generic |= {t for t in anchor_df if len(t) < (3 if t.isascii() else 2)}
    index.anchors = [aw - generic for aw in entry_anchor_words]
    index.anchor_idf = {t: math.log(n / df) for t, df in anchor_df.items() if t not in generic}
    phrase_df = Counter(p for phrases in index.keyword_phrases for p in set(phrases))
    index.phrase_idf = {p: math.log(n / df) for p, df in phrase_df.items()
                        if p not in segmenter.lexicon.generic and df <= max(2, GENERIC_SHARE * n)}
    index.weighted_phrases = [
        (p, re.compile(rf"\b{re.escape(p)}\b") if p.isascii() else None, index.phrase_idf[p], i)
        for i, phrases in enumerate(index.keyword_phrases) for p in phrases
        if p in index.phrase_idf and len(p) >= 3]
    index.fuzz_postings = _char_postings(index.questions)
    return index


def _postings(tfs: list[Counter], lengths: list[float]) -> dict[str, list[tuple[int, float]]]:
    """Term → [(entry, saturated BM25 term weight)] (the entries that hold it)."""
    avg = (sum(lengths) / len(lengths)) if lengths else 1.0
    postings: dict[str, list[tuple[int, float]]] = {}
    for i, tf in enumerate(tfs):
        norm = K1 * (1 - B + B * lengths[i] / avg)
        for term, f in tf.items():
            postings.setdefault(term, []).append((i, f * (K1 + 1) / (f + norm)))
    return postings


def _bm25_table(postings: dict[str, list[tuple[int, float]]], idf: dict[str, float], n: int) -> tuple:
    """Term → row, and a matrix whose row holds, per entry, the term's idf × saturated term weight
    (0.0 where the entry lacks the term): a question's scores are then one sum of its rows in C,
    rather than a Python step per posting (a long message has hundreds)."""
    import numpy as np

    row_of = {term: row for row, term in enumerate(postings)}
    products = np.zeros((len(postings), n))
    for term, row in row_of.items():
        weight = idf[term]
        for i, contribution in postings[term]:
            products[row, i] = weight * contribution
    return row_of, products


def _bm25(query_terms, table, idf, unknown_idf, n) -> list[float]:
    """BM25 per entry, normalised to 0..1 by the ideal score (every term present).

    The same figures to the last bit as adding each term's products entry by entry: the rows are
    summed one after another in the question's order (numpy adds along the first axis row by row),
    and an entry without the term adds 0.0, which changes no sum."""
    # A word no entry knows counts with the highest idf: the question is partly about something else.
    # (reduce, not sum(): Python 3.12's sum() of floats rounds differently.)
    ideal = reduce(add, map(idf.get, query_terms, repeat(unknown_idf)), 0.0) * (K1 + 1)
    row_of, products = table
    rows = list(filter(partial(is_not, None), map(row_of.get, query_terms)))
    if not ideal or not rows:
        return [0.0] * n
    return (products.take(rows, axis=0).sum(axis=0) / ideal).tolist()  # (take: cheaper than [rows])


FUZZ_CUTOFF = 40  # rapidfuzz ratio below which an example question counts as not similar at all
FEW_QUESTIONS = 500  # example questions rapidfuzz scores faster than they are filtered by characters


def _char_postings(questions: list[str]) -> tuple[dict, object, object]:
    """For each character c and k >= 1, the example questions holding c at least k times (as
    slices of one array), and the weights that make one ``bincount`` give, per question,
    5 × shared characters − its length. Built with the index and kept in its cache file."""
    import numpy as np

    lists: dict[tuple[str, int], list[int]] = {}
    for q, question in enumerate(questions):
        for char, count in Counter(question).items():
            for k in range(count):
                lists.setdefault((char, k), []).append(q)
    spans: dict[str, list[tuple[int, int]]] = {}
    flat: list[int] = list(range(len(questions)))  # row q first: its own −length
    for (char, k), ids in sorted(lists.items()):
        spans.setdefault(char, []).append((len(flat), len(flat) + len(ids)))
        flat.extend(ids)
    lengths = np.asarray([len(q) for q in questions], dtype=np.float64)
    weights = np.concatenate([-lengths, np.full(len(flat) - len(questions), 200 / FUZZ_CUTOFF)])
    by_length = np.argsort(lengths, kind="stable")
    return spans, np.asarray(flat, dtype=np.intp), weights, by_length, lengths[by_length]


def _may_reach_cutoff(index: Index, compact: str) -> tuple[list[str], list[int]]:
    """Example questions, among them all whose rapidfuzz ratio to ``compact`` can reach
    FUZZ_CUTOFF, and the entries they belong to.

    ratio = 200 * LCS / (len(a) + len(b)) and the longest common subsequence is at most the
    characters the two share (with multiplicity), so a question sharing fewer than
    FUZZ_CUTOFF / 200 * (len(a) + len(b)) characters scores 0 anyway: rapidfuzz need not see it.
    """
    import numpy as np

    if index.fuzz_postings is None:  # an index from an older cache file
        index.fuzz_postings = _char_postings(index.questions)
    spans, flat, weights, by_length, sorted_lengths = index.fuzz_postings
    n = len(index.questions)
    # At most len(question) characters are shared, so 4 × len(question) >= len(compact) is needed
    # too: a long message leaves few example questions, cheaper to hand to rapidfuzz at once. They
    # are the longest ones: a slice of the questions in order of length (lists made once per index;
    # in what order rapidfuzz sees them changes no entry's best ratio).
    longest_first = getattr(index, "_longest_first", None)
    if longest_first is None:
        order = by_length.tolist()
        longest_first = index._longest_first = ([index.questions[q] for q in order],
                                                 [index.question_owner[q] for q in order], sorted_lengths.tolist())
    # (bisect_left on the lengths as a list: numpy's searchsorted, same answer, cost more in its call)
    start = bisect_left(longest_first[2], (len(compact) + 3) // 4)
    if n - start <= FEW_QUESTIONS:
        return longest_first[0][start:], longest_first[1][start:]
    # The posting slices as arrays made once per index: slicing them anew cost a third of the time.
    arrays = getattr(index, "_char_arrays", None)
    if arrays is None:
        arrays = index._char_arrays = (flat[:n], {char: [flat[start:end] for start, end in found]
                                                  for char, found in spans.items()})
    hits = [arrays[0]]
    get = arrays[1].get
    for char, count in Counter(compact).items():
        found = get(char)
        if found:
            hits += found[:count]
    if len(hits) == 1:
        return [], []
    rows = np.concatenate(hits)
    # 5 × shared − len(question) >= len(compact), in whole numbers held exactly by the floats;
    # the weights line up with rows because every posting list carries the same weight.
    margin = np.bincount(rows, weights=weights[:len(rows)], minlength=n)
    near = np.flatnonzero(margin >= len(compact)).tolist()
    return [index.questions[q] for q in near], [index.question_owner[q] for q in near]


def tokens(segmenter, query: str) -> tuple[str, list[str], list[str], set[int]]:
    """The normalised, typo-repaired question, its content words, its character bigrams and the
    article numbers it names (第十一条), from one cleaning of the text."""
    cleaned = clean(query)
    # (the clients an agency names, "RPO provider for pharmaceutical manufacturers", read as one
    # neutral word: knowledge/clients.py)
    normalized = segmenter.repair(normalize_cleaned(with_clients_named_plainly(cleaned)))
    speller = getattr(segmenter, "speller", None)  # ("brnad award" → "brand award": knowledge/spelling.py)
    if speller is not None:
        normalized = speller.respell(normalized)
    terms = list(dict.fromkeys(segmenter.words(normalized)))
    grams = list(dict.fromkeys(segmenter.bigrams(normalized)))
    named = articles_in_cleaned(cleaned)
    if named:
        # "Article 14", "第14条" and "第十四条" are one word: what the model learned of the
        # most common way of naming an article holds for the others (English ones most).
        terms += [term for term in map(article_term, named) if term not in terms]
    return normalized, terms, grams, set(named)


def rank(index: Index, query: str, analysed=None, exclude: str | None = None) -> tuple[list[tuple[float, int]], dict]:
    """Scores for every entry, best first, and the evidence used to decide confidence.

    ``analysed`` is ``tokens(...)`` when already computed; ``exclude`` is a compact question the
    example-question similarity must skip (a training question is not evidence for itself).
    """
    from rapidfuzz import fuzz, process

    normalized, terms, grams, named = analysed or tokens(index.segmenter, query)
    evidence = {"normalized": normalized, "terms": terms}
    n = len(index.entries)
    if not terms and not grams:
        return [], evidence
    word = _bm25(terms, index.word_table, index.word_idf, index.max_word_idf, n)
    gram = _bm25(grams, index.bigram_table, index.bigram_idf, index.max_bigram_idf, n)
    fuzz_best = [0.0] * n
    compact = normalized.replace(" ", "")
    if compact and index.questions:
        # One C call for the example questions that can reach the cut-off, then the best per
        # entry. The ratios stay float32 as cdist gives them (the model was fitted on those):
        # its documented type for a similarity when none is asked for (asking for it costs a
        # Python-level conversion of the type per call).
        questions, owners = _may_reach_cutoff(index, compact)
        if questions:
            ratios = process.cdist([compact], questions, scorer=fuzz.ratio, score_cutoff=FUZZ_CUTOFF)[0]
            similar = ratios.nonzero()[0].tolist()  # most score 0 (below the cut-off)
            for k, ratio in zip(similar, ratios[similar].tolist()):
                if ratio > fuzz_best[owners[k]] and (exclude is None or questions[k] != exclude):
                    fuzz_best[owners[k]] = ratio
    # Each anchor word of the question adds its idf to the entries it anchors: the sum over the
    # words an entry's anchors share with the question, added in the question's order (a sum over
    # a set intersection added them in an order that varied with Python's string hashing).
    anchor_scores = [0] * n
    anchor_entries = _anchor_entries(index)
    anchor_idf = index.anchor_idf
    for t in filter(anchor_entries.__contains__, terms):
        weight = anchor_idf[t]
        for i in anchor_entries[t]:
            anchor_scores[i] += weight
    # A whole keyword phrase in the question (社保补贴, 先缴后补) is stronger evidence than its
    # words one by one, which may each be too common to count.
    has_latin = _LATIN.search(normalized) is not None
    by_head = getattr(index, "_phrases_by_head", None)
    if by_head is None:  # the Chinese phrases by their first two characters, built once
        by_head = {}
        for phrase, pattern, weight, i in index.weighted_phrases:
            if pattern is None:
                by_head.setdefault(phrase[:2], []).append((phrase, weight, i))
        # The English phrases, in the same order (the anchor sums add up in that order).
        index._latin_phrases = [p for p in index.weighted_phrases if p[1] is not None]
        index._phrase_heads = frozenset(by_head)
        # An English phrase matches as whole words, so its first word is a whole word of the
        # question: the phrases by first word (with their place in the list), and those that do
        # not begin with a word character (always tried).
        by_word: dict[str, list] = {}
        always = []
        for place, item in enumerate(index._latin_phrases):
            first = _WORD_RUN.match(item[0])
            (by_word.setdefault(first.group(), []) if first else always).append((place, item))
        index._latin_by_word = (by_word, always)
        # A head of two Chinese characters is in the question exactly when it is one of its
        # character bigrams (``grams``, made already); the few others ("1比", "50") are looked for.
        from knowledge.segment import _CJK_RUN

        index._other_heads = [h for h in by_head if _CJK_RUN.fullmatch(h) is None]
        index._phrases_by_head = by_head  # last: another thread may answer as soon as it is set
    # Only the heads the question holds (one set operation in C rather than a step per
    # character); each phrase counts once, added in the order a scan from the left meets them
    # (where it first occurs, then its place in its head's list), so the sums are the same.
    heads = index._phrase_heads.intersection(grams)
    others = [h for h in index._other_heads if h in normalized]
    if others:
        heads = heads.union(others)
    if heads:
        hits = []
        for head in heads:
            for rank_in_head, (phrase, weight, i) in enumerate(by_head[head]):
                start = normalized.find(phrase)
                if start >= 0:
                    hits.append((start, rank_in_head, phrase, weight, i))
        found = set()
        for _start, _rank, phrase, weight, i in sorted(hits, key=lambda hit: hit[:2]):
            if (phrase, i) not in found:
                found.add((phrase, i))
                anchor_scores[i] += weight
    if has_latin:
        by_word, always = index._latin_by_word
        candidates = always + [item for word in set(_WORD_RUN.findall(normalized)) if word in by_word
                               for item in by_word[word]]
        for _place, (phrase, pattern, weight, i) in sorted(candidates, key=lambda item: item[0]):
            # The substring test is cheap and needed for a whole-word match: most phrases fail it.
            if phrase in normalized and pattern.search(normalized):
                anchor_scores[i] += weight
    # "第十一条怎么理解": a question that names an article is about that article.
    evidence["named"] = named
    if named:
        for i, entry in enumerate(index.entries):
            if entry.kind == "article" and entry.clauses[0] in named:
                anchor_scores[i] += ANCHOR_SATURATION
    # The blend, entry by entry in plain floats (numpy's overhead dominates at a few dozen
    # entries): the same operations in the same order as before, so the same figures to the last bit.
    # (Constants as locals, min(1.0, x) as a comparison: the same figures, a third of the time.)
    ww, bw, fw, aw, saturation = WORD_WEIGHT, BIGRAM_WEIGHT, FUZZ_WEIGHT, ANCHOR_WEIGHT, ANCHOR_SATURATION
    score = [ww * w + bw * g + fw * f / 100 + aw * (x if (x := a / saturation) < 1.0 else 1.0)
             for w, g, f, a in zip(word, gram, fuzz_best, anchor_scores)]
    # A question that names a specific article is answered by that article, not by a topic
    # that merely touches it ("营收奖励和上市配套可以同时拿吗" → 第十一条 rather than 叠加).
    kinds = _entry_kinds(index)
    article_named = any(map(MIN_ANCHOR.__le__, map(anchor_scores.__getitem__, kinds["article"])))
    factor = TOPIC_FACTOR_WHEN_ARTICLE_NAMED if article_named else TOPIC_FACTOR
    for i in kinds["topic"]:
        score[i] *= factor
    # Best first; equal scores by entry order (a reversed sort keeps equal items in their order).
    order = sorted(range(n), key=score.__getitem__, reverse=True)
    scored = list(zip(map(score.__getitem__, order), order))  # [(score[i], i) for i in order], in C
    evidence["score"] = score
    evidence["fuzz"] = fuzz_best
    evidence["anchor"] = anchor_scores
    evidence["word"] = word
    evidence["gram"] = gram
    return scored, evidence


_LATIN = re.compile("[a-z]")
_WORD_RUN = re.compile(r"\w+")


def _entry_kinds(index: Index) -> dict:
    """The indexes of article and of topic entries, built once per index."""
    kinds = getattr(index, "_entry_kind_lists", None)
    if kinds is None:
        kinds = index._entry_kind_lists = {
            kind: [i for i, e in enumerate(index.entries) if e.kind == kind] for kind in ("article", "topic")}
    return kinds


def _anchor_entries(index: Index) -> dict[str, list[int]]:
    """Anchor word → the entries it anchors, built once per index."""
    found = getattr(index, "_anchor_entries", None)
    if found is None:
        found = {}
        for i, anchors in enumerate(index.anchors):
            for t in anchors:
                found.setdefault(t, []).append(i)
        index._anchor_entries = found
    return found


def _decide(index: Index, query: str, scored, evidence, off_topic: bool | None = None,
            other_place: bool | None = None) -> tuple[bool, str]:
    """``off_topic`` and ``other_place``: the two vetoes when the caller already checked them."""
    if not scored:
        return False, "empty"
    score, best = scored[0]
    normalized = evidence["normalized"]
    lexicon = index.segmenter.lexicon
    if off_topic is None:
        off_topic = _mentions_any(normalized, lexicon.out_of_scope)
    # The plain substring test first: it is needed for a keyword hit, and most keywords fail it.
    keyword_hits = [phrase for phrase in filter(normalized.__contains__, index.keyword_phrases[best])
                    if _contains_phrase(normalized, phrase) and phrase not in lexicon.generic]
    if off_topic:
        return False, "out_of_scope"
    if other_place if other_place is not None else _asks_about_other_place(normalized, lexicon.other_places):
        return False, "out_of_scope"
    anchored = evidence["anchor"][best] >= MIN_ANCHOR or bool(keyword_hits)
    # "物业电话多少", "网速太慢找谁": words that only say what kind of question it is (phone,
    # whom to ask, materials) make an answer only when the question is about this policy at all.
    matched = (set(evidence["terms"]) & index.anchors[best]) | set(keyword_hits)
    if anchored and matched and matched <= lexicon.question_words and not _names_policy_subject(index, evidence):
        return False, "no_subject"
    # Short questions resemble many examples by chance ("我们能拿什么" ~ "我们能同时拿吗").
    near_bar = NEAR_QUESTION if len(normalized.replace(" ", "")) >= 8 else NEAR_SHORT_QUESTION
    near = evidence["fuzz"][best] >= near_bar
    if not (anchored or near):
        return False, "no_anchor"
    if score < CONFIDENT_SCORE and not near:
        return False, "low_score"
    return True, ""


def _names_policy_subject(index: Index, evidence) -> bool:
    """The question names something of this policy: a subject anchor of any entry, or 政策/补贴 …"""
    lexicon = index.segmenter.lexicon
    terms = set(evidence["terms"])
    if terms & lexicon.policy_words:
        return True
    return any(evidence["anchor"][i] >= MIN_ANCHOR and not ((terms & anchors) <= lexicon.question_words)
               for i, anchors in enumerate(index.anchors))


def _contains_phrase(normalized: str, phrase: str) -> bool:
    """A keyword in the question: Chinese as a substring, English as whole words."""
    if phrase.isascii():
        return (len(phrase) >= 3 and phrase in normalized
                and _whole_word(phrase).search(normalized) is not None)
    return len(phrase) >= 2 and phrase in normalized


@lru_cache(maxsize=4096)
def _whole_word(phrase: str) -> re.Pattern:
    return re.compile(rf"\b{re.escape(phrase)}\b")


# Where a place is named as where a firm comes from or goes to, the question is still about this policy.
_ORIGIN_BEFORE = ("从", "由", "自", "在", "去", "到", "from", " in ")
_ORIGIN_AFTER = ("搬", "迁", "过来", "来", "落地", "转", "-based", " based")
# Words that, after a place name, show the question is about that place's own rules.
_ABOUT_A_PLACES_RULES = ("政策", "产业园", "园区", "补贴", "奖励", "人才", "标准", "规定", "有什么", "有没有", "怎么",
                         "落户", "policy", "policies", "subsid", "park", "award", "reward", "bonus", "give", "offer",
                         "voucher", "coupon")
# A scheme "in" or "of" a place is that place's ("the HR service vouchers in Ningbo", "the HR park
# in Beijing"), where "in" alone reads as where the asker is ("our office is in Nankai").
_PLACES_SCHEME_BEFORE = re.compile(
    r"\b(?:park|polic(?:y|ies)|rules|incentives?|subsid(?:y|ies)|vouchers?|coupons?|rewards?|awards?|"
    r"bonus(?:es)?|schemes?)\s+(?:in|of)\s+(?:the\s+)?$")
# How far after the place those words may come: English says "Nankai District give rent subsidies".
_AFTER_PLACE = {"zh": 12, "en": 40}
_STOCK_MARKET = ("交易所", "exchange", "listing", "main board", "star market", "stock market", "chinext")


@lru_cache(maxsize=64)
def _any_of(words: tuple[str, ...]) -> re.Pattern:
    """One pattern for all the words: the regex engine looks for them together, in C, grouped by
    first character (the six lists' searches of a long question took 28 % less time)."""
    return re.compile(grouped_alternation(words))


# The patterns of each of the lexicon's word lists, found by the list's identity: hashing a tuple
# of a hundred words for the lru_cache, on each of the half dozen tests a question gets, cost more
# than searching a short question. (The list is kept with its patterns, so its id is not reused.)
_patterns_of_list: dict[int, tuple] = {}


def _mentions_any(normalized: str, words) -> bool:
    """Any of the words in the question (as ``any(w in normalized for w in words)``)."""
    if not words:
        return False
    if type(words) is not tuple:  # a list may change between calls: looked up by its words
        return _any_of(tuple(words)).search(normalized) is not None
    known = _patterns_of_list.get(id(words))
    if known is None or known[0] is not words:
        if len(_patterns_of_list) >= 64:
            _patterns_of_list.clear()
        # Two patterns: the words that begin with an ASCII character, and the others. The regex
        # engine tries the words of a pattern one by one at every position that holds the first
        # character of one of them: at each letter of an English question the Chinese words were
        # most of the tries, and each pattern passes over the other script's characters at once.
        # (One pattern each, as before: a trie of the words searched a little faster, but compiling
        # it cost a cold start 15 ms.)
        latin = tuple(w for w in words if w[:1].isascii())
        other = tuple(w for w in words if not w[:1].isascii())
        known = _patterns_of_list[id(words)] = (words, _any_of(latin) if latin else None,
                                                _any_of(other) if other else None)
    _words, latin, other = known
    return ((latin is not None and latin.search(normalized) is not None)
            or (other is not None and not normalized.isascii() and other.search(normalized) is not None))


def names_other_industry(text: str) -> bool:
    """Does the question name a business that is not an HR service institution ("制造业", "logistics"),
    and not as the trade an HR firm serves ("给制造业企业做劳务派遣的"), or does the asker describe
    their business as one ("我们是做光伏组件的")?"""
    from knowledge.model import OTHER_TRADE_FLAGS, trade_flags

    normalized = normalize_cleaned(with_clients_named_plainly(clean(text)))  # (as tokens() reads it)
    return not OTHER_TRADE_FLAGS.isdisjoint(trade_flags(get_index().segmenter, normalized))


def _asks_about_other_place(normalized: str, places) -> bool:
    """True when the question asks about another district's or city's rules (not as origin or destination)."""
    if not _mentions_any(normalized, places):  # most questions name no other place
        return False
    for place in places:
        # (by the place's own script: amounts in an English question are normalised to "#万", which
        # made the question read as Chinese and the words after the place looked for in 12 characters)
        reach = _AFTER_PLACE["en" if place.isascii() else "zh"]
        start = normalized.find(place)
        while start != -1:
            if _PLACES_SCHEME_BEFORE.search(normalized, max(0, start - 30), start):
                return True
            before = normalized[max(0, start - 5):start]
            after = normalized[start + len(place):start + len(place) + reach]
            origin = any(b in before for b in _ORIGIN_BEFORE) or any(after.startswith(a) for a in _ORIGIN_AFTER)
            # 深圳证券交易所, "our Shenzhen listing": a stock market, not the place's rules
            exchange = any(w in after for w in _STOCK_MARKET)
            if not origin and not exchange and any(w in after for w in _ABOUT_A_PLACES_RULES):
                return True
            start = normalized.find(place, start + 1)
    return False


_index: Index | None = None
_index_lock = threading.Lock()
_taught: dict[str, list[str]] = {}


def _index_cache_key() -> str:
    """A digest of everything the index is built from: files, code and taught examples."""
    from knowledge import base, clients, english, normalize, segment, spelling, trades

    digest = hashlib.sha256()
    sources = sorted(base.ENTRIES_DIR.glob("*.toml")) + [
        segment.LEXICON, segment.USER_DICT, Path(__file__), Path(normalize.__file__), Path(segment.__file__),
        Path(base.__file__), Path(english.__file__), Path(trades.__file__), Path(clients.__file__),
        Path(spelling.__file__)]
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(json.dumps(_taught, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()[:20]


def _load_or_build_index() -> Index:
    """The index from the disk cache when nothing changed since it was built, else built anew.

    Segmenting every entry takes about half a second; a cold ``policybot ask`` should not pay it.
    """
    from knowledge.segment import cache_dir

    try:
        path = cache_dir() / f"index-{_index_cache_key()}.pickle"
    except OSError:
        return build_index(extra_questions=_taught)
    if path.exists():
        try:
            index = pickle.loads(path.read_bytes())
            index.segmenter = make_segmenter(index.entries, index.english_words, index.trade_words)
            return index
        except Exception:  # a stale or damaged cache is rebuilt, never fatal
            pass
    index = build_index(extra_questions=_taught)
    segmenter, index.segmenter = index.segmenter, None
    try:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
        _prune_index_cache(path.parent)
    except OSError:
        pass
    index.segmenter = segmenter
    return index


KEEP_CACHED_INDEXES = 4


def _prune_index_cache(folder: Path) -> None:
    """Keep only the newest few index files: each taught question or edit makes a new one."""
    files = sorted(folder.glob("index-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP_CACHED_INDEXES:]:
        try:
            old.unlink()
        except OSError:
            pass


def get_index() -> Index:
    global _index
    if _index is None:
        with _index_lock:
            if _index is None:
                _index = _load_or_build_index()
    return _index


def reset_index() -> None:
    """Rebuild on next use (after the knowledge files or taught questions change)."""
    global _index, _model_stale
    with _index_lock:
        _index = None
        _model_stale = True


def teach(entry_id: str, question: str) -> None:
    """Add an example question to an entry at once (staff taught it); rebuilds the index."""
    _taught.setdefault(entry_id, [])
    if question not in _taught[entry_id]:
        _taught[entry_id].append(question)
    _taught_by_text[_compact(question)] = entry_id
    reset_index()


def set_taught(examples: dict[str, list[str]]) -> None:
    """Replace all taught examples (loaded from the store at start-up)."""
    _taught.clear()
    _taught_by_text.clear()
    for entry_id, questions in examples.items():
        _taught[entry_id] = list(questions)
        for question in questions:
            _taught_by_text[_compact(question)] = entry_id
    reset_index()


# A question staff taught is answered with the entry they chose, confidently and at once: they
# have read it and said what it is about (other wordings of it are left to the model).
_taught_by_text: dict[str, str] = {}


_model = None
_model_lock = threading.Lock()
# A clarifying question needs the two best entries together to be as likely as a confident
# answer, and the second to be a real contender.
CLARIFY_SECOND = 0.15
# A pair known to be confused (clarify.toml: prize before or after moving in, builder or operator)
# is asked about even above the threshold when the second has at least this share of the first's
# probability. Chosen by 5-fold cross-validation on the project's question set: 0.3 turned 12
# answers into clarifying questions, all offering a right article, cut confident-wrong answers
# from 0.99 % to 0.76 % and kept top-1 at 0.974 (0.2 would take top-1 to 0.971).
CLARIFY_RATIO = 0.3


_model_stale = False
_model_key = ""


def get_model(force: bool = False, on_fit=None):
    """The learned model for the current knowledge files and taught questions (cached on disk).
    ``on_fit()`` is called first when the model must be fitted now (minutes), not loaded."""
    global _model, _model_stale, _model_key
    if _model is not None and not _model_stale and not force:
        return _model
    index = get_index()
    with _model_lock:
        if _model is not None and not _model_stale and not force:
            return _model
        from knowledge.model import load_cached, load_or_train

        key = _index_cache_key()
        if not force:
            cached = load_cached(index, key)
            if cached is not None:
                _model, _model_stale, _model_key = cached, False, key
                return _model
            if _model is not None and _model.entry_ids == [e.id for e in index.entries]:
                # Only taught questions changed: answer at once with the current model (a taught
                # question already counts through the index, as an example question) and refit
                # in the background, which takes some seconds.
                _model_stale, _model_key = False, key
                threading.Thread(target=_refit, args=(index, key, dict(_taught)), daemon=True).start()
                return _model
        if on_fit is not None:
            on_fit()
        _model = load_or_train(index, key, _taught, force=force)
        _model_stale, _model_key = False, key
    return _model


def _refit(index: Index, key: str, taught: dict) -> None:
    global _model
    from knowledge.model import load_or_train

    try:
        model = load_or_train(index, key, taught)
    except Exception:  # the current model keeps answering
        return
    with _model_lock:
        if _model_key == key:
            _model = model


def predict(index: Index, model, text: str) -> MatchResult:
    """The model's answer: entries by probability, confident at the model's threshold."""
    import numpy as np

    from knowledge.model import COMBINE_FLAG, FIRST_SIGNAL, SCORE_SIGNAL, question_feature_ids, signals_and_flags

    analysed = tokens(index.segmenter, text)
    signals, flags, any_tokens = signals_and_flags(index, text, analysed)
    if not any_tokens:
        return MatchResult(query=text, confident=False, reason="empty")
    # featurize's names, straight to the model's columns (every feature's value is 1.0).
    ids = question_feature_ids(model, analysed, flags)
    p = model.probabilities((ids, np.ones(len(ids)), signals))  # (an array: no list to convert)
    lexicon = index.segmenter.lexicon
    words = analysed[1]  # the question's words: the "w:" feature names, in the same order
    # "补贴", "奖励", "subsidy": the policy's own subject and nothing more is a vague question, not
    # one the policy does not cover: never an answer, but its likeliest entries are offered.
    vague = bool(words) and all(w in lexicon.policy_words or w in lexicon.generic for w in words)
    if vague:
        p = np.append(p[:-1] / max(1e-12, 1.0 - p[-1]), 0.0)
    entries = p[:-1]
    values = entries.tolist()  # plain floats: numpy's per-call overhead dominates at this size
    # Most likely first; ties by entry order (a reversed sort keeps equal items in their order).
    order = sorted(range(len(values)), key=values.__getitem__, reverse=True)
    matches = tuple(Match(index.entries[i], round(values[i], 4)) for i in order[:MAX_MATCHES])
    groups = getattr(index, "_citing_groups", None)
    if groups is None:
        from knowledge.model import citing_groups

        groups = index._citing_groups = citing_groups(index.entries)
    best = order[0]
    top = float(groups[best] @ entries)  # the chance that the best answer cites a right article
    # The runner-up for a clarifying question: the best entry citing other articles.
    rival = next((i for i in order[1:] if not groups[best, i]), order[1])
    second = float(entries[rival])
    award = getattr(index, "_award_entries", None)
    if award is None:
        from knowledge.model import award_entries

        award = index._award_entries = award_entries(index.entries).tolist()
    # "营收奖励和人才奖励能一起拿吗": two awards and the question whether they combine.
    pair = COMBINE_FLAG in flags and award[best] and award[rival]
    counting = getattr(index, "_counting_pairs", None)
    if counting is None:
        from knowledge.model import counting_pairs

        counting = index._counting_pairs = counting_pairs(index.entries).tolist()
    # "从河西搬来，营收3亿奖多少": an award and article 18's rule on counting it, answered together.
    joint_answer = pair or counting[best][rival]
    if model.calibration is not None:
        # The confidence: the chance that the best answer is right, learned from held-out answers
        # (see knowledge.model.confidence_features).
        from knowledge.model import confidence_of, sharing_groups

        shared = getattr(index, "_sharing_groups", None)
        if shared is None:
            shared = index._sharing_groups = sharing_groups(index.entries)
        joint = min(max(float(entries[best]) + second, 1e-6), 1 - 1e-6)
        confidence = confidence_of(model.calibration, top, float(entries[best]), float(shared[best] @ entries), float(p[-1]),
                                   float(entries[order[1]]), text, signals[best, -1],
                                   math.log(joint / (1 - joint)) if joint_answer else 0.0,
                                   signals[best, FIRST_SIGNAL], signals[best, SCORE_SIGNAL], best)
    else:
        confidence = top
    outside = float(p[-1])
    threshold = model.threshold_for(text, flags)
    clarify: tuple[Match, ...] = ()
    from knowledge.clarify import curated_pairs, leaves_open

    curated = frozenset((index.entries[best].id, index.entries[rival].id)) in curated_pairs()
    # "我们获得了大赛奖项，能拿多少钱": a known pair, and nothing in the question says which one.
    # (the cues are looked for in the typed text too: normalising turns "1:1" into a placeholder)
    # (nor when it says which came first, the prize or moving in: knowledge.sequence)
    undecided = (curated and leaves_open(index.entries[best].id, index.entries[rival].id,
                                         analysed[0] + " " + text.lower())
                 and PRIZE_FIRST not in flags and PARK_FIRST not in flags)
    if outside >= top:
        confident, reason = False, "out_of_scope"
    # A known confusable pair asked about together ("落地奖金和1:1匹配能叠加吗") needs no clarifying
    # question: the answer names both.
    elif (confidence >= threshold
          and (joint_answer or not (curated and (undecided or second >= CLARIFY_RATIO * entries[best])))):
        confident, reason = True, ""
    elif (undecided or top + second >= threshold and second >= CLARIFY_SECOND) and outside < top and not pair:
        confident, reason = False, "clarify"
        clarify = (Match(index.entries[best], round(float(entries[best]), 4)),
                   Match(index.entries[rival], round(second, 4)))
    else:
        confident, reason = False, "low_score"
    if vague:
        confident, reason, clarify = False, "low_score", ()
    elif (confident or clarify) and asks_for_an_institution_award_as_another_trade(index, best, flags, analysed[0]):
        # "面包房 房租补贴", "Our brewery made 3亿, can we get the 30万 award?": the awards are for HR
        # service institutions (article 16), so the award's article is no answer, however sure the
        # model is of it; the reply says who the awards are for (answers.scope_note).
        confident, reason, clarify = False, "other_trade", ()
    taught = _taught_by_text.get(_compact(text)) if _taught_by_text else None
    if taught is not None:
        chosen = next((i for i, e in enumerate(index.entries) if e.id == taught), None)
        if chosen is not None:
            confident, reason, clarify = True, "", ()
            matches = (Match(index.entries[chosen], round(float(entries[chosen]), 4)),) + tuple(
                m for m in matches if m.entry.id != taught)[:MAX_MATCHES - 1]
    # Only a question naming exactly one article can be asking what it says (cleaned once more).
    asked = article_asked_about(clean(text)) if len(analysed[3]) == 1 else None
    if asked is not None:
        # "第十九条", "第三条说的是什么", "What does Article 3 say?": the article's own entry is the
        # answer, whatever the words around the name lean to.
        chosen = next((i for i, e in enumerate(index.entries) if e.kind == "article" and e.clauses[0] == asked), None)
        if chosen is not None:
            confident, reason, clarify = True, "", ()
            matches = (Match(index.entries[chosen], round(float(entries[chosen]), 4)),) + tuple(
                m for m in matches if m.entry is not index.entries[chosen])[:MAX_MATCHES - 1]
    if matches[0].entry.policy_silent and (confident or (reason == "low_score" and not vague and outside < top)):
        # How to apply, whom to call: the policy states none of it. The entry's answer says so and
        # refers to 区人社局; it is not an answer resting on an article, so it is also the reply when
        # it is only the likeliest entry (a list of one suggestion said less).
        confident, reason = False, "not_stated"
    also = (Match(index.entries[rival], round(second, 4)),) if confident and joint_answer and matches[0].entry is index.entries[best] else ()
    if confident and asks_whether_paid(analysed[0]):
        # "Has the district paid the event subsidy for our job fair yet?", "补贴到账了吗": what happened
        # to an application is not in the policy, and the article's rule is no answer to it.
        confident, also = False, ()
    if not confident and asks_about_an_application(analysed[0]):
        # "申请进度怎么查", "What's the status of our application?": the reply says where to ask (the
        # bureau) rather than "not sure which part you mean"; the articles it was nearest stay offered.
        # (Not when answered: "市里的上市补助还没到账，区里的配套能先给吗" asks about article 12's rule.)
        reason, clarify = "status", ()
    if not analysed[3] and names_article_outside_policy(text):
        # "第25条说了什么", "《人力资源市场暂行条例》第十八条": no article of this policy is meant, so the
        # nearest one (often the preamble, which cites other documents) is no answer.
        confident, reason, clarify, also = False, "not_in_policy", (), ()
    return MatchResult(query=text, confident=confident, matches=matches, reason=reason, clarify=clarify,
                       probability_out_of_scope=round(outside, 4), also=also)


def asks_for_an_institution_award_as_another_trade(index: Index, best: int, flags, normalized: str) -> bool:
    """Is the best entry an institution's award (answers.INSTITUTION_ENTRIES) and the asker a business
    of another trade (OTHER_TRADE_FLAGS), with no word of the HR trade or its work anywhere
    ("给健身房派教练的劳务公司", "Our agency places nurses in hospitals" are HR firms)?"""
    from knowledge.answers import INSTITUTION_ENTRIES
    from knowledge.business import mentions_hr_work
    from knowledge.model import OTHER_TRADE_FLAGS

    # (the flags first: most questions have none, and this runs on every confident answer)
    return (not OTHER_TRADE_FLAGS.isdisjoint(flags) and index.entries[best].id in INSTITUTION_ENTRIES
            and not mentions_hr_work(normalized))


# A question whether money has been paid or approved yet: the state of one application.
_ASKS_WHETHER_PAID = re.compile(
    r"\bha(?:s|ve)\s+(?:the\s+)?(?:district|bureau|government|park|operator|city|they|you)\s+(?:\w+\s+){0,2}?"
    r"(?:paid|transferred|sent|released|approved)\b.*\byet\b|(?:到账|到帐|打过来|打款|拨付|发下来|批下来)了(?:吗|没|没有)")


def asks_whether_paid(normalized: str) -> bool:
    """Does the (normalised) question ask whether an award has been paid or approved yet?"""
    return _ASKS_WHETHER_PAID.search(normalized) is not None


# Questions on one application's progress: whether it was paid (above), its status, where to check it,
# when the money arrives. Written from the 17 such questions among the training questions (none of
# which the policy covers); "the city's award has not arrived yet, can we apply first?" is article 12's.
_ASKS_ABOUT_AN_APPLICATION = re.compile(
    _ASKS_WHETHER_PAID.pattern
    + r"|(?:申请|审批|审核|办理|拨付)(?:的)?进度|进度(?:怎么|如何|在哪)查|什么时候(?:能)?到账|审批结果(?:出来|怎么查|在哪)"
    r"|还没(?:有)?(?:到账|拨付|打款)"
    r"|\bstatus of (?:our|my)\b|\bcheck (?:on )?(?:the status|our application|my application)"
    r"|\bhave we received\b|\bhaven t (?:received|been paid)|\bhasn t (?:arrived|come)"
    r"|\bwhen will (?:we|i) (?:receive|get paid|be paid)|\bwhere is our (?:money|payment|subsidy|award)")


def asks_about_an_application(normalized: str) -> bool:
    """Does the (normalised) question ask how one application stands: paid, approved, where to check?"""
    return _ASKS_ABOUT_AN_APPLICATION.search(normalized) is not None


def names_article_outside_policy(text: str) -> bool:
    """Does a question name an article the policy does not have ("第二十五条") or another document's
    ("《人力资源市场暂行条例》第十八条")?"""
    if not may_name_an_article(text):
        return False
    cleaned = clean(text)
    return bool(articles_beyond_policy(cleaned) or other_documents_cited(cleaned))


def match_question(query: str, index: Index | None = None, model=None) -> MatchResult:
    """Match a user's question to the knowledge entries; never raises on odd input."""
    text = query if isinstance(query, str) else ("" if query is None else str(query))
    if index is None:
        index = get_index()
        model = model or get_model()
    if model is not None:
        return predict(index, model, text)
    scored, evidence = rank(index, text)
    confident, reason = _decide(index, text, scored, evidence)
    matches = tuple(Match(index.entries[i], round(score, 4)) for score, i in scored[:MAX_MATCHES] if score > 0)
    if not matches:
        confident, reason = False, reason or "empty"
    return MatchResult(query=text, confident=confident, matches=matches, reason=reason)
