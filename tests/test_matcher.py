"""What a user notices about matching: the right article, typos forgiven, honest refusals."""
import pytest

from knowledge import match_question
from knowledge.answers import render_answer
from knowledge.normalize import normalize_query


def top_article(question):
    result = match_question(question)
    assert result.confident, (question, result)
    return result.matches[0].entry.clauses[0]


@pytest.mark.parametrize("question, article", [
    ("房租补贴怎么算", 5),
    ("营收1.3亿能拿多少", 11),
    ("营收3.2亿元奖励多少", 11),
    ("第二年房租交了100万能补多少", 5),
    ("入驻机构营业收入合计12亿，运营单位拿多少", 3),
    ("会议室培训室的费用能补吗", 14),
    ("上市配套怎么给", 12),
    ("服务券怎么用", 9),
    ("政策什么时候到期", 19),
])
def test_common_questions_route_to_their_article(question, article):
    assert top_article(question) == article


@pytest.mark.parametrize("typo, article", [
    ("房租不贴怎么算", 5),       # 补贴 typed as 不贴
    ("营业收人过亿有奖励吗", 11),  # 收入 typed as 收人
    ("落地将金有多少", 4),        # 奖金 typed as 将金
])
def test_pinyin_input_slips_are_forgiven(typo, article):
    assert top_article(typo) == article


def test_traditional_and_full_width_questions_are_understood():
    assert top_article("房租補貼怎麼算") == 5
    assert top_article("营收１．３亿能拿多少？") == 11


def test_english_questions_use_the_english_fields():
    result = match_question("How much rent subsidy can an agency get?")
    assert result.confident and result.matches[0].entry.clauses[0] == 5
    assert "Article 5" in render_answer(result, "en")


@pytest.mark.parametrize("question", [
    "早上好", "谢谢", "今天天气怎么样", "公积金比例是多少", "南开区有什么人才补贴",
    "帮我写个周报", "What's the weather like in Tianjin?", "滨海新区的房租补贴政策",
])
def test_out_of_scope_questions_are_not_answered(question):
    result = match_question(question)
    assert not result.confident
    text = render_answer(result)
    assert "区人社局" in text and "「第" not in text


@pytest.mark.parametrize("junk", [
    "", "   ", "😀😀😀", "房" * 10_000, "<script>alert(1)</script>", "'; DROP TABLE entries;--",
    "\x00\x01\x02", "\ud800\udfff", "ᚠᛇᚻ᛫ᛒᛦᚦ", None,
])
def test_bad_input_never_raises_and_is_never_answered_confidently(junk):
    result = match_question(junk)
    assert not result.confident
    assert isinstance(render_answer(result), str)


def test_answer_starts_with_the_answer_and_ends_with_the_citation():
    text = render_answer(match_question("房租补贴最多补几年"))
    assert text.endswith("（「第五条」）")
    assert "80万元" in text


def test_not_confident_answer_offers_suggestions():
    result = match_question("补贴标准")
    assert not result.confident
    text = render_answer(result)
    assert "您是不是想问" in text


def test_amounts_become_placeholders_so_figures_do_not_matter():
    assert normalize_query("营收1.3亿") == normalize_query("营收20亿") == "营收 #亿"
    assert normalize_query("第二年") == "第2年"
    assert normalize_query("1:1匹配") == "1比1 匹配"


def test_json_shape_has_at_most_three_matches_best_first():
    data = match_question("营收奖励").to_json()
    assert set(data) == {"query", "confident", "matches"}
    assert 1 <= len(data["matches"]) <= 3
    scores = [m["score"] for m in data["matches"]]
    assert scores == sorted(scores, reverse=True)
    assert set(data["matches"][0]) == {"id", "clauses", "title", "score"}


def test_expiry_answer_counts_the_days_left_from_today():
    import datetime as dt

    result = match_question("政策什么时候到期")
    assert "距有效期结束还有35天" in render_answer(result, today=dt.date(2026, 11, 26))
    assert "已于2026年12月31日到期" in render_answer(result, today=dt.date(2027, 1, 2))


@pytest.mark.parametrize("question, article", [("第十一条怎么理解", 11), ("第5条的补贴上限", 5), ("第十九条", 19)])
def test_a_question_naming_an_article_is_about_that_article(question, article):
    assert top_article(question) == article
