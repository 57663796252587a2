"""Unit tests of the Telegram channel's pieces that need no server: settings, message splitting,
flood control, the store and the persistence, the outgoing rate limiter."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sqlite3
import time

import pytest
from telegram.error import RetryAfter

from bot.config import load_settings, redact
from bot.telegram.persistence import SQLitePersistence
from bot.store import MIGRATIONS, Store
from bot.telegram.limits import FloodGuard, SendRateLimiter
from bot.telegram.render import split_message, utf16_len


# -- settings ---------------------------------------------------------------------------------

def test_settings_read_from_the_environment(tmp_path):
    settings = load_settings({
        "TELEGRAM_BOT_TOKEN": "123456:ABC-def_9", "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
        "POLICYBOT_DB": str(tmp_path / "x.sqlite3"), "POLICYBOT_WEBHOOK_URL": "https://example.org/hook",
        "POLICYBOT_WEBHOOK_PORT": "8444"})
    assert settings.token_problem() is None
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.db_path == tmp_path / "x.sqlite3"
    assert (settings.webhook_url, settings.webhook_port) == ("https://example.org/hook", 8444)
    assert not settings.problems
    assert "ABC-def_9" not in repr(settings)


@pytest.mark.parametrize("token", ["", "abc", "123456", "12:34:56", "123456:has space", ":secret"])
def test_missing_or_malformed_token_is_one_clear_problem(token):
    problem = load_settings({"TELEGRAM_BOT_TOKEN": token}).token_problem()
    assert problem and "TELEGRAM_BOT_TOKEN" in problem and "\n" not in problem
    if token.strip():
        assert token not in problem  # never echo the secret


def test_a_dotenv_file_is_read_and_the_environment_wins(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=111:FROMFILE\nPOLICYBOT_DB=from-file.sqlite3\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("POLICYBOT_DB", str(tmp_path / "from-env.sqlite3"))
    try:
        settings = load_settings()
    finally:
        os.environ.pop("TELEGRAM_BOT_TOKEN", None)  # load_dotenv set it for this whole process
    assert settings.token == "111:FROMFILE"
    assert settings.db_path == tmp_path / "from-env.sqlite3"


def test_bad_values_are_reported_not_raised():
    settings = load_settings({"POLICYBOT_WEBHOOK_PORT": "eighty", "TELEGRAM_API_BASE_URL": "localhost:8081",
                              "POLICYBOT_SEND_RATE": "0"})
    assert settings.webhook_port == 8443 and settings.api_base_url is None and settings.send_rate == 30
    assert len(settings.problems) == 3
    assert load_settings({"POLICYBOT_WEBHOOK_PORT": "70000"}).problems


def test_default_database_lives_in_the_user_data_directory():
    assert load_settings({}).db_path.name == "policybot.sqlite3"
    assert "policybot" in str(load_settings({}).db_path.parent)


def test_redact_removes_the_token_from_urls_and_text():
    line = "POST http://127.0.0.1:1/bot123456:SECRETxyz/getUpdates failed for 123456:SECRETxyz"
    assert "SECRETxyz" not in redact(line, "123456:SECRETxyz")
    assert "SECRET" not in redact("https://api.telegram.org/bot987:SECRET/sendMessage")


def test_run_bot_without_a_usable_token_exits_2_with_one_line(capsys):
    from bot.telegram.app import run_bot

    assert run_bot(load_settings({"TELEGRAM_BOT_TOKEN": "not-a-token"})) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "TELEGRAM_BOT_TOKEN" in err and "not-a-token" not in err


# -- splitting long replies -----------------------------------------------------------------------

def test_short_text_is_one_message():
    assert split_message("房租补贴怎么算？") == ["房租补贴怎么算？"]


def test_long_text_is_split_at_sentence_ends_within_the_limit():
    sentences = [f"第{i}句话说明补贴的计算方法和申请条件。" for i in range(600)]
    text = "".join(sentences)
    pieces = split_message(text)
    assert len(pieces) > 1
    assert all(utf16_len(p) <= 4096 for p in pieces)
    assert all(p.endswith("。") for p in pieces)
    assert "".join(pieces) == text


def test_emoji_count_double_and_a_sentence_longer_than_a_message_is_cut():
    text = "😀" * 3000  # 6000 UTF-16 units, no sentence end at all
    pieces = split_message(text, limit=4096)
    assert all(utf16_len(p) <= 4096 for p in pieces) and "".join(pieces) == text


# -- flood control ------------------------------------------------------------------------------

def test_thirty_messages_in_ten_seconds_are_told_once_then_dropped_and_others_unaffected():
    guard = FloodGuard(limit=30, window=10)
    verdicts = [guard.check(1, now=100 + i * 0.1) for i in range(35)]
    assert verdicts[:29] == ["ok"] * 29
    assert verdicts[29] == "warn" and set(verdicts[30:]) == {"drop"}
    assert guard.check(2, now=103.6) == "ok"
    assert guard.check(1, now=130) == "ok"  # the pace fell: served again


# -- store and persistence ---------------------------------------------------------------------

def test_store_creates_the_schema_and_reopens_without_change(tmp_path):
    path = tmp_path / "bot.sqlite3"
    store = Store.open(path)
    assert store.schema_version == len(MIGRATIONS)
    store.log_question(chat_id=5, user_id=5, question="房租补贴", top="a05", score=0.91, confident=True)
    store.add_feedback(chat_id=5, user_id=5, entry="a05", value=-1)
    store.close()
    again = Store.open(path)
    assert [(q["question"], q["top_match"], q["confident"]) for q in again.questions()] == [("房租补贴", "a05", 1)]
    assert [(f["entry"], f["value"]) for f in again.feedback()] == [("a05", -1)]


def test_store_migrates_an_older_file(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite3"
    Store.open(path).close()

    def add_notes(db):
        db["notes"].create({"id": int, "text": str}, pk="id")

    monkeypatch.setattr("bot.store.MIGRATIONS", MIGRATIONS + [add_notes])
    store = Store.open(path)
    assert store.schema_version == len(MIGRATIONS) + 1 and "notes" in store.db.table_names()


async def test_persistence_round_trip_is_readable_json(tmp_path):
    store = Store.open(tmp_path / "p.sqlite3")
    persistence = SQLitePersistence(store)
    state = {"chats": {"42": {"dialog": {"version": 1, "lang": "zh", "answers": {"revenue": 130000000}}}}}
    await persistence.update_user_data(42, state)
    await persistence.update_chat_data(-100, {"x": 1})
    await persistence.update_bot_data({"y": [1, 2]})
    await persistence.update_conversation("interview", (42, 42), "interview")
    await persistence.update_conversation("interview", (7, 7), "interview")
    await persistence.update_conversation("interview", (7, 7), None)
    store.close()

    raw = sqlite3.connect(tmp_path / "p.sqlite3").execute("SELECT data FROM user_data").fetchone()[0]
    assert "130000000" in raw and json.loads(raw) == state

    reopened = SQLitePersistence(Store.open(tmp_path / "p.sqlite3"))
    assert (await reopened.get_user_data()) == {42: state}
    assert (await reopened.get_chat_data()) == {-100: {"x": 1}}
    assert (await reopened.get_bot_data()) == {"y": [1, 2]}
    assert (await reopened.get_conversations("interview")) == {(42, 42): "interview"}
    await reopened.drop_user_data(42)
    assert (await reopened.get_user_data()) == {}


# -- outgoing rate limiter ------------------------------------------------------------------------

async def test_retry_after_pauses_and_retries_then_succeeds():
    limiter = SendRateLimiter(per_second=1000)
    await limiter.initialize()
    attempts = []

    async def send(*args, **kwargs):
        attempts.append(time.monotonic())
        if len(attempts) == 1:
            raise RetryAfter(dt.timedelta(seconds=0.2))
        return {"ok": True}

    result = await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert result == {"ok": True} and len(attempts) == 2
    assert attempts[1] - attempts[0] >= 0.2


async def test_overall_rate_is_kept():
    limiter = SendRateLimiter(per_second=20)
    await limiter.initialize()

    async def send(*args, **kwargs):
        return True

    start = time.monotonic()
    await asyncio.gather(*(limiter.process_request(send, (), {}, "sendMessage", {"chat_id": i}, None)
                           for i in range(30)))
    # 20 saved-up tokens go at once; the other 10 need half a second at 20 a second.
    assert time.monotonic() - start >= 0.45


# -- composing messages -------------------------------------------------------------------------

def test_replies_without_buttons_join_the_next_message_and_the_estimate_gets_a_save_button():
    from dialogs import Button, Reply
    from bot.telegram.render import DOC_ACTION, compose_messages

    replies = [Reply("好的，我们开始资格自测。"), Reply("已记下：营业收入 3亿元"),
               Reply("（1/16）您是以哪种身份了解这项政策？", buttons=[[Button("机构", "ans:role:institution")]]),
               Reply("估算结果", buttons=[[Button("转人工", "human")]], document=("估算.docx", b"PK")),
               Reply("说明")]
    messages = compose_messages(replies, "保存")
    assert [text for text, _ in messages] == [
        "好的，我们开始资格自测。\n\n已记下：营业收入 3亿元\n\n（1/16）您是以哪种身份了解这项政策？", "估算结果", "说明"]
    assert messages[1][1] == [[("转人工", "human")], [("保存", DOC_ACTION)]]
    assert messages[2][1] == []


def test_the_conversation_state_follows_the_engine():
    from telegram.ext import ConversationHandler

    from dialogs import Button, Reply
    from bot.telegram.app import INTERVIEW, TelegramChannel

    question = Reply("（1/16）您是以哪种身份了解这项政策？", kind="question",
                     buttons=[[Button("机构", "ans:role:institution")]])
    started = Reply("好的，我们开始资格自测。", events=[{"type": "interview", "event": "started"}])
    finished = Reply("自测完成", kind="estimate", events=[{"type": "interview", "event": "finished"}])
    assert TelegramChannel.interview_state([started, question]) == INTERVIEW
    assert TelegramChannel.interview_state([question]) == INTERVIEW
    assert TelegramChannel.interview_state([finished]) == ConversationHandler.END
    assert TelegramChannel.interview_state([Reply("条款目录")]) is None  # unchanged


async def test_group_chats_get_their_own_slower_budget():
    limiter = SendRateLimiter(per_second=1000, group_per_minute=20)
    await limiter.initialize()

    async def send(*args, **kwargs):
        return True

    def request(chat_id):
        return limiter.process_request(send, (), {}, "sendMessage", {"chat_id": chat_id}, None)

    start = time.monotonic()
    await asyncio.gather(*(request(7000 + i) for i in range(25)))   # private chats: overall budget only
    await asyncio.gather(*(request(-100) for _ in range(20)))       # a group: 20 at once...
    assert time.monotonic() - start < 0.3
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(request(-100), 0.5)                  # ...then one every 3 seconds
    assert await asyncio.wait_for(request(-200), 0.5)               # another group is not held up
