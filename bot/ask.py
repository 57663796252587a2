"""``policybot ask``: one question answered as the bot would, or JSON lines for scripts."""
from __future__ import annotations

import json
import sys

from knowledge.normalize import MAX_QUERY_CHARS


def run_ask(args) -> int:
    from knowledge import match_question
    from knowledge.answers import render_answer

    question = " ".join(args.question).strip()
    if args.json:
        if args.question:
            print(json.dumps(match_question(question).to_json(), ensure_ascii=False))
            return 0
        # One question per line on stdin, one JSON object per line out; the index loads once.
        for line in sys.stdin:
            # Undecodable bytes arrive as lone surrogates: replace them so the output stays UTF-8.
            line = line.rstrip("\n").encode("utf-8", "replace").decode("utf-8")
            print(json.dumps(match_question(line).to_json(), ensure_ascii=False), flush=True)
        return 0
    if not question:
        print("policybot: ask needs a question, e.g. policybot ask \"房租补贴怎么算\"", file=sys.stderr)
        return 2
    if len(question) > MAX_QUERY_CHARS:
        print(f"（问题较长，只按前{MAX_QUERY_CHARS}个字匹配。）")
    result = match_question(question)
    from dialogs.dates import resolve

    today = getattr(args, "as_of", None) or resolve().date()  # --as-of, else POLICYBOT_AS_OF, else the clock
    # The chat's own rule (dialogs.parsing.text_lang): answered in the language it is written in.
    from dialogs.parsing import text_lang

    print(render_answer(result, args.lang or text_lang(question) or "zh", today=today))
    return 0
