"""Group commit and the SQLite turn: a burst's acknowledgements share transactions and
go ahead of processing, and every caller learns what really happened to its own item."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import Database, inbox
from storage.group_commit import GroupCommit
from storage.inbox import Arrival
from storage.models import Delivery
from storage.turns import Turn
from tests.conftest import NOW

Received = tuple[Arrival, datetime, datetime | None]


def arrival(n: int) -> Received:
    return (
        Arrival(f"slack:T1:Ev{n}", "slack", "message", '{"text": "hoi"}', "T1", "U1"),
        NOW,
        NOW + timedelta(seconds=30),
    )


async def receive_all(session: AsyncSession, items: Sequence[Received]) -> list[bool]:
    return [await inbox.receive(session, a, now, until) for a, now, until in items]


def count_commits(db: Database) -> list[int]:
    commits = [0]

    def counted(_connection: object) -> None:
        commits[0] += 1

    event.listen(db.engine.sync_engine, "commit", counted)
    return commits


async def stored(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Delivery)) or 0)


async def test_a_burst_shares_transactions_and_each_caller_learns_its_own_result(
    db: Database,
) -> None:
    commits = count_commits(db)
    writes = GroupCommit(db, receive_all, urgent=True)
    # 40 deliveries, of which 10 are a platform's retries of earlier ones.
    numbers = list(range(30)) + list(range(10))
    results = await asyncio.gather(*(writes.write(arrival(n)) for n in numbers))
    assert results == [True] * 30 + [False] * 10
    assert await stored(db) == 30
    assert 1 <= commits[0] < 10, commits


async def test_a_lone_write_is_committed_at_once_and_alone(db: Database) -> None:
    writes = GroupCommit(db, receive_all)
    assert await asyncio.wait_for(writes.write(arrival(1)), 5) is True
    assert await stored(db) == 1
    assert await writes.write(arrival(1)) is False


async def test_a_failed_transaction_fails_every_caller_in_it_and_stores_nothing(
    db: Database,
) -> None:
    async def half_then_fail(session: AsyncSession, items: Sequence[Received]) -> list[bool]:
        await receive_all(session, items)
        raise RuntimeError("disk full")

    failing = GroupCommit(db, half_then_fail)
    results = await asyncio.gather(
        *(failing.write(arrival(n)) for n in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, RuntimeError) for r in results), results
    assert await stored(db) == 0
    # Nothing stays stuck: the next write goes through.
    assert await GroupCommit(db, receive_all).write(arrival(9)) is True


async def test_a_caller_that_gives_up_does_not_stop_the_others_or_its_own_write(
    db: Database,
) -> None:
    writes = GroupCommit(db, receive_all)
    callers = [asyncio.create_task(writes.write(arrival(n))) for n in range(6)]
    await asyncio.sleep(0)
    callers[2].cancel()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert isinstance(results[2], asyncio.CancelledError)
    assert [r for i, r in enumerate(results) if i != 2] == [True] * 5
    # The client went away, the delivery was still committed: its retry is a duplicate.
    assert await stored(db) == 6


async def test_urgent_waiters_go_first_then_first_come_first_served() -> None:
    turn = Turn()
    order: list[str] = []
    assert await turn.acquire()

    async def wait(name: str, urgent: bool) -> None:
        assert await turn.acquire(urgent=urgent)
        order.append(name)
        turn.release()

    waiters = []
    for name, urgent in [("work 1", False), ("work 2", False), ("ack 1", True), ("ack 2", True)]:
        waiters.append(asyncio.create_task(wait(name, urgent)))
        await asyncio.sleep(0)
    turn.release()
    await asyncio.gather(*waiters)
    assert order == ["ack 1", "ack 2", "work 1", "work 2"]
    assert not turn.held


async def test_a_waiter_out_of_patience_or_cancelled_does_not_keep_the_turn() -> None:
    turn = Turn()
    assert await turn.acquire()
    assert await turn.acquire(patience=0.01) is False
    cancelled = asyncio.create_task(turn.acquire())
    after = asyncio.create_task(turn.acquire())
    await asyncio.sleep(0)
    cancelled.cancel()
    turn.release()
    assert await asyncio.wait_for(after, 1) is True
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    turn.release()
    assert not turn.held


async def test_on_sqlite_an_acknowledgement_commits_before_queued_processing(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    await db.upgrade()
    order: list[str] = []
    holding = asyncio.Event()
    let_go = asyncio.Event()

    async def session(name: str, urgent: bool = False) -> None:
        async with db.session(urgent=urgent):
            order.append(name)
            if name == "first":
                holding.set()
                await let_go.wait()

    first = asyncio.create_task(session("first"))
    await holding.wait()
    queued = [asyncio.create_task(session(f"processing {n}")) for n in range(3)]
    await asyncio.sleep(0.01)
    ack = asyncio.create_task(session("ack", urgent=True))
    await asyncio.sleep(0.01)
    let_go.set()
    await asyncio.gather(first, ack, *queued)
    assert order == ["first", "ack", "processing 0", "processing 1", "processing 2"]
    await db.dispose()
