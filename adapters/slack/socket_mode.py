"""Socket Mode: Slack delivers over a WebSocket the server opens, so no public Request
URL is needed (a school without a tunnel or a reverse proxy can still run plgbot).

Payloads pass the same shape check as over HTTP; the listeners are the same.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from adapters.slack.payloads import problem

log = logging.getLogger("plgbot.slack")


class CheckedSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's handler, with malformed payloads acknowledged and dropped unread."""

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        reason = problem(req.payload)
        if reason is None:
            try:
                await super().handle(client, req)
                return
            except (ValueError, TypeError, KeyError, AttributeError) as error:
                reason = type(error).__name__
        log.info("Slack: dropped a Socket Mode payload (%s)", reason)
        # Acknowledged all the same: Slack would only send it again.
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))


@asynccontextmanager
async def socket_mode(app: AsyncApp, app_token: str) -> AsyncIterator[CheckedSocketModeHandler]:
    """Connected while inside. Connecting happens in the background: the Socket Mode
    client retries until Slack answers (logging why not), and the HTTP server, with
    ``/healthz``, is up meanwhile."""
    handler = CheckedSocketModeHandler(app, app_token)
    connecting = asyncio.get_running_loop().create_task(
        handler.connect_async(),  # type: ignore[no-untyped-call]
        name="slack socket mode",
    )
    log.info("Slack: Socket Mode on (SLACK_APP_TOKEN is set)")
    try:
        yield handler
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        connecting.cancel()
        await asyncio.gather(connecting, return_exceptions=True)
