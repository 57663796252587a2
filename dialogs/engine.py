"""Conversation routing (placeholder while the interview lands; the API is final)."""
from __future__ import annotations

from datetime import datetime

from dialogs.reply import Reply

STATE_VERSION = 1


def new_state(lang: str = "zh") -> dict:
    return {"version": STATE_VERSION, "lang": "en" if lang == "en" else "zh", "interview": None,
            "updated_at": None, "last_entry": None}


def profile_of(state: dict) -> dict:
    return {}


def respond(state: dict, text: str, now: datetime | None = None, idle_days: float = 7):
    return dict(state), [Reply("（建设中）")]


def press(state: dict, action: str, now: datetime | None = None, idle_days: float = 7):
    return dict(state), [Reply("（建设中）")]
