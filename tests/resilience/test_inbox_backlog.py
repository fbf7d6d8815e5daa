"""A process that starts after a crash finds the whole burst waiting in the database.
It takes it over batch after batch as room frees up, not one batch per sweep interval
(with a 5 s interval and 32 places, 250 waiting events took 40 s)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from adapters.inbox import Inbox
from bot.clock import FixedClock
from storage import Database, inbox
from storage.inbox import Arrival
from tests.conftest import NOW

WAITING = 200


async def test_a_backlog_is_taken_over_without_waiting_for_the_next_sweep(
    db: Database, clock: FixedClock
) -> None:
    async with db.session() as session:
        for n in range(WAITING):
            arrival = Arrival(f"slack:E{n}", "slack", "event", json.dumps({"n": n}))
            # Leased to a process that died: the lease ran out a minute ago.
            await inbox.receive(session, arrival, NOW - timedelta(minutes=2), NOW)
    clock.advance(timedelta(minutes=1))
    handled: list[int] = []

    async def handle(body: dict[str, Any], replayed: bool) -> None:
        assert replayed
        handled.append(body["n"])
        await asyncio.sleep(0.001)

    # One sweep an hour: only the catch-up after a full batch can take the rest.
    worker = Inbox(
        db, clock, platform="slack", handlers={"event": handle}, concurrency=8, sweep_every=3600
    )
    async with worker.running(grace=5):
        for _ in range(500):
            if len(handled) == WAITING:
                break
            await asyncio.sleep(0.02)
    assert sorted(handled) == list(range(WAITING))
    async with db.session() as session:
        assert (await inbox.backlog(session)).waiting == 0
