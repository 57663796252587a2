"""Replies as Telegram messages: lengths in UTF-16 units, splitting long texts, inline keyboards."""
from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

DOC_ACTION = "tg:doc"            # the channel's own button: send the estimate as a file


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])|(?<=[.:](?=\s))")


def split_message(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-16 units, cut after sentence ends where possible."""
    text = text.strip() or "…"
    if utf16_len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in SENTENCE_END.split(text):
        while utf16_len(sentence) > limit:          # one "sentence" longer than a message: hard cut
            cut = limit
            while utf16_len(sentence[:cut]) > limit:
                cut -= 1
            if current.strip():
                pieces.append(current.strip())
                current = ""
            pieces.append(sentence[:cut])
            sentence = sentence[cut:]
        if utf16_len(current + sentence) > limit:
            pieces.append(current.strip())
            current = sentence
        else:
            current += sentence
    if current.strip():
        pieces.append(current.strip())
    return [p for p in pieces if p]


def compose(replies: list, save_label: str) -> list[tuple[str, list[list[tuple[str, str]]], list]]:
    """The engine's replies as Telegram messages (text, button rows, the replies in it): a reply
    without buttons is joined to the one after it (one bubble, one API call, less of Telegram's
    send budget); a reply that carries the estimate document gets the button that sends it as a file."""
    messages: list[tuple[str, list, list]] = []
    pending: list = []
    for reply in replies:
        rows = [[(b.label, b.action) for b in row] for row in reply.buttons]
        if reply.document:
            rows.append([(save_label, DOC_ACTION)])
        pending.append(reply)
        if rows:
            messages.append(("\n\n".join(t for t in (r.text.strip() for r in pending) if t), rows, pending))
            pending = []
    if pending:
        messages.append(("\n\n".join(t for t in (r.text.strip() for r in pending) if t), [], pending))
    return [(text, rows, group) for text, rows, group in messages if text or rows]


def compose_messages(replies: list, save_label: str) -> list[tuple[str, list[list[tuple[str, str]]]]]:
    """``compose`` without the replies: (text, button rows) per message."""
    return [(text, rows) for text, rows, _ in compose(replies, save_label)]


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    rows = [[InlineKeyboardButton(label, callback_data=action) for label, action in row] for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None
