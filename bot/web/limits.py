"""Request rate limits for the web channel, per session and per client address.

    limit = RateLimit(per_minute=60)
    wait = limit.hit(key)          # 0.0: allowed; else the seconds to wait before the next try

A generic cell rate algorithm (one float per key: the time the key's budget is next full), so a
burst of up to ``per_minute`` requests is allowed and then one every 60/per_minute seconds.
"""
from __future__ import annotations

import time
from typing import Callable

MAX_KEYS = 100_000          # beyond this, keys whose budget is full again are dropped


class RateLimit:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.interval = 60.0 / per_minute
        self.burst = 60.0 - self.interval
        self.clock = clock
        self.tat: dict[str, float] = {}     # key -> theoretical arrival time

    def hit(self, key: str) -> float:
        """Count one request for ``key``; 0.0 when allowed, else seconds until one would be."""
        now = self.clock()
        tat = max(self.tat.get(key, now), now)
        if tat - now > self.burst:
            return tat - now - self.burst
        if len(self.tat) >= MAX_KEYS:
            self.tat = {k: v for k, v in self.tat.items() if v > now}
            if len(self.tat) >= MAX_KEYS:   # that many busy keys: forget them rather than grow
                self.tat.clear()
        self.tat[key] = tat + self.interval
        return 0.0
