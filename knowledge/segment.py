"""Segmentation: jieba with the policy's own dictionary, synonyms, stop words and typo repair.

Start-up time matters (``policybot ask`` runs as a whole process), so two things are built once
and cached in the user's cache folder: a trimmed copy of jieba's dictionary (the rare words cost
most of its load time and never matter here) and a character → pinyin table (so pypinyin is not
imported on every start).
"""
from __future__ import annotations

import logging
import marshal
import os
import re
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from knowledge.english import bridge_table, stem, stem_synonyms
from knowledge.normalize import is_cjk

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
CACHE_VERSION = "1"

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_ENGLISH_WORD = re.compile(r"[a-z][a-z'\-]*")
_JIEBA_BLOCK = re.compile(r"[\u4e00-\u9fd5]+")  # the CJK characters jieba keeps in one block


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


def _trimmed_dictionary(folder: Path) -> Path:
    jieba = _import_jieba()

    path = folder / f"jieba-dict-min{MIN_WORD_FREQ}-v{CACHE_VERSION}.txt"
    if not path.exists():
        source = Path(jieba.__file__).resolve().parent / "dict.txt"
        kept = []
        with source.open(encoding="utf-8") as lines:
            for line in lines:
                parts = line.split(" ")
                if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) >= MIN_WORD_FREQ:
                    kept.append(line if line.endswith("\n") else line + "\n")
        _atomic_write(path, "".join(kept).encode("utf-8"))
    return path


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
    )


def _import_jieba():
    """Import jieba without pkg_resources, which it only uses to find its own files.

    Importing pkg_resources costs about 0.3 s, a fifth of the cold-start budget of
    ``policybot ask``; with it unavailable jieba falls back to plain file paths.
    """
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba

        return jieba
    sys.modules["pkg_resources"] = None  # makes `import pkg_resources` raise ImportError
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


def _word_graph(tokenizer, sentence: str) -> dict[int, list[int]]:
    """jieba's ``get_DAG`` with the dictionary in a local name: the same graph, in less time."""
    freq = tokenizer.FREQ
    n = len(sentence)
    graph = {}
    for k in range(n):
        ends = []
        i = k
        frag = sentence[k]
        while i < n and frag in freq:
            if freq[frag]:
                ends.append(i)
            i += 1
            frag = sentence[k:i + 1]
        if not ends:
            ends.append(k)
        graph[k] = ends
    return graph


def _fast_calc(tokenizer, graphs: dict):
    """jieba's best-route search with each word's log-probability looked up once, not per use,
    and the route of a text kept with its word graph (typo repair and segmentation both need it).

    Same arithmetic, same order, same tie-break as ``jieba.Tokenizer.calc``: the routes are equal.
    """
    from math import log

    freq = tokenizer.FREQ
    cache: dict[str, float] = {}
    state = {"total": None}

    def calc(sentence, dag, route):
        if state["total"] != tokenizer.total:  # a word was added: the probabilities moved
            cache.clear()
            state["total"] = tokenizer.total
            state["logtotal"] = log(tokenizer.total)
        kept = graphs.get(sentence)
        if kept is not None and kept[0] is dag and kept[1] is not None:
            route.update(kept[1])
            return
        logtotal = state["logtotal"]
        n = len(sentence)
        route[n] = (0, 0)
        for idx in range(n - 1, -1, -1):
            ends = dag[idx]
            best = None
            for x in ends:
                word = sentence[idx:x + 1]
                p = cache.get(word)
                if p is None:
                    p = cache[word] = log(freq.get(word) or 1) - logtotal
                candidate = (p + route[x + 1][0], x)
                if best is None or candidate > best:
                    best = candidate
            route[idx] = best
        if kept is not None and kept[0] is dag:
            kept[1] = dict(route)

    return calc


class Segmenter:
    """Turns normalised text into matching tokens; one instance per loaded knowledge base."""

    def __init__(self, extra_words: list[str] = ()):
        jieba = _import_jieba()

        jieba.setLogLevel(logging.WARNING)
        folder = cache_dir()
        tokenizer = jieba.Tokenizer(str(_trimmed_dictionary(folder)))
        tokenizer.tmp_dir = str(folder)
        tokenizer.initialize()
        tokenizer.load_userdict(str(USER_DICT))
        self.lexicon = load_lexicon()
        words = set(extra_words) | set(self.lexicon.synonyms) | set(self.lexicon.synonyms.values())
        for word in sorted(words):
            if len(word) >= 2 and not word.isascii() and tokenizer.FREQ.get(word, 0) < 1000:
                tokenizer.add_word(word, 1000)
        # Typo repair and word segmentation both build jieba's word graph of the same text: keep
        # the graphs of recent texts (the graph depends only on the text and the dictionary).
        # Each text maps to [graph, best route or None].
        graphs: dict[str, list] = {}

        def get_dag(sentence: str) -> dict:
            kept = graphs.get(sentence)
            if kept is None:
                if len(graphs) >= 20000:
                    graphs.clear()
                kept = graphs[sentence] = [_word_graph(tokenizer, sentence), None]
            return kept[0]

        tokenizer.get_DAG = get_dag
        tokenizer.calc = _fast_calc(tokenizer, graphs)
        self._graphs = graphs
        self.tokenizer = tokenizer
        self._pinyin = pinyin_table()
        self._homophones: dict[tuple[str, ...], str] = {}
        self._one_off: dict[str, str] = {}
        self._vocabulary: set[str] = set()
        self._longest = 0
        self._heads: set[str] = set()
        self._tails: set[str] = set()
        self._shapes: set[tuple[str, int]] = set()
        self._starts: set[str] = set()
        self._sound_starts: set[tuple[str, ...]] = set()
        self._logp: dict[str, float] = {}
        self._logp_total = None
        self._logtotal = 0.0

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
        self._graphs.clear()
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
        # A shape slip keeps the length of its word: (head or tail, length) pairs that can be one.
        self._shapes = {(t[:2], len(t)) for t in self._one_off.values()} | {
            (t[-2:], len(t)) for t in self._one_off.values()}
        # What a repair can start with: a run with none of these at a position keeps that
        # character as it is, without looking at its windows one by one.
        self._starts = {t[:2] for t in vocabulary} | self._heads
        self._sound_starts = {k[:2] for k in self._homophones}

    # -- jieba, without its generator layers ----------------------------------------------------
    # The same dictionary walk, route search and HMM fallback as jieba's accurate mode, in plain
    # loops over lists: the same words, in about half the time.
    def _best_ends(self, sentence: str) -> list[int]:
        """For each position, where jieba's best route ends the word that starts there."""
        from math import log

        tokenizer = self.tokenizer
        freq = tokenizer.FREQ
        if self._logp_total != tokenizer.total:  # a word was added: the probabilities moved
            self._logp = {}
            self._logp_total = tokenizer.total
            self._logtotal = log(tokenizer.total)
        logp, logtotal = self._logp, self._logtotal
        n = len(sentence)
        scores = [0] * (n + 1)
        ends = [0] * n
        for k in range(n - 1, -1, -1):
            best = best_end = None
            i = k
            frag = sentence[k]
            while i < n:  # the words of the dictionary that start at k
                count = freq.get(frag)  # None: no word starts so (the dictionary has all prefixes)
                if count is None:
                    break
                if count:
                    p = logp.get(frag)
                    if p is None:
                        p = logp[frag] = log(freq.get(frag) or 1) - logtotal
                    score = p + scores[i + 1]
                    if best is None or score >= best:  # a tie goes to the longer word, as in jieba
                        best, best_end = score, i
                i += 1
                frag = sentence[k:i + 1]
            if best is None:  # no word starts here: the character alone
                frag = sentence[k]
                p = logp.get(frag)
                if p is None:
                    p = logp[frag] = log(freq.get(frag) or 1) - logtotal
                best, best_end = p + scores[k + 1], k
            scores[k] = best
            ends[k] = best_end
        return ends

    def _pieces(self, run: str) -> list[str]:
        """``tokenizer.lcut(run, HMM=False)`` for a run of Chinese characters (one jieba block, in
        which no ASCII letters are merged)."""
        if not _JIEBA_BLOCK.fullmatch(run):  # rare characters jieba splits off: its own way
            return self.tokenizer.lcut(run, HMM=False)
        ends = self._best_ends(run)
        pieces = []
        x, n = 0, len(run)
        while x < n:
            y = ends[x] + 1
            pieces.append(run[x:y])
            x = y
        return pieces

    def cut(self, text: str) -> list[str]:
        """``tokenizer.lcut(text)``: jieba's accurate mode with the HMM for unknown words."""
        import jieba

        han, skip = jieba.re_han_default, jieba.re_skip_default
        out: list[str] = []
        for block in han.split(text):
            if not block:
                continue
            if han.match(block):
                self._cut_block(block, out)
            else:
                for piece in skip.split(block):
                    if skip.match(piece):
                        out.append(piece)
                    else:
                        out.extend(piece)
        return out

    def _cut_block(self, sentence: str, out: list[str]) -> None:
        from jieba import finalseg

        freq = self.tokenizer.FREQ
        ends = self._best_ends(sentence)
        x, n = 0, len(sentence)
        buf = ""
        while x <= n:
            if x < n:
                y = ends[x] + 1
                if y - x == 1:
                    buf += sentence[x]
                    x = y
                    continue
            # Single characters in a row: one stays, a known word splits, the rest goes to the HMM.
            if buf:
                if len(buf) == 1:
                    out.append(buf)
                elif not freq.get(buf):
                    out.extend(finalseg.cut(buf))
                else:
                    out.extend(buf)
                buf = ""
            if x == n:
                break
            out.append(sentence[x:y])
            x = y

    def _all_words(self, text: str) -> bool:
        pieces = self._pieces(text)
        return all(len(p) >= 2 and self._known(p) for p in pieces)

    def _known(self, word: str) -> bool:
        return word in self._vocabulary or self.tokenizer.FREQ.get(word, 0) > 0

    def repair(self, text: str) -> str:
        """Fix pinyin-input slips (房租不贴 → 房租补贴, 营业收人 → 营业收入) in CJK runs."""
        if not self._homophones:
            return text
        return _CJK_RUN.sub(lambda m: self._repaired(m.group(0)), text)

    def _repaired(self, run: str) -> str:
        # Runs recur across questions (房租补贴, 怎么申请): each is repaired once.
        cache = self.__dict__.setdefault("_repair_cache", {})
        fixed = cache.get(run)
        if fixed is None:
            fixed = self._repair_run(run)
            if len(cache) >= REPAIR_CACHE_SIZE:
                cache.clear()
            cache[run] = fixed
        return fixed

    def _candidates(self, run: str, sounds: tuple[str, ...]) -> list[bool]:
        """Per position: could a repair or a policy word start there? (Most positions cannot.)"""
        tails = self._tails
        tail_at = [run[j:j + 2] in tails for j in range(len(run))]
        starts, sound_starts = self._starts, self._sound_starts
        # A one-off repair of 4 to 6 characters needs a known head at i or a known tail ending it.
        return [run[i:i + 2] in starts or sounds[i:i + 2] in sound_starts or any(tail_at[i + 2:i + 5])
                for i in range(len(run))]

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

    def _repair_run(self, run: str) -> str:
        sounds = tuple(self._pinyin.get(c, c) for c in run)
        possible = self._candidates(run, sounds)
        if not any(possible):
            return run
        inside = None  # found only when a repair is in sight: most runs never need it
        longest = min(6, self._longest)
        i, out = 0, []
        while i < len(run):
            if not possible[i]:
                out.append(run[i])
                i += 1
                continue
            term = size = None
            for size in range(min(longest, len(run) - i), 1, -1):
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
                if term is None and size >= 4 and ((window[:2], size) in self._shapes
                                                   or (window[-2:], size) in self._shapes):
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
        lex = self.lexicon
        tokens = []
        for token in self.cut(normalized):
            token = token.strip()
            if not token or (token.isascii() and len(token) < 2):
                continue  # stray letters and digits say nothing about the question
            if token.isascii() and _ENGLISH_WORD.fullmatch(token):
                if token in lex.stopwords:
                    continue
                token = stem(token)
                token = lex.english_synonyms.get(token, token)
                chinese = lex.english_to_chinese.get(token)
                if chinese and chinese not in lex.stopwords:
                    tokens.append(chinese)
            else:
                token = lex.synonyms.get(token, token)
            if token in lex.stopwords:
                continue
            tokens.append(token)
        return tokens

    @staticmethod
    def bigrams(normalized: str) -> list[str]:
        """Character bigrams of the CJK runs: robust where segmentation differs."""
        grams = []
        for run in _CJK_RUN.findall(normalized):
            grams.extend(run[i:i + 2] for i in range(len(run) - 1))
        return grams
