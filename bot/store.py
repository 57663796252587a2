"""The bot's SQLite file (through sqlite-utils): conversation state, the question log, feedback.

Everything is readable: state is stored as JSON text, times as ISO 8601 UTC strings.

    store = Store.open(path)            # creates or migrates the schema
    store.log_question(chat_id=..., user_id=..., question=..., top=..., score=..., confident=...)
    store.add_feedback(chat_id=..., user_id=..., entry="a05", value=1)

The schema version is SQLite's ``user_version``; each entry of MIGRATIONS brings the file up one
version, so a later feature adds a function at the end and old files catch up on start.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import sqlite_utils


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _create_v1(db: sqlite_utils.Database) -> None:
    """State tables for the persistence, the question log and feedback."""
    db["user_data"].create({"user_id": int, "data": str, "updated": str}, pk="user_id")
    db["chat_data"].create({"chat_id": int, "data": str, "updated": str}, pk="chat_id")
    db["bot_data"].create({"id": int, "data": str, "updated": str}, pk="id")
    db["conversations"].create(
        {"name": str, "key": str, "state": str, "updated": str}, pk=("name", "key"))
    db["question_log"].create(
        {"id": int, "time": str, "chat_id": int, "user_id": int, "question": str,
         "top_match": str, "score": float, "confident": int, "lang": str},
        pk="id")
    db["question_log"].create_index(["time"])
    db["question_log"].create_index(["user_id"])
    db["feedback"].create(
        {"id": int, "time": str, "chat_id": int, "user_id": int, "entry": str, "value": int},
        pk="id")
    db["feedback"].create_index(["entry"])


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_create_v1]


class Store:
    """One SQLite file. Methods are short synchronous writes, safe to call from the event loop."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str | Path) -> "Store":
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        db = sqlite_utils.Database(conn)
        if str(path) != ":memory:":
            # WAL: readers never block the bot; NORMAL sync is still crash-safe in WAL mode.
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=5000")
        store = cls(db)
        store.migrate()
        return store

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        """Bring the schema up to len(MIGRATIONS), one version per transaction."""
        with self._lock:
            while (version := self.schema_version) < len(MIGRATIONS):
                with self.db.conn:
                    self.db.execute("BEGIN")
                    MIGRATIONS[version](self.db)
                    self.db.execute(f"PRAGMA user_version = {version + 1}")

    def close(self) -> None:
        self.db.close()

    # -- persistence: JSON blobs keyed by id ------------------------------------------------
    def load_all(self, table: str, key: str) -> dict[int, Any]:
        return {row[key]: json.loads(row["data"]) for row in self.db[table].rows}

    def save(self, table: str, key: str, key_value: int, data: Any) -> None:
        self.save_json(table, key, key_value, json.dumps(data, ensure_ascii=False, sort_keys=True))

    def save_json(self, table: str, key: str, key_value: int, text: str) -> None:
        """Upsert one JSON row (plain SQL: this runs once per message, sqlite-utils' upsert
        inspects the table on every call)."""
        with self._lock:
            self.db.execute(
                f"INSERT INTO [{table}] ([{key}], data, updated) VALUES (?, ?, ?) "
                f"ON CONFLICT([{key}]) DO UPDATE SET data = excluded.data, updated = excluded.updated",
                [key_value, text, utc_now()])

    def delete(self, table: str, key: str, key_value: int) -> None:
        with self._lock:
            self.db.execute(f"DELETE FROM [{table}] WHERE [{key}] = ?", [key_value])

    def load_conversations(self, name: str) -> dict[tuple, Any]:
        rows = self.db.execute(
            "SELECT key, state FROM conversations WHERE name = ?", [name]).fetchall()
        return {tuple(json.loads(key)): json.loads(state) for key, state in rows}

    def save_conversation(self, name: str, key: tuple, state: Any) -> None:
        key_text = json.dumps(list(key))
        with self._lock:
            if state is None:
                self.db.execute(
                    "DELETE FROM conversations WHERE name = ? AND key = ?", [name, key_text])
            else:
                self.db.execute(
                    "INSERT INTO conversations (name, key, state, updated) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(name, key) DO UPDATE SET state = excluded.state, updated = excluded.updated",
                    [name, key_text, json.dumps(state), utc_now()])

    # -- the question log and feedback -----------------------------------------------------
    def log_question(self, *, chat_id: int, user_id: int | None, question: str, top: str | None,
                     score: float | None, confident: bool, lang: str | None = None) -> None:
        with self._lock:
            self.db.execute(
                "INSERT INTO question_log (time, chat_id, user_id, question, top_match, score, confident, lang)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [utc_now(), chat_id, user_id, question, top,
                 None if score is None else round(float(score), 4), int(bool(confident)), lang])

    def add_feedback(self, *, chat_id: int, user_id: int | None, entry: str | None, value: int) -> None:
        with self._lock:
            self.db["feedback"].insert(
                {"time": utc_now(), "chat_id": chat_id, "user_id": user_id, "entry": entry,
                 "value": int(value)})

    def questions(self) -> list[dict]:
        return list(self.db["question_log"].rows_where(order_by="id"))

    def feedback(self) -> list[dict]:
        return list(self.db["feedback"].rows_where(order_by="id"))
