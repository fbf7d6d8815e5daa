"""Nudges sent to key figures, their answers, follow-through, and who stopped them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Interaction, Nudge, NudgeStop
from storage.upsert import insert_ignoring_conflicts


@dataclass(frozen=True, slots=True)
class NudgeStats:
    """For the digest: nudges sent in a period, and how many were followed."""

    sent: int
    followed: int

    @property
    def follow_rate(self) -> float:
        return self.followed / self.sent if self.sent else 0.0


async def record_nudge(
    session: AsyncSession,
    *,
    school_id: int,
    person_id: int,
    week_start: datetime,
    sent_at: datetime,
    missing: int,
    plg_id: int | None,
    message_id: str,
) -> None:
    """Store a sent nudge; one per person and week (the unique key)."""
    await insert_ignoring_conflicts(
        session,
        Nudge,
        [
            {
                "school_id": school_id,
                "person_id": person_id,
                "week_start": week_start,
                "sent_at": sent_at,
                "missing": missing,
                "plg_id": plg_id,
                "message_id": message_id,
            }
        ],
        ["person_id", "week_start"],
    )


async def nudge_of_week(
    session: AsyncSession, *, person_id: int, week_start: datetime
) -> Nudge | None:
    return await session.scalar(
        select(Nudge).where(Nudge.person_id == person_id, Nudge.week_start == week_start)
    )


async def last_nudge(session: AsyncSession, person_id: int) -> Nudge | None:
    return await session.scalar(
        select(Nudge).where(Nudge.person_id == person_id).order_by(Nudge.sent_at.desc()).limit(1)
    )


async def is_stopped(session: AsyncSession, person_id: int) -> bool:
    return await session.get(NudgeStop, person_id) is not None


async def stop_nudges(session: AsyncSession, person_id: int, now: datetime) -> bool:
    """True if they had not stopped them already."""
    return bool(
        await insert_ignoring_conflicts(
            session, NudgeStop, [{"person_id": person_id, "stopped_at": now}], ["person_id"]
        )
    )


async def restart_nudges(session: AsyncSession, person_id: int) -> bool:
    """True if they had stopped them."""
    result = await session.execute(delete(NudgeStop).where(NudgeStop.person_id == person_id))
    return max(getattr(result, "rowcount", 0), 0) > 0


async def mark_followed(
    session: AsyncSession, *, school_id: int, now: datetime, follow_days: int
) -> int:
    """Find the nudges followed since last time: the person shared a missing type
    within ``follow_days`` of the nudge. Stores the first such moment; returns how
    many nudges were newly followed."""
    period = timedelta(days=follow_days)
    pending = (
        await session.scalars(
            select(Nudge).where(
                Nudge.school_id == school_id,
                Nudge.followed_at.is_(None),
                # Older ones had their chance at earlier runs (even if a few were missed).
                Nudge.sent_at >= now - period - timedelta(days=28),
            )
        )
    ).all()
    followed = 0
    for nudge in pending:
        first = await session.scalar(
            select(func.min(Interaction.occurred_at)).where(
                Interaction.source_id == nudge.person_id,
                Interaction.occurred_at >= nudge.sent_at,
                Interaction.occurred_at <= nudge.sent_at + period,
                Interaction.knowledge.op("&")(nudge.missing) != 0,
            )
        )
        if first is not None:
            nudge.followed_at = first
            followed += 1
    await session.flush()
    return followed


async def nudge_stats(
    session: AsyncSession, *, school_id: int, since: datetime, until: datetime
) -> NudgeStats:
    """Nudges sent in ``[since, until)`` and how many of those were followed (call
    :func:`mark_followed` first for an up-to-date count)."""
    row = (
        await session.execute(
            select(func.count(), func.count(Nudge.followed_at)).where(
                Nudge.school_id == school_id, Nudge.sent_at >= since, Nudge.sent_at < until
            )
        )
    ).one()
    return NudgeStats(sent=int(row[0]), followed=int(row[1]))
