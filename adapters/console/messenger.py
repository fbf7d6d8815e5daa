"""The console's :class:`bot.ports.Messenger`: what the scheduler posts (a round's
question, the halfway nudge, the agenda, a note to a lead) appears in the terminal as
a numbered message, so ``/reply N`` and ``/press N`` work on it like on any other."""

from __future__ import annotations

from typing import Protocol

from bot.events import SchoolRef
from bot.messages import OutboundMessage


class Screen(Protocol):
    """Where the console shows a post (the session); returns the post's message id."""

    def show_bot_post(
        self,
        message: OutboundMessage,
        *,
        channel: str | None = None,
        thread_id: str | None = None,
        to_person: str | None = None,
    ) -> str: ...


class ConsoleMessenger:
    """Honours ``key`` within the process: the same key returns the first post's id."""

    # Within the process, which is all the console has.
    finds_posts = True

    def __init__(self, screen: Screen) -> None:
        self._screen = screen
        self._by_key: dict[str, str] = {}

    async def post_to_channel(
        self,
        *,
        school: SchoolRef,
        channel_id: str,
        message: OutboundMessage,
        thread_id: str | None = None,
        key: str | None = None,
    ) -> str:
        if key is not None and key in self._by_key:
            return self._by_key[key]
        message_id = self._screen.show_bot_post(message, channel=channel_id, thread_id=thread_id)
        if key is not None:
            self._by_key[key] = message_id
        return message_id

    async def send_private(
        self, *, school: SchoolRef, user_id: str, message: OutboundMessage
    ) -> str:
        return self._screen.show_bot_post(message, to_person=user_id)
