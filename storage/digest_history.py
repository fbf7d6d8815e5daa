"""A school's digests kept for history (``digest_weeks``, ``digest_key_figures``):
aggregates only; key figures are kept by person id, never by name, and
:func:`forget_person` removes them.

For the dashboard: :func:`history` gives a school's stored weeks (oldest first),
:func:`key_figures_of_week` the key figures one of them showed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.digests import DIGEST_KINDS, KnowledgeCounts
from storage.models import DigestKeyFigure, DigestWeek, Occurrence


@dataclass(frozen=True, slots=True)
class StoredKeyFigure:
    person_id: int
    rank: int
    profile: str
    degree: int
    reciprocal_ties: int


@dataclass(frozen=True, slots=True)
class WeekFigures:
    """One school's digest figures for one ISO week, as stored in ``digest_weeks``.

    ``ties``/``reciprocal_ties`` are colleague pairs in the analysis window ending with
    the week (a pair counts once, reciprocal when knowledge went both ways);
    ``knowledge`` counts the week's interactions per type (see ``KnowledgeCounts``)."""

    school_id: int
    week: str
    week_start: datetime
    staff: int
    active: int
    interactions: int
    new_ties: int
    ties: int
    reciprocal_ties: int
    knowledge: KnowledgeCounts
    nudges_sent: int
    nudges_followed: int
    holiday: bool

    @property
    def participation(self) -> float:
        return self.active / self.staff if self.staff else 0.0

    @property
    def reciprocity(self) -> float:
        return self.reciprocal_ties / self.ties if self.ties else 0.0


_TYPE_COLUMNS = ("focus", "process", "outcomes", "benefits", "organisation")


async def save_week(
    session: AsyncSession,
    figures: WeekFigures,
    key_figures: Sequence[StoredKeyFigure],
    *,
    now: datetime,
) -> None:
    """Store (or replace) a school's figures for a week and the key figures shown."""
    row = await session.scalar(
        select(DigestWeek).where(
            DigestWeek.school_id == figures.school_id, DigestWeek.week == figures.week
        )
    )
    if row is None:
        row = DigestWeek(school_id=figures.school_id, week=figures.week)
        session.add(row)
    row.week_start = figures.week_start
    for name in (
        "staff",
        "active",
        "interactions",
        "new_ties",
        "ties",
        "reciprocal_ties",
        "nudges_sent",
        "nudges_followed",
        "holiday",
    ):
        setattr(row, name, getattr(figures, name))
    for name, count in zip(_TYPE_COLUMNS, figures.knowledge, strict=True):
        setattr(row, name, count)
    row.computed_at = now
    await session.flush()
    await session.execute(delete(DigestKeyFigure).where(DigestKeyFigure.digest_id == row.id))
    session.add_all(
        DigestKeyFigure(
            digest_id=row.id,
            person_id=k.person_id,
            rank=k.rank,
            profile=k.profile,
            degree=k.degree,
            reciprocal_ties=k.reciprocal_ties,
        )
        for k in key_figures
    )
    await session.flush()


def _figures(row: DigestWeek) -> WeekFigures:
    return WeekFigures(
        school_id=row.school_id,
        week=row.week,
        week_start=row.week_start,
        staff=row.staff,
        active=row.active,
        interactions=row.interactions,
        new_ties=row.new_ties,
        ties=row.ties,
        reciprocal_ties=row.reciprocal_ties,
        knowledge=(row.focus, row.process, row.outcomes, row.benefits, row.organisation),
        nudges_sent=row.nudges_sent,
        nudges_followed=row.nudges_followed,
        holiday=row.holiday,
    )


async def history(
    session: AsyncSession, school_id: int, *, weeks: int | None = None
) -> list[WeekFigures]:
    """The school's stored digest weeks, oldest first (the last ``weeks`` of them)."""
    query = (
        select(DigestWeek)
        .where(DigestWeek.school_id == school_id)
        .order_by(DigestWeek.week_start.desc())
    )
    if weeks is not None:
        query = query.limit(weeks)
    rows = (await session.scalars(query)).all()
    return [_figures(row) for row in reversed(rows)]


async def stored_week(session: AsyncSession, school_id: int, week: str) -> WeekFigures | None:
    row = await session.scalar(
        select(DigestWeek).where(DigestWeek.school_id == school_id, DigestWeek.week == week)
    )
    return _figures(row) if row is not None else None


async def key_figures_of_week(
    session: AsyncSession, school_id: int, week: str
) -> list[StoredKeyFigure]:
    """The key figures a stored digest week showed, by rank (person ids, no names)."""
    rows = await session.scalars(
        select(DigestKeyFigure)
        .join(DigestWeek, DigestWeek.id == DigestKeyFigure.digest_id)
        .where(DigestWeek.school_id == school_id, DigestWeek.week == week)
        .order_by(DigestKeyFigure.rank)
    )
    return [
        StoredKeyFigure(k.person_id, k.rank, k.profile, k.degree, k.reciprocal_ties) for k in rows
    ]


async def forget_person(session: AsyncSession, person_id: int) -> None:
    """Remove the person from every stored digest (erasure, design.md Privacy), and the
    scheduler's claims of the digests sent to them (keys ``<school>:<week>:p<id>``).
    The weeks' aggregate counts stay: they name nobody."""
    await session.execute(delete(DigestKeyFigure).where(DigestKeyFigure.person_id == person_id))
    await session.execute(
        delete(Occurrence).where(
            Occurrence.kind.in_(DIGEST_KINDS), Occurrence.key.like(f"%:p{person_id}")
        )
    )
