"""Segmentation: jieba (jieba-rs, through rjieba) with the policy's own dictionary, synonyms, stop
words and typo repair.

Start-up time matters (``policybot ask`` runs as a whole process), so two things are built once
and cached in the user's cache folder: a trimmed copy of jieba's dictionary (the rare words cost
load time and never matter here) and a character → pinyin table (so pypinyin is not imported on
every start).
"""
from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import marshal
import os
import re
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from bisect import bisect_left, bisect_right
from collections import deque
from functools import cached_property, lru_cache
from itertools import repeat
from itertools import chain, compress, count
from operator import add, ne
from pathlib import Path

from knowledge.english import bridge_table, stem, stem_synonyms
from knowledge.normalize import grouped_alternation, is_cjk

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PACKAGE_DIR = Path(__file__).resolve().parent
USER_DICT = PACKAGE_DIR / "userdict.txt"
LEXICON = PACKAGE_DIR / "lexicon.toml"

# Words rarer than this in jieba's corpus are left out of the trimmed dictionary.
MIN_WORD_FREQ = 10
REPAIR_CACHE_SIZE = 20000
TOKEN_CACHE_SIZE = 50000  # jieba tokens whose content words are kept (see Segmenter.words)
CACHE_VERSION = "1"
DICTIONARY_CACHE_VERSION = "3"

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_ENGLISH_WORD = re.compile(r"[a-z][a-z'\-]*")
_LATIN_LETTER = re.compile("[a-z]")
_WORD_START = re.compile(r"\w")
# CJK characters that jieba-rs keeps in a block of words and python jieba, whose dictionary and
# answers this segmenter reproduces, does not: python jieba gives each one as a word of its own.
_OUTSIDE_JIEBA_BLOCK = re.compile("[\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
# A dictionary entry no text can reach (a private-use character is never part of a block of
# words): it carries the frequency that makes the dictionary's total that of python jieba.
_TOTAL_FILLER = "\ue000"


def cache_dir() -> Path:
    """A writable folder for the built dictionary and tables (the user's cache, else temp)."""
    candidates = []
    env = os.environ.get("POLICYBOT_CACHE_DIR")
    if env:
        candidates.append(Path(env))
    try:
        import platformdirs

        candidates.append(Path(platformdirs.user_cache_dir("policybot")))
    except Exception:  # pragma: no cover - platformdirs is a dependency, but never fail on it
        pass
    candidates.append(Path(tempfile.gettempdir()) / "policybot-cache")
    for folder in candidates:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / ".write-test"
            probe.write_text("ok")
            probe.unlink()
            return folder
        except OSError:
            continue
    raise OSError("no writable cache folder for the jieba dictionary")


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def kept_on_disk(folder: Path | None, prefix: str, inputs, build):
    """``build()``'s table (marshal-able), read from ``folder`` when one was built from the same
    ``inputs`` (a digest of them names the file), else built and written there; the newest few
    tables of ``prefix`` are kept. Parsing CC-CEDICT takes a second: a new process reads the table."""
    path = None
    if folder is not None:
        digest = hashlib.sha256(marshal.dumps(inputs)).hexdigest()[:20]
        path = folder / f"{prefix}-{digest}.marshal"
        if path.exists():
            try:
                return marshal.loads(path.read_bytes())
            except (ValueError, EOFError, TypeError):
                pass
    table = build()
    if path is not None:
        try:
            _atomic_write(path, marshal.dumps(table))
            # Each edit of the entries makes a new table: only the newest few are kept.
            old = sorted(folder.glob(f"{prefix}-*.marshal"), key=lambda p: p.stat().st_mtime, reverse=True)
            for stale in old[4:]:
                stale.unlink()
        except OSError:
            pass
    return table


def _jieba_dictionary() -> Path:
    """jieba's own dictionary file, found without importing jieba (only its data is used)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.origin:
        raise OSError("jieba is not installed: its dictionary is needed for segmentation")
    return Path(spec.origin).resolve().parent / "dict.txt"


def trimmed_dictionary(folder: Path | None = None) -> tuple[list[str], list[int], int]:
    """jieba's dictionary without its rare words: the words (sorted), their frequencies, and the
    total that python jieba counts for it (cached on disk: reading it is a few ms, parsing jieba's 20)."""
    folder = folder or cache_dir()
    path = folder / f"jieba-dict-min{MIN_WORD_FREQ}-v{DICTIONARY_CACHE_VERSION}.marshal"
    if path.exists():
        try:
            words, freqs, total = marshal.loads(path.read_bytes())
            return words.split("\n"), freqs, total
        except (ValueError, EOFError, TypeError):
            pass
    kept: dict[str, int] = {}
    total = 0
    with _jieba_dictionary().open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.rstrip("\n").split(" ")
            if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) >= MIN_WORD_FREQ:
                kept[parts[0]] = int(parts[1])
                total += int(parts[1])  # python jieba adds a repeated word's frequency again
    kept = dict(sorted(kept.items()))  # sorted: a word's frequency is found by bisection
    # One string rather than a list of words: marshal reads it several times faster.
    _atomic_write(path, marshal.dumps(("\n".join(kept), list(kept.values()), total)))
    return list(kept), list(kept.values()), total


def _jieba_class():
    """rjieba's ``Jieba`` class, without running its package's ``__init__``.

    ``import rjieba`` builds a second, default jieba at once (its whole dictionary: 0.14 s and
    33 MB that this process would keep and never use). Its compiled module alone has the class;
    it is registered under its own name, so that a later ``import rjieba`` reuses it.
    """
    name = "rjieba.rjieba"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.find_spec("rjieba")  # finds the package without running it
        try:
            folder = Path(spec.submodule_search_locations[0])
            path = next(p for p in folder.iterdir()
                        if p.name.startswith("rjieba.") and p.suffix in (".so", ".pyd"))
            loader = importlib.machinery.ExtensionFileLoader(name, str(path))
            module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
            loader.exec_module(module)
            sys.modules[name] = module
        except Exception:  # an unusual install: the ordinary import, default jieba and all
            import rjieba

            return rjieba.Jieba
    return module.Jieba


def _strip_tones(syllable: str) -> str:
    plain = unicodedata.normalize("NFKD", syllable)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return plain.replace("ü", "v").replace("u\u0308", "v")


@lru_cache(maxsize=1)
def pinyin_table() -> dict[str, str]:
    """Character → toneless pinyin of its most common reading (cached on disk)."""
    path = cache_dir() / f"pinyin-v{CACHE_VERSION}.marshal"
    if path.exists():
        try:
            return marshal.loads(path.read_bytes())
        except (ValueError, EOFError, TypeError):
            pass
    from pypinyin.pinyin_dict import pinyin_dict

    table = {chr(code): _strip_tones(readings.split(",")[0]) for code, readings in pinyin_dict.items()}
    _atomic_write(path, marshal.dumps(table))
    return table


@dataclass
class Lexicon:
    synonyms: dict[str, str] = field(default_factory=dict)  # variant → canonical
    english_synonyms: dict[str, str] = field(default_factory=dict)  # stem of variant → stem of canonical
    english_to_chinese: dict[str, str] = field(default_factory=dict)  # English term → Chinese term
    stopwords: frozenset[str] = frozenset()
    generic: frozenset[str] = frozenset()
    question_words: frozenset[str] = frozenset()
    policy_words: frozenset[str] = frozenset()
    out_of_scope: tuple[str, ...] = ()
    other_places: tuple[str, ...] = ()
    combination_words: tuple[str, ...] = ()  # "一起拿", "together": asks whether awards combine
    english_phrases: dict[str, str] = field(default_factory=dict)  # "last year" → "lastyear"
    other_industries: tuple[str, ...] = ()  # "制造业", "logistics": not HR service institutions
    status_words: tuple[str, ...] = ()  # "到账", "who won": the state of applications, not the policy
    hr_business_words: tuple[str, ...] = ()  # "劳务派遣", "staffing": the asker is in the HR trade

    @cached_property
    def _phrase_pattern(self) -> re.Pattern | None:
        """One pattern for the English phrases, longest first, as whole words."""
        phrases = sorted(self.english_phrases, key=len, reverse=True)
        if not phrases:
            return None
        if all(_WORD_START.match(p) for p in phrases):
            # "\b" before a phrase that begins with a word character, asserted after that character
            # (nothing word-like before it): the pattern then begins with the phrases' first
            # letters, and the regex engine passes over other characters at once.
            # Grouped by that first letter, each group keeping the longest-first order.
            return re.compile("(?:" + grouped_alternation(phrases, r"(?<!\w.)") + r")\b")
        return re.compile(r"\b(?:" + "|".join(map(re.escape, phrases)) + r")\b")

    def read_english_phrases(self, text: str) -> str:
        """The text with each English phrase as the one word it means ("last year" → "lastyear")."""
        pattern = self._phrase_pattern
        if pattern is None:
            return text
        return pattern.sub(lambda m: self.english_phrases[m.group(0)], text)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    data = tomllib.loads(LEXICON.read_text(encoding="utf-8"))
    synonyms = {}
    for canonical, variants in data.get("synonyms", {}).items():
        for variant in variants:
            synonyms[variant] = canonical
    english = stem_synonyms(data.get("english_synonyms", {}))

    def with_english_terms(words) -> frozenset[str]:
        # The English words of a list compared with terms, also as the terms they become.
        terms = {english.get(stem(w), stem(w)) for w in words if _ENGLISH_WORD.fullmatch(w)}
        return frozenset(words) | terms

    return Lexicon(
        synonyms=synonyms,
        english_synonyms=english,
        english_to_chinese=bridge_table(data.get("english_to_chinese", {}), english, synonyms),
        stopwords=frozenset(data.get("stopwords", [])),
        generic=with_english_terms(data.get("generic", [])),
        question_words=with_english_terms(data.get("question_words", [])),
        policy_words=with_english_terms(data.get("policy_words", [])),
        out_of_scope=tuple(data.get("out_of_scope", [])),
        other_places=tuple(data.get("other_places", [])),
        combination_words=tuple(w.lower() for w in data.get("combination_words", [])),
        other_industries=tuple(w.lower() for w in data.get("other_industries", [])),
        status_words=tuple(w.lower() for w in data.get("status_words", [])),
        hr_business_words=tuple(w.lower() for w in data.get("hr_business_words", [])),
        english_phrases={phrase.lower(): word for word, phrases in data.get("english_phrases", {}).items()
                         for phrase in phrases},
    )


class _TokenWords(dict):
    """jieba token → its content words (Segmenter._words_of_token), worked out on first sight: what
    a token becomes depends on the token alone, and a long message has a hundred, most of them common."""

    def __init__(self, read):
        super().__init__()
        self._read = read

    def __missing__(self, token: str) -> tuple[str, ...]:
        found = self._read(token)
        if len(self) >= TOKEN_CACHE_SIZE:
            self.clear()
        self[token] = found
        return found


class Segmenter:
    """Turns normalised text into matching tokens; one instance per loaded knowledge base."""

    def __init__(self, extra_words: list[str] = ()):
        self.lexicon = load_lexicon()
        words, freqs, total = trimmed_dictionary()
        # The policy's words go in after jieba's, as python jieba's load_userdict and add_word
        # would add them: the user dictionary, then the synonyms at least 1000 times.
        user = []
        for line in USER_DICT.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if parts:
                user.append((parts[0], int(parts[1])))
        policy = set(extra_words) | set(self.lexicon.synonyms) | set(self.lexicon.synonyms.values())
        jieba = _jieba_class().empty()
        # add_word mapped over jieba's words in C: a Python loop costs 50 ms more at start-up.
        deque(map(jieba.add_word, words, freqs, repeat(None)), maxlen=0)
        add = jieba.add_word
        rust_total = sum(freqs)
        current = {}  # the frequencies of the words added again
        for word in policy | {word for word, _ in user}:
            k = bisect_left(words, word)
            if k < len(words) and words[k] == word:
                current[word] = freqs[k]
        del words, freqs
        added = list(user)
        frequency = {**current, **dict(user)}
        for word in sorted(policy):
            if len(word) >= 2 and not word.isascii() and frequency.get(word, 0) < 1000:
                added.append((word, 1000))
        for word, freq in added:
            add(word, freq, None)
            total += freq
            rust_total += freq - current.get(word, 0)
            current[word] = freq
        # Python jieba counts a word added again twice in its total; jieba-rs replaces the first
        # frequency. The filler makes the totals, and so every word's probability, the same.
        if total > rust_total:
            add(_TOTAL_FILLER, total - rust_total, None)
        self.added_words = added  # for the test that cuts as python jieba does
        self.jieba = jieba
        self._pinyin = pinyin_table()
        self._homophones: dict[tuple[str, ...], str] = {}
        self._pinyin_words: dict[str, str] = {}
        self._pinyin_prefixes: set[str] = set()
        self._pinyin_reach: set[str] = set()
        self._dictionary_words: dict[str, tuple[str, ...]] = {}  # see set_dictionary_words
        self._trade_words = None  # see set_trade_words
        self._one_off: dict[str, str] = {}
        self._vocabulary: set[str] = set()
        self._longest = 0
        self._heads: set[str] = set()
        self._tails: set[str] = set()
        self._shape_lengths: dict[str, set[int]] = {}
        self._word_prefixes: set[str] = set()
        self._sound_prefixes: set[tuple[str, ...]] = set()
        self._starts: set[str] = set()
        self._sound_starts: set[tuple[str, ...]] = set()
        self._sound_lengths: dict[tuple[str, ...], tuple[int, ...]] = {}
        self._shape_pairs: dict[str, list[tuple]] = {}
        self._shape_pair_starts: re.Pattern | None = None

    def policy_terms(self) -> set[str]:
        """The curated policy words: the user dictionary and the synonym table."""
        terms = set(self.lexicon.synonyms.values()) | set(self.lexicon.synonyms)
        for line in USER_DICT.read_text(encoding="utf-8").splitlines():
            if line.strip():
                terms.add(line.split()[0])
        return terms

    # -- typo repair ------------------------------------------------------------------------
    def set_vocabulary(self, terms) -> None:
        """The policy words that typos are repaired towards (keywords, titles, dictionary terms)."""
        self.__dict__.pop("_repair_cache", None)
        homophones: dict[tuple[str, ...], set[str]] = {}
        one_off: dict[str, set[str]] = {}
        vocabulary = set()
        for term in terms:
            if len(term) < 2 or not all(is_cjk(c) for c in term):
                continue
            vocabulary.add(term)
            key = tuple(self._pinyin.get(c, c) for c in term)
            homophones.setdefault(key, set()).add(term)
            if len(term) >= 4:
                for i in range(len(term)):
                    one_off.setdefault(term[:i] + "?" + term[i + 1:], set()).add(term)
        # An ambiguous sound or shape cannot be repaired with confidence: leave it alone.
        self._homophones = {k: next(iter(v)) for k, v in homophones.items() if len(v) == 1}
        self._one_off = {k: next(iter(v)) for k, v in one_off.items() if len(v) == 1}
        self._vocabulary = vocabulary
        self._longest = max((len(t) for t in vocabulary), default=0)
        self._heads = {t[:2] for t in self._one_off.values()}
        self._tails = {t[-2:] for t in self._one_off.values()}
        # A shape slip keeps the length of its word: by head or tail, the lengths it can have.
        self._shape_lengths = {}
        for t in self._one_off.values():
            self._shape_lengths.setdefault(t[:2], set()).add(len(t))
            self._shape_lengths.setdefault(t[-2:], set()).add(len(t))
        # What a repair can start with: a run with none of these at a position keeps that
        # character as it is, without looking at its windows one by one.
        self._starts = {t[:2] for t in vocabulary} | self._heads
        self._sound_starts = {k[:2] for k in self._homophones}
        # For _repair_starts: the words a shape slip (4 to 6 characters) can be repaired to, by
        # their first and their last two characters, with where the pair sits in the word.
        self._shape_pairs: dict[str, list[tuple]] = {}
        for t in sorted(set(self._one_off.values())):
            if len(t) <= 6:
                # (the word's start from the pair's, its length, the word, and the two characters
                # next to the pair with their places in the word)
                self._shape_pairs.setdefault(t[:2], []).append((0, len(t), t, 2, t[2], 3, t[3]))
                self._shape_pairs.setdefault(t[-2:], []).append(
                    (2 - len(t), len(t), t, len(t) - 4, t[-4], len(t) - 3, t[-3]))
        # Where a text may hold one of those pairs: its first character followed by a second one
        # (found by the regex engine in C; making every pair of a long text cost more than the rest).
        firsts = "".join(sorted({pair[0] for pair in self._shape_pairs}))
        seconds = "".join(sorted({pair[1] for pair in self._shape_pairs}))
        self._shape_pair_starts = re.compile(f"[{re.escape(firsts)}](?=[{re.escape(seconds)}])") if firsts else None
        # The lengths of the repairable sounds by their first two syllables (see _repair_starts).
        self._sound_lengths: dict[tuple[str, ...], tuple[int, ...]] = {}
        for key in self._homophones:
            if len(key) <= 6:  # _repair_run looks at windows of at most 6 characters
                self._sound_lengths[key[:2]] = tuple(sorted({*self._sound_lengths.get(key[:2], ()), len(key)}))
        # Every beginning of a policy word and of a repairable sound: a window that is none of
        # these cannot be a word or a sound repair, and neither can a longer one from there.
        self._word_prefixes = {t[:k] for t in vocabulary for k in range(2, len(t) + 1)}
        self._sound_prefixes = {key[:k] for key in self._homophones for k in range(2, len(key) + 1)}

    def pinyin_words(self, curated, counts) -> dict[str, str]:
        """The Chinese words an English question may spell in pinyin ("fangzu butie", "rencai
        jiangli": writers of English name the awards by their Chinese names), by spelling.
        ``curated`` words (the policy terms) come first; then any word of ``counts`` (word → how
        often the entries use it), where a spelling two words share goes to one used at least
        three times as often as the other (人才, not the typo 人财), or to neither."""
        def spelled(words) -> dict[str, list[str]]:
            out: dict[str, list[str]] = {}
            for word in words:
                if len(word) >= 2 and all(is_cjk(c) for c in word):
                    out.setdefault("".join(self._pinyin.get(c, c) for c in word), []).append(word)
            return out

        table = {}
        for key, words in spelled(counts).items():
            words.sort(key=counts.get, reverse=True)
            if len(words) == 1 or counts[words[0]] >= 3 * counts[words[1]]:
                table[key] = words[0]
        for key, words in spelled(curated).items():
            if len(words) == 1:
                table[key] = words[0]
            elif not (key in table and table[key] in words):
                table.pop(key, None)
        return {key: word for key, word in table.items() if key.isascii()}

    def use_pinyin_words(self, table: dict[str, str]) -> None:
        """Read English tokens that spell a policy word in pinyin as that word too (``pinyin_words``)."""
        self._pinyin_words = table
        self.__dict__.pop("_all_latin", None)
        # Where a spelling may start, for syllables typed apart ("pin pai" → pinpai, 品牌).
        self._pinyin_prefixes = {key[:i] for key in table for i in range(1, len(key))}
        self._pinyin_reach = self._pinyin_prefixes | set(table)
        self.__dict__.pop("_token_words", None)  # tokens already read without them

    def set_dictionary_words(self, table: dict[str, tuple[str, ...]]) -> None:
        """English stem → the Chinese words CC-CEDICT glosses with it (english.cedict_bridge): an
        English word the hand table lacks ("company", "district") carries them."""
        self._dictionary_words = table
        self.__dict__.pop("_token_words", None)  # tokens already read without them

    def set_trade_words(self, table: tuple[list[str], list[str]]) -> None:
        """The words for a business of another trade (trades.trade_words): see ``names_trade``."""
        from knowledge.trades import TradeWords

        self._trade_words = TradeWords(*table)

    @property
    def trade_table(self) -> tuple[list[str], list[str]]:
        """The table given to ``set_trade_words`` (kept with the index)."""
        return self._trade_words.table if self._trade_words is not None else ([], [])

    def names_trade(self, normalized: str) -> bool:
        """Does the question name a business of another trade by a dictionary word ("面包房",
        "driving school"), not cut through another word ("如果园区" does not name 果园)?"""
        return self._trade_words is not None and self._trade_words.names_trade(normalized, self._inside_words)

    # -- jieba ---------------------------------------------------------------------------------
    def _cut(self, text: str, hmm: bool) -> list[str]:
        """jieba's accurate mode, split as python jieba splits (see _OUTSIDE_JIEBA_BLOCK)."""
        if not _OUTSIDE_JIEBA_BLOCK.search(text):
            return self.jieba.cut(text, hmm)
        out: list[str] = []
        start = 0
        for rare in _OUTSIDE_JIEBA_BLOCK.finditer(text):
            if rare.start() > start:
                out.extend(self.jieba.cut(text[start:rare.start()], hmm))
            out.append(rare.group())
            start = rare.end()
        if start < len(text):
            out.extend(self.jieba.cut(text[start:], hmm))
        return out

    def _pieces(self, run: str) -> list[str]:
        """The dictionary's words of a run of Chinese characters (jieba without the HMM)."""
        return self._cut(run, False)

    def cut(self, text: str) -> list[str]:
        """jieba's accurate mode with the HMM for unknown words."""
        return self._cut(text, True)

    def _all_words(self, text: str) -> bool:
        pieces = self._pieces(text)
        return all(len(p) >= 2 and self._known(p) for p in pieces)

    def _known(self, word: str) -> bool:
        return word in self._vocabulary or self.jieba.has_word(word)

    def repair(self, text: str) -> str:
        """Fix pinyin-input slips (房租不贴 → 房租补贴, 营业收人 → 营业收入) in CJK runs."""
        if not self._homophones or _CJK_RUN.search(text) is None:
            return text
        # Most texts have no window that could be repaired: one look over the whole text finds
        # the runs of Chinese characters that need the full search (usually none).
        starts = self._repair_starts(text)
        if not starts:
            return text

        def repaired(m: re.Match) -> str:
            begin, end = m.span()
            mine = {k - begin for k in starts if begin <= k < end}
            return self._repaired(m.group(0), mine) if mine else m.group(0)

        return _CJK_RUN.sub(repaired, text)

    def _repaired(self, run: str, starts: set[int] | None = None) -> str:
        # Runs recur across questions (房租补贴, 怎么申请): each is repaired once.
        cache = self.__dict__.setdefault("_repair_cache", {})
        fixed = cache.get(run)
        if fixed is None:
            fixed = self._repair_run(run, starts)
            if len(cache) >= REPAIR_CACHE_SIZE:
                cache.clear()
            cache[run] = fixed
        return fixed

    def _may_start(self, run: str, sounds: tuple[str, ...], i: int) -> bool:
        """Could a repair or a policy word start at ``i``? (Most positions cannot.)"""
        if i >= len(run) - 1:
            return False  # one character left: nothing starts there
        # A word or sound repair needs a known start at i.
        if run[i:i + 2] in self._starts or sounds[i:i + 2] in self._sound_starts:
            return True
        # A one-off repair of 4 to 6 characters needs a known head at i or a known tail ending it.
        return any(run[j:j + 2] in self._tails for j in range(i + 2, min(i + 5, len(run) - 1)))

    def _inside_words(self, run: str) -> set[int]:
        """Positions inside a real word (去|外地 …): a repair may not cut through one, or
        "去外地" would become "区外地" because 去外 sounds like 区外."""
        inside = set()
        position = 0
        for token in self._pieces(run):
            if len(token) >= 2 and self._known(token):
                inside.update(range(position + 1, position + len(token)))
            position += len(token)
        return inside

    def _repair_starts(self, text: str) -> list[int]:
        """Where in the text a repair other than the window itself may start: a homophone one
        character away, or a shape slip (see _shape_slip), that is no known word and cuts through
        no word. Elsewhere _repair_run can only put back the text's own windows (a policy word is
        "repaired" to itself), so a run without such a start is kept as it is, without the full
        search (which cost ~0.3 ms on a long message). Every window of a run is a window of the
        text: these are the checks of _repair_run, made on the text's windows."""
        n = len(text)
        homophones, sound_lengths, known = self._homophones, self._sound_lengths, self._known
        # (The characters as strings once: each one taken from the text is a new string, and on
        # a long message making them was much of the time. Set and dict lookups mapped in C, a
        # Python step only where a repair may start.)
        chars = [*text]
        sounds = tuple(map(self._pinyin.get, chars, chars))
        windows = []  # (start, length)
        at = text.startswith  # compares in place: no string made
        # Sound repairs: windows whose first two syllables begin a repairable sound.
        for i in compress(range(n - 1), map(sound_lengths.__contains__, zip(sounds, sounds[1:]))):
            for size in sound_lengths[sounds[i:i + 2]]:
                if i + size > n:
                    break
                term = homophones.get(sounds[i:i + size])
                # (mostly the text holds the word itself there: no slip, and no window to make)
                if term and not at(term, i):
                    window = text[i:i + size]
                    if sum(map(ne, window, term)) == 1 and not known(window):
                        windows.append((i, size))
        # Shape slips (4 to 6 characters) keep the first or the last two characters of their
        # word: the policy words that begin or end with a pair of the text, one character away.
        shapes = self._shape_pairs
        pair_starts = self._shape_pair_starts
        for k in [m.start() for m in pair_starts.finditer(text)] if pair_starts else ():
            for i, size, term, p, char_p, q, char_q in shapes.get(text[k:k + 2], ()):
                i += k
                # One character apart: of the two next to the shared pair, one is the word's.
                if i >= 0 and i + size <= n and (at(char_p, i + p) or at(char_q, i + q)):
                    window = text[i:i + size]
                    if sum(map(ne, window, term)) == 1 and self._shape_slip(window, term):
                        windows.append((i, size))
        if not windows:
            return []
        # A repair may not cut through a real word of its run (see _inside_words).
        spans = [m.span() for m in _CJK_RUN.finditer(text)]
        run_starts = [start for start, _ in spans]
        inside_words: dict[int, set[int]] = {}
        starts = []
        for i, size in windows:
            r = bisect_right(run_starts, i) - 1
            if r < 0 or i + size > spans[r][1]:
                continue  # not a window of one run
            start, end = spans[r]
            if r not in inside_words:
                inside_words[r] = self._inside_words(text[start:end])
            if (i - start) not in inside_words[r] and (i - start + size) not in inside_words[r]:
                starts.append(i)
        return starts

    def _shape_slip(self, window: str, term: str) -> bool:
        """The checks of _repair_run that a shape slip from ``window`` to ``term`` (one character
        apart) must pass, but cutting through a word: the window lies in one run of Chinese
        characters (a window of a whole text may not), its pattern is one word's alone, and the
        window is no word nor all words."""
        if _CJK_RUN.fullmatch(window) is None:
            return False
        j = next(compress(count(), map(ne, window, term)))
        return (window[:j] + "?" + window[j + 1:] in self._one_off and not self._known(window)
                and not self._all_words(window))

    def _policy_word_at(self, run: str, i: int, top: int) -> int:
        """The length of the longest policy word (at most ``top`` characters) at ``i``, else 1:
        what the search of _repair_run keeps where no repair starts."""
        size = 1
        for k in range(2, top + 1):
            window = run[i:i + k]
            if window not in self._word_prefixes:
                break  # no policy word begins so: none is longer either
            if window in self._vocabulary:
                size = k
        return size

    def _repair_run(self, run: str, starts: set[int] | None = None) -> str:
        """The run with its slips repaired; ``starts``: _repair_starts of the run, when known."""
        sounds = tuple(map(self._pinyin.get, run, run))
        # Where a repair may start (usually nowhere); elsewhere the search below can only find a
        # policy word, which it keeps as it is: there only the policy word is looked for.
        if starts is None:
            starts = set(self._repair_starts(run))
        if not starts:
            return run
        inside = None  # found only when a repair is in sight: most runs never need it
        longest = min(6, self._longest)
        word_prefixes, sound_prefixes, shape_lengths = self._word_prefixes, self._sound_prefixes, self._shape_lengths
        n = len(run)
        i, out = 0, []
        while i < n:
            if i not in starts:
                size = self._policy_word_at(run, i, min(longest, n - i))
                out.append(run[i:i + size])
                i += size
                continue
            if not self._may_start(run, sounds, i):
                out.append(run[i])
                i += 1
                continue
            top = min(longest, n - i)
            # The longest window that may still be a policy word or sound: beyond it, only a
            # shape slip of a known length (by its head or its tail) is worth a look.
            reach = 2
            while reach <= top and (run[i:i + reach] in word_prefixes or sounds[i:i + reach] in sound_prefixes):
                reach += 1
            head_lengths = shape_lengths.get(run[i:i + 2], ())
            term = size = None
            for size in range(top, 1, -1):
                if size >= reach and (size < 4 or (size not in head_lengths and size not in shape_lengths.get(
                        run[i + size - 2:i + size], ()))):
                    continue  # no word, sound or shape repair of this length starts here
                window = run[i:i + size]
                if window in self._vocabulary:
                    term = window
                    break
                # What the window would be repaired to, were it free to change; most windows have
                # nothing, and then the costlier checks below are not needed.
                term = self._homophones.get(sounds[i:i + size])
                # A slip changes one character (不贴 → 补贴); a whole different word that only
                # sounds alike (钱一 → 迁移) is not a slip.
                if term and sum(a != b for a, b in zip(window, term)) > 1:
                    term = None
                # A shape slip (营业收人 → 营业收入) leaves a piece that is no word; 招工补贴 is two
                # real words, not a slip for 招商补贴.
                # One changed character leaves the first or the last two intact, and the length:
                # a cheap filter.
                shape_slip = False
                if term is None and size >= 4 and (size in head_lengths
                                                   or size in shape_lengths.get(window[-2:], ())):
                    term = next((t for j in range(size)
                                 if (t := self._one_off.get(window[:j] + "?" + window[j + 1:]))), None)
                    shape_slip = term is not None
                if term is None or self._known(window):
                    term = None
                    continue
                # A repair may not cut through a real word (see _inside_words).
                if inside is None:
                    inside = self._inside_words(run)
                if i in inside or (i + size) in inside:
                    term = None
                    continue
                if shape_slip and self._all_words(window):
                    term = None
                if term:
                    break
            if term:
                out.append(term)
                i += size
            else:
                out.append(run[i])
                i += 1
        return "".join(out)

    # -- tokens -------------------------------------------------------------------------------
    def words(self, normalized: str) -> list[str]:
        """Content words: jieba tokens and English words, synonyms mapped, stop words dropped."""
        memo = self.__dict__.get("_token_words")
        if memo is None:
            memo = self._token_words = _TokenWords(self._words_of_token)
        # English phrases and pinyin spellings are in Latin letters: a text without one (most
        # Chinese questions) holds neither, and the two passes over it are not needed.
        if _LATIN_LETTER.search(normalized) is not None or not self._latin_spellings():
            normalized = self.lexicon.read_english_phrases(normalized)
            if " " in normalized and self._pinyin_prefixes:
                normalized = self._join_pinyin(normalized)
        # (each token's words looked up in C; a token seen for the first time is read by the memo)
        return list(chain.from_iterable(map(memo.__getitem__, self.cut(normalized))))

    def _latin_spellings(self) -> bool:
        """Do all English phrases and pinyin spellings hold a Latin letter? (They do: the check
        keeps words() right should a lexicon ever hold one without.)"""
        known = self.__dict__.get("_all_latin")
        if known is None:
            known = self._all_latin = all(_LATIN_LETTER.search(word) for word in chain(
                self.lexicon.english_phrases, self._pinyin_words))
        return known

    def _join_pinyin(self, text: str) -> str:
        """The text with a policy word's pinyin typed in pieces as one word ("renli ziyuan fuwu
        quan" → "renli ziyuan fuwuquan", "pin pai" → "pinpai"), longest first, up to four pieces."""
        words = text.split(" ")
        table, prefixes = self._pinyin_words, self._pinyin_prefixes
        # Most questions have no two neighbouring words that begin a spelling: one pass to tell.
        reach = self._pinyin_reach
        # (the words that begin a spelling found in C; a pair made only after one of them)
        if not any(words[i] + words[i + 1] in reach
                   for i in compress(range(len(words) - 1), map(prefixes.__contains__, words))):
            return text
        out, i, changed = [], 0, False
        while i < len(words):
            word = words[i]
            if word in prefixes and word.isascii():
                for k in (4, 3, 2):
                    joined = "".join(words[i:i + k])
                    if i + k <= len(words) and joined in table and joined.isalpha():
                        out.append(joined)
                        i += k
                        changed = True
                        break
                else:
                    out.append(word)
                    i += 1
            else:
                out.append(word)
                i += 1
        return " ".join(out) if changed else text

    def _words_of_token(self, token: str) -> tuple[str, ...]:
        """The content words of one jieba token (none, one, or an English word and its Chinese term)."""
        lex = self.lexicon
        token = token.strip()
        if not token or (token.isascii() and len(token) < 2):
            return ()  # stray letters and digits say nothing about the question
        words = []
        if token.isascii() and _ENGLISH_WORD.fullmatch(token):
            if token in lex.stopwords:
                return ()
            chinese = self._pinyin_words.get(token)
            if chinese is not None:
                chinese = lex.synonyms.get(chinese, chinese)
                return (chinese, token) if chinese not in lex.stopwords else (token,)
            token = stem(token)
            token = lex.english_synonyms.get(token, token)
            chinese = lex.english_to_chinese.get(token)
            if chinese and chinese not in lex.stopwords:
                words.append(chinese)
            elif chinese is None:  # no hand bridge: the dictionary's, if any
                words.extend(self._dictionary_words.get(token, ()))
        else:
            token = lex.synonyms.get(token, token)
        if token not in lex.stopwords:
            words.append(token)
        return tuple(words)

    @staticmethod
    def bigrams(normalized: str) -> list[str]:
        """Character bigrams of the CJK runs: robust where segmentation differs."""
        grams = []
        for run in _CJK_RUN.findall(normalized):
            grams.extend(map(add, run, run[1:]))  # run[i:i + 2] for each i, made in C
        return grams
