"""The date the policy is read for: the caller's ``now``, else ``POLICYBOT_AS_OF``, else the clock.

Whether the policy is in force (Article 19) depends on the date, so tests and demonstrations set it:
an engine call passes ``now``; a channel that passes none gets the date of the ``POLICYBOT_AS_OF``
setting (YYYY-MM-DD) when it is set. ``today()`` is the date of the engine call being handled, so
that answers built deep inside it agree with the estimate of the same call.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
from contextvars import ContextVar

log = logging.getLogger(__name__)

AS_OF_ENV = "POLICYBOT_AS_OF"
# Set by the engine for the duration of one respond/press call; None outside such a call.
CURRENT: ContextVar[dt.date | None] = ContextVar("policybot_as_of", default=None)


def parse_day(text: str | None) -> dt.date | None:
    """A YYYY-MM-DD date, or None when ``text`` is not one."""
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def setting() -> dt.date | None:
    """The POLICYBOT_AS_OF date, or None when it is unset (a malformed value is logged and ignored)."""
    raw = os.environ.get(AS_OF_ENV, "").strip()
    if not raw:
        return None
    day = parse_day(raw)
    if day is None:
        log.warning("%s must be a date YYYY-MM-DD, got %r; using the clock", AS_OF_ENV, raw)
    return day


def resolve(now: dt.datetime | None = None) -> dt.datetime:
    """``now`` (UTC when naive); else the clock, moved to the POLICYBOT_AS_OF date when that is set."""
    if now is not None:
        return now if now.tzinfo else now.replace(tzinfo=dt.timezone.utc)
    clock = dt.datetime.now(dt.timezone.utc)
    day = setting()
    # The time of day stays the clock's, so that idle times within a day still pass.
    return clock if day is None else dt.datetime.combine(day, clock.timetz())


def at(day: dt.date | None) -> dt.datetime | None:
    """The ``now`` to pass to the engine for a chosen date (``--as-of``), or None for the default."""
    if day is None:
        return None
    return dt.datetime.combine(day, dt.datetime.now(dt.timezone.utc).timetz())


def today() -> dt.date:
    """The policy date of the engine call being handled; outside one, POLICYBOT_AS_OF or the clock."""
    return CURRENT.get() or resolve().date()
