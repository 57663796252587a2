"""Web sessions: the anonymous browser session, its dialog state and what it said, in the store.

    sessions = WebSessions(store)
    session = sessions.get(cookie_value)          # None for a missing, malformed or unknown id
    session = sessions.create(lang)               # new id, CSRF token and dialog state
    sessions.save(session, state, document=None,  # the state after an engine step and what was said
                  log=[("user", text, None), ("bot", text, reply_json)], questions=[question_row(...)])
    web_user_id(session_id)                       # the id the question log and hand-offs use

Web ids in the shared tables (question_log, feedback, handoffs: chat_id and user_id) are
``WEB_ID_BASE`` minus 56 bits of SHA-256 of the session id: always below -2**60, where no Telegram
id can be (Telegram ids have at most 52 significant bits), and not reversible to the session id
(which is a 256-bit secret), so /stats and /export count web questions without exposing sessions.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass

import dialogs
from bot.store import Store

WEB_ID_BASE = -(2 ** 60)
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")      # secrets.token_urlsafe(32)


def web_user_id(session_id: str) -> int:
    digest = hashlib.sha256(b"policybot-web:" + session_id.encode()).digest()
    return WEB_ID_BASE - int.from_bytes(digest[:7], "big")


def is_web_id(chat_id: int | None) -> bool:
    return chat_id is not None and chat_id <= WEB_ID_BASE


@dataclass
class Session:
    id: str
    csrf: str
    lang: str
    state: dict
    document: tuple[str, bytes, str] | None = None    # (filename, content, media type)
    new: bool = False

    @property
    def user_id(self) -> int:
        return web_user_id(self.id)


class WebSessions:
    def __init__(self, store: Store):
        self.store = store

    def get(self, session_id: str | None, checks_only: bool = False) -> Session | None:
        """The stored session, or None (no cookie, a forged or forgotten id). ``checks_only``: its
        id, CSRF token and language, without reading and parsing its state and document (empty
        here), for the checks before an engine step, which reads the session again under its lock."""
        if not session_id or not SESSION_ID.match(session_id):
            return None
        if checks_only:
            row = self.store.web_session(session_id, ("id", "csrf", "lang"))
            return None if row is None else Session(row["id"], row["csrf"], row["lang"] or "zh", {})
        row = self.store.web_session(session_id)
        if row is None:
            return None
        try:
            state = json.loads(row["state"])
        except (TypeError, ValueError):
            state = {}        # the engine restarts an unreadable state with an apology
        document = None
        if row["document_name"]:
            document = (row["document_name"], row["document"], row["document_type"])
        return Session(row["id"], row["csrf"], row["lang"] or "zh", state, document)

    def create(self, lang: str) -> Session:
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), lang, dialogs.new_state(lang=lang),
                          new=True)
        self.store.create_web_session(session.id, dump(session.state), session.csrf, lang)
        return session

    def save(self, session: Session, state: dict, document: tuple[str, bytes, str] | None = None,
             log: list[tuple[str, str, dict | None]] = (), questions: list[list] = ()) -> None:
        """The state after an engine step, what was said in it and its question-log rows
        (bot.store.question_row), in one transaction."""
        session.state = state
        session.lang = "en" if state.get("lang") == "en" else "zh"
        if document is not None:
            session.document = document
        self.store.save_web_session(session.id, dump(state), session.lang, document,
                                    [(sender, text, dump(reply) if reply is not None else None)
                                     for sender, text, reply in log], questions)

    def transcript(self, session: Session) -> list[dict]:
        """The conversation so far, oldest first: {"id", "from", "text", "reply"}."""
        return [{"id": row["id"], "from": row["sender"], "text": row["text"],
                 "reply": json.loads(row["reply"]) if row["reply"] else None}
                for row in self.store.web_log(session.id)]

    def button_label(self, session: Session, action: str, count: int = 12) -> str | None:
        """The label of the button with ``action`` in the last ``count`` bot replies (newest
        first, read only as far as needed), or None."""
        for row in self.store.web_log(session.id, sender="bot", last=count):
            if row["reply"] and action in row["reply"]:
                for button in json.loads(row["reply"]).get("buttons", []):
                    if button.get("action") == action:
                        return button.get("label")
        return None

    def staff_replies(self, session: Session, after: int) -> list[dict]:
        return [{"id": row["id"], "from": "staff", "text": row["text"]}
                for row in self.store.web_log(session.id, after=after, sender="staff")]


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_plain)


def _plain(value):
    """JSON for what the engine's estimate may hold: Decimal amounts, dates, tuples."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON: {type(value).__name__}")
