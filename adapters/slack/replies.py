"""Where the core's replies go in Slack, and sending them there.

- a direct message with the bot: into that DM;
- a slash command: through its ``response_url`` (works in any channel, even where the
  bot is not a member), ephemeral unless the core says the whole channel may see it;
- a mention in a channel: ``chat.postEphemeral`` to the author for private replies,
  ``chat.postMessage`` otherwise; in the thread when the person wrote in one or the
  reply asks for it;
- a submitted form or a Home tab button: a DM to the person.

Files (:class:`bot.messages.File`) follow the text into the same conversation and
thread; a private one goes to the person's DM, since an upload cannot be ephemeral.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.outbox import Outbox, RefusedError
from adapters.slack.files import direct_channel, files_of, has_text, upload
from adapters.slack.messenger import post_rendered
from adapters.slack.render import render
from bot.clock import Clock
from bot.messages import OutboundMessage, Visibility
from storage import Database
from storage.events import CURRENT_DELIVERY

log = logging.getLogger("plgbot.slack")

# Slack's answers worth trying again later (the client's retry handlers already tried
# 429 and connection errors a few times). Any other error (``channel_not_found``,
# ``is_archived``, ``user_not_found``, ``invalid_blocks``...) refuses the reply for good.
TRANSIENT = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
# A slash command's response_url takes up to five messages within 30 minutes.
RESPONSE_URL_USES = 5


@dataclass(frozen=True, slots=True)
class Where:
    """Where a person spoke to the bot. ``channel_id`` is the DM's id for direct
    messages, or the person's user id when the reply should open one."""

    channel_id: str
    user_id: str
    is_direct: bool
    message_ts: str | None = None
    thread_ts: str | None = None
    response_url: str | None = None

    @classmethod
    def direct_to(cls, user_id: str) -> Where:
        return cls(channel_id=user_id, user_id=user_id, is_direct=True)


class Replies:
    """Sends the core's replies where the person spoke, through the outbox
    (:mod:`adapters.outbox`): a reply posted for the whole channel is marked with its
    outbox id in the message metadata and found again by it, so it is sent exactly
    once; a DM, an ephemeral or a ``response_url`` reply cannot be looked up, and is
    claimed before it is sent: at most once."""

    def __init__(
        self,
        client: AsyncWebClient,
        retry_handlers: list[AsyncRetryHandler],
        db: Database,
        clock: Clock,
    ) -> None:
        self._client = client
        self._retry_handlers = retry_handlers
        self.outbox = Outbox(db, clock, platform="slack", sender=self)

    async def answer(self, where: Where, handling: Awaitable[Sequence[OutboundMessage]]) -> None:
        """Await the core's ``handling`` of the delivery being processed, which keeps its
        replies for ``where`` in the outbox with what it recorded, then send them."""
        destination = asdict(where)
        delivery = CURRENT_DELIVERY.get()
        if delivery is not None:
            delivery.reply_to = destination
            delivery.person = where.user_id
        await self.outbox.deliver(destination, await handling)

    async def send(self, where: Where, messages: Sequence[OutboundMessage]) -> None:
        """Send messages the core did not keep (nothing was recorded with them); a
        failure is logged and the next one still goes."""
        await self.outbox.deliver(asdict(where), messages)

    def findable(self, destination: dict[str, Any], message: OutboundMessage) -> bool:
        where = Where(**destination)
        return (
            not where.is_direct
            and where.response_url is None
            and message.visibility is not Visibility.PRIVATE
            and has_text(message)
        )

    async def send_kept(
        self, destination: dict[str, Any], message: OutboundMessage, *, key: str | None, again: bool
    ) -> None:
        where = Where(**destination)
        try:
            await self._send(where, message, key, again=again)
        except SlackApiError as error:
            code = str(error.response.get("error", "error"))
            status = error.response.status_code
            if status >= 500 or status == 429 or code in TRANSIENT:
                raise
            raise RefusedError(code) from error

    async def offer(self, where: Where, button: dict[str, Any]) -> None:
        """A button only the person sees, where they asked (in a DM there, else
        ephemeral); a failure is logged."""
        label = button["text"]["text"]
        blocks = [{"type": "actions", "elements": [button]}]
        try:
            if where.is_direct:
                await self._client.chat_postMessage(
                    channel=where.channel_id, text=label, blocks=blocks
                )
            else:
                await self._client.chat_postEphemeral(
                    channel=where.channel_id,
                    user=where.user_id,
                    text=label,
                    blocks=blocks,
                    thread_ts=where.thread_ts,
                )
        except SlackApiError as error:
            log.warning("Slack: button not sent (%s)", error.response.get("error", "error"))

    async def _send(
        self, where: Where, message: OutboundMessage, key: str | None = None, *, again: bool = False
    ) -> None:
        landed, found = (
            await self._send_text(where, message, key, again)
            if has_text(message)
            else (None, False)
        )
        files = files_of(message)
        if not files or found:
            return
        private = message.visibility is Visibility.PRIVATE
        thread = where.thread_ts or (where.message_ts if message.in_thread else None)
        # A response_url may answer in a channel plgbot is not in: files go to the DM.
        if where.is_direct or not (private or where.response_url):
            channel = landed or where.channel_id
            if channel.startswith(("U", "W")):
                channel = await direct_channel(self._client, channel)
        else:
            # Only the person may see it: their DM, not the thread.
            channel, thread = await direct_channel(self._client, where.user_id), None
        await upload(self._client, channel=channel, files=files, thread_ts=thread)

    async def _send_text(
        self, where: Where, message: OutboundMessage, key: str | None, again: bool
    ) -> tuple[str | None, bool]:
        """Send the message's text, every part of it (adapters.slack.render); the
        conversation it landed in, when Slack says, and whether an earlier try had
        already posted it."""
        rendered = render(message)
        parts = rendered.parts
        private = message.visibility is Visibility.PRIVATE
        if where.response_url is not None and len(parts) > RESPONSE_URL_USES:
            # A response_url takes five messages: a longer answer goes to the person's
            # DM, its later parts in the thread of the first.
            dm = await direct_channel(self._client, where.user_id)
            posted = await post_rendered(self._client, dm, rendered, thread=None, key=None)
            return posted.channel, False
        if where.response_url is not None:
            hook = AsyncWebhookClient(where.response_url, retry_handlers=self._retry_handlers)
            for part in parts:
                hooked = await hook.send(
                    text=part.text,
                    blocks=part.blocks,
                    response_type="ephemeral" if private else "in_channel",
                    replace_original=False,
                )
                if hooked.status_code >= 500 or hooked.status_code == 429:
                    raise ConnectionError(f"response_url answered {hooked.status_code}")
                if hooked.status_code != 200:
                    # Expired (30 minutes, 5 uses) or refused: another try cannot help.
                    raise RefusedError(f"response_url answered {hooked.status_code}")
            return None, False
        thread = where.thread_ts or (where.message_ts if message.in_thread else None)
        if private and not where.is_direct:
            # An ephemeral message has no thread of its own: the parts follow each other.
            for part in parts:
                await self._client.chat_postEphemeral(
                    channel=where.channel_id,
                    user=where.user_id,
                    text=part.text,
                    blocks=part.blocks,
                    thread_ts=thread,
                )
            return None, False
        posted = await post_rendered(
            self._client, where.channel_id, rendered, thread=thread, key=key, again=again
        )
        return posted.channel, posted.found
