"""Issue 9 on Telegram, end to end through the fake Bot API: the user's app language is only a
default, group members each get their own interview (and cannot answer another's), /check in a
group goes private, follow-ups by reply, buttons on old messages, no hand-off button without a
help desk, the matcher warm before the first update.

Tests marked ``bar`` need the engine of branch i9-engine (language per message, ``handoff=``,
``reply_to=``): they fail against the engine stub of this branch and must pass after the merge.
"""
from __future__ import annotations

import asyncio
import dataclasses
import re
import sqlite3

import pytest

import dialogs
import rules
from bot.telegram.app import TEXTS, build_application, start_embedded, stop_embedded
from bot.telegram.render import DOC_ACTION
from bot.store import Store
from bot.telegram.outbox import Durable, Ledger, _insert_messages, _tidy
from bot.telegram.sent import answered_entry, message_note
from knowledge import citation, matcher
from tests.fake_bot_api import FakeBotApi
from tests.test_telegram_e2e import actions, ends_a_step, is_question

GROUP = -100900
ALICE, BOB = 3001, 3002
HELPDESK = -100777
ARTICLE = re.compile(r"第[一二三四五六七八九十]+条")
CJK = re.compile(r"[\u4e00-\u9fff]")
bar = pytest.mark.bar


def hand_off_actions(messages) -> list[str]:
    return [a for m in messages for a in actions(m) if a == "human"] + \
           [label for m in messages for label in m.button_labels() if "人工" in label or "person" in label]


def edits_of(api, message) -> list[dict]:
    return [p for p in api.methods("editMessageText") + api.methods("editMessageReplyMarkup")
            if p.get("message_id") == message.message_id]


@pytest.fixture
def english_app(fake_api):
    """Users whose Telegram runs in English (language_code=en), as most users in China."""
    fake_api.language_code = "en"
    return fake_api


@pytest.fixture
def record_engine_calls(monkeypatch):
    """What the channel passes to the engine: every respond/press call's keyword arguments."""
    calls = []
    real_respond, real_press = dialogs.respond, dialogs.press

    def respond(state, text, *args, **kwargs):
        calls.append(("respond", text, kwargs))
        return real_respond(state, text, *args, **kwargs)

    def press(state, action, *args, **kwargs):
        calls.append(("press", action, kwargs))
        return real_press(state, action, *args, **kwargs)

    monkeypatch.setattr(dialogs, "respond", respond)
    monkeypatch.setattr(dialogs, "press", press)
    return calls


# -- 1. the user's app language ------------------------------------------------------------------

def test_the_fake_api_reports_each_users_app_language():
    api = FakeBotApi(language_code="en")
    assert api.user(1)["language_code"] == "en"
    assert api.user(2, language_code="zh-hans")["language_code"] == "zh-hans"
    assert api.user(2)["language_code"] == "zh-hans"       # kept for that user


async def test_the_app_language_is_only_the_default_of_a_new_state(english_app, running_bot, monkeypatch):
    created = []
    real_new_state = dialogs.new_state
    monkeypatch.setattr(dialogs, "new_state", lambda lang="zh": created.append(lang) or real_new_state(lang))
    english_app.user(BOB, language_code="zh-hans")
    # Alice switches to Chinese in her private chat; her state in a group still starts from her
    # app language (the engine then answers each message in its own language).
    await english_app.replies_to(ALICE, lambda: english_app.send_text(ALICE, "/lang zh", user_id=ALICE))
    await english_app.replies_to(GROUP, lambda: english_app.send_mention(GROUP, "房租补贴怎么算", user_id=ALICE))
    await english_app.replies_to(GROUP, lambda: english_app.send_mention(GROUP, "房租补贴怎么算", user_id=BOB))
    assert created == ["en", "en", "zh"]


@bar
async def test_a_chinese_question_from_an_english_app_gets_a_chinese_answer_with_its_article(english_app, running_bot):
    replies = await english_app.replies_to(ALICE, lambda: english_app.send_text(ALICE, "房租补贴第二年按多少比例补？"))
    answer = replies[0].text
    assert citation([5]) in answer and ARTICLE.search(answer)
    assert "Article" not in answer and len(CJK.findall(answer)) > len(answer) / 3
    # An English question, same user: an English answer.
    replies = await english_app.replies_to(ALICE, lambda: english_app.send_text(ALICE, "How is the rent subsidy computed?"))
    assert "Article 5" in replies[0].text and not CJK.search(replies[0].text.split("\n")[0])


@bar
async def test_each_group_member_is_answered_in_the_language_of_their_message(english_app, running_bot):
    english_app.user(BOB, language_code="zh-hans")
    alice = await english_app.replies_to(GROUP, lambda: english_app.send_mention(GROUP, "房租补贴第二年按多少比例补？", user_id=ALICE))
    bob = await english_app.replies_to(GROUP, lambda: english_app.send_mention(GROUP, "How is the rent subsidy computed?", user_id=BOB))
    assert citation([5]) in alice[0].text and "Article" not in alice[0].text
    assert "Article 5" in bob[0].text and citation([5]) not in bob[0].text


def typed_answer(question) -> str:
    """How an applicant who writes Chinese answers: yes/no and choices in words, amounts as the
    question's example suggests (the revenue and the park year given)."""
    asked = re.split(r"（\d+/\d+）", question.text)[-1]     # the question itself, not what precedes it
    if "营业收入" in asked:
        return "营业收入1.3亿"
    if "第几年" in asked:
        return "第二年"
    answers = [b for row in question.buttons for b in row if b["callback_data"].startswith("ans:")]
    if [b["callback_data"].rsplit(":", 1)[1] for b in answers] == ["yes", "no"]:
        return "是"
    if answers:
        return answers[0]["text"]
    hint = re.search(r"可以这样回答[:：]\s*(\S+)", asked)
    return hint.group(1) if hint else "跳过"


@bar
async def test_a_full_interview_typed_in_chinese_from_an_english_app_ends_in_the_right_chinese_estimate(
        english_app, running_bot):
    api = english_app
    typed = ["资格自测"]
    replies = await api.replies_to(ALICE, lambda: api.send_text(ALICE, "资格自测"), until=ends_a_step)
    first = replies[-1]
    assert is_question(first) and "（1/" in first.text
    # The first question answered by a button: the choice is echoed in the reply language.
    role = next(a for a in actions(first) if a.startswith("ans:role:"))
    replies = await api.replies_to(ALICE, lambda: api.press(first, role), until=ends_a_step)
    edit = await api.wait_for(lambda: edits_of(api, first), what="the chosen answer on the question")
    assert "✅ 已选" in edit[-1]["text"]
    moves = [("press", role)]
    for _ in range(40):
        last = replies[-1]
        if DOC_ACTION in actions(last):
            break
        assert is_question(last) and CJK.search(last.text), last.text[:200]
        text = typed_answer(last)
        moves.append(("type", text))
        replies = await api.replies_to(ALICE, lambda: api.send_text(ALICE, text), until=ends_a_step)
    estimate = replies[-1]
    assert DOC_ACTION in actions(estimate) and "合计" in estimate.text and "Total" not in estimate.text

    state = dialogs.new_state("en")
    for kind, value in [("type", t) for t in typed] + moves:
        state, _ = (dialogs.press if kind == "press" else dialogs.respond)(state, value)
    profile = dialogs.profile_of(state)
    assert profile["revenue"] == 130_000_000 and profile["park_year"] == 2
    expected = rules.estimate(profile)
    assert expected["eligible"]
    for amount in (expected["total_min"], expected["total_max"]):
        assert rules.format_wan(amount) in estimate.text


# -- 4. group chats -------------------------------------------------------------------------------

async def test_another_group_member_cannot_answer_someones_interview(fake_api, running_bot):
    replies = await fake_api.replies_to(GROUP, lambda: fake_api.send_mention(GROUP, "资格自测", user_id=ALICE),
                                        until=ends_a_step)
    question = replies[-1]
    assert is_question(question)
    answer = next(a for a in actions(question) if a.startswith("ans:"))
    before = len(fake_api.messages(GROUP))
    for action in (answer, "ctl:why", "ctl:cancel"):
        answered = len(fake_api.methods("answerCallbackQuery"))
        fake_api.press(question, action, user_id=BOB)
        notice = await fake_api.wait_for(lambda: fake_api.methods("answerCallbackQuery")[answered:],
                                         what="a private notice")
        assert notice[0]["show_alert"] in (True, "true") and notice[0]["text"] == TEXTS["zh"]["not_yours"]
    await asyncio.sleep(0.3)
    assert len(fake_api.messages(GROUP)) == before and not edits_of(fake_api, question)
    # The owner still can.
    replies = await fake_api.replies_to(GROUP, lambda: fake_api.press(question, answer, user_id=ALICE),
                                        until=ends_a_step)
    assert is_question(replies[-1]) and "（2/" in replies[-1].text


async def test_check_in_a_group_is_offered_in_a_private_chat_by_deep_link(fake_api, running_bot):
    replies = await fake_api.replies_to(GROUP, lambda: fake_api.send_text(
        GROUP, "/check@xiqing_policy_bot", user_id=ALICE, chat_type="supergroup"))
    assert len(replies) == 1 and not is_question(replies[0])
    assert "营业收入" in replies[0].text and "私聊" in replies[0].text
    [[button]] = replies[0].buttons
    assert button["url"] == "https://t.me/xiqing_policy_bot?start=check"
    # The menu's check button in a group: the same offer.
    menu = await fake_api.replies_to(GROUP, lambda: fake_api.send_text(GROUP, "/start", user_id=ALICE, chat_type="supergroup"))
    start = next(m for m in menu if "check" in actions(m))
    offered = await fake_api.replies_to(GROUP, lambda: fake_api.press(start, "check", user_id=ALICE))
    assert offered[0].buttons[0][0]["url"] == button["url"]
    # The link opens the private chat with /start check: the interview starts there.
    replies = await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "/start check"), until=ends_a_step)
    assert is_question(replies[-1]) and "（1/" in replies[-1].text


async def test_a_reply_to_an_answer_passes_its_entry_to_the_engine_and_survives_a_restart(
        fake_api, bot_settings, record_engine_calls):
    application = build_application(bot_settings)
    await start_embedded(application)
    try:
        rent = (await fake_api.replies_to(GROUP, lambda: fake_api.send_mention(GROUP, "房租补贴怎么算", user_id=ALICE)))[0]
        talent = (await fake_api.replies_to(GROUP, lambda: fake_api.send_mention(GROUP, "经理的人才奖励怎么算", user_id=ALICE)))[0]
        await fake_api.replies_to(GROUP, lambda: fake_api.send_text(
            GROUP, "那第三年呢？", user_id=BOB, chat_type="supergroup", reply_to=rent))
        assert record_engine_calls[-1] == ("respond", "那第三年呢？", {"handoff": False, "reply_to": "a05"})
        await fake_api.replies_to(GROUP, lambda: fake_api.send_text(
            GROUP, "最多几个人？", user_id=BOB, chat_type="supergroup", reply_to=talent))
        assert record_engine_calls[-1][2]["reply_to"] == "a06"
        # A plain message is no follow-up of anything.
        await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "房租补贴怎么算"))
        assert record_engine_calls[-1][2] == {"handoff": False, "reply_to": None}
    finally:
        await stop_embedded(application)
    application = build_application(bot_settings)
    await start_embedded(application)
    try:
        await fake_api.replies_to(GROUP, lambda: fake_api.send_text(
            GROUP, "那第三年呢？", user_id=BOB, chat_type="supergroup", reply_to=rent))
        assert record_engine_calls[-1][2]["reply_to"] == "a05"
        # No longer kept (sent rows go after a week): the answer's own buttons (查看原文, 👍/👎)
        # still name its entry.
        forgetting = sqlite3.connect(bot_settings.db_path)
        with forgetting:
            forgetting.execute("UPDATE outbox SET note = NULL")
        forgetting.close()
        await fake_api.replies_to(GROUP, lambda: fake_api.send_text(
            GROUP, "最多几个人？", user_id=BOB, chat_type="supergroup", reply_to=talent))
        assert record_engine_calls[-1][2]["reply_to"] == "a06"
    finally:
        await stop_embedded(application)


async def test_a_sent_messages_note_is_found_by_its_message_id_for_a_week(tmp_path):
    store = Store.open(tmp_path / "notes.sqlite3")
    ledger = Ledger(store)
    durable = Durable(ledger)
    answer = dialogs.Reply("答", kind="answer", events=[{"type": "asked", "top": "a05", "confident": True}])
    notes = [message_note([answer], [], ALICE, in_group=True),
             message_note([], [[("是", "ans:k:yes")]], ALICE, in_group=True)]
    try:
        with store.db.conn:
            _insert_messages(store.db.conn, [{"chat_id": GROUP, "text": "t", "note": note} for note in notes])
            store.db.execute("UPDATE outbox SET sent_at = '2026-11-30T00:00:00', message_id = id + 40")
        assert (await durable.note_of(GROUP, 41))["entry"] == "a05"
        assert (await durable.note_of(GROUP, 41))["owner"] == ALICE
        assert await durable.note_of(GROUP, 99) is None
        assert await durable.latest_step(GROUP, ALICE) == 42     # the answer is no interview step
        assert await durable.latest_step(GROUP, BOB) is None
        with store.db.conn:
            store.db.execute("UPDATE outbox SET sent_at = '2026-11-01T00:00:00'")
            _tidy(store.db.conn)
        assert await durable.note_of(GROUP, 41) is None and await durable.latest_step(GROUP, ALICE) is None
    finally:
        ledger.close()
        store.close()


def test_the_entry_a_message_answers():
    asked = {"type": "asked", "query": "q", "top": "a05", "score": 0.9, "confident": True}
    answer = dialogs.Reply("答", kind="answer", events=[asked])
    assert answered_entry([answer]) == "a05"
    stated = dialogs.Reply("答", kind="answer", events=[asked])
    stated.entry = "a06"                               # the engine's own word wins (Reply.entry)
    assert answered_entry([dialogs.Reply("前言"), stated]) == "a06"
    unsure = dialogs.Reply("不确定", kind="not_confident", events=[dict(asked, confident=False)])
    assert answered_entry([unsure]) is None
    assert answered_entry([dialogs.Reply("（2/16）…", kind="question", events=[asked])]) is None


@bar
async def test_a_reply_to_the_bots_answer_is_answered_about_the_same_article(fake_api, running_bot):
    rent = (await fake_api.replies_to(GROUP, lambda: fake_api.send_mention(GROUP, "房租补贴怎么算", user_id=ALICE)))[0]
    await fake_api.replies_to(GROUP, lambda: fake_api.send_mention(GROUP, "经理的人才奖励怎么算", user_id=ALICE))
    for user in (BOB, ALICE):   # another member, and the one who asked (whose last answer is Article 6)
        replies = await fake_api.replies_to(GROUP, lambda: fake_api.send_text(
            GROUP, "那第三年呢？", user_id=user, chat_type="supergroup", reply_to=rent))
        assert citation([5]) in replies[0].text and citation([6]) not in replies[0].text, user


# -- 5. buttons -----------------------------------------------------------------------------------

async def test_a_button_on_an_old_question_says_out_of_date_and_leaves_the_message(fake_api, running_bot):
    first = (await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "/check"), until=ends_a_step))[-1]
    answers = [a for a in actions(first) if a.startswith("ans:")]
    second = (await fake_api.replies_to(ALICE, lambda: fake_api.press(first, answers[0]), until=ends_a_step))[-1]
    assert "（2/" in second.text
    [chosen] = await fake_api.wait_for(lambda: edits_of(fake_api, first), what="the chosen answer")
    assert "✅ 已选：" in chosen["text"] and not chosen.get("reply_markup")

    for action in (answers[1], "ctl:back", "ctl:why"):     # the old question, as the user still sees it
        replies = await fake_api.replies_to(ALICE, lambda: fake_api.press(first, action))
        assert [r.text for r in replies] == [TEXTS["zh"]["out_of_date"]]
    assert len(edits_of(fake_api, first)) == 1
    # The pending question is untouched: answering it goes on to the third.
    third = (await fake_api.replies_to(ALICE, lambda: fake_api.press(second, actions(second)[0]), until=ends_a_step))[-1]
    assert "（3/" in third.text


@bar
async def test_a_press_the_engine_could_not_serve_leaves_the_message_as_it_was(fake_api, running_bot):
    question = (await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "/check"), until=ends_a_step))[-1]
    confirm = (await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "/forget")))[0]
    await fake_api.replies_to(ALICE, lambda: fake_api.press(confirm, "fgt:yes"), edits=True)
    # Everything forgotten: the question still on screen no longer belongs to an interview.
    replies = await fake_api.replies_to(ALICE, lambda: fake_api.press(question, actions(question)[0]))
    assert replies and "（2/" not in replies[-1].text
    await asyncio.sleep(0.3)
    assert not edits_of(fake_api, question)


async def test_control_buttons_are_not_echoed_as_chosen_answers(fake_api, running_bot):
    first = (await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "/check"), until=ends_a_step))[-1]
    why = await fake_api.replies_to(ALICE, lambda: fake_api.press(first, "ctl:why"))
    assert why and not any("✅" in p["text"] for p in fake_api.methods("editMessageText"))
    review = await fake_api.replies_to(ALICE, lambda: fake_api.press(why[-1] if "ctl:review" in actions(why[-1]) else first,
                                                                     "ctl:review"))
    assert review and not any("✅" in p["text"] for p in fake_api.methods("editMessageText"))


async def test_a_question_asked_mid_interview_leaves_only_the_repeated_question_answerable(fake_api, running_bot):
    first = (await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "/check"), until=ends_a_step))[-1]
    aside = await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "房租补贴怎么算"), until=ends_a_step)
    repeated = aside[-1]
    assert first.text.endswith(repeated.text) and repeated.buttons == first.buttons
    stale = await fake_api.replies_to(ALICE, lambda: fake_api.press(first, actions(first)[0]))
    assert [r.text for r in stale] == [TEXTS["zh"]["out_of_date"]]
    served = await fake_api.replies_to(ALICE, lambda: fake_api.press(repeated, actions(repeated)[0]), until=ends_a_step)
    assert "（2/" in served[-1].text


async def test_the_channel_tells_the_engine_whether_a_help_desk_exists(fake_api, bot_settings, record_engine_calls):
    for settings, handoff in ((bot_settings, False), (dataclasses.replace(bot_settings, helpdesk_chat=HELPDESK), True)):
        fake_api.chat(HELPDESK, "supergroup")
        application = build_application(settings)
        await start_embedded(application)
        try:
            record_engine_calls.clear()
            answer = (await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "房租补贴怎么算")))[0]
            await fake_api.replies_to(ALICE, lambda: fake_api.press(answer, actions(answer)[0]))
            await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "/help"))
        finally:
            await stop_embedded(application)
        assert [kwargs["handoff"] for _, _, kwargs in record_engine_calls] == [handoff] * 3


@bar
async def test_no_hand_off_button_anywhere_without_a_help_desk_chat(fake_api, running_bot):
    seen = await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "/start"))
    seen += await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "房租补贴怎么算"))
    seen += await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "今天天气怎么样"))
    seen += await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "/check"), until=ends_a_step)
    assert hand_off_actions(seen) == []
    told = await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "转人工"))
    assert "区人社局" in told[0].text and not re.search(r"\d{5,}", told[0].text)
    assert hand_off_actions(told) == []


@bar
async def test_with_a_help_desk_the_hand_off_button_has_one_name(fake_api, bot_settings):
    fake_api.chat(HELPDESK, "supergroup")
    application = build_application(dataclasses.replace(bot_settings, helpdesk_chat=HELPDESK))
    await start_embedded(application)
    try:
        seen = await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "/start"))
        seen += await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "房租补贴怎么算"))
    finally:
        await stop_embedded(application)
    labels = [b["text"] for m in seen for row in m.buttons for b in row if b["callback_data"] == "human"]
    assert len(labels) == 2 and set(labels) == {"联系人工"}


# -- 8. start-up --------------------------------------------------------------------------------

async def test_the_matcher_is_warm_before_the_first_update_is_fetched(fake_api, bot_settings, monkeypatch):
    loaded_at = []
    real_get_index = matcher.get_index
    application = build_application(bot_settings)     # teaching examples resets the index
    assert matcher._index is None

    def get_index():
        if not loaded_at:
            loaded_at.append(len(fake_api.methods("getUpdates")))
        return real_get_index()

    monkeypatch.setattr(matcher, "get_index", get_index)
    await start_embedded(application)
    try:
        assert loaded_at == [0] and matcher._index is not None
    finally:
        await stop_embedded(application)
