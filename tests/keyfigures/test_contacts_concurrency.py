""" "A told B" and "B told A" stored at the same moment both move the pair's two
``contacts`` rows. On PostgreSQL each transaction locks those rows as it upserts them;
if the two took them in opposite orders, each could hold one and wait for the other,
and PostgreSQL would break the deadlock by rolling one back (found by
``bench.events --postgres``: about once a second under load). ``record_edges`` upserts
in key order, so both take the rows in the same order and the second simply waits."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select

from storage import Database
from storage.models import Contact
from tests.conftest import NOW, postgresql_only
from tests.keyfigures.conftest import Net

PAIRS = 20
ROUNDS = 30


@postgresql_only
async def test_both_directions_of_a_pair_at_once_never_deadlock(database_url: str) -> None:
    # A connection for every transaction in a round, so they all run at once.
    db = Database(database_url, pool_size=2 * PAIRS, max_overflow=0)
    try:
        await db.upgrade()
        handles = [f"p{n:02d}" for n in range(2 * PAIRS)]
        net = await Net(db).people(*handles)
        pairs = list(zip(handles[::2], handles[1::2], strict=True))

        async def told(source: str, target: str, at: datetime, ready: asyncio.Barrier) -> None:
            await ready.wait()
            await net.edges([(source, target)], at=at)

        for round_ in range(ROUNDS):
            at = NOW - timedelta(hours=ROUNDS - round_)
            ready = asyncio.Barrier(2 * PAIRS)
            # Any deadlock raises out of gather and fails the test.
            await asyncio.gather(
                *(told(a, b, at, ready) for a, b in pairs),
                *(told(b, a, at, ready) for a, b in pairs),
            )

        async with db.session() as session:
            contacts = (await session.scalars(select(Contact))).all()
        last = NOW - timedelta(hours=1)
        assert len(contacts) == 2 * len(pairs)
        for contact in contacts:
            assert (contact.last_out, contact.last_in, contact.last_both) == (last, last, last)
    finally:
        await db.dispose()
