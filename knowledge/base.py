"""The clause entries: loading the TOML files, validating them, and finding one.

Each file in ``knowledge/entries/`` is one entry; ``policybot knowledge check`` validates them all
and names the file and field of every problem.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PACKAGE_DIR = Path(__file__).resolve().parent
ENTRIES_DIR = PACKAGE_DIR / "entries"
POLICY_FILE = PACKAGE_DIR / "policy.txt"

ARTICLES = range(0, 20)
CHAPTERS = {"序", "一", "二", "三", "四", "五", "专题"}
KINDS = {"article", "topic"}
MIN_QUESTIONS = 12
_CN_DIGITS = "零一二三四五六七八九"


def article_name(number: int) -> str:
    """第五条 for 5, 第十四条 for 14; the preamble (0) is 政策序言."""
    if number == 0:
        return "政策序言"
    if number < 10:
        return f"第{_CN_DIGITS[number]}条"
    tens, ones = divmod(number, 10)
    prefix = "" if tens == 1 else _CN_DIGITS[tens]
    return f"第{prefix}十{_CN_DIGITS[ones] if ones else ''}条"


def citation(clauses) -> str:
    """The citation users see at the end of an answer: 「第五条、第十四条」, 「第一条至第十五条」."""
    parts, run = [], []
    for number in list(clauses) + [None]:
        if run and number is not None and number == run[-1] + 1 and run[0] != 0:
            run.append(number)
            continue
        if len(run) >= 3:  # a long run reads better as a range
            parts.append(f"{article_name(run[0])}至{article_name(run[-1])}")
        else:
            parts.extend(article_name(n) for n in run)
        run = [number] if number is not None else []
    return "「" + "、".join(parts) + "」"


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    clauses: tuple[int, ...]
    chapter: str
    title: str
    title_en: str
    text: str
    answer: str
    answer_en: str
    keywords: tuple[str, ...]
    questions: tuple[str, ...]
    questions_en: tuple[str, ...]
    related: tuple[str, ...]
    source: str = ""
    en_button: str = ""     # a short English title for buttons (≤ EN_BUTTON_MAX characters, whole words)
    # The policy states nothing on the entry's subject (how to apply, whom to call): its answer
    # says so and refers to 区人社局, so it is never a confident answer resting on an article.
    policy_silent: bool = False

    @property
    def article(self) -> int:
        """The main article the entry rests on."""
        return self.clauses[0]

    @property
    def citation(self) -> str:
        return citation(self.clauses)


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge files cannot be loaded; str() lists each problem on its own line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@lru_cache(maxsize=1)
def policy_text() -> str:
    return POLICY_FILE.read_text(encoding="utf-8")


_STR_FIELDS = ("id", "kind", "chapter", "title", "title_en", "text", "answer", "answer_en")
_LIST_FIELDS = ("keywords", "questions", "questions_en", "related")
EN_BUTTON_MAX = 24


def _read_entry(path: Path, problems: list[Problem]) -> Entry | None:
    name = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem(name, "(file)", f"not valid TOML: {exc}"))
        return None
    ok = True
    for key in _STR_FIELDS:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(name, key, "missing or empty text"))
            ok = False
    for key in _LIST_FIELDS:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problems.append(Problem(name, key, "must be a list of non-empty strings"))
            ok = False
    clauses = data.get("clauses")
    if (not isinstance(clauses, list) or not clauses
            or not all(isinstance(n, int) and not isinstance(n, bool) and n in ARTICLES for n in clauses)):
        problems.append(Problem(name, "clauses", "must be a non-empty list of article numbers 0-19"))
        ok = False
    en_button = data.get("en_button", "")
    if not isinstance(en_button, str) or len(en_button.strip()) > EN_BUTTON_MAX or not en_button.isascii():
        problems.append(Problem(name, "en_button", f"must be ASCII text of at most {EN_BUTTON_MAX} characters"))
        ok = False
    policy_silent = data.get("policy_silent", False)
    if not isinstance(policy_silent, bool):
        problems.append(Problem(name, "policy_silent", "must be true or false"))
        ok = False
    unknown = set(data) - set(_STR_FIELDS) - set(_LIST_FIELDS) - {"clauses", "en_button", "policy_silent"}
    for key in sorted(unknown):
        problems.append(Problem(name, key, "unknown field"))
    if not ok:
        return None
    return Entry(
        id=data["id"].strip(), kind=data["kind"].strip(), clauses=tuple(clauses),
        chapter=data["chapter"].strip(), title=data["title"].strip(), title_en=data["title_en"].strip(),
        text=data["text"].strip(), answer=data["answer"].strip(), answer_en=data["answer_en"].strip(),
        keywords=tuple(k.strip() for k in data.get("keywords", [])),
        questions=tuple(q.strip() for q in data.get("questions", [])),
        questions_en=tuple(q.strip() for q in data.get("questions_en", [])),
        related=tuple(r.strip() for r in data.get("related", [])),
        source=name, en_button=en_button.strip(), policy_silent=policy_silent,
    )


def _check_entry(entry: Entry, policy: str, problems: list[Problem]) -> None:
    name = entry.source
    if entry.kind not in KINDS:
        problems.append(Problem(name, "kind", f"must be one of {sorted(KINDS)}"))
    if entry.chapter not in CHAPTERS:
        problems.append(Problem(name, "chapter", "must be 序, 一 … 五, or 专题"))
    if entry.kind == "article" and len(entry.clauses) != 1:
        problems.append(Problem(name, "clauses", "an article entry covers exactly one article"))
    if _squash(entry.text) not in policy:
        problems.append(Problem(name, "text", "not found verbatim in knowledge/policy.txt"))
    if not entry.answer.rstrip("。）) ").endswith(citation(entry.clauses)):
        problems.append(Problem(name, "answer", f"must end with its citation {citation(entry.clauses)}"))
    if len(entry.questions) < MIN_QUESTIONS:
        problems.append(Problem(name, "questions", f"needs at least {MIN_QUESTIONS}, has {len(entry.questions)}"))
    if not entry.keywords:
        problems.append(Problem(name, "keywords", "needs at least one keyword"))
    for field, values in (("questions", entry.questions), ("keywords", entry.keywords)):
        seen = set()
        for value in values:
            if value in seen:
                problems.append(Problem(name, field, f"duplicate {value!r}"))
            seen.add(value)


def load_entries(directory: Path | str | None = None) -> tuple[list[Entry], list[Problem]]:
    """Read every entry file; return the entries that loaded and every problem found."""
    folder = Path(directory) if directory else ENTRIES_DIR
    problems: list[Problem] = []
    if not folder.is_dir():
        return [], [Problem(str(folder), "(folder)", "no such folder")]
    entries: list[Entry] = []
    policy = _squash(policy_text())
    for path in sorted(folder.glob("*.toml")):
        entry = _read_entry(path, problems)
        if entry is None:
            continue
        _check_entry(entry, policy, problems)
        entries.append(entry)
    ids: dict[str, str] = {}
    for entry in entries:
        if entry.id in ids:
            problems.append(Problem(entry.source, "id", f"{entry.id!r} is also used by {ids[entry.id]}"))
        ids[entry.id] = entry.source
    for entry in entries:
        for ref in entry.related:
            if ref not in ids:
                problems.append(Problem(entry.source, "related", f"no entry with id {ref!r}"))
    covered = {e.clauses[0] for e in entries if e.kind == "article"}
    for number in ARTICLES:
        if number not in covered:
            problems.append(Problem(str(folder.name), "(entries)", f"no article entry for {article_name(number)}"))
    return entries, problems


@lru_cache(maxsize=1)
def _default_entries() -> tuple[Entry, ...]:
    entries, _problems = load_entries()
    return tuple(entries)


def reload_entries() -> None:
    """Forget the cached entries (and the matcher's index) so the next call reads the files again."""
    _default_entries.cache_clear()
    from knowledge import matcher

    matcher.reset_index()


def all_entries() -> list[Entry]:
    return list(_default_entries())


def get_entry(entry_id: str) -> Entry:
    for entry in _default_entries():
        if entry.id == entry_id:
            return entry
    raise KeyError(entry_id)


def article_entry(number: int) -> Entry:
    for entry in _default_entries():
        if entry.kind == "article" and entry.clauses[0] == number:
            return entry
    raise KeyError(number)


def check_entries_command(args) -> int:
    """``policybot knowledge check``: print each problem as ``file: field: message``."""
    entries, problems = load_entries(getattr(args, "dir", None))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {len(entries)} entries.", file=sys.stderr)
        return 1
    questions = sum(len(e.questions) for e in entries)
    print(f"OK: {len(entries)} entries, articles 0-19 covered, {questions} example questions.")
    return 0
