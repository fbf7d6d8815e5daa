"""A round's posting is prepared a lead ahead of its due time (plan, occurrence, claim,
message) and only sent at it; a crash, pause or cancel in between is handled exactly
once. Driven by a clock that holds a waiting job until the test moves it, so the test
sees the state between preparing and posting (no sleeping)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import select

from adapters.console import ConsoleSession
from adapters.console.scheduling import ConsoleClock, run_until
from bot.clock import FixedClock, wait_until
from bot.service import Bot
from scheduler.jobs import Schedule
from scheduler.round_posting import PREPARE_LEAD
from scheduler.rounds import RoundJobs
from storage import Database
from storage.models import Occurrence, RoundOccurrence, RoundPost
from tests.helpers import run_script
from tests.rounds.harness import WEEKLY, RecordingMessenger, round_jobs, school

FIRST = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 08:00 in Amsterdam
LEASE = timedelta(minutes=2)


class HeldClock(FixedClock):
    """A fixed clock whose waits hold until the test moves it past their moment."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self.waiting = asyncio.Event()
        self._moved = asyncio.Event()

    async def wait_until(self, at: datetime) -> None:
        while self.now() < at:
            self._moved.clear()
            self.waiting.set()
            await self._moved.wait()

    def advance(self, delta: timedelta) -> None:
        super().advance(delta)
        self._moved.set()


async def claims(db: Database) -> list[Occurrence]:
    async with db.session() as session:
        found = await session.scalars(select(Occurrence).where(Occurrence.kind == "round"))
        return list(found)


async def occurrences(db: Database) -> list[RoundOccurrence]:
    async with db.session() as session:
        return list(await session.scalars(select(RoundOccurrence)))


async def posts(db: Database) -> list[RoundPost]:
    async with db.session() as session:
        return list(await session.scalars(select(RoundPost)))


async def prepared(
    console: ConsoleSession, db: Database, messenger: RecordingMessenger
) -> tuple[HeldClock, RoundJobs, asyncio.Task[None]]:
    """A weekly round whose first posting (FIRST) has been prepared and now waits."""
    await school(console, db)
    out = await run_script(console, f"/as anouk\n{WEEKLY}")
    assert "is scheduled" in out, out
    clock = HeldClock(FIRST - PREPARE_LEAD - timedelta(minutes=5))
    jobs = round_jobs(Bot(db, clock=clock), messenger)
    # The job is scheduled a lead ahead of the posting, not at it.
    [schedule] = await jobs.schedules()
    assert schedule.trigger.get_next_fire_time(None, clock.now()) == FIRST - PREPARE_LEAD
    clock.advance(timedelta(minutes=5))
    task = asyncio.create_task(jobs.run_due("1", clock.now()))
    await asyncio.wait_for(clock.waiting.wait(), 30)
    return clock, jobs, task


async def test_a_posting_is_claimed_and_rendered_ahead_and_posted_at_its_due_time(
    console: ConsoleSession, db: Database
) -> None:
    messenger = RecordingMessenger()
    clock, jobs, task = await prepared(console, db, messenger)

    # Prepared: the occurrence and the claim exist, committed; nothing is posted yet.
    [occurrence] = await occurrences(db)
    assert (occurrence.due_at, occurrence.status) == (FIRST, "open")
    [claim] = await claims(db)
    assert claim.done_at is None
    assert claim.claimed_at == FIRST  # the lease counts from the due time
    assert messenger.posts == []
    # While it waits, a resync leaves the round to its job and a second firing does nothing.
    assert await jobs.schedules() == []
    await jobs.run_due("1", clock.now())
    assert len(await claims(db)) == 1
    assert messenger.posts == []

    clock.advance(PREPARE_LEAD)
    await asyncio.wait_for(task, 30)
    assert len(messenger.questions()) == 1
    [claim] = await claims(db)
    assert (claim.done_at, claim.outcome) == (FIRST, "done")
    [post] = await posts(db)
    assert post.posted_at == FIRST
    # Done: the next work is the halfway nudge, and nothing is posted again.
    [schedule] = await jobs.schedules()
    assert schedule.trigger.get_next_fire_time(None, clock.now()) == occurrence.halfway_at


async def test_a_crash_while_waiting_posts_once_after_the_lease(
    console: ConsoleSession, db: Database
) -> None:
    messenger = RecordingMessenger()
    _, _, task = await prepared(console, db, messenger)
    task.cancel()  # the process dies between preparing and posting
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert messenger.posts == []
    [claim] = await claims(db)
    assert claim.done_at is None

    async def restarted_at(moment: datetime) -> None:
        jobs = round_jobs(Bot(db, clock=FixedClock(moment)), messenger)
        for schedule in await jobs.schedules():
            await jobs.run_due(schedule.key, moment)

    # The claim is someone's until the lease (counted from the due time) has passed.
    await restarted_at(FIRST + timedelta(minutes=1))
    assert messenger.posts == []
    await restarted_at(FIRST + LEASE + timedelta(seconds=1))
    await restarted_at(FIRST + LEASE + timedelta(minutes=2))
    assert len(messenger.questions()) == 1
    [claim] = await claims(db)
    assert (claim.done_at, claim.outcome) == (FIRST + LEASE + timedelta(seconds=1), "done")
    assert len(await posts(db)) == 1
    assert len(await occurrences(db)) == 1


@pytest.mark.parametrize("command", ["round pause 1", "round cancel 1"])
async def test_a_round_paused_or_cancelled_while_waiting_is_not_posted(
    console: ConsoleSession, db: Database, command: str
) -> None:
    messenger = RecordingMessenger()
    clock, jobs, task = await prepared(console, db, messenger)
    out = await run_script(console, f"/as anouk\n{command}")
    assert "round 1" in out.lower(), out

    clock.advance(PREPARE_LEAD)
    await asyncio.wait_for(task, 30)
    assert messenger.posts == []
    [claim] = await claims(db)
    assert claim.outcome == "skipped"
    [occurrence] = await occurrences(db)
    assert occurrence.status == "cancelled"
    assert await posts(db) == []
    # Later runs do not post it either.
    clock.advance(LEASE + timedelta(minutes=1))
    await jobs.run_due("1", clock.now())
    assert messenger.posts == []


class WaitingSource:
    """A job source whose one job waits an hour for its moment, as a prepared round does."""

    kind = "waiting"

    def __init__(self, clock: ConsoleClock, at: datetime) -> None:
        self.clock, self.at = clock, at
        self.ran_at: datetime | None = None

    async def schedules(self) -> list[Schedule]:
        if self.ran_at is not None:
            return []
        return [Schedule("1", DateTrigger(self.at - timedelta(hours=1), timezone=UTC))]

    async def run_due(self, key: str, now: datetime) -> None:
        await wait_until(self.clock, self.at)
        self.ran_at = self.clock.now()


async def test_the_consoles_wait_steps_over_a_job_waiting_for_its_moment() -> None:
    clock = ConsoleClock()
    at = clock.now() + timedelta(days=2)
    source = WaitingSource(clock, at)
    # Without stepping, the job would keep /wait busy for an hour of real time.
    await asyncio.wait_for(run_until([source], clock, at + timedelta(hours=1)), 30)
    assert source.ran_at is not None
    assert at <= source.ran_at < at + timedelta(minutes=1)
