"""Time as a dependency, so scheduling and retention can be tested without sleeping."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    async def wait_until(self, at: datetime) -> None:
        """Nothing else moves this clock, so waiting for ``at`` moves it there."""
        if at > self._now:
            self._now = at
        await asyncio.sleep(0)


@runtime_checkable
class WaitingClock(Clock, Protocol):
    """A clock that decides itself how to wait for a moment (see :func:`wait_until`)."""

    async def wait_until(self, at: datetime) -> None: ...


async def wait_until(clock: Clock, at: datetime) -> None:
    """Return once ``clock`` reads ``at`` (at once if it already does). The system clock
    sleeps in real time; a clock with its own ``wait_until`` (:class:`FixedClock`, the
    console's) is asked, so a job that waits for its due time works in tests too."""
    if isinstance(clock, WaitingClock):
        await clock.wait_until(at)
        return
    delay = (at - clock.now()).total_seconds()
    if delay > 0:
        await asyncio.sleep(delay)
