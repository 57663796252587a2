"""Complete interviews driven as scripts; the final estimate must be rules.estimate of the same profile."""
import json
from datetime import datetime, timedelta, timezone

import pytest

import rules
from dialogs import STATE_VERSION, new_state, press, profile_of, respond
from dialogs.document import docx_text
from dialogs.summary import article_name

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


class Conversation:
    """One user talking to the engine; checks the contract on every turn."""

    def __init__(self, lang="zh"):
        self.state = new_state(lang)
        self.now = NOW
        self.asked: list[str] = []
        self.replies = []

    def _after(self, state, replies):
        json.dumps(state)  # plain JSON, always
        for reply in replies:
            for row in reply.buttons:
                for button in row:
                    assert button.action.isascii() and len(button.action.encode()) <= 60
        self.state, self.replies = state, replies
        if self.replies and self.replies[-1].kind == "question":
            self.asked.append(self.pending)
        return replies

    def say(self, text):
        return self._after(*respond(self.state, text, now=self.now))

    def press(self, action):
        return self._after(*press(self.state, action, now=self.now))

    @property
    def pending(self):
        itv = self.state["interview"]
        return itv["edit_key"] if itv["phase"] == "edit" else itv["pending"]

    @property
    def last(self):
        return self.replies[-1]

    def answer_all(self, answers: dict):
        """Answer each question by its profile key until the interview stops asking."""
        for _ in range(40):
            if self.last.kind != "question":
                return
            key = self.pending
            assert key in answers, f"unexpected question {key}: {self.last.text}"
            self.say(answers[key])
        raise AssertionError("the interview did not end")

    def answers(self):
        return self.state["interview"]["answers"]


def assert_estimate_matches(conv, expected_profile):
    assert conv.last.kind == "estimate"
    assert profile_of(conv.state) == expected_profile
    result = rules.estimate(expected_profile, as_of=NOW.date())
    finished = [e for e in conv.last.events if e.get("event") == "finished"][0]
    assert (finished["total_min"], finished["total_max"]) == (result["total_min"], result["total_max"])
    text = conv.last.text
    for line in result["lines"]:
        assert f"{article_name(line['clause'])} {line['item']}" in text
        if line["kind"] != "service":
            assert rules.format_wan(line["max"]) in text
    assert rules.format_wan(result["total_max"]) in text
    assert "西青区人力资源和社会保障局" in text
    filename, data = conv.last.document
    document = docx_text(data)  # the same estimate as a Word document
    assert filename.endswith(".docx") and all(note in document for note in result["notes"])
    assert conv.last.estimate == result
    return result


def per_clause(result):
    sums = {}
    for line in result["lines"]:
        sums[line["clause"]] = sums.get(line["clause"], 0) + line["max"]
    return sums


ELIGIBLE = {"registered_in_park": "是", "legal_person": "是的", "independent_accounting": "对",
            "sound_finance": "y"}


def test_institution_full_interview():
    conv = Conversation()
    conv.say("/check")
    conv.answer_all({"role": "1", **ELIGIBLE, "origin": "区外新引进", "revenue": "3.2亿", "contribution": "800万",
                     "park_year": "第二年", "rent_paid": "120万", "ranking": "都不是", "competition_city_award": "没有",
                     "ipo_city_subsidy": "没有", "events": "50万、30万", "facility_fees": "6万",
                     "manager_contributions": "20万、15万、10万、5万", "brand_selected": "否"})
    expected = {"role": "institution", "registered_in_park": True, "legal_person": True,
                "independent_accounting": True, "sound_finance": True, "origin": "new", "revenue": 320_000_000,
                "contribution": 8_000_000, "park_year": 2, "rent_paid": 1_200_000, "ranking": None,
                "competition_city_award": 0, "ipo_city_subsidy": 0, "events": [500_000, 300_000],
                "facility_fees": 60_000, "manager_contributions": [200_000, 150_000, 100_000, 50_000],
                "brand_selected": False}
    result = assert_estimate_matches(conv, expected)
    sums = per_clause(result)
    assert sums[5] == 800_000 and sums[11] == 300_000   # RULES.md worked examples
    assert len(conv.asked) == len(set(conv.asked)), "a question was asked twice"
    assert conv.asked[:5] == ["role", "registered_in_park", "legal_person", "independent_accounting",
                              "sound_finance"], "article 16 comes first"
    assert "租赁合同" in docx_text(conv.last.document[1])  # what to prepare for 先缴后补


def test_operator_interview():
    conv = Conversation()
    conv.say("资格自测")
    conv.answer_all({"role": "运营单位", "operating_years": "第二年", "park_level": "市级",
                     "tenants_revenue": "12亿", "events": "没有"})
    expected = {"role": "operator", "operating_years": 2, "park_level": "city",
                "tenants_revenue": 1_200_000_000, "events": []}
    result = assert_estimate_matches(conv, expected)
    assert per_clause(result)[3] == 200_000
    assert "revenue" not in conv.asked and "rent_paid" not in conv.asked


def test_builder_interview():
    conv = Conversation()
    conv.say("/check")
    conv.answer_all({"role": "3", "park_level": "国家级", "upgraded_from_city": "是"})
    result = assert_estimate_matches(conv, {"role": "builder", "park_level": "national", "upgraded_from_city": True})
    assert per_clause(result)[1] == 1_000_000
    assert conv.asked == ["role", "park_level", "upgraded_from_city"]


def test_ineligible_applicant_stops_early_with_reasons():
    conv = Conversation()
    conv.say("/check")
    conv.answer_all({"role": "1", "registered_in_park": "是", "legal_person": "不是"})
    assert conv.last.kind == "stopped"
    assert "独立法人" in conv.last.text and "第十六条" in conv.last.text
    assert "西青区人力资源和社会保障局" in conv.last.text
    assert "independent_accounting" not in conv.asked
    profile = profile_of(conv.state)
    assert rules.estimate(profile, as_of=NOW.date())["eligible"] is False
    # a wrong answer can be taken back
    conv.say("上一步")
    assert conv.last.kind == "question" and conv.pending == "legal_person"
    assert "legal_person" not in conv.answers()


def test_relocated_firm_counts_only_the_growth():
    conv = Conversation()
    conv.say("/check")
    conv.answer_all({"role": "1", **ELIGIBLE, "origin": "2", "revenue": "3.2亿", "revenue_prev": "1.5亿",
                     "contribution": "跳过", "park_year": "1", "rent_paid": "80万", "ranking": "4",
                     "competition_city_award": "0", "ipo_city_subsidy": "无", "events": "没有", "facility_fees": "没有",
                     "manager_contributions": "30万", "brand_selected": "否"})
    i = conv.asked.index("revenue")
    assert conv.asked[i + 1] == "revenue_prev", "the follow-up comes right after"
    assert "contribution_prev" not in conv.asked   # nothing to compare with a skipped contribution
    expected = {"role": "institution", "registered_in_park": True, "legal_person": True,
                "independent_accounting": True, "sound_finance": True, "origin": "relocated",
                "revenue": 320_000_000, "revenue_prev": 150_000_000, "park_year": 1, "rent_paid": 800_000,
                "ranking": None, "competition_city_award": 0, "ipo_city_subsidy": 0, "events": [],
                "facility_fees": 0, "manager_contributions": [300_000], "brand_selected": False}
    result = assert_estimate_matches(conv, expected)
    assert per_clause(result)[11] == 100_000   # 3.2亿 − 1.5亿 = 1.7亿
    assert "contribution" in result["missing"]
    assert "本年经济贡献" in conv.last.text     # the skipped fact is listed as missing
    assert "上一年度" in docx_text(conv.last.document[1])


def test_every_control_back_skip_review_edit_restart_cancel():
    conv = Conversation()
    conv.say("/check")
    conv.say("2")                          # operator …
    conv.say("重新开始")                    # … no: start again
    assert conv.answers() == {} and conv.pending == "role"
    conv.say("1")
    for key in ("registered_in_park", "legal_person", "independent_accounting", "sound_finance"):
        assert conv.pending == key
        conv.press(f"ans:{key}:yes")
    assert conv.pending == "origin"
    conv.say("新注册")
    first = conv.pending
    conv.say("上一步")                      # back to origin, its answer withdrawn
    assert conv.pending == "origin" and "origin" not in conv.answers()
    conv.press("ans:origin:new")
    assert conv.pending == first
    conv.say("跳过")                        # skip one question
    skipped = first
    assert skipped in conv.state["interview"]["skipped"]
    assert conv.pending != skipped
    conv.say("为什么问这个？")
    assert "条" in conv.replies[0].text and conv.last.kind == "question"
    before = conv.pending
    conv.press("ctl:review")                # review, change the origin, come back
    assert conv.last.kind == "review" and "来源" in conv.last.text
    number = [line for line in conv.last.text.splitlines() if "来源" in line][0].split(".")[0]
    conv.say(number)
    assert conv.pending == "origin"
    conv.say("区内已有机构迁入")
    assert conv.answers()["origin"] == "relocated"
    assert any("已修改" in r.text for r in conv.replies)
    assert conv.last.kind == "question"
    conv.say("取消")                        # cancel asks first; withdrawing keeps everything
    assert "确定要取消" in conv.last.text
    conv.say("否")
    assert conv.answers()["origin"] == "relocated" and conv.last.kind == "question"
    conv.press("ctl:finish")                # the estimate now, with what is missing
    assert conv.last.kind == "estimate"
    profile = profile_of(conv.state)
    assert profile["origin"] == "relocated" and skipped not in profile
    result = rules.estimate(profile, as_of=NOW.date())
    assert rules.format_wan(result["total_max"]) in conv.last.text
    assert before != skipped


def test_cancel_confirmed_clears_the_interview():
    conv = Conversation()
    conv.say("/check")
    conv.say("1")
    conv.press("ctl:cancel")
    conv.press("ctl:cancel_yes")
    assert conv.state["interview"] is None
    assert any(e.get("event") == "cancelled" for r in conv.replies for e in r.events)


def test_one_sentence_fills_every_key_it_names():
    conv = Conversation()
    conv.say("/check")
    conv.answer_all({"role": "1", **ELIGIBLE, "origin": "我们是区外新引进的，今年营收2亿，房租第一年交了60万",
                     "contribution": "跳过", "ranking": "4", "competition_city_award": "没有",
                     "ipo_city_subsidy": "没有", "events": "没有", "facility_fees": "没有",
                     "manager_contributions": "跳过", "brand_selected": "否"})
    for key in ("revenue", "park_year", "rent_paid"):
        assert key not in conv.asked
    profile = profile_of(conv.state)
    assert profile["origin"] == "new" and profile["revenue"] == 200_000_000
    assert profile["park_year"] == 1 and profile["rent_paid"] == 600_000
    assert per_clause(rules.estimate(profile, as_of=NOW.date()))[5] == 540_000


def test_understood_facts_are_confirmed():
    conv = Conversation()
    conv.say("/check")
    conv.say("1")
    for _ in range(4):
        conv.say("是")
    conv.say("我们是区外新引进的，今年营收2亿，房租第一年交了60万")
    noted = conv.replies[0].text
    assert "我记下了" in noted and "60万元" in noted and "区外新引进" in noted


def test_free_question_mid_interview_is_answered_not_taken_as_answer():
    conv = Conversation()
    conv.say("/check")
    conv.say("1")
    conv.say("是")
    pending, answers = conv.pending, dict(conv.answers())
    conv.say("房租补贴是怎么算的？")
    assert conv.replies[0].kind == "answer" and 5 in conv.replies[0].clauses
    assert conv.last.kind == "question" and conv.pending == pending
    assert conv.answers() == answers


def test_unclear_answer_is_asked_again_with_an_example():
    conv = Conversation()
    conv.say("/check")
    conv.say("1")
    for _ in range(4):
        conv.say("是")
    conv.say("新引进")
    while conv.pending != "revenue":
        conv.say("跳过")
    conv.say("挺多的")
    assert conv.replies[0].kind == "error" and "1.2亿" in conv.replies[0].text
    assert conv.pending == "revenue"
    conv.say("1亿2000万")
    assert conv.answers()["revenue"] == 120_000_000


def test_progress_mark_counts_the_questions_that_apply():
    conv = Conversation()
    conv.say("/check")
    conv.say("3")   # builder: role, park level, maybe the upgrade; the new total is said
    assert "（2/2）" in conv.last.text and conv.last.progress == (2, 2) and "共2项" in conv.last.text
    conv.say("国家级")
    assert "（3/3）" in conv.last.text and "共3项" in conv.last.text


def test_idle_interview_is_offered_to_resume_not_dropped():
    conv = Conversation()
    conv.say("/check")
    conv.say("1")
    conv.say("是")
    pending, answers = conv.pending, dict(conv.answers())
    conv.now = NOW + timedelta(days=8)
    conv.say("是")
    assert "继续" in conv.last.text and conv.answers() == answers
    conv.press("ctl:resume")
    assert conv.pending == pending and conv.last.kind == "question"
    # a shorter idle limit is a parameter
    state, replies = respond(conv.state, "是", now=conv.now + timedelta(hours=2), idle_days=0.05)
    assert any(b.action == "ctl:restart" for r in replies for row in r.buttons for b in row)


def test_old_or_broken_state_is_restarted_with_an_apology():
    for old in ({"version": 0, "interview": {"answers": {"role": "institution"}}}, {"nonsense": True}, "garbage",
                {"version": STATE_VERSION, "interview": {"answers": "x", "history": 5, "phase": 7}}):
        state, replies = respond(old, "你好")
        json.dumps(state)
        assert state["version"] == STATE_VERSION
        assert replies
    state, replies = respond({"version": 0}, "/help")
    assert "抱歉" in replies[0].text


def test_answers_from_an_unknown_vocabulary_are_dropped_on_load():
    state = new_state()
    state["interview"] = {"answers": {"role": "institution", "revenue": -5, "bogus": 1}, "phase": "asking",
                          "pending": "registered_in_park", "skipped": [], "history": []}
    state, replies = respond(state, "是")
    assert state["interview"]["answers"] == {"role": "institution", "registered_in_park": True}


def test_english_interview():
    conv = Conversation(lang="en")
    conv.say("/check")
    assert "capacity" in conv.last.text
    conv.say("3")
    conv.say("national")
    conv.say("no")
    assert conv.last.kind == "estimate" and "Article 1" in conv.last.text


@pytest.mark.parametrize("question, amount", [("我们营收1.3亿能拿多少", "10万元"), ("第二年房租交了100万", "80万元")])
def test_question_with_a_figure_quotes_the_computed_amount(question, amount):
    conv = Conversation()
    conv.say(question)
    assert amount in conv.replies[0].text


def test_knowledge_answer_buttons_and_events():
    conv = Conversation()
    conv.say("房租补贴怎么算")
    answer = conv.replies[0]
    assert answer.kind == "answer" and answer.events[0]["type"] == "asked" and answer.events[0]["top"] == "a05"
    actions = answer.actions()
    assert "text:a05" in actions and "fb:+:a05" in actions and "human" not in actions  # no help desk here
    conv.press("fb:-:a05")
    assert conv.replies[0].events == [{"type": "feedback", "entry": "a05", "value": -1}]
    conv.state, conv.replies = press(conv.state, "human", now=conv.now, handoff=True)
    assert conv.replies[0].events[0]["type"] == "handoff"
    assert conv.replies[0].events[0]["question"] == "房租补贴怎么算"
    conv.press("text:a05")
    assert "先缴后补" in conv.replies[0].text


def test_unknown_question_offers_suggestions_or_a_person():
    conv = Conversation()
    conv.say("今天天气怎么样")
    assert conv.replies[0].kind == "not_confident"
    assert "human" not in conv.replies[0].actions() and "区人社局" in conv.replies[0].text
    _state, replies = respond(new_state(), "今天天气怎么样", now=NOW, handoff=True)
    assert "human" in replies[0].actions()


def test_commands():
    conv = Conversation()
    assert conv.say("/start")[0].kind == "info"
    assert "第五条" in conv.say("/clause 5")[0].text
    assert conv.say("/clause 99")[0].kind == "error"
    assert "第十九条" in conv.say("/list")[0].text
    assert conv.say("/lang en")[0].text == "Switched to English."
    assert conv.say("/nonsense")[0].kind == "error"
    assert "No eligibility check" in conv.say("/cancel")[0].text


def test_stale_buttons_do_no_harm():
    conv = Conversation()
    conv.say("/check")
    conv.say("1")
    answers = dict(conv.answers())
    for action in ("ans:revenue:yes", "edit:nonexistent", "ask:../../etc", "fb:?:a05", "zzz", "ans:role:builder"):
        conv.press(action)
        assert conv.answers() == answers
        assert conv.last.kind == "question"


def _to_question(conv, key):
    conv.say("/check")
    conv.say("1")
    for _ in range(4):
        conv.say("是")
    conv.say("新引进")
    while conv.pending != key:
        conv.say("跳过")


def test_a_bare_small_number_for_money_is_asked_again_with_the_unit():
    conv = Conversation()
    _to_question(conv, "rent_paid")
    conv.say("80")
    assert conv.replies[0].kind == "error" and "单位" in conv.replies[0].text
    assert "rent_paid" not in conv.answers()
    conv.say("80万")
    assert conv.answers()["rent_paid"] == 800_000


def test_amounts_without_a_topic_word_belong_to_the_question_asked():
    conv = Conversation()
    conv.say("/check")
    conv.answer_all({"role": "1", **ELIGIBLE, "origin": "区内迁入", "revenue": "3.2亿，去年1.5亿", "contribution": "跳过",
                     "park_year": "跳过", "rent_paid": "跳过", "ranking": "跳过", "competition_city_award": "跳过",
                     "ipo_city_subsidy": "跳过", "events": "跳过", "facility_fees": "跳过",
                     "manager_contributions": "跳过", "brand_selected": "跳过"})
    assert "revenue_prev" not in conv.asked
    profile = profile_of(conv.state)
    assert (profile["revenue"], profile["revenue_prev"]) == (320_000_000, 150_000_000)


def test_a_question_after_a_long_idle_is_answered_and_the_interview_offered():
    conv = Conversation()
    conv.say("/check")
    conv.say("1")
    conv.now = NOW + timedelta(days=30)
    conv.say("房租补贴怎么算？")
    assert conv.replies[0].kind == "answer"
    assert "ctl:resume" in conv.last.actions() and conv.answers() == {"role": "institution"}


def test_none_for_a_figure_the_applicant_may_not_have_is_not_taken_as_zero():
    conv = Conversation()
    _to_question(conv, "contribution")
    conv.say("没有")
    assert "contribution" not in conv.answers() and "跳过" in conv.replies[0].text
    conv.say("0")
    assert conv.answers()["contribution"] == 0


def test_figures_from_an_earlier_question_are_not_asked_again():
    conv = Conversation()
    conv.say("我们是区外新引进的，第一年房租交了60万，能补多少？")
    assert "54万元" in conv.replies[0].text           # 60万 × 90%
    assert "check" in conv.last.actions()              # offered: the full check with these facts
    conv.press("check")
    assert any("已记下" in r.text and "60万元" in r.text for r in conv.replies)
    conv.answer_all({"role": "1", **ELIGIBLE, "revenue": "跳过", "contribution": "跳过", "ranking": "4",
                     "competition_city_award": "没有", "ipo_city_subsidy": "没有", "events": "没有",
                     "facility_fees": "没有", "brand_selected": "否"})
    assert not {"origin", "park_year", "rent_paid"} & set(conv.asked)
    assert profile_of(conv.state)["rent_paid"] == 600_000
