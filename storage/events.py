"""Processed deliveries, for exactly-once handling of re-delivered events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedEvent
from storage.upsert import insert_ignoring_conflicts

# The session's ``info`` keys where the event keys claimed (or refused) in its
# transaction wait for the commit; adapters.observability counts them then.
STORED_EVENTS = "plgbot.stored_events"
DUPLICATE_EVENTS = "plgbot.duplicate_events"


async def claim_event(session: AsyncSession, event_key: str, now: datetime) -> bool:
    """True the first time a delivery is seen. In the caller's transaction, so if the
    handling fails, the claim is rolled back with it and a retry can succeed."""
    inserted = await insert_ignoring_conflicts(
        session, ProcessedEvent, [{"event_key": event_key, "processed_at": now}], ["event_key"]
    )
    session.info.setdefault(STORED_EVENTS if inserted == 1 else DUPLICATE_EVENTS, []).append(
        event_key
    )
    return inserted == 1


async def forget_events_before(session: AsyncSession, cutoff: datetime) -> int:
    """Platforms retry for minutes, not months: old claims can go."""
    result = await session.execute(
        delete(ProcessedEvent).where(ProcessedEvent.processed_at < cutoff)
    )
    return max(getattr(result, "rowcount", 0), 0)
