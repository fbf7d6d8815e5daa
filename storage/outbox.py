"""The outbox: replies kept in the transaction that stored what they confirm, sent
after it commits, and sent later should the send not happen or fail.

A reply's row (:class:`storage.models.Reply`) is written by :func:`keep`, in the core's
transaction, for the delivery being processed (:data:`storage.events.CURRENT_DELIVERY`,
when its adapter said where replies go). The adapter then sends it (see
:mod:`adapters.outbox`):

- a reply the platform can look up afterwards (a Slack channel post, found again by the
  row's id in its message metadata) is sent and then deleted: sent exactly once;
- any other reply (a direct message, an ephemeral reply, a ``response_url`` reply, a
  Teams post) is *claimed* first, by deleting its row (:func:`claim`), then sent: a
  crash between the platform's acceptance and our record cannot send it twice, only at
  most once. A send that fails puts the row back (:func:`retry`), with backoff.

Rows nobody holds (their process died, or shut down and released them) are taken over by
any process (:func:`take_over`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.events import CURRENT_DELIVERY, pending
from storage.models import Reply

# The wait before a failed send's second attempt; it doubles up to LONGEST_BACKOFF.
FIRST_BACKOFF = timedelta(seconds=5)
LONGEST_BACKOFF = timedelta(minutes=5)
# A reply later than this is more confusing than helpful: it is dropped (and logged).
GIVE_UP_AFTER = timedelta(hours=12)
# How long the process that kept a reply holds it: sending takes milliseconds, a slow
# platform seconds. After that, another process may take it over.
LEASE = timedelta(seconds=30)


# Every reply runs these: built once, on the table (the ORM's bulk paths rebuilt and
# re-keyed the statements on every call).
_REPLIES = cast(Table, Reply.__table__)
_KEEP = insert(_REPLIES)
_CLAIM = (
    delete(_REPLIES)
    .where(_REPLIES.c.id.in_(bindparam("ids", expanding=True)))
    .returning(
        _REPLIES.c.id,
        _REPLIES.c.destination,
        _REPLIES.c.message,
        _REPLIES.c.attempts,
        _REPLIES.c.created_at,
        _REPLIES.c.tenant_id,
        _REPLIES.c.person,
    )
)


@dataclass(frozen=True, slots=True)
class Kept:
    """One reply in the outbox: what an adapter needs to send it."""

    id: str
    destination: dict[str, Any]
    message: dict[str, Any]
    attempts: int
    created_at: datetime
    tenant_id: str | None = None
    person: str | None = None


async def keep(
    session: AsyncSession, replies: Sequence[tuple[object, dict[str, Any]]], now: datetime
) -> None:
    """Keep ``replies`` (each the reply object and its JSON form) for the delivery being
    processed, in the caller's transaction. Nothing when no delivery is processed or its
    adapter sends replies itself (the console)."""
    delivery = CURRENT_DELIVERY.get()
    if delivery is None or delivery.reply_to is None or not replies:
        return
    platform, tenant_id = owner_of(delivery.key)
    destination = json.dumps(delivery.reply_to)
    rows = []
    kept = pending(session, delivery).kept
    for reply, form in replies:
        row_id = uuid.uuid4().hex
        rows.append(
            {
                "id": row_id,
                "platform": platform,
                "created_at": now,
                "tenant_id": tenant_id,
                "person": delivery.person,
                "destination": destination,
                "message": json.dumps(form),
                "attempts": 0,
                "next_attempt_at": now,
                "lease_until": now + LEASE,
            }
        )
        kept.append((row_id, reply))
    await session.execute(_KEEP, rows)


async def claim(session: AsyncSession, ids: Sequence[str]) -> list[Kept]:
    """Take rows out of the outbox for a send that happens at most once; the rows this
    call deleted (of two concurrent claims of one row, only one gets it back)."""
    if not ids:
        return []
    taken = await session.execute(_CLAIM, {"ids": list(ids)})
    return [
        Kept(row_id, json.loads(where), json.loads(what), attempts, created, tenant, person)
        for row_id, where, what, attempts, created, tenant, person in taken.all()
    ]


async def sent(session: AsyncSession, ids: Sequence[str]) -> None:
    """Replies sent (and found again by id should they be sent again): gone."""
    if ids:
        await session.execute(delete(Reply).where(Reply.id.in_(ids)))


async def retry(session: AsyncSession, reply: Kept, *, platform: str, now: datetime) -> bool:
    """A send failed: try again later, with backoff; False (and the reply dropped) once
    it is older than :data:`GIVE_UP_AFTER`. The row is written back if a claim took it."""
    if now - reply.created_at > GIVE_UP_AFTER:
        await session.execute(delete(Reply).where(Reply.id == reply.id))
        return False
    attempts = reply.attempts + 1
    wait = min(FIRST_BACKOFF * 2 ** (attempts - 1), LONGEST_BACKOFF)
    values = {"attempts": attempts, "next_attempt_at": now + wait, "lease_until": None}
    updated = await session.execute(
        update(Reply)
        .where(Reply.id == reply.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if max(getattr(updated, "rowcount", 0), 0) == 0:
        row = {
            "id": reply.id,
            "platform": platform,
            "created_at": reply.created_at,
            "tenant_id": reply.tenant_id,
            "person": reply.person,
            "destination": json.dumps(reply.destination),
            "message": json.dumps(reply.message),
            **values,
        }
        await session.execute(insert(Reply), [row])
    return True


def _due(platform: str, now: datetime) -> ColumnElement[bool]:
    return and_(
        Reply.platform == platform,
        or_(Reply.next_attempt_at.is_(None), Reply.next_attempt_at <= now),
        or_(Reply.lease_until.is_(None), Reply.lease_until < now),
    )


async def take_over(
    session: AsyncSession, platform: str, now: datetime, lease_until: datetime, limit: int
) -> list[Kept]:
    """Replies of ``platform`` due and held by nobody, now leased to the caller, oldest
    first; a concurrent taker loses the race on the conditional update."""
    rows = (
        (
            await session.execute(
                select(Reply).where(_due(platform, now)).order_by(Reply.created_at).limit(limit)
            )
        )
        .scalars()
        .all()
    )
    taken: list[Kept] = []
    for row in rows:
        result = await session.execute(
            update(Reply)
            .where(Reply.id == row.id, _due(platform, now))
            .values(lease_until=lease_until)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) == 1:
            taken.append(_kept(row))
    return taken


@dataclass(frozen=True, slots=True)
class Pending:
    """What ``/metrics`` says about the outbox."""

    waiting: int
    oldest_since: datetime | None


async def waiting(session: AsyncSession) -> Pending:
    count, oldest = (await session.execute(select(func.count(), func.min(Reply.created_at)))).one()
    return Pending(int(count), oldest)


async def forget_person(
    session: AsyncSession, *, platform: str, tenant_id: str, person: str
) -> int:
    """Erasure and opt-out: unsent replies to the person go unsent."""
    result = await session.execute(
        delete(Reply).where(
            Reply.platform == platform, Reply.tenant_id == tenant_id, Reply.person == person
        )
    )
    return max(getattr(result, "rowcount", 0), 0)


def owner_of(delivery_key: str) -> tuple[str, str | None]:
    """The platform and tenant of a delivery key (``platform:tenant:event``)."""
    platform, _, rest = delivery_key.partition(":")
    return platform, rest.partition(":")[0] or None


def _kept(row: Reply) -> Kept:
    return Kept(
        id=row.id,
        destination=json.loads(row.destination),
        message=json.loads(row.message),
        attempts=row.attempts,
        created_at=row.created_at,
        tenant_id=row.tenant_id,
        person=row.person,
    )
