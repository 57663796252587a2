"""Every update handled once and every reply sent once, across a kill; SQLite off the event loop.

    ledger = Ledger(store)                      # a writer thread and reader threads on the file
    durable = Durable(ledger)                   # the channel's side: receive, load, commit, deliver

The path of one update:

1. received: ``InboxQueue.put`` writes it to the ``inbox`` table before the updater confirms it
   to Telegram (the next getUpdates), so an update fetched just before a kill is not lost;
2. loaded: before any handler, the user's state is read from SQLite into ``context.user_data``,
   and an update already handled for this chat and user (``handled`` table) is skipped;
3. committed: in ONE transaction the user's new state, the replies (``outbox`` rows), the
   question-log rows and the update's id as handled; the inbox row goes;
4. delivered: the chat's unsent outbox rows are sent in order, each marked sent once Telegram
   took it. On start, before polling, unsent replies go out and unhandled inbox updates run.

A kill between two of these steps repeats nothing the user saw and loses nothing they said. The one
window left is the Bot API's: a message Telegram accepted but whose answer the bot had not yet
recorded when it died is sent again after the restart (Telegram offers no idempotency key) —
a duplicate rather than a loss.

All SQLite work runs in threads: writes in one writer thread (one transaction at a time, in the
order asked), reads in reader threads with their own connections (WAL: never blocked by a writer).
A write waits up to ``STORE_PATIENCE`` seconds for a lock another program holds, then fails with
``StoreBusy`` and the channel tells the user it could not save.
"""
from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from telegram import InputFile, ReplyParameters, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.store import QUESTION_SQL, Store, question_row, utc_now
from bot.telegram.render import keyboard

logger = logging.getLogger("policybot.telegram")

STORE_PATIENCE = 15.0    # seconds a write waits for another program's lock before giving up
NOW_WAIT_MS = 2          # the most ``write_now`` waits for the writer thread's transaction
BUSY_STEP_MS = 200       # SQLite busy timeout per attempt; attempts repeat until the patience ends
RECEIVE_WAIT = 0.1       # seconds the updater waits for the inbox write (a locked store: it goes on)
ACK_AFTER = 0.2          # a button press not answered by its handler by then is acknowledged
SENT_KEPT = "-7 days"    # sent outbox rows are kept this long (their notes: follow-ups, group owners), then deleted
HANDLED_KEPT = "-2 days"  # Telegram keeps an unconfirmed update for 24 hours: older ids cannot recur
TIDY_EVERY = 1000        # replies sent between two deletions of such old rows
CONVERSATION_IDLE = 1800.0   # seconds after which an idle ConversationHandler entry leaves memory
RETRY_AFTER = 5.0        # seconds before replies Telegram could not take are tried again


class StoreBusy(Exception):
    """The store stayed locked by another program for longer than STORE_PATIENCE."""


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def keys(update: object) -> tuple[int, int] | None:
    """(chat id, user id) an update belongs to (0 for a missing one); None for neither."""
    if not isinstance(update, Update):
        return None
    chat, user = update.effective_chat, update.effective_user
    if chat is None and user is None:
        return None
    user_id = user.id if user else 0
    return (chat.id if chat else user_id), user_id


class Ledger:
    """The store's file through threads: ``write`` runs a function in one transaction in the
    writer thread, ``read`` runs one in a reader thread; both return to the event loop."""

    def __init__(self, store: Store, readers: int = 2):
        self.store = store
        row = store.db.execute("PRAGMA database_list").fetchone()
        self.path = row[2] if row and row[2] else ""     # "" for an in-memory store (tests)
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="policybot-writer")
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="policybot-reader")
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._loop_conn: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout={BUSY_STEP_MS}")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            self._connections.append(conn)
        return conn

    def _in_thread(self, fn: Callable[[sqlite3.Connection], Any], transaction: bool, deadline: float) -> Any:
        if not self.path:  # one shared in-memory connection
            with self.store._lock:
                return self._attempt(self.store.db.conn, fn, transaction, deadline)
        return self._attempt(self._connection(), fn, transaction, deadline)

    @staticmethod
    def _attempt(conn: sqlite3.Connection, fn, transaction: bool, deadline: float) -> Any:
        while True:
            try:
                if not transaction:
                    return fn(conn)
                conn.execute("BEGIN IMMEDIATE")   # the write lock now, or wait for it
                try:
                    result = fn(conn)
                    conn.execute("COMMIT")
                    return result
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreBusy(str(exc)) from exc

    async def write(self, fn: Callable[[sqlite3.Connection], Any], patience: float | None = None) -> Any:
        """``fn(conn)`` in one transaction in the writer thread (after the writes asked before)."""
        deadline = time.monotonic() + (STORE_PATIENCE if patience is None else patience)
        return await asyncio.get_running_loop().run_in_executor(
            self._writer, self._in_thread, fn, True, deadline)

    async def call(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        """``fn(conn)`` in the writer thread without a transaction (e.g. a checkpoint)."""
        deadline = time.monotonic() + STORE_PATIENCE
        return await asyncio.get_running_loop().run_in_executor(
            self._writer, self._in_thread, fn, False, deadline)

    def write_now(self, sql: str, params: list) -> bool:
        """One short statement on the event loop's own connection, at once, or False when the
        file is locked even for a moment (then the caller uses ``write``). For the one write whose
        delay matters: recording a reply as sent the instant Telegram took it (a kill in between
        would send it twice)."""
        if not self.path:
            return False
        if self._loop_conn is None:
            self._loop_conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._loop_conn.execute(f"PRAGMA busy_timeout={NOW_WAIT_MS}")
            self._loop_conn.execute("PRAGMA synchronous=NORMAL")
            self._connections.append(self._loop_conn)
        try:
            self._loop_conn.execute(sql, params)
            return True
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                return False
            raise

    async def read(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        deadline = time.monotonic() + STORE_PATIENCE
        return await asyncio.get_running_loop().run_in_executor(
            self._readers, self._in_thread, fn, False, deadline)

    def close(self) -> None:
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        for conn in self._connections:
            conn.close()
        self._connections.clear()


# -- the SQL of each step (run in the ledger's threads) -------------------------------------------

def _load(conn: sqlite3.Connection, chat_id: int, user_id: int) -> tuple[dict | None, int | None]:
    row = conn.execute("SELECT data FROM user_data WHERE user_id = ?", [user_id]).fetchone() if user_id else None
    handled = conn.execute("SELECT update_id FROM handled WHERE chat_id = ? AND user_id = ?",
                           [chat_id, user_id]).fetchone()
    return (json.loads(row[0]) if row else None), (handled[0] if handled else None)


def _mark_handled(conn: sqlite3.Connection, update_id: int, chat_id: int, user_id: int) -> None:
    conn.execute("INSERT INTO handled (chat_id, user_id, update_id, updated) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT(chat_id, user_id) DO UPDATE SET update_id = max(update_id, excluded.update_id), "
                 "updated = excluded.updated", [chat_id, user_id, update_id, utc_now()])
    conn.execute("DELETE FROM inbox WHERE update_id = ?", [update_id])


def _already_handled(conn: sqlite3.Connection, update_id: int, chat_id: int, user_id: int) -> bool:
    row = conn.execute("SELECT update_id FROM handled WHERE chat_id = ? AND user_id = ?",
                       [chat_id, user_id]).fetchone()
    return bool(row and row[0] >= update_id)


def _tidy(conn: sqlite3.Connection) -> None:
    """Delete replies sent long ago and handled-update ids Telegram can no longer send again."""
    conn.execute("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < strftime('%Y-%m-%dT%H:%M:%S', 'now', ?)",
                 [SENT_KEPT])
    conn.execute("DELETE FROM handled WHERE updated < strftime('%Y-%m-%dT%H:%M:%S', 'now', ?)", [HANDLED_KEPT])


def _insert_messages(conn: sqlite3.Connection, messages: list[dict]) -> None:
    now = utc_now()
    for m in messages:
        name, data = m.get("document") or (None, None)
        if isinstance(data, str):
            data = data.encode("utf-8")
        conn.execute(
            "INSERT INTO outbox (chat_id, text, buttons, document_name, document, reply, created, note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [m["chat_id"], m.get("text") or "", json.dumps(m["buttons"], ensure_ascii=False) if m.get("buttons") else None,
             name, data, json.dumps(m["reply"]) if m.get("reply") else None, now,
             json.dumps(m["note"]) if m.get("note") else None])


class Durable:
    """The channel's side of the ledger: receipt, loading, the one transaction, delivery."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self.application = None          # set by build_application
        self.in_flight: set[int] = set()     # update ids received and not yet finished
        self.committed: set[int] = set()     # ... of which the handler committed (and so marked handled)
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self._sent_since_tidy = 0
        self._slow_warned = -1e9                # when that was last logged (once a minute at most)
        self._receipts_pending = 0           # inbox writes waiting for a lock another program holds
        self._ack_timers: dict[int, asyncio.TimerHandle] = {}   # update id -> its early acknowledgement
        self._chat_waiting: dict[int, int] = {}
        # (chat, user) of conversations in a ConversationHandler state, least recently active first.
        self._conversation_seen: OrderedDict[tuple[int, int], float] = OrderedDict()

    # 1. receipt --------------------------------------------------------------------------------
    async def receive(self, update: Update) -> bool:
        """Record a received update in the inbox; False when it is already being handled (a
        re-delivery after a restart that replayed it from the inbox)."""
        if update.update_id in self.in_flight:
            return False
        self.in_flight.add(update.update_id)
        self._start_ack_timer(update)
        data = update.to_json()
        write = asyncio.ensure_future(self.ledger.write(lambda conn: conn.execute(
            "INSERT OR IGNORE INTO inbox (update_id, data, received) VALUES (?, ?, ?)",
            [update.update_id, data, utc_now()])))
        try:
            # A locked store must not hold up every user's updates: after a short wait (none while
            # an earlier write still waits) the update goes on; the write completes, in order,
            # when the lock is released.
            await asyncio.wait_for(asyncio.shield(write), 0 if self._receipts_pending else RECEIVE_WAIT)
        except asyncio.TimeoutError:
            if not self._receipts_pending and time.monotonic() - self._slow_warned > 60:
                self._slow_warned = time.monotonic()
                logger.warning("the store is slow or locked by another program: updates are handled "
                               "before they are saved")
            self._receipts_pending += 1
            write.add_done_callback(self._receipt_done)
        except (StoreBusy, sqlite3.Error) as exc:
            logger.warning("could not record update %s in the inbox: %s", update.update_id, exc)
        return True

    def _receipt_done(self, task: asyncio.Future) -> None:
        self._receipts_pending -= 1
        if not task.cancelled() and task.exception() is not None:
            logger.warning("could not record an update in the inbox: %s", task.exception())

    # 2. loading ---------------------------------------------------------------------------------
    async def load(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Before any handler (TypeHandler, earliest group): skip an update already handled;
        fill ``context.user_data`` with the user's state from SQLite."""
        chat_user = keys(update)
        if chat_user is None:
            return
        chat_id, user_id = chat_user
        data, handled = await self.ledger.read(lambda conn: _load(conn, chat_id, user_id))
        if handled is not None and update.update_id <= handled:
            logger.info("update %s was handled before the restart: skipped", update.update_id)
            raise ApplicationHandlerStop
        if context.user_data is not None:
            context.user_data.clear()
            context.user_data.update(data or {})

    # 3. the one transaction ------------------------------------------------------------------------
    async def commit(self, update: Update, user_data: dict | None, messages: list[dict],
                     questions: list[dict] = ()) -> bool:
        """State, replies, question-log rows and the update as handled, in one transaction;
        False when the update was handled already (nothing written). Raises StoreBusy."""
        chat_id, user_id = keys(update) or (0, 0)
        update_id = update.update_id
        state = (json.dumps(user_data, ensure_ascii=False, sort_keys=True, default=str)
                 if user_data is not None and user_id else None)

        def transaction(conn: sqlite3.Connection) -> bool:
            if update_id and _already_handled(conn, update_id, chat_id, user_id):
                return False
            if state is not None:
                conn.execute("INSERT INTO user_data (user_id, data, updated) VALUES (?, ?, ?) "
                             "ON CONFLICT(user_id) DO UPDATE SET data = excluded.data, updated = excluded.updated",
                             [user_id, state, utc_now()])
            _insert_messages(conn, messages)
            for fields in questions:
                conn.execute(QUESTION_SQL, question_row(**fields))
            if update_id:
                _mark_handled(conn, update_id, chat_id, user_id)
            return True

        done = await self.ledger.write(transaction)
        if done:
            self.committed.add(update_id)
        return done

    # 4. delivery -------------------------------------------------------------------------------------
    async def deliver(self, bot, chat_id: int) -> None:
        """Send this chat's unsent replies in order, marking each sent once Telegram took it."""
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        self._chat_waiting[chat_id] = self._chat_waiting.get(chat_id, 0) + 1
        try:
            async with lock:
                rows = await self.ledger.read(lambda conn: conn.execute(
                    "SELECT id, chat_id, text, buttons, document_name, document, reply FROM outbox "
                    "WHERE chat_id = ? AND sent_at IS NULL ORDER BY id", [chat_id]).fetchall())
                if not await self._send_rows(bot, rows):
                    # A network failure: tried again shortly (and before this chat's next reply).
                    asyncio.get_running_loop().call_later(
                        RETRY_AFTER, lambda: asyncio.ensure_future(self.deliver(bot, chat_id)))
        finally:
            self._chat_waiting[chat_id] -= 1
            if not self._chat_waiting[chat_id]:
                del self._chat_waiting[chat_id]
                self._chat_locks.pop(chat_id, None)

    async def send_now(self, bot, messages: list[dict]) -> None:
        """Send messages without the outbox (the store is locked): at most once."""
        rows = [(None, m["chat_id"], m.get("text") or "",
                 json.dumps(m["buttons"], ensure_ascii=False) if m.get("buttons") else None,
                 *(m.get("document") or (None, None)), json.dumps(m["reply"]) if m.get("reply") else None)
                for m in messages]
        await self._send_rows(bot, rows, mark=False)

    async def _send_rows(self, bot, rows, mark: bool = True) -> bool:
        """Send rows in order; False when one could not be sent now (the rest wait with it)."""
        for row_id, chat_id, text, buttons, document_name, document, reply in rows:
            markup = keyboard(json.loads(buttons)) if buttons else None
            reply_to = ReplyParameters(json.loads(reply)["message_id"], allow_sending_without_reply=True) \
                if reply else None
            sent = None
            try:
                if document_name:
                    sent = await bot.send_document(chat_id, InputFile(document or b"", filename=document_name),
                                                   caption=text or None, reply_markup=markup,
                                                   reply_parameters=reply_to)
                else:
                    sent = await bot.send_message(chat_id, text, reply_markup=markup, reply_parameters=reply_to)
            except (BadRequest, Forbidden) as exc:
                # Refused for good (the user blocked the bot, the chat is gone): sending it again
                # would be refused again, so it is marked done.
                logger.warning("Telegram refused a reply to chat %s: %s", chat_id, exc)
            except TelegramError as exc:
                logger.warning("could not send a reply to chat %s now (kept, sent with the next one): %s",
                               chat_id, exc)
                return False
            if not mark:
                continue
            # Telegram's id of the message: a reply to it, or a press of its buttons, finds its note.
            sql = ["UPDATE outbox SET sent_at = ?, message_id = ? WHERE id = ?",
                   [utc_now(), getattr(sent, "message_id", None), row_id]]
            if not self.ledger.write_now(*sql):
                try:
                    await self.ledger.write(lambda conn: conn.execute(*sql))
                except StoreBusy:
                    logger.warning("the store stayed locked: a reply to chat %s sent but not recorded", chat_id)
                    return False
            self._sent_since_tidy += 1
            if self._sent_since_tidy >= TIDY_EVERY:
                self._sent_since_tidy = 0
                await self.ledger.write(_tidy)
        return True

    async def note_of(self, chat_id: int, message_id: int) -> dict | None:
        """What the channel noted of a message it sent (bot/telegram/sent.py), while it is kept."""
        row = await self.ledger.read(lambda conn: conn.execute(
            "SELECT note FROM outbox WHERE chat_id = ? AND message_id = ?", [chat_id, message_id]).fetchone())
        return json.loads(row[0]) if row and row[0] else None

    async def latest_step(self, chat_id: int, user_id: int) -> int | None:
        """The message id of that user's newest interview step in this chat, while it is kept."""
        row = await self.ledger.read(lambda conn: conn.execute(
            "SELECT max(message_id) FROM outbox WHERE chat_id = ? AND message_id IS NOT NULL"
            " AND json_extract(note, '$.step') AND json_extract(note, '$.user') = ?", [chat_id, user_id]).fetchone())
        return row[0] if row else None

    async def recover(self, application) -> None:
        """On start, before polling: send every unsent reply (each chat in order), then queue the
        updates received but never handled."""
        rows = await self.ledger.read(lambda conn: conn.execute(
            "SELECT id, chat_id, text, buttons, document_name, document, reply FROM outbox "
            "WHERE sent_at IS NULL ORDER BY id").fetchall())
        by_chat: dict[int, list] = {}
        for row in rows:
            by_chat.setdefault(row[1], []).append(row)
        if rows:
            logger.info("sending %d replies left unsent by the last run", len(rows))
        await asyncio.gather(*(self._send_rows(application.bot, chat_rows) for chat_rows in by_chat.values()))
        await self.ledger.write(_tidy)
        inbox = await self.ledger.read(lambda conn: conn.execute(
            "SELECT update_id, data FROM inbox ORDER BY update_id").fetchall())
        if inbox:
            logger.info("handling %d updates received but not handled by the last run", len(inbox))
        for update_id, data in inbox:
            update = Update.de_json(json.loads(data), application.bot)
            self.in_flight.add(update_id)
            await asyncio.Queue.put(application.update_queue, update)

    # 5. after every update -------------------------------------------------------------------------
    def _start_ack_timer(self, update: Update) -> None:
        """From receipt: a button press its handler has not answered within ACK_AFTER (at once
        while the store is locked) is acknowledged, so the user's spinner stops."""
        if update.callback_query is None or self.application is None:
            return
        query = update.callback_query
        self._ack_timers[update.update_id] = asyncio.get_running_loop().call_later(
            0 if self._receipts_pending else ACK_AFTER,
            lambda: self.application.create_task(self.acknowledge(query)))

    def started(self, update: object):
        """When an update enters processing (one received before this process, from the inbox,
        has no timer yet)."""
        if isinstance(update, Update) and update.update_id not in self._ack_timers:
            self._start_ack_timer(update)
        return None

    @staticmethod
    async def acknowledge(query) -> None:
        # The handler's own answer later is not sent twice (SendRateLimiter drops a repeat).
        try:
            await query.answer()
        except TelegramError as exc:
            logger.debug("could not answer the callback query: %s", exc)

    async def finished(self, update: object, timer) -> None:
        """When an update is done: mark it handled (when no commit did), and drop the user's and
        chat's data from memory — the next update loads them again (memory stays flat)."""
        if isinstance(update, Update) and (early := self._ack_timers.pop(update.update_id, None)):
            early.cancel()
        chat_user = keys(update)
        if chat_user is None or not isinstance(update, Update):
            return
        chat_id, user_id = chat_user
        update_id = update.update_id
        try:
            if update_id not in self.committed:
                await self.ledger.write(lambda conn: _mark_handled(conn, update_id, chat_id, user_id))
        except (StoreBusy, sqlite3.Error) as exc:
            logger.warning("could not mark update %s handled: %s", update_id, exc)
        finally:
            self.committed.discard(update_id)
            self.in_flight.discard(update_id)
            forget_in_memory(self.application, chat_id, user_id)
            self.forget_idle_conversations((chat_id, user_id))

    def forget_idle_conversations(self, key: tuple[int, int]) -> None:
        """A ConversationHandler keeps a state per user in an interview, also for interviews
        abandoned for good: entries idle for CONVERSATION_IDLE are dropped (from the file too).
        Nothing changes for the user: the engine's state (in SQLite) still holds the interview,
        and the handlers it reaches without the entry do the same."""
        if self.application is None:
            return
        conversations = self.application._conversation_handler_conversations.values()
        now = time.monotonic()
        self._conversation_seen.pop(key, None)
        if any(key in states for states in conversations):
            self._conversation_seen[key] = now
        while self._conversation_seen:
            oldest, seen = next(iter(self._conversation_seen.items()))
            if now - seen < CONVERSATION_IDLE:
                break
            del self._conversation_seen[oldest]
            for states in conversations:
                states.pop(oldest, None)


def forget_in_memory(application, chat_id: int, user_id: int) -> None:
    """Drop one user's and chat's data from PTB's dicts (their state lives in SQLite). PTB has no
    public way to evict without deleting from the persistence, hence its private attributes;
    the persistence's id sets are unused (user and chat data are not stored through PTB)."""
    if application is None:
        return
    application._user_data.pop(user_id, None)
    application._chat_data.pop(chat_id, None)
    for ids in (application._user_ids_to_be_updated_in_persistence,
                application._chat_ids_to_be_updated_in_persistence,
                application._user_ids_to_be_deleted_in_persistence,
                application._chat_ids_to_be_deleted_in_persistence):
        ids.clear()


class InboxQueue(asyncio.Queue):
    """PTB's update queue, writing each received update to the inbox before the updater goes on
    (and so before it confirms the update to Telegram with its next getUpdates)."""

    durable: Durable | None = None

    async def put(self, item: Any) -> None:
        if self.durable is not None and isinstance(item, Update):
            if not await self.durable.receive(item):
                return
        await super().put(item)
