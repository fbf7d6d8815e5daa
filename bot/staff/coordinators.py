"""A school's first coordinator, and saying so while it has none.

Nobody arrives with a role: in a new school nobody gets the digest or may open the
dashboard until someone is coordinator. Whoever installs plgbot names them on the
command line (``plgbot people set``) or by e-mail in PLGBOT_COORDINATOR_EMAIL; the
person with that address becomes coordinator when they first talk to plgbot, while the
school has no coordinator yet. Until then the log says how to set one (once per school
and process), and ``help`` tells whoever asks.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import BotConfig
from bot.messages import Paragraph
from bot.turn import Context
from storage import audit
from storage.models import Person, School
from storage.roster import coordinators_exist

log = logging.getLogger("plgbot.coordinators")


async def first_coordinator(
    session: AsyncSession,
    config: BotConfig,
    school: School,
    author: Person,
    now: datetime,
    checked: set[int],
) -> None:
    """Make ``author`` coordinator if the setting names their e-mail and the school has
    none; log how to set one the first time a school without one is seen. ``checked``
    holds the schools already seen with a coordinator or warned about (the caller's,
    one per :class:`bot.service.Bot`), so an ordinary event costs no query for this."""
    named = bool(author.email) and author.email in config.coordinator_emails
    if school.id in checked and not named:
        return
    if await coordinators_exist(session, school.id):
        checked.add(school.id)
        return
    if named and not author.withdrawn:
        author.role = "coordinator"
        await audit.record(
            session,
            school_id=school.id,
            actor_id=None,
            action=audit.PERSON_SET,
            subject=f"person {author.id}: role=coordinator (PLGBOT_COORDINATOR_EMAIL)",
            at=now,
        )
        log.info(
            "%s is the first coordinator of %s (PLGBOT_COORDINATOR_EMAIL)",
            author.id,
            school.tenant_id,
        )
        checked.add(school.id)
        return
    if school.id not in checked:
        checked.add(school.id)
        log.warning(
            "school %s has no coordinator: nobody gets the digest or the dashboard. Set one "
            "with `plgbot people set --school %s E-MAIL role=coordinator` or "
            "PLGBOT_COORDINATOR_EMAIL",
            school.tenant_id,
            school.tenant_id,
        )


async def notice(ctx: Context) -> Paragraph | None:
    """ "No coordinator yet, and how to set one", while that is so."""
    if await coordinators_exist(ctx.session, ctx.school.id):
        return None
    return Paragraph(ctx.t("people.no_coordinator", school=ctx.school.tenant_id))
