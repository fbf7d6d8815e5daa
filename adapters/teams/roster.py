"""Who can be picked as a colleague on the "log a conversation" card: the members of the
team or chat the card was asked for in, plus everyone plgbot already knows in the school
(which is all there is in a personal chat)."""

from __future__ import annotations

import logging
from datetime import datetime

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from adapters.teams.cards import MAX_COLLEAGUES, Colleague
from adapters.teams.events import PLATFORM, conversation_kind
from bot.events import SchoolRef
from storage import Database, directory

log = logging.getLogger("plgbot.teams")

PAGE_SIZE = 100
MAX_PAGES = 5


async def colleagues(
    turn_context: TurnContext,
    db: Database,
    school: SchoolRef,
    *,
    author_id: str,
    now: datetime,
    default_language: str,
) -> list[Colleague]:
    found: dict[str, str] = {}
    if conversation_kind(turn_context.activity) != "personal":
        found.update(await _members(turn_context))
    async with db.session() as session:
        row = await directory.ensure_school(
            session,
            platform=PLATFORM,
            tenant_id=school.tenant_id,
            name=None,
            now=now,
            language=default_language,
        )
        for person in await directory.people_of_school(session, row.id):
            found.setdefault(person.platform_user_id, person.display_name)
    found.pop(author_id, None)
    people = [
        Colleague(user_id, name)
        for user_id, name in found.items()
        if user_id.startswith("29:") and name
    ]
    people.sort(key=lambda c: (c.name.casefold(), c.user_id))
    return people[:MAX_COLLEAGUES]


async def _members(turn_context: TurnContext) -> dict[str, str]:
    """The team's (or group chat's) members, page by page; on any connector error the
    card still works with the people plgbot knows."""
    members: dict[str, str] = {}
    token: str | None = None
    try:
        for _ in range(MAX_PAGES):
            page = await TeamsInfo.get_paged_members(turn_context, token, PAGE_SIZE)
            for member in page.members or []:
                if member.id and member.name:
                    members[member.id] = member.name
            token = page.continuation_token
            if not token:
                break
    except Exception as error:
        log.warning(
            "could not read the members of %s: %s", turn_context.activity.conversation.id, error
        )
    return members
