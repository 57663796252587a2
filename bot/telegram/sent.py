"""What the bot notes about each message it sends, kept with the message's outbox row
(bot/telegram/outbox.py) and found again by Telegram's message id:

    note = message_note(replies, rows, user_id, in_group, ended)   # when the message is composed
    await durable.note_of(chat_id, message_id)   # {"entry": the knowledge entry it answers (a reply
                                                 # to it is a follow-up), "owner": in a group, the
                                                 # member it was for (only they may press its
                                                 # interview buttons), "user", "step"}
    await durable.latest_step(chat_id, user_id)  # that user's newest interview step: buttons under
                                                 # older ones are out of date
    entry_in_buttons(markup)     # the entry, read from the answer's own buttons (when no longer kept)

Sent rows are kept for a week (outbox.SENT_KEPT); older messages fall back on their buttons, on
the message they reply to, and on the engine's own check of stale presses.
"""
from __future__ import annotations

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


