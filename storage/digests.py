"""The queries behind the weekly coordinator digest (bot/digest.py), and its history.

Every figure is aggregated in the database (GROUP BY, counts over index ranges); the
core receives a handful of rows per school and week. People who opted out are left
out everywhere: as staff, as either end of an interaction, as a key figure.

Stored history (``digest_weeks``, ``digest_key_figures``) holds aggregates only; key
figures are kept by person id, never by name, and :func:`forget_person` removes them.

For the dashboard: :func:`history` gives a school's stored weeks (oldest first),
:func:`key_figures_of_week` the key figures one of them showed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, delete, func, literal, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from storage.interactions import KNOWLEDGE_BITS
from storage.models import (
    PLG,
    DigestKeyFigure,
    DigestWeek,
    Interaction,
    Nudge,
    Occurrence,
    Person,
    QuestionRound,
    RoundOccurrence,
    RoundReply,
    School,
)

# Knowledge bit order of every ``knowledge`` tuple here: focus, process, outcomes,
# benefits, organisation (bot.knowledge.ALL_TYPES).
KnowledgeCounts = tuple[int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class GroupCount:
    """Staff of one role and department, and how many of them had an interaction."""

    role: str
    department: str | None
    staff: int
    active: int


@dataclass(frozen=True, slots=True)
class WeekActivity:
    """Interactions in one period and how many carried each knowledge type."""

    interactions: int
    knowledge: KnowledgeCounts


@dataclass(frozen=True, slots=True)
class RoundActivity:
    """A question-round posting open during the period, with its reply counts
    (``colleagues`` is 0 for anonymous rounds: no author is stored)."""

    round_id: int
    occurrence_id: int
    plg: str
    question: str
    anonymous: bool
    due_at: datetime
    closes_at: datetime
    replies: int
    colleagues: int


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


# The scheduler's occurrence kinds for digest copies (scheduler/digests.py).
DIGEST_KINDS = ("digest", "digest.board")

_TYPE_COLUMNS = ("focus", "process", "outcomes", "benefits", "organisation")


def _opted_out() -> ColumnElement[bool]:
    return Person.opted_out_at.is_not(None)


def _both_ends_in(school_id: int, since: datetime, until: datetime) -> list[ColumnElement[bool]]:
    opted = select(Person.id).where(_opted_out())
    return [
        Interaction.school_id == school_id,
        Interaction.occurred_at >= since,
        Interaction.occurred_at < until,
        Interaction.source_id.not_in(opted),
        Interaction.target_id.not_in(opted),
    ]


async def participation_groups(
    session: AsyncSession, school_id: int, *, since: datetime, until: datetime
) -> list[GroupCount]:
    """Staff (not opted out) per role and department, and how many of them sent or
    received an interaction in ``[since, until)``: one GROUP BY."""
    window = _both_ends_in(school_id, since, until)
    active = union(
        select(Interaction.source_id.label("person_id")).where(*window),
        select(Interaction.target_id.label("person_id")).where(*window),
    ).subquery()
    rows = await session.execute(
        select(
            Person.role, Person.department, func.count(Person.id), func.count(active.c.person_id)
        )
        .outerjoin(active, active.c.person_id == Person.id)
        .where(Person.school_id == school_id, Person.opted_out_at.is_(None))
        .group_by(Person.role, Person.department)
        .order_by(Person.role, Person.department)
    )
    return [GroupCount(role, dept, int(staff), int(n)) for role, dept, staff, n in rows]


async def weekly_activity(
    session: AsyncSession, school_id: int, bounds: Sequence[datetime]
) -> list[WeekActivity]:
    """Interactions and knowledge-type counts for each period between consecutive
    ``bounds`` (ascending), all in one GROUP BY over the whole range."""
    periods = len(bounds) - 1
    if periods < 1:
        return []
    bucket = case(
        *((Interaction.occurred_at < bound, index) for index, bound in enumerate(bounds[1:])),
        else_=literal(periods),
    )
    types = [
        func.sum(case((Interaction.knowledge.op("&")(bit) != 0, 1), else_=0))
        for bit in KNOWLEDGE_BITS
    ]
    rows = await session.execute(
        select(bucket.label("bucket"), func.count(), *types)
        .where(*_both_ends_in(school_id, bounds[0], bounds[-1]))
        .group_by(bucket)
    )
    found = {int(b): (int(n), tuple(int(c or 0) for c in counts)) for b, n, *counts in rows}
    result = []
    for index in range(periods):
        n, counts = found.get(index, (0, (0, 0, 0, 0, 0)))
        result.append(WeekActivity(n, (counts[0], counts[1], counts[2], counts[3], counts[4])))
    return result


def _low() -> ColumnElement[int]:
    return case(
        (Interaction.source_id < Interaction.target_id, Interaction.source_id),
        else_=Interaction.target_id,
    )


def _high() -> ColumnElement[int]:
    return case(
        (Interaction.source_id < Interaction.target_id, Interaction.target_id),
        else_=Interaction.source_id,
    )


async def new_tie_count(
    session: AsyncSession, school_id: int, *, since: datetime, until: datetime
) -> int:
    """Colleague pairs whose first interaction ever (either way) fell in
    ``[since, until)``."""
    opted = select(Person.id).where(_opted_out())
    low, high = _low(), _high()
    pairs = (
        select(low.label("low"), high.label("high"))
        .where(
            Interaction.school_id == school_id,
            Interaction.occurred_at < until,
            Interaction.source_id.not_in(opted),
            Interaction.target_id.not_in(opted),
        )
        .group_by(low, high)
        .having(func.min(Interaction.occurred_at) >= since)
        .subquery()
    )
    return int(await session.scalar(select(func.count()).select_from(pairs)) or 0)


async def nudge_counts(
    session: AsyncSession, school_id: int, *, since: datetime, until: datetime
) -> tuple[int, int]:
    """(nudges sent in ``[since, until)``, nudges followed in it): a nudge counts as
    followed in the week its person shared a missing type."""
    sent = func.count().filter(Nudge.sent_at >= since, Nudge.sent_at < until)
    followed = func.count().filter(Nudge.followed_at >= since, Nudge.followed_at < until)
    row = (
        await session.execute(
            select(sent, followed).where(
                Nudge.school_id == school_id,
                or_(
                    Nudge.sent_at.between(since, until),
                    Nudge.followed_at.between(since, until),
                ),
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def round_activity(
    session: AsyncSession, school_id: int, *, since: datetime, until: datetime
) -> list[RoundActivity]:
    """Question-round postings open at some moment of ``[since, until)`` (posted before
    its end, closing after its start), with reply and replier counts."""
    rows = await session.execute(
        select(
            QuestionRound.id,
            RoundOccurrence.id,
            PLG.name,
            RoundOccurrence.question,
            QuestionRound.anonymous,
            RoundOccurrence.due_at,
            RoundOccurrence.closes_at,
            func.count(RoundReply.id),
            func.count(func.distinct(RoundReply.author_id)),
        )
        .join(QuestionRound, QuestionRound.id == RoundOccurrence.round_id)
        .join(PLG, PLG.id == QuestionRound.plg_id)
        .outerjoin(RoundReply, RoundReply.occurrence_id == RoundOccurrence.id)
        .where(
            QuestionRound.school_id == school_id,
            RoundOccurrence.status != "cancelled",
            RoundOccurrence.due_at < until,
            RoundOccurrence.closes_at >= since,
        )
        .group_by(
            QuestionRound.id,
            RoundOccurrence.id,
            PLG.name,
            RoundOccurrence.question,
            QuestionRound.anonymous,
            RoundOccurrence.due_at,
            RoundOccurrence.closes_at,
        )
        .order_by(RoundOccurrence.due_at, RoundOccurrence.id)
    )
    return [
        RoundActivity(r, o, plg, q, bool(anon), due, closes, int(n), int(c))
        for r, o, plg, q, anon, due, closes, n, c in rows
    ]


async def coordinators(session: AsyncSession, school_id: int) -> Sequence[Person]:
    """The school's coordinators who have not opted out: who gets the digest."""
    return (
        await session.scalars(
            select(Person)
            .where(
                Person.school_id == school_id,
                Person.role == "coordinator",
                Person.opted_out_at.is_(None),
            )
            .order_by(Person.id)
        )
    ).all()


async def schools_of_board(session: AsyncSession, board: str) -> Sequence[School]:
    """The schools of a board (``schools.board``), by name."""
    return (
        await session.scalars(select(School).where(School.board == board).order_by(School.name))
    ).all()


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
