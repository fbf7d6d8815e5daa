"""Schedules kept per school: one job for each school whose platform this process
serves and whose settings switch the job on."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from apscheduler.triggers.base import BaseTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import school_defaults
from bot.events import school_ref
from bot.messages import OutboundMessage
from bot.ports import Messengers
from bot.service import Bot
from scheduler.delivery import Delivery
from scheduler.jobs import Schedule
from storage import Database, directory
from storage.directory import PLACEHOLDER
from storage.models import Person, School
from storage.school_settings import SchoolConfig, school_config

log = logging.getLogger("plgbot.scheduler")

TriggerFor = Callable[[School, SchoolConfig], BaseTrigger | None]


async def per_school_schedules(
    db: Database, messengers: Messengers, defaults: SchoolConfig, trigger_for: TriggerFor
) -> list[Schedule]:
    """A schedule keyed by school id wherever ``trigger_for`` gives a trigger (None
    means the school has the job switched off)."""
    found = []
    async with db.session() as session:
        for school in await directory.list_schools(session):
            if school.platform not in messengers:
                continue  # another process (or no adapter) serves that platform
            config = await school_config(session, school.id, defaults)
            trigger = trigger_for(school, config)
            if trigger is not None:
                found.append(Schedule(str(school.id), trigger))
    return found


class PerSchoolJobs:
    """What the job sources that run once per school share (nudges, the survey, the
    digest): the bot's database and defaults, the messengers of this process, and a
    claim-based :class:`~scheduler.delivery.Delivery` honoured for ``grace``."""

    def __init__(
        self,
        bot: Bot,
        messengers: Messengers,
        *,
        grace: timedelta = timedelta(days=2),
        lease: timedelta = timedelta(minutes=2),
    ) -> None:
        self.db = bot.db
        self.clock = bot.clock
        self.defaults = school_defaults(bot.config)
        self.default_language = bot.config.default_language
        self.messengers = messengers
        self.grace = grace
        self.delivery = Delivery(bot.db, lease=lease, grace=grace)

    async def served_school(
        self, session: AsyncSession, key: str
    ) -> tuple[School, SchoolConfig] | None:
        """The school a job key names, with its settings, if this process serves its
        platform (a school deleted since, or served elsewhere, is None)."""
        school = await session.get(School, int(key))
        if school is None or school.platform not in self.messengers:
            return None
        return school, await school_config(session, school.id, self.defaults)

    async def send_once(
        self,
        school: School,
        person: Person,
        *,
        kind: str,
        key: str,
        due: datetime,
        now: datetime,
        sent: OutboundMessage,
        grace: timedelta,
    ) -> None:
        """``sent`` to ``person``'s private chat once for (``kind``, ``key``), however
        often asked; nobody gone or not yet on the platform is written to, and one
        person's failed message does not keep the others from theirs."""
        if person.withdrawn or person.platform_user_id.startswith(PLACEHOLDER):
            return
        ref = school_ref(school)
        send = partial(
            self.messengers.for_school(ref).send_private,
            school=ref,
            user_id=person.platform_user_id,
            message=sent,
        )
        try:
            await self.delivery.once(kind=kind, key=key, due=due, now=now, send=send, grace=grace)
        except Exception:
            log.exception("%s to person %s failed", kind, person.id)
