"""End to end through the fake Bot API: how the bot treats chats, content and load, independent of
what the engine answers (groups, stickers, edits, long texts, floods, errors, start-up)."""
from __future__ import annotations

import asyncio

import pytest

from bot.telegram.app import TEXTS, build_application, start_embedded, stop_embedded

GROUP = -100500
ALICE, BOB = 2001, 2002


async def test_commands_are_registered_in_both_languages(fake_api, running_bot):
    calls = await fake_api.wait_for(lambda: fake_api.methods("setMyCommands")[1:], what="setMyCommands")
    zh, en = fake_api.methods("setMyCommands")[:2]
    names = [c["command"] for c in zh["commands"]]
    assert names == ["start", "help", "check", "clause", "list", "cancel", "lang", "privacy", "forget"]
    assert en["language_code"] == "en" and [c["command"] for c in en["commands"]] == names
    assert calls


async def test_a_server_refusing_set_my_commands_is_not_fatal(fake_api, bot_settings, caplog):
    fake_api.fail_methods["setMyCommands"] = {"error_code": 400, "description": "Bad Request: refused"}
    application = build_application(bot_settings)
    await start_embedded(application)
    try:
        replies = await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "/start"))
        assert replies and replies[0].text
    finally:
        await stop_embedded(application)
    assert any("could not register" in r.getMessage() for r in caplog.records)


async def test_group_chat_stays_quiet_until_addressed(fake_api, running_bot):
    # Chatter not meant for the bot, a sticker, a command for another bot: no answer. The addressed
    # message sent after them is answered first, so nothing was answered before it.
    fake_api.send_text(GROUP, "大家下午好，房租补贴怎么算？", user_id=ALICE, chat_type="supergroup")
    fake_api.send_text(GROUP, "/help@some_other_bot", user_id=ALICE, chat_type="supergroup")
    mention = fake_api.send_mention(GROUP, "房租补贴怎么算", user_id=ALICE)
    first = await fake_api.next_message(GROUP, after=0)
    assert first.params["reply_parameters"]["message_id"] == mention["message"]["message_id"]
    await asyncio.sleep(0.3)
    answered = len(fake_api.messages(GROUP))

    # A reply to the bot's message and a plain command in the group are answered too.
    replies = await fake_api.replies_to(GROUP, lambda: fake_api.send_text(
        GROUP, "那第二年呢", user_id=BOB, chat_type="supergroup", reply_to=first))
    assert replies
    replies = await fake_api.replies_to(GROUP, lambda: fake_api.send_text(
        GROUP, "/help", user_id=BOB, chat_type="supergroup"))
    assert replies
    # More chatter: still quiet.
    before = len(fake_api.messages(GROUP))
    fake_api.send_text(GROUP, "谢谢", user_id=BOB, chat_type="supergroup")
    await asyncio.sleep(0.4)
    assert len(fake_api.messages(GROUP)) == before
    assert answered >= 1


@pytest.mark.parametrize("send", ["sticker", "photo", "voice"])
async def test_non_text_gets_one_polite_line(fake_api, running_bot, send):
    replies = await fake_api.replies_to(ALICE, lambda: getattr(fake_api, f"send_{send}")(ALICE))
    assert [r.text for r in replies] == [TEXTS["zh"]["unsupported"]]


async def test_edited_message_gets_one_polite_line(fake_api, running_bot):
    original = fake_api.send_text(ALICE, "房租补贴")
    await fake_api.next_message(ALICE, after=0)
    await asyncio.sleep(0.2)
    replies = await fake_api.replies_to(ALICE, lambda: fake_api.edit_text(ALICE, original, "房租补贴怎么算"))
    assert [r.text for r in replies] == [TEXTS["zh"]["edited"]]


async def test_very_long_text_gets_one_polite_line(fake_api, running_bot):
    replies = await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "房租补贴怎么算？" * 300))
    assert [r.text for r in replies] == [TEXTS["zh"]["too_long"]]


async def test_flooding_user_is_told_to_slow_down_once_and_others_are_served(fake_api, running_bot):
    for i in range(35):
        fake_api.send_text(ALICE, f"第{i}条")
    replies = await fake_api.replies_to(BOB, lambda: fake_api.send_text(BOB, "/help"))
    assert replies and all(r.text != TEXTS["zh"]["flood"] for r in replies)
    await fake_api.wait_for(lambda: any(m.text == TEXTS["zh"]["flood"] for m in fake_api.messages(ALICE)),
                            what="the flood warning")
    await asyncio.sleep(0.3)
    texts = [m.text for m in fake_api.messages(ALICE)]
    assert texts.count(TEXTS["zh"]["flood"]) == 1


async def test_an_error_is_logged_answered_in_one_line_and_the_bot_keeps_running(
        fake_api, running_bot, monkeypatch, caplog):
    import dialogs

    real_respond = dialogs.respond

    def respond(state, text, *args, **kwargs):
        if text == "boom":
            raise RuntimeError("engine failure")
        return real_respond(state, text, *args, **kwargs)

    monkeypatch.setattr(dialogs, "respond", respond)
    replies = await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "boom"))
    assert [r.text for r in replies] == [TEXTS["zh"]["error"]]
    assert any(r.exc_info and "engine failure" in str(r.exc_info[1]) for r in caplog.records)
    replies = await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "/help"))
    assert replies and replies[0].text != TEXTS["zh"]["error"]
    assert not any(fake_api.token in r.getMessage() for r in caplog.records)


def run_cli(env_extra: dict, timeout: float = 60):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "POLICYBOT_"))}
    env.update(env_extra, PYTHONPATH=str(root))
    return subprocess.run([sys.executable, "-m", "bot.cli"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def test_a_token_the_server_refuses_is_one_line_and_exit_2(fake_api, tmp_path):
    result = run_cli({"TELEGRAM_BOT_TOKEN": "999999:WRONGsecret", "TELEGRAM_API_BASE_URL": fake_api.base_url,
                      "POLICYBOT_DB": str(tmp_path / "bot.sqlite3")})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0] and "WRONGsecret" not in result.stderr


def test_a_malformed_token_is_one_line_and_exit_2(tmp_path):
    result = run_cli({"TELEGRAM_BOT_TOKEN": "hello world", "POLICYBOT_DB": str(tmp_path / "bot.sqlite3")})
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "malformed" in result.stderr


def test_log_lines_never_show_the_token(capsys):
    import logging

    from bot.config import Settings
    from bot.telegram.app import configure_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(Settings(token="123456:SECRETsecret"))
        logging.getLogger("policybot.test").warning(
            "POST http://127.0.0.1/bot123456:SECRETsecret/sendMessage failed")
        try:
            raise RuntimeError("url https://api.telegram.org/bot123456:SECRETsecret/getMe")
        except RuntimeError:
            logging.getLogger("policybot.test").exception("with traceback")
        logging.getLogger("httpx").info("HTTP Request: POST http://x/bot123456:SECRETsecret/getUpdates")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "sendMessage failed" in err and "with traceback" in err
    assert "SECRETsecret" not in err and "getUpdates" not in err


async def test_webhook_mode_receives_updates_and_answers(fake_api, tmp_path):
    import json
    import os
    import socket
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=fake_api.token, TELEGRAM_API_BASE_URL=fake_api.base_url,
               POLICYBOT_DB=str(tmp_path / "bot.sqlite3"), POLICYBOT_WEBHOOK_URL="https://bot.example.org/policybot",
               POLICYBOT_WEBHOOK_LISTEN="127.0.0.1", POLICYBOT_WEBHOOK_PORT=str(port),
               POLICYBOT_WEBHOOK_SECRET="s3cret", PYTHONPATH=str(root))
    process = subprocess.Popen([sys.executable, "-m", "bot.cli"], cwd=root, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        hook = await fake_api.wait_for(lambda: fake_api.webhook, timeout=60, what="setWebhook")
        assert hook["url"] == "https://bot.example.org/policybot" and hook["secret_token"] == "s3cret"
        update = {"update_id": 1, "message": {
            "message_id": 1, "date": 0, "chat": fake_api.chat(ALICE), "from": fake_api.user(ALICE),
            "text": "/help", "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}

        def post(secret: str) -> int:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/policybot", data=json.dumps(update).encode(), method="POST",
                headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})
            try:
                return urllib.request.urlopen(request, timeout=10).status
            except urllib.error.HTTPError as error:
                return error.code

        # PTB calls setWebhook before its server listens: wait until the port accepts connections.
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        assert await asyncio.to_thread(post, "wrong") == 403
        assert await asyncio.to_thread(post, "s3cret") == 200
        reply = await fake_api.next_message(ALICE, after=0)
        assert reply.text
        # The same server serves the web channel (one HTTP server for the process).
        health = await asyncio.to_thread(urllib.request.urlopen, f"http://127.0.0.1:{port}/healthz", timeout=10)
        assert json.loads(health.read())["ok"] is True
    finally:
        process.terminate()
        assert process.wait(20) == 0


async def test_lang_switches_the_bots_own_words_and_the_answers(fake_api, running_bot):
    replies = await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "/lang en"))
    assert "English" in replies[0].text
    replies = await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "房租补贴怎么算"))
    assert "rent" in replies[0].text and not any("\u4e00" <= ch <= "\u9fff" for ch in replies[0].text[:40])
    replies = await fake_api.replies_to(ALICE, lambda: fake_api.send_sticker(ALICE))
    assert [r.text for r in replies] == [TEXTS["en"]["unsupported"]]
    replies = await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "/lang zh"))
    replies = await fake_api.replies_to(ALICE, lambda: fake_api.send_sticker(ALICE))
    assert [r.text for r in replies] == [TEXTS["zh"]["unsupported"]]


async def test_telegram_asking_to_retry_after_is_respected(fake_api, running_bot):
    fake_api.fail_next["sendMessage"] = {
        "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}
    started = asyncio.get_running_loop().time()
    replies = await fake_api.replies_to(ALICE, lambda: fake_api.send_text(ALICE, "/help"))
    waited = asyncio.get_running_loop().time() - started
    assert replies and replies[0].text != TEXTS["zh"]["error"]
    assert fake_api.errors == [("sendMessage", "Too Many Requests: retry after 1")]
    assert waited >= 1.0


async def test_sigterm_lets_the_update_in_flight_finish_and_exits_0(fake_api, tmp_path):
    import signal

    from tests.test_telegram_e2e import start_bot_process, wait_polling

    process = start_bot_process(fake_api, tmp_path / "bot.sqlite3")
    try:
        await wait_polling(fake_api, process, 0)
        update = fake_api.send_text(ALICE, "我们营收3亿能拿多少")
        # As soon as the bot has fetched the update (its next poll confirms it), stop the bot.
        await fake_api.wait_for(lambda: any(p.get("offset", 0) > update["update_id"]
                                            for p in fake_api.methods("getUpdates")), what="the fetch")
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
        assert fake_api.messages(ALICE) and "30万" in fake_api.messages(ALICE)[0].text
    finally:
        if process.poll() is None:
            process.kill()
