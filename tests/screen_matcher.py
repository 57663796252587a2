"""A quick held-out screen of the answer model, for comparing one change of features or data with
another in a minute or two (``policybot eval --cv 5`` is the full measure, and takes ten).

    python tests/screen_matcher.py                        # 5 folds over knowledge/questions.tsv
    python tests/screen_matcher.py --only start.tsv       # the figures for these questions only

The held-out answers the model's threshold is chosen from (``knowledge.model.held_out_answers``:
one fit per fold, the calibration cross-fitted over them), then per language:
- ``coverage``: the share of in-scope questions answered right when confident answers are allowed
  at most 0.5-1.5 % wrong (the mean of five such budgets; the threshold is the best for each, so
  this says how well the confidence sorts right from wrong answers, not what the bot does);
- ``best-right``: the best entry is a right one;
- ``log-loss``: of the labelled answer's probability;
- ``not-covered answered``: the share of questions the policy does not cover that would get a
  confident answer at the confidence where in-scope answers are 1 % wrong.
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
    held, _features, right, confidence = M.held_out_answers(index, design, samples, labelled, args.folds)
    questions = [samples[r] for r in labelled]
    best, _top = M.answer_probability(held, M.citing_groups(index.entries))

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
        # Questions not covered that would be answered at the confidence where in-scope answers
        # are 1 % wrong: the other half of the trade-off.
        within = np.flatnonzero(wrong <= 0.01 * n_in)
        cut = np.sort(confidence[chosen])[::-1][within.max()] if within.size else np.inf
        outside = mask & ~in_scope
        answered = (outside & answerable & (confidence >= cut)).sum() / max(outside.sum(), 1)
        loss = -np.mean([np.log(max(held[k][list(questions[k].correct)].sum() if questions[k].correct
                                    else held[k][-1], 1e-12)) for k in np.flatnonzero(mask)])
        print(f"{name:8} {mask.sum():5d} questions  coverage {coverage:.3f}  "
              f"best-right {(in_scope & right & mask).sum() / n_in:.3f}  log-loss {loss:.3f}  "
              f"not-covered answered {answered:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
