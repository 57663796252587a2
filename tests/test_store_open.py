"""A store the bot cannot use is refused before anything starts: one line naming the path and the
problem, exit status 2; a store of a newer schema is never written to; one process per store."""
from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.lock import StoreInUse, hold_store, is_locked
from bot.store import MIGRATIONS, Store, StoreError

ROOT = Path(__file__).resolve().parent.parent


def run_policybot(args, env_extra, cwd, timeout=60, **kwargs):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "POLICYBOT_"))}
    env.update(env_extra)
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, **kwargs)


def bot_env(fake_api, db):
    return {"TELEGRAM_BOT_TOKEN": fake_api.token, "TELEGRAM_API_BASE_URL": fake_api.base_url,
            "POLICYBOT_DB": str(db)}


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def newer_store(path: Path) -> None:
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.close()


# -- Store.open -----------------------------------------------------------------------------

def test_folder_as_store_is_refused(tmp_path):
    with pytest.raises(StoreError, match=r"is a folder"):
        Store.open(tmp_path)


def test_store_under_a_file_is_refused(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(StoreError, match=r"afile is a file, not a folder"):
        Store.open(tmp_path / "afile" / "bot.sqlite3")


def test_corrupt_store_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "bot.sqlite3"
    path.write_bytes(b"this is not a database at all" * 200)
    before = digest(path)
    with pytest.raises(StoreError, match=r"not a usable database"):
        Store.open(path)
    assert digest(path) == before


def test_read_only_store_is_refused(tmp_path):
    path = tmp_path / "bot.sqlite3"
    Store.open(path).close()
    path.chmod(0o444)
    with pytest.raises(StoreError, match=r"read-only"):
        Store.open(path)


def test_newer_schema_is_refused_and_never_written(tmp_path):
    path = tmp_path / "bot.sqlite3"
    newer_store(path)
    before = digest(path)
    with pytest.raises(StoreError, match=r"created by a newer policybot.*; upgrade"):
        Store.open(path)
    assert digest(path) == before
    assert not Path(str(path) + "-wal").exists()


def test_busy_timeout_is_set(tmp_path):
    store = Store.open(tmp_path / "bot.sqlite3")
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


# -- the lock -------------------------------------------------------------------------------

def test_second_lock_on_a_store_is_refused(tmp_path):
    path = tmp_path / "bot.sqlite3"
    first = hold_store(path)
    assert is_locked(path)
    with pytest.raises(StoreInUse, match=rf"{path} is in use by another policybot \(pid {os.getpid()}\)"):
        hold_store(path)
    first.release()
    assert not is_locked(path)
    hold_store(path).release()


# -- policybot, as an operator starts it ------------------------------------------------------

@pytest.mark.parametrize("case", ["folder", "under_file", "corrupt", "read_only", "newer"])
def test_bad_store_exits_2_with_one_line(case, fake_api, tmp_path):
    db = tmp_path / "bot.sqlite3"
    expected = {"folder": "is a folder", "under_file": "is a file, not a folder", "corrupt": "not a usable database",
                "read_only": "read-only", "newer": "created by a newer policybot"}[case]
    if case == "folder":
        db.mkdir()
    elif case == "under_file":
        (tmp_path / "afile").write_text("x")
        db = tmp_path / "afile" / "bot.sqlite3"
    elif case == "corrupt":
        db.write_bytes(b"garbage" * 1000)
    elif case == "read_only":
        Store.open(db).close()
        db.chmod(0o444)
    elif case == "newer":
        newer_store(db)
    before = digest(db) if db.is_file() else None
    result = run_policybot([], bot_env(fake_api, db), tmp_path)
    assert result.returncode == 2, result.stderr
    line = one_line(result.stderr)
    assert str(db) in line and expected in line
    assert "Traceback" not in result.stderr
    if before:
        assert digest(db) == before
    # Nothing started: the bot never asked Telegram for updates.
    assert not fake_api.methods("getUpdates")


def wait_until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_second_bot_on_the_same_store_exits_2(fake_api, tmp_path):
    db = tmp_path / "bot.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "POLICYBOT_"))}
    env.update(bot_env(fake_api, db), PYTHONPATH=str(ROOT))
    first = subprocess.Popen([sys.executable, "-m", "bot"], env=env, cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_until(lambda: fake_api.methods("getUpdates")), "the first bot never polled"
        polls = len(fake_api.methods("getUpdates"))
        second = run_policybot([], bot_env(fake_api, db), tmp_path)
        assert second.returncode == 2
        line = one_line(second.stderr)
        assert f"{db} is in use by another policybot (pid {first.pid})" in line
        # The second one never talked to Telegram; the first is still serving.
        assert first.poll() is None
        assert len(fake_api.methods("getMe")) == 1
        assert len(fake_api.methods("getUpdates")) >= polls
    finally:
        first.terminate()
        first.wait(30)
    assert first.returncode == 0


def test_a_store_sqlite_can_only_read_is_found_out_at_start(tmp_path):
    """A read-only mount makes SQLite open the file read-only: caught before the first message
    (a read-only connection stands in for the mount, which needs privileges to make)."""
    from bot.store import _check_database

    path = tmp_path / "bot.sqlite3"
    Store.open(path).close()
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    with pytest.raises(StoreError, match=r"is read-only"):
        _check_database(conn, path)
    conn.close()


def test_a_serving_store_copies_its_log_only_when_checkpointed_and_the_log_stops_growing(tmp_path):
    # policybot serve checkpoints in a thread (every 2 s), so no reply waits for SQLite's own
    # checkpoint inside a write; the write-ahead log must still not grow without end.
    path = tmp_path / "serve.sqlite3"
    store = Store.open(path)
    store.checkpoint_in_background()
    wal = Path(f"{path}-wal")
    for number in range(1100):       # SQLite alone would checkpoint at 1000 pages
        store.create_web_session(f"before-{number}", "{}", "csrf", "zh")
    grown = wal.stat().st_size
    assert grown > 1000 * 4096
    store.checkpoint()
    for number in range(200):
        store.create_web_session(f"after-{number}", "{}", "csrf", "zh")
    assert wal.stat().st_size == grown           # written over from its start, not grown
    store.close()
    assert not wal.exists() or wal.stat().st_size == 0
    assert Store.open(path).web_session("after-199") is not None
