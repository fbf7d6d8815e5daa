"""Interactions (the network's edges), the posts they refer to, and tie aggregates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, SQLColumnExpression, case, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import contacts
from storage.models import Interaction, Post
from storage.staff import withdrawn_ids
from storage.upsert import insert_ignoring_conflicts

# The knowledge bit mask has five bits (bot.knowledge.types.KnowledgeType). SQLite has no
# BIT_OR aggregate; OR-ing per-bit maxima gives the same result on every database.
KNOWLEDGE_BITS = (1, 2, 4, 8, 16)


@dataclass(frozen=True, slots=True)
class NewInteraction:
    school_id: int
    source_id: int
    target_id: int
    origin: str
    knowledge: int
    occurred_at: datetime
    plg_id: int | None = None
    message_key: str | None = None
    # Who logged it by command (storage.reports); None for what plgbot observed.
    reported_by_id: int | None = None


@dataclass(frozen=True, slots=True)
class Tie:
    """All interactions from ``source`` to ``target`` in a window, aggregated."""

    source_id: int
    target_id: int
    count: int
    knowledge: int


async def record_interactions(session: AsyncSession, edges: Sequence[NewInteraction]) -> int:
    """Store edges; an edge already logged for the same message is skipped, and so is
    a self-loop (nobody shares with themself). Returns how many were new. The contacts
    rollup follows in the same transaction."""
    new: list[tuple[int, int, int, datetime]] = []
    for e in edges:
        if e.source_id == e.target_id:
            continue
        row = {
            "school_id": e.school_id,
            "source_id": e.source_id,
            "target_id": e.target_id,
            "origin": e.origin,
            "knowledge": e.knowledge,
            "occurred_at": e.occurred_at,
            "plg_id": e.plg_id,
            "message_key": e.message_key,
            "reported_by_id": e.reported_by_id,
        }
        if await insert_ignoring_conflicts(
            session, Interaction, [row], ["message_key", "source_id", "target_id"]
        ):
            new.append((e.school_id, e.source_id, e.target_id, e.occurred_at))
    await contacts.record_edges(session, new)
    return len(new)


async def delete_interactions_of_message(session: AsyncSession, message_key: str) -> int:
    """Delete what a message logged; the contacts of the pairs it touched are
    recomputed from what is left."""
    pairs = (
        await session.execute(
            select(Interaction.source_id, Interaction.target_id).where(
                Interaction.message_key == message_key
            )
        )
    ).all()
    result = await session.execute(
        delete(Interaction).where(Interaction.message_key == message_key)
    )
    await contacts.refresh_pairs(session, [(s, t) for s, t in pairs])
    return max(getattr(result, "rowcount", 0), 0)


async def record_post(
    session: AsyncSession,
    *,
    channel_id: int,
    platform_message_id: str,
    author_id: int,
    posted_at: datetime,
) -> None:
    await insert_ignoring_conflicts(
        session,
        Post,
        [
            {
                "channel_id": channel_id,
                "platform_message_id": platform_message_id,
                "author_id": author_id,
                "posted_at": posted_at,
            }
        ],
        ["channel_id", "platform_message_id"],
    )


async def post_author(
    session: AsyncSession, channel_id: int, platform_message_id: str
) -> int | None:
    return await session.scalar(
        select(Post.author_id).where(
            Post.channel_id == channel_id, Post.platform_message_id == platform_message_id
        )
    )


async def delete_post(session: AsyncSession, channel_id: int, platform_message_id: str) -> None:
    await session.execute(
        delete(Post).where(
            Post.channel_id == channel_id, Post.platform_message_id == platform_message_id
        )
    )


def _knowledge_or(column: SQLColumnExpression[int]) -> ColumnElement[int]:
    total: ColumnElement[int] | None = None
    for bit in KNOWLEDGE_BITS:
        term = func.max(column.op("&")(bit))
        total = term if total is None else total + term
    assert total is not None
    return total


def _present(person_column: SQLColumnExpression[int]) -> ColumnElement[bool]:
    return person_column.not_in(withdrawn_ids())


async def ties_in_window(
    session: AsyncSession,
    *,
    school_id: int,
    since: datetime,
    until: datetime,
    plg_id: int | None = None,
) -> list[Tie]:
    """Every directed tie in the school in ``[since, until)``, aggregated in the
    database. People who opted out are left out on both ends."""
    conditions = [Interaction.school_id == school_id]
    if plg_id is not None:
        conditions.append(Interaction.plg_id == plg_id)
    return await _ties(session, since, until, *conditions)


async def ties_of_person(
    session: AsyncSession, *, person_id: int, since: datetime, until: datetime
) -> list[Tie]:
    """The person's own ties (in and out) in the window."""
    mine = or_(Interaction.source_id == person_id, Interaction.target_id == person_id)
    return await _ties(session, since, until, mine)


async def _ties(
    session: AsyncSession,
    since: datetime,
    until: datetime,
    *conditions: ColumnElement[bool],
) -> list[Tie]:
    query = (
        select(
            Interaction.source_id,
            Interaction.target_id,
            func.count(),
            _knowledge_or(Interaction.knowledge),
        )
        .where(
            *conditions,
            Interaction.occurred_at >= since,
            Interaction.occurred_at < until,
            _present(Interaction.source_id),
            _present(Interaction.target_id),
        )
        .group_by(Interaction.source_id, Interaction.target_id)
    )
    rows = await session.execute(query)
    return [Tie(s, t, int(n), int(k or 0)) for s, t, n, k in rows]


async def shared_knowledge_counts(
    session: AsyncSession, *, person_id: int, since: datetime, until: datetime
) -> dict[int, int]:
    """How many of the person's outgoing interactions carried each knowledge bit."""
    columns = [
        func.coalesce(func.sum(case((Interaction.knowledge.op("&")(bit) != 0, 1), else_=0)), 0)
        for bit in KNOWLEDGE_BITS
    ]
    row = (
        await session.execute(
            select(*columns).where(
                Interaction.source_id == person_id,
                Interaction.occurred_at >= since,
                Interaction.occurred_at < until,
            )
        )
    ).one()
    return {bit: int(count) for bit, count in zip(KNOWLEDGE_BITS, row, strict=True)}
