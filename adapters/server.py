"""The HTTP server behind ``plgbot serve``: health checks plus whichever platform
adapters are configured. Each platform package may offer ``routes(app_context)``; a
package that is absent or not configured is simply not mounted. What a platform needs
running while the server runs (background work, a Socket Mode connection) it adds to
``AppContext.lifespans``; the server enters those at startup and leaves them at
shutdown.

With ``run_scheduler`` the server also runs the scheduler (question rounds and the
other jobs of :func:`scheduler.sources.job_sources`) for the platforms mounted here.
Only one process runs jobs at a time: on PostgreSQL a second server's scheduler waits
on an advisory lock, on SQLite on a file lock (:mod:`scheduler.leader`). ``plgbot serve
--workers N`` runs :func:`app_factory` in N uvicorn worker processes, each of which may
take any request and try to lead the scheduler; extra web processes that never run it
are started with ``plgbot serve --no-scheduler``."""

from __future__ import annotations

import gc
import importlib
import importlib.util
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from adapters.observability import (
    CountedMessengers,
    MetricsMiddleware,
    metrics,
    observe_scheduler_lag,
    readiness,
)
from adapters.settings import Settings, bot_config, load_settings
from bot.clock import Clock, SystemClock
from bot.ports import Messengers
from bot.service import Bot
from scheduler import PlgScheduler, leader_lock_for
from scheduler.sources import job_sources
from storage import Database

log = logging.getLogger("plgbot.server")

# The dashboard is no chat platform, but is mounted the same way (and always offers routes).
PLATFORMS = ("adapters.slack", "adapters.teams", "adapters.dashboard")


@dataclass(frozen=True, slots=True)
class AppContext:
    settings: Settings
    bot: Bot
    db: Database
    # Entered in order at startup, left in reverse order at shutdown.
    lifespans: list[Callable[[], AbstractAsyncContextManager[None]]] = field(default_factory=list)
    # Each mounted platform registers how to post proactively (rounds, nudges, digests).
    messengers: Messengers = field(default_factory=Messengers)


class Platform(Protocol):
    """What a platform package offers the server."""

    def routes(self, context: AppContext) -> Sequence[BaseRoute]: ...


def platform_routes(context: AppContext) -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for name in PLATFORMS:
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        offered = getattr(module, "routes", None)
        if offered is not None:
            routes.extend(offered(context))
    return routes


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def build_app(
    settings: Settings, *, clock: Clock | None = None, run_scheduler: bool = False
) -> Starlette:
    """The whole server for these settings: database, core and configured platforms,
    and the scheduler if ``run_scheduler`` (``plgbot serve`` asks for it)."""
    db = Database(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )
    bot = Bot(db, clock=clock or SystemClock(), config=bot_config(settings))
    context = AppContext(settings, bot, db, messengers=CountedMessengers())
    app = create_app(context)
    if run_scheduler:
        # Last in, so it starts after (and stops before) the platforms it posts through.
        context.lifespans.append(partial(scheduling, context))
    return app


def app_factory() -> Starlette:
    """What each uvicorn worker process of ``plgbot serve`` runs: the app for the
    environment's settings (``serve`` checked them and passes its options on as
    ``PLGBOT_*`` variables), with the scheduler unless ``PLGBOT_SCHEDULER=false``."""
    settings = load_settings()
    app = build_app(settings, run_scheduler=settings.scheduler)
    # Last, so that everything startup builds is there to be frozen.
    app.state.context.lifespans.append(frozen_heap)
    return app


@asynccontextmanager
async def frozen_heap() -> AsyncIterator[None]:
    """What startup built (modules, SQLAlchemy's and Bolt's machinery) lives as long as
    the server process: frozen, the garbage collector stops walking it on every full
    collection. Under a burst those walks were the longest pauses in acknowledging Slack
    (bench/README.md). Only in ``plgbot serve``'s own processes: a test process that
    starts many servers would keep their cyclic garbage."""
    gc.collect()
    gc.freeze()
    yield


@asynccontextmanager
async def scheduling(context: AppContext) -> AsyncIterator[None]:
    """Run the scheduler while the server runs. Entered after the platforms registered
    their messengers, so every mounted platform's rounds are posted."""
    runner = PlgScheduler(
        job_sources(context.bot, context.messengers),
        leader_lock_for(context.db),
        clock=context.bot.clock,
        retry_seconds=context.settings.scheduler_takeover_seconds,
        resync_seconds=context.settings.scheduler_resync_seconds,
        on_lag=observe_scheduler_lag,
    )
    runner.start()
    try:
        yield
    finally:
        await runner.stop()


def create_app(context: AppContext) -> Starlette:
    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            async with AsyncExitStack() as stack:
                for running in context.lifespans:
                    await stack.enter_async_context(running())
                yield
        finally:
            await context.db.dispose()

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readiness(context.db), methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
    routes.extend(platform_routes(context))
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(MetricsMiddleware)])
    # What the app was built from, for whoever holds only the app (tests, diagnostics).
    app.state.context = context
    return app
