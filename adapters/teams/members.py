"""The school's staff as its Teams teams list them, for the roster.

Read from every team plgbot was added to (the connector's paged team members, 100 at
a time), with each member's e-mail (``email``, else the user principal name) for
matching to a roster file; guests (``userRole`` "guest": pupils, parents, visitors)
and other bots are left out. Someone in several teams counts once.
"""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from adapters.teams.messenger import TeamsMessenger
from bot.events import SchoolRef
from storage import Database, directory, roster
from storage.roster import RosterEntry, normal_email

log = logging.getLogger("plgbot.teams")

PAGE_SIZE = 100
MAX_PAGES = 50


async def staff_members(messenger: TeamsMessenger, school: SchoolRef) -> list[RosterEntry]:
    found: dict[str, RosterEntry] = {}

    async def read(turn_context: TurnContext, team_id: str) -> None:
        token: str | None = None
        for _ in range(MAX_PAGES):
            page = await TeamsInfo.get_paged_team_members(turn_context, team_id, token, PAGE_SIZE)
            for member in page.members or []:
                role = (getattr(member, "user_role", None) or "").lower()
                if not member.id or not member.id.startswith("29:") or role == "guest":
                    continue
                email = normal_email(member.email) or normal_email(member.user_principal_name)
                found.setdefault(
                    member.id,
                    RosterEntry(
                        row=len(found) + 1, name=member.name, email=email, platform_id=member.id
                    ),
                )
            token = page.continuation_token
            if not token:
                return

    await messenger.each_team(school, read)
    return list(found.values())


class MemberEmails:
    """Each author's e-mail, when it is needed: an activity carries none, so it is asked
    of the connector, once per person and process, and only while the school has roster
    entries waiting to be recognised by e-mail or, with PLGBOT_COORDINATOR_EMAIL, no
    coordinator yet (otherwise a message costs no extra call)."""

    MAX_KNOWN = 10_000

    def __init__(self, db: Database, *, coordinator_emails: frozenset[str]) -> None:
        self._db = db
        self._coordinator_emails = coordinator_emails
        self._known: dict[tuple[str, str], str | None] = {}

    async def of(self, turn_context: TurnContext, school: SchoolRef, user_id: str) -> str | None:
        key = (school.tenant_id, user_id)
        if key in self._known:
            return self._known[key]
        async with self._db.session() as session:
            person = await directory.person_by_platform_id(
                session,
                platform=school.platform,
                tenant_id=school.tenant_id,
                platform_user_id=user_id,
            )
            email = person.email if person is not None else None
            needed = email is None and await roster.needs_emails(
                session,
                platform=school.platform,
                tenant_id=school.tenant_id,
                for_coordinator=bool(self._coordinator_emails),
            )
        if needed:
            try:
                member = await TeamsInfo.get_member(turn_context, user_id)
            except Exception as error:  # the connector's errors are many; the e-mail can wait
                log.info("could not read the member %s: %s", user_id, error)
                return None
            email = normal_email(getattr(member, "email", None)) or normal_email(
                getattr(member, "user_principal_name", None)
            )
        if len(self._known) >= self.MAX_KNOWN:
            self._known.clear()  # a bound, not a policy: they are read again
        self._known[key] = email
        return email
