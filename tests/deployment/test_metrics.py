"""``/metrics`` after real traffic: the real server and Slack adapter on loopback, signed
requests, a fake Slack that fails on request; the real scheduler with APScheduler.

The counters live in the process, so every check compares a scrape after with one
before."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from apscheduler.triggers.date import DateTrigger
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.routing import Route

from adapters.observability import (
    MULTIPROCESS_DIR,
    CountedMessengers,
    multiprocess_metrics,
    observe_scheduler_lag,
)
from adapters.observability import metrics as metrics_endpoint
from adapters.slack.app import retry_handlers
from adapters.slack.messenger import SlackMessenger
from bot.events import SchoolRef
from bot.messages import OutboundMessage, Paragraph
from scheduler.jobs import Schedule
from scheduler.leader import FileLeaderLock
from scheduler.runner import PlgScheduler
from tests.deployment.processes import scrape, wait_until
from tests.live_server import serving
from tests.slack.fake_slack import BOT_TOKEN, TEAM_ID, FakeSlack
from tests.slack.harness import ANOUK, start_plgbot

STORED = 'plgbot_events_stored_total{platform="slack"}'
DUPLICATE = 'plgbot_events_duplicate_total{platform="slack"}'
SERVER_RETRY = 'plgbot_outbound_retries_total{platform="slack",reason="server_error"}'
ACKS = 'plgbot_http_requests_total{path="/slack/events",status="200"}'
ACK_LATENCY = 'plgbot_http_response_seconds_count{path="/slack/events"}'
SENT = 'plgbot_posts_sent_total{platform="slack",to="channel"}'
SENT_PRIVATE = 'plgbot_posts_sent_total{platform="slack",to="person"}'
FAILED = 'plgbot_post_failures_total{platform="slack"}'
LAG = "plgbot_scheduler_lag_seconds_count{}"


def moved(before: dict[str, float], after: dict[str, float], name: str) -> float:
    return after.get(name, 0.0) - before.get(name, 0.0)


@pytest.fixture
async def metrics_url() -> AsyncIterator[str]:
    """Just ``/metrics``, for checks that drive the counted parts directly."""
    app = Starlette(routes=[Route("/metrics", metrics_endpoint)])
    async with serving(app) as url:
        yield url


async def test_slack_traffic_moves_the_counters(database_url: str, slack: FakeSlack) -> None:
    async with start_plgbot(database_url, slack) as bot:
        before = await scrape(bot.http, bot.url)
        # Slack's Web API fails once: the reply goes out on the client's retry.
        slack.fail("chat.postMessage", status=500, times=1)
        await bot.expect("chat.postMessage", bot.dm("help", user=ANOUK, event_id="Ev0METRIC01"))
        # Slack delivers the same event again: acknowledged, not stored again.
        await bot.dm("help", user=ANOUK, event_id="Ev0METRIC01")

        async def duplicate_seen() -> bool:
            return moved(before, await scrape(bot.http, bot.url), DUPLICATE) == 1

        await wait_until(duplicate_seen, within=10, what="the duplicate to be handled")
        after = await scrape(bot.http, bot.url)
    assert moved(before, after, STORED) == 1
    assert moved(before, after, DUPLICATE) == 1
    assert moved(before, after, SERVER_RETRY) == 1
    assert moved(before, after, ACKS) == 2
    assert moved(before, after, ACK_LATENCY) == 2
    assert len(slack.of("chat.postMessage")) == 1


async def test_posts_and_failures_on_plgbots_own_initiative(
    slack: FakeSlack, metrics_url: str
) -> None:
    messengers = CountedMessengers()
    client = AsyncWebClient(
        token=BOT_TOKEN, base_url=slack.api_url, retry_handlers=retry_handlers()
    )
    messengers.register("slack", SlackMessenger(client))
    messenger = messengers.for_school(SchoolRef(platform="slack", tenant_id=TEAM_ID))
    message = OutboundMessage(blocks=(Paragraph("What helps havo-3 pupils most?"),))
    async with httpx.AsyncClient() as http:
        before = await scrape(http, metrics_url)
        await messenger.post_to_channel(
            school=SchoolRef(platform="slack", tenant_id=TEAM_ID),
            channel_id="C0PLGDATA1",
            message=message,
        )
        await messenger.send_private(
            school=SchoolRef(platform="slack", tenant_id=TEAM_ID), user_id=ANOUK, message=message
        )
        # Down for longer than the client's one retry: the post fails, to be retried by
        # the scheduler later.
        slack.fail("chat.postMessage", status=500, times=2)
        with pytest.raises(SlackApiError):
            await messenger.post_to_channel(
                school=SchoolRef(platform="slack", tenant_id=TEAM_ID),
                channel_id="C0PLGDATA1",
                message=message,
            )
        after = await scrape(http, metrics_url)
    assert moved(before, after, SENT) == 1
    assert moved(before, after, SENT_PRIVATE) == 1
    assert moved(before, after, FAILED) == 1
    assert moved(before, after, SERVER_RETRY) == 1


class DueNow:
    """A job source with one job, due at once by the real clock APScheduler fires by."""

    kind = "metrics-test"

    def __init__(self) -> None:
        self.due = datetime.now(UTC)
        self.ran = asyncio.Event()

    async def schedules(self) -> list[Schedule]:
        return [Schedule("once", DateTrigger(run_date=self.due))]

    async def run_due(self, key: str, now: datetime) -> None:
        self.ran.set()


async def test_the_scheduler_reports_how_late_jobs_start(tmp_path: Path, metrics_url: str) -> None:
    source = DueNow()
    runner = PlgScheduler([source], FileLeaderLock(tmp_path / "lock"), on_lag=observe_scheduler_lag)
    async with httpx.AsyncClient() as http:
        before = await scrape(http, metrics_url)
        runner.start()
        try:
            await asyncio.wait_for(runner.leading.wait(), 10)

            async def observed() -> bool:
                return moved(before, await scrape(http, metrics_url), LAG) >= 1

            await wait_until(observed, within=10, what="APScheduler to start the job")
        finally:
            await runner.stop()
        after = await scrape(http, metrics_url)
    assert source.ran.is_set()
    assert moved(before, after, LAG) == 1
    assert moved(before, after, "plgbot_scheduler_lag_seconds_sum{}") >= 0


def test_multiprocess_directory_is_fresh_for_each_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MULTIPROCESS_DIR, raising=False)
    with multiprocess_metrics(1) as folder:
        assert folder is None, "one worker keeps its metrics in memory"
        assert MULTIPROCESS_DIR not in os.environ
    with multiprocess_metrics(3) as folder:
        assert folder is not None and folder.is_dir()
        assert os.environ[MULTIPROCESS_DIR] == str(folder)
    assert not folder.exists()
    assert MULTIPROCESS_DIR not in os.environ

    given = tmp_path / "metrics"
    given.mkdir()
    (given / "counter_123.db").write_bytes(b"from the previous run")
    (given / "keep.txt").write_text("not ours")
    # A single worker is this very process, which may have written its files already.
    (given / f"histogram_{os.getpid()}.db").write_bytes(b"this run's")
    monkeypatch.setenv(MULTIPROCESS_DIR, str(given))
    with multiprocess_metrics(2) as folder:
        assert folder == given
        names = sorted(p.name for p in given.iterdir())
        assert names == [f"histogram_{os.getpid()}.db", "keep.txt"]
    assert given.is_dir(), "a directory the operator gave stays"
