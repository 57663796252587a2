"""python-telegram-bot persistence in the bot's SQLite file, as readable JSON.

User, chat and bot data and the states of persistent ConversationHandlers survive a restart.
Data must be JSON-shaped (dicts with string keys, lists, numbers, strings): the dialog engine's
state already is. Callback data is not stored (our buttons carry plain strings).
"""
from __future__ import annotations

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.store import Store


class SQLitePersistence(BasePersistence[dict, dict, dict]):
    """BasePersistence over ``Store``; writes only what changed since it was last written."""

    def __init__(self, store: Store, update_interval: float = 5):
        super().__init__(
            store_data=PersistenceInput(bot_data=True, chat_data=True, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self.store = store
        # The JSON last written per row: PTB hands over every touched entry, most unchanged.
        self._written: dict[tuple, str] = {}

    def _changed(self, key: tuple, data: Any) -> str | None:
        """The JSON to write, or None when it is what was last written."""
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
        if self._written.get(key) == text:
            return None
        self._written[key] = text
        return text

    def write_user_data_now(self, user_id: int, data: dict) -> None:
        """Write one user's data at once (serialised here, so no copy is needed): the channel
        calls this before it replies, so an acknowledged answer survives a crash."""
        if text := self._changed(("user", user_id), data):
            self.store.save_json("user_data", "user_id", user_id, text)

    async def get_user_data(self) -> dict[int, dict]:
        return self.store.load_all("user_data", "user_id")

    async def get_chat_data(self) -> dict[int, dict]:
        return self.store.load_all("chat_data", "chat_id")

    async def get_bot_data(self) -> dict:
        return self.store.load_all("bot_data", "id").get(1, {})

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict:
        return self.store.load_conversations(name)

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        if self._changed(("conversation", name, key), new_state):
            self.store.save_conversation(name, key, new_state)

    async def update_user_data(self, user_id: int, data: dict) -> None:
        if text := self._changed(("user", user_id), data):
            self.store.save_json("user_data", "user_id", user_id, text)

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        if text := self._changed(("chat", chat_id), data):
            self.store.save_json("chat_data", "chat_id", chat_id, text)

    async def update_bot_data(self, data: dict) -> None:
        if text := self._changed(("bot",), data):
            self.store.save_json("bot_data", "id", 1, text)

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        self._written.pop(("user", user_id), None)
        self.store.delete("user_data", "user_id", user_id)

    async def drop_chat_data(self, chat_id: int) -> None:
        self._written.pop(("chat", chat_id), None)
        self.store.delete("chat_data", "chat_id", chat_id)

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        return None  # this process is the only writer

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None

    async def flush(self) -> None:
        # Every update is already committed; make the WAL part of the main file for readers.
        self.store.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
