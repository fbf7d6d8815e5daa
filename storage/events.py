"""Claiming a delivery, for exactly-once handling of re-delivered events.

The claim is the inbox's row (:mod:`storage.inbox`). While a delivery from the inbox is
processed, :data:`CURRENT_DELIVERY` names it, so the core's claim also closes it (and
blanks its payload) in the transaction that stores what it recorded, even when the core
keys the event differently from the adapter. What that transaction did to the delivery
(closed it, kept replies in the outbox) counts only once it commits.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage import inbox
from storage.inbox import DUPLICATE_EVENTS, STORED_EVENTS

__all__ = ["CURRENT_DELIVERY", "DUPLICATE_EVENTS", "STORED_EVENTS", "Processing", "claim_event"]

# The session's ``info`` key for what a transaction does to the current delivery.
_PENDING = "plgbot.delivery"


@dataclass(slots=True)
class Processing:
    """The inbox delivery the current task processes.

    - ``closed``: a committed transaction closed it (the processor then needs no
      transaction of its own to close it);
    - ``reply_to``: where replies to it go, as the adapter describes it (JSON-able);
      with it, the core keeps its replies in the outbox (:mod:`storage.outbox`);
    - ``kept``: the outbox ids of the replies a committed transaction kept, each with
      the reply object it stands for."""

    key: str
    closed: bool = False
    reply_to: dict[str, Any] | None = None
    person: str | None = None
    kept: list[tuple[str, object]] = field(default_factory=list)


@dataclass(slots=True)
class _Pending:
    delivery: Processing
    closes: bool = False
    kept: list[tuple[str, object]] = field(default_factory=list)


CURRENT_DELIVERY: ContextVar[Processing | None] = ContextVar("plgbot_delivery", default=None)


def pending(session: AsyncSession, delivery: Processing) -> _Pending:
    """What ``session``'s transaction does to ``delivery``, applied when it commits."""
    found = session.info.get(_PENDING)
    if found is None or found.delivery is not delivery:
        found = session.info[_PENDING] = _Pending(delivery)
    return found


async def claim_event(session: AsyncSession, event_key: str, now: datetime) -> bool:
    """True the first time a delivery is seen. In the caller's transaction, so if the
    handling fails, the claim is rolled back with it and a retry can succeed."""
    delivery = CURRENT_DELIVERY.get()
    if delivery is not None and delivery.key != event_key:
        await inbox.finish(session, delivery.key, now)
    claimed = await inbox.claim(session, event_key, now)
    if delivery is not None:
        # Closed with this transaction; should it roll back (a refused form, a
        # failure), the delivery still waits and its processor closes or retries it.
        pending(session, delivery).closes = True
    session.info.setdefault(STORED_EVENTS if claimed else DUPLICATE_EVENTS, []).append(event_key)
    return claimed


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    done: _Pending | None = session.info.pop(_PENDING, None)
    if done is not None:
        done.delivery.closed = done.delivery.closed or done.closes
        done.delivery.kept.extend(done.kept)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)
