"""The question-round jobs: post each occurrence, nudge halfway, close with the agenda.

Schedules are rebuilt from the ``question_rounds`` table (see :mod:`scheduler.runner`):
one job per round, whose :class:`~apscheduler.triggers.date.DateTrigger` is the round's
next piece of work, computed by :mod:`bot.recurrence` in the school's time zone. Work
that is due but not confirmed (a platform was down) keeps the trigger at "now", so the
scheduler retries it at every resync until the grace period ends.

Everything sent goes through :class:`scheduler.delivery.Delivery`, one claim per
channel or person (``occurrences`` table, kinds ``round``, ``round.skip``,
``round.halfway``, ``round.agenda``; keys start with the round id). So a restart, a
crash between post and commit, or a second scheduler never posts an occurrence twice;
a posting missed by less than ``grace`` (default 1 hour) is posted late, one missed by
more is not. A missed closing is never dropped: the agenda is what the meeting needs.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from functools import partial

from apscheduler.triggers.date import DateTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from bot.agenda import agenda_message, compile_agenda
from bot.events import SchoolRef
from bot.ports import Messengers
from bot.recurrence import next_posting, parse_recurrence, wall, window
from bot.round_messages import (
    halfway_nudge,
    person_language,
    question_post,
    school_language,
    skipped_note,
    zone_of,
)
from bot.rounds import NOW_RECURRENCE
from bot.service import Bot
from scheduler.delivery import Delivery, Record, Send
from scheduler.jobs import Schedule
from scheduler.round_plan import agenda_targets, plan_round
from storage import directory, holidays
from storage import rounds as store
from storage.models import PLG, QuestionRound, RoundOccurrence, School

log = logging.getLogger("plgbot.scheduler")

# How many rounds read their plan at the same time (see RoundJobs.run_due).
PLANNING = 8


class RoundJobs:
    """The :class:`scheduler.jobs.JobSource` of question rounds."""

    kind = "round"

    def __init__(
        self,
        bot: Bot,
        messengers: Messengers,
        *,
        grace: timedelta = timedelta(hours=1),
        lease: timedelta = timedelta(minutes=2),
        agenda_grace: timedelta = timedelta(days=1),
    ) -> None:
        self.db = bot.db
        self.clock = bot.clock
        self.default_language = bot.config.default_language
        self.messengers = messengers
        self.grace = grace
        self.agenda_grace = agenda_grace
        self.delivery = Delivery(bot.db, lease=lease, grace=grace)
        self._planning = asyncio.Semaphore(PLANNING)

    async def schedules(self) -> list[Schedule]:
        now = self.clock.now()
        found: list[Schedule] = []
        async with self.db.session() as session:
            for question_round, school in await store.rounds_to_schedule(session):
                if school.platform not in self.messengers:
                    continue  # another process (or no adapter) serves that platform
                plan = await plan_round(
                    session,
                    question_round,
                    school,
                    now,
                    grace=self.grace,
                    agenda_grace=self.agenda_grace,
                )
                if plan.next_at is not None:
                    trigger = DateTrigger(max(plan.next_at, now), timezone=UTC)
                    found.append(Schedule(str(question_round.id), trigger))
        return found

    async def run_due(self, key: str, now: datetime) -> None:
        # At a Monday 08:00 every round is due at once: rounds read their plans a few at
        # a time, so the first ones post (and each channel's pacing starts) while the
        # rest are still being read, rather than all reading first and posting late.
        async with self._planning:
            async with self.db.session() as session:
                question_round = await session.get(QuestionRound, int(key))
                school = (
                    await session.get(School, question_round.school_id) if question_round else None
                )
                if (
                    question_round is None
                    or school is None
                    or school.platform not in self.messengers
                ):
                    return
                plg = await session.get(PLG, question_round.plg_id)
                assert plg is not None
                plan = await plan_round(
                    session,
                    question_round,
                    school,
                    now,
                    grace=self.grace,
                    agenda_grace=self.agenda_grace,
                )
            # Close what is due before posting the next question: at a Monday 08:00 that
            # ends one week and starts the next, the agenda comes first.
            async with self.db.session() as session:
                current = await store.occurrences_of(session, question_round.id, status="open")
        for occurrence in current:
            halfway = occurrence.halfway_at
            if halfway <= now < occurrence.closes_at and now - halfway <= self.grace:
                await self._halfway(question_round, school, occurrence, now)
            if occurrence.closes_at <= now:
                await self._close(question_round, occurrence, now)
        async with self.db.session() as session:
            closed = await store.occurrences_of(session, question_round.id, status="closed")
        for occurrence in closed:
            if occurrence.closed_at and now - occurrence.closed_at <= self.agenda_grace:
                await self._send_agenda(question_round, school, plg, occurrence, now)
        for due in plan.posts_due:
            await self._post(question_round, school, plg, due, now)

    async def _post(
        self, question_round: QuestionRound, school: School, plg: PLG, due: datetime, now: datetime
    ) -> None:
        zone, rid = zone_of(school), question_round.id
        messenger = self.messengers.for_school(_ref(school))
        async with self.db.session() as session:
            channels = await store.channels_by_id(session, question_round.channel_ids)
            holiday = await holidays.holiday_on(session, school.id, wall(due, zone).date())
            leads = await directory.leads_of(session, plg.id)
            occurrence = None
            if holiday is None:
                halfway, closes = window(
                    due,
                    start=question_round.starts_at,
                    first_close=question_round.closes_at,
                    zone=zone,
                )
                occurrence = await store.ensure_occurrence(
                    session,
                    round_id=rid,
                    due_at=due,
                    halfway_at=halfway,
                    closes_at=closes,
                    question=question_round.question,
                )
        if holiday is not None or occurrence is None:
            recurrence = parse_recurrence(question_round.recurrence) or NOW_RECURRENCE
            upcoming = next_posting(recurrence, zone, start=question_round.starts_at, after=due)
            for lead in leads:
                note = skipped_note(
                    person_language(lead, school, self.default_language),
                    question_round=question_round,
                    due=due,
                    holiday=holiday.name if holiday else "?",
                    next_due=upcoming,
                    zone=zone,
                )
                send = partial(
                    messenger.send_private,
                    school=_ref(school),
                    user_id=lead.platform_user_id,
                    message=note,
                )
                await self._once("round.skip", f"{rid}:p{lead.id}", due, now, send)
            for channel in channels:
                await self._once("round", f"{rid}:{channel.id}", due, now, None, outcome="skipped")
            return
        language = school_language(school, self.default_language)
        post = question_post(
            language,
            question_round=question_round,
            occurrence=occurrence,
            plg_name=plg.name,
            zone=zone,
        )
        for channel in channels:
            send = partial(
                messenger.post_to_channel,
                school=_ref(school),
                channel_id=channel.platform_channel_id,
                message=post,
                key=f"round:{rid}:{channel.id}:{due.isoformat()}",
            )
            record = partial(_record_post, occurrence.id, channel.id, now)
            await self._once("round", f"{rid}:{channel.id}", due, now, send, record=record)

    async def _halfway(
        self,
        question_round: QuestionRound,
        school: School,
        occurrence: RoundOccurrence,
        now: datetime,
    ) -> None:
        rid = question_round.id
        messenger = self.messengers.for_school(_ref(school))
        async with self.db.session() as session:
            posts = await store.posts_of(session, occurrence.id)
            counts = await store.reply_counts(session, occurrence.id)
        nudge = halfway_nudge(
            school_language(school, self.default_language),
            question_round=question_round,
            occurrence=occurrence,
            counts=counts,
            zone=zone_of(school),
        )
        for post, channel in posts:
            send = partial(
                messenger.post_to_channel,
                school=_ref(school),
                channel_id=channel.platform_channel_id,
                message=nudge,
                thread_id=post.platform_message_id,
                key=f"round-halfway:{rid}:{channel.id}:{occurrence.due_at.isoformat()}",
            )
            await self._once(
                "round.halfway", f"{rid}:{channel.id}", occurrence.halfway_at, now, send
            )

    async def _close(
        self, question_round: QuestionRound, occurrence: RoundOccurrence, now: datetime
    ) -> None:
        async with self.db.session() as session:
            if await store.close_occurrence(session, occurrence.id, now=now):
                current = await session.get(QuestionRound, question_round.id)
                if (
                    current is not None
                    and current.recurrence == "once"
                    and current.status != "cancelled"
                ):
                    current.status = "done"

    async def _send_agenda(
        self,
        question_round: QuestionRound,
        school: School,
        plg: PLG,
        occurrence: RoundOccurrence,
        now: datetime,
    ) -> None:
        rid, zone = question_round.id, zone_of(school)
        messenger = self.messengers.for_school(_ref(school))
        async with self.db.session() as session:
            agenda = await compile_agenda(session, question_round, occurrence)
            channels, leads = await agenda_targets(session, question_round)
        due = occurrence.closes_at
        school_message = agenda_message(
            school_language(school, self.default_language), agenda, zone
        )
        for channel in channels:
            send = partial(
                messenger.post_to_channel,
                school=_ref(school),
                channel_id=channel.platform_channel_id,
                message=school_message,
                key=f"round-agenda:{rid}:{channel.id}:{occurrence.due_at.isoformat()}",
            )
            await self._once(
                "round.agenda", f"{rid}:c{channel.id}", due, now, send, grace=self.agenda_grace
            )
        for lead in leads:
            private = agenda_message(
                person_language(lead, school, self.default_language), agenda, zone
            )
            send = partial(
                messenger.send_private,
                school=_ref(school),
                user_id=lead.platform_user_id,
                message=private,
            )
            await self._once(
                "round.agenda", f"{rid}:p{lead.id}", due, now, send, grace=self.agenda_grace
            )

    async def _once(
        self,
        kind: str,
        key: str,
        due: datetime,
        now: datetime,
        send: Send | None,
        *,
        record: Record | None = None,
        outcome: str = "done",
        grace: timedelta | None = None,
    ) -> None:
        """One delivery; a failure is logged and left for the next run, so one broken
        channel does not keep the others from getting the question."""
        try:
            await self.delivery.once(
                kind=kind,
                key=key,
                due=due,
                now=now,
                send=send,
                record=record,
                outcome=outcome,
                grace=grace,
            )
        except Exception:
            log.exception("round delivery %s %s due %s failed; will retry", kind, key, due)


async def _record_post(
    occurrence_id: int, channel_id: int, now: datetime, session: AsyncSession, message_id: str
) -> None:
    await store.record_round_post(
        session,
        occurrence_id=occurrence_id,
        channel_id=channel_id,
        platform_message_id=message_id,
        posted_at=now,
    )


def _ref(school: School) -> SchoolRef:
    return SchoolRef(platform=school.platform, tenant_id=school.tenant_id, name=school.name)
