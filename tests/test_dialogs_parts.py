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


def test_section_three_is_asked_whether_article_three_or_part_three_is_meant_and_both_buttons_answer():
    # "Section" names an article or a part: it was answered as Article 3 without asking.
    from dialogs import press

    state, replies = respond(new_state("en"), "What does section 3 say?")
    assert replies[0].text == "Do you mean Article 3 or Part 3 of the policy?"
    [article, part] = replies[0].buttons[0]
    assert article.label == "Article 3 Tenant revenue bonus" and part.label == "Part 3: Growing the institutions"
    _state, as_article = press(state, article.action)
    assert "(Article 3)" in as_article[0].text
    _state, as_part = press(state, part.action)
    assert "Article 8" in as_part[0].text and "Article 12" in as_part[0].text


@pytest.mark.parametrize("text, article", [("What does section 12 say?", "(Article 12)"),  # only an article has 12
                                           ("what does section 3 say about the operator", "(Article 3)")])
def test_a_section_only_an_article_can_be_or_a_question_about_it_is_answered_without_asking(text, article):
    _state, replies = respond(new_state("en"), text)
    assert article in replies[0].text


def test_a_chinese_question_about_a_section_is_asked_in_chinese():
    _state, replies = respond(new_state("zh"), "section 3 讲什么")
    assert replies[0].text == "您问的是第三条，还是第三部分？"
    assert [b.label for b in replies[0].buttons[0]] == ["第三条 招商补贴", "第三部分 鼓励入驻机构全周期发展"]
