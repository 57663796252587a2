"""The bot's SQLite file (through sqlite-utils): conversation state, the question log, feedback.

Everything is readable: state is stored as JSON text, times as ISO 8601 UTC strings.

    store = Store.open(path)            # creates or migrates the schema
    store.log_question(chat_id=..., user_id=..., question=..., top=..., score=..., confident=...)
    store.add_feedback(chat_id=..., user_id=..., entry="a05", value=1)
    store.add_handoff(...), store.handoff_for_message(chat, message_id)   # 转人工 and its relay
    store.add_taught(entry_id, question, by), store.taught()              # staff-taught examples
    store.forget_user(user_id), store.purge(before_iso)                   # privacy

The schema version is SQLite's ``user_version``; each entry of MIGRATIONS brings the file up one
version, so a later feature adds a function at the end and old files catch up on start.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import sqlite_utils


BUSY_TIMEOUT_MS = 5000       # how long a write waits for another connection's lock


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


def _create_v2(db: sqlite_utils.Database) -> None:
    """The help desk: hand-offs and their relay mapping, taught example questions, settings kept
    in the file (the export key), and where a logged question came from."""
    db["question_log"].add_column("source", str)          # "chat" (NULL in old rows) or "forwarded"
    db["handoffs"].create(
        {"id": int, "time": str, "chat_id": int, "user_id": int, "user_name": str, "question": str,
         "guess": str, "lang": str, "helpdesk_chat_id": int, "helpdesk_message_id": int,
         "status": str, "answered_time": str},
        pk="id")
    db["handoffs"].create_index(["helpdesk_chat_id", "helpdesk_message_id"])
    db["handoffs"].create_index(["user_id"])
    db["taught"].create(
        {"id": int, "time": str, "entry_id": str, "question": str, "taught_by": int}, pk="id")
    db["taught"].create_index(["entry_id", "question"], unique=True)
    # Questions staff reviewed in /unanswered (taught or dismissed): not offered again.
    db["reviewed"].create({"question": str, "time": str, "outcome": str}, pk="question")
    db["meta"].create({"key": str, "value": str}, pk="key")


def _create_web(db: sqlite_utils.Database) -> None:
    """The web channel: one row per browser session (its dialog state, CSRF token and last
    estimate document) and its log (what was said, and help-desk replies waiting to be shown)."""
    db["web_sessions"].create(
        {"id": str, "state": str, "csrf": str, "lang": str, "document_name": str, "document": bytes,
         "document_type": str, "created": str, "updated": str}, pk="id")
    db["web_sessions"].create_index(["updated"])
    # sender: "user", "bot" or "staff"; reply: the reply JSON the page draws (bot items).
    db["web_log"].create(
        {"id": int, "session_id": str, "time": str, "sender": str, "text": str, "reply": str}, pk="id")
    db["web_log"].create_index(["session_id", "id"])
    db["web_log"].create_index(["time"])
    # A hand-off from the web names the session its staff reply is delivered to.
    db["handoffs"].add_column("web_session", str)


def _feedback_per_answer(db: sqlite_utils.Database) -> None:
    """One 👍/👎 per user per answer: feedback names the answer message it was given on."""
    db["feedback"].add_column("message_id", int)
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS feedback_one_per_answer "
               "ON feedback (chat_id, message_id, user_id, entry)")


def _create_outbox(db: sqlite_utils.Database) -> None:
    """Exactly-once replies (bot/telegram/outbox.py): updates received but not yet handled (the
    inbox), the last update handled per chat and user, and replies committed with the state
    change that caused them, sent and then marked sent (the outbox)."""
    db["inbox"].create({"update_id": int, "data": str, "received": str}, pk="update_id")
    db["handled"].create({"chat_id": int, "user_id": int, "update_id": int, "updated": str},
                         pk=("chat_id", "user_id"))
    db["outbox"].create(
        {"id": int, "chat_id": int, "text": str, "buttons": str, "document_name": str, "document": bytes,
         "reply": str, "created": str, "sent_at": str, "message_id": int, "note": str},
        pk="id")
    db.execute("CREATE INDEX outbox_unsent ON outbox (chat_id, id) WHERE sent_at IS NULL")
    # note: what the channel remembers of a sent message (the entry it answers, whom it is for,
    # whether it is an interview step), found by Telegram's message id once sent.
    db.execute("CREATE INDEX outbox_sent_message ON outbox (chat_id, message_id) WHERE message_id IS NOT NULL")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_create_v1, _create_v2, _feedback_per_answer,
                                                              _create_web, _create_outbox]

WEB_SESSION_COLUMNS = ("id", "state", "csrf", "lang", "document_name", "document", "document_type", "created",
                       "updated")
WEB_LOG_KEPT = 200        # items of a web session's conversation kept (the page shows these on reload)


# One question-log row; also written by the Telegram channel inside its own transaction.
QUESTION_SQL = ("INSERT INTO question_log (time, chat_id, user_id, question, top_match, score, confident, lang,"
                " source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


def question_row(*, chat_id: int, user_id: int | None, question: str, top: str | None,
                 score: float | None, confident: bool, lang: str | None = None, source: str = "chat") -> list:
    return [utc_now(), chat_id, user_id, question, top,
            None if score is None else round(float(score), 4), int(bool(confident)), lang, source]


class StoreError(Exception):
    """The store cannot be used; the message is one line naming the path and the problem."""


def _check_path(path: Path) -> None:
    """A path the bot can create or write: not a folder, not under a file, not read-only."""
    parent = path.parent
    blocker = next((p for p in [parent, *parent.parents] if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise StoreError(f"cannot use the store {path}: {blocker} is a file, not a folder")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder of the store {path}: {exc.strerror}") from None
    if path.is_dir():
        raise StoreError(f"the store {path} is a folder, not a database file")
    if path.exists():
        if not path.is_file():
            raise StoreError(f"the store {path} is not a regular file")
        # The mode bits too: root may write anything, but a file marked read-only was meant so.
        if not os.access(path, os.R_OK | os.W_OK) or not path.stat().st_mode & 0o222:
            raise StoreError(f"the store {path} is read-only; the bot must be able to write it")
    if not os.access(parent, os.W_OK):
        # SQLite writes its journal (-wal, -shm) beside the store.
        raise StoreError(f"the folder of the store {path} is not writable; the bot must be able to create files there")


def _check_database(conn: sqlite3.Connection, path: Path) -> None:
    """A SQLite file whose schema this version knows; read-only checks, nothing is written."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"the store {path} is not a usable database (corrupt, or not a SQLite file): {exc}") \
            from None
    if version > len(MIGRATIONS):
        raise StoreError(f"the store {path} was created by a newer policybot (schema version {version}, "
                         f"this one knows up to {len(MIGRATIONS)}); upgrade")
    try:
        # SQLite opens a file it cannot write (a read-only mount) read-only: find out now, not
        # on the first message.
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(f"PRAGMA user_version = {version}")    # a write, rolled back
        finally:
            conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "readonly" in str(exc) or "read-only" in str(exc):
            raise StoreError(f"the store {path} is read-only ({exc}); the bot must be able to write it") from None
        raise


class Store:
    """One SQLite file. Methods are short synchronous writes, safe to call from the event loop."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self._lock = threading.Lock()
        self._checkpointer: sqlite3.Connection | None = None
        self._checkpointing = threading.Lock()
        self._file = ""

    @classmethod
    def open(cls, path: str | Path) -> "Store":
        """Open (create, migrate) the store; StoreError with one line naming the path and the
        problem when it cannot be used: checked before anything is written to it."""
        path = Path(path)
        if str(path) != ":memory:":
            _check_path(path)
        conn = None
        try:
            conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            # Wait for another program's short write (a backup, sqlite3 on the command line).
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            _check_database(conn, path)
            db = sqlite_utils.Database(conn)
            if str(path) != ":memory:":
                # WAL: readers never block the bot; NORMAL sync is still crash-safe in WAL mode.
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
            store = cls(db)
            store.migrate()
        except (sqlite3.Error, StoreError) as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"cannot use the store {path}: {exc}") from None
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
        with self._checkpointing:           # first, so that the last to close cleans up the log
            if self._checkpointer is not None:
                self._checkpointer.close()
                self._checkpointer = None
            self._file = ""
        self.db.close()

    def checkpoint_in_background(self) -> None:
        """From now on the store's writes leave the write-ahead log to ``checkpoint`` (which a
        server runs in a thread): SQLite would otherwise copy it into the file, with an fsync,
        inside whichever write crosses 1000 pages, and that write runs on the event loop."""
        self._file = self.db.execute("PRAGMA database_list").fetchone()[2]   # "" for :memory:
        self.db.execute("PRAGMA wal_autocheckpoint=0")

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file (PASSIVE: it never waits for a writer)
        on a connection of its own, so the store's connection is free meanwhile. For a thread,
        after ``checkpoint_in_background``."""
        with self._checkpointing:
            if self._checkpointer is None:
                if not self._file:      # :memory: (or checkpoint_in_background not called): no log to copy
                    return
                self._checkpointer = sqlite3.connect(self._file, check_same_thread=False, isolation_level=None)
                self._checkpointer.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

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
                     score: float | None, confident: bool, lang: str | None = None,
                     source: str = "chat") -> None:
        with self._lock:
            self.db.execute(QUESTION_SQL, question_row(
                chat_id=chat_id, user_id=user_id, question=question, top=top, score=score,
                confident=confident, lang=lang, source=source))

    def add_feedback(self, *, chat_id: int, user_id: int | None, entry: str | None, value: int) -> None:
        with self._lock:
            self.db["feedback"].insert(
                {"time": utc_now(), "chat_id": chat_id, "user_id": user_id, "entry": entry,
                 "value": int(value)})

    def set_feedback(self, *, chat_id: int, user_id: int | None, entry: str, value: int,
                     message_id: int | None) -> str:
        """One 👍/👎 per user per answer message: "added", "changed", or "withdrawn" (the same
        button pressed again takes the feedback back)."""
        key = [chat_id, message_id, user_id, entry]
        with self._lock, self.db.conn:
            self.db.execute("BEGIN IMMEDIATE")
            row = self.db.execute("SELECT id, value FROM feedback WHERE chat_id = ? AND message_id IS ? "
                                  "AND user_id IS ? AND entry = ?", key).fetchone()
            if row is None:
                self.db.execute("INSERT INTO feedback (time, chat_id, message_id, user_id, entry, value) "
                                "VALUES (?, ?, ?, ?, ?, ?)", [utc_now(), *key, int(value)])
                return "added"
            if row[1] == int(value):
                self.db.execute("DELETE FROM feedback WHERE id = ?", [row[0]])
                return "withdrawn"
            self.db.execute("UPDATE feedback SET value = ?, time = ? WHERE id = ?", [int(value), utc_now(), row[0]])
            return "changed"

    def feedback_value(self, chat_id: int, message_id: int, user_id: int) -> int | None:
        """The user's standing 👍 (1) or 👎 (-1) on one answer message, or None."""
        row = self.db.execute("SELECT value FROM feedback WHERE chat_id = ? AND message_id = ? AND user_id = ?",
                              [chat_id, message_id, user_id]).fetchone()
        return row[0] if row else None

    def questions(self) -> list[dict]:
        return list(self.db["question_log"].rows_where(order_by="id"))

    def feedback(self) -> list[dict]:
        return list(self.db["feedback"].rows_where(order_by="id"))

    # -- the help desk ----------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                            "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])

    def add_handoff(self, *, chat_id: int, user_id: int | None, user_name: str, question: str,
                    guess: str, lang: str, web_session: str | None = None) -> int:
        with self._lock:
            cursor = self.db.execute(
                "INSERT INTO handoffs (time, chat_id, user_id, user_name, question, guess, lang, status,"
                " web_session) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)",
                [utc_now(), chat_id, user_id, user_name, question, guess, lang, web_session])
            return cursor.lastrowid

    def set_handoff_message(self, handoff_id: int, helpdesk_chat_id: int, message_id: int) -> None:
        with self._lock:
            self.db.execute("UPDATE handoffs SET helpdesk_chat_id = ?, helpdesk_message_id = ? WHERE id = ?",
                            [helpdesk_chat_id, message_id, handoff_id])

    def delete_handoff(self, handoff_id: int) -> None:
        with self._lock:
            self.db.execute("DELETE FROM handoffs WHERE id = ?", [handoff_id])

    def handoff_for_message(self, helpdesk_chat_id: int, message_id: int) -> dict | None:
        """The hand-off a help-desk chat message announced, or None."""
        rows = list(self.db["handoffs"].rows_where(
            "helpdesk_chat_id = ? AND helpdesk_message_id = ?", [helpdesk_chat_id, message_id], limit=1))
        return rows[0] if rows else None

    def mark_handoff_answered(self, handoff_id: int) -> None:
        with self._lock:
            self.db.execute("UPDATE handoffs SET status = 'answered', answered_time = ? WHERE id = ?",
                            [utc_now(), handoff_id])

    def recent_open_handoff(self, user_id: int, question: str, since: str) -> dict | None:
        """An unanswered hand-off of the same question by the same user since ``since`` (ISO)."""
        rows = list(self.db["handoffs"].rows_where(
            "user_id = ? AND question = ? AND status = 'open' AND time >= ? AND helpdesk_message_id IS NOT NULL",
            [user_id, question, since], limit=1))
        return rows[0] if rows else None

    def handoff_posts(self, user_id: int) -> list[tuple[int, int]]:
        """(help-desk chat, message id) of every hand-off post about one user."""
        return self.db.execute("SELECT helpdesk_chat_id, helpdesk_message_id FROM handoffs WHERE user_id = ? "
                               "AND helpdesk_message_id IS NOT NULL", [user_id]).fetchall()

    def handoffs(self) -> list[dict]:
        return list(self.db["handoffs"].rows_where(order_by="id"))

    def add_taught(self, entry_id: str, question: str, taught_by: int | None) -> bool:
        """Store a taught example question; False when it was already taught to that entry."""
        with self._lock:
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO taught (time, entry_id, question, taught_by) VALUES (?, ?, ?, ?)",
                [utc_now(), entry_id, question, taught_by])
            self.db.execute("INSERT OR REPLACE INTO reviewed (question, time, outcome) VALUES (?, ?, ?)",
                            [question, utc_now(), f"taught:{entry_id}"])
            return cursor.rowcount > 0

    def taught(self) -> dict[str, list[str]]:
        """Taught example questions by entry id, oldest first (for knowledge.matcher.set_taught)."""
        examples: dict[str, list[str]] = {}
        for entry_id, question in self.db.execute("SELECT entry_id, question FROM taught ORDER BY id"):
            examples.setdefault(entry_id, []).append(question)
        return examples

    def dismiss(self, question: str) -> None:
        with self._lock:
            self.db.execute("INSERT OR REPLACE INTO reviewed (question, time, outcome) VALUES (?, ?, 'dismissed')",
                            [question, utc_now()])

    def question(self, log_id: int) -> dict | None:
        rows = list(self.db["question_log"].rows_where("id = ?", [log_id], limit=1))
        return rows[0] if rows else None

    def unanswered(self, limit: int = 10) -> list[dict]:
        """The most recent questions the bot was not confident about, one row per question text,
        leaving out those staff already taught or dismissed."""
        return [dict(zip(("id", "time", "question", "top_match"), row)) for row in self.db.execute(
            "SELECT max(id), max(time), question, top_match FROM question_log "
            "WHERE confident = 0 AND trim(question) != '' AND question NOT LIKE '/%' "
            "AND question NOT IN (SELECT question FROM reviewed) "
            "AND question NOT IN (SELECT question FROM question_log WHERE confident = 1) "
            "GROUP BY question ORDER BY max(id) DESC LIMIT ?", [limit])]

    def stats(self, since_day: str, utc_offset_hours: int = 8) -> dict:
        """Figures for /stats: questions per local day (Beijing time by default) since
        ``since_day`` (YYYY-MM-DD), the confident share, the articles asked about most, feedback
        and hand-offs (all rows kept)."""
        q = self.db.execute
        shift = f"{utc_offset_hours:+d} hours"
        per_day = q("SELECT date(time, ?) AS day, count(*), sum(confident) FROM question_log "
                    "WHERE date(time, ?) >= ? GROUP BY day ORDER BY day", [shift, shift, since_day]).fetchall()
        total, confident = q("SELECT count(*), coalesce(sum(confident), 0) FROM question_log").fetchone()
        top = q("SELECT top_match, count(*) AS n FROM question_log WHERE confident = 1 AND top_match IS NOT NULL "
                "GROUP BY top_match ORDER BY n DESC, top_match LIMIT 5").fetchall()
        up, down = q("SELECT coalesce(sum(value > 0), 0), coalesce(sum(value < 0), 0) FROM feedback").fetchone()
        handoffs = dict(q("SELECT status, count(*) FROM handoffs GROUP BY status").fetchall())
        return {"per_day": per_day, "total": total, "confident": confident, "top": top,
                "up": up, "down": down, "open": handoffs.get("open", 0), "answered": handoffs.get("answered", 0),
                "first": q("SELECT min(time) FROM question_log").fetchone()[0]}

    # -- privacy ------------------------------------------------------------------------------
    def forget_user(self, user_id: int, private_chat_id: int | None = None) -> dict[str, int]:
        """Delete every row about one user: questions, feedback, hand-offs, state. Counts per table."""
        counts: dict[str, int] = {}
        with self._lock, self.db.conn:
            self.db.execute("BEGIN")
            for table in ("question_log", "feedback", "handoffs"):
                counts[table] = self.db.execute(f"DELETE FROM [{table}] WHERE user_id = ?", [user_id]).rowcount
            counts["user_data"] = self.db.execute("DELETE FROM user_data WHERE user_id = ?", [user_id]).rowcount
            if private_chat_id is not None:
                counts["chat_data"] = self.db.execute(
                    "DELETE FROM chat_data WHERE chat_id = ?", [private_chat_id]).rowcount
                # Replies already sent (kept a day by the outbox) echo what the user told us.
                counts["outbox"] = self.db.execute(
                    "DELETE FROM outbox WHERE chat_id = ? AND sent_at IS NOT NULL", [private_chat_id]).rowcount
            # Conversation keys are JSON lists [chat_id, user_id].
            counts["conversations"] = self.db.execute(
                "DELETE FROM conversations WHERE json_extract(key, '$[#-1]') = ?", [user_id]).rowcount
        return counts

    def purge(self, before: str) -> dict[str, int]:
        """Delete rows older than ``before`` (ISO time) from every table that grows with use
        (logs, hand-offs, reviewed questions, idle state), and empty state rows of any age.
        Taught examples, settings and bot-wide data stay. Counts per table."""
        counts: dict[str, int] = {}
        with self._lock, self.db.conn:
            self.db.execute("BEGIN")
            for table, column in (("question_log", "time"), ("feedback", "time"), ("handoffs", "time"),
                                  ("reviewed", "time"), ("user_data", "updated"), ("chat_data", "updated"),
                                  ("conversations", "updated"), ("web_sessions", "updated"), ("web_log", "time")):
                counts[table] = self.db.execute(f"DELETE FROM [{table}] WHERE [{column}] < ?", [before]).rowcount
            # PTB writes a row for every chat and user it has seen, most of them {}.
            for table in ("user_data", "chat_data"):
                counts[table] += self.db.execute(
                    f"DELETE FROM [{table}] WHERE data IS NULL OR trim(data) IN ('', '{{}}', 'null')").rowcount
            counts["conversations"] += self.db.execute(
                "DELETE FROM conversations WHERE state IS NULL OR state = 'null'").rowcount
        return counts

    def stale_users(self, before: str) -> list[int]:
        return [row[0] for row in self.db.execute("SELECT user_id FROM user_data WHERE updated < ?", [before])]

    def stale_chats(self, before: str) -> list[int]:
        return [row[0] for row in self.db.execute("SELECT chat_id FROM chat_data WHERE updated < ?", [before])]
    # -- the web channel ----------------------------------------------------------------------
    def web_session(self, session_id: str, columns: tuple[str, ...] = WEB_SESSION_COLUMNS) -> dict | None:
        """One web session row (state and document as stored), or None; only ``columns`` when given."""
        row = self.db.execute(f"SELECT {', '.join(columns)} FROM web_sessions WHERE id = ?", [session_id]).fetchone()
        if row is None:
            return None
        return dict(zip(columns, row))

    def create_web_session(self, session_id: str, state_json: str, csrf: str, lang: str) -> None:
        now = utc_now()
        with self._lock:
            self.db.execute("INSERT INTO web_sessions (id, state, csrf, lang, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
                            [session_id, state_json, csrf, lang, now, now])

    def save_web_session(self, session_id: str, state_json: str, lang: str,
                         document: tuple[str, bytes, str] | None = None,
                         log: list[tuple[str, str, str | None]] = (), questions: list[list] = ()) -> None:
        """Store the dialog state; ``document`` (filename, content, media type) replaces the kept
        one; ``log`` items are appended as add_web_log does, and ``questions`` (question_row
        lists) go into the question log, in the same transaction."""
        with self._lock, self.db.conn:
            self.db.execute("BEGIN")
            if questions:
                self.db.conn.executemany(QUESTION_SQL, questions)
            if log:
                self._append_web_log(session_id, log)
            if document is None:
                self.db.execute("UPDATE web_sessions SET state = ?, lang = ?, updated = ? WHERE id = ?",
                                [state_json, lang, utc_now(), session_id])
            else:
                self.db.execute("UPDATE web_sessions SET state = ?, lang = ?, updated = ?, document_name = ?,"
                                " document = ?, document_type = ? WHERE id = ?",
                                [state_json, lang, utc_now(), *document, session_id])

    def add_web_log(self, session_id: str, items: list[tuple[str, str, str | None]]) -> None:
        """Append (sender, text, reply JSON) items to a session's log, keeping the last WEB_LOG_KEPT."""
        if not items:
            return
        with self._lock, self.db.conn:
            self.db.execute("BEGIN")
            self._append_web_log(session_id, items)

    def _append_web_log(self, session_id: str, items: list[tuple[str, str, str | None]]) -> None:
        now = utc_now()
        self.db.conn.executemany("INSERT INTO web_log (session_id, time, sender, text, reply) VALUES (?, ?, ?, ?, ?)",
                                 [(session_id, now, sender, text, reply) for sender, text, reply in items])
        self.db.execute("DELETE FROM web_log WHERE session_id = ? AND id <= (SELECT id FROM web_log WHERE"
                        " session_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
                        [session_id, session_id, WEB_LOG_KEPT])

    def web_log(self, session_id: str, after: int = 0, sender: str | None = None,
                last: int | None = None) -> list[dict]:
        """A session's log items after ``after`` (id), oldest first; only one sender's when given;
        with ``last``, only the newest ``last`` items (newest first)."""
        sql = "SELECT id, sender, text, reply FROM web_log WHERE session_id = ? AND id > ?"
        args: list = [session_id, after]
        if sender is not None:
            sql += " AND sender = ?"
            args.append(sender)
        sql += " ORDER BY id" if last is None else f" ORDER BY id DESC LIMIT {int(last)}"
        rows = self.db.execute(sql, args).fetchall()
        return [dict(zip(("id", "sender", "text", "reply"), row)) for row in rows]

    def web_last_id(self, session_id: str) -> int:
        """The id of a session's newest log item (0 when none): events come after it."""
        row = self.db.execute("SELECT max(id) FROM web_log WHERE session_id = ?", [session_id]).fetchone()
        return row[0] or 0

    def add_web_staff_reply(self, session_id: str, text: str) -> bool:
        """A help-desk reply for a web session (shown by its page); False when the session is gone."""
        with self._lock:
            if self.db.execute("SELECT 1 FROM web_sessions WHERE id = ?", [session_id]).fetchone() is None:
                return False
        self.add_web_log(session_id, [("staff", text, None)])
        return True

    def forget_web_session(self, session_id: str, user_id: int) -> dict[str, int]:
        """Delete a web session and every row about it (its log, questions, feedback, hand-offs)."""
        counts = self.forget_user(user_id)
        with self._lock, self.db.conn:
            self.db.execute("BEGIN")
            counts["web_log"] = self.db.execute("DELETE FROM web_log WHERE session_id = ?", [session_id]).rowcount
            counts["web_sessions"] = self.db.execute("DELETE FROM web_sessions WHERE id = ?", [session_id]).rowcount
            counts["handoffs"] += self.db.execute("DELETE FROM handoffs WHERE web_session = ?", [session_id]).rowcount
        return counts

    def writable(self) -> bool:
        """Whether a write to the file succeeds now (for /healthz)."""
        try:
            with self._lock:
                self.db.execute("INSERT INTO meta (key, value) VALUES ('healthz', ?) "
                                "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [utc_now()])
            return True
        except sqlite3.Error:
            return False
