"""Remembering where the bot can post later: a Bot Framework ``ConversationReference``
per channel, group chat and personal chat, refreshed on every activity (Teams may move
a tenant to another ``serviceUrl``)."""

from __future__ import annotations

from datetime import datetime

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference

from adapters.teams.events import (
    PLATFORM,
    base_conversation_id,
    conversation_kind,
    person_of,
    school_of,
    team_id_of,
)
from bot.events import SchoolRef
from storage import Database, conversations, directory


def reference_of(activity: Activity) -> ConversationReference:
    """Where to post in this activity's conversation: in a channel, the channel itself
    (a new post), not the thread the activity came from."""
    reference = TurnContext.get_conversation_reference(activity)
    reference.conversation.id = base_conversation_id(activity.conversation.id)
    reference.conversation.tenant_id = school_of(activity).tenant_id
    reference.activity_id = None
    reference.user = None if conversation_kind(activity) != "personal" else reference.user
    return reference


async def remember(
    db: Database, activity: Activity, *, now: datetime, default_language: str
) -> None:
    """Store (or refresh) the conversation's reference; a personal chat is filed under
    the person it is with, so the bot can write to them later."""
    school_ref = school_of(activity)
    kind = conversation_kind(activity)
    reference = reference_of(activity)
    async with db.session() as session:
        school = await directory.ensure_school(
            session,
            platform=PLATFORM,
            tenant_id=school_ref.tenant_id,
            name=None,
            now=now,
            language=default_language,
        )
        person_id = None
        if kind == "personal" and not person_of(activity.from_property).is_bot:
            author = person_of(activity.from_property, locale=activity.locale)
            person = await directory.ensure_person(
                session,
                school_id=school.id,
                platform_user_id=author.user_id,
                display_name=author.display_name,
                locale=author.locale,
                now=now,
            )
            person_id = person.id
        await conversations.remember_conversation(
            session,
            school_id=school.id,
            conversation_id=reference.conversation.id,
            kind=kind,
            reference=reference.serialize(),
            now=now,
            person_id=person_id,
            team_id=team_id_of(activity),
        )


async def channel_reference(
    db: Database, school: SchoolRef, channel_id: str
) -> ConversationReference | None:
    async with db.session() as session:
        row = await conversations.conversation(
            session, platform=PLATFORM, tenant_id=school.tenant_id, conversation_id=channel_id
        )
        return _load(row.reference) if row else None


async def private_reference(
    db: Database, school: SchoolRef, user_id: str
) -> ConversationReference | None:
    async with db.session() as session:
        row = await conversations.private_conversation(
            session, platform=PLATFORM, tenant_id=school.tenant_id, platform_user_id=user_id
        )
        return _load(row.reference) if row else None


async def latest_reference(db: Database, school: SchoolRef) -> ConversationReference | None:
    async with db.session() as session:
        row = await conversations.latest_conversation(
            session, platform=PLATFORM, tenant_id=school.tenant_id
        )
        return _load(row.reference) if row else None


def _load(data: dict[str, object]) -> ConversationReference:
    reference: ConversationReference = ConversationReference().deserialize(data)
    return reference


async def team_references(
    db: Database, school: SchoolRef
) -> list[tuple[str, ConversationReference]]:
    """One stored channel per team the bot was added to in the school: through it, the
    connector tells who is in that team."""
    async with db.session() as session:
        rows = await conversations.conversations_of_school(
            session, platform=PLATFORM, tenant_id=school.tenant_id
        )
        found: dict[str, ConversationReference] = {}
        for row in rows:
            if row.kind == "channel" and row.team_id and row.team_id not in found:
                found[row.team_id] = _load(row.reference)
        return list(found.items())
