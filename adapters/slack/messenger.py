"""Posting on plgbot's own initiative (question rounds, nudges, digests): the Slack
side of :class:`bot.ports.Messenger`."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import render
from bot.events import SchoolRef
from bot.messages import OutboundMessage


class SlackMessenger:
    """Posts through the Web API client with its retry handlers; a failure that remains
    raises :class:`slack_sdk.errors.SlackApiError`, as the port asks. Slack cannot look
    a post up by ``key`` without reading channel history, so ``key`` is not used: the
    caller's own bookkeeping keeps a post from going out twice."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def post_to_channel(
        self,
        *,
        school: SchoolRef,
        channel_id: str,
        message: OutboundMessage,
        thread_id: str | None = None,
        key: str | None = None,
    ) -> str:
        return await self._post(channel_id, message, thread_id)

    async def send_private(
        self, *, school: SchoolRef, user_id: str, message: OutboundMessage
    ) -> str:
        # Posting to a user id lands in the person's DM with the bot.
        return await self._post(user_id, message, None)

    async def _post(self, channel: str, message: OutboundMessage, thread: str | None) -> str:
        rendered = render(message)
        answer = await self._client.chat_postMessage(
            channel=channel,
            text=rendered.text,
            blocks=rendered.blocks,
            thread_ts=thread,
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(answer["ts"])
