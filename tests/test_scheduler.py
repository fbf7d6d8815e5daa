"""The scheduler's foundations: one leader, exactly-once occurrences, jobs from sources."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.triggers.interval import IntervalTrigger

from scheduler import PlgScheduler, Schedule
from scheduler.leader import FileLeaderLock, PostgresLeaderLock, leader_lock_for
from storage import Database
from storage.occurrences import (
    claim_occurrence,
    finish_occurrence,
    unconfirmed_occurrences,
)

DUE = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


async def test_an_occurrence_is_claimed_once_across_concurrent_claims(any_db: Database) -> None:
    async def claim() -> int | None:
        async with any_db.session() as session:
            return await claim_occurrence(session, kind="round", key="1", due_at=DUE, now=DUE)

    results = await asyncio.gather(*(claim() for _ in range(6)))
    assert len([r for r in results if r is not None]) == 1


async def test_unfinished_claims_stay_visible_for_reconciliation(any_db: Database) -> None:
    async with any_db.session() as session:
        done = await claim_occurrence(session, kind="round", key="1", due_at=DUE, now=DUE)
        crashed = await claim_occurrence(session, kind="round", key="2", due_at=DUE, now=DUE)
    assert done is not None and crashed is not None
    async with any_db.session() as session:
        await finish_occurrence(session, done, now=DUE, result="ts-1")
    async with any_db.session() as session:
        left = await unconfirmed_occurrences(session, kind="round")
    assert [o.key for o in left] == ["2"]


async def test_a_file_lock_admits_one_leader_at_a_time(tmp_path: Path) -> None:
    first, second = FileLeaderLock(tmp_path / "l"), FileLeaderLock(tmp_path / "l")
    assert await first.try_acquire()
    assert not await second.try_acquire()
    await first.release()
    assert await second.try_acquire()
    await second.release()


async def test_a_postgres_advisory_lock_admits_one_leader_and_frees_on_disconnect(
    postgres_url: str,
) -> None:
    one, two = Database(postgres_url), Database(postgres_url)
    try:
        first, second = PostgresLeaderLock(one), PostgresLeaderLock(two)
        assert isinstance(leader_lock_for(one), PostgresLeaderLock)
        assert await first.try_acquire()
        assert not await second.try_acquire()
        assert await first.still_held()
        # A dead leader's connection goes away (no unlock sent), and the lock with it.
        await first._drop_connection()
        await one.engine.dispose()
        assert await second.try_acquire()
        await second.release()
    finally:
        await one.dispose()
        await two.dispose()


class CountingSource:
    kind = "count"

    def __init__(self) -> None:
        self.runs: list[tuple[str, datetime]] = []
        self.keys = ["a"]

    async def schedules(self) -> list[Schedule]:
        return [Schedule(k, IntervalTrigger(seconds=0.2, timezone=UTC)) for k in self.keys]

    async def run_due(self, key: str, now: datetime) -> None:
        self.runs.append((key, now))


async def test_the_leader_catches_up_at_start_runs_jobs_and_follows_changes(
    tmp_path: Path,
) -> None:
    source = CountingSource()
    leader = PlgScheduler([source], FileLeaderLock(tmp_path / "l"), resync_seconds=0.1)
    follower_source = CountingSource()
    follower = PlgScheduler([follower_source], FileLeaderLock(tmp_path / "l"), retry_seconds=0.05)
    leader.start()
    await asyncio.wait_for(leader.leading.wait(), 5)
    follower.start()
    assert source.runs, "catch-up runs every schedule once at start"
    await asyncio.sleep(0.7)
    assert len([r for r in source.runs if r[0] == "a"]) >= 3
    assert follower_source.runs == [], "only the leader runs jobs"
    source.keys = ["b"]
    await asyncio.sleep(0.6)
    assert any(key == "b" for key, _ in source.runs)
    await leader.stop()
    await asyncio.wait_for(follower.leading.wait(), 5)
    assert follower_source.runs, "the follower takes over when the leader stops"
    await follower.stop()


async def test_a_failing_job_does_not_stop_the_scheduler(tmp_path: Path) -> None:
    class Failing(CountingSource):
        async def run_due(self, key: str, now: datetime) -> None:
            await super().run_due(key, now)
            raise RuntimeError("platform down")

    source = Failing()
    runner = PlgScheduler([source], FileLeaderLock(tmp_path / "l"), resync_seconds=0.1)
    runner.start()
    await asyncio.wait_for(runner.leading.wait(), 5)
    await asyncio.sleep(0.5)
    await runner.stop()
    assert len(source.runs) >= 2
    assert all(now - source.runs[0][1] < timedelta(seconds=5) for _, now in source.runs)
