"""Button presses: what a handler of one looks like (:mod:`bot.routes` says which
handler each action name goes to), and reading the ids their values carry.

A handler gets the person's :class:`~bot.turn.Context` (inside the event's transaction)
and the :class:`~bot.events.ActionInvoked`, and returns replies like a command does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.events import ActionInvoked
from bot.messages import OutboundMessage
from bot.turn import Context

ActionHandler = Callable[[Context, ActionInvoked], Awaitable[list[OutboundMessage]]]


def row_id(value: str) -> int | None:
    """A database id carried in a button's value, or None for anything else: a forged
    value ("²", a thousand digits) must not reach ``int`` or the database's integer."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None
