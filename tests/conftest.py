"""Shared fixtures: a fake Bot API server and the real bot polling it (in this event loop)."""
from __future__ import annotations

import os

import pytest

from tests.fake_bot_api import FakeBotApi

# The date the suite reads the policy for, unless POLICYBOT_AS_OF is set already: a day inside its
# term (2023-11-20 to 2026-12-31), so that tests written for a policy in force do not start failing
# on 2027-01-01. Tests of the term's end set their own dates. Subprocesses inherit it.
IN_FORCE = "2026-06-01"
os.environ.setdefault("POLICYBOT_AS_OF", IN_FORCE)


@pytest.fixture
def fake_api():
    server = FakeBotApi().start()
    yield server
    server.stop()


@pytest.fixture
def bot_settings(fake_api, tmp_path):
    from bot.config import Settings

    return Settings(token=fake_api.token, api_base_url=fake_api.base_url, db_path=tmp_path / "bot.sqlite3")


@pytest.fixture
async def running_bot(bot_settings):
    """The Application built by build_application, polling the fake server until the test ends."""
    from bot.telegram.app import build_application, start_embedded, stop_embedded

    application = build_application(bot_settings)
    await start_embedded(application)
    yield application
    await stop_embedded(application)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "bar: an issue-9 bar test that needs the engine of branch i9-engine (language per "
        "message, handoff=, reply_to=); it fails against this branch's engine stub")
