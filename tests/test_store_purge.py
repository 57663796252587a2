"""The daily purge removes what is past the retention period from every table, and empty state
rows whatever their age; what is recent and real stays."""
from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import datetime, timedelta, timezone

from bot.store import Store
from bot.telegram.app import build_application, start_embedded, stop_embedded

USER = 1001


def iso(days_ago: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=days_ago)).isoformat(timespec="seconds")


def fill(store: Store, old: str, new: str) -> None:
    db = store.db
    for when, tag in ((old, "old"), (new, "new")):
        uid = 1 if tag == "old" else 2
        db.execute("INSERT INTO question_log (time, chat_id, user_id, question, confident) VALUES (?, ?, ?, ?, 0)",
                   [when, uid, uid, tag])
        db.execute("INSERT INTO feedback (time, chat_id, user_id, entry, value) VALUES (?, ?, ?, 'a05', 1)",
                   [when, uid, uid])
        db.execute("INSERT INTO handoffs (time, chat_id, user_id, user_name, question, status) "
                   "VALUES (?, ?, ?, 'x', ?, 'open')", [when, uid, uid, tag])
        db.execute("INSERT INTO reviewed (question, time, outcome) VALUES (?, ?, 'dismissed')", [tag, when])
        db.execute("INSERT INTO user_data (user_id, data, updated) VALUES (?, ?, ?)",
                   [uid, json.dumps({"lang": "zh"}), when])
        db.execute("INSERT INTO chat_data (chat_id, data, updated) VALUES (?, ?, ?)",
                   [uid, json.dumps({"n": 1}), when])
        db.execute("INSERT INTO conversations (name, key, state, updated) VALUES ('interview', ?, '\"interview\"', ?)",
                   [json.dumps([uid, uid]), when])
    # Empty rows written just now: nothing in them worth keeping.
    for uid in (3, 4):
        db.execute("INSERT INTO user_data (user_id, data, updated) VALUES (?, '{}', ?)", [uid, new])
        db.execute("INSERT INTO chat_data (chat_id, data, updated) VALUES (?, '{}', ?)", [uid, new])
    db.execute("INSERT INTO conversations (name, key, state, updated) VALUES ('interview', '[5, 5]', 'null', ?)",
               [new])


TABLES = {"question_log": "question", "feedback": "user_id", "handoffs": "question", "reviewed": "question",
          "user_data": "user_id", "chat_data": "chat_id", "conversations": "key"}


def test_purge_clears_old_and_empty_rows_of_every_table(tmp_path):
    store = Store.open(tmp_path / "bot.sqlite3")
    fill(store, iso(200), iso(1))
    counts = store.purge(iso(180))
    left = {table: sorted(str(v) for (v,) in store.db.execute(f"SELECT {column} FROM {table}"))
            for table, column in TABLES.items()}
    assert left == {"question_log": ["new"], "feedback": ["2"], "handoffs": ["new"], "reviewed": ["new"],
                    "user_data": ["2"], "chat_data": ["2"], "conversations": ["[2, 2]"]}
    assert counts["chat_data"] == 3 and counts["user_data"] == 3 and counts["conversations"] == 2


async def test_the_daily_job_also_forgets_idle_chats_in_memory(fake_api, bot_settings):
    settings = dataclasses.replace(bot_settings, retention_days=30)
    application = build_application(settings)
    await start_embedded(application)
    try:
        await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "房租补贴怎么算"))
        application.chat_data[77]["x"] = 1            # a chat idle past the retention period
        db = sqlite3.connect(settings.db_path)
        db.execute("INSERT INTO chat_data (chat_id, data, updated) VALUES (77, '{\"x\": 1}', ?)", [iso(31)])
        db.execute("INSERT INTO chat_data (chat_id, data, updated) VALUES (78, '{}', ?)", [iso(0)])
        db.commit()
        await application.job_queue.get_jobs_by_name("purge")[0].run(application)
        assert 77 not in application.chat_data
        assert db.execute("SELECT chat_id FROM chat_data WHERE chat_id IN (77, 78)").fetchall() == []
        await application.update_persistence()       # and it is not written back
        assert db.execute("SELECT chat_id FROM chat_data WHERE chat_id IN (77, 78)").fetchall() == []
        db.close()
    finally:
        await stop_embedded(application)
