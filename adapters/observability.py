"""Readiness and Prometheus metrics for ``plgbot serve``.

``/healthz`` says the process is alive; ``/readyz`` that it can do its work (database
reachable, every migration applied); ``/metrics`` is for Prometheus. Metrics live in
this module's own registry so several apps in one test process don't collide.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storage import Database

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
# Known routes only, so a scanner probing random URLs cannot blow up label cardinality.
TRACKED_PATHS = frozenset({"/slack/events", "/api/messages", "/healthz", "/readyz"})


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"] if scope["path"] in TRACKED_PATHS else "other"
        started = time.perf_counter()

        async def observe(message: Message) -> None:
            if message["type"] == "http.response.start":
                LATENCY.labels(path).observe(time.perf_counter() - started)
                REQUESTS.labels(path, str(message["status"])).inc()
            await send(message)

        await self.app(scope, receive, observe)


def readiness(db: Database) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def readyz(_: Request) -> JSONResponse:
        try:
            current = await db.is_current()
        except Exception as error:  # any database failure means "not ready", not a 500
            return JSONResponse(
                {"status": "unavailable", "database": type(error).__name__}, status_code=503
            )
        if not current:
            return JSONResponse({"status": "migrations pending"}, status_code=503)
        return JSONResponse({"status": "ready"})

    return readyz


async def metrics(_: Request) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
