"""Claiming a delivery, for exactly-once handling of re-delivered events.

The claim is the inbox's row (:mod:`storage.inbox`). While a delivery from the inbox is
processed, :data:`CURRENT_DELIVERY` names it, so the core's claim also closes it (and
blanks its payload) in the transaction that stores what it recorded, even when the core
keys the event differently from the adapter.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage import inbox
from storage.inbox import DUPLICATE_EVENTS, STORED_EVENTS

__all__ = ["CURRENT_DELIVERY", "DUPLICATE_EVENTS", "STORED_EVENTS", "Processing", "claim_event"]


@dataclass(slots=True)
class Processing:
    """The inbox delivery the current task processes; ``closed`` once a claim closed it
    (the processor then needs no transaction of its own to close it)."""

    key: str
    closed: bool = False


CURRENT_DELIVERY: ContextVar[Processing | None] = ContextVar("plgbot_delivery", default=None)


async def claim_event(session: AsyncSession, event_key: str, now: datetime) -> bool:
    """True the first time a delivery is seen. In the caller's transaction, so if the
    handling fails, the claim is rolled back with it and a retry can succeed."""
    delivery = CURRENT_DELIVERY.get()
    if delivery is not None and delivery.key != event_key:
        await inbox.finish(session, delivery.key, now)
    claimed = await inbox.claim(session, event_key, now)
    if delivery is not None:
        # Closed with this transaction; should it roll back, the handling fails and
        # the processor counts the attempt (the row still waits).
        delivery.closed = True
    session.info.setdefault(STORED_EVENTS if claimed else DUPLICATE_EVENTS, []).append(event_key)
    return claimed
