"""The audit log: who opened which dashboard page, which exports and erasures were made.

Entries are written in the caller's transaction, so an export that fails leaves no
entry claiming it happened, and one that succeeds always leaves one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Person

# Actions recorded by the privacy features; the dashboard adds its own (page views).
MY_DATA_EXPORT = "export.my_data"
ERASE_PERSON = "erase.person"
CLI_EXPORT = "export.cli"
# The roster and roles (storage.roster): who may see what follows from a role.
ROSTER_IMPORT = "roster.import"
PERSON_SET = "person.set"
# Reports of one conversation merged into one record (plgbot reconcile).
RECONCILE = "records.reconcile"

MAX_ACTION = 64
MAX_SUBJECT = 300


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit entry as read back: ``actor_name`` is None for the command line (no
    actor) and for an actor who has since been erased."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    action: str
    subject: str


async def record(
    session: AsyncSession,
    *,
    school_id: int,
    actor_id: int | None,
    action: str,
    subject: str,
    at: datetime,
) -> None:
    """Add one entry. ``actor_id`` None: done from the command line. Over-long texts
    are cut rather than refused: the entry matters more than its last characters."""
    await session.execute(
        insert(AuditEntry).values(
            school_id=school_id,
            actor_id=actor_id,
            action=action[:MAX_ACTION],
            subject=subject[:MAX_SUBJECT],
            at=at,
        )
    )


async def entries(session: AsyncSession, school_id: int, *, limit: int = 100) -> list[AuditRecord]:
    """The school's latest entries, newest first."""
    rows = await session.execute(
        select(
            AuditEntry.id,
            AuditEntry.at,
            AuditEntry.actor_id,
            Person.display_name,
            AuditEntry.action,
            AuditEntry.subject,
        )
        .outerjoin(Person, Person.id == AuditEntry.actor_id)
        .where(AuditEntry.school_id == school_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return [
        AuditRecord(id=i, at=at, actor_id=actor, actor_name=name, action=action, subject=subject)
        for i, at, actor, name, action, subject in rows
    ]
