"""Exactly-once bookkeeping for scheduled work (see models.Occurrence)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Occurrence
from storage.upsert import insert_ignoring_conflicts


async def claim_occurrence(
    session: AsyncSession, *, kind: str, key: str, due_at: datetime, now: datetime
) -> int | None:
    """Claim the occurrence; its id, or None if someone already claimed it. Commit the
    claim before doing the work: that commit is what keeps others away."""
    inserted = await insert_ignoring_conflicts(
        session,
        Occurrence,
        [{"kind": kind, "key": key, "due_at": due_at, "claimed_at": now}],
        ["kind", "key", "due_at"],
    )
    if not inserted:
        return None
    return await session.scalar(
        select(Occurrence.id).where(
            Occurrence.kind == kind, Occurrence.key == key, Occurrence.due_at == due_at
        )
    )


async def finish_occurrence(
    session: AsyncSession,
    occurrence_id: int,
    *,
    now: datetime,
    outcome: str = "done",
    result: str | None = None,
) -> None:
    """Mark the occurrence done with ``outcome`` (one statement: at a Monday 08:00 this
    runs once per post, right after it)."""
    finished = await session.execute(
        update(Occurrence)
        .where(Occurrence.id == occurrence_id)
        .values(done_at=now, outcome=outcome, result=result)
    )
    if max(getattr(finished, "rowcount", 0), 0) != 1:
        raise LookupError(f"no occurrence {occurrence_id}")


async def find_occurrence(
    session: AsyncSession, *, kind: str, key: str, due_at: datetime
) -> Occurrence | None:
    return await session.scalar(
        select(Occurrence).where(
            Occurrence.kind == kind, Occurrence.key == key, Occurrence.due_at == due_at
        )
    )


async def unconfirmed_occurrences(
    session: AsyncSession, *, kind: str | None = None
) -> Sequence[Occurrence]:
    """Claimed but never finished: the process died mid-way. Reconcile these."""
    query = select(Occurrence).where(Occurrence.done_at.is_(None)).order_by(Occurrence.due_at)
    if kind is not None:
        query = query.where(Occurrence.kind == kind)
    return (await session.scalars(query)).all()


async def take_over_occurrence(
    session: AsyncSession, occurrence_id: int, *, claimed_before: datetime, now: datetime
) -> bool:
    """Re-claim an unfinished occurrence whose claim is older than ``claimed_before``
    (its process died mid-way). True for exactly one of several concurrent callers:
    the update only matches while the old claim is still in place."""
    result = await session.execute(
        update(Occurrence)
        .where(
            Occurrence.id == occurrence_id,
            Occurrence.done_at.is_(None),
            Occurrence.claimed_at < claimed_before,
        )
        .values(claimed_at=now)
    )
    return max(getattr(result, "rowcount", 0), 0) == 1


# ``outcome`` of an occurrence whose send failed (the platform refused or was out of
# reach): not done, and safe to send again at once, since nothing went out.
RETRY = "retry"


async def release_occurrence(session: AsyncSession, occurrence_id: int) -> None:
    """The send failed: mark the claim as safe to take over and send again."""
    await session.execute(
        update(Occurrence)
        .where(Occurrence.id == occurrence_id, Occurrence.done_at.is_(None))
        .values(outcome=RETRY)
    )


async def retake_occurrence(session: AsyncSession, occurrence_id: int, *, now: datetime) -> bool:
    """Re-claim an occurrence whose send failed; True for exactly one caller."""
    result = await session.execute(
        update(Occurrence)
        .where(
            Occurrence.id == occurrence_id,
            Occurrence.done_at.is_(None),
            Occurrence.outcome == RETRY,
        )
        .values(claimed_at=now, outcome=None)
    )
    return max(getattr(result, "rowcount", 0), 0) == 1
