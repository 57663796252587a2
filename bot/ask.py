"""``policybot ask``: one question answered as the bot would, or JSON lines for scripts."""
from __future__ import annotations

import json
import sys

from bot.terminal import prepare_model
from knowledge.normalize import MAX_QUERY_CHARS


def run_ask(args) -> int:
    from knowledge import match_question

    question = " ".join(args.question).strip()
    if not args.json and not question:
        print("policybot: ask needs a question, e.g. policybot ask \"房租补贴怎么算\"", file=sys.stderr)
        return 2
    prepare_model(sys.stderr)  # (its notice on stderr: stdout holds the answer alone)
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
    if len(question) > MAX_QUERY_CHARS:
        print(f"（问题较长，只按前{MAX_QUERY_CHARS}个字匹配。）")
    # The chat's own reply to a first message (dialogs), so that what a help-desk worker tries here is
    # what the bot says: the amount worked out from the figures, a part's articles, small talk.
    from dialogs import new_state, respond
    from dialogs.dates import at

    state = new_state(args.lang or "zh")
    state["lang_choice"] = args.lang  # --lang holds; without it the question's language decides
    state, replies = respond(state, question, now=at(getattr(args, "as_of", None)))
    print("\n\n".join(_printed(reply, state["lang"]) for reply in replies))
    return 0


def _printed(reply, lang: str) -> str:
    """A reply's text and its buttons as [labels]; one-shot, so no numbers to press and no 👍/👎,
    and an option that answers an entry names its articles ("[入驻前获奖 → 第四条]")."""
    from dialogs.answers import get

    lines = [reply.text]
    for row in reply.buttons:
        labels = []
        for button in row:
            if button.action.startswith("fb:"):
                continue
            entry = get(button.action[4:]) if button.action.startswith("ask:") else None
            where = "" if entry is None else (entry.citation.strip("「」") if lang == "zh"
                                              else ", ".join(f"Article {c}" for c in entry.clauses))
            if where and where not in button.label:
                labels.append(f"[{button.label} → {where}]")
            else:
                labels.append(f"[{button.label}]")
        if labels:
            lines.append("  " + "  ".join(labels))
    return "\n".join(lines)
