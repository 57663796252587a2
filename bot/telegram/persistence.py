"""python-telegram-bot persistence in the bot's SQLite file, as readable JSON.

Bot data and the states of persistent ConversationHandlers survive a restart through PTB. User
data is not kept by PTB: the channel loads a user's state from SQLite when they write and commits
it with the replies (bot/telegram/outbox.py), so memory holds only the users being served; the
user and chat methods below remain for tools and tests. Every SQLite call runs off the event loop.
Data must be JSON-shaped (dicts with string keys, lists, numbers, strings): the dialog engine's
state already is. Callback data is not stored (our buttons carry plain strings).
"""
from __future__ import annotations

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.store import Store, utc_now
from bot.telegram.outbox import Ledger


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


class SQLitePersistence(BasePersistence[dict, dict, dict]):
    """BasePersistence over ``Store``, through the ledger's threads."""

    def __init__(self, store: Store, update_interval: float = 5, ledger: Ledger | None = None):
        super().__init__(
            store_data=PersistenceInput(bot_data=True, chat_data=False, user_data=False, callback_data=False),
            update_interval=update_interval,
        )
        self.store = store
        self.ledger = ledger or Ledger(store)
        self._bot_written: str | None = None    # bot data as last written (PTB hands it over each run)

    async def _save(self, table: str, key: str, key_value: int, text: str) -> None:
        await self.ledger.write(lambda conn: conn.execute(
            f"INSERT INTO [{table}] ([{key}], data, updated) VALUES (?, ?, ?) "
            f"ON CONFLICT([{key}]) DO UPDATE SET data = excluded.data, updated = excluded.updated",
            [key_value, text, utc_now()]))

    async def _load_all(self, table: str, key: str) -> dict[int, Any]:
        rows = await self.ledger.read(lambda conn: conn.execute(f"SELECT [{key}], data FROM [{table}]").fetchall())
        return {row[0]: json.loads(row[1]) for row in rows}

    async def _delete(self, table: str, key: str, key_value: int) -> None:
        await self.ledger.write(lambda conn: conn.execute(f"DELETE FROM [{table}] WHERE [{key}] = ?", [key_value]))

    def write_user_data_now(self, user_id: int, data: dict) -> None:
        """Write one user's data at once (synchronously; kept for callers outside the channel)."""
        self.store.save_json("user_data", "user_id", user_id, _json(data))

    async def get_user_data(self) -> dict[int, dict]:
        return await self._load_all("user_data", "user_id")

    async def get_chat_data(self) -> dict[int, dict]:
        return await self._load_all("chat_data", "chat_id")

    async def get_bot_data(self) -> dict:
        return (await self._load_all("bot_data", "id")).get(1, {})

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict:
        rows = await self.ledger.read(lambda conn: conn.execute(
            "SELECT key, state FROM conversations WHERE name = ?", [name]).fetchall())
        return {tuple(json.loads(key)): json.loads(state) for key, state in rows}

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        key_text = json.dumps(list(key))
        if new_state is None:
            await self.ledger.write(lambda conn: conn.execute(
                "DELETE FROM conversations WHERE name = ? AND key = ?", [name, key_text]))
        else:
            await self.ledger.write(lambda conn: conn.execute(
                "INSERT INTO conversations (name, key, state, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name, key) DO UPDATE SET state = excluded.state, updated = excluded.updated",
                [name, key_text, json.dumps(new_state), utc_now()]))

    async def update_user_data(self, user_id: int, data: dict) -> None:
        await self._save("user_data", "user_id", user_id, _json(data))

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        await self._save("chat_data", "chat_id", chat_id, _json(data))

    async def update_bot_data(self, data: dict) -> None:
        text = _json(data)
        if text != self._bot_written:
            self._bot_written = text
            await self._save("bot_data", "id", 1, text)

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        await self._delete("user_data", "user_id", user_id)

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._delete("chat_data", "chat_id", chat_id)

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        return None  # loaded by the channel itself (bot/telegram/outbox.py)

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None

    async def flush(self) -> None:
        # Every update is already committed; make the WAL part of the main file for readers.
        await self.ledger.call(lambda conn: conn.execute("PRAGMA wal_checkpoint(PASSIVE)"))
