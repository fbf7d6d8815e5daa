"""The network survey job (what it asks: :mod:`bot.network.survey`).

One schedule per school whose platform this process serves and that has the survey on:
every day at the time of the school's ``survey_at`` (default 09:30), in the school's
time zone. A survey *round* is due on the first ``survey_at`` weekday (default Monday)
of every ``survey_months``-th month (January, then every N months). A run

* invites everyone not opted out, when a round fell due less than a week ago; so a
  round that falls on a school holiday goes out on the first school day after it;
* reminds, once, whoever was invited to the current round ``survey_reminder_days``
  days ago or more and neither answered nor skipped.

Nothing is sent on a school holiday. Invitations and reminders go through
:class:`scheduler.delivery.Delivery` (kinds ``survey`` keyed by person and
``survey.remind`` keyed by invitation, both due at the round), so nobody is invited
twice to a round or reminded twice, and ``survey_invites`` has the same unique key.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import date, datetime, time, timedelta
from functools import partial

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import SchoolRef, school_ref
from bot.network.survey import invite_message
from bot.ports import Messenger, Messengers
from bot.rounds.messages import person_language
from bot.school_time import localize, wall, zone_of
from bot.service import Bot
from scheduler.delivery import Send
from scheduler.jobs import Schedule
from scheduler.per_school import PerSchoolJobs, per_school_schedules
from storage import directory, holidays
from storage import surveys as store
from storage.models import Person, School
from storage.school_settings import SchoolConfig

log = logging.getLogger("plgbot.scheduler")
INVITE_GRACE = timedelta(days=7)


def survey_round(now: datetime, config: SchoolConfig, school: School) -> datetime | None:
    """The latest survey round at or before ``now``."""
    weekday, hour, minute = config.weekday_time("survey_at")
    zone = zone_of(school)
    month = wall(now, zone).date().replace(day=1)
    for _ in range(13):
        if (month.month - 1) % config.survey_months == 0:
            first = month + timedelta(days=(weekday - month.weekday()) % 7)
            moment = localize(first, time(hour, minute), zone)
            if moment <= now:
                return moment
        month = (month - timedelta(days=1)).replace(day=1)
    return None


class SurveyJobs(PerSchoolJobs):
    """The :class:`scheduler.jobs.JobSource` of the network survey."""

    kind = "survey"

    def __init__(
        self,
        bot: Bot,
        messengers: Messengers,
        *,
        lease: timedelta = timedelta(minutes=2),
    ) -> None:
        super().__init__(bot, messengers, grace=INVITE_GRACE, lease=lease)

    async def schedules(self) -> list[Schedule]:
        return await per_school_schedules(self.db, self.messengers, self.defaults, _daily)

    async def run_due(self, key: str, now: datetime) -> None:
        async with self.db.session() as session:
            served = await self.served_school(session, key)
            if served is None:
                return
            school, config = served
            due = survey_round(now, config, school) if config.survey else None
            today = wall(now, zone_of(school)).date()
            if due is None or await _holiday(session, school.id, today):
                return
            invited: list[Person] = []
            if now - due <= INVITE_GRACE:
                invited = list(await directory.reachable_people(session, school.id))
            reminders = await store.to_remind(
                session,
                school_id=school.id,
                due_at=due,
                sent_before=now - timedelta(days=config.survey_reminder_days),
            )
        ref = school_ref(school)
        messenger = self.messengers.for_school(ref)
        for person in invited:
            await self._safely(self._invite(messenger, ref, school, person, due, now))
        for invite, person in reminders:
            send = self._sender(messenger, ref, school, person, due, reminder=True)
            record = partial(_reminded, invite.id, now)
            await self._safely(
                self.delivery.once(
                    kind="survey.remind",
                    key=str(invite.id),
                    due=due,
                    now=now,
                    send=send,
                    record=record,
                )
            )

    async def _invite(
        self,
        messenger: Messenger,
        ref: SchoolRef,
        school: School,
        person: Person,
        due: datetime,
        now: datetime,
    ) -> bool:
        async def record(session: AsyncSession, message_id: str) -> None:
            await store.record_invite(
                session,
                school_id=school.id,
                person_id=person.id,
                due_at=due,
                sent_at=now,
                message_id=message_id,
            )

        send = self._sender(messenger, ref, school, person, due, reminder=False)
        return await self.delivery.once(
            kind="survey", key=str(person.id), due=due, now=now, send=send, record=record
        )

    def _sender(
        self,
        messenger: Messenger,
        ref: SchoolRef,
        school: School,
        person: Person,
        due: datetime,
        *,
        reminder: bool,
    ) -> Send:
        language = person_language(person, school, self.default_language)
        return partial(
            messenger.send_private,
            school=ref,
            user_id=person.platform_user_id,
            message=invite_message(language, due, reminder=reminder),
        )

    @staticmethod
    async def _safely(work: Awaitable[object]) -> None:
        """One person's failed message must not keep the others from theirs."""
        try:
            await work
        except Exception:
            log.exception("survey message failed")


def _daily(school: School, config: SchoolConfig) -> CronTrigger | None:
    if not config.survey:
        return None
    _, hour, minute = config.weekday_time("survey_at")
    return CronTrigger(hour=hour, minute=minute, timezone=zone_of(school))


async def _holiday(session: AsyncSession, school_id: int, day: date) -> bool:
    return await holidays.holiday_on(session, school_id, day) is not None


async def _reminded(invite_id: int, now: datetime, session: AsyncSession, _message_id: str) -> None:
    await store.mark_reminded(session, invite_id, now)
