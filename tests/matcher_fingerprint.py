"""Fingerprint of the matcher's answers, to prove a speed-up changed none of them.

    python tests/matcher_fingerprint.py --record out.json   # the answers of the current code
    python tests/matcher_fingerprint.py --check out.json    # compare; exit 1 on any difference

For every question of knowledge/questions.tsv and the shared development set it records the
top-3 entry ids, the confident flag, the reason, the clarify options (ids) and the probabilities
(top-3 and "not covered") rounded to 4 decimals. ``--tolerance`` compares probabilities within
that absolute difference instead of exactly (float summation order may move the last digit).
Not a test: the lead runs it by hand.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOURCES = [ROOT / "knowledge" / "questions.tsv", Path("/work/shared/eval/dev_questions.tsv")]


def questions() -> list[str]:
    from knowledge.evaluate import read_questions

    texts = []
    for path in SOURCES:
        if path.exists():
            texts += [q.question for q in read_questions(path)]
    return texts


def fingerprint() -> list[dict]:
    from knowledge.matcher import match_question

    rows = []
    for text in questions():
        r = match_question(text)
        rows.append({
            "q": text,
            "top": [m.entry.id for m in r.matches],
            "p": [round(m.score, 4) for m in r.matches],
            "confident": r.confident,
            "reason": r.reason,
            "clarify": [m.entry.id for m in r.clarify],
            "clarify_p": [round(m.score, 4) for m in r.clarify],
            "oos": round(r.probability_out_of_scope, 4),
        })
    return rows


def compare(old: list[dict], new: list[dict], tolerance: float) -> list[str]:
    problems = []
    if len(old) != len(new):
        return [f"{len(old)} questions recorded, {len(new)} now"]
    for a, b in zip(old, new):
        for key in ("q", "top", "confident", "reason", "clarify"):
            if a[key] != b[key]:
                problems.append(f"{a['q']!r}: {key} {a[key]} -> {b[key]}")
        for key in ("p", "clarify_p"):
            if len(a[key]) != len(b[key]) or any(abs(x - y) > tolerance for x, y in zip(a[key], b[key])):
                problems.append(f"{a['q']!r}: {key} {a[key]} -> {b[key]}")
        if abs(a["oos"] - b["oos"]) > tolerance:
            problems.append(f"{a['q']!r}: oos {a['oos']} -> {b['oos']}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--record", type=Path)
    group.add_argument("--check", type=Path)
    parser.add_argument("--tolerance", type=float, default=0.0)
    args = parser.parse_args()
    rows = fingerprint()
    if args.record:
        args.record.write_text(json.dumps(rows, ensure_ascii=False, indent=0), encoding="utf-8")
        print(f"recorded {len(rows)} questions to {args.record}")
        return 0
    old = json.loads(args.check.read_text(encoding="utf-8"))
    problems = compare(old, rows, args.tolerance)
    for line in problems[:50]:
        print(line)
    print(f"{len(rows)} questions: {len(problems)} differences (tolerance {args.tolerance})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
