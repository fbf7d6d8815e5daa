"""Posting on plgbot's own initiative (question rounds, nudges, digests): the Slack
side of :class:`bot.ports.Messenger`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.files import direct_channel, files_of, has_text, upload
from adapters.slack.render import Rendered, render
from bot.events import SchoolRef
from bot.messages import OutboundMessage
from bot.ports import RESENDING

# Message metadata (``event_type`` and ``event_payload``) marks each keyed post, so a
# re-send can find it again in the channel's history.
EVENT_TYPE = "plgbot_post"
# How far back a re-send looks: pages of 200 messages, newest first.
HISTORY_PAGES = 3
# chat.postMessage allows about one message per second per channel (429 beyond).
POST_INTERVAL = 1.0


class ChannelPacer:
    """Posts to one conversation go out one at a time, in the order asked, at least
    ``interval`` seconds apart, so a Monday 08:00 with many rounds in one channel
    waits its turn instead of collecting 429s (whose retries would go out of order and
    give up after a few). Different conversations do not wait for each other."""

    def __init__(self, interval: float = POST_INTERVAL) -> None:
        self.interval = interval
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}
        self._last: dict[str, float] = {}

    @asynccontextmanager
    async def turn(self, conversation: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(conversation, asyncio.Lock())
        self._users[conversation] = self._users.get(conversation, 0) + 1
        try:
            async with lock:
                # Counted from the previous answer, which Slack sent after accepting it.
                wait = self._last.get(conversation, 0.0) + self.interval - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                try:
                    yield
                finally:
                    self._last[conversation] = time.monotonic()
        finally:
            self._users[conversation] -= 1
            if not self._users[conversation]:
                # Nobody waits here any more: forget the lock, and times that no longer matter.
                del self._users[conversation], self._locks[conversation]
                now = time.monotonic()
                for key in [k for k, at in self._last.items() if now - at > self.interval]:
                    if key not in self._locks:
                        del self._last[key]


class SlackMessenger:
    """Posts through the Web API client with its retry handlers; a failure that remains
    raises :class:`slack_sdk.errors.SlackApiError`, as the port asks. A post with a
    ``key`` carries it as message metadata; when the scheduler sends an unconfirmed
    occurrence again (:data:`bot.ports.RESENDING`), the channel's history (or the
    thread's replies) is read first and a post with that key is returned, not repeated.
    Files of the message (:class:`bot.messages.File`) are uploaded after its text, into
    the same conversation and thread. Posts to one conversation are paced
    (:class:`ChannelPacer`)."""

    # Posts carry their key in message metadata; conversations.history finds them.
    finds_posts = True

    def __init__(self, client: AsyncWebClient, *, interval: float = POST_INTERVAL) -> None:
        self._client = client
        self._pacer = ChannelPacer(interval)

    async def post_to_channel(
        self,
        *,
        school: SchoolRef,
        channel_id: str,
        message: OutboundMessage,
        thread_id: str | None = None,
        key: str | None = None,
    ) -> str:
        again = key is not None and RESENDING.get()
        return await self._post(channel_id, message, thread_id, key, again=again)

    async def send_private(
        self, *, school: SchoolRef, user_id: str, message: OutboundMessage
    ) -> str:
        # Posting to a user id lands in the person's DM with the bot.
        return await self._post(user_id, message, None)

    async def _post(
        self,
        channel: str,
        message: OutboundMessage,
        thread: str | None,
        key: str | None = None,
        *,
        again: bool = False,
    ) -> str:
        files = files_of(message)
        if files and not has_text(message):
            # Nothing to say but the files: they are the post.
            target = await direct_channel(self._client, channel) if _is_user(channel) else channel
            return await upload(self._client, channel=target, files=files, thread_ts=thread)
        posted = await post_rendered(
            self._client,
            channel,
            render(message),
            thread=thread,
            key=key,
            again=again,
            pacer=self._pacer,
        )
        if files and not posted.found:
            await upload(self._client, channel=posted.channel, files=files, thread_ts=thread)
        return posted.ts


@dataclass(frozen=True, slots=True)
class Posted:
    """Where a rendered message's first part is: its conversation (a DM's id when it
    was posted to a user id), its ts, and whether it was there from an earlier try."""

    channel: str
    ts: str
    found: bool = False


async def post_rendered(
    client: AsyncWebClient,
    channel: str,
    rendered: Rendered,
    *,
    thread: str | None,
    key: str | None,
    again: bool = False,
    pacer: ChannelPacer | None = None,
) -> Posted:
    """Post every part of ``rendered``: the first where asked, the others in order in
    its thread (a long agenda's later replies, under the first part). A keyed post
    marks each part with its own key (``key/2``...), so a second try finds each part
    that is already there and posts only those that are not."""
    first: Posted | None = None
    for number, part in enumerate(rendered.parts, start=1):
        part_key = key if number == 1 or key is None else f"{key}/{number}"
        where = channel if first is None else first.channel
        part_thread = thread if first is None else (thread or first.ts)
        if again and part_key is not None:
            earlier = await find_post(client, where, part_thread, part_key)
            if earlier is not None:
                first = first or Posted(where, earlier, found=True)
                continue
        async with pacer.turn(where) if pacer is not None else _unpaced():
            answer = await client.chat_postMessage(
                channel=where,
                text=part.text,
                blocks=part.blocks,
                thread_ts=part_thread,
                unfurl_links=False,
                unfurl_media=False,
                metadata=(
                    {"event_type": EVENT_TYPE, "event_payload": {"key": part_key}}
                    if part_key
                    else None
                ),
            )
        # Posted to a user id, the answer names the DM it landed in.
        first = first or Posted(str(answer.get("channel") or where), str(answer["ts"]))
    assert first is not None  # a rendered message has at least one part
    return first


@asynccontextmanager
async def _unpaced() -> AsyncIterator[None]:
    yield


async def find_post(
    client: AsyncWebClient, channel: str, thread: str | None, key: str
) -> str | None:
    """The ts of plgbot's post with ``key`` among the channel's (or thread's) latest
    messages, if any."""
    cursor: str | None = None
    for _ in range(HISTORY_PAGES):
        arguments: dict[str, Any] = {
            "channel": channel,
            "limit": 200,
            "include_all_metadata": True,
            "cursor": cursor,
        }
        if thread is None:
            page = await client.conversations_history(**arguments)
        else:
            page = await client.conversations_replies(ts=thread, **arguments)
        for found in page.get("messages") or []:
            metadata = found.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == EVENT_TYPE and payload.get("key") == key:
                return str(found["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            return None
    return None


def _is_user(conversation: str) -> bool:
    return conversation.startswith(("U", "W"))
