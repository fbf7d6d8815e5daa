"""Checking the Bot Framework token on an inbound activity, with botbuilder's own
validation, bounded in time and kept off the event loop.

botbuilder fetches Microsoft's signing keys with blocking ``requests`` calls that have
no timeout (``JwtTokenExtractor``), so the whole check runs in a worker thread on a
loop of its own, and a check that does not finish in :data:`AUTH_TIMEOUT` seconds
counts as a failure. Every failure is the caller's 401; the reason is logged.
"""

from __future__ import annotations

import asyncio
import logging
import re

from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult, BotFrameworkAuthentication

log = logging.getLogger("plgbot.teams")

AUTH_TIMEOUT = 10.0
# "Bearer" and a compact JWS: three base64url parts. Anything else is not worth a thread.
_BEARER = re.compile(r"^Bearer [A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*$")


class UnauthorizedError(Exception):
    """The request does not carry a token botbuilder accepts."""


async def authenticate(
    auth: BotFrameworkAuthentication,
    activity: Activity,
    header: str | None,
    *,
    required: bool,
) -> AuthenticateRequestResult:
    """The authenticated identity and a connector factory for the replies.

    ``required`` is False only in local mode (no app id), where botbuilder lets an
    activity without a token through as anonymous."""
    if required and (header is None or not _BEARER.match(header)):
        raise UnauthorizedError("no Bearer token")
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(_authenticate_blocking, auth, activity, header or None),
            AUTH_TIMEOUT,
        )
    except TimeoutError:
        log.error("Bot Framework token check timed out after %ss", AUTH_TIMEOUT)
        raise UnauthorizedError("token check timed out") from None
    except Exception as error:
        # botbuilder signals a bad token with PermissionError, but a token it cannot
        # parse or keys it cannot fetch surface as jwt, requests or plain errors.
        log.warning("refused a Teams activity: %s: %s", type(error).__name__, error)
        raise UnauthorizedError(str(error)) from None


def _authenticate_blocking(
    auth: BotFrameworkAuthentication, activity: Activity, header: str | None
) -> AuthenticateRequestResult:
    result: AuthenticateRequestResult = asyncio.run(auth.authenticate_request(activity, header))
    return result
