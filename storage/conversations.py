"""Conversation references: the addresses a platform adapter keeps so the bot can post
to a channel or a person later (question rounds, nudges, digests) without being spoken
to first. The reference itself is opaque here; only the adapter that stored it reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationReference, Person, School
from storage.upsert import insert_ignoring_conflicts

KINDS = ("channel", "group", "personal")


async def remember_conversation(
    session: AsyncSession,
    *,
    school_id: int,
    conversation_id: str,
    kind: str,
    reference: dict[str, Any],
    now: datetime,
    person_id: int | None = None,
    team_id: str | None = None,
) -> ConversationReference:
    """Store or refresh where ``conversation_id`` can be reached. The newest reference
    wins: platforms move conversations between service endpoints."""
    if kind not in KINDS:
        raise ValueError(f"unknown conversation kind {kind!r}")
    await insert_ignoring_conflicts(
        session,
        ConversationReference,
        [
            {
                "school_id": school_id,
                "platform_conversation_id": conversation_id,
                "kind": kind,
                "person_id": person_id,
                "team_id": team_id,
                "reference": reference,
                "updated_at": now,
            }
        ],
        ["school_id", "platform_conversation_id"],
    )
    row = await session.scalar(
        select(ConversationReference).where(
            ConversationReference.school_id == school_id,
            ConversationReference.platform_conversation_id == conversation_id,
        )
    )
    assert row is not None
    if row.reference != reference:
        row.reference = reference
        row.updated_at = now
    if person_id is not None:
        row.person_id = person_id
    if team_id is not None:
        row.team_id = team_id
    return row


async def conversation(
    session: AsyncSession, *, platform: str, tenant_id: str, conversation_id: str
) -> ConversationReference | None:
    """The stored address of a channel or chat, if the bot has been there."""
    return await session.scalar(
        _in_school(platform, tenant_id).where(
            ConversationReference.platform_conversation_id == conversation_id
        )
    )


async def private_conversation(
    session: AsyncSession, *, platform: str, tenant_id: str, platform_user_id: str
) -> ConversationReference | None:
    """The person's private chat with the bot, if one exists."""
    return await session.scalar(
        _in_school(platform, tenant_id)
        .join(Person, Person.id == ConversationReference.person_id)
        .where(
            ConversationReference.kind == "personal",
            Person.platform_user_id == platform_user_id,
        )
        .order_by(ConversationReference.updated_at.desc())
        .limit(1)
    )


async def latest_conversation(
    session: AsyncSession, *, platform: str, tenant_id: str
) -> ConversationReference | None:
    """The most recently refreshed address in the school: it tells where the platform's
    service for this school lives, to open a new private chat."""
    return await session.scalar(
        _in_school(platform, tenant_id)
        .order_by(ConversationReference.updated_at.desc(), ConversationReference.id.desc())
        .limit(1)
    )


async def conversations_of_school(
    session: AsyncSession, *, platform: str, tenant_id: str
) -> Sequence[ConversationReference]:
    return (
        await session.scalars(_in_school(platform, tenant_id).order_by(ConversationReference.id))
    ).all()


def _in_school(platform: str, tenant_id: str) -> Select[ConversationReference]:
    return (
        select(ConversationReference)
        .join(School, School.id == ConversationReference.school_id)
        .where(School.platform == platform, School.tenant_id == tenant_id)
    )
