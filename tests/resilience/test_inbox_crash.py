"""Acknowledged means durable: ``kill -9`` of ``plgbot serve`` in the middle of a burst of
signed Slack events, at random moments, then a restart; and SIGTERM while Slack takes a
second per call. Every event that got its 200 is stored exactly once afterwards.

The servers are real child processes on the suite's database (a SQLite file, or
PostgreSQL under ``PLGBOT_TEST_DATABASE=postgresql``, there with two worker processes);
Slack's Web API is the benchmark's mock on loopback. The events are the load test's:
an ``app_mention`` in the PLG channel that logs "told" about a colleague, so each is
one interaction. The inbox lease is shortened to 2 s, so a restarted server takes over
a dead one's deliveries without the production wait.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

from bench.load import CHANNEL, PATH, TEAM_ID, mention, signed_headers
from bench.mock_slack import MockSlack, serving
from bench.serving import Server, child, free_port, plgbot_serve, set_up_plg
from storage import Database
from tests.conftest import ON_POSTGRESQL
from tests.live_server import serving as serving_app
from tests.teams.conftest import STAFF
from tests.teams.conftest import message as teams_message
from tests.teams.fake_connector import FakeConnector

pytestmark = pytest.mark.slow

EVENTS = 250
CLIENTS = 20
SETTINGS = {"PLGBOT_INBOX_LEASE_SECONDS": "2", "PLGBOT_WORKERS": "2" if ON_POSTGRESQL else "1"}


async def burst(
    url: str, run: str, ts_base: int, *, count: int, kill_after: int | None = None, server: Server
) -> set[int]:
    """Send events 0..count-1 from :data:`CLIENTS` clients; the numbers answered 200.
    With ``kill_after``, the server and its workers get SIGKILL once that many were."""
    numbers = iter(range(count))
    acked: set[int] = set()
    killed = False

    async def client(http: aiohttp.ClientSession) -> None:
        nonlocal killed
        for n in numbers:
            body = json.dumps(mention(run, n, ts_base=ts_base)).encode()
            try:
                async with http.post(url + PATH, data=body, headers=signed_headers(body)) as answer:
                    await answer.read()
                    if answer.status == 200:
                        acked.add(n)
            except (aiohttp.ClientError, TimeoutError):
                continue
            if kill_after is not None and len(acked) >= kill_after and not killed:
                killed = True
                kill_tree(server.pid)

    timeout = aiohttp.ClientTimeout(total=20)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        await asyncio.gather(*(client(http) for _ in range(CLIENTS)))
    return acked


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid`` and its worker processes at once (no one gets to clean up)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    found = [int(c) for c in children.read_text().split()] if children.exists() else []
    for each in (pid, *found):
        with suppress(ProcessLookupError):
            os.kill(each, signal.SIGKILL)


async def interactions_per_message(database: str, ts_base: int) -> dict[int, int]:
    """Event number -> interactions stored for its message."""
    return await interactions_by_number(
        database, f"slack:{TEAM_ID}:{CHANNEL}:{ts_base}.%", f"{ts_base}."
    )


async def interactions_by_number(database: str, like: str, before: str) -> dict[int, int]:
    """Interactions per message whose key is LIKE ``like``, by the number after
    ``before`` in the key."""
    db = Database(database)
    try:
        async with db.session() as session:
            rows = await session.execute(
                text(
                    "SELECT message_key, count(*) FROM interactions"
                    " WHERE message_key LIKE :key GROUP BY message_key"
                ),
                {"key": like},
            )
            return {int(key.rsplit(before, 1)[1]): int(count) for key, count in rows}
    finally:
        await db.dispose()


async def waiting(database: str) -> int:
    db = Database(database)
    try:
        async with db.session() as session:
            found = await session.scalar(
                text("SELECT count(*) FROM deliveries WHERE state = 'waiting'")
            )
            return int(found or 0)
    finally:
        await db.dispose()


async def all_stored(database: str, ts_base: int, acked: set[int], within: float) -> dict[int, int]:
    deadline = time.monotonic() + within
    while True:
        stored = await interactions_per_message(database, ts_base)
        if acked <= stored.keys() and await waiting(database) == 0:
            return stored
        missing = len(acked - stored.keys())
        assert time.monotonic() < deadline, f"{missing} acknowledged events not stored"
        await asyncio.sleep(0.2)


async def test_kill_9_in_bursts_then_restart_stores_every_acknowledged_event_once(
    tmp_path: Path, database_url: str
) -> None:
    rng = random.Random(int(time.time()))
    async with serving(MockSlack(delay=0.01)) as mock:
        async with plgbot_serve(database_url, mock.api_url, tmp_path, settings=SETTINGS) as first:
            await set_up_plg(first.url, mock.url, database_url)
        for attempt in range(3):
            ts_base = int(time.time()) * 10 + attempt
            kill_after = rng.randrange(20, EVENTS - 50)
            log = f"serve-{attempt}.log"
            async with plgbot_serve(
                database_url, mock.api_url, tmp_path, log_name=log, settings=SETTINGS
            ) as server:
                acked = await burst(
                    server.url,
                    f"K{attempt}",
                    ts_base,
                    count=EVENTS,
                    kill_after=kill_after,
                    server=server,
                )
            assert kill_after <= len(acked) < EVENTS, (kill_after, len(acked))
            before = await interactions_per_message(database_url, ts_base)
            async with plgbot_serve(
                database_url,
                mock.api_url,
                tmp_path,
                log_name=f"restart-{attempt}.log",
                settings=SETTINGS,
            ):
                stored = await all_stored(database_url, ts_base, acked, within=90)
            # Lost before this change: acknowledged, then gone with the process.
            print(
                f"\nkill -9 after {kill_after} acks: {len(acked)} acknowledged, "
                f"{len(before)} stored at the kill, {len(stored)} after the restart"
            )
            twice = {n: count for n, count in stored.items() if count != 1}
            assert not twice, f"stored more than once: {twice}"
            restart_log = (tmp_path / f"restart-{attempt}.log").read_text()
            assert "Traceback" not in restart_log


async def test_sigterm_while_slack_is_slow_drops_nothing(tmp_path: Path, database_url: str) -> None:
    count = 300
    async with serving(MockSlack()) as mock:
        async with plgbot_serve(database_url, mock.api_url, tmp_path, settings=SETTINGS) as first:
            await set_up_plg(first.url, mock.url, database_url)
        ts_base = int(time.time()) * 10
        mock.delay = 1.0
        async with plgbot_serve(
            database_url, mock.api_url, tmp_path, log_name="slow.log", settings=SETTINGS
        ) as server:
            acked = await burst(server.url, "T1", ts_base, count=count, server=server)
            assert len(acked) == count
            began = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(server.process.wait(), 60)
            stopped_in = time.monotonic() - began
        at_stop = await interactions_per_message(database_url, ts_base)
        log = (tmp_path / "slow.log").read_text()
        assert "dropped" not in log
        assert "Traceback" not in log
        assert len(at_stop) < count, "the slow Slack should have left work for the restart"

        mock.delay = 0.0
        async with plgbot_serve(
            database_url, mock.api_url, tmp_path, log_name="after.log", settings=SETTINGS
        ):
            stored = await all_stored(database_url, ts_base, acked, within=90)
        print(
            f"\nSIGTERM: stopped in {stopped_in:.1f} s with {len(at_stop)} of {count} stored; "
            f"{len(stored)} after the restart"
        )
        assert all(c == 1 for c in stored.values()), stored
        assert set(stored) == set(range(count))


# Teams: activities are handled before they are answered, except when the Bot Connector
# is slow; then Teams gets its 200 after PLGBOT_TEAMS_ANSWER_WITHIN_SECONDS and the
# handling goes on, safe in the inbox should the process die.
TEAMS_EVENTS = 120


@asynccontextmanager
async def teams_serve(database: str, workdir: Path, log: str) -> AsyncIterator[Server]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env |= {
        "DATABASE_URL": database,
        "PLGBOT_PORT": str(port),
        "PLGBOT_TEAMS_LOCAL": "true",
        "PLGBOT_TEAMS_ANSWER_WITHIN_SECONDS": "0.2",
    } | SETTINGS
    argv = [str(Path(sys.executable).parent / "plgbot"), "serve", "--no-scheduler"]
    async with child(argv, env, port, workdir / log) as server:
        yield server


def told(n: int, run: str, service_url: str) -> dict[str, Any]:
    """Activity ``n``: someone tells a colleague about the PLG in their chat with the bot."""
    author, colleague = STAFF[n % len(STAFF)], STAFF[(n + 1) % len(STAFF)]
    activity = teams_message(
        f"told <at>{colleague.name}</at> about our #focus",
        author=author,
        conversation_id=f"a:{author.id}-personal",
        activity_id=f"{run}{n:06d}",
        kind="personal",
        bot_mentioned=False,
        mentions=[colleague],
        locale="en-GB",
    )
    return activity | {"serviceUrl": f"{service_url}/"}


async def teams_burst(server: Server, run: str, service_url: str, *, kill_after: int) -> set[int]:
    numbers = iter(range(TEAMS_EVENTS))
    acked: set[int] = set()

    async def client(http: aiohttp.ClientSession) -> None:
        for n in numbers:
            try:
                async with http.post(
                    f"{server.url}/api/messages", json=told(n, run, service_url)
                ) as answer:
                    if answer.status == 200:
                        acked.add(n)
            except (aiohttp.ClientError, TimeoutError):
                continue
            if len(acked) >= kill_after:
                kill_tree(server.pid)

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
        await asyncio.gather(*(client(http) for _ in range(CLIENTS)))
    return acked


async def teams_stored(database: str, run: str) -> dict[int, int]:
    """Activity number -> interactions its message logged."""
    return await interactions_by_number(database, f"%{run}%", run)


async def test_kill_9_of_teams_handling_after_the_answer_then_restart_stores_it_once(
    tmp_path: Path, database_url: str
) -> None:
    rng = random.Random(int(time.time()))
    fake = FakeConnector(members=list(STAFF))
    async with serving_app(fake.app()) as service_url:
        fake.base_url = service_url
        for attempt in range(2):
            run = f"teams{attempt}x"
            kill_after = rng.randrange(10, TEAMS_EVENTS - 40)
            # Every reply sits a second on the connector: answered, still handling.
            fake.delay = 1.0
            async with teams_serve(database_url, tmp_path, f"teams-{attempt}.log") as server:
                acked = await teams_burst(server, run, service_url, kill_after=kill_after)
            assert kill_after <= len(acked) < TEAMS_EVENTS
            before = await teams_stored(database_url, run)
            fake.delay = 0.0
            async with teams_serve(database_url, tmp_path, f"teams-restart-{attempt}.log"):
                deadline = time.monotonic() + 60
                while not acked <= (stored := await teams_stored(database_url, run)).keys():
                    assert time.monotonic() < deadline, len(acked - stored.keys())
                    await asyncio.sleep(0.2)
                while await waiting(database_url):
                    assert time.monotonic() < deadline, "deliveries still waiting"
                    await asyncio.sleep(0.2)
            print(
                f"\nTeams kill -9 after {kill_after} answers: {len(acked)} answered, "
                f"{len(before)} stored at the kill, {len(stored)} after the restart"
            )
            assert all(count == 1 for count in stored.values()), stored
