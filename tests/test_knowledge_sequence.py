"""A prize won before moving into the park is article 4's landing bonus; one won after, article 10's
1:1 match. The words are the same either way: only their order says which, and the matcher reads it."""
import pytest

from knowledge import match_question
from knowledge.normalize import normalize_query
from knowledge.sequence import PARK_FIRST, PRIZE_FIRST, prize_order


@pytest.mark.parametrize("question", [
    "我们入园前获得了市级大赛三等奖，有奖励吗",
    "获奖后才入驻园区，能拿多少",
    "获奖在前、注册在后，算哪一条",
    "先拿奖再搬过来，有啥好处",
    "比赛拿了奖再来园区落户，能给多少",
    "大赛获奖时还没进园区，现在入驻了",
    "We won a prize at the city contest before moving into the park. Is there a bonus?",
    "startup won hr contest b4 joining park, what do we get",
    "We won second prize at the competition and only after that did we register in the park.",
    "Moved in after winning the national HR innovation contest - what applies?",
    # the prize won, the move still to come
    "We won a prize at the Tianjin HR contest last year and will register there next month. What do we get?",
    "Our firm got first prize in the national competition; we're planning to relocate to Xiqing. Any bonus?",
    "We got second prize at the city contest, and we'll register in Xiqing next month.",
    "我们去年拿了市级大赛二等奖，打算明年入驻园区",
    "去年在市里的大赛拿了一等奖，奖金已经发了，现在考虑在西青园区注册个子公司，落地有奖励吗",
])
def test_a_prize_won_before_moving_in_is_read_as_prize_first(question):
    assert prize_order(normalize_query(question)) == PRIZE_FIRST


@pytest.mark.parametrize("question", [
    "入驻后获奖，区里怎么配套",
    "我们先入驻园区，后来又在大赛拿了二等奖",
    "已经入驻园区的机构参加大赛获奖了，区里给什么",
    "请问入驻机构参加市级以上大赛获奖，匹配比例是多少",
    "We joined the park first and then won a prize at the Tianjin HR innovation contest.",
    "After joining the park we won the city competition. What does Xiqing add?",
    "We are already registered in the park and just won a contest prize.",
    "We registered in the park before we won the competition.",
    "我们已经入驻园区，打算参加大赛，获奖了有配套吗",  # the plan is the contest, not the move
])
def test_a_prize_won_in_the_park_is_read_as_park_first(question):
    assert prize_order(normalize_query(question)) == PARK_FIRST


@pytest.mark.parametrize("question", [
    "我们获得了大赛奖项，能拿多少钱",          # the order is not said: the bot asks
    "Contest winners: how much is paid?",
    "入驻园区后营收下降了，还能拿营收奖励吗",     # no prize of a contest
    "After moving in, how is the rent subsidy paid?",
    "落地奖金是不是要先拿到市里的奖才能申请",     # 落地奖金 is article 4's name, not moving in
    "We won the competition. Will the park match it?",  # "will" of the match, not of a move
])
def test_no_order_is_read_where_the_question_does_not_state_one(question):
    assert prize_order(normalize_query(question)) is None


@pytest.mark.parametrize("question, article", [
    ("我们入园前在市级大赛获了奖，现在能申请什么奖励", 4),
    ("我们入驻园区以后在市级大赛获了奖，区里能给什么", 10),
    ("We won a city contest prize before we moved into the park. What can we get?", 4),
    ("We moved into the park last year and won a city contest prize this year. What can we get?", 10),
])
def test_the_order_of_prize_and_moving_in_decides_the_article(question, article):
    result = match_question(question)
    assert result.confident, (question, result.reason)
    assert result.matches[0].entry.clauses[0] == article
