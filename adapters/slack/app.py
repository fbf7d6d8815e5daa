"""The Slack adapter assembled from settings: the Web API client (with retry handlers),
Bolt's ``AsyncApp`` and its listeners, the HTTP route, and what runs while the server
runs (the startup ``auth.test``, Socket Mode, the after-ack work)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from starlette.routing import BaseRoute, Route

from adapters.inbox import LEASE, Inbox
from adapters.slack.background import AfterAck
from adapters.slack.endpoint import Endpoint
from adapters.slack.identity import Identity
from adapters.slack.listeners import Listeners
from adapters.slack.messenger import SlackMessenger
from adapters.slack.profiles import ChannelNames, Profiles
from adapters.slack.replies import Replies
from adapters.slack.retries import CountedRetries
from adapters.slack.socket_mode import socket_mode
from bot.service import Bot
from storage import Database
from storage.database import is_unavailable

log = logging.getLogger("plgbot.slack")

PATH = "/slack/events"
# How long a shutdown waits for acknowledged work to finish.
SHUTDOWN_GRACE = 10.0


def retry_handlers() -> list[AsyncRetryHandler]:
    """429 is waited out (``Retry-After``), a 500/503 or a dropped connection is tried
    once more: a reply is worth a short wait, never a lost message."""
    return [
        CountedRetries(AsyncRateLimitErrorRetryHandler(max_retry_count=2), "rate_limited"),
        CountedRetries(AsyncServerErrorRetryHandler(max_retry_count=1), "server_error"),
        CountedRetries(AsyncConnectionErrorRetryHandler(max_retry_count=1), "connection_error"),
    ]


class RedactBodies(logging.Filter):
    """Bolt logs whole request bodies in a few places at INFO and above (a bad
    signature, for one). plgbot refuses such requests before Bolt sees them; should a
    path remain, the body is cut from the record here."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            message = record.getMessage()
            cut = message.lower().find("body")
            if cut != -1:
                record.msg = message[:cut] + "body: (not logged)"
                record.args = ()
        return True


def bolt_logger() -> logging.Logger:
    """The base logger Bolt gives each of its loggers (with this filter copied in)."""
    logger = logging.getLogger("plgbot.slack.bolt")
    if not any(isinstance(f, RedactBodies) for f in logger.filters):
        logger.addFilter(RedactBodies())
    return logger


async def unavailable_is_503(error: Exception) -> BoltResponse:
    """A delivery that cannot be committed to the inbox gets no 200: with the database
    briefly out of reach, Slack is told 503 and delivers it again later (a retry of
    one that was committed after all is recognised). Anything else is plgbot's fault."""
    if is_unavailable(error):
        log.warning("Slack: database unavailable (%s); answered 503", type(error).__name__)
        return BoltResponse(status=503, body="database unavailable")
    log.error("Slack: listener failed: %s", type(error).__name__)
    return BoltResponse(status=500, body="")


class SlackAdapter:
    def __init__(
        self,
        *,
        bot: Bot,
        db: Database,
        bot_token: str,
        signing_secret: str | None,
        app_token: str | None,
        api_url: str,
        inbox_lease: timedelta = LEASE,
    ) -> None:
        self.signing_secret = signing_secret
        self.app_token = app_token
        self.client = AsyncWebClient(
            token=bot_token, base_url=api_url, retry_handlers=retry_handlers()
        )
        self.identity = Identity(self.client)
        self.messenger = SlackMessenger(self.client)
        self.work = AfterAck()
        self.inbox = Inbox(db, bot.clock, platform="slack", handlers={}, lease=inbox_lease)
        self.app = AsyncApp(
            name="plgbot",
            logger=bolt_logger(),
            signing_secret=signing_secret or "",
            # No token here: every request gets the bot's through ``authorize``.
            client=AsyncWebClient(base_url=api_url, retry_handlers=retry_handlers()),
            authorize=self.identity.authorize(),
            request_verification_enabled=True,
            # Run the listener before answering: a listener commits the delivery to
            # the inbox, so whatever got its 200 is durable (adapters.inbox).
            process_before_response=True,
        )
        replies = Replies(self.client, retry_handlers(), db, bot.clock)
        self.inbox.also_sweep(replies.outbox)
        Listeners(
            bot=bot,
            client=self.client,
            identity=self.identity,
            profiles=Profiles(self.client, db, bot.clock, language=bot.config.default_language),
            channels=ChannelNames(self.client, bot.clock),
            replies=replies,
            work=self.work,
            inbox=self.inbox,
        ).register(self.app)
        self.app.error(unavailable_is_503)

    def routes(self) -> list[BaseRoute]:
        """The Request URL, when there is a signing secret to verify requests with."""
        if self.signing_secret is None:
            return []
        endpoint = Endpoint(self.app, self.signing_secret)
        return [Route(PATH, endpoint.handle, methods=["POST"])]

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """While the server runs: knows who it is, is connected over Socket Mode when
        configured, and at shutdown lets acknowledged work finish."""
        # One HTTP session for every Web API call while the server runs: without it
        # slack_sdk opens and closes a connection per call, a good part of an event's
        # CPU (bench/README.md).
        async with aiohttp.ClientSession() as http:
            for client in (self.client, self.app.client):
                client.session = http
            try:
                async with self._serving():
                    yield
            finally:
                for client in (self.client, self.app.client):
                    client.session = None

    @asynccontextmanager
    async def _serving(self) -> AsyncIterator[None]:
        await self.identity.load()
        try:
            async with AsyncExitStack() as stack:
                await stack.enter_async_context(self.inbox.running(SHUTDOWN_GRACE))
                if self.app_token is not None:
                    await stack.enter_async_context(socket_mode(self.app, self.app_token))
                yield
        finally:
            await self.work.drain(SHUTDOWN_GRACE)
