"""Who the bot is in its workspace (``auth.test``), asked once and kept.

It doubles as Bolt's ``authorize`` function, so Bolt's middleware (ignoring the bot's
own events among others) and plgbot read the same answer, and the first delivery after
startup does not wait for ``auth.test`` when :meth:`Identity.load` ran at startup.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientError
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("plgbot.slack")


@dataclass(frozen=True, slots=True)
class BotIdentity:
    team_id: str
    team_name: str | None
    enterprise_id: str | None
    user_id: str
    bot_id: str | None


class Identity:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._known: BotIdentity | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> BotIdentity:
        """The bot's identity; calls ``auth.test`` until it has succeeded once."""
        if self._known is not None:
            return self._known
        async with self._lock:
            if self._known is None:
                answer = await self._client.auth_test()
                self._known = BotIdentity(
                    team_id=str(answer["team_id"]),
                    team_name=_str(answer.get("team")),
                    enterprise_id=_str(answer.get("enterprise_id")),
                    user_id=str(answer["user_id"]),
                    bot_id=_str(answer.get("bot_id")),
                )
                log.info(
                    "Slack: signed in as %s in workspace %s",
                    self._known.user_id,
                    self._known.team_id,
                )
            return self._known

    async def load(self) -> None:
        """Ask now rather than on the first delivery; a failure is logged and asked
        again later, so a Slack hiccup at startup does not stop the server."""
        try:
            await self.get()
        except (SlackApiError, OSError, TimeoutError, ClientError) as error:
            log.warning("Slack: auth.test failed at startup (%s); will retry", _reason(error))

    def authorize(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        """Bolt's ``authorize`` function: this single-workspace app always acts as its
        bot. (A plain function, because Bolt passes arguments by their names.)"""

        # One answer for every request, as Bolt's own single-workspace authorization
        # keeps one: building it anew was a measurable part of each acknowledgement.
        answer: AuthorizeResult | None = None

        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            nonlocal answer
            if answer is None:
                me = await self.get()
                answer = AuthorizeResult(
                    enterprise_id=me.enterprise_id or enterprise_id,
                    team_id=me.team_id or team_id,
                    team=me.team_name,
                    bot_user_id=me.user_id,
                    bot_id=me.bot_id,
                    bot_token=self._client.token,
                )
            return answer

        return authorize


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _reason(error: BaseException) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error", "error"))
    return type(error).__name__
