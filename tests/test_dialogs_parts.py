"""A part of the policy asked about as a whole ("第三部分讲什么") gets its list of articles, and a part
it does not have ("第六部分") is said so: never the article nearest the words."""
import pytest

from dialogs import new_state, respond


@pytest.mark.parametrize("text, lang, heading, first, last", [
    ("第三部分讲什么", "zh", "三、鼓励入驻机构全周期发展", "第八条", "第十二条"),
    ("政策第一部分主要内容是什么", "zh", "一、支持产业园区高标准建设", "第一条", "第三条"),
    ("What does part 5 say?", "en", "V. Supplementary provisions", "Article 16", "Article 19"),
])
def test_a_part_asked_about_lists_its_articles_with_a_button_each(text, lang, heading, first, last):
    _state, replies = respond(new_state(lang), text)
    reply = replies[0]
    assert heading in reply.text and first in reply.text and last in reply.text
    labels = [button.label for row in reply.buttons for button in row]
    assert labels[0].startswith(first) and labels[-1].startswith(last)


@pytest.mark.parametrize("text, lang, says", [
    ("第六部分讲什么", "zh", "没有第六部分"),
    ("What's in part six of the measures?", "en", "there is no part 6"),
])
def test_a_part_the_policy_does_not_have_is_said_so_not_answered_with_the_nearest_article(text, lang, says):
    _state, replies = respond(new_state(lang), text)
    assert says in replies[0].text
    assert ("五个部分" if lang == "zh" else "five parts") in replies[0].text
    assert "条」" not in replies[0].text and "(Article" not in replies[0].text   # no article cited


def test_a_question_about_an_article_in_a_part_is_still_answered_with_that_article():
    _state, replies = respond(new_state("zh"), "第三部分的房租补贴怎么算")
    assert "「第五条」" in replies[0].text
