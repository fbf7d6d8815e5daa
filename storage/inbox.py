"""The inbox: deliveries written before plgbot answers the platform.

A delivery's row (:class:`storage.models.Delivery`) goes through three states:

- ``waiting``: committed before the platform got its 2xx, with the raw payload. The
  process that received it holds a short lease and works on it at once; when the lease
  runs out (the process died, or shut down and released it) any process takes it over.
- ``done``: what it recorded is stored; the payload is blanked in that same transaction
  (:func:`claim`), so message text never outlives its processing.
- ``set_aside``: it failed :data:`MAX_ATTEMPTS` times; the payload is blanked and the
  row only counts on ``/metrics``, so it never blocks the rest.

The key is the same one the core claims (``platform:tenant:event``), so the inbox's row
is the one guard against storing a retried delivery twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Channel, Delivery, School
from storage.upsert import insert_ignoring_conflicts

# The session's ``info`` keys where the event keys claimed (or refused as retries) in
# its transaction wait for the commit; adapters.observability counts them then.
STORED_EVENTS = "plgbot.stored_events"
DUPLICATE_EVENTS = "plgbot.duplicate_events"

WAITING = "waiting"
DONE = "done"
SET_ASIDE = "set_aside"

# After this many failed attempts a delivery is set aside.
MAX_ATTEMPTS = 5
# The wait before the second attempt; it doubles up to LONGEST_BACKOFF.
FIRST_BACKOFF = timedelta(seconds=5)
LONGEST_BACKOFF = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Arrival:
    """A delivery as it arrives: what the inbox stores before the answer."""

    key: str
    platform: str
    kind: str
    payload: str
    tenant_id: str | None = None
    person: str | None = None


@dataclass(frozen=True, slots=True)
class Waiting:
    """A waiting delivery taken over by this process."""

    key: str
    kind: str
    payload: str
    attempts: int


@dataclass(frozen=True, slots=True)
class Backlog:
    """What ``/metrics`` and ``/readyz`` say about the inbox."""

    waiting: int
    oldest_waiting_since: datetime | None
    set_aside: int


async def receive(
    session: AsyncSession, arrival: Arrival, now: datetime, lease_until: datetime | None
) -> bool:
    """Store ``arrival`` as waiting, leased to the caller until ``lease_until``. False
    when the key is already there: a retry of a delivery that waits or is done."""
    row = {
        "key": arrival.key,
        "state": WAITING,
        "received_at": now,
        "platform": arrival.platform,
        "kind": arrival.kind,
        "payload": arrival.payload,
        "tenant_id": arrival.tenant_id,
        "person": arrival.person,
        "attempts": 0,
        "next_attempt_at": now,
        "lease_until": lease_until,
    }
    new = await insert_ignoring_conflicts(session, Delivery, [row], ["key"]) == 1
    if not new:
        session.info.setdefault(DUPLICATE_EVENTS, []).append(arrival.key)
    return new


async def claim(session: AsyncSession, key: str, now: datetime) -> bool:
    """True the first time a delivery is processed: a waiting row becomes done with its
    payload blanked, or (for a delivery that never waited) a done row is written. In
    the caller's transaction, so if the handling fails both roll back with it."""
    if await _close(session, key, now):
        return True
    row = {"key": key, "state": DONE, "received_at": now, "finished_at": now, "attempts": 0}
    return await insert_ignoring_conflicts(session, Delivery, [row], ["key"]) == 1


async def finish(session: AsyncSession, key: str, now: datetime) -> None:
    """Mark a waiting delivery done (blanked) when its handling recorded nothing."""
    await _close(session, key, now)


# Every processed delivery runs it: built once, on the table (the ORM's bulk-update
# path rebuilt and re-keyed the statement on every call).
_DELIVERIES = cast(Table, Delivery.__table__)
_CLOSE = (
    update(_DELIVERIES)
    .where(_DELIVERIES.c.key == bindparam("close_key"), _DELIVERIES.c.state == WAITING)
    .values(state=DONE, payload=None, finished_at=bindparam("close_now"), lease_until=None)
)


async def _close(session: AsyncSession, key: str, now: datetime) -> bool:
    """Waiting -> done, payload blanked; whether a waiting row was there."""
    closed = await session.execute(_CLOSE, {"close_key": key, "close_now": now})
    return getattr(closed, "rowcount", 0) == 1


async def failed(session: AsyncSession, key: str, now: datetime) -> bool:
    """Count a failed attempt: try again later with backoff, or after
    :data:`MAX_ATTEMPTS` set it aside (payload blanked). True when set aside."""
    attempts = await session.scalar(
        select(Delivery.attempts).where(Delivery.key == key, Delivery.state == WAITING)
    )
    if attempts is None:
        return False
    attempts += 1
    if attempts >= MAX_ATTEMPTS:
        values: dict[str, object] = {
            "state": SET_ASIDE,
            "payload": None,
            "finished_at": now,
            "lease_until": None,
            "attempts": attempts,
        }
    else:
        wait = min(FIRST_BACKOFF * 2 ** (attempts - 1), LONGEST_BACKOFF)
        values = {"attempts": attempts, "next_attempt_at": now + wait, "lease_until": None}
    await session.execute(
        update(Delivery)
        .where(Delivery.key == key, Delivery.state == WAITING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return attempts >= MAX_ATTEMPTS


async def discard(session: AsyncSession, key: str) -> None:
    """Forget a waiting delivery that turned out to be a client's mistake (refused
    with a 4xx): a refused request stores nothing."""
    await session.execute(delete(Delivery).where(Delivery.key == key, Delivery.state == WAITING))


async def release(session: AsyncSession, keys: Sequence[str]) -> None:
    """Give up the lease on waiting deliveries (a shutdown): the next process takes them
    at once instead of after the lease."""
    if keys:
        await session.execute(
            update(Delivery)
            .where(Delivery.key.in_(keys), Delivery.state == WAITING)
            .values(lease_until=None)
            .execution_options(synchronize_session=False)
        )


def _due(platform: str, now: datetime) -> ColumnElement[bool]:
    return and_(
        Delivery.platform == platform,
        Delivery.state == WAITING,
        or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        or_(Delivery.lease_until.is_(None), Delivery.lease_until < now),
    )


async def take_over(
    session: AsyncSession, platform: str, now: datetime, lease_until: datetime, limit: int
) -> list[Waiting]:
    """Waiting deliveries of ``platform`` whose lease ran out (or was released), now
    leased to the caller, oldest first. Another process taking the same rows at once
    loses the race on the conditional update, so each is taken by one."""
    rows = (
        await session.execute(
            select(Delivery.key, Delivery.kind, Delivery.payload, Delivery.attempts)
            .where(_due(platform, now))
            .order_by(Delivery.received_at)
            .limit(limit)
        )
    ).all()
    taken: list[Waiting] = []
    for key, kind, payload, attempts in rows:
        result = await session.execute(
            update(Delivery)
            .where(Delivery.key == key, _due(platform, now))
            .values(lease_until=lease_until)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) == 1 and payload is not None:
            taken.append(Waiting(key, kind or "", payload, attempts))
    return taken


async def backlog(session: AsyncSession) -> Backlog:
    waiting, oldest = (
        await session.execute(
            select(func.count(), func.min(Delivery.received_at)).where(Delivery.state == WAITING)
        )
    ).one()
    set_aside = await session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.state == SET_ASIDE)
    )
    return Backlog(int(waiting), oldest, int(set_aside or 0))


async def forget_person(
    session: AsyncSession, *, platform: str, tenant_id: str, person: str
) -> int:
    """Erasure and opt-out: the person's waiting deliveries go unprocessed (their text
    with them); done and set-aside rows hold no text and no one's id is needed there."""
    result = await session.execute(
        delete(Delivery).where(
            Delivery.platform == platform,
            Delivery.tenant_id == tenant_id,
            Delivery.person == person,
            Delivery.state == WAITING,
        )
    )
    await session.execute(
        update(Delivery)
        .where(
            Delivery.platform == platform,
            Delivery.tenant_id == tenant_id,
            Delivery.person == person,
        )
        .values(person=None)
        .execution_options(synchronize_session=False)
    )
    return max(getattr(result, "rowcount", 0), 0)


async def forget_before(session: AsyncSession, cutoff: datetime) -> int:
    """Platforms retry for minutes, not months: finished claims older than ``cutoff``
    can go. Waiting ones stay until they are processed."""
    result = await session.execute(
        delete(Delivery).where(Delivery.state != WAITING, Delivery.finished_at < cutoff)
    )
    return max(getattr(result, "rowcount", 0), 0)


async def listens_in(
    session: AsyncSession, *, platform: str, tenant_id: str, channel_id: str
) -> bool:
    """Whether a message in this channel can produce a record when it is neither a
    command nor a thread reply: the channel is a PLG's, or plgbot has not seen it yet
    (processing it remembers the channel for question rounds)."""
    row = (
        await session.execute(
            select(Channel.plg_id)
            .join(School, School.id == Channel.school_id)
            .where(
                School.platform == platform,
                School.tenant_id == tenant_id,
                Channel.platform_channel_id == channel_id,
            )
        )
    ).first()
    return row is None or row[0] is not None
