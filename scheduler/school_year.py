"""After a school year is closed (bot.staff.school_year): each PLG's leads are asked whether
their PLG carries on, and each coordinator gets the year's figures, once each.

One schedule per school this process serves, every ten minutes, while its last close
is less than :data:`ASKING` ago; every message goes through
:class:`scheduler.delivery.Delivery` (kind ``schoolyear.ask`` keyed by PLG and lead,
``schoolyear.summary`` keyed by coordinator, due the moment of the close), so restarts
and second schedulers send nothing twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.catalogue import text
from bot.messages import Bullets, Heading, message
from bot.rounds.messages import person_language
from bot.school_time import zone_of
from bot.staff.school_year import YearSummary, decision_message, summary_lines
from scheduler.jobs import Schedule
from scheduler.per_school import PerSchoolJobs
from storage import directory
from storage import school_years as store
from storage.digests import coordinators

log = logging.getLogger("plgbot.scheduler")

# How long after a close the leads' question and the figures still go out.
ASKING = timedelta(days=30)


class SchoolYearJobs(PerSchoolJobs):
    """The :class:`scheduler.jobs.JobSource` of the school year's close."""

    kind = "schoolyear"

    async def schedules(self) -> list[Schedule]:
        now = self.clock.now()
        found = []
        async with self.db.session() as session:
            for school in await directory.list_schools(session):
                if school.platform not in self.messengers:
                    continue
                last = await store.last_closed(session, school.id)
                if last is not None and now - last.closed_at < ASKING:
                    trigger = CronTrigger(minute="*/10", timezone=zone_of(school))
                    found.append(Schedule(str(school.id), trigger))
        return found

    async def run_due(self, key: str, now: datetime) -> None:
        async with self.db.session() as session:
            served = await self.served_school(session, key)
            if served is None:
                return
            school, _ = served
            year = await store.last_closed(session, school.id)
            if year is None or now - year.closed_at >= ASKING:
                return
            asks = [
                (plg, lead)
                for plg in await store.awaiting_decision(session, school.id)
                if plg.year_decision == year.name
                for lead in await directory.leads_of(session, plg.id)
            ]
            readers = list(await coordinators(session, school.id))
            summary = YearSummary.from_json(year.summary)
            closed_at = year.closed_at
        for plg, lead in asks:
            language = person_language(lead, school, self.default_language)
            await self.send_once(
                school,
                lead,
                kind="schoolyear.ask",
                key=f"{plg.id}:{lead.id}",
                due=closed_at,
                now=now,
                sent=decision_message(language, plg, summary.name),
                grace=ASKING,
            )
        for reader in readers:
            language = person_language(reader, school, self.default_language)
            figures = message(
                Heading(text(language, "schoolyear.closed_title", name=summary.name)),
                Bullets(tuple(summary_lines(language, summary))),
                private=True,
            )
            await self.send_once(
                school,
                reader,
                kind="schoolyear.summary",
                key=str(reader.id),
                due=closed_at,
                now=now,
                sent=figures,
                grace=ASKING,
            )
