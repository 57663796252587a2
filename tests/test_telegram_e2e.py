"""End to end: the real bot (PTB's HTTP client, long polling) against the fake Bot API on loopback.

What a user sees: the menu, answers with citations, the interview through buttons and typed
amounts, the estimate as a file, an interview surviving a killed bot, 50 users at once.
"""
from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import dialogs
from knowledge import citation
from bot.telegram.app import build_application, start_embedded, stop_embedded
from bot.telegram.render import DOC_ACTION, compose_messages

ROOT = Path(__file__).resolve().parent.parent
USER = 1001


def actions(message) -> list[str]:
    return [b["callback_data"] for row in message.buttons for b in row if "callback_data" in b]


def is_question(message) -> bool:
    return any(a.startswith("ctl:") for a in actions(message)) and DOC_ACTION not in actions(message)


def choose(question, typed: dict[str, str]) -> tuple[str, str]:
    """How a scripted applicant answers: ("type", text) when the question mentions one of
    ``typed``'s phrases, else the first answer button, else the example the question suggests."""
    asked = re.split(r"（\d+/\d+）|\(\d+/\d+\)", question.text)[-1]   # the question, not the lines above it
    for phrase, text in typed.items():
        if phrase in asked:
            return "type", text
    answers = [a for a in actions(question) if a.startswith("ans:")]
    if answers:
        return "press", answers[0]
    hint = re.search(r"(?:可以这样回答|For example)[:：]\s*(\S+)", asked)
    return "type", hint.group(1) if hint else "跳过"


def ends_a_step(message) -> bool:
    """An interview step ends with the next question or the estimate."""
    return is_question(message) or DOC_ACTION in actions(message)


async def answer(api, chat: int, question, move: tuple[str, str]):
    kind, value = move
    if kind == "press":
        return await api.replies_to(chat, lambda: api.press(question, value), until=ends_a_step)
    return await api.replies_to(chat, lambda: api.send_text(chat, value), until=ends_a_step)


async def interview(api, chat: int, typed: dict[str, str], steps: int = 60, replies=None, moves=None):
    """Run /check (or go on from ``replies`` after ``moves``) to the estimate; returns (every
    reply, every move made)."""
    replies = replies or await api.replies_to(chat, lambda: api.send_text(chat, "/check"), until=ends_a_step)
    seen, moves = list(replies), list(moves or [])
    for _ in range(steps):
        last = replies[-1]
        if DOC_ACTION in actions(last):
            return seen, moves
        assert is_question(last), f"expected a question, got {last.text[:200]!r}"
        move = choose(last, typed)
        moves.append(move)
        replies = await answer(api, chat, last, move)
        seen += replies
    raise AssertionError("the interview did not end")


def sent_texts(messages) -> list[str]:
    return [m.text for m in messages if m.method == "sendMessage"]


def engine_texts(moves: list[tuple[str, str]], first: tuple[str, ...] = ("/check",)) -> list[str]:
    """What the engine itself says to the same messages and moves (the reference for what
    Telegram shows)."""
    state, texts = dialogs.new_state(), []
    for kind, value in [("type", text) for text in first] + list(moves):
        state, replies = (dialogs.press if kind == "press" else dialogs.respond)(state, value)
        texts += [text for text, _ in compose_messages(replies, "save")]
    return texts


async def test_start_shows_a_welcome_and_a_menu(fake_api, running_bot):
    replies = await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "/start"))
    assert "西青" in replies[0].text and "您好" in replies[0].text
    menu = [a for r in replies for a in actions(r)]
    assert {"askhint", "check", "list"} <= set(menu)  # 问政策 · 资格自测与补贴测算 · 条款目录 (联系人工: only with a help desk)
    assert "English" in replies[0].text
    # The menu works: its interview button starts the interview.
    start = next(r for r in replies if "check" in actions(r))
    pressed = await fake_api.replies_to(USER, lambda: fake_api.press(start, "check"))
    assert is_question(pressed[-1])
    assert fake_api.methods("answerCallbackQuery")


async def test_question_is_answered_with_citation_full_text_and_stored_feedback(fake_api, running_bot, bot_settings):
    replies = await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "房租补贴怎么算"))
    answer_msg = replies[0]
    assert citation([5]) in answer_msg.text
    labels = answer_msg.button_labels()
    assert any("原文" in label for label in labels)
    assert any("👍" in label for label in labels) and any("👎" in label for label in labels)

    full = await fake_api.replies_to(USER, lambda: fake_api.press(answer_msg, answer_msg.button("原文")))
    assert "80万元" in full[0].text and "先缴后补" in full[0].text

    await fake_api.replies_to(USER, lambda: fake_api.press(answer_msg, answer_msg.button("👎")))
    # The standing 👍/👎 is ticked on the answer (pressing it again would take it back).
    edited = await fake_api.wait_for(lambda: fake_api.methods("editMessageReplyMarkup"), what="markup edit")
    labels = [b["text"] for row in edited[-1].get("reply_markup", {}).get("inline_keyboard", []) for b in row]
    assert [label for label in labels if label.startswith("✅")] == ["✅ " + answer_msg.button("👎")["text"]]

    db = sqlite3.connect(bot_settings.db_path)
    logged = db.execute("SELECT chat_id, question, top_match, confident FROM question_log").fetchall()
    assert logged == [(USER, "房租补贴怎么算", "a05", 1)]
    assert db.execute("SELECT entry, value FROM feedback").fetchall() == [("a05", -1)]


async def test_a_figure_in_the_question_gets_the_computed_amount(fake_api, running_bot):
    replies = await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "第二年房租交了100万能补多少"))
    expected = engine_texts([], first=("第二年房租交了100万能补多少",))
    assert sent_texts(replies) == expected
    assert "80万元" in replies[0].text


async def test_out_of_scope_question_is_referred_to_the_bureau(fake_api, running_bot, bot_settings):
    replies = await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "今天天气怎么样"))
    assert not re.search(r"「第.+?条」", replies[0].text)    # no article claimed as the answer
    assert "区人社局" in replies[0].text
    db = sqlite3.connect(bot_settings.db_path)
    assert db.execute("SELECT confident FROM question_log").fetchall() == [(0,)]


async def test_full_interview_through_buttons_and_typed_amounts_ends_in_the_estimate(fake_api, running_bot):
    # Answer the first question, go back to it (上一步), answer it again, skip the next one (跳过).
    replies = await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "/check"), until=ends_a_step)
    moves = [choose(replies[-1], {})]
    replies = await answer(fake_api, USER, replies[-1], moves[-1])
    assert "（2/" in replies[-1].text
    moves.append(("press", replies[-1].button("上一步")["callback_data"]))
    replies = await answer(fake_api, USER, replies[-1], moves[-1])
    assert "（1/" in replies[-1].text
    moves.append(choose(replies[-1], {}))
    replies = await answer(fake_api, USER, replies[-1], moves[-1])
    moves.append(("press", replies[-1].button("跳过")["callback_data"]))
    replies = await answer(fake_api, USER, replies[-1], moves[-1])
    assert "（3/" in replies[-1].text

    seen, moves = await interview(fake_api, USER, typed={"营业收入": "1.3亿", "第几年": "第二年"},
                                  replies=replies, moves=moves)
    assert ("type", "1.3亿") in moves and any(kind == "press" for kind, _ in moves)
    estimate = seen[-1]
    assert "1.3亿元" in estimate.text and "万元" in estimate.text
    assert sent_texts(fake_api.messages(USER)) == engine_texts(moves)
    assert all(len(data.encode()) <= 64 for m in fake_api.messages(USER) for data in actions(m))
    # A pressed question shows the choice and loses its buttons, so it cannot be answered twice.
    edits = fake_api.methods("editMessageText")
    assert edits and all("✅" in e["text"] and not e.get("reply_markup") for e in edits)

    files = await fake_api.replies_to(USER, lambda: fake_api.press(estimate, DOC_ACTION))
    document = files[0].document
    assert files[0].method == "sendDocument" and document["filename"].endswith(".docx")
    from dialogs.document import docx_text

    body = docx_text(document["content"])  # the Word document opens and holds the estimate
    assert "1.3亿元" in body and "合计" in body


async def test_a_document_worker_that_dies_costs_one_file_and_the_next_press_sends_it(fake_api, running_bot,
                                                                                        monkeypatch):
    import dialogs.document as document

    seen, _ = await interview(fake_api, USER, typed={"营业收入": "1.3亿", "第几年": "第二年"})
    estimate = seen[-1]
    monkeypatch.setattr(document, "_TEST_FAULT", "die")   # the worker dies making it (killed, out of memory)
    failed = await fake_api.replies_to(USER, lambda: fake_api.press(estimate, DOC_ACTION))
    assert [m.method for m in failed] == ["sendMessage"] and failed[0].text == "抱歉，处理这条消息时出了问题，请再试一次。"
    monkeypatch.setattr(document, "_TEST_FAULT", None)
    files = await fake_api.replies_to(USER, lambda: fake_api.press(estimate, DOC_ACTION))
    assert files[0].method == "sendDocument" and "1.3亿元" in document.docx_text(files[0].document["content"])


async def test_commands_in_the_middle_of_an_interview_are_served_and_it_continues(fake_api, running_bot):
    replies = await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "/check"))
    first_question = replies[-1]
    replies = await fake_api.replies_to(USER, lambda: fake_api.press(first_question, choose(first_question, {})[1]))
    pending = replies[-1]
    assert "（2/" in pending.text

    for command in ["/clause 5", "/help", "房租补贴怎么算", "/list"]:
        replies = await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, command))
        assert replies[-1].text.endswith(pending.text) and replies[-1].buttons == pending.buttons, command
        assert len(replies[0].text) > len(pending.text), command
    assert "80万元" in (await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "/clause 5")))[0].text

    # /start offers to continue; continuing brings back the same question.
    replies = await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "/start"))
    offer = next(r for r in replies if "ctl:resume" in actions(r))
    replies = await fake_api.replies_to(USER, lambda: fake_api.press(offer, "ctl:resume"))
    assert replies[-1].text == pending.text
    # And the user can always leave.
    replies = await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "/cancel"))
    if "ctl:cancel_yes" in actions(replies[-1]):
        replies = await fake_api.replies_to(USER, lambda: fake_api.press(replies[-1], "ctl:cancel_yes"))
    assert not is_question(replies[-1])
    replies = await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "房租补贴怎么算"))
    assert citation([5]) in replies[0].text and len(replies) == 1


# -- the bot as its own process: killed mid-interview, restarted ------------------------------

def start_bot_process(api, db_path: Path) -> subprocess.Popen:
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_BASE_URL=api.base_url,
               POLICYBOT_DB=str(db_path), PYTHONPATH=str(ROOT))
    process = subprocess.Popen([sys.executable, "-m", "bot.cli"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return process


async def wait_polling(api, process, after_calls: int) -> None:
    await api.wait_for(lambda: len(api.methods("getUpdates")) > after_calls or process.poll() is not None,
                       timeout=60, what="the bot to poll")
    assert process.poll() is None, process.stderr.read().decode()


async def test_bot_killed_mid_interview_continues_after_restart(fake_api, tmp_path):
    db_path = tmp_path / "bot.sqlite3"
    process = start_bot_process(fake_api, db_path)
    try:
        await wait_polling(fake_api, process, 0)
        replies = await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "/check"))
        moves = []
        for _ in range(3):
            move = choose(replies[-1], {})
            moves.append(move)
            replies = await answer(fake_api, USER, replies[-1], move)
        pending = replies[-1]
        assert "（4/" in pending.text
        process.kill()  # SIGKILL: no chance to flush anything
        process.wait(10)

        polls = len(fake_api.methods("getUpdates"))
        process = start_bot_process(fake_api, db_path)
        await wait_polling(fake_api, process, polls)
        # The question on screen is answered after the restart: the interview goes on from it.
        move = choose(pending, {})
        moves.append(move)
        replies = await answer(fake_api, USER, pending, move)
        assert "（5/" in replies[-1].text
        assert sent_texts(replies) == engine_texts(moves)[-len(sent_texts(replies)):]
        # The earlier answers are kept: the review lists all four.
        review = await fake_api.replies_to(USER, lambda: fake_api.press(replies[-1], "ctl:review"))
        state = dialogs.new_state()
        state, _ = dialogs.respond(state, "/check")
        for kind, value in moves:
            state, _ = (dialogs.press if kind == "press" else dialogs.respond)(state, value)
        _, expected = dialogs.press(state, "ctl:review")
        assert sent_texts(review) == [text for text, _ in compose_messages(expected, "save")]
        assert len(dialogs.profile_of(state)) >= 4

        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


# -- many users at once ---------------------------------------------------------------------------

async def quick_estimate(api, user: int, revenue: str):
    """A question with a figure, then /check, one answer, and straight to the result."""
    moves = []
    await api.replies_to(user, lambda: api.send_text(user, f"我们营收{revenue}能拿多少"), settle=0.05)
    replies = await api.replies_to(user, lambda: api.send_text(user, "/check"), until=ends_a_step, settle=0.02)
    move = choose(replies[-1], {})
    moves.append(move)
    replies = await answer(api, user, replies[-1], move)
    moves.append(("press", "ctl:finish"))
    replies = await answer(api, user, replies[-1], moves[-1])
    assert DOC_ACTION in actions(replies[-1])
    return replies[-1], moves


async def test_fifty_users_interviewing_at_once_get_only_their_own_answers(fake_api, bot_settings):
    # Outgoing rate limiting is tested on its own; here it would only make the test slow.
    application = build_application(dataclasses.replace(bot_settings, send_rate=10_000))
    await start_embedded(application)
    try:
        users = {5000 + i: f"{i + 1}亿" for i in range(50)}
        results = await asyncio.gather(*(quick_estimate(fake_api, user, revenue) for user, revenue in users.items()))
    finally:
        await stop_embedded(application)
    for (user, revenue), (estimate, moves) in zip(users.items(), results):
        expected = engine_texts(moves, first=(f"我们营收{revenue}能拿多少", "/check"))
        assert sent_texts(fake_api.messages(user)) == expected, f"user {user}"
        assert f"营业收入{revenue}元" in estimate.text
