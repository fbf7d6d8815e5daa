"""Who can be picked as a colleague on a card ("log a conversation", the survey's
people picker): the members of the team or chat the card was asked for in, or, for a
card plgbot sends on its own, of the teams it was added to; plus everyone plgbot
already knows in the school (all there is when the connector cannot be asked)."""

from __future__ import annotations

import logging
from datetime import datetime

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from adapters.teams.events import PLATFORM, conversation_kind
from adapters.teams.render import MAX_COLLEAGUES, Colleague
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
        found.update(await members(turn_context))
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
    return pickable(found, exclude=author_id)


async def known_people(db: Database, school: SchoolRef) -> dict[str, str]:
    """Everyone plgbot knows in the school who has not opted out, by Teams id."""
    async with db.session() as session:
        row = await directory.find_school(session, school.tenant_id)
        if row is None or row.platform != PLATFORM:
            return {}
        return {
            person.platform_user_id: person.display_name
            for person in await directory.reachable_people(session, row.id)
        }


def pickable(found: dict[str, str], *, exclude: str | None) -> list[Colleague]:
    """People (``29:`` ids with a name) other than ``exclude``, sorted by name."""
    people = [
        Colleague(user_id, name)
        for user_id, name in found.items()
        if user_id.startswith("29:") and name and user_id != exclude
    ]
    people.sort(key=lambda c: (c.name.casefold(), c.user_id))
    return people[:MAX_COLLEAGUES]


async def members(turn_context: TurnContext, team_id: str | None = None) -> dict[str, str]:
    """The members of ``team_id``, or of the turn's team (or group chat), page by page;
    on any connector error the card still works with the people plgbot knows."""
    members: dict[str, str] = {}
    token: str | None = None
    try:
        for _ in range(MAX_PAGES):
            page = (
                await TeamsInfo.get_paged_team_members(turn_context, team_id, token, PAGE_SIZE)
                if team_id
                else await TeamsInfo.get_paged_members(turn_context, token, PAGE_SIZE)
            )
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
