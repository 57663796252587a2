"""What the bot remembers about the messages it sent, per chat (kept in that chat's ``chat_data``).

    note = message_note(replies, rows, user_id, in_group, ended)   # before sending one message
    remember_sent(chat_data, message_id, note)                      # once Telegram took it
    entry_of(chat_data, message_id)        # the knowledge entry it answers: a reply to it is a follow-up
    entry_in_buttons(markup)               # the same, read from the answer's own buttons (not remembered)
    owner_of(chat_data, message_id)        # in a group, the member it was for (only they may press
                                           # its interview buttons)
    latest_step(chat_data, user_id)        # that user's newest interview step: buttons under older
                                           # ones are out of date

Only the newest ``REMEMBERED`` messages of a chat are kept. Plain JSON (string keys), so any
persistence keeps it; whoever sends a message (directly, or from an outbox) calls ``remember_sent``
with the note made when the message was composed.
"""
from __future__ import annotations

REMEMBERED = 300                                # messages per chat
INTERVIEW_ACTIONS = ("ans:", "ctl:", "edit:")   # buttons that move an interview


def answered_entry(replies: list) -> str | None:
    """The knowledge entry a message answers: the engine's ``Reply.entry``, else the entry its
    confident match reported (so a reply to the message can be read as a follow-up about it)."""
    for reply in reversed(replies):
        entry = getattr(reply, "entry", None)
        if entry:
            return entry
        for event in reply.events if reply.kind == "answer" else ():
            if event.get("type") == "asked" and event.get("confident") and event.get("top"):
                return event["top"]
    return None


def message_note(replies: list, rows: list, user_id: int | None, in_group: bool, ended: bool = False) -> dict:
    """The note for one message about to be sent: the replies it shows, its button rows
    ((label, action) pairs), whom it is for; ``ended``: the interview ended with it."""
    step = ended or any(action.startswith(INTERVIEW_ACTIONS) for row in rows for _, action in row)
    # Whom it was for matters in groups only (a private chat is its user's).
    return {"user": user_id, "owner": user_id if in_group else None, "entry": answered_entry(replies),
            "step": step}


def remember_sent(chat_data: dict | None, message_id: int, note: dict) -> None:
    """Note a sent message (the newest REMEMBERED per chat are kept)."""
    if chat_data is None:
        return
    sent = chat_data.setdefault("sent", {})
    sent[str(message_id)] = [note.get("owner"), note.get("entry")]
    if len(sent) > REMEMBERED:
        for old in sorted(sent, key=int)[:len(sent) - REMEMBERED]:
            del sent[old]
    if note.get("step") and note.get("user") is not None:
        steps = chat_data.setdefault("steps", {})
        steps[str(note["user"])] = max(message_id, steps.get(str(note["user"]), 0))


def _sent(chat_data: dict | None, message_id: int) -> list:
    return ((chat_data or {}).get("sent") or {}).get(str(message_id)) or [None, None]


def entry_of(chat_data: dict | None, message_id: int) -> str | None:
    return _sent(chat_data, message_id)[1]


def owner_of(chat_data: dict | None, message_id: int) -> int | None:
    return _sent(chat_data, message_id)[0]


def entry_in_buttons(markup) -> str | None:
    """The entry an answer's own buttons name (查看原文 ``text:<id>``, 👍/👎 ``fb:±:<id>``): Telegram
    hands the replied-to message back with its buttons, so a follow-up works without memory."""
    for row in getattr(markup, "inline_keyboard", None) or ():
        for button in row:
            head, _, rest = str(button.callback_data or "").partition(":")
            if head == "text" and rest:
                return rest
            if head == "fb" and rest[:2] in ("+:", "-:") and rest[2:]:
                return rest[2:]
    return None


def latest_step(chat_data: dict | None, user_id: int) -> int | None:
    return ((chat_data or {}).get("steps") or {}).get(str(user_id))
