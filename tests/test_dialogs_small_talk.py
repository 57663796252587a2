"""A greeting, thanks or "who are you" gets a reply in kind, never "the policy does not answer this"."""
import re

import pytest

from dialogs import new_state, respond

CJK = re.compile(r"[\u4e00-\u9fff]")
NOT_FOUND = ("没有找到明确的答案", "does not answer this")


@pytest.mark.parametrize("text, lang, says", [
    ("你好", "zh", "房租补贴怎么算"),          # what to ask, by example
    ("您好！", "zh", "资格自测"),
    ("在吗？", "zh", "查看条款"),
    ("Hello", "en", "How is the rent subsidy calculated?"),
    ("谢谢！", "zh", "不客气"),
    ("好的，谢谢", "zh", "不客气"),
    ("Thanks, that's all for now", "en", "You're welcome"),
    ("你是谁", "zh", "不是人工"),               # honest: a program, not a person
    ("Are you a bot?", "en", "not a person"),
])
def test_small_talk_is_answered_in_kind_and_in_the_language_written(text, lang, says):
    state, replies = respond(new_state("zh" if lang == "en" else "en"), text)
    assert len(replies) == 1 and says in replies[0].text
    assert not any(words in replies[0].text for words in NOT_FOUND)
    assert bool(CJK.search(replies[0].text)) == (lang == "zh")
    assert state["lang"] == lang


def test_a_greeting_before_a_question_is_still_answered_as_the_question():
    _state, replies = respond(new_state("zh"), "你好，请问房租补贴怎么算")
    assert replies[0].kind == "answer" and "「第五条」" in replies[0].text


def test_a_greeting_during_the_eligibility_check_keeps_the_pending_question():
    state, _ = respond(new_state("zh"), "资格自测")
    pending = state["interview"]["pending"]
    state, replies = respond(state, "你好")
    assert pending and state["interview"]["pending"] == pending   # the check goes on where it was
    assert replies[-1].kind == "question"


def test_a_greeting_comes_with_the_menu():
    _state, replies = respond(new_state("zh"), "你好")
    actions = [button.action for row in replies[0].buttons for button in row]
    assert {"check", "list", "askhint"} <= set(actions)
