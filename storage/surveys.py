"""Network survey invitations: who was asked in which round, and what became of it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person, SurveyInvite
from storage.staff import present
from storage.upsert import insert_ignoring_conflicts


async def record_invite(
    session: AsyncSession,
    *,
    school_id: int,
    person_id: int,
    due_at: datetime,
    sent_at: datetime,
    message_id: str,
) -> None:
    """Store a sent invitation; one per person and round (the unique key)."""
    await insert_ignoring_conflicts(
        session,
        SurveyInvite,
        [
            {
                "school_id": school_id,
                "person_id": person_id,
                "due_at": due_at,
                "sent_at": sent_at,
                "message_id": message_id,
            }
        ],
        ["person_id", "due_at"],
    )


async def invite_of(
    session: AsyncSession, *, person_id: int, due_at: datetime
) -> SurveyInvite | None:
    return await session.scalar(
        select(SurveyInvite).where(
            SurveyInvite.person_id == person_id, SurveyInvite.due_at == due_at
        )
    )


async def to_remind(
    session: AsyncSession, *, school_id: int, due_at: datetime, sent_before: datetime
) -> Sequence[tuple[SurveyInvite, Person]]:
    """This round's invitations sent at or before ``sent_before`` that were neither answered,
    skipped nor reminded yet, with their person (opted-out people left out)."""
    rows = await session.execute(
        select(SurveyInvite, Person)
        .join(Person, Person.id == SurveyInvite.person_id)
        .where(
            SurveyInvite.school_id == school_id,
            SurveyInvite.due_at == due_at,
            SurveyInvite.sent_at <= sent_before,
            SurveyInvite.answered_at.is_(None),
            SurveyInvite.skipped_at.is_(None),
            SurveyInvite.reminded_at.is_(None),
            present(),
        )
        .order_by(SurveyInvite.id)
    )
    return [(invite, person) for invite, person in rows]


async def mark_reminded(session: AsyncSession, invite_id: int, now: datetime) -> None:
    invite = await session.get(SurveyInvite, invite_id)
    if invite is not None:
        invite.reminded_at = now
