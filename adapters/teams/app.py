"""The Teams endpoint: ``POST /api/messages`` on botbuilder's ``CloudAdapter``.

The endpoint only checks the request (size, JSON shape, token) and hands the activity
to the adapter; what happens next is :mod:`adapters.teams.handler`. Client mistakes are
4xx and store nothing; a database briefly out of reach is a 503 (nothing stored, so
a redelivery is handled once); only a fault of plgbot itself is a 500.
"""

from __future__ import annotations

import logging
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

    def routes(self) -> list[BaseRoute]:
        return [Route(MESSAGES_PATH, self.messages, methods=["POST"])]

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
            invoke = await self.adapter.process_activity(result, activity, self.handler.on_turn)
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
