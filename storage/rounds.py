"""Question rounds, their occurrences, where they were posted, and the replies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Channel,
    Occurrence,
    Person,
    QuestionRound,
    RoundOccurrence,
    RoundPost,
    RoundReply,
    School,
)
from storage.upsert import insert_ignoring_conflicts

ACTIVE = "scheduled"


@dataclass(frozen=True, slots=True)
class ReplyCounts:
    """How a round is going, without saying who: replies, distinct colleagues and
    distinct departments (the last two are 0 for anonymous rounds)."""

    replies: int
    colleagues: int
    departments: int


async def find_round(session: AsyncSession, school_id: int, round_id: int) -> QuestionRound | None:
    found = await session.get(QuestionRound, round_id)
    return found if found is not None and found.school_id == school_id else None


async def rounds_of_school(session: AsyncSession, school_id: int) -> Sequence[QuestionRound]:
    return (
        await session.scalars(
            select(QuestionRound)
            .where(QuestionRound.school_id == school_id)
            .order_by(QuestionRound.id)
        )
    ).all()


async def rounds_to_schedule(session: AsyncSession) -> Sequence[tuple[QuestionRound, School]]:
    """Rounds that may still post or close: scheduled ones, and any with an open
    occurrence (a paused round's current question still closes with an agenda)."""
    has_open = (
        select(RoundOccurrence.id)
        .where(RoundOccurrence.round_id == QuestionRound.id, RoundOccurrence.status == "open")
        .exists()
    )
    rows = await session.execute(
        select(QuestionRound, School)
        .join(School, School.id == QuestionRound.school_id)
        .where(or_(QuestionRound.status == ACTIVE, has_open))
        .order_by(QuestionRound.id)
    )
    return [(r, s) for r, s in rows]


async def ensure_occurrence(
    session: AsyncSession,
    *,
    round_id: int,
    due_at: datetime,
    halfway_at: datetime,
    closes_at: datetime,
    question: str,
) -> RoundOccurrence:
    """The occurrence of ``round_id`` due at ``due_at``, created once."""
    await insert_ignoring_conflicts(
        session,
        RoundOccurrence,
        [
            {
                "round_id": round_id,
                "due_at": due_at,
                "halfway_at": halfway_at,
                "closes_at": closes_at,
                "question": question,
                "status": "open",
            }
        ],
        ["round_id", "due_at"],
    )
    found = await session.scalar(
        select(RoundOccurrence).where(
            RoundOccurrence.round_id == round_id, RoundOccurrence.due_at == due_at
        )
    )
    assert found is not None
    return found


async def occurrences_of(
    session: AsyncSession, round_id: int, *, status: str | None = None
) -> Sequence[RoundOccurrence]:
    query = select(RoundOccurrence).where(RoundOccurrence.round_id == round_id)
    if status is not None:
        query = query.where(RoundOccurrence.status == status)
    return (await session.scalars(query.order_by(RoundOccurrence.due_at))).all()


async def open_occurrence(session: AsyncSession, round_id: int) -> RoundOccurrence | None:
    """The round's current open occurrence (the latest, if several overlap)."""
    found = await occurrences_of(session, round_id, status="open")
    return found[-1] if found else None


async def latest_occurrence(session: AsyncSession, round_id: int) -> RoundOccurrence | None:
    found = await occurrences_of(session, round_id)
    return found[-1] if found else None


async def close_occurrence(
    session: AsyncSession, occurrence_id: int, *, now: datetime, status: str = "closed"
) -> bool:
    """Close an open occurrence; True only for the one caller that closed it."""
    result = await session.execute(
        update(RoundOccurrence)
        .where(RoundOccurrence.id == occurrence_id, RoundOccurrence.status == "open")
        .values(status=status, closed_at=now)
    )
    return max(getattr(result, "rowcount", 0), 0) == 1


async def still_to_post(session: AsyncSession, round_id: int, occurrence_id: int) -> bool:
    """Whether an occurrence prepared ahead is still to be posted: its round is still
    scheduled and the occurrence open (not paused or cancelled meanwhile)."""
    found = await session.scalar(
        select(RoundOccurrence.id)
        .join(QuestionRound, QuestionRound.id == RoundOccurrence.round_id)
        .where(
            RoundOccurrence.id == occurrence_id,
            RoundOccurrence.round_id == round_id,
            RoundOccurrence.status == "open",
            QuestionRound.status == ACTIVE,
        )
    )
    return found is not None


async def record_round_post(
    session: AsyncSession,
    *,
    occurrence_id: int,
    channel_id: int,
    platform_message_id: str,
    posted_at: datetime,
) -> None:
    await insert_ignoring_conflicts(
        session,
        RoundPost,
        [
            {
                "occurrence_id": occurrence_id,
                "channel_id": channel_id,
                "platform_message_id": platform_message_id,
                "posted_at": posted_at,
            }
        ],
        ["channel_id", "platform_message_id"],
    )


async def posts_of(
    session: AsyncSession, occurrence_id: int
) -> Sequence[tuple[RoundPost, Channel]]:
    rows = await session.execute(
        select(RoundPost, Channel)
        .join(Channel, Channel.id == RoundPost.channel_id)
        .where(RoundPost.occurrence_id == occurrence_id)
        .order_by(RoundPost.id)
    )
    return [(p, c) for p, c in rows]


async def occurrence_of_post(
    session: AsyncSession, school_id: int, platform_channel_id: str, platform_message_id: str
) -> RoundOccurrence | None:
    """The round occurrence posted as this message (a thread reply's parent)."""
    return await session.scalar(
        select(RoundOccurrence)
        .join(RoundPost, RoundPost.occurrence_id == RoundOccurrence.id)
        .join(Channel, Channel.id == RoundPost.channel_id)
        .where(
            Channel.school_id == school_id,
            Channel.platform_channel_id == platform_channel_id,
            RoundPost.platform_message_id == platform_message_id,
        )
    )


async def channels_by_id(session: AsyncSession, ids: Sequence[int]) -> Sequence[Channel]:
    if not ids:
        return []
    found = {c.id: c for c in await session.scalars(select(Channel).where(Channel.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


async def channels_of_school(session: AsyncSession, school_id: int) -> Sequence[Channel]:
    return (
        await session.scalars(
            select(Channel).where(Channel.school_id == school_id).order_by(Channel.name)
        )
    ).all()


async def add_reply(
    session: AsyncSession,
    *,
    occurrence: RoundOccurrence,
    author_id: int | None,
    text: str,
    knowledge: int,
    now: datetime,
    message_key: str | None = None,
    edit_code_hash: str | None = None,
) -> RoundReply:
    reply = RoundReply(
        round_id=occurrence.round_id,
        occurrence_id=occurrence.id,
        author_id=author_id,
        text=text,
        knowledge=knowledge,
        message_key=message_key,
        edit_code_hash=edit_code_hash,
        created_at=now,
    )
    session.add(reply)
    await session.flush()
    return reply


async def replies_of(
    session: AsyncSession, occurrence_id: int
) -> Sequence[tuple[RoundReply, Person | None]]:
    """The occurrence's replies in the order they came, each with its author (None in
    anonymous rounds)."""
    rows = await session.execute(
        select(RoundReply, Person)
        .outerjoin(Person, Person.id == RoundReply.author_id)
        .where(RoundReply.occurrence_id == occurrence_id)
        .order_by(RoundReply.created_at, RoundReply.id)
    )
    return [(r, p) for r, p in rows]


async def first_reply_of(
    session: AsyncSession, occurrence_id: int, author_id: int
) -> RoundReply | None:
    return await session.scalar(
        select(RoundReply)
        .where(RoundReply.occurrence_id == occurrence_id, RoundReply.author_id == author_id)
        .order_by(RoundReply.created_at, RoundReply.id)
        .limit(1)
    )


async def latest_reply_of(
    session: AsyncSession, occurrence_id: int, author_id: int
) -> RoundReply | None:
    return await session.scalar(
        select(RoundReply)
        .where(RoundReply.occurrence_id == occurrence_id, RoundReply.author_id == author_id)
        .order_by(RoundReply.created_at.desc(), RoundReply.id.desc())
        .limit(1)
    )


async def reply_with_code(
    session: AsyncSession, occurrence_id: int, code_hash: str
) -> RoundReply | None:
    return await session.scalar(
        select(RoundReply).where(
            RoundReply.occurrence_id == occurrence_id, RoundReply.edit_code_hash == code_hash
        )
    )


async def replies_of_message(session: AsyncSession, message_key: str) -> Sequence[RoundReply]:
    return (
        await session.scalars(select(RoundReply).where(RoundReply.message_key == message_key))
    ).all()


async def reply_counts(session: AsyncSession, occurrence_id: int) -> ReplyCounts:
    row = (
        await session.execute(
            select(
                func.count(RoundReply.id),
                func.count(func.distinct(RoundReply.author_id)),
                func.count(func.distinct(Person.department)),
            )
            .outerjoin(Person, Person.id == RoundReply.author_id)
            .where(RoundReply.occurrence_id == occurrence_id)
        )
    ).one()
    return ReplyCounts(int(row[0]), int(row[1]), int(row[2]))


async def claims_of_round(
    session: AsyncSession, round_id: int, *, since: datetime
) -> dict[tuple[str, str, datetime], bool]:
    """The round's exactly-once claims due since ``since``: (kind, key, due) → done.
    Every claim key of a round starts with ``"{round_id}:"``."""
    rows = await session.execute(
        select(Occurrence.kind, Occurrence.key, Occurrence.due_at, Occurrence.done_at).where(
            Occurrence.kind.like("round%"),
            Occurrence.key.like(f"{round_id}:%"),
            Occurrence.due_at >= since,
        )
    )
    return {(kind, key, due): done is not None for kind, key, due, done in rows}
