"""Scheduled work in the console: the real scheduler while you chat, and ``/wait`` to
let days pass in seconds.

The console is one process on one terminal, so its scheduler needs no leader lock:
what it posts can only be shown here, and the occurrence claims in the database keep
it from doing anything twice, also next to a ``plgbot serve`` on the same database
(which does not serve the console platform). ``/wait 2d`` moves the console's clock
forward one due job at a time, running each job at the moment it is due, exactly as the
scheduler would have; the background scheduler then fires relative to the moved clock.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock
from scheduler.jobs import JobSource, Schedule
from scheduler.runner import PlgScheduler

log = logging.getLogger("plgbot.console")

_DURATION = re.compile(r"(\d+)\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# A runaway source (always due) must not hang a /wait.
_MAX_RUNS = 10_000
# Set while ``/wait`` steps the clock: a job waiting for its due time moves the clock
# there instead of keeping the console waiting in real time.
_STEPPING: ContextVar[bool] = ContextVar("console_stepping", default=False)


@runtime_checkable
class SteppableClock(Clock, Protocol):
    def advance(self, delta: timedelta) -> None: ...


class ConsoleClock:
    """The system clock plus however long ``/wait`` has let pass."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    async def wait_until(self, at: datetime) -> None:
        """In real time, unless ``/wait`` is moving the clock (then: move it to ``at``)."""
        ahead = at - self.now()
        if ahead <= timedelta(0):
            return
        if _STEPPING.get():
            self.advance(ahead)
        else:
            await asyncio.sleep(ahead.total_seconds())


class SoleLeader:
    """A :class:`scheduler.leader.LeaderLock` that is always held (see the module)."""

    async def try_acquire(self) -> bool:
        return True

    async def still_held(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class RealTimeSource:
    """A source whose one-off triggers are moved back by the console clock's offset, so
    APScheduler (which runs on real time) fires them when the console clock is due."""

    def __init__(self, source: JobSource, clock: ConsoleClock) -> None:
        self.kind = source.kind
        self._source = source
        self._clock = clock

    async def schedules(self) -> list[Schedule]:
        shifted = []
        for schedule in await self._source.schedules():
            trigger = schedule.trigger
            if isinstance(trigger, DateTrigger) and self._clock.offset:
                trigger = DateTrigger(trigger.run_date - self._clock.offset, timezone=UTC)
            shifted.append(Schedule(schedule.key, trigger))
        return shifted

    async def run_due(self, key: str, now: datetime) -> None:
        await self._source.run_due(key, now)


def parse_duration(text: str) -> timedelta | None:
    """``30m``, ``4h``, ``2d``, ``1w``, ``1d 4h``; None if that is not what it says."""
    text = text.strip().lower()
    parts = _DURATION.findall(text)
    if not parts or _DURATION.sub("", text).strip():
        return None
    return sum((timedelta(**{_UNITS[unit]: int(amount)}) for amount, unit in parts), timedelta(0))


async def run_until(sources: list[JobSource], clock: SteppableClock, until: datetime) -> None:
    """Move ``clock`` to ``until``, running every job at the moment it falls due (a job
    that waits for a later moment moves a :class:`ConsoleClock` there)."""
    stepping = _STEPPING.set(True)
    try:
        await _step_until(sources, clock, until)
    finally:
        _STEPPING.reset(stepping)


async def _step_until(sources: list[JobSource], clock: SteppableClock, until: datetime) -> None:
    ran: set[tuple[str, str, datetime]] = set()
    for _ in range(_MAX_RUNS):
        now = clock.now()
        due: list[tuple[datetime, JobSource, str]] = []
        for source in sources:
            for schedule in await source.schedules():
                at = schedule.trigger.get_next_fire_time(None, now)
                if at is not None and (source.kind, schedule.key, max(at, now)) in ran:
                    # Run at this moment already: its next time, so that one long wait
                    # runs a daily job every day, not only on the first.
                    at = schedule.trigger.get_next_fire_time(at, now + timedelta(microseconds=1))
                if at is None or at > until:
                    continue
                at = max(at, now)
                if (source.kind, schedule.key, at) not in ran:
                    due.append((at, source, schedule.key))
        if not due:
            break
        at, source, key = min(due, key=lambda item: (item[0], item[1].kind, item[2]))
        if at > now:
            clock.advance(at - now)
        ran.add((source.kind, key, at))
        try:
            await source.run_due(key, clock.now())
        except Exception:
            log.exception("scheduled job %s:%s failed", source.kind, key)
    if until > clock.now():
        clock.advance(until - clock.now())


def start_scheduler(clock: Clock, job_sources: Iterable[JobSource]) -> PlgScheduler:
    """The console's background scheduler: its own jobs, no leader lock, a short
    resync so a round created now is posted within seconds."""
    sources = list(job_sources)
    if isinstance(clock, ConsoleClock):
        sources = [RealTimeSource(source, clock) for source in sources]
    runner = PlgScheduler(sources, SoleLeader(), clock=clock, resync_seconds=5)
    runner.start()
    return runner
