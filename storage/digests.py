"""The queries behind the weekly coordinator digest (bot/digest/weekly.py); its stored history
is :mod:`storage.digest_history`.

Every figure is aggregated in the database (GROUP BY, counts over index ranges); the
core receives a handful of rows per school and week. People who opted out are left
out everywhere: as staff, as either end of an interaction, as a key figure.

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, String, case, cast, func, literal, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from storage.interactions import KNOWLEDGE_BITS
from storage.models import (
    PLG,
    Interaction,
    Nudge,
    Person,
    QuestionRound,
    RoundOccurrence,
    RoundReply,
    School,
)
from storage.staff import on_staff, present, withdrawn_ids

# Knowledge bit order of every ``knowledge`` tuple here: focus, process, outcomes,
# benefits, organisation (bot.knowledge.types.ALL_TYPES).
KnowledgeCounts = tuple[int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class GroupCount:
    """Staff of one role, department and start year in education, and how many of them
    had an interaction."""

    role: str
    department: str | None
    staff: int
    active: int
    career_start: int | None = None


@dataclass(frozen=True, slots=True)
class WeekActivity:
    """Interactions in one period and how many carried each knowledge type."""

    interactions: int
    knowledge: KnowledgeCounts
    # Conversations filed under no PLG: they count for no PLG's reach.
    without_plg: int = 0


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


# The scheduler's occurrence kinds for digest copies (scheduler/digests.py).
DIGEST_KINDS = ("digest", "digest.board")


def _both_ends_in(school_id: int, since: datetime, until: datetime) -> list[ColumnElement[bool]]:
    opted = withdrawn_ids()
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
    """Staff per role, department and start year (storage.staff: on the roster by
    ``until`` once there is one, not opted out, not left), and how many of them sent or
    received an interaction in ``[since, until)``: one GROUP BY."""
    window = _both_ends_in(school_id, since, until)
    active = union(
        select(Interaction.source_id.label("person_id")).where(*window),
        select(Interaction.target_id.label("person_id")).where(*window),
    ).subquery()
    rows = await session.execute(
        select(
            Person.role,
            Person.department,
            Person.career_start,
            func.count(Person.id),
            func.count(active.c.person_id),
        )
        .outerjoin(active, active.c.person_id == Person.id)
        .where(on_staff(school_id, until))
        .group_by(Person.role, Person.department, Person.career_start)
        .order_by(Person.role, Person.department, Person.career_start)
    )
    return [
        GroupCount(role, dept, int(staff), int(n), start) for role, dept, start, staff, n in rows
    ]


async def weekly_activity(
    session: AsyncSession, school_id: int, bounds: Sequence[datetime]
) -> list[WeekActivity]:
    """Conversations and knowledge-type counts for each period between consecutive
    ``bounds`` (ascending), all in one GROUP BY over the whole range."""
    periods = len(bounds) - 1
    if periods < 1:
        return []
    bucket = case(
        *((Interaction.occurred_at < bound, index) for index, bound in enumerate(bounds[1:])),
        else_=literal(periods),
    )
    # One conversation is one count, though "discussed" (or two reports merged into
    # one, storage.reports) stores an edge each way: the rows of one message between
    # one pair are one conversation; a row without a message (imported) stands alone.
    message = func.coalesce(Interaction.message_key, cast(Interaction.id, String))
    conversations = (
        select(
            bucket.label("bucket"),
            *(
                func.max(Interaction.knowledge.op("&")(bit)).label(f"k{bit}")
                for bit in KNOWLEDGE_BITS
            ),
            # 1 when none of the conversation's edges has a PLG.
            func.min(case((Interaction.plg_id.is_(None), 1), else_=0)).label("no_plg"),
        )
        .where(*_both_ends_in(school_id, bounds[0], bounds[-1]))
        .group_by(bucket, message, _low(), _high())
        .subquery()
    )
    types = [
        func.sum(case((conversations.c[f"k{bit}"] != 0, 1), else_=0)) for bit in KNOWLEDGE_BITS
    ]
    rows = await session.execute(
        select(
            conversations.c.bucket,
            func.count(),
            func.sum(conversations.c.no_plg),
            *types,
        ).group_by(conversations.c.bucket)
    )
    found = {
        int(b): (int(n), int(none or 0), tuple(int(c or 0) for c in counts))
        for b, n, none, *counts in rows
    }
    result = []
    for index in range(periods):
        n, none, counts = found.get(index, (0, 0, (0, 0, 0, 0, 0)))
        knowledge = (counts[0], counts[1], counts[2], counts[3], counts[4])
        result.append(WeekActivity(n, knowledge, none))
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
    opted = withdrawn_ids()
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
                present(),
            )
            .order_by(Person.id)
        )
    ).all()


async def schools_of_board(session: AsyncSession, board: str) -> Sequence[School]:
    """The schools of a board (``schools.board``), by name."""
    return (
        await session.scalars(select(School).where(School.board == board).order_by(School.name))
    ).all()
