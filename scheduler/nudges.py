"""The weekly nudge job (design.md, "Nudges"; who gets one: :mod:`bot.network.nudges`).

One schedule per school whose platform this process serves and that has nudges on: a
:class:`~apscheduler.triggers.cron.CronTrigger` at the school's ``nudge_at`` (default
Monday 09:00) in the school's time zone. A run first stores which earlier nudges were
followed, then, unless the day is a school holiday, sends this week's nudges.

Each nudge goes through :class:`scheduler.delivery.Delivery` with kind ``nudge``, key
the person's id and due the start of the school's week (local Monday 00:00), so a
person gets at most one per week whatever restarts, retries or second schedulers do;
``nudges`` has the same unique key. A run more than ``grace`` (default 2 days) after
its moment sends nothing: next week's run will.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from functools import partial

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import school_ref
from bot.network.nudges import NudgePlan, nudge_message, plan_nudges
from bot.rounds.messages import person_language
from bot.school_time import localize, wall, zone_of
from scheduler.jobs import Schedule
from scheduler.per_school import PerSchoolJobs, per_school_schedules
from storage import holidays
from storage import nudges as store
from storage.models import PLG, Person, School
from storage.school_settings import WEEKDAYS, SchoolConfig

log = logging.getLogger("plgbot.scheduler")


def latest_moment(now: datetime, config_at: tuple[int, int, int], school: School) -> datetime:
    """The latest weekly moment (weekday, hour, minute in the school's zone) at or
    before ``now``."""
    weekday, hour, minute = config_at
    zone = zone_of(school)
    today = wall(now, zone).date()
    day = today - timedelta(days=(today.weekday() - weekday) % 7)
    moment = localize(day, time(hour, minute), zone)
    return moment if moment <= now else localize(day - timedelta(days=7), time(hour, minute), zone)


def week_start(moment: datetime, school: School) -> datetime:
    """Monday 00:00 (school time) of the week ``moment`` falls in."""
    zone = zone_of(school)
    day = wall(moment, zone).date()
    return localize(day - timedelta(days=day.weekday()), time(0, 0), zone)


def weekly_trigger(config_at: tuple[int, int, int], school: School) -> CronTrigger:
    weekday, hour, minute = config_at
    return CronTrigger(
        day_of_week=WEEKDAYS[weekday], hour=hour, minute=minute, timezone=zone_of(school)
    )


def _weekly(school: School, config: SchoolConfig) -> CronTrigger | None:
    return weekly_trigger(config.weekday_time("nudge_at"), school) if config.nudges else None


class NudgeJobs(PerSchoolJobs):
    """The :class:`scheduler.jobs.JobSource` of nudges."""

    kind = "nudge"

    async def schedules(self) -> list[Schedule]:
        return await per_school_schedules(self.db, self.messengers, self.defaults, _weekly)

    async def run_due(self, key: str, now: datetime) -> None:
        async with self.db.session() as session:
            served = await self.served_school(session, key)
            if served is None:
                return
            school, config = served
            await store.mark_followed(
                session, school_id=school.id, now=now, follow_days=config.nudge_follow_days
            )
            if not config.nudges:
                return
            due = latest_moment(now, config.weekday_time("nudge_at"), school)
            if now - due > self.grace:
                return
            week = week_start(due, school)
            day = wall(due, zone_of(school)).date()
            if await holidays.holiday_on(session, school.id, day) is not None:
                holiday = True
                plans: list[NudgePlan] = []
            else:
                holiday = False
                plans = await plan_nudges(
                    session, school.id, now=now, week_start=week, config=config
                )
        if holiday:
            # Never during a holiday; noted, so the skip is visible afterwards.
            await self.delivery.once(
                kind="nudge.holiday", key=key, due=week, now=now, send=None, outcome="skipped"
            )
        for plan in plans:
            try:
                await self._send(school, plan, week, config, now)
            except Exception:
                # One person's failed message must not keep the others from theirs.
                log.exception("nudge to person %s failed", plan.person_id)

    async def _send(
        self, school: School, plan: NudgePlan, week: datetime, config: SchoolConfig, now: datetime
    ) -> None:
        async with self.db.session() as session:
            person = await session.get(Person, plan.person_id)
            plg = await session.get(PLG, plan.plg_id) if plan.plg_id else None
        assert person is not None
        language = person_language(person, school, self.default_language)
        message = nudge_message(
            language, missing=plan.missing, plg=plg, weeks=config.nudge_weeks, week_start=week
        )
        ref = school_ref(school)
        send = partial(
            self.messengers.for_school(ref).send_private,
            school=ref,
            user_id=person.platform_user_id,
            message=message,
        )

        async def record(session: AsyncSession, message_id: str) -> None:
            await store.record_nudge(
                session,
                school_id=school.id,
                person_id=plan.person_id,
                week_start=week,
                sent_at=now,
                missing=plan.missing.value,
                plg_id=plan.plg_id,
                message_id=message_id,
            )

        await self.delivery.once(
            kind="nudge", key=str(plan.person_id), due=week, now=now, send=send, record=record
        )
