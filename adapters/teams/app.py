"""The Teams endpoint: ``POST /api/messages`` on botbuilder's ``CloudAdapter``.

The endpoint only checks the request (size, JSON shape, token) and hands the activity
to the adapter; what happens next is :mod:`adapters.teams.handler`. Client mistakes are
4xx and store nothing; a database briefly out of reach is a 503 (nothing stored, so
a redelivery is handled once); only a fault of plgbot itself is a 500. Handling that
outlasts Teams' patience (a slow Bot Connector) is answered 200 and finishes after.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botframework.connector.auth import AuthenticationConstants
from msrest.exceptions import ClientException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.server import AppContext
from adapters.settings import Settings
from adapters.teams.auth import UnauthorizedError, authenticate
from adapters.teams.handler import PlgbotTeamsHandler
from adapters.teams.inbound import MAX_BODY_BYTES, BadActivityError, parse_activity
from adapters.teams.proactive import TeamsMessenger
from storage.database import is_unavailable

log = logging.getLogger("plgbot.teams")

MESSAGES_PATH = "/api/messages"
# Teams waits about 15 seconds for the answer to an activity. Handling that takes
# longer (a Bot Connector slow to take the reply) is answered 200 and goes on.
ANSWER_WITHIN = 10.0
SHUTDOWN_GRACE = 10.0
# Where botbuilder fetches the keys that sign the Bot Connector's tokens. None means
# Microsoft's published endpoint; tests point it at keys of their own on loopback.
CHANNEL_OPENID_METADATA_URL: str | None = None


@dataclass(frozen=True, slots=True)
class BotFrameworkConfig:
    """The attribute names ``ConfigurationBotFrameworkAuthentication`` reads."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None = None
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str | None = None
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str | None = None
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str | None = None


def framework_config(settings: Settings) -> BotFrameworkConfig:
    password = settings.microsoft_app_password
    metadata_url = CHANNEL_OPENID_METADATA_URL
    # Overriding one endpoint switches botbuilder to its "parameterized" mode, which
    # then needs the public-cloud values spelled out.
    constants = AuthenticationConstants
    public_cloud: dict[str, Any] = (
        {
            "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": metadata_url,
            "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": constants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
            "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": constants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
            "TO_CHANNEL_FROM_BOT_LOGIN_URL": constants.TO_CHANNEL_FROM_BOT_LOGIN_URL,
            "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL": metadata_url,
        }
        if metadata_url
        else {}
    )
    return BotFrameworkConfig(
        APP_ID=settings.microsoft_app_id,
        APP_PASSWORD=password.get_secret_value() if password else "",
        APP_TYPE=settings.microsoft_app_type,
        APP_TENANTID=settings.microsoft_app_tenant_id,
        **public_cloud,
    )


class StillHandlingError(Exception):
    """Handling an activity outlasted :data:`ANSWER_WITHIN`; it continues."""


class TeamsApp:
    """The adapter, the turn handler, the messenger for proactive posts, and the
    messaging endpoint, for one server (or one scheduler process)."""

    def __init__(self, context: AppContext) -> None:
        settings = context.settings
        self.auth_required = bool(settings.microsoft_app_id)
        self.auth = ConfigurationBotFrameworkAuthentication(framework_config(settings))
        self.adapter = CloudAdapter(self.auth)
        self.messenger = TeamsMessenger(
            self.adapter,
            context.db,
            app_id=settings.microsoft_app_id,
            clock=context.bot.clock,
            default_language=context.bot.config.default_language,
        )
        self.handler = PlgbotTeamsHandler(context.bot, context.db, self.messenger)
        # Activities answered before their handling finished (a slow Bot Connector).
        self._late: set[asyncio.Task[Any]] = set()

    def routes(self) -> list[BaseRoute]:
        return [Route(MESSAGES_PATH, self.messages, methods=["POST"])]

    async def _answer_within(self, handling: Coroutine[Any, Any, Any]) -> Any:
        """What handling the activity returns, or :class:`StillHandlingError` if it
        takes longer than :data:`ANSWER_WITHIN`; it then goes on in the background."""
        task = asyncio.ensure_future(handling)
        done, _ = await asyncio.wait({task}, timeout=ANSWER_WITHIN)
        if task in done:
            return task.result()
        log.warning("Teams: handling an activity takes long; answered 200, still at it")
        self._late.add(task)
        task.add_done_callback(self._finished_late)
        raise StillHandlingError

    def _finished_late(self, task: asyncio.Task[Any]) -> None:
        self._late.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            log.error("Teams: late handling failed: %s", type(error).__name__)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """While the server runs; at shutdown, handling still under way may finish."""
        try:
            yield
        finally:
            if self._late:
                _, late = await asyncio.wait(set(self._late), timeout=SHUTDOWN_GRACE)
                for task in late:
                    task.cancel()

    async def messages(self, request: Request) -> Response:
        if "json" not in request.headers.get("content-type", "").lower():
            return PlainTextResponse("expected application/json", status_code=415)
        try:
            body = await _read_body(request)
            activity = parse_activity(body)
            result = await authenticate(
                self.auth,
                activity,
                request.headers.get("authorization"),
                required=self.auth_required,
            )
            handling = self.adapter.process_activity(result, activity, self.handler.on_turn)
            invoke = await self._answer_within(handling)
        except StillHandlingError:
            # Taken: Teams must not wait longer; the reply follows when the connector
            # takes it (a redelivery meanwhile is recognised and changes nothing).
            return Response(status_code=200)
        except UnauthorizedError:
            return PlainTextResponse("unauthorized", status_code=401)
        except BadActivityError as error:
            log.info("refused a Teams activity: %s", error)
            return PlainTextResponse(str(error), status_code=error.status)
        except ClientException as error:
            # The Bot Connector refused or did not answer our reply. What the activity
            # stored stays stored (a redelivery is recognised and changes nothing).
            log.error("could not answer in Teams: %s: %s", type(error).__name__, error)
            return PlainTextResponse("Bot Connector unavailable", status_code=502)
        except Exception as error:
            if not is_unavailable(error):
                raise
            # The activity's work was rolled back: a redelivery is stored once.
            log.warning("Teams: database unavailable (%s); answered 503", type(error).__name__)
            return PlainTextResponse("database unavailable", status_code=503)
        if invoke is not None:
            return JSONResponse(invoke.body, status_code=int(invoke.status))
        return Response(status_code=200)


async def _read_body(request: Request) -> bytes:
    """The body, refusing to buffer more than the limit of what an activity can be."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BadActivityError("body too large", 413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BadActivityError("body too large", 413)
        chunks.append(chunk)
    return b"".join(chunks)
