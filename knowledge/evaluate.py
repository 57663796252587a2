"""``policybot eval``: score the matcher on a labelled question file, optionally beside a baseline.

File format: one ``question<TAB>labels`` per line; labels are comma-separated article numbers
0–19, or ``none`` for a question the policy does not cover. Lines starting with ``#`` are skipped.
"""
from __future__ import annotations

import math
import re
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
    clarify: list[tuple[int, ...]] = field(default_factory=list)  # clauses of the options offered


@dataclass
class Report:
    name: str
    top1: float
    top3: float
    rejection: float
    p50_ms: float
    p99_ms: float
    misses: list[str]
    wrong_in_scope: float = 0.0   # confident answers whose top article is not among the labels
    wrong_out_of_scope: float = 0.0  # confident answers to questions the policy does not cover
    clarified: float = 0.0        # share of questions answered with a clarifying question
    predictions: list = field(default_factory=list, repr=False)  # one per question, in order


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
    return ordered[k]


def score(name: str, questions: list[LabelledQuestion], predict) -> Report:
    predict(questions[0].question)  # warm-up: the index is built once, outside the timings
    predictions, latencies = [], []
    for q in questions:
        start = time.perf_counter()
        predictions.append(predict(q.question))
        latencies.append((time.perf_counter() - start) * 1000)
    return score_predictions(name, questions, predictions, latencies)


def score_predictions(name: str, questions: list[LabelledQuestion], predictions: list[Prediction],
                      latencies: list[float] = ()) -> Report:
    """Top-1 (a confident, correct answer), top-3 (a correct article among the three best or among
    the options of a clarifying question), rejection of questions the policy does not cover, and
    confident wrong answers, in scope and out of scope separately."""
    hits1 = hits3 = rejected = in_scope = out_scope = wrong_in = wrong_out = clarified = 0
    misses: list[str] = []
    for q, prediction in zip(questions, predictions):
        got = " | ".join(f"{'/'.join(map(str, c))} {t}" for c, t in zip(prediction.ranked, prediction.titles))
        clarified += bool(prediction.clarify)
        if q.in_scope:
            in_scope += 1
            top1 = prediction.confident and prediction.ranked and q.labels & set(prediction.ranked[0])
            top3 = (any(q.labels & set(c) for c in prediction.ranked[:3])
                    or any(q.labels & set(c) for c in prediction.clarify))
            hits1 += bool(top1)
            hits3 += bool(top3)
            if prediction.confident and not top1:
                wrong_in += 1
            if not top1:
                why = ("wrong top" if prediction.confident else
                       "clarify " + ("ok" if any(q.labels & set(c) for c in prediction.clarify) else "wrong")
                       if prediction.clarify else "not confident")
                misses.append(f"  line {q.line}: [{why}] {q.question}  want {sorted(q.labels)}  got {got}")
        else:
            out_scope += 1
            if prediction.confident:
                wrong_out += 1
                misses.append(f"  line {q.line}: [answered out-of-scope] {q.question}  got {got}")
            elif prediction.clarify:
                misses.append(f"  line {q.line}: [clarify out-of-scope] {q.question}  got {got}")
            else:
                rejected += 1
    return Report(
        name=name,
        top1=hits1 / in_scope if in_scope else 1.0,
        top3=hits3 / in_scope if in_scope else 1.0,
        rejection=rejected / out_scope if out_scope else 1.0,
        p50_ms=_percentile(list(latencies), 0.50),
        p99_ms=_percentile(list(latencies), 0.99),
        misses=misses,
        wrong_in_scope=wrong_in / in_scope if in_scope else 0.0,
        wrong_out_of_scope=wrong_out / out_scope if out_scope else 0.0,
        clarified=clarified / len(questions) if questions else 0.0,
        predictions=list(predictions),
    )


def by_language(questions: list[LabelledQuestion], report: Report) -> list[tuple[str, int, Report]]:
    """The report's figures for the Chinese and the English questions apart, when there are both."""
    from knowledge.model import language_of

    languages = [language_of(q.question) for q in questions]
    if len(set(languages)) < 2 or len(report.predictions) != len(questions):
        return []
    out = []
    for language, name in (("zh", "Chinese"), ("en", "English")):
        rows = [i for i, lang in enumerate(languages) if lang == language]
        part = score_predictions(f"  {name}", [questions[i] for i in rows], [report.predictions[i] for i in rows])
        out.append((name, len(rows), part))
    return out


def _prediction(result) -> Prediction:
    return Prediction(
        confident=result.confident,
        ranked=[m.entry.clauses for m in result.matches],
        titles=[m.entry.title for m in result.matches],
        clarify=[m.entry.clauses for m in getattr(result, "clarify", ())],
    )


def cross_validate(questions: list[LabelledQuestion], k: int, seed: int | None = None) -> Report:
    """K-fold cross-validation: each fold's questions, and every training or example question equal
    to one of them after normalisation, are removed from what the model learns from (training data,
    example and taught questions, the threshold search); the model fitted on the rest scores them."""
    from knowledge import model as learned

    seed = learned.SEED if seed is None else seed
    return held_out(f"{k}-fold cross-validated", questions, learned.folds(len(questions), k, seed))


# A blind lockbox folded into the labelled file starts a section "# -- round N's blind lockbox".
_LOCKBOX_SECTION = re.compile(r"^# -- round (\d+)'s blind lockbox")


def lockbox_rounds(path: Path | str, questions: list[LabelledQuestion], last: int) -> list[tuple[int, list[int]]]:
    """The last ``last`` blind lockboxes folded into the file: (round, positions of its questions
    in ``questions``), oldest first. A section runs to the next "# -- " line."""
    starts = []  # (line number, round or None for another section)
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("# -- "):
            found = _LOCKBOX_SECTION.match(line)
            starts.append((number, int(found.group(1)) if found else None))
    rounds = []
    for (start, round_no), (end, _next) in zip(starts, starts[1:] + [(math.inf, None)]):
        if round_no is not None:
            positions = [i for i, q in enumerate(questions) if start < q.line < end]
            if positions:
                rounds.append((round_no, positions))
    return rounds[-last:] if last else []


def held_out_lockboxes(path: Path | str, questions: list[LabelledQuestion],
                       last: int) -> list[tuple[int, Report, list[LabelledQuestion]]]:
    """Each of the last ``last`` lockboxes folded into the file, scored by a model fitted without it
    (as cross_validate fits without a fold): questions written blind by other hands in another
    round, with trades and wordings the rest of the file may not have, so closer to how a new
    lockbox scores than random folds, whose questions have siblings in the training part."""
    out = []
    for round_no, positions in lockbox_rounds(path, questions, last):
        part = [questions[i] for i in positions]
        report = held_out(f"lockbox-{round_no} held out", questions, [positions], score_only=positions)
        out.append((round_no, report, part))
    return out


def held_out(name: str, questions: list[LabelledQuestion], folds: list[list[int]],
             score_only: list[int] | None = None) -> Report:
    """Each fold's questions, and every training or example question equal to one of them after
    normalisation, removed from what the model learns from; the model fitted on the rest scores
    them. Scores every question, or those at ``score_only``."""
    from dataclasses import replace

    from knowledge import matcher
    from knowledge import model as learned
    from knowledge.base import all_entries

    base_entries = all_entries()
    segmenter = matcher.get_index().segmenter
    labelled, seen = [], set()
    for text, labels in learned.default_labelled() + [(q.question, q.labels) for q in questions]:
        if text not in seen:
            seen.add(text)
            labelled.append((text, labels))
    analysed: dict = {}
    predictions: list[Prediction | None] = [None] * len(questions)
    for fold in folds:
        drop = {matcher._compact(questions[i].question) for i in fold}
        entries = [replace(e, questions=tuple(x for x in e.questions if matcher._compact(x) not in drop),
                           questions_en=tuple(x for x in e.questions_en if matcher._compact(x) not in drop))
                   for e in base_entries]
        index = matcher.build_index(entries, segmenter=segmenter)
        samples, rows = learned.training_samples(entries, labelled, drop=drop)
        model = learned.train(index, samples, rows, analyse_cache=analysed)
        for i in fold:
            predictions[i] = _prediction(matcher.predict(index, model, questions[i].question))
    if score_only is not None:
        return score_predictions(name, [questions[i] for i in score_only], [predictions[i] for i in score_only])
    return score_predictions(name, questions, predictions)


def matcher_predict(question: str) -> Prediction:
    from knowledge.matcher import match_question

    return _prediction(match_question(question))


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


def format_report(report: Report, count: int, questions: list[LabelledQuestion] | None = None) -> str:
    """One line of figures; with the questions, a line each for the Chinese and English ones after it."""
    latency = (f"  latency p50 {report.p50_ms:.2f} ms  p99 {report.p99_ms:.2f} ms" if report.p99_ms else "")
    line = (f"{report.name}: top-1 {report.top1:.3f}  top-3 {report.top3:.3f}  "
            f"out-of-scope rejection {report.rejection:.3f}  "
            f"confident-wrong in scope {report.wrong_in_scope:.3f}  out of scope {report.wrong_out_of_scope:.3f}  "
            f"clarified {report.clarified:.3f}{latency}  ({count} questions)")
    if questions:
        line += "".join("\n" + format_report(part, n) for _name, n, part in by_language(questions, report))
    return line


def run_eval_command(args) -> int:
    try:
        questions = read_questions(args.file)
    except EvalFileError as exc:
        print(f"policybot: {exc}", file=sys.stderr)
        return 2
    report = score("in-sample", questions, matcher_predict)
    in_scope = sum(q.in_scope for q in questions)
    print(f"{len(questions)} questions: {in_scope} in scope, {len(questions) - in_scope} out of scope")
    print(format_report(report, len(questions), questions))
    timing = report
    cv = getattr(args, "cv", None)
    if cv:
        if not 2 <= cv <= len(questions):
            print(f"policybot: --cv needs 2 to {len(questions)} folds", file=sys.stderr)
            return 2
        report = cross_validate(questions, cv, getattr(args, "seed", None))
        print(format_report(report, len(questions), questions))
    lockboxes = getattr(args, "lockboxes", None)
    if lockboxes:
        held = held_out_lockboxes(args.file, questions, lockboxes)
        if not held:
            print(f"policybot: {args.file} holds no blind lockbox section (# -- round N's blind lockbox)",
                  file=sys.stderr)
            return 2
        for _round, part_report, part in held:
            print(format_report(part_report, len(part), part))
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
    if args.max_p99_ms is not None and timing.p99_ms > args.max_p99_ms:
        failures.append(f"p99 {timing.p99_ms:.2f} ms > {args.max_p99_ms} ms")
    max_wrong = getattr(args, "max_wrong", None)
    if max_wrong is not None and report.wrong_in_scope > max_wrong:
        failures.append(f"confident-wrong in scope {report.wrong_in_scope:.3f} > {max_wrong}")
    max_wrong_out = getattr(args, "max_wrong_out", None)
    if max_wrong_out is not None and report.wrong_out_of_scope > max_wrong_out:
        failures.append(f"confident-wrong out of scope {report.wrong_out_of_scope:.3f} > {max_wrong_out}")
    if failures:
        print("BELOW THRESHOLD: " + "; ".join(failures))
        return 1
    return 0
