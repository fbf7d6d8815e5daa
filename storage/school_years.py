"""Closing a school year: its figures kept as history, its rounds ended, its PLGs
waiting for their leads to say whether they carry on (bot.staff.school_year).

Nothing of the year is deleted here: interactions, replies and weekly digests stay
under the retention rules, and the dashboard keeps showing them as history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PLG, Interaction, Membership, QuestionRound, SchoolYear
from storage.staff import withdrawn_ids

# A round that still posts; ending it is the "cancelled" a lead's ``ronde stop`` gives.
_RUNNING = ("scheduled", "paused")


@dataclass(frozen=True, slots=True)
class PLGYear:
    """One PLG's year: members, interactions about it, and colleagues outside it whom
    those interactions reached."""

    plg_id: int
    name: str
    members: int
    interactions: int
    reached: int


async def last_closed(session: AsyncSession, school_id: int) -> SchoolYear | None:
    return await session.scalar(
        select(SchoolYear)
        .where(SchoolYear.school_id == school_id)
        .order_by(SchoolYear.closed_at.desc())
        .limit(1)
    )


async def closed_years(session: AsyncSession, school_id: int) -> Sequence[SchoolYear]:
    return (
        await session.scalars(
            select(SchoolYear)
            .where(SchoolYear.school_id == school_id)
            .order_by(SchoolYear.closed_at.desc())
        )
    ).all()


async def plg_figures(
    session: AsyncSession, school_id: int, *, since: datetime, until: datetime
) -> list[PLGYear]:
    """Every open PLG's year, in two GROUP BYs."""
    withdrawn = withdrawn_ids()
    window = [
        Interaction.school_id == school_id,
        Interaction.occurred_at >= since,
        Interaction.occurred_at < until,
        Interaction.source_id.not_in(withdrawn),
        Interaction.target_id.not_in(withdrawn),
    ]
    members = (
        select(Membership.plg_id, func.count().label("n")).group_by(Membership.plg_id).subquery()
    )
    outside = (
        ~select(Membership.person_id)
        .where(
            Membership.plg_id == Interaction.plg_id, Membership.person_id == Interaction.target_id
        )
        .exists()
    )
    counts = {
        plg_id: (int(n), int(reached))
        for plg_id, n, reached in await session.execute(
            select(
                Interaction.plg_id,
                func.count(),
                func.count(distinct(Interaction.target_id)).filter(outside),
            )
            .where(*window, Interaction.plg_id.is_not(None))
            .group_by(Interaction.plg_id)
        )
    }
    rows = await session.execute(
        select(PLG.id, PLG.name, func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.plg_id == PLG.id)
        .where(PLG.school_id == school_id, PLG.closed_at.is_(None))
        .order_by(PLG.name)
    )
    return [PLGYear(plg_id, name, int(n), *counts.get(plg_id, (0, 0))) for plg_id, name, n in rows]


async def close_year(
    session: AsyncSession,
    *,
    school_id: int,
    name: str,
    started_at: datetime,
    now: datetime,
    summary: dict[str, Any],
) -> SchoolYear:
    """Keep the year's figures, end its rounds, and ask about its PLGs (each open PLG
    waits for its leads' answer, ``PLG.year_decision``)."""
    year = SchoolYear(
        school_id=school_id, name=name, started_at=started_at, closed_at=now, summary=summary
    )
    session.add(year)
    await session.execute(
        update(QuestionRound)
        .where(QuestionRound.school_id == school_id, QuestionRound.status.in_(_RUNNING))
        .values(status="cancelled")
    )
    await session.execute(
        update(PLG)
        .where(PLG.school_id == school_id, PLG.closed_at.is_(None))
        .values(year_decision=name)
    )
    await session.flush()
    return year


async def running_rounds(session: AsyncSession, school_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(QuestionRound)
            .where(QuestionRound.school_id == school_id, QuestionRound.status.in_(_RUNNING))
        )
        or 0
    )


async def awaiting_decision(session: AsyncSession, school_id: int) -> Sequence[PLG]:
    """The PLGs whose leads have not yet said whether they carry on."""
    return (
        await session.scalars(
            select(PLG)
            .where(PLG.school_id == school_id, PLG.year_decision.is_not(None))
            .order_by(PLG.name)
        )
    ).all()


def decide(plg: PLG, *, carry_on: bool, now: datetime) -> None:
    plg.year_decision = None
    if not carry_on:
        plg.closed_at = now
