"""``policybot eval``: score the matcher on a labelled question file, optionally beside a baseline.

File format: one ``question<TAB>labels`` per line; labels are comma-separated article numbers
0–19, or ``none`` for a question the policy does not cover. Lines starting with ``#`` are skipped.
"""
from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class LabelledQuestion:
    question: str
    labels: frozenset[int]  # empty: out of scope
    line: int

    @property
    def in_scope(self) -> bool:
        return bool(self.labels)


class EvalFileError(ValueError):
    pass


def read_questions(path: Path | str) -> list[LabelledQuestion]:
    rows = []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise EvalFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise EvalFileError(f"{path} is not UTF-8 text") from exc
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if "\t" not in line:
            raise EvalFileError(f"{path}:{number}: expected question<TAB>labels")
        question, raw = line.rsplit("\t", 1)
        raw = raw.strip()
        if raw.lower() == "none":
            labels: frozenset[int] = frozenset()
        else:
            try:
                labels = frozenset(int(x) for x in raw.split(","))
            except ValueError:
                raise EvalFileError(f"{path}:{number}: labels must be article numbers 0-19 or none, got {raw!r}")
            if not all(0 <= n <= 19 for n in labels):
                raise EvalFileError(f"{path}:{number}: labels must be article numbers 0-19, got {raw!r}")
        rows.append(LabelledQuestion(question.strip(), labels, number))
    if not rows:
        raise EvalFileError(f"{path}: no labelled questions")
    return rows


@dataclass
class Prediction:
    confident: bool
    ranked: list[tuple[int, ...]]  # clauses of the top matches, best first
    titles: list[str] = field(default_factory=list)


@dataclass
class Report:
    name: str
    top1: float
    top3: float
    rejection: float
    p50_ms: float
    p99_ms: float
    misses: list[str]


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
    return ordered[k]


def score(name: str, questions: list[LabelledQuestion], predict) -> Report:
    predict(questions[0].question)  # warm-up: the index is built once, outside the timings
    hits1 = hits3 = rejected = in_scope = out_scope = 0
    latencies: list[float] = []
    misses: list[str] = []
    for q in questions:
        start = time.perf_counter()
        prediction: Prediction = predict(q.question)
        latencies.append((time.perf_counter() - start) * 1000)
        got = " | ".join(f"{'/'.join(map(str, c))} {t}" for c, t in zip(prediction.ranked, prediction.titles))
        if q.in_scope:
            in_scope += 1
            top1 = prediction.confident and prediction.ranked and q.labels & set(prediction.ranked[0])
            top3 = any(q.labels & set(c) for c in prediction.ranked[:3])
            hits1 += bool(top1)
            hits3 += bool(top3)
            if not top1:
                why = "not confident" if not prediction.confident else "wrong top"
                misses.append(f"  line {q.line}: [{why}] {q.question}  want {sorted(q.labels)}  got {got}")
        else:
            out_scope += 1
            if not prediction.confident:
                rejected += 1
            else:
                misses.append(f"  line {q.line}: [answered out-of-scope] {q.question}  got {got}")
    return Report(
        name=name,
        top1=hits1 / in_scope if in_scope else 1.0,
        top3=hits3 / in_scope if in_scope else 1.0,
        rejection=rejected / out_scope if out_scope else 1.0,
        p50_ms=_percentile(latencies, 0.50),
        p99_ms=_percentile(latencies, 0.99),
        misses=misses,
    )


def matcher_predict(question: str) -> Prediction:
    from knowledge.matcher import match_question

    result = match_question(question)
    return Prediction(
        confident=result.confident,
        ranked=[m.entry.clauses for m in result.matches],
        titles=[m.entry.title for m in result.matches],
    )


class BaselineBM25:
    """Plain BM25 over jieba tokens of the article texts: no policy dictionary, no synonyms."""

    def __init__(self):
        import logging

        import jieba

        from knowledge.base import all_entries

        jieba.setLogLevel(logging.WARNING)
        self.tokenizer = jieba.Tokenizer()
        self.docs = [(e.clauses, e.title, self._tokens(e.text)) for e in all_entries() if e.kind == "article"]
        n = len(self.docs)
        df: dict[str, int] = {}
        for _c, _t, tokens in self.docs:
            for token in set(tokens):
                df[token] = df.get(token, 0) + 1
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self.avg = sum(len(d[2]) for d in self.docs) / n

    def _tokens(self, text: str) -> list[str]:
        return [t for t in self.tokenizer.lcut(text.lower()) if t.strip() and any(c.isalnum() for c in t)]

    def __call__(self, question: str) -> Prediction:
        terms = set(self._tokens(question))
        scored = []
        for clauses, title, tokens in self.docs:
            total = 0.0
            length = len(tokens)
            for term in terms:
                f = tokens.count(term)
                if f:
                    total += self.idf[term] * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * length / self.avg))
            scored.append((total, clauses, title))
        scored.sort(key=lambda s: -s[0])
        top = [s for s in scored[:3] if s[0] > 0]
        return Prediction(confident=bool(top), ranked=[s[1] for s in top], titles=[s[2] for s in top])


def format_report(report: Report, count: int) -> str:
    return (f"{report.name}: top-1 {report.top1:.3f}  top-3 {report.top3:.3f}  "
            f"out-of-scope rejection {report.rejection:.3f}  "
            f"latency p50 {report.p50_ms:.2f} ms  p99 {report.p99_ms:.2f} ms  ({count} questions)")


def run_eval_command(args) -> int:
    try:
        questions = read_questions(args.file)
    except EvalFileError as exc:
        print(f"policybot: {exc}", file=sys.stderr)
        return 2
    report = score("matcher", questions, matcher_predict)
    in_scope = sum(q.in_scope for q in questions)
    print(f"{len(questions)} questions: {in_scope} in scope, {len(questions) - in_scope} out of scope")
    print(format_report(report, len(questions)))
    if args.baseline:
        baseline = score("baseline BM25", questions, BaselineBM25())
        print(format_report(baseline, len(questions)))
        print(f"gain over baseline: top-1 {report.top1 - baseline.top1:+.3f}  top-3 {report.top3 - baseline.top3:+.3f}  "
              f"rejection {report.rejection - baseline.rejection:+.3f}")
    if report.misses:
        print(f"misses ({len(report.misses)}):")
        print("\n".join(report.misses))
    else:
        print("misses: none")
    failures = []
    if report.top1 < args.min_top1:
        failures.append(f"top-1 {report.top1:.3f} < {args.min_top1}")
    if report.top3 < args.min_top3:
        failures.append(f"top-3 {report.top3:.3f} < {args.min_top3}")
    if report.rejection < args.min_reject:
        failures.append(f"rejection {report.rejection:.3f} < {args.min_reject}")
    if args.max_p99_ms is not None and report.p99_ms > args.max_p99_ms:
        failures.append(f"p99 {report.p99_ms:.2f} ms > {args.max_p99_ms} ms")
    if failures:
        print("BELOW THRESHOLD: " + "; ".join(failures))
        return 1
    return 0
