"""The coordinators' dashboard: one-time sign-in links, browser sessions, and the
questions its pages ask the database.

Links and sessions are stored by the SHA-256 of their secret only; the secret itself
exists in the person's chat and their browser cookie, never here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    PLG,
    DashboardLink,
    DashboardSession,
    Interaction,
    Person,
    QuestionRound,
    RoundOccurrence,
    RoundReply,
    School,
)
from storage.staff import present


class LinkState(Enum):
    """What a sign-in link is worth right now."""

    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


async def create_link(
    session: AsyncSession,
    *,
    token_hash: str,
    school_id: int,
    person_id: int,
    now: datetime,
    expires_at: datetime,
) -> None:
    session.add(
        DashboardLink(
            token_hash=token_hash,
            school_id=school_id,
            person_id=person_id,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def link_state(session: AsyncSession, token_hash: str, now: datetime) -> LinkState:
    """Whether the link could still sign someone in (without using it up)."""
    link = await session.get(DashboardLink, token_hash)
    if link is None:
        return LinkState.UNKNOWN
    if link.used_at is not None:
        return LinkState.USED
    if link.expires_at <= now:
        return LinkState.EXPIRED
    return LinkState.VALID


async def consume_link(
    session: AsyncSession, token_hash: str, now: datetime
) -> DashboardLink | None:
    """Use the link up and return it, or None when it is unknown, used or expired.
    The update only matches an unused, unexpired link, so of two requests racing with
    the same link exactly one gets it."""
    result = await session.execute(
        update(DashboardLink)
        .where(
            DashboardLink.token_hash == token_hash,
            DashboardLink.used_at.is_(None),
            DashboardLink.expires_at > now,
        )
        .values(used_at=now)
    )
    if max(getattr(result, "rowcount", 0), 0) != 1:
        return None
    return await session.get(DashboardLink, token_hash)


async def start_session(
    session: AsyncSession,
    *,
    session_hash: str,
    school_id: int,
    person_id: int,
    now: datetime,
    expires_at: datetime,
) -> None:
    session.add(
        DashboardSession(
            session_hash=session_hash,
            school_id=school_id,
            person_id=person_id,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def session_owner(
    session: AsyncSession, session_hash: str, now: datetime
) -> tuple[Person, School] | None:
    """Who holds this unexpired session, with their school."""
    row = (
        await session.execute(
            select(Person, School)
            .join(DashboardSession, DashboardSession.person_id == Person.id)
            .join(School, School.id == DashboardSession.school_id)
            .where(
                DashboardSession.session_hash == session_hash,
                DashboardSession.expires_at > now,
                # A person never moves school; checked anyway, it costs nothing.
                Person.school_id == DashboardSession.school_id,
            )
        )
    ).one_or_none()
    return (row[0], row[1]) if row is not None else None


async def end_session(session: AsyncSession, session_hash: str) -> None:
    await session.execute(
        delete(DashboardSession).where(DashboardSession.session_hash == session_hash)
    )


async def forget_expired(session: AsyncSession, now: datetime) -> None:
    """Drop expired links and sessions: they can never sign anyone in again."""
    await session.execute(delete(DashboardLink).where(DashboardLink.expires_at <= now))
    await session.execute(delete(DashboardSession).where(DashboardSession.expires_at <= now))


@dataclass(frozen=True, slots=True)
class Contact:
    """One interaction, as the trend charts need it: when, who to whom, which types."""

    occurred_at: datetime
    source_id: int
    target_id: int
    knowledge: int


async def contacts_in_window(
    session: AsyncSession,
    *,
    school_id: int,
    since: datetime,
    until: datetime,
    plg_id: int | None = None,
) -> list[Contact]:
    """Every interaction of the school in ``[since, until)`` (optionally about one
    PLG), oldest first. People who opted out are left out on both ends."""
    source, target = aliased(Person), aliased(Person)
    query = (
        select(
            Interaction.occurred_at,
            Interaction.source_id,
            Interaction.target_id,
            Interaction.knowledge,
        )
        .join(source, source.id == Interaction.source_id)
        .join(target, target.id == Interaction.target_id)
        .where(
            Interaction.school_id == school_id,
            Interaction.occurred_at >= since,
            Interaction.occurred_at < until,
            Interaction.source_id != Interaction.target_id,
            present(source),
            present(target),
        )
        .order_by(Interaction.occurred_at)
    )
    if plg_id is not None:
        query = query.where(Interaction.plg_id == plg_id)
    rows = await session.execute(query)
    return [Contact(at, s, t, k) for at, s, t, k in rows]


async def first_contacts(
    session: AsyncSession,
    *,
    school_id: int,
    since: datetime,
    until: datetime,
    plg_id: int | None = None,
) -> list[datetime]:
    """When each colleague pair first had contact (either way, ever), for the pairs
    whose first contact falls in ``[since, until)``: the window's new ties."""
    source, target = aliased(Person), aliased(Person)
    low = case(
        (Interaction.source_id < Interaction.target_id, Interaction.source_id),
        else_=Interaction.target_id,
    )
    high = case(
        (Interaction.source_id < Interaction.target_id, Interaction.target_id),
        else_=Interaction.source_id,
    )
    first = func.min(Interaction.occurred_at)
    query = (
        select(first)
        .join(source, source.id == Interaction.source_id)
        .join(target, target.id == Interaction.target_id)
        .where(
            Interaction.school_id == school_id,
            Interaction.occurred_at < until,
            Interaction.source_id != Interaction.target_id,
            present(source),
            present(target),
        )
        .group_by(low, high)
        .having(first >= since)
    )
    if plg_id is not None:
        query = query.where(Interaction.plg_id == plg_id)
    return [at for at in (await session.scalars(query)) if at is not None]


@dataclass(frozen=True, slots=True)
class Posting:
    """One posting of a question round and how many replies it got."""

    round_id: int
    plg: str
    question: str
    recurrence: str
    status: str
    anonymous: bool
    occurrence_id: int
    due_at: datetime
    closes_at: datetime
    occurrence_status: str
    replies: int


async def postings_of_school(
    session: AsyncSession, school_id: int, *, limit: int = 200
) -> list[Posting]:
    """The school's round postings, newest first, with their reply counts."""
    replies = (
        select(RoundReply.occurrence_id, func.count(RoundReply.id).label("replies"))
        .group_by(RoundReply.occurrence_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            QuestionRound.id,
            PLG.name,
            RoundOccurrence.question,
            QuestionRound.recurrence,
            QuestionRound.status,
            QuestionRound.anonymous,
            RoundOccurrence.id,
            RoundOccurrence.due_at,
            RoundOccurrence.closes_at,
            RoundOccurrence.status,
            func.coalesce(replies.c.replies, 0),
        )
        .join(RoundOccurrence, RoundOccurrence.round_id == QuestionRound.id)
        .join(PLG, PLG.id == QuestionRound.plg_id)
        .outerjoin(replies, replies.c.occurrence_id == RoundOccurrence.id)
        .where(QuestionRound.school_id == school_id)
        .order_by(RoundOccurrence.due_at.desc(), RoundOccurrence.id.desc())
        .limit(limit)
    )
    return [Posting(*row[:10], replies=int(row[10])) for row in rows]


async def occurrence_of_school(
    session: AsyncSession, school_id: int, occurrence_id: int
) -> tuple[QuestionRound, RoundOccurrence] | None:
    """A round posting, only if it belongs to this school."""
    row = (
        await session.execute(
            select(QuestionRound, RoundOccurrence)
            .join(RoundOccurrence, RoundOccurrence.round_id == QuestionRound.id)
            .where(RoundOccurrence.id == occurrence_id, QuestionRound.school_id == school_id)
        )
    ).one_or_none()
    return (row[0], row[1]) if row is not None else None
