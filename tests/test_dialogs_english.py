"""English answers (issue 9, point 6): understood questions, whole-word button labels, ASCII
punctuation everywhere in an English session."""
import re
from datetime import datetime, timezone

import pytest

from dialogs import new_state, press, respond
from knowledge import all_entries

CJK = re.compile(r"[\u4e00-\u9fff]")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
FULL_WIDTH = re.compile(r"[\uff01-\uff5e\u3000-\u303f“”‘’]")  # full-width forms, CJK punctuation, curly quotes


@pytest.mark.parametrize("question, entries", [
    ("When does the policy end?", {"a19", "t-validity"}),
    ("Who interprets this policy?", {"a19", "t-interpretation"}),
])
def test_english_questions_are_understood(question, entries):
    _state, replies = respond(new_state("en"), question, now=NOW)
    assert replies[0].kind == "answer" and replies[0].entry in entries


def test_every_entry_has_a_short_english_button_title():
    for entry in all_entries():
        assert entry.en_button and len(entry.en_button) <= 24, entry.id
        assert FULL_WIDTH.search(entry.en_button) is None, entry.id


def english_session():
    """An English user's varied session: every reply the engine gives on the way."""
    state, out = new_state("en"), []

    def say(text, **kw):
        nonlocal state
        state, replies = respond(state, text, now=NOW, **kw)
        out.extend(replies)

    def tap(action, **kw):
        nonlocal state
        state, replies = press(state, action, now=NOW, **kw)
        out.extend(replies)

    say("/lang en")
    say("/start")
    say("/help")
    say("/lang")
    say("/list")
    say("/clause 5")
    tap("text:a05")
    say("How is the rent subsidy calculated?", handoff=True)
    say("What is the weather like today?", handoff=True)
    say("subsidy")
    say("Revenue 120 million, 3 managers each contributed 200,000, how much can we get?")
    tap("fb:-:a05", handoff=True)
    say("talk to a person")
    say("/check")
    tap("ctl:why")
    say("1")
    say("yes")
    say("maybe")
    say("I don't know")
    tap("ctl:back")
    say("yes")
    say("yes")
    say("yes")
    say("moved")
    say("150 million")
    say("last year 100 million, this year 150 million")
    say("skip")
    say("second")
    say("800,000")
    say("review")
    tap("edit:rent_paid")
    say("900,000")
    tap("ctl:resume")
    say("none")
    say("none")
    say("none")
    say("none")
    say("none")
    say("200000, 150000")
    say("no")
    tap("ctl:restart")
    say("3")
    say("national")
    say("no")
    say("/cancel")
    say("/check")
    tap("ans:role:institution")
    tap("ans:registered_in_park:no")
    say("/nonsense")
    say("")
    return out


def test_english_replies_use_ascii_punctuation_and_space_separated_sentences():
    replies = english_session()
    assert len(replies) > 40
    assert any(r.kind == "estimate" for r in replies) and any(r.kind == "stopped" for r in replies)
    for reply in replies:
        # lines quoting the Chinese original of the policy are Chinese; every other line is English
        english = "\n".join(line for line in reply.text.splitlines() if not CJK.search(line))
        assert FULL_WIDTH.search(english) is None, reply.text
        assert re.search(r"[.!?:;,][A-Z]", english) is None, reply.text   # "Noted.Next" run together
        for row in reply.buttons:
            for button in row:
                assert FULL_WIDTH.search(button.label) is None, button.label


def test_english_button_labels_are_whole_words():
    for reply in english_session():
        for row in reply.buttons:
            for button in row:
                assert len(button.label) <= 36, button.label   # fits a phone-wide button uncut
                if reply.kind == "clarify":
                    # A clarifying question's options name the distinction asked about, in words
                    # written for it (knowledge/clarify.toml), not the entries' titles.
                    assert button.label.isascii() and not button.label.endswith(("-", " ")), button.label
                elif button.action.startswith(("ask:", "text:")) and button.label != "Policy text":
                    entry = button.action.partition(":")[2]
                    short = next(e.en_button for e in all_entries() if e.id == entry)
                    assert button.label.endswith(short), (button.label, short)
