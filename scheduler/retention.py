"""The daily retention job (design.md, Privacy; what goes: :mod:`storage.retention`).

One schedule per school, every night at 03:30 school time, for every school whatever
platform serves it: deleting needs no messenger. Deleting is idempotent, so the run at
start (after downtime) and a second scheduler do no harm; the cutoff comes from the
injected clock, so tests move time instead of waiting.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.config import school_defaults
from bot.ports import Messengers
from bot.school_time import zone_of
from bot.service import Bot
from scheduler.jobs import Schedule
from storage import directory, inbox
from storage.models import School
from storage.retention import Expired, cutoff, delete_expired
from storage.school_settings import school_config

log = logging.getLogger("plgbot.scheduler")

# Quiet hours: nobody is chatting, and a school's data is small enough to go at once.
RUN_HOUR, RUN_MINUTE = 3, 30
# How long the inbox keeps a finished delivery's claim (key and times, no text).
DELIVERY_CLAIMS_KEPT = timedelta(days=7)


class RetentionJobs:
    """The :class:`scheduler.jobs.JobSource` of retention."""

    kind = "retention"

    def __init__(self, bot: Bot, messengers: Messengers | None = None) -> None:
        self.db = bot.db
        self.defaults = school_defaults(bot.config)

    async def schedules(self) -> list[Schedule]:
        async with self.db.session() as session:
            schools = await directory.list_schools(session)
        return [
            Schedule(
                str(school.id),
                CronTrigger(hour=RUN_HOUR, minute=RUN_MINUTE, timezone=zone_of(school)),
            )
            for school in schools
        ]

    async def run_due(self, key: str, now: datetime) -> None:
        await self.expire(int(key), now)

    async def expire(self, school_id: int, now: datetime) -> Expired:
        """Delete what the school keeps no longer, as of ``now``."""
        async with self.db.session() as session:
            school = await session.get(School, school_id)
            if school is None:
                return Expired()
            config = await school_config(session, school.id, self.defaults)
            expired = await delete_expired(session, school.id, cutoff(now, config.retention_months))
            # Every school's run clears the inbox's old claims of all (idempotent): a
            # platform retries a delivery for minutes, so a week's claims are plenty.
            claims = await inbox.forget_before(session, now - DELIVERY_CLAIMS_KEPT)
        if claims:
            log.info("retention: %d finished deliveries forgotten", claims)
        if expired.total:
            # Counts only: the log never says whose data went.
            log.info("retention: school %s: %s", school_id, expired)
        return expired
