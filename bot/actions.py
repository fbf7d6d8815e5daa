"""Button presses: each feature registers a handler for its action names.

A handler gets the person's :class:`~bot.turn.Context` (inside the event's transaction)
and the :class:`~bot.events.ActionInvoked`, and returns replies like a command does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.events import ActionInvoked
from bot.messages import OutboundMessage
from bot.turn import Context

ActionHandler = Callable[[Context, ActionInvoked], Awaitable[list[OutboundMessage]]]

_HANDLERS: dict[str, ActionHandler] = {}


def handles(action: str) -> Callable[[ActionHandler], ActionHandler]:
    """Register the decorated function for ``action`` (names are ``feature.verb``)."""

    def register(handler: ActionHandler) -> ActionHandler:
        if action in _HANDLERS and _HANDLERS[action] is not handler:
            raise ValueError(f"two handlers for action {action!r}")
        _HANDLERS[action] = handler
        return handler

    return register


def handler_for(action: str) -> ActionHandler | None:
    return _HANDLERS.get(action)


def row_id(value: str) -> int | None:
    """A database id carried in a button's value, or None for anything else: a forged
    value ("²", a thousand digits) must not reach ``int`` or the database's integer."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None
