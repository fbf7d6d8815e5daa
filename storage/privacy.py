"""Everything stored about one person: read it all (``my data``), or erase it all
(``plgbot erase-person``), including every trace derived from it.

The erasure walks the schema instead of a hand-kept list of tables: every column that
refers to ``people.id`` is cleared (rows deleted, or the reference set to NULL where
the schema says the row outlives the person, e.g. a round its creator started). A
table added later is therefore covered without touching this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, case, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage import digest_history, inbox, outbox
from storage.models import (
    PLG,
    AuditEntry,
    Base,
    Channel,
    ConversationReference,
    Interaction,
    Membership,
    Nudge,
    NudgeStop,
    Occurrence,
    Person,
    Post,
    QuestionRound,
    RoundOccurrence,
    RoundReply,
    School,
    SurveyInvite,
)

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class PersonData:
    """What is stored about one person, as plain values (``knowledge`` stays a bit
    mask; the core names the types). Counterparts who opted out have no name."""

    school: str
    person: Row
    plgs: list[Row] = field(default_factory=list)
    interactions: list[Row] = field(default_factory=list)
    round_replies: list[Row] = field(default_factory=list)
    rounds_started: list[Row] = field(default_factory=list)
    posts: list[Row] = field(default_factory=list)
    nudges: list[Row] = field(default_factory=list)
    nudges_stopped_at: datetime | None = None
    survey_invitations: list[Row] = field(default_factory=list)
    private_chats: list[Row] = field(default_factory=list)
    audit: list[Row] = field(default_factory=list)


async def person_data(session: AsyncSession, person_id: int) -> PersonData:
    """Everything stored about the person (who must exist)."""
    person = await session.get(Person, person_id)
    assert person is not None
    school = await session.get(School, person.school_id)
    assert school is not None
    return PersonData(
        school=school.name,
        person={
            "display_name": person.display_name,
            "handle": person.handle,
            "platform_user_id": person.platform_user_id,
            "role": person.role,
            "department": person.department,
            "language": person.language,
            "locale": person.locale,
            "timezone": person.timezone,
            "opted_out_at": person.opted_out_at,
            "email": person.email,
            "career_start": person.career_start,
            "on_roster_since": person.on_roster_since,
            "left_at": person.left_at,
            "profile_fetched_at": person.profile_fetched_at,
            "created_at": person.created_at,
        },
        plgs=await _rows(
            session,
            select(PLG.name, Membership.is_lead.label("lead"))
            .join(Membership, Membership.plg_id == PLG.id)
            .where(Membership.person_id == person_id)
            .order_by(PLG.name),
        ),
        interactions=await _interactions(session, person_id),
        round_replies=await _rows(
            session,
            select(
                RoundReply.round_id.label("round"),
                RoundOccurrence.question,
                RoundReply.text,
                RoundReply.knowledge,
                RoundReply.created_at,
                RoundReply.updated_at,
            )
            .join(RoundOccurrence, RoundOccurrence.id == RoundReply.occurrence_id)
            .where(RoundReply.author_id == person_id)
            .order_by(RoundReply.created_at),
        ),
        rounds_started=await _rows(
            session,
            select(
                QuestionRound.id.label("round"),
                QuestionRound.question,
                QuestionRound.status,
                QuestionRound.created_at,
            )
            .where(QuestionRound.created_by_id == person_id)
            .order_by(QuestionRound.id),
        ),
        posts=await _rows(
            session,
            select(Channel.name.label("channel"), Post.posted_at)
            .join(Channel, Channel.id == Post.channel_id)
            .where(Post.author_id == person_id)
            .order_by(Post.posted_at),
        ),
        nudges=await _rows(
            session,
            select(
                Nudge.sent_at,
                Nudge.missing,
                PLG.name.label("plg"),
                Nudge.answer,
                Nudge.answered_at,
                Nudge.followed_at,
            )
            .outerjoin(PLG, PLG.id == Nudge.plg_id)
            .where(Nudge.person_id == person_id)
            .order_by(Nudge.sent_at),
        ),
        nudges_stopped_at=await session.scalar(
            select(NudgeStop.stopped_at).where(NudgeStop.person_id == person_id)
        ),
        survey_invitations=await _rows(
            session,
            select(
                SurveyInvite.due_at,
                SurveyInvite.sent_at,
                SurveyInvite.answered_at,
                SurveyInvite.skipped_at,
                SurveyInvite.reminded_at,
            )
            .where(SurveyInvite.person_id == person_id)
            .order_by(SurveyInvite.due_at),
        ),
        # That plgbot can write to them privately; the platform's address itself is
        # an opaque technical reference, not information about the person.
        private_chats=await _rows(
            session,
            select(ConversationReference.kind, ConversationReference.updated_at).where(
                ConversationReference.person_id == person_id
            ),
        ),
        audit=await _rows(
            session,
            select(AuditEntry.at, AuditEntry.action, AuditEntry.subject)
            .where(AuditEntry.actor_id == person_id)
            .order_by(AuditEntry.at),
        ),
    )


async def _interactions(session: AsyncSession, person_id: int) -> list[Row]:
    """Both directions; the colleague's name only if they have not opted out (their
    choice protects them in other people's exports too). Never any message text:
    interactions have none."""
    other = aliased(Person)
    rows = await session.execute(
        select(
            Interaction.source_id,
            Interaction.occurred_at,
            Interaction.origin,
            Interaction.knowledge,
            PLG.name,
            other.display_name,
            other.opted_out_at,
        )
        .join(
            other,
            # The colleague: the other end of the edge.
            other.id
            == case(
                (Interaction.source_id == person_id, Interaction.target_id),
                else_=Interaction.source_id,
            ),
        )
        .outerjoin(PLG, PLG.id == Interaction.plg_id)
        .where(or_(Interaction.source_id == person_id, Interaction.target_id == person_id))
        .order_by(Interaction.occurred_at, Interaction.id)
    )
    return [
        {
            "direction": "out" if source == person_id else "in",
            "colleague": name if opted_out is None else None,
            "origin": origin,
            "knowledge": knowledge,
            "plg": plg,
            "at": at,
        }
        for source, at, origin, knowledge, plg, name, opted_out in rows
    ]


async def _rows(session: AsyncSession, query: Any) -> list[Row]:
    return [dict(row._mapping) for row in await session.execute(query)]


# Occurrence kinds whose key is a person id (the scheduler's exactly-once claims of a
# nudge or a survey invitation), and the survey reminder keyed by the invitation.
PERSON_KEYED_KINDS = ("nudge", "survey")
INVITE_KEYED_KINDS = ("survey.remind",)


async def erase_person(session: AsyncSession, person_id: int) -> dict[str, int]:
    """Delete the person and everything derived from them: interactions both ways
    (and the contacts rollup rows they made), replies, posts, nudges, survey answers
    and invitations, the private chat address, stored digest copies, the scheduler's
    claims naming them; references that outlive them (a round they started, audit
    entries of what they did) lose the reference. Returns rows affected per table."""
    counts: dict[str, int] = {}
    # Deliveries of theirs still waiting in the inbox hold message text: they go too.
    who = (
        await session.execute(
            select(School.platform, School.tenant_id, Person.platform_user_id)
            .join(Person, Person.school_id == School.id)
            .where(Person.id == person_id)
        )
    ).first()
    if who is not None:
        waiting = await inbox.forget_person(
            session, platform=who[0], tenant_id=who[1], person=who[2]
        )
        counts["deliveries"] = waiting
        counts["outbox"] = await outbox.forget_person(
            session, platform=who[0], tenant_id=who[1], person=who[2]
        )
    invites = [
        str(i)
        for i in await session.scalars(
            select(SurveyInvite.id).where(SurveyInvite.person_id == person_id)
        )
    ]
    claims = await session.execute(
        delete(Occurrence).where(
            or_(
                Occurrence.kind.in_(PERSON_KEYED_KINDS) & (Occurrence.key == str(person_id)),
                Occurrence.kind.in_(INVITE_KEYED_KINDS) & Occurrence.key.in_(invites),
                # A lead's private copy of a round's agenda: "{round}:p{person}".
                (Occurrence.kind == "round.agenda") & Occurrence.key.like(f"%:p{person_id}"),
            )
        )
    )
    _count(counts, "occurrences", claims)
    # Stored digests: their key-figure rows and the claims of digests sent to them.
    await digest_history.forget_person(session, person_id)
    people = Person.__table__
    for table in reversed(Base.metadata.sorted_tables):
        for column in table.columns:
            for key in column.foreign_keys:
                if key.column.table is not people:
                    continue
                await _clear(session, table, column.name, key.ondelete, person_id, counts)
    result = await session.execute(delete(Person).where(Person.id == person_id))
    _count(counts, "people", result)
    return {table: n for table, n in counts.items() if n}


async def _clear(
    session: AsyncSession,
    table: Table,
    column: str,
    ondelete: str | None,
    person_id: int,
    counts: dict[str, int],
) -> None:
    target = table.c[column]
    if (ondelete or "").upper() == "SET NULL":
        result = await session.execute(
            update(table).where(target == person_id).values({column: None})
        )
        _count(counts, f"{table.name} ({column} cleared)", result)
    else:
        result = await session.execute(delete(table).where(target == person_id))
        _count(counts, table.name, result)


def _count(counts: dict[str, int], name: str, result: Any) -> None:
    counts[name] = counts.get(name, 0) + max(getattr(result, "rowcount", 0) or 0, 0)
