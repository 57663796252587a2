"""The outbox and the inbox, one fault at a time (the kill test does them all at once): an update
Telegram delivers again is not answered again; replies committed but unsent when the bot died go
out on start, before anything new; an update received but not handled is handled on start."""
from __future__ import annotations

import itertools
import json

from bot.store import Store, utc_now
from bot.telegram.app import build_application, start_embedded, stop_embedded

USER = 9100


def sent(api, chat: int) -> list[str]:
    return [m.text for m in api.messages(chat) if m.method == "sendMessage"]


def help_update(api, update_id: int) -> dict:
    return {"update_id": update_id, "message": {
        "message_id": 5, "date": 1764460800, "text": "/help",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        "chat": api.chat(USER), "from": api.user(USER)}}


async def test_an_update_delivered_again_after_a_restart_is_not_answered_again(fake_api, bot_settings):
    # The last run handled update 77 (and sent its reply) but died before confirming it to
    # Telegram, which therefore delivers it again.
    store = Store.open(bot_settings.db_path)
    store.db.execute("INSERT INTO handled (chat_id, user_id, update_id, updated) VALUES (?, ?, 77, ?)",
                     [USER, USER, utc_now()])
    store.close()
    fake_api._update_ids = itertools.count(100)
    with fake_api._lock:
        fake_api._updates.append(help_update(fake_api, 77))
    application = build_application(bot_settings)
    await start_embedded(application)
    try:
        replies = await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "/list"))
    finally:
        await stop_embedded(application)
    assert len(replies) == 1 and "使用方法" not in replies[0].text
    assert len(sent(fake_api, USER)) == 1


async def test_replies_left_unsent_go_out_on_start_before_anything_new(fake_api, bot_settings):
    store = Store.open(bot_settings.db_path)
    store.db.execute("INSERT INTO outbox (chat_id, text, created) VALUES (?, ?, ?), (?, ?, ?)",
                     [USER, "第一条未发出的回复", utc_now(), USER, "第二条未发出的回复", utc_now()])
    store.close()
    application = build_application(bot_settings)
    await start_embedded(application)
    try:
        await fake_api.wait_for(lambda: len(sent(fake_api, USER)) >= 2, what="the unsent replies")
        assert sent(fake_api, USER) == ["第一条未发出的回复", "第二条未发出的回复"]
    finally:
        await stop_embedded(application)
    reopened = Store.open(bot_settings.db_path)
    assert reopened.db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0] == 0
    reopened.close()


async def test_an_update_received_but_not_handled_is_handled_on_start(fake_api, bot_settings):
    update = help_update(fake_api, 77)
    store = Store.open(bot_settings.db_path)
    store.db.execute("INSERT INTO inbox (update_id, data, received) VALUES (?, ?, ?)",
                     [77, json.dumps(update), utc_now()])
    store.close()
    application = build_application(bot_settings)
    await start_embedded(application)
    try:
        await fake_api.wait_for(lambda: sent(fake_api, USER), what="the reply to the saved update")
    finally:
        await stop_embedded(application)
    reopened = Store.open(bot_settings.db_path)
    assert reopened.db.execute("SELECT count(*) FROM inbox").fetchone()[0] == 0
    assert reopened.db.execute("SELECT update_id FROM handled WHERE chat_id = ?", [USER]).fetchone()[0] == 77
    reopened.close()
    assert len(sent(fake_api, USER)) == 1


async def test_an_idle_interview_leaves_memory_and_goes_on_when_the_user_comes_back(
        fake_api, running_bot, monkeypatch):
    import dialogs
    from bot.telegram import outbox
    from bot.telegram.render import compose_messages
    from tests.test_telegram_e2e import ends_a_step

    monkeypatch.setattr(outbox, "CONVERSATION_IDLE", 0.0)
    question = (await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "/check"), until=ends_a_step))[-1]
    action = question.buttons[0][0]["callback_data"]
    # Another user's update is the occasion to drop the idle entry.
    await fake_api.replies_to(USER + 1, lambda: fake_api.send_text(USER + 1, "/help"))
    conversations = running_bot._conversation_handler_conversations["interview"]
    assert (USER, USER) not in conversations
    replies = await fake_api.replies_to(USER, lambda: fake_api.press(question, action), until=ends_a_step)
    state = dialogs.new_state(lang="zh")
    state, _ = dialogs.respond(state, "/check")
    state, expected = dialogs.press(state, action)
    assert [r.text for r in replies] == [text for text, _ in compose_messages(expected, "📄 保存测算结果")]
