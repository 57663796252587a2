"""A quick held-out screen of the answer model, for comparing one change of features or data with
another in a minute or two (``policybot eval --cv 5`` is the full measure, and takes ten).

    python tests/screen_matcher.py                        # 5 folds over knowledge/questions.tsv
    python tests/screen_matcher.py --only start.tsv       # the figures for these questions only

One model fit per fold over the labelled questions (with everything else the model learns from),
the calibration cross-fitted over the held-out answers, then per language:
- ``coverage``: the share of in-scope questions answered right when confident answers are allowed
  at most 0.5-1.5 % wrong (the mean of five such budgets; the threshold is the best for each, so
  this says how well the confidence sorts right from wrong answers, not what the bot does);
- ``best-right``: the best entry is a right one;
- ``log-loss``: of the labelled answer's probability.
It is deterministic. ``--only`` keeps the scores of the questions of another file (e.g. the set at
the start of a round, ``git show <commit>:knowledge/questions.tsv > start.tsv``), so that sets that
grew can be compared on the same questions. Not a test: it prints figures.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGETS = (0.005, 0.0075, 0.01, 0.0125, 0.015)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", type=Path, help="score only the questions of this TSV file")
    args = parser.parse_args()

    import numpy as np

    from knowledge import model as M
    from knowledge.evaluate import read_questions
    from knowledge.matcher import get_index

    index = get_index()
    samples, labelled = M.training_samples(index.entries, M.default_labelled())
    design = M.Design(index, samples)
    held = np.zeros((len(labelled), len(index.entries) + 1))
    position = {row: k for k, row in enumerate(labelled)}
    labelled_set = set(labelled)
    others = [r for r in range(len(samples)) if r not in labelled_set]
    for fold in M.folds(len(labelled), args.folds):
        out = {labelled[k] for k in fold}
        model = design.fit(others + [r for r in labelled if r not in out])
        for row, p in zip(sorted(out), design.probabilities(model, sorted(out))):
            held[position[row]] = p
    questions = [samples[r] for r in labelled]
    groups, shared = M.citing_groups(index.entries), M.sharing_groups(index.entries)
    best, top = M.answer_probability(held, groups)
    named = np.array([design.signals[r][b, M.SIGNALS.index("named")] for r, b in zip(labelled, best)])
    entries = held[:, :-1]
    pair = M.pair_evidence(entries, best, M.rival_of(entries, best, groups),
                           np.array([M.COMBINE_FLAG in design.rows[r] for r in labelled]),
                           M.award_entries(index.entries))
    features = M.confidence_features(held, best, top, shared, [q.text for q in questions], named, pair)
    right = np.array([int(b) in q.correct for b, q in zip(best, questions)])
    confidence = np.zeros(len(questions))
    for fold in M.folds(len(questions), args.folds, M.SEED + 1):
        rest = np.setdiff1d(np.arange(len(questions)), fold)
        confidence[fold] = M.calibrated(features[fold], M.fit_calibration(features[rest], right[rest]))

    keep = np.ones(len(questions), dtype=bool)
    if args.only:
        wanted = {q.question for q in read_questions(args.only)}
        keep = np.array([q.text in wanted for q in questions])
    in_scope = np.array([bool(q.correct) for q in questions])
    english = np.array([M.language_of(q.text) == "en" for q in questions])
    answerable = held[np.arange(len(questions)), best] >= held[:, -1]
    for name, mask in (("Chinese", ~english & keep), ("English", english & keep)):
        n_in = (in_scope & mask).sum()
        chosen = mask & in_scope & answerable
        ok = right[chosen][np.argsort(-confidence[chosen], kind="stable")]
        wrong = np.cumsum(~ok)
        coverage = np.mean([(np.cumsum(ok)[wrong <= b * n_in]).max(initial=0) / n_in for b in BUDGETS])
        loss = -np.mean([np.log(max(held[k][list(questions[k].correct)].sum() if questions[k].correct
                                    else held[k][-1], 1e-12)) for k in np.flatnonzero(mask)])
        print(f"{name:8} {mask.sum():5d} questions  coverage {coverage:.3f}  "
              f"best-right {(in_scope & right & mask).sum() / n_in:.3f}  log-loss {loss:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
