"""The Teams endpoint: ``POST /api/messages`` on botbuilder's ``CloudAdapter``.

The endpoint only checks the request (size, JSON shape, token) and hands the activity
to the adapter; what happens next is :mod:`adapters.teams.listeners`. Client mistakes are
4xx and store nothing; a database briefly out of reach is a 503 (nothing stored, so
a redelivery is handled once); only a fault of plgbot itself is a 500. Handling that
outlasts Teams' patience (a slow Bot Connector) is answered 200 and finishes after.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult, AuthenticationConstants
from msrest.exceptions import ClientException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.inbox import Inbox
from adapters.server import AppContext
from adapters.settings import Settings
from adapters.teams import events
from adapters.teams.auth import UnauthorizedError, authenticate
from adapters.teams.listeners import PlgbotTeamsHandler
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.payloads import MAX_BODY_BYTES, BadActivityError, parse_activity
from storage.database import is_unavailable
from storage.inbox import Arrival

log = logging.getLogger("plgbot.teams")

MESSAGES_PATH = "/api/messages"
SHUTDOWN_GRACE = 10.0
PLATFORM = "teams"
# The one kind of Teams delivery the inbox keeps: an activity, replayed whole.
KIND = "activity"
# Activities that can produce a record: messages (commands, mentions, channel talk),
# card submits, deletions, and the bot being added (its conversation is remembered).
KEPT_TYPES = frozenset({"message", "invoke", "messageDelete", "conversationUpdate"})
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
    """Handling an activity outlasted the time Teams waits; it continues."""


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
        self._app_id = settings.microsoft_app_id
        self._answer_within_seconds = settings.teams_answer_within_seconds
        # Every activity that can produce a record is committed here before it is
        # handled (and so before it is answered); one whose process died is replayed.
        self.inbox = Inbox(
            context.db,
            context.bot.clock,
            platform=PLATFORM,
            handlers={KIND: self._replay},
            lease=timedelta(seconds=settings.inbox_lease_seconds),
        )
        self.inbox.also_sweep(self.handler.outbox)
        # Activities answered before their handling finished (a slow Bot Connector).
        self._late: set[asyncio.Task[Any]] = set()

    def routes(self) -> list[BaseRoute]:
        return [Route(MESSAGES_PATH, self.messages, methods=["POST"])]

    async def _answer_within(self, handling: Coroutine[Any, Any, Any]) -> Any:
        """What handling the activity returns, or :class:`StillHandlingError` if it
        takes longer than the setting ``teams_answer_within_seconds``; it then goes on
        in the background (the activity waits in the inbox until it is done)."""
        task = asyncio.ensure_future(handling)
        done, _ = await asyncio.wait({task}, timeout=self._answer_within_seconds)
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
        """While the server runs (the inbox sweeping for activities to replay); at
        shutdown, handling still under way may finish, and what does not is released
        to the next process (it waits in the inbox)."""
        try:
            async with self.inbox.running(SHUTDOWN_GRACE):
                yield
        finally:
            if self._late:
                _, late = await asyncio.wait(set(self._late), timeout=SHUTDOWN_GRACE)
                for task in late:
                    task.cancel()
                if late:
                    await asyncio.wait(late)

    async def _keep(self, activity: Activity, body: bytes) -> str | None:
        """Commit an activity that can produce a record to the inbox; its key, or None
        for one that cannot (typing, reactions, other events)."""
        if activity.type not in KEPT_TYPES:
            return None
        school = events.school_of(activity)
        event_id = activity.id or hashlib.sha256(body).hexdigest()[:40]
        key = f"{PLATFORM}:{school.tenant_id}:{event_id}"
        sender = activity.from_property.id if activity.from_property else None
        arrival = Arrival(key, PLATFORM, KIND, body.decode("utf-8"), school.tenant_id, sender)
        await self.inbox.hold(arrival)
        return key

    async def _handle(
        self, result: AuthenticateRequestResult, activity: Activity, key: str | None
    ) -> Any:
        if key is None:
            return await self.adapter.process_activity(result, activity, self.handler.on_turn)
        async with self.inbox.processing(key, refused=(BadActivityError,)):
            return await self.adapter.process_activity(result, activity, self.handler.on_turn)

    async def _replay(self, body: dict[str, Any], replayed: bool) -> None:
        """An activity from the inbox whose first handling did not finish: handled
        again as the bot itself (its token expired long ago), its replies sent through
        the connector; an invoke's answer goes nowhere (Teams stopped waiting)."""
        activity = parse_activity(json.dumps(body).encode())
        claims = self.adapter.create_claims_identity(self._app_id)
        await self.adapter.process_proactive(claims, activity, None, self.handler.on_turn)

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
            key = await self._keep(activity, body)
            invoke = await self._answer_within(self._handle(result, activity, key))
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


# A declared length worth comparing: ASCII digits only (``str.isdigit`` and ``int``
# take other scripts' digits, and ``int`` raises on more than 4,300 of them). Any
# other is left to the count of what actually arrives.
_LENGTH = re.compile(r"[0-9]{1,12}")


async def _read_body(request: Request) -> bytes:
    """The body, refusing to buffer more than the limit of what an activity can be."""
    declared = request.headers.get("content-length")
    if declared is not None and _LENGTH.fullmatch(declared) and int(declared) > MAX_BODY_BYTES:
        raise BadActivityError("body too large", 413)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise BadActivityError("body too large", 413)
            chunks.append(chunk)
    except ClientDisconnect:
        # The client hung up mid-body; the answer goes nowhere, but is a 4xx in the
        # metrics instead of a traceback in the log.
        raise BadActivityError("client hung up before the body was complete") from None
    return b"".join(chunks)
