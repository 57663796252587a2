"""Telegram's limits: each user's updates in order, flood control per user, the outgoing send rate."""
from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import OrderedDict, deque
from typing import Any, Awaitable

from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor

logger = logging.getLogger("policybot.telegram")


class TokenBucket:
    """``rate`` tokens a second, at most ``capacity`` saved up; ``acquire`` waits for one."""

    def __init__(self, rate: float, capacity: float):
        self.rate, self.capacity = rate, capacity
        self.tokens, self.stamp = capacity, time.monotonic()
        self.lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self.lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
                self.stamp = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)


def retry_after_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait (PTB 22 deprecates reading it as a number)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


class SendRateLimiter(BaseRateLimiter):
    """Keeps under Telegram's limits (about 30 messages a second overall, 20 a minute per group)
    and, when Telegram answers RetryAfter anyway, pauses all sending for as long as it asks."""

    def __init__(self, per_second: float = 30.0, group_per_minute: float = 20.0, max_retries: int = 3):
        self.per_second, self.group_per_minute, self.max_retries = per_second, group_per_minute, max_retries
        self._overall: TokenBucket | None = None
        self._groups: dict[int | str, TokenBucket] = {}
        self._not_paused: asyncio.Event | None = None
        self._answered: OrderedDict[str, None] = OrderedDict()   # recent callback queries answered

    async def initialize(self) -> None:
        self._overall = TokenBucket(self.per_second, self.per_second)
        self._not_paused = asyncio.Event()
        self._not_paused.set()

    async def shutdown(self) -> None:
        self._groups.clear()

    def _group_bucket(self, chat_id: int | str) -> TokenBucket:
        if len(self._groups) > 1024:  # forget idle groups now and then
            for key in [k for k, b in self._groups.items() if b.tokens >= b.capacity - 1]:
                del self._groups[key]
        if chat_id not in self._groups:
            self._groups[chat_id] = TokenBucket(self.group_per_minute / 60, self.group_per_minute)
        return self._groups[chat_id]

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        if endpoint == "answerCallbackQuery":
            # A press acknowledged early (the store was slow) is not answered again by its handler.
            query_id = data.get("callback_query_id")
            if query_id in self._answered:
                return True
            self._answered[query_id] = None
            while len(self._answered) > 1000:
                self._answered.popitem(last=False)
        chat_id = data.get("chat_id")
        # New messages count against the limits; edits of messages already sent and answers to
        # button presses do not (Telegram still answers RetryAfter if they ever go too fast).
        if chat_id is not None and not endpoint.startswith("edit"):
            try:
                chat_id = int(chat_id)
            except (TypeError, ValueError):
                pass
            if isinstance(chat_id, str) or chat_id < 0:
                await self._group_bucket(chat_id).acquire()
            await self._overall.acquire()
        retries = rate_limit_args if isinstance(rate_limit_args, int) else self.max_retries
        for attempt in range(retries + 1):
            await self._not_paused.wait()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                pause = retry_after_seconds(exc)
                logger.warning("Telegram asked to slow down: pausing sends for %.1f s", pause)
                self._not_paused.clear()
                try:
                    await asyncio.sleep(pause + 0.1)
                finally:
                    self._not_paused.set()


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Handles different users' updates concurrently and each user's in order (an answer must
    not overtake the one before it)."""

    def __init__(self, max_concurrent_updates: int = 256, hooks=None):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        # started(update) -> handle and async finished(update, handle): bot/telegram/outbox.py
        self.hooks = hooks

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = 0
        if isinstance(update, Update):
            key = update.effective_user.id if update.effective_user else (
                update.effective_chat.id if update.effective_chat else 0)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        handle = self.hooks.started(update) if self.hooks else None
        try:
            async with lock:
                try:
                    await coroutine
                finally:
                    if self.hooks:
                        await self.hooks.finished(update, handle)
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


class FloodGuard:
    """More than ``limit`` updates from one user within ``window`` seconds: told once to slow
    down, the rest dropped until the pace falls. Other users are not affected. Only users seen
    within the window are remembered (oldest first out), so memory follows the active users."""

    def __init__(self, limit: int = 30, window: float = 10.0):
        self.limit, self.window = limit, window
        self.seen: OrderedDict[int, deque] = OrderedDict()    # least recently seen first
        self.warned_at: dict[int, float] = {}

    def check(self, user_id: int, now: float | None = None) -> str:
        """"ok", "warn" (tell the user) or "drop"."""
        now = time.monotonic() if now is None else now
        times = self.seen.pop(user_id, None) or deque()
        self.seen[user_id] = times
        while times and now - times[0] > self.window:
            times.popleft()
        times.append(now)
        # Forget users who went quiet (their last update is older than the window).
        while self.seen:
            oldest, oldest_times = next(iter(self.seen.items()))
            if now - oldest_times[-1] <= self.window:
                break
            del self.seen[oldest]
            self.warned_at.pop(oldest, None)
        if len(times) < self.limit:
            return "ok"
        if now - self.warned_at.get(user_id, -1e9) > self.window:
            self.warned_at[user_id] = now
            return "warn"
        return "drop"
