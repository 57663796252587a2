"""policybot backup / restore: a consistent copy while the bot runs; restore refuses a store in
use and a file that is not a sound policybot store."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading

import pytest

from bot.lock import hold_store
from bot.store import MIGRATIONS, Store
from tests.test_store_open import ROOT, bot_env, digest, one_line, run_policybot, wait_until


def filled_store(path, questions=5):
    store = Store.open(path)
    for i in range(questions):
        store.log_question(chat_id=1, user_id=1, question=f"问题{i}", top="a05", score=1.0, confident=True)
    return store


def count(path, table="question_log"):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_backup_while_the_store_is_locked_and_written(tmp_path):
    db, copy = tmp_path / "bot.sqlite3", tmp_path / "backup.sqlite3"
    lock = hold_store(db)                    # as a running bot holds it
    store = filled_store(db, 50)
    stop = threading.Event()

    def keep_writing():
        while not stop.is_set():
            store.log_question(chat_id=2, user_id=2, question="写入中", top=None, score=None, confident=False)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = run_policybot(["backup", str(copy), "--db", str(db)], {}, tmp_path)
    finally:
        stop.set()
        writer.join()
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("SELECT count(*) FROM question_log WHERE chat_id = 1").fetchone()[0] == 50
    conn.close()
    # A self-contained file: no WAL beside it is needed.
    assert not (tmp_path / "backup.sqlite3-wal").exists()
    lock.release()


def test_backup_of_a_missing_store_is_one_line(tmp_path):
    result = run_policybot(["backup", str(tmp_path / "b.sqlite3"), "--db", str(tmp_path / "none.sqlite3")], {},
                           tmp_path)
    assert result.returncode == 2
    assert "there is no store at" in one_line(result.stderr)


def test_backup_uses_POLICYBOT_DB(tmp_path):
    db = tmp_path / "bot.sqlite3"
    filled_store(db, 3).close()
    result = run_policybot(["backup", str(tmp_path / "b.sqlite3")], {"POLICYBOT_DB": str(db)}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert count(tmp_path / "b.sqlite3") == 3


def test_restore_refuses_a_store_in_use(tmp_path):
    db, copy = tmp_path / "bot.sqlite3", tmp_path / "backup.sqlite3"
    filled_store(copy, 2).close()
    filled_store(db, 7).close()
    lock = hold_store(db)
    before = digest(db)
    result = run_policybot(["restore", str(copy), "--db", str(db)], {}, tmp_path)
    assert result.returncode == 2
    assert "in use by another policybot" in one_line(result.stderr)
    assert digest(db) == before
    lock.release()


def test_restore_replaces_an_idle_store(tmp_path):
    db, copy = tmp_path / "bot.sqlite3", tmp_path / "backup.sqlite3"
    filled_store(copy, 2).close()
    filled_store(db, 7).close()
    result = run_policybot(["restore", str(copy), "--db", str(db)], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert count(db) == 2
    assert Store.open(db).schema_version == len(MIGRATIONS)


@pytest.mark.parametrize("case", ["corrupt", "not_ours", "newer", "missing"])
def test_restore_checks_the_file_first(case, tmp_path):
    db, copy = tmp_path / "bot.sqlite3", tmp_path / "backup.sqlite3"
    filled_store(db, 7).close()
    expected = {"corrupt": "not a usable policybot store", "not_ours": "not a policybot store",
                "newer": "created by a newer policybot", "missing": "there is no file"}[case]
    if case == "corrupt":
        copy.write_bytes(b"SQLite format 3\x00" + os.urandom(8000))
    elif case == "not_ours":
        conn = sqlite3.connect(copy)
        conn.execute("CREATE TABLE photos (id INTEGER)")
        conn.close()
    elif case == "newer":
        filled_store(copy, 1).close()
        conn = sqlite3.connect(copy)
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
        conn.close()
    before = digest(db)
    result = run_policybot(["restore", str(copy), "--db", str(db)], {}, tmp_path)
    assert result.returncode == 2
    assert expected in one_line(result.stderr)
    assert digest(db) == before


def test_backup_while_the_bot_runs(fake_api, tmp_path):
    """The real thing: a bot process holds the store; backup succeeds, restore is refused."""
    db, copy = tmp_path / "bot.sqlite3", tmp_path / "backup.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "POLICYBOT_"))}
    env.update(bot_env(fake_api, db), PYTHONPATH=str(ROOT))
    bot = subprocess.Popen([sys.executable, "-m", "bot"], env=env, cwd=tmp_path,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: fake_api.methods("getUpdates"))
        fake_api.send_text(1001, "房租补贴怎么算")
        assert wait_until(lambda: fake_api.messages(1001))
        result = run_policybot(["backup", str(copy)], {"POLICYBOT_DB": str(db)}, tmp_path)
        assert result.returncode == 0, result.stderr
        assert count(copy) == 1
        result = run_policybot(["restore", str(copy)], {"POLICYBOT_DB": str(db)}, tmp_path)
        assert result.returncode == 2 and "in use" in result.stderr
    finally:
        bot.terminate()
        bot.wait(30)
