"""Replies follow the language of each message (issue 9, point 1): the channel's default only for
replies without user text, an explicit /lang choice wins until changed."""
import re
from datetime import datetime, timezone

from dialogs import new_state, press, respond

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
CJK = re.compile(r"[\u4e00-\u9fff]")


def say(state, text, **kw):
    return respond(state, text, now=NOW, **kw)


def test_a_chinese_question_from_an_english_default_user_gets_a_chinese_answer():
    state, replies = say(new_state("en"), "房租补贴第二年按多少比例补？")
    answer = replies[0]
    assert answer.kind == "answer" and "第五条" in answer.text and "80%" in answer.text
    assert "rent" not in answer.text.lower()
    assert state["lang"] == "zh"
    assert all(CJK.search(b.label) or b.label.startswith("👍") or b.label.startswith("👎")
               for row in answer.buttons for b in row)


def test_an_english_question_in_a_chinese_conversation_gets_an_english_answer():
    state, replies = say(new_state("zh"), "How is the rent subsidy calculated?")
    assert replies[0].kind == "answer" and "Article 5" in replies[0].text
    assert state["lang"] == "en"
    state, replies = say(state, "房租补贴怎么算")
    assert "第五条" in replies[0].text and state["lang"] == "zh"


def test_an_english_question_with_amounts_in_chinese_units_gets_an_english_answer():
    # "1.3亿", "30万" are how English writers in China write figures; 亿 alone is no Chinese message.
    state, replies = say(new_state("zh"), "Our revenue went up to 1.3亿 this year. How much is the revenue award?")
    assert "Article 11" in replies[0].text
    assert not CJK.search(replies[0].text.replace("区人社局", ""))  # (the bureau's short name, for callers)
    assert state["lang"] == "en"
    state, replies = say(state, "营收1.3亿能拿多少")  # Chinese words: a Chinese message
    assert "第十一条" in replies[0].text and state["lang"] == "zh"


def test_a_number_keeps_the_conversation_language_and_press_replies_in_it():
    state, _ = say(new_state("en"), "资格自测")
    state, replies = say(state, "1")            # a bare number: no language of its own
    assert state["lang"] == "zh" and CJK.search(replies[-1].text)
    state, replies = press(state, "ans:registered_in_park:yes", now=NOW)
    assert CJK.search(replies[-1].text)


def test_a_whole_interview_typed_in_chinese_by_an_english_default_user_stays_chinese():
    state, replies = say(new_state("en"), "/start")
    for text in ("资格自测", "3", "国家级", "是"):
        state, replies = say(state, text)
        for reply in replies:
            assert CJK.search(reply.text), reply.text
    assert replies[-1].kind == "estimate" and "第一条" in replies[-1].text


def test_start_for_an_english_default_user_is_chinese_first_with_one_english_line():
    state, replies = say(new_state("en"), "/start")
    welcome = replies[0]
    lines = welcome.text.splitlines()
    assert CJK.search(lines[0])
    english = [ln for ln in lines if not CJK.search(ln)]
    assert len(english) == 1 and "English" in english[0]
    assert "lang:en" in welcome.actions()
    assert "“" not in english[0] and "：" not in english[0]  # ASCII punctuation in the English line


def test_an_explicit_choice_wins_over_the_text_until_changed():
    state, replies = say(new_state("zh"), "/lang en")
    assert replies[0].text.startswith("Switched to English")
    state, replies = say(state, "房租补贴怎么算")
    assert "Article 5" in replies[0].text and state["lang"] == "en"
    state, replies = press(state, "lang:zh", now=NOW)
    assert CJK.search(replies[0].text)
    state, replies = say(state, "How is the rent subsidy calculated?")
    assert "第五条" in replies[0].text


def test_lang_without_argument_shows_the_choice_and_does_not_switch():
    state, replies = say(new_state("zh"), "/lang")
    assert state["lang"] == "zh" and state.get("lang_choice") is None
    shown = replies[0]
    assert "/lang en" in shown.text and "跟随" in shown.text
    assert {"lang:zh", "lang:en"} <= set(shown.actions())
    labels = [b.label for row in shown.buttons for b in row]
    assert "中文" in labels and "English" in labels
    state, _ = say(state, "/lang en")
    state, replies = say(state, "/lang")
    assert state["lang_choice"] == "en" and "English" in replies[0].text
    state, replies = press(state, "lang:auto", now=NOW)
    assert state.get("lang_choice") is None
    state, replies = say(state, "房租补贴怎么算")
    assert "第五条" in replies[0].text


def test_an_english_skip_in_a_chinese_interview_is_understood():
    state, _ = say(new_state("zh"), "资格自测")
    state, _ = say(state, "1")
    state, replies = say(state, "I don't know")
    assert state["interview"]["skipped"] == ["registered_in_park"]
    state, _ = say(new_state("zh"), "资格自测")
    state, _ = say(state, "1")
    for word in ("不知道", "不清楚"):
        state, replies = say(state, word)
    assert len(state["interview"]["skipped"]) == 2


def test_a_reply_to_an_answer_is_read_as_a_follow_up_about_it():
    state, replies = say(new_state("en"), "那第三年呢？", reply_to="a05")
    assert replies[0].kind == "answer" and replies[0].entry == "a05" and "第五条" in replies[0].text
    state, _ = say(new_state("zh"), "房租补贴怎么算")
    state, replies = say(state, "那第三年呢？")      # in a private chat: the answer just given
    assert replies[0].entry == "a05"


def test_an_english_sentence_around_a_chinese_term_gets_an_english_answer():
    # The policy's names are often pasted in Chinese into English messages.
    state, replies = say(new_state("zh"), "How long can we get the 房租补贴?")
    assert replies[0].kind == "answer" and "Article 5" in replies[0].text
    assert "第五条" not in replies[0].text
    assert state["lang"] == "en"
    # one grammar word opening the sentence is enough: "Is 产业园 rent subsidy 90%?"
    state, replies = say(new_state("zh"), "Is 产业园 rent subsidy 90%?")
    assert "Article 5" in replies[0].text and "第五条" not in replies[0].text


def test_english_terms_in_a_chinese_sentence_keep_the_answer_in_chinese():
    # Chinese writers name things in English ("rent subsidy", "apply") inside Chinese sentences.
    for question in ("我们是一家 staffing company，想问 rent subsidy 怎么申请", "请问 rent subsidy 第二年补多少"):
        state, replies = say(new_state("en"), question)
        assert state["lang"] == "zh"
        assert "房租补贴" in replies[0].text + str(replies[0].buttons), question   # in Chinese, answered or offered
        assert not any(word in replies[0].text for word in ("not sure", "Article", "subsidy")), question
    assert "第五条" in replies[0].text   # the second question's answer


def test_a_chinese_sentence_with_english_terms_is_answered_with_the_article():
    # (a strict expected failure in round 20, when the model was just short of sure of it; sure
    # again since lockbox-21 joined the training data)
    _state, replies = say(new_state("en"), "我们是一家 staffing company，想问 rent subsidy 怎么申请")
    assert "第五条" in replies[0].text
