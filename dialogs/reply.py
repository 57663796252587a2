"""What the engine hands back to a channel: replies with buttons, nothing channel-specific."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_ACTION_BYTES = 60
# The event on the reply to a press the engine could not serve (an old or unknown button): the
# channel leaves the pressed message as it was instead of marking the choice.
STALE = {"type": "stale"}


@dataclass(frozen=True)
class Button:
    """A choice the channel shows; pressing it calls ``press(state, action)``."""

    label: str
    action: str

    def __post_init__(self) -> None:
        # Telegram limits callback data to 64 bytes; keep a margin and stay ASCII.
        if not self.action.isascii() or len(self.action.encode()) > MAX_ACTION_BYTES:
            raise ValueError(f"button action must be ASCII ≤ {MAX_ACTION_BYTES} bytes: {self.action!r}")

    @property
    def is_answer(self) -> bool:
        """Whether pressing it answers the pending question (a channel may echo it as chosen);
        controls (为什么问这个, 上一步, 查看/修改 ...) and links are not answers."""
        return is_answer_action(self.action)


def is_answer_action(action: str) -> bool:
    """Answer buttons, and only they, have actions starting with ``ans:``."""
    return isinstance(action, str) and action.startswith("ans:")


@dataclass
class Reply:
    """One message to show. ``expects`` names the answer type a pending interview question wants
    ("yesno", "choice", "money", "integer", "money_list") or None, so that a channel knows whether
    a bare number the user types is an answer or a button number."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    document: Any = None  # dialogs.document.EstimateDocument: .filename, .recipe, .build() -> .docx bytes
    kind: str = "info"
    clauses: list[int] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    expects: str | None = None
    estimate: dict | None = None  # on the "estimate" reply: the rules.estimate result (RULES.md shape)
    entry: str | None = None                    # the knowledge entry an answer reply answers
    progress: tuple[int, int] | None = None     # (step, total) of an interview question

    def actions(self) -> list[str]:
        """Every button action, row by row (handy for channels that number the buttons)."""
        return [b.action for row in self.buttons for b in row]
