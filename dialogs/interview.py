"""The interview checklist (interview.toml): which question comes next, and what an answer means."""
from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from decimal import Decimal
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dialogs import parsing

INTERVIEW_FILE = Path(__file__).with_name("interview.toml")
BARE_SMALL_NUMBER = re.compile(r"\s*0*[1-9]\d{0,3}(\.\d+)?\s*")  # 1 … 9999 without a unit
TYPES = ("yesno", "choice", "money", "integer", "money_list")


@dataclass(frozen=True)
class Question:
    key: str
    title: str
    title_en: str
    type: str
    prompt: str
    prompt_en: str
    why: str
    why_en: str
    example: str
    example_en: str
    group: int = 3
    after: str | None = None
    ask_if: dict = field(default_factory=dict)
    choices: tuple = ()
    stop_if: tuple = ()
    stop_reason: str = ""
    stop_reason_en: str = ""
    min: int = 0
    none_is_zero: bool = False

    def name(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title

    def text(self, lang: str) -> str:
        return self.prompt_en if lang == "en" else self.prompt

    def why_text(self, lang: str) -> str:
        return self.why_en if lang == "en" else self.why

    def example_text(self, lang: str) -> str:
        return self.example_en if lang == "en" else self.example

    def articles(self) -> list[int]:
        """The articles the "why" line cites (第N条 / Article N)."""
        return list(_cited_articles(self.why))


@lru_cache(maxsize=None)  # one entry per question of interview.toml; asked on every interview step
def _cited_articles(why: str) -> tuple[int, ...]:
    found = re.findall(r"第([一二三四五六七八九十]+)条", why)
    return tuple(parsing.parse_integer(n) for n in found if parsing.parse_integer(n))


@lru_cache(maxsize=1)
def questions() -> tuple[Question, ...]:
    with INTERVIEW_FILE.open("rb") as fh:
        data = tomllib.load(fh)
    out = []
    for raw in data["question"]:
        raw = dict(raw)
        raw["choices"] = tuple(raw.get("choices", ()))
        raw["stop_if"] = tuple(raw.get("stop_if", ()))
        if raw["type"] not in TYPES:
            raise ValueError(f"interview.toml: question {raw['key']}: unknown type {raw['type']}")
        out.append(Question(**raw))
    return tuple(out)


@lru_cache(maxsize=1)
def by_key() -> dict[str, Question]:
    return {q.key: q for q in questions()}


@lru_cache(maxsize=None)
def _threshold(condition: str) -> tuple[str, int] | None:
    """">=100000000" -> (">=", 100000000); None for anything else."""
    m = re.fullmatch(r"(>=|>)(\d+)", condition)
    return (m.group(1), int(m.group(2))) if m else None


def _holds(condition, value, known: bool) -> bool:
    if isinstance(condition, list):
        return known and value in condition
    if condition == "known":
        return known
    threshold = _threshold(str(condition))
    if threshold and known and isinstance(value, int) and not isinstance(value, bool):
        return value >= threshold[1] if threshold[0] == ">=" else value > threshold[1]
    return False


def applies(q: Question, answers: dict) -> bool:
    """Whether the question is asked, given the answers so far."""
    return all(_holds(cond, answers.get(key), key in answers) for key, cond in q.ask_if.items())


@lru_cache(maxsize=1)
def _condition_keys() -> tuple[str, ...]:
    """The keys any ask_if looks at: the only answers that decide which questions apply."""
    return tuple(sorted({key for q in questions() for key in q.ask_if}))


def applicable(answers: dict) -> list[Question]:
    # One engine step asks this several times of the same answers: worked out once per snapshot of
    # the keys the conditions read (with each value's type, so that True and 1 stay apart).
    snapshot = tuple((key in answers, type(answers.get(key)), answers.get(key)) for key in _condition_keys())
    try:
        return list(_applicable(snapshot))
    except TypeError:  # an unhashable value (a list): work it out directly
        return [q for q in questions() if applies(q, answers)]


@lru_cache(maxsize=256)
def _applicable(snapshot: tuple) -> tuple[Question, ...]:
    answers = {key: value for key, (known, _, value) in zip(_condition_keys(), snapshot) if known}
    return tuple(q for q in questions() if applies(q, answers))


def next_question(answers: dict, skipped: list[str],
                  ranking: list[str] | Callable[[list[str]], list[str]] | None = None,
                  last_key: str | None = None) -> Question | None:
    """The first unanswered, unskipped question whose conditions hold: a follow-up of the question
    just answered first, then by group, then by ``ranking`` (rules.most_valuable_missing), then by
    file order. ``ranking`` may be a function giving it for the keys of the questions it decides
    between (it need rank only those): called only when it decides."""
    open_ = [q for q in applicable(answers) if q.key not in answers and q.key not in skipped]
    if not open_:
        return None
    for q in open_:
        if q.after and q.after in answers and (last_key is None or q.after == last_key):
            return q
    first = min(q.group for q in open_)
    candidates = [q for q in open_ if q.group == first]
    if len(candidates) == 1:
        return candidates[0]
    if callable(ranking):
        ranking = ranking([q.key for q in candidates])
    rank = {k: i for i, k in enumerate(ranking or [])}
    order = {q.key: i for i, q in enumerate(questions())}
    return min(candidates, key=lambda q: (rank.get(q.key, len(rank)), order[q.key]))


def parse_answer(q: Question, text: str):
    """The answer's value for this question, or None when not understood."""
    if q.type == "yesno":
        return parsing.parse_yes_no(text)
    if q.type == "choice":
        return parsing.parse_choice(text, list(q.choices))
    if q.type == "money":
        if BARE_SMALL_NUMBER.fullmatch(parsing.fold(parsing.clean(text))):
            return None  # "80" for a rent is almost surely 80万: ask again, with the unit
        return parsing.parse_money(text, allow_none_words=q.none_is_zero)
    if q.type == "integer":
        n = parsing.parse_integer(text)
        return n if n is not None and n >= max(q.min, 0) and n <= 100 else None
    if q.type == "money_list":
        parts = re.split(r"[、,，;；\s和]+", parsing.fold(parsing.clean(text)))
        if any(BARE_SMALL_NUMBER.fullmatch(p) for p in parts if p):
            return None
        return parsing.parse_money_list(text, allow_none_words=q.none_is_zero)
    return None


def value_from_action(q: Question, raw: str):
    """The value carried by an ``ans:<key>:<value>`` button, or None when it does not fit."""
    if q.type == "yesno":
        return {"yes": True, "no": False}.get(raw)
    if q.type == "choice":
        return raw if any(c["value"] == raw for c in q.choices) else None
    if q.type == "money" and re.fullmatch(r"\d{1,14}", raw) and (raw != "0" or q.none_is_zero):
        return int(raw)  # one of the amounts a message named, or 没有 (0) where that means none
    if not q.none_is_zero:
        return None
    if q.type == "money_list":
        return [] if raw == "none" else None
    return None


def valid_value(q: Question, value) -> bool:
    """Whether a value (e.g. from free-text facts or an old state) fits the question's type."""
    if q.type == "yesno":
        return isinstance(value, bool)
    if q.type == "choice":
        return any(c["value"] == value for c in q.choices)
    if q.type == "money":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if q.type == "integer":
        return isinstance(value, int) and not isinstance(value, bool) and max(q.min, 0) <= value <= 100
    if q.type == "money_list":
        return isinstance(value, list) and all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
    return False


def profile(answers: dict) -> dict:
    """The applicant profile (RULES.md) of the answers: only keys whose questions apply, with the
    ranking "none" as null."""
    out = {}
    for q in applicable(answers):
        if q.key in answers:
            value = answers[q.key]
            out[q.key] = None if (q.key == "ranking" and value == "none") else value
    return out


def display(q: Question, value, lang: str = "zh") -> str:
    """An answer as a person reads it."""
    en = lang == "en"
    if q.type == "yesno":
        return ("yes" if value else "no") if en else ("是" if value else "否")
    if q.type == "choice":
        for c in q.choices:
            if c["value"] == value:
                return c["label_en"] if en else c["label"]
        return str(value)
    if q.type == "money":
        return _yuan(value, en) if value else ("none" if en else "没有（0）")
    if q.type == "integer":
        return str(value)
    if q.type == "money_list":
        if not value:
            return "none" if en else "没有"
        return (", " if en else "、").join(_yuan(v, en) for v in value)
    return str(value)


def _yuan(value: int, en: bool) -> str:
    """Money as people say it: 3.2亿元 from one hundred million up, else 万元; RMB 800,000 in English."""
    from rules import format_rmb, format_wan

    if en:
        return format_rmb(value)

    if value >= 100_000_000 and not en:
        whole = Decimal(value) / 100_000_000
        return f"{whole.normalize():f}亿元"
    return format_wan(value)
