"""What an operator sees of faults: few lines, no user text, and a stop when another process
polls with the same token.

    ops = Operations(settings)
    ops.polling_error(exc, application)   # errors while fetching updates (run_polling's callback)
    ops.handler_error(update, exc)        # an error while handling an update
    ops.exit_line                         # set when the process must stop (exit status 2)

At INFO and WARNING nothing here names a user's text, name, username or phone: an update is
described by its type and ids. A traceback is logged once per distinct error (exception type and
where it was raised); the same error again is one line.
"""
from __future__ import annotations

import logging
import time
import traceback
from typing import Callable

from telegram import Update
from telegram.error import BadRequest, Conflict, NetworkError, TelegramError

from bot.config import Settings, redact

logger = logging.getLogger("policybot.telegram")

DEFAULT_API = "https://api.telegram.org"
# PTB's polling loop waits 1 s after a failure, then 1.5 times longer each time, up to 30 s.
RETRY_FIRST, RETRY_FACTOR, RETRY_MAX = 1.0, 1.5, 30.0


def api_address(settings: Settings) -> str:
    return (settings.api_base_url or DEFAULT_API).rstrip("/")


def describe_update(update: object) -> str:
    """The update's type and ids, never its text or the user's names."""
    if update is None:
        return "a background job (no update)"
    if not isinstance(update, Update):
        return type(update).__name__
    kind = next((name for name in Update.ALL_TYPES if getattr(update, name, None) is not None), "unknown")
    parts = [f"{kind} update {update.update_id}"]
    if update.effective_chat:
        parts.append(f"chat {update.effective_chat.id}")
    if update.effective_user:
        parts.append(f"user {update.effective_user.id}")
    if update.effective_message:
        parts.append(f"message {update.effective_message.message_id}")
    return ", ".join(parts)


def error_location(exc: BaseException) -> str:
    """Where the exception was raised: the innermost frame's file and line."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    frame = frames[-1]
    return f"{frame.filename}:{frame.lineno}"


class Operations:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self.clock = clock
        self.exit_line: str | None = None
        self._conflict_since: float | None = None
        self._conflict_last: float | None = None
        self._retry: float = 0.0
        self._network_last: float | None = None
        self._seen: set[tuple[str, str]] = set()

    # -- fetching updates --------------------------------------------------------------------
    def polling_error(self, exc: TelegramError, application=None) -> None:
        """One line per failure; a Conflict that lasts ``conflict_seconds`` stops the process."""
        now = self.clock()
        if isinstance(exc, Conflict):
            self._conflict(exc, now, application)
        elif isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
            # Mirror PTB's back-off; a quiet spell means polling worked in between.
            quiet = self._network_last is None or now - self._network_last > self._retry + 15
            self._retry = RETRY_FIRST if quiet else min(RETRY_MAX, self._retry * RETRY_FACTOR)
            self._network_last = now
            logger.warning("cannot reach the Bot API at %s: %s; retrying in %s s", api_address(self.settings),
                           self._redact(exc).rstrip("."), f"{self._retry:g}")
        else:
            logger.warning("fetching updates failed: %s: %s", type(exc).__name__, self._redact(exc))

    def _conflict(self, exc: Conflict, now: float, application) -> None:
        limit = self.settings.conflict_seconds
        # Conflicts come at most 30 s apart (PTB's back-off) while the other process polls.
        if self._conflict_last is None or now - self._conflict_last > RETRY_MAX + 5:
            self._conflict_since = now
            logger.warning("another process is fetching updates with this bot token (Telegram: %s); "
                           "stopping if it goes on for %s s", self._redact(exc), f"{limit:g}")
        self._conflict_last = now
        if now - self._conflict_since >= limit and self.exit_line is None:
            self.exit_line = (f"another process kept fetching updates with this bot token for {limit:g} s "
                              "(Telegram: Conflict); stopping. Run one bot per token.")
            if application is not None:
                application.stop_running()

    # -- handling updates --------------------------------------------------------------------
    def handler_error(self, update: object, exc: BaseException | None) -> None:
        """One line naming the update and the error; the traceback only the first time."""
        where = describe_update(update)
        if exc is None:
            logger.error("error while handling %s", where)
            return
        if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
            logger.warning("cannot reach the Bot API at %s: %s (while handling %s)", api_address(self.settings),
                           self._redact(exc), where)
            return
        key = (type(exc).__name__, error_location(exc))
        if key in self._seen:
            logger.error("error while handling %s: %s at %s (traceback logged before)", where,
                         type(exc).__name__, key[1])
            return
        self._seen.add(key)
        logger.error("error while handling %s: %s", where, type(exc).__name__, exc_info=exc)

    def _redact(self, exc: BaseException) -> str:
        return redact(str(exc), self.settings.token)


def quiet_library_tracebacks(record: logging.LogRecord) -> bool:
    """A logging filter: PTB logs tracebacks of Bot API errors it passes on to us (a refused
    token, an unreachable server, a page that is not JSON), which run_bot and Operations report
    in one line each."""
    if not record.name.startswith("telegram"):
        return True
    if record.exc_info and isinstance(record.exc_info[1], TelegramError):
        return False
    # Followed by a TelegramError("Invalid server response") that is reported; this line would
    # repeat the whole page the server sent.
    return "Can not load invalid JSON data" not in str(record.msg)


def not_a_bot_api(exc: BaseException) -> str | None:
    """What the server answered when it answered, but not as the Bot API does (an HTML page,
    not JSON), e.g. "HTTP Not Found (404), not JSON"; None for a Bot API answer."""
    seen = 0
    while exc is not None and seen < 10:
        text = str(exc)
        if "Parsing the server response" in text:
            return f"HTTP {text.split('. Parsing', 1)[0]}, not JSON"
        if "Invalid server response" in text:
            return "an answer that is not JSON"
        exc, seen = exc.__cause__, seen + 1
    return None
