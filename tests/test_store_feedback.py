"""Feedback buttons are checked: an entry that does not exist is refused, and each user has one
👍/👎 per answer (pressing the other changes it, the same again takes it back)."""
from __future__ import annotations

import sqlite3

import dialogs
from bot.store import MIGRATIONS, Store
from bot.telegram.app import TEXTS

USER, OTHER, GROUP = 1001, 1002, -100500


def rows(db_path, sql="SELECT chat_id, user_id, entry, value FROM feedback ORDER BY id"):
    db = sqlite3.connect(db_path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_feedback_for_an_unknown_entry_records_nothing():
    state = dialogs.new_state(lang="zh")
    state, replies = dialogs.press(state, "fb:+:a99")
    assert [e for r in replies for e in r.events] == []
    assert "失效" in replies[0].text
    state, replies = dialogs.press(state, "fb:+:a05")
    assert [e for r in replies for e in r.events] == [{"type": "feedback", "entry": "a05", "value": 1}]


def test_set_feedback_adds_changes_and_withdraws(tmp_path):
    store = Store.open(tmp_path / "bot.sqlite3")
    key = dict(chat_id=USER, user_id=USER, entry="a05", message_id=10)
    assert store.set_feedback(value=1, **key) == "added"
    assert store.feedback_value(USER, 10, USER) == 1
    assert store.set_feedback(value=-1, **key) == "changed"
    assert store.feedback_value(USER, 10, USER) == -1
    assert store.set_feedback(value=-1, **key) == "withdrawn"
    assert store.feedback_value(USER, 10, USER) is None
    # Another answer message, and another user, are separate.
    store.set_feedback(value=1, **key)
    store.set_feedback(value=1, **dict(key, message_id=11))
    store.set_feedback(value=-1, **dict(key, user_id=OTHER))
    assert [(r["user_id"], r["message_id"], r["value"]) for r in store.feedback()] == [
        (USER, 10, 1), (USER, 11, 1), (OTHER, 10, -1)]


def test_a_version_2_store_gains_the_answer_column_and_keeps_its_feedback(tmp_path):
    path = tmp_path / "bot.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    import sqlite_utils

    old = sqlite_utils.Database(db)
    for step in MIGRATIONS[:2]:
        step(old)
    db.execute("PRAGMA user_version = 2")
    db.execute("INSERT INTO feedback (time, chat_id, user_id, entry, value) VALUES ('2026-01-01', 1, 1, 'a05', 1)")
    db.close()
    store = Store.open(path)
    assert store.schema_version == len(MIGRATIONS)
    assert [(r["entry"], r["value"], r["message_id"]) for r in store.feedback()] == [("a05", 1, None)]


def fb_labels(message):
    return [b["text"] for row in message.buttons for b in row if b["callback_data"].startswith("fb:")]


async def test_one_thumb_per_user_per_answer_through_telegram(fake_api, running_bot, bot_settings):
    answer = (await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "房租补贴怎么算")))[0]
    up, down = answer.button("👍"), answer.button("👎")

    async def press(button):
        edits_before = len(fake_api.methods("editMessageReplyMarkup"))
        replies = await fake_api.replies_to(USER, lambda: fake_api.press(answer, button))
        edited = await fake_api.wait_for(lambda: fake_api.methods("editMessageReplyMarkup")[edits_before:],
                                         what="the ticked buttons")
        labels = [b["text"] for row in edited[-1]["reply_markup"]["inline_keyboard"] for b in row]
        return replies[0].text, [label for label in labels if label.startswith("✅")]

    text, ticked = await press(up)
    assert text == "谢谢您的反馈！" and ticked == ["✅ " + up["text"]]
    assert rows(bot_settings.db_path) == [(USER, USER, "a05", 1)]
    text, ticked = await press(down)                      # changes it
    assert ticked == ["✅ " + down["text"]]
    assert rows(bot_settings.db_path) == [(USER, USER, "a05", -1)]
    text, ticked = await press(down)                      # the same again: taken back
    assert text == TEXTS["zh"]["withdrawn"] and ticked == []
    assert rows(bot_settings.db_path) == []
    # A made-up button for an entry that does not exist: a polite line, nothing stored.
    replies = await fake_api.replies_to(USER, lambda: fake_api.press(answer, "fb:+:a99"))
    assert "失效" in replies[0].text
    assert rows(bot_settings.db_path) == []


async def test_in_a_group_each_member_has_their_own_thumb(fake_api, running_bot, bot_settings):
    answer = (await fake_api.replies_to(GROUP, lambda: fake_api.send_mention(GROUP, "房租补贴怎么算", USER)))[0]
    await fake_api.replies_to(GROUP, lambda: fake_api.press(answer, answer.button("👍"), user_id=USER))
    await fake_api.replies_to(GROUP, lambda: fake_api.press(answer, answer.button("👍"), user_id=OTHER))
    await fake_api.replies_to(GROUP, lambda: fake_api.press(answer, answer.button("👍"), user_id=USER))
    assert rows(bot_settings.db_path) == [(GROUP, OTHER, "a05", 1)]
