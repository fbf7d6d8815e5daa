"""Readiness and Prometheus metrics for ``plgbot serve``.

``/healthz`` says the process is alive; ``/readyz`` that it can do its work (database
reachable, every migration applied); ``/metrics`` is for Prometheus.

Metrics live in this module's own registry, so several apps in one test process don't
collide. With several worker processes (``plgbot serve --workers N``) they use
prometheus-client's multiprocess mode: each process writes its values to files in
``PROMETHEUS_MULTIPROC_DIR`` (``serve`` makes one when it is not set) and ``/metrics``,
whichever worker answers, adds up every worker's, dead ones' counts included.

What is counted, and where:

* requests and ack latency: :class:`MetricsMiddleware`, per known route;
* events stored (and duplicates refused): when a session that claimed a platform
  delivery (:func:`storage.events.claim_event`) commits, so a rolled-back handling
  counts nothing;
* posts sent (and failures) on plgbot's own initiative: :class:`CountedMessengers`;
* outbound retries: the Slack Web API client's retry handlers
  (``adapters.slack.retries``); the Teams connector client does not retry, a failed
  scheduled post is retried by the scheduler and shows as a post failure;
* scheduler lag: how long after its due time APScheduler started a job;
* the inbox (:mod:`adapters.inbox`): deliveries waiting to be processed, how long the
  oldest has waited, and how many were set aside after repeated failures (read by each
  process's inbox sweep; on ``/readyz`` read fresh).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.events import SchoolRef
from bot.messages import OutboundMessage
from bot.ports import Messenger, Messengers
from storage import Database, inbox, outbox
from storage.events import DUPLICATE_EVENTS, STORED_EVENTS

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "plgbot_http_requests", "HTTP requests handled", ["path", "status"], registry=REGISTRY
)
LATENCY = Histogram(
    "plgbot_http_response_seconds",
    "Time until the response started: for platform webhooks, the ack latency",
    ["path"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=REGISTRY,
)
EVENTS_STORED = Counter(
    "plgbot_events_stored",
    "Platform deliveries handled and stored, each event id once",
    ["platform"],
    registry=REGISTRY,
)
EVENTS_DUPLICATE = Counter(
    "plgbot_events_duplicate",
    "Deliveries of an event id that was already handled (platform retries), not stored",
    ["platform"],
    registry=REGISTRY,
)
POSTS_SENT = Counter(
    "plgbot_posts_sent",
    "Messages posted on plgbot's own initiative (rounds, nudges, surveys, agendas)",
    ["platform", "to"],
    registry=REGISTRY,
)
POST_FAILURES = Counter(
    "plgbot_post_failures",
    "Posts on plgbot's own initiative that failed after the client's retries",
    ["platform"],
    registry=REGISTRY,
)
RETRIES = Counter(
    "plgbot_outbound_retries",
    "Platform API calls tried again (rate limited, server error, connection error)",
    ["platform", "reason"],
    registry=REGISTRY,
)
SCHEDULER_LAG = Histogram(
    "plgbot_scheduler_lag_seconds",
    "How long after its due time a scheduled job started",
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0),
    registry=REGISTRY,
)
INBOX_WAITING = Gauge(
    "plgbot_inbox_waiting",
    "Deliveries committed before their answer and not processed yet",
    registry=REGISTRY,
    multiprocess_mode="max",
)
INBOX_OLDEST = Gauge(
    "plgbot_inbox_oldest_waiting_seconds",
    "How long the oldest waiting delivery has waited (its message text waits with it)",
    registry=REGISTRY,
    multiprocess_mode="max",
)
INBOX_SET_ASIDE = Gauge(
    "plgbot_inbox_set_aside",
    "Deliveries set aside after repeated failures (their payload blanked)",
    registry=REGISTRY,
    multiprocess_mode="max",
)
OUTBOX_WAITING = Gauge(
    "plgbot_outbox_waiting",
    "Replies kept in the outbox and not sent yet (a platform down, a restart)",
    registry=REGISTRY,
    multiprocess_mode="max",
)
OUTBOX_OLDEST = Gauge(
    "plgbot_outbox_oldest_waiting_seconds",
    "How long the oldest unsent reply has waited",
    registry=REGISTRY,
    multiprocess_mode="max",
)
REPLIES_DROPPED = Counter(
    "plgbot_replies_dropped",
    "Replies given up: refused by the platform for good, or too late to still send",
    ["platform", "reason"],
    registry=REGISTRY,
)
# A delivery waiting longer than this is worth a look: /readyz names it.
LONG_WAIT_SECONDS = 300.0
# Known routes only, so a scanner probing random URLs cannot blow up label cardinality.
TRACKED_PATHS = frozenset({"/slack/events", "/api/messages", "/healthz", "/readyz"})


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Each labelled child, looked up once: ``labels()`` takes a lock and builds its
        # key on every call, a noticeable part of acknowledging a Slack event.
        self._latency = {path: LATENCY.labels(path) for path in (*TRACKED_PATHS, "other")}
        self._requests: dict[tuple[str, int], Counter] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"] if scope["path"] in TRACKED_PATHS else "other"
        started = time.perf_counter()

        async def observe(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._latency[path].observe(time.perf_counter() - started)
                self._counted(path, message["status"]).inc()
            await send(message)

        await self.app(scope, receive, observe)

    def _counted(self, path: str, status: int) -> Counter:
        child = self._requests.get((path, status))
        if child is None:
            child = self._requests[path, status] = REQUESTS.labels(path, str(status))
        return child


def readiness(db: Database) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def readyz(_: Request) -> JSONResponse:
        try:
            current = await db.is_current()
            if current:
                async with db.session() as session:
                    backlog = await inbox.backlog(session)
        except Exception as error:  # any database failure means "not ready", not a 500
            return JSONResponse(
                {"status": "unavailable", "database": type(error).__name__}, status_code=503
            )
        if not current:
            return JSONResponse({"status": "migrations pending"}, status_code=503)
        waited = observe_inbox(backlog, time.time())
        detail: dict[str, object] = {
            "waiting": backlog.waiting,
            "oldest_waiting_seconds": round(waited),
            "set_aside": backlog.set_aside,
        }
        # Still ready: the server takes and keeps deliveries; the detail says what waits.
        if waited > LONG_WAIT_SECONDS:
            detail["warning"] = "deliveries have waited longer than 5 minutes"
        return JSONResponse({"status": "ready", "inbox": detail})

    return readyz


def observe_outbox(pending: outbox.Pending, now: float) -> None:
    """Set the outbox gauges."""
    since = pending.oldest_since
    OUTBOX_WAITING.set(pending.waiting)
    OUTBOX_OLDEST.set(max(now - since.timestamp(), 0.0) if since is not None else 0.0)


def observe_inbox(backlog: inbox.Backlog, now: float) -> float:
    """Set the inbox gauges; how long the oldest waiting delivery has waited."""
    since = backlog.oldest_waiting_since
    waited = max(now - since.timestamp(), 0.0) if since is not None else 0.0
    INBOX_WAITING.set(backlog.waiting)
    INBOX_OLDEST.set(waited)
    INBOX_SET_ASIDE.set(backlog.set_aside)
    return waited


async def metrics(_: Request) -> Response:
    return Response(generate_latest(current_registry()), media_type=CONTENT_TYPE_LATEST)


def current_registry() -> CollectorRegistry:
    """This process's registry, or in multiprocess mode one that reads every worker's
    files (a fresh one per scrape, as prometheus-client documents)."""
    if MULTIPROCESS_DIR not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


@contextmanager
def multiprocess_metrics(workers: int) -> Iterator[Path | None]:
    """For ``serve``, before it starts its workers: the directory of multiprocess mode.

    A ``PROMETHEUS_MULTIPROC_DIR`` that is set is used, emptied first (its files would
    otherwise add the previous run's counts, prometheus-client's documentation says to
    wipe it between runs). Without it, several workers get a fresh temporary directory,
    removed again when ``serve`` stops; a single worker keeps its metrics in memory."""
    given = os.environ.get(MULTIPROCESS_DIR)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        # Except this process's own: it may have made its files already, on import.
        mine = f"_{os.getpid()}.db"
        for stale in folder.glob("*.db"):
            if not stale.name.endswith(mine):
                stale.unlink()
        yield folder
        return
    if workers <= 1:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="plgbot-metrics-"))
    os.environ[MULTIPROCESS_DIR] = str(folder)
    try:
        yield folder
    finally:
        del os.environ[MULTIPROCESS_DIR]
        shutil.rmtree(folder, ignore_errors=True)


def observe_scheduler_lag(seconds: float) -> None:
    """What the scheduler calls when APScheduler starts a job ``seconds`` late."""
    SCHEDULER_LAG.observe(max(seconds, 0.0))


def _platform(event_key: str) -> str:
    # Event keys are "platform:tenant:event id" (bot.service).
    return event_key.split(":", 1)[0]


@event.listens_for(Session, "after_commit")
def _count_committed_events(session: Session) -> None:
    for key in session.info.pop(STORED_EVENTS, ()):
        EVENTS_STORED.labels(_platform(key)).inc()
    for key in session.info.pop(DUPLICATE_EVENTS, ()):
        EVENTS_DUPLICATE.labels(_platform(key)).inc()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_events(session: Session) -> None:
    session.info.pop(STORED_EVENTS, None)
    session.info.pop(DUPLICATE_EVENTS, None)


class CountedMessenger:
    """A platform's :class:`bot.ports.Messenger` that counts what it posts."""

    def __init__(self, platform: str, inner: Messenger) -> None:
        self.platform = platform
        self.inner = inner
        self.finds_posts = inner.finds_posts

    async def post_to_channel(
        self,
        *,
        school: SchoolRef,
        channel_id: str,
        message: OutboundMessage,
        thread_id: str | None = None,
        key: str | None = None,
    ) -> str:
        try:
            posted = await self.inner.post_to_channel(
                school=school, channel_id=channel_id, message=message, thread_id=thread_id, key=key
            )
        except Exception:
            POST_FAILURES.labels(self.platform).inc()
            raise
        POSTS_SENT.labels(self.platform, "channel").inc()
        return posted

    async def send_private(
        self, *, school: SchoolRef, user_id: str, message: OutboundMessage
    ) -> str:
        try:
            sent = await self.inner.send_private(school=school, user_id=user_id, message=message)
        except Exception:
            POST_FAILURES.labels(self.platform).inc()
            raise
        POSTS_SENT.labels(self.platform, "person").inc()
        return sent


class CountedMessengers(Messengers):
    """The server's messengers: every platform's registered with a counter around it."""

    def register(self, platform: str, messenger: Messenger) -> None:
        super().register(platform, CountedMessenger(platform, messenger))
