"""Two Slack events about the same two people, handled at once on PostgreSQL, can
deadlock: the server rolls one transaction back. The work after Slack's acknowledgement
must then be tried again (:mod:`adapters.slack.background`), or that event is lost. A
real deadlock on a real server is what ``is_unavailable`` must recognise."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from adapters.slack.background import AfterAck, Job
from storage import Database
from storage.database import is_unavailable
from tests.conftest import postgresql_only


@postgresql_only
async def test_a_deadlock_is_tried_again_after_the_acknowledgement(db: Database) -> None:
    async with db.session() as session:
        await session.execute(text("CREATE TABLE pair (id int PRIMARY KEY, n int)"))
        await session.execute(text("INSERT INTO pair VALUES (1, 0), (2, 0)"))
    both_hold_one = asyncio.Barrier(2)
    attempts: list[str] = []

    def event(first: int, second: int) -> Job:
        async def job() -> None:
            attempts.append(f"{first}{second}")
            async with db.session() as session:
                await session.execute(text(f"UPDATE pair SET n = n + 1 WHERE id = {first}"))
                if len(attempts) <= 2:
                    # The first tries meet: each holds one row and wants the other's.
                    await both_hold_one.wait()
                await session.execute(text(f"UPDATE pair SET n = n + 1 WHERE id = {second}"))

        return job

    failures: list[BaseException] = []

    async def direct(first: int, second: int) -> None:
        try:
            await event(first, second)()
        except Exception as error:
            failures.append(error)

    await asyncio.gather(direct(1, 2), direct(2, 1))
    [deadlock] = failures
    assert "deadlock" in str(deadlock).lower()
    assert is_unavailable(deadlock)

    # Through the after-ack work, both events are stored in the end.
    attempts.clear()
    both_hold_one = asyncio.Barrier(2)
    work = AfterAck()
    work.submit("one", event(1, 2))
    work.submit("other", event(2, 1))
    await work.drain(30)
    assert len(attempts) == 3, attempts  # one of them twice
    async with db.session() as session:
        counts = (await session.execute(text("SELECT n FROM pair ORDER BY id"))).scalars().all()
    assert counts == [1 + 2, 1 + 2]  # the direct try that won, and both events
