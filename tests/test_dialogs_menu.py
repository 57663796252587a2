"""The home menu, the article catalogue and finishing early, as a user meets them."""
import pytest

from dialogs import new_state, press, respond


def labels(reply):
    return [button.label for row in reply.buttons for button in row]


def test_start_offers_the_ways_in_and_an_english_line():
    _state, replies = respond(new_state(), "/start")
    menu = replies[0]
    for label in ("问政策", "资格自测与补贴测算", "条款目录"):
        assert label in labels(menu)
    assert "联系人工" not in labels(menu)    # no help desk: no button that leads nowhere
    assert "English" in menu.text
    _state, replies = respond(new_state(), "/start", handoff=True)
    assert "联系人工" in labels(replies[0])


def test_ask_button_invites_a_question_without_losing_anything():
    state, _ = respond(new_state(), "/start")
    state, replies = press(state, "askhint")
    assert "请直接输入您的问题" in replies[0].text


def test_list_shows_articles_by_chapter_as_buttons_that_open_the_text():
    state, replies = respond(new_state(), "/list")
    catalogue = replies[0]
    assert "一、支持产业园区高标准建设" in catalogue.text and "五、附则" in catalogue.text
    actions = [button.action for row in catalogue.buttons for button in row]
    assert len(actions) == 20 and "text:a05" in actions
    state, replies = press(state, "text:a05")
    assert replies[0].text.startswith("5. 降低入驻机构房租成本")


def test_result_before_the_role_is_known_asks_the_role_instead_of_failing():
    state, _ = respond(new_state(), "/check")
    state, replies = press(state, "ctl:skip")
    state, replies = press(state, "ctl:finish")
    assert all(r.kind != "error" for r in replies)
    assert "身份" in replies[0].text
    assert replies[-1].kind == "question" and "ans:role:institution" in replies[-1].actions()
    state, replies = press(state, "ans:role:builder")
    assert replies[-1].kind in ("question", "estimate")


def test_a_subject_the_policy_does_not_cover_is_told_so_without_guesses():
    _state, replies = respond(new_state(), "南开区有什么人才补贴")
    assert replies[0].kind == "not_confident"
    assert "没有找到明确的答案" in replies[0].text and "区人社局" in replies[0].text
    assert not any(a.startswith("ask:") for a in replies[0].actions())


def test_two_awards_asked_about_together_get_both_answers_and_both_articles_texts():
    state, replies = respond(new_state("zh"), "营收奖励和人才奖励能一起拿吗")
    answer = replies[0]
    assert answer.kind == "answer"
    assert {6, 11, 17} <= set(answer.clauses)
    assert "第十七条" in answer.text and "第六条" in answer.text and "第十一条" in answer.text
    assert {"text:a06", "text:a11"} <= set(answer.actions())


def test_a_moved_in_institutions_revenue_award_gets_both_articles_without_the_rule_on_combining():
    state, replies = respond(new_state("zh"), "我们是从河西区整体搬到园区的，今年营收3个亿，营收奖励按3亿算还是只算增量")
    answer = replies[0]
    assert answer.kind == "answer"
    assert set(answer.clauses) >= {11, 18} and 17 not in answer.clauses
    assert "第十八条" in answer.text and "第十一条" in answer.text and "没有禁止同时享受" not in answer.text


def test_a_question_on_whom_to_call_gets_the_not_stated_answer_with_the_referral():
    state, replies = respond(new_state("zh"), "申请找哪个窗口、打谁电话")
    assert replies[0].kind in ("answer", "not_confident")
    assert "区人社局" in replies[0].text and "电话" in replies[0].text


@pytest.mark.parametrize("question, lang, note", [
    ("我们是做制造业的，西青有营收奖励吗", "zh", "提示：本政策的奖励和补贴面向"),
    ("我们是做物流的，能拿房租补贴吗", "zh", "提示：本政策的奖励和补贴面向"),
    ("我们是开连锁超市的，入驻园区能拿房租补贴吗", "zh", "提示：本政策的奖励和补贴面向"),
    ("我们是一家互联网医院，入驻园区能拿房租补贴吗", "zh", "提示：本政策的奖励和补贴面向"),  # a trade no list names
    ("We're a machine tool maker. Can our executives get the talent award?", "en", "Note: this policy's awards are for HR service"),
    ("We run a bakery chain. Can we get the revenue award?", "en", "Note: this policy's awards are for HR service"),
])
def test_a_business_of_another_trade_asking_about_an_award_is_first_told_whom_the_awards_are_for(question, lang, note):
    # Without the note, "我们是做制造业的，西青有营收奖励吗" read as if a factory with 1亿 of sales got 10万.
    # Whether the bot answers, is unsure or finds the question not covered, its reply opens with who
    # the awards are for, so that a reply read out to a caller does not begin with the amounts.
    _state, replies = respond(new_state(lang), question)
    answer = replies[0]
    assert answer.kind in ("answer", "not_confident")
    assert answer.text.startswith(note)
    assert 16 in answer.clauses


@pytest.mark.parametrize("question", ["营收1.3亿能拿多少奖励", "我们主营人力资源咨询，营收1.3亿能拿多少奖励"])
def test_an_hr_institutions_own_award_question_gets_no_scope_note(question):
    # "主营…" says what a business does; with the HR trade's words it is an agency's question.
    _state, replies = respond(new_state("zh"), question)
    assert replies[0].kind == "answer" and "不适用" not in replies[0].text
    assert 16 not in replies[0].clauses


def test_a_reply_that_is_only_the_scope_note_does_not_offer_the_eligibility_check():
    # The check is for HR service institutions: offering it to a supermarket chain that was just
    # told the policy is not for it would contradict the note.
    _state, replies = respond(new_state("zh"), "我们是开连锁超市的，入驻园区能拿房租补贴吗")
    assert replies[0].text.startswith("提示：") and "第十六条" in replies[0].text
    assert "check" not in replies[0].actions()


@pytest.mark.parametrize("question, lang, amount", [
    ("我们是做物流的，营收1.5亿能拿营收奖励吗", "zh", "10万元"),
    ("装修公司年营收2.3亿，能拿多少奖励", "zh", "20万元"),
    ("We run a bakery chain with revenue of 300 million. How much revenue award?", "en", "RMB 300,000"),
])
def test_a_business_of_another_trade_naming_a_figure_is_not_shown_an_award_worked_out_from_it(question, lang, amount):
    # "本政策不适用" followed by "营收奖励：10万元" contradicts itself, and a caller hears the amount:
    # after the note, no amount from the asker's figures and no offer of the eligibility check.
    _state, replies = respond(new_state(lang), question)
    assert replies[0].text.startswith("提示：" if lang == "zh" else "Note:")
    assert all(amount not in reply.text for reply in replies)
    assert all("check" not in reply.actions() for reply in replies)


@pytest.mark.parametrize("question, lang, note", [
    ("健身房 活动补贴", "zh", "提示：本政策的奖励和补贴面向"),                 # a bare trade's word
    ("驾校一年房租50万，能补多少", "zh", "提示：本政策的奖励和补贴面向"),
    ("Our brewery made 3亿 revenue, can we get the 30万 award?", "en", "Note: this policy's awards are for HR service"),
    ("茶馆 revenue 300万, award?", "zh", "提示：本政策的奖励和补贴面向"),           # (a Chinese word: Chinese)
])
def test_a_business_of_another_trade_is_never_answered_with_an_award_s_article(question, lang, note):
    # The model was sure of article 13 or 11 for these ("活动补贴", "30万 award"): the answer a
    # gym or a brewery needs is that the awards are for HR service institutions (article 16), and
    # the award's article is at most offered for an asker who is one after all.
    _state, replies = respond(new_state(lang), question)
    answer = replies[0]
    assert answer.kind == "not_confident"
    assert answer.text.startswith(note) and answer.clauses == [16]
    assert "check" not in answer.actions()


@pytest.mark.parametrize("lang, note, offer", [
    ("zh", "提示：本政策的奖励和补贴面向", "如贵单位属于人力资源服务机构，可以查看："),
    ("en", "Note: this policy's awards are for HR service", "If your firm is an HR service institution, see:"),
])
@pytest.mark.parametrize("reason", ["other_trade", "low_score"])
def test_an_award_held_back_from_another_trade_is_still_offered_after_the_note(monkeypatch, lang, note, offer, reason):
    # The matcher held the award back (reason other_trade) though it was likely, or was unsure of
    # it: the note comes first, then the award as a button for an asker who is an HR service
    # institution after all, never "您是不是想问", which after the note would read as a contradiction.
    import knowledge
    from knowledge.answers import render_answer
    from knowledge.matcher import Match, MatchResult, get_index

    entries = {e.id: e for e in get_index().entries}
    question = "健身房 活动补贴" if lang == "zh" else "Our gym holds events. Event subsidy?"
    held_back = MatchResult(query=question, confident=False, reason=reason,
                            matches=(Match(entries["a13"], 0.9), Match(entries["a14"], 0.05)))
    monkeypatch.setattr(knowledge, "match_question", lambda text: held_back)
    _state, replies = respond(new_state(lang), question)
    assert replies[0].text.startswith(note) and offer in replies[0].text
    assert "不太确定" not in replies[0].text and "not sure" not in replies[0].text.lower()
    assert "ask:a13" in replies[0].actions() and "ask:a14" not in replies[0].actions()
    rendered = render_answer(held_back, lang)  # (policybot ask, the terminal's one-shot answers)
    assert rendered.startswith(note) and offer in rendered and "不太确定" not in rendered


@pytest.mark.parametrize("question, lang, article", [
    ("我们是做劳务派遣的，主要给酒店派服务员，房租补贴第二年是多少", "zh", "第五条"),
    ("Our agency places nurses in hospitals. How much is the rent subsidy in the first year?", "en", "Article 5"),
])
def test_an_hr_firm_naming_the_trade_it_serves_is_answered_without_the_scope_note(question, lang, article):
    _state, replies = respond(new_state(lang), question)
    assert replies[0].kind == "answer" and article in replies[0].text
    assert 16 not in replies[0].clauses


def test_the_scope_note_is_in_the_language_the_user_writes():
    from knowledge.answers import scope_note

    assert "HR service institutions" in scope_note("a05", "We run a logistics company in the park. Rent subsidy?", "en")
    assert scope_note("a09", "我们是制造企业，服务券怎么领", "zh") is None  # the vouchers are for such firms
    assert scope_note("a11", "営收1亿能拿多少", "zh") is None
