"""Issue 9, point 9: outside the policy's term (2023-11-20 to 2026-12-31) every answer about an award and
every estimate opens with one line saying so; the date comes from ``now``, POLICYBOT_AS_OF, or --as-of."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.cli import main
from bot.terminal import run_chat
from dialogs import new_state, respond
from knowledge.answers import AWARD_ENTRIES, VALIDITY_ENTRIES

ROOT = Path(__file__).resolve().parents[1]
IN_FORCE = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
AFTER = datetime(2027, 1, 5, 9, 0, tzinfo=timezone.utc)
BEFORE = datetime(2023, 11, 1, 9, 0, tzinfo=timezone.utc)
ENDED = "本政策有效期已于2026年12月31日届满，现已不再施行"
ENDED_EN = "this policy expired on 31 December 2026 and is no longer in force"


def answer(text, now, lang="zh"):
    _, replies = respond(new_state(lang), text, now=now)
    return next(r for r in replies if r.kind == "answer")


@pytest.mark.parametrize("question", ["房租补贴怎么申请", "房租补贴第二年按多少比例补？", "营收奖励怎么算"])
def test_after_the_end_an_award_answer_opens_with_the_line(question):
    reply = answer(question, AFTER)
    first = reply.text.splitlines()[0]
    assert ENDED in first and "区人社局" in first
    assert ENDED not in answer(question, IN_FORCE).text


def test_before_the_start_the_answer_says_not_yet():
    first = answer("房租补贴怎么算", BEFORE).text.splitlines()[0]
    assert "尚未施行" in first and "2023年11月20日" in first


def test_english_answer_opens_with_the_english_line():
    first = answer("How is the rent subsidy calculated?", AFTER, "en").text.splitlines()[0]
    assert ENDED_EN in first and "Human Resources and Social Security Bureau" in first


def test_figures_in_a_question_are_computed_for_the_date_and_flagged():
    reply = answer("我们营收3亿能拿多少奖励", AFTER)
    assert reply.text.startswith("提示：" + ENDED)
    assert "30万元" in reply.text


def test_which_answers_count_as_about_an_award():
    # Articles 1-18 (the awards, who gets them and how much) and the topics on applying, amounts,
    # eligibility, pay-first, relocation and stacking; the term itself (a19, t-validity) too.
    assert {f"a{n:02d}" for n in range(1, 19)} <= AWARD_ENTRIES
    assert {"t-how-to-apply", "t-overview", "t-pay-first", "t-relocation", "t-stacking",
            "t-who-can-apply"} <= AWARD_ENTRIES
    assert set(VALIDITY_ENTRIES) <= AWARD_ENTRIES
    # Who interprets the policy and what it is called are not about an award.
    assert "t-interpretation" not in AWARD_ENTRIES and "a00" not in AWARD_ENTRIES


def test_policybot_as_of_setting_is_used_when_no_now_is_given(monkeypatch):
    monkeypatch.setenv("POLICYBOT_AS_OF", "2027-01-05")
    _, replies = respond(new_state(), "房租补贴怎么申请")
    assert ENDED in replies[0].text.splitlines()[0]
    # An explicit now wins over the setting.
    assert ENDED not in answer("房租补贴怎么申请", IN_FORCE).text


BUILDER = ["/check", "3", "市级"]


def test_an_estimate_after_the_end_opens_with_the_line_and_labels_the_total():
    state, replies = new_state(), []
    for text in BUILDER:
        state, replies = respond(state, text, now=AFTER)
    reply = replies[-1]
    assert reply.kind == "estimate"
    lines = reply.text.splitlines()
    assert ENDED in lines[0] and "区人社局" in lines[0]
    assert "原政策本可给予的合计：100万元" in reply.text
    assert not any(line.startswith("合计") for line in lines)
    assert reply.estimate["policy_valid"] is False and reply.estimate["as_of"] == "2027-01-05"
    assert "建议提前准备" not in reply.text  # no materials to gather for a policy no longer in force


def test_an_estimate_in_force_has_no_such_line():
    state, replies = new_state(), []
    for text in BUILDER:
        state, replies = respond(state, text, now=IN_FORCE)
    assert "不再施行" not in replies[-1].text and "合计：100万元" in replies[-1].text


def test_policybot_ask_as_of(capsys):
    assert main(["ask", "--as-of", "2027-01-05", "房租补贴怎么申请"]) == 0
    assert ENDED in capsys.readouterr().out.splitlines()[0]
    assert main(["ask", "--as-of", "2026-11-30", "房租补贴怎么申请"]) == 0
    assert ENDED not in capsys.readouterr().out


def test_policybot_ask_refuses_a_bad_date():
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "--as-of", "2027-13-01", "房租补贴"],
                          capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=60)
    assert proc.returncode == 2 and "YYYY-MM-DD" in proc.stderr and "Traceback" not in proc.stderr


def test_terminal_chat_as_of():
    out = io.StringIO()
    assert run_chat(io.StringIO("房租补贴怎么申请\n/check\n3\n市级\n/quit\n"), out,
                    as_of=AFTER.date()) == 0
    text = out.getvalue()
    assert text.count(ENDED) == 2 and "原政策本可给予的合计" in text


def test_a_malformed_as_of_setting_is_reported():
    from bot.config import load_settings

    assert any("POLICYBOT_AS_OF" in p for p in load_settings({"POLICYBOT_AS_OF": "2027/01/05"}).problems)
    assert not load_settings({"POLICYBOT_AS_OF": "2027-01-05"}).problems
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "POLICYBOT_AS_OF": "tomorrow", "TELEGRAM_BOT_TOKEN": ""}
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "chat"], input="/quit\n", capture_output=True,
                          text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=60)
    assert proc.returncode == 2 and "POLICYBOT_AS_OF" in proc.stderr and "Traceback" not in proc.stderr
