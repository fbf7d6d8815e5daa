"""``kill -9`` of ``plgbot serve`` while it posts 200 question rounds, then a restart:
every round is posted exactly once.

The server is a real child process on the test's database (SQLite file, or PostgreSQL
with ``PLGBOT_TEST_DATABASE=postgresql``), with Slack pointed at the fake Slack on
loopback, whose ``chat.postMessage`` answers slowly enough that posts are in flight
when the process dies: some landed in Slack without plgbot having committed that. The
restarted scheduler takes those claims over and finds the posts by their key (message
metadata, ``conversations.history``) instead of posting them again.

A claim is taken over once it is older than the 2-minute lease (time for a send to
finish); rather than waiting two minutes, the test moves the dead process's claims
back by the lease once the fake has answered every request still in flight, which is
what the lease waits for."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from storage import Database
from storage.models import PLG, Channel, Occurrence, QuestionRound, School
from tests.slack.fake_slack import BOT_TOKEN, TEAM_ID, FakeSlack
from tests.slack.harness import SECRET

pytestmark = pytest.mark.slow

ROUNDS = 200
# A channel per round: Slack's pace of about one post per second per channel (which
# the messenger keeps) would otherwise set the test's pace.
CHANNELS = ROUNDS
LEASE = timedelta(minutes=2)
QUESTION = re.compile(r"Vraag (\d{3}):")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Serve:
    """One ``plgbot serve`` child process and everything it printed."""

    def __init__(self, process: asyncio.subprocess.Process, url: str) -> None:
        self.process = process
        self.url = url
        self.output: list[str] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            self.output.append(line.decode(errors="replace"))

    @property
    def text(self) -> str:
        return "".join(self.output)

    async def healthy(self, within: float = 30) -> None:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient() as client:
            while True:
                try:
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                assert self.process.returncode is None, self.text
                assert time.monotonic() < deadline, self.text
                await asyncio.sleep(0.1)

    async def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        await asyncio.wait_for(self.process.wait(), 10)
        await asyncio.wait_for(self._reader, 10)

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        await asyncio.wait_for(self._reader, 10)


async def serve(tmp_path: Path, database_url: str, slack: FakeSlack) -> Serve:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env |= {
        "DATABASE_URL": database_url,
        "PLGBOT_PORT": str(port),
        "PLGBOT_LOG_LEVEL": "INFO",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
    }
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "plgbot"),
        "serve",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    server = Serve(process, f"http://127.0.0.1:{port}")
    await server.healthy()
    return server


async def seed(db: Database, now: datetime) -> None:
    """A Slack school with one PLG and 200 one-off rounds due now, each in a channel."""
    async with db.session() as session:
        school = School(platform="slack", tenant_id=TEAM_ID, name="De School", created_at=now)
        session.add(school)
        await session.flush()
        plg = PLG(school_id=school.id, name="Datateam", name_key="datateam", created_at=now)
        channels = [
            Channel(school_id=school.id, platform_channel_id=f"C0CRASH{n:03d}", name=f"c{n}")
            for n in range(CHANNELS)
        ]
        session.add_all([plg, *channels])
        await session.flush()
        session.add_all(
            QuestionRound(
                school_id=school.id,
                plg_id=plg.id,
                question=f"Vraag {n:03d}: wat werkt bij havo-3?",
                channel_ids=[channels[n % CHANNELS].id],
                recurrence="once",
                starts_at=now,
                closes_at=now + timedelta(days=2),
                created_at=now,
            )
            for n in range(ROUNDS)
        )


async def confirmed(db: Database) -> int:
    async with db.session() as session:
        done = select(func.count()).where(
            Occurrence.kind == "round", Occurrence.done_at.is_not(None)
        )
        return int(await session.scalar(done) or 0)


async def until(check: Callable[[], Awaitable[bool]], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, f"{what}: not within {within}s"
        await asyncio.sleep(0.05)


def posted(slack: FakeSlack) -> dict[int, list[str]]:
    """Question number -> the channels it was posted in (one entry per post)."""
    found: dict[int, list[str]] = {}
    for channel, messages in slack.messages.items():
        for message in messages:
            match = QUESTION.search(str(message.get("text", "")))
            assert match, message
            found.setdefault(int(match.group(1)), []).append(channel)
    return found


async def test_kill_9_while_posting_200_rounds_then_restart_posts_each_exactly_once(
    tmp_path: Path, database_url: str, slack: FakeSlack
) -> None:
    db = Database(database_url)
    try:
        await db.upgrade()
        await seed(db, datetime.now(UTC).replace(microsecond=0))
        slack.slow("chat.postMessage", 0.05)

        first = await serve(tmp_path, database_url, slack)
        try:

            async def half_posted() -> bool:
                # ...with more on their way, so the kill cuts posts off mid-flight.
                half = len(slack.of("chat.postMessage")) >= ROUNDS // 2
                return half and slack.in_flight > 0

            await until(half_posted, 60, f"{ROUNDS // 2} posts\n{first.text}")
            await first.kill()
        finally:
            await first.stop()

        async def settled() -> bool:
            return slack.in_flight == 0

        await until(settled, 10, "the fake answering what was in flight")
        landed = sum(len(channels) for channels in posted(slack).values())
        done = await confirmed(db)
        assert done < ROUNDS
        # Posts Slack holds that plgbot never confirmed: the case the restart must handle.
        assert landed > done, (landed, done)

        # What the 2-minute lease waits for has happened (nothing is in flight).
        async with db.session() as session:
            unconfirmed = await session.scalars(
                select(Occurrence).where(Occurrence.done_at.is_(None))
            )
            for claim in unconfirmed:
                claim.claimed_at -= LEASE + timedelta(seconds=1)
        slack.slow("chat.postMessage", 0)

        second = await serve(tmp_path, database_url, slack)
        try:

            async def all_confirmed() -> bool:
                return await confirmed(db) == ROUNDS

            await until(all_confirmed, 120, f"all {ROUNDS} confirmed\n{second.text}")
        finally:
            await second.stop()
        assert "re-sending round" in second.text
    finally:
        await db.dispose()

    by_question = posted(slack)
    assert sorted(by_question) == list(range(ROUNDS))
    twice = {n: channels for n, channels in by_question.items() if len(channels) != 1}
    assert not twice, f"posted more than once: {twice}"
    assert all(channels == [f"C0CRASH{n % CHANNELS:03d}"] for n, channels in by_question.items())
    assert slack.of("conversations.history"), "the restart never looked for earlier posts"
