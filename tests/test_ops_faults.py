"""Faults an operator meets, as the operator sees them: another process with the same token, an
unreachable Bot API, an address that is not the Bot API. One line each, never a traceback."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.test_store_open import ROOT, bot_env, one_line, run_policybot, wait_until

CONFLICT = {"error_code": 409, "description": "Conflict: terminated by other getUpdates request; "
                                             "make sure that only one bot instance is running"}


@pytest.fixture(scope="module", autouse=True)
def fitted_model():
    """The answer model fitted (or loaded) here first: a bot started without one fits it before it
    answers, minutes longer than these tests wait for a reply."""
    from knowledge import matcher

    matcher.get_model()


def start_bot(fake_api, tmp_path, **extra):
    # (The cache folder is kept: the bot finds there the model this process fitted.)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "POLICYBOT_")) or k == "POLICYBOT_CACHE_DIR"}
    env.update(bot_env(fake_api, tmp_path / "bot.sqlite3"), PYTHONPATH=str(ROOT), **extra)
    log = open(tmp_path / "stderr.txt", "w+")
    process = subprocess.Popen([sys.executable, "-m", "bot"], env=env, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=log, text=True)
    return process, tmp_path / "stderr.txt"


def stop(process):
    if process.poll() is None:
        process.terminate()
    process.wait(30)


def test_persistent_conflict_is_one_warning_then_exit_2(fake_api, tmp_path):
    fake_api.fail_methods["getUpdates"] = CONFLICT
    process, log = start_bot(fake_api, tmp_path, POLICYBOT_CONFLICT_SECONDS="2")
    try:
        status = process.wait(60)
    finally:
        stop(process)
    text = log.read_text()
    assert status == 2, text
    lines = [line for line in text.splitlines() if line.strip()]
    warnings = [line for line in lines if "WARNING" in line]
    assert len(warnings) == 1 and "another process is fetching updates with this bot token" in warnings[0]
    assert lines[-1].startswith("policybot: another process kept fetching updates with this bot token for 2 s")
    assert "Traceback" not in text
    assert len(fake_api.methods("getUpdates")) >= 2      # it did retry before giving up


def test_a_passing_conflict_is_one_warning_and_the_bot_goes_on(fake_api, tmp_path):
    fake_api.fail_methods["getUpdates"] = CONFLICT
    process, log = start_bot(fake_api, tmp_path, POLICYBOT_CONFLICT_SECONDS="60")
    try:
        assert wait_until(lambda: len([c for c in fake_api.calls if c[0] == "getUpdates"]) >= 2)
        del fake_api.fail_methods["getUpdates"]      # the other process went away
        fake_api.send_text(1001, "房租补贴怎么算")
        assert wait_until(lambda: fake_api.messages(1001))
        assert process.poll() is None
    finally:
        stop(process)
    text = log.read_text()
    assert process.returncode == 0
    assert text.count("another process is fetching updates") == 1
    assert "Traceback" not in text


def test_lost_connection_is_one_line_per_retry(fake_api, tmp_path):
    process, log = start_bot(fake_api, tmp_path)
    try:
        assert wait_until(lambda: fake_api.methods("getUpdates"))
        fake_api.drop_methods.add("getUpdates")
        assert wait_until(lambda: len([c for c in fake_api.calls if c[0] == "dropped:getUpdates"]) >= 3)
        fake_api.drop_methods.clear()
        fake_api.send_text(1001, "房租补贴怎么算")
        assert wait_until(lambda: fake_api.messages(1001))
    finally:
        stop(process)
    text = log.read_text()
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if " WARNING " in line or " ERROR " in line]
    assert len(lines) >= 3
    for line in lines:
        assert f"cannot reach the Bot API at {fake_api.base_url}: " in line, text
        assert "; retrying in " in line
    assert fake_api.token.split(":")[1] not in text
    assert process.returncode == 0


def test_unreachable_api_at_start_is_one_line(tmp_path):
    import socket

    with socket.socket() as s:            # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_policybot([], {"TELEGRAM_BOT_TOKEN": "123456:TEST", "POLICYBOT_DB": str(tmp_path / "b.sqlite3"),
                                "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot"}, tmp_path)
    assert result.returncode != 0
    line = one_line(result.stderr)
    assert line.startswith(f"policybot: cannot reach the Bot API at http://127.0.0.1:{port}/bot: ")


def test_html_404_is_a_bad_base_url_not_a_refused_token(fake_api, tmp_path):
    fake_api.html_404 = True
    started = time.monotonic()
    result = run_policybot([], bot_env(fake_api, tmp_path / "bot.sqlite3"), tmp_path)
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith(f"policybot: TELEGRAM_API_BASE_URL {fake_api.base_url} does not answer like the "
                           "Telegram Bot API")
    assert "TOKEN" not in line and "refused" not in line and "(HTTP Not Found (404), not JSON)" in line
    assert time.monotonic() - started < 30


def test_conflict_and_network_bookkeeping_with_a_clock(caplog):
    """Operations alone, on a made-up clock: when the stop comes, and the retry figures."""
    from telegram.error import Conflict, NetworkError

    from bot.config import Settings
    from bot.telegram.ops import Operations

    now = [0.0]
    ops = Operations(Settings(token="1:x", conflict_seconds=60), clock=lambda: now[0])
    stopped = []

    class App:
        def stop_running(self):
            stopped.append(now[0])

    for t in (0, 1, 2.5, 4.75, 8.1, 13.2, 20.8, 32.2, 49.3):     # PTB's back-off
        now[0] = t
        ops.polling_error(Conflict("Conflict: terminated by other getUpdates request"), App())
    assert ops.exit_line is None and not stopped
    now[0] = 74.9
    ops.polling_error(Conflict("Conflict"), App())
    assert stopped == [74.9] and "for 60 s" in ops.exit_line
    assert sum("another process" in r.getMessage() for r in caplog.records) == 1

    # A conflict long after the last one is a new episode: its minute starts afresh.
    ops = Operations(Settings(token="1:x", conflict_seconds=60), clock=lambda: now[0])
    for t in (0, 50, 100, 150):
        now[0] = t
        ops.polling_error(Conflict("Conflict"), App())
    assert ops.exit_line is None

    caplog.clear()
    for t in (200, 201, 202.5, 300):
        now[0] = t
        ops.polling_error(NetworkError("httpx.ConnectError: All connection attempts failed"))
    retries = [r.getMessage().rsplit("retrying in ", 1)[1] for r in caplog.records]
    assert retries == ["1 s", "1.5 s", "2.25 s", "1 s"]
