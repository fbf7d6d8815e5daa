"""The database out of reach for a moment while events arrive: an SQLite file another
connection holds an exclusive write lock on (longer than the busy timeout), or a
PostgreSQL database that refuses connections after its backends were terminated.

Slack gets its acknowledgement at once (it must not wait for the database, and would
not redeliver an acknowledged event), so the work after the acknowledgement waits the
outage out; once the database is back every interaction is stored exactly once and
every reply goes out once. Teams handles an activity inside the request: there the
answer is 503 (the platform may deliver again), never a 500, and a redelivery after
the outage is stored once."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage import Database
from storage.database import async_url
from storage.models import Delivery, Interaction
from tests.resilience.conftest import Records
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import BRAM, CHANTAL, start_plgbot
from tests.teams.conftest import ANOUK as TEAMS_ANOUK
from tests.teams.conftest import BRAM as TEAMS_BRAM
from tests.teams.conftest import Teams, message, stored

EVENTS = 5


@asynccontextmanager
async def out_of_reach(url: str) -> AsyncIterator[None]:
    """While inside: SQLite writes wait on a lock; PostgreSQL refuses connections."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        holder = sqlite3.connect(parsed.database, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            yield
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        return
    name = parsed.database
    admin = create_async_engine(
        async_url(parsed.set(database="postgres").render_as_string(hide_password=False)),
        isolation_level="AUTOCOMMIT",
    )
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            await connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
        try:
            yield
        finally:
            async with admin.connect() as connection:
                await connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    finally:
        await admin.dispose()


async def until(check: Any, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, f"not reached within {within}s"
        await asyncio.sleep(0.02)


async def count(db: Database, model: Any) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_slack_events_get_503_while_the_database_is_unavailable_and_are_stored_once(
    database_url: str, slack: FakeSlack, slack_log: Records
) -> None:
    """Nothing is acknowledged that is not durable: without the database Slack gets a
    503 and delivers again; the retry after the outage is stored once."""
    postgres = make_url(database_url).get_backend_name() == "postgresql"

    async def deliver_all() -> list[int]:
        # At once, as Slack delivers a busy moment: each waits out the busy timeout
        # (5 s on SQLite) side by side rather than one after the other.
        answers = await asyncio.gather(
            *(
                bot.dm(
                    f"told <@{BRAM}> about our focus, part {n} #focus",
                    user=CHANTAL,
                    event_id=f"Ev0LOCKED{n:03d}",
                )
                for n in range(EVENTS)
            )
        )
        return [answer.status_code for answer in answers]

    async with start_plgbot(database_url, slack) as bot:
        async with out_of_reach(database_url):
            assert await deliver_all() == [503] * EVENTS
            ready = await bot.http.get(f"{bot.url}/readyz")
            # PostgreSQL refuses the connection: not ready. A locked SQLite file may still
            # be read (WAL) or not, depending on the moment; never a 500.
            assert ready.status_code == 503 if postgres else ready.status_code in {200, 503}
            assert not slack.of("chat.postMessage")
        # Slack's retries, once the database is back.
        assert await deliver_all() == [200] * EVENTS
        await slack.wait_for("chat.postMessage", EVENTS, within=30)
        assert (await bot.http.get(f"{bot.url}/readyz")).status_code == 200
        await bot.stop()
    assert not slack_log.saying("failed"), slack_log.saying("failed")
    assert len(slack.of("chat.postMessage")) == EVENTS
    db = Database(database_url)
    try:
        assert await count(db, Interaction) == EVENTS
        assert await count(db, Delivery) == EVENTS
    finally:
        await db.dispose()


async def test_teams_answers_503_while_the_database_is_unavailable_and_stores_once(
    database_url: str, teams: Teams
) -> None:
    activity = message(
        f"verteld <at>{TEAMS_BRAM.name}</at> over onze focus #focus",
        author=TEAMS_ANOUK,
        conversation_id="a:1personal-anouk",
        activity_id="1763722800001",
        kind="personal",
        bot_mentioned=False,
        mentions=[TEAMS_BRAM],
    )
    await teams.post(
        message(
            "hulp",
            author=TEAMS_ANOUK,
            conversation_id="a:1personal-anouk",
            activity_id="1763722800000",
            kind="personal",
            bot_mentioned=False,
        )
    )
    before = await stored(teams.db)
    async with out_of_reach(database_url):
        refused = await teams.post(activity)
        assert refused.status_code == 503, refused.text
    assert await stored(teams.db) == before
    delivered = await teams.post(activity)
    assert delivered.status_code == 200, delivered.text
    again = await teams.post(activity)
    assert again.status_code == 200
    after = await stored(teams.db)
    assert after["interactions"] == before["interactions"] + 1
    assert after["deliveries"] == before["deliveries"] + 1
