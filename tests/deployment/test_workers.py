"""Several real ``plgbot serve`` processes on one database, as a school board runs it
behind a load balancer: ``plgbot serve --workers 2`` (uvicorn's worker processes) and a
second ``plgbot serve``, against a fake Slack on loopback.

Any worker takes any request; a delivery Slack sends again (same ``event_id``) to
whichever worker is stored once; a due round is posted once; one process at a time runs
the scheduler, and when it is killed with SIGKILL another takes over and posts what
falls due next. On SQLite (file lock) and, in the PostgreSQL run, on one PostgreSQL
server (advisory lock)."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import func, select

from storage import Database
from storage.models import Interaction, Occurrence
from tests.deployment.processes import Served, clean_environment, plgbot_serve, wait_until
from tests.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.slack.harness import ANOUK, BRAM, SECRET, fixture_form, fixture_json, sign

pytestmark = pytest.mark.slow

LEADS = "this process runs the scheduler"
WAITS = "another process runs the scheduler; this one waits to take over"
STARTED = "Application startup complete."
CHANNEL = "C0PLGDATA1"
FIRST_QUESTION = "What helps havo-3 pupils most?"
SECOND_QUESTION = "Which of our checks worked best?"
SHARED = "our first results"
_ts = itertools.count(1)


class SignedSlack:
    """Sends signed Events API deliveries and slash commands, as Slack does."""

    def __init__(self, fake: FakeSlack, client: httpx.AsyncClient) -> None:
        self.fake = fake
        self.client = client

    async def post(self, served: Served, body: bytes, kind: str, **headers: str) -> None:
        stamp = int(time.time())
        sent = {
            "Content-Type": kind,
            "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": sign(body, stamp),
            **headers,
        }
        response = await self.client.post(f"{served.url}/slack/events", content=body, headers=sent)
        assert response.status_code == 200, response.text

    async def dm(
        self, served: Served, text: str, *, user: str, event_id: str, retry: int = 0
    ) -> None:
        payload = fixture_json("message_im.json")
        payload["event_id"] = event_id
        # The same delivery, retried, carries the same message; a new one its own ts.
        ts = f"{time.time():.0f}.{next(_ts):06d}" if retry == 0 else payload["event"]["ts"]
        payload["event"].update(text=text, user=user, channel=f"D{user[1:]}", ts=ts)
        retried = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        await self.post(
            served, json.dumps(payload).encode(), "application/json", **(retried if retry else {})
        )

    async def command(self, served: Served, text: str, *, user: str) -> None:
        fields = fixture_form("slash_command_heard.txt")
        fields.update(
            text=text,
            user_id=user,
            channel_id=CHANNEL,
            trigger_id=f"{time.monotonic_ns()}.1.{user}",
            response_url=self.fake.hook_url(),
        )
        body = urlencode(fields).encode()
        await self.post(served, body, "application/x-www-form-urlencoded")

    async def answered(self, method: str, count: int) -> list[Any]:
        return await self.fake.wait_for(method, count, within=60)


def questions_posted(fake: FakeSlack, question: str) -> int:
    return sum(
        1
        for call in fake.of("chat.postMessage")
        if call.args.get("channel") == CHANNEL and question in str(call.args.get("text"))
    )


async def count(db: Database, model: Any) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def total(samples: list[dict[str, float]], name: str) -> float:
    return sum(value for metrics in samples for key, value in metrics.items() if key == name)


async def test_workers_share_requests_and_one_scheduler_survives_a_kill(
    database_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    db = Database(database_url)
    await db.upgrade()
    env = clean_environment(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        PLGBOT_LOG_FORMAT="json",
        # Bounded test: a waiting scheduler tries the lock every second, and the leader
        # reads new rounds every second (production: 10 s and 60 s).
        PLGBOT_SCHEDULER_TAKEOVER_SECONDS="1",
        PLGBOT_SCHEDULER_RESYNC_SECONDS="1",
    )
    try:
        async with (
            plgbot_serve(tmp_path / "a", env, "--workers", "2") as a,
            plgbot_serve(tmp_path / "b", env) as b,
            httpx.AsyncClient(timeout=30) as client,
        ):
            groups = (a, b)

            def said(message: str) -> list[int]:
                return [pid for g in groups for pid in g.pids_saying(message)]

            def logs() -> str:
                return "\n".join(line for g in groups for line in g.stderr)

            # Three worker processes: one leads the scheduler, two wait.
            await wait_until(
                # (At least: uvicorn replaces a worker that does not start in time.)
                lambda: len(set(said(STARTED))) >= 3 and len(said(WAITS)) >= 2,
                within=120,
                what="three workers, two of them waiting for the scheduler",
                output=logs,
            )
            assert len(said(LEADS)) == 1, logs()
            leader = said(LEADS)[0]
            assert leader not in said(WAITS)
            assert b.pid in said(STARTED), "--workers 1 serves in the process itself"
            assert a.pid not in said(STARTED), "--workers 2: the parent only supervises"

            sender = SignedSlack(slack, client)
            # Setting up through both groups: any worker takes any request.
            await sender.dm(
                a,
                "plg new Datateam havo-3 focus many havo-3 pupils repeat the year",
                user=ANOUK,
                event_id="Ev0SETUP0001",
            )
            await sender.answered("chat.postMessage", 1)
            link = f"link Datateam havo-3 <#{CHANNEL}|plg-datateam-havo3>"
            await sender.command(b, link, user=ANOUK)
            await sender.answered("response_url", 1)

            # One delivery, retried by Slack to whichever worker: five deliveries, three
            # to the two workers of a (concurrent connections), two to b.
            told = f"told <@{BRAM}> about {SHARED} #results"
            await sender.dm(a, told, user=ANOUK, event_id="Ev0SAME0001")
            await asyncio.gather(
                sender.dm(a, told, user=ANOUK, event_id="Ev0SAME0001", retry=1),
                sender.dm(b, told, user=ANOUK, event_id="Ev0SAME0001", retry=1),
                sender.dm(a, told, user=ANOUK, event_id="Ev0SAME0001", retry=2),
                sender.dm(b, told, user=ANOUK, event_id="Ev0SAME0001", retry=3),
            )

            async def handled_everywhere() -> bool:
                scraped = [await g.metrics(client) for g in groups]
                duplicates = total(scraped, 'plgbot_events_duplicate_total{platform="slack"}')
                stored = total(scraped, 'plgbot_events_stored_total{platform="slack"}')
                return duplicates == 4 and stored >= 3

            # Retries are refused by the inbox as they arrive, the first delivery is
            # handled after its acknowledgement: wait until both are counted.
            await wait_until(
                handled_everywhere, within=60, what="4 duplicates, 3 stored", output=logs
            )
            scraped = [await g.metrics(client) for g in groups]
            # The setup DM, the /plg link command and the told: each stored once, though
            # handled by different processes (a's figure adds up its two workers').
            assert total(scraped, 'plgbot_events_stored_total{platform="slack"}') == 3
            assert await count(db, Interaction) == 1
            await sender.answered("chat.postMessage", 2)  # the one confirmation

            async def round_claims() -> list[tuple[str, str | None]]:
                async with db.session() as session:
                    rows = await session.execute(
                        select(Occurrence.key, Occurrence.outcome).where(Occurrence.kind == "round")
                    )
                    return [(key, outcome) for key, outcome in rows]

            async def first_done() -> bool:
                return [outcome for _, outcome in await round_claims()] == ["done"]

            # A round due now, created through a worker that need not lead: posted once.
            first = f"round new Datateam havo-3 | {FIRST_QUESTION} | now"
            await sender.command(a, first, user=ANOUK)
            await wait_until(
                lambda: questions_posted(slack, FIRST_QUESTION) == 1,
                within=60,
                what="the first round posted",
                output=logs,
            )
            # Killed once its post is confirmed: a kill between Slack's answer and the
            # confirmation leaves a claim that is taken over only after its 2-minute
            # lease (tests/resilience/test_crash.py covers that case).
            await wait_until(first_done, within=60, what="the first posting confirmed", output=logs)

            # The leader dies without a word; another process takes over.
            os.kill(leader, signal.SIGKILL)
            survivor = a if leader == b.pid else b
            await sender.command(
                survivor, f"round new Datateam havo-3 | {SECOND_QUESTION} | now", user=ANOUK
            )
            await wait_until(
                lambda: [pid for pid in said(LEADS) if pid != leader],
                within=60,
                what="another process to take over the scheduler",
                output=logs,
            )
            await wait_until(
                lambda: questions_posted(slack, SECOND_QUESTION) == 1,
                within=60,
                what="the second round posted by the new leader",
                output=logs,
            )
            new_leaders = [pid for pid in said(LEADS) if pid != leader]
            assert len(new_leaders) == 1, logs()
            # Posted once each, in the database too, whatever ran in which process. Slack
            # has the post a moment before the poster commits its claim as done.
            assert questions_posted(slack, FIRST_QUESTION) == 1
            assert questions_posted(slack, SECOND_QUESTION) == 1

            async def both_done() -> bool:
                return [outcome for _, outcome in await round_claims()] == ["done", "done"]

            await wait_until(both_done, within=60, what="both postings confirmed", output=logs)
            posts = await round_claims()
            assert len({key for key, _ in posts}) == 2, "one posting per round"

            # The new leader's group counts what it posted.
            alive = [g for g in groups if g.process.returncode is None]
            scraped = [await g.metrics(client) for g in alive]
            assert total(scraped, 'plgbot_posts_sent_total{platform="slack",to="channel"}') >= 1
        for group in groups:
            records = group.records()
            assert records, "every process logs"
            for record in records:
                assert {"time", "level", "logger", "message", "process"} <= record.keys()
            assert group.stdout == [], "no access log, nothing else on stdout"
            text = "\n".join(group.stderr)
            for secret in (SECRET, BOT_TOKEN, "Jhj5dZrVaK7ZwHHjRyZWjbDl", SHARED):
                assert secret not in text
    finally:
        await db.dispose()
