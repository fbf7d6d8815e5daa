"""After a PLG's meeting date has passed, each of its leads gets one private question
with the next date (bot.meetings).

One schedule per school this process serves, on school days at the opening of school
hours (``school_hours``); every question goes through
:class:`scheduler.delivery.Delivery` keyed by PLG, passed date and lead, so a lead is
asked once per meeting, whatever restarts or second schedulers do. A meeting that
passed more than :data:`ASKING` ago is not asked about any more.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.meetings import next_meeting_question
from bot.rounds.messages import person_language
from bot.school_time import localize, zone_of
from scheduler.jobs import Schedule
from scheduler.per_school import PerSchoolJobs, per_school_schedules
from storage import directory
from storage.models import School
from storage.school_settings import SchoolConfig

log = logging.getLogger("plgbot.scheduler")

ASKING = timedelta(days=14)


def _trigger(school: School, config: SchoolConfig) -> CronTrigger:
    opens, _ = config.hours()
    return CronTrigger(
        day_of_week="mon-fri", hour=opens.hour, minute=opens.minute, timezone=zone_of(school)
    )


class MeetingJobs(PerSchoolJobs):
    """The :class:`scheduler.jobs.JobSource` of the question after a meeting."""

    kind = "meeting"

    async def schedules(self) -> list[Schedule]:
        return await per_school_schedules(self.db, self.messengers, self.defaults, _trigger)

    async def run_due(self, key: str, now: datetime) -> None:
        async with self.db.session() as session:
            served = await self.served_school(session, key)
            if served is None:
                return
            school, config = served
            zone = zone_of(school)
            today = now.astimezone(zone).date()
            opens, _ = config.hours()
            asks = [
                (plg, plg.next_meeting, lead)
                for plg in await directory.plgs_of_school(session, school.id)
                if plg.next_meeting is not None and plg.next_meeting < today
                for lead in await directory.leads_of(session, plg.id)
            ]
        for plg, passed, lead in asks:
            language = person_language(lead, school, self.default_language)
            await self.send_once(
                school,
                lead,
                kind="meeting.ask",
                key=f"{plg.id}:{passed.isoformat()}:{lead.id}",
                due=localize(passed + timedelta(days=1), opens, zone),
                now=now,
                sent=next_meeting_question(language, plg, passed, today),
                grace=ASKING,
            )
