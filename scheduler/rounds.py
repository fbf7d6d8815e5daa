"""The question-round jobs: post each occurrence, nudge halfway, close with the agenda.

Schedules are rebuilt from the ``question_rounds`` table (see :mod:`scheduler.runner`):
one job per round, whose :class:`~apscheduler.triggers.date.DateTrigger` is the round's
next piece of work, computed by :mod:`bot.rounds.recurrence` in the school's time zone. Work
that is due but not confirmed (a platform was down) keeps the trigger at "now", so the
scheduler retries it at every resync until the grace period ends.

Everything sent goes through :class:`scheduler.delivery.Delivery`, one claim per
channel or person (``occurrences`` table, kinds ``round``, ``round.skip``,
``round.halfway``, ``round.agenda``; keys start with the round id). So a restart, a
crash between post and commit, or a second scheduler never posts an occurrence twice;
a posting missed by less than ``grace`` (default 1 hour) is posted late, one missed by
more is not. A missed closing is never dropped: the agenda is what the meeting needs.

A posting's job fires :data:`scheduler.round_posting.PREPARE_LEAD` before it is due and
prepares it (plan, occurrence, claims, message), then waits for the due time and only
sends (see :mod:`scheduler.round_posting`): a Monday 08:00 is not spent in the database.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from functools import partial

from apscheduler.triggers.date import DateTrigger

from bot.clock import wait_until
from bot.events import school_ref
from bot.ports import Messengers
from bot.rounds.agenda import agenda_message, compile_agenda
from bot.rounds.messages import halfway_nudge, person_language, school_language
from bot.rounds.posting import close_posting
from bot.school_time import zone_of
from bot.service import Bot
from scheduler.delivery import Delivery, Record, Send
from scheduler.jobs import Schedule
from scheduler.round_plan import agenda_targets, plan_round
from scheduler.round_posting import PREPARE_LEAD, PreparedPost, RoundPosting
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
        lead: timedelta = PREPARE_LEAD,
    ) -> None:
        self.db = bot.db
        self.clock = bot.clock
        self.default_language = bot.config.default_language
        self.messengers = messengers
        self.grace = grace
        self.agenda_grace = agenda_grace
        self.lead = lead
        self.delivery = Delivery(bot.db, lease=lease, grace=grace)
        self.posting = RoundPosting(bot.db, self.delivery, messengers, self.default_language)
        self._planning = asyncio.Semaphore(PLANNING)
        # Rounds whose job runs in this process right now (a prepared posting may wait
        # up to ``lead`` for its due time): the resync leaves them to that job.
        self._running: set[int] = set()

    async def schedules(self) -> list[Schedule]:
        now = self.clock.now()
        found: list[Schedule] = []
        async with self.db.session() as session:
            for question_round, school in await store.rounds_to_schedule(session):
                if school.platform not in self.messengers:
                    continue  # another process (or no adapter) serves that platform
                if question_round.id in self._running:
                    continue
                plan = await plan_round(
                    session,
                    question_round,
                    school,
                    now,
                    grace=self.grace,
                    agenda_grace=self.agenda_grace,
                    lead=self.lead,
                )
                if plan.next_at is not None:
                    trigger = DateTrigger(max(plan.next_at, now), timezone=UTC)
                    found.append(Schedule(str(question_round.id), trigger))
        return found

    async def run_due(self, key: str, now: datetime) -> None:
        rid = int(key)
        if rid in self._running:
            return  # already at work here, perhaps waiting to post (claims keep it once)
        self._running.add(rid)
        try:
            await self._run(rid, now)
        finally:
            self._running.discard(rid)

    async def _run(self, rid: int, now: datetime) -> None:
        # At a Monday 08:00 every round is due at once: rounds read their plans (and
        # prepare their postings) a few at a time, so the first ones are ready first
        # rather than all at the end.
        async with self._planning, self.db.session() as session:
            question_round = await session.get(QuestionRound, rid)
            school = await session.get(School, question_round.school_id) if question_round else None
            if question_round is None or school is None or school.platform not in self.messengers:
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
                lead=self.lead,
            )
            prepared: list[PreparedPost] = [
                await self.posting.prepare(session, question_round, school, plg, due, now)
                for due in plan.posts_due
            ]
        # Close what is due before posting the next question: at a Monday 08:00 that
        # ends one week and starts the next, the agenda comes first.
        occurrences = plan.occurrences
        await self._wrap_up(question_round, school, plg, occurrences, now, since=None)
        for post in prepared:
            if post.due > now:
                # Prepared ahead: wait for the due time, then do what fell due meanwhile.
                await wait_until(self.clock, post.due)
                now, since = post.due, now
                await self._wrap_up(question_round, school, plg, occurrences, now, since=since)
            await self.posting.send(post, now)

    async def _wrap_up(
        self,
        question_round: QuestionRound,
        school: School,
        plg: PLG,
        occurrences: list[RoundOccurrence],
        now: datetime,
        *,
        since: datetime | None,
    ) -> None:
        """Halfway nudges, closings and agendas of ``occurrences`` (as the plan read
        them) due at ``now``; with ``since``, only those that fell due after it (the
        rest were done by the previous call). Reads the database only for work due."""

        def fresh(at: datetime) -> bool:
            return at <= now and (since is None or at > since)

        for occurrence in occurrences:
            if occurrence.status == "open":
                halfway = occurrence.halfway_at
                if fresh(halfway) and now < occurrence.closes_at and now - halfway <= self.grace:
                    await self._halfway(question_round, school, occurrence, now)
                if fresh(occurrence.closes_at):
                    await self._close(question_round, occurrence, now)
                    await self._send_agenda(question_round, school, plg, occurrence, now)
            elif occurrence.status == "closed" and since is None:
                closed_at = occurrence.closed_at
                if closed_at is not None and now - closed_at <= self.agenda_grace:
                    await self._send_agenda(question_round, school, plg, occurrence, now)

    async def _halfway(
        self,
        question_round: QuestionRound,
        school: School,
        occurrence: RoundOccurrence,
        now: datetime,
    ) -> None:
        rid = question_round.id
        messenger = self.messengers.for_school(school_ref(school))
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
                school=school_ref(school),
                channel_id=channel.platform_channel_id,
                message=nudge,
                thread_id=post.platform_message_id,
                key=f"round-halfway:{rid}:{channel.id}:{occurrence.due_at.isoformat()}",
            )
            await self._once(
                "round.halfway",
                f"{rid}:{channel.id}",
                occurrence.halfway_at,
                now,
                send,
                findable=messenger.finds_posts,
            )

    async def _close(
        self, question_round: QuestionRound, occurrence: RoundOccurrence, now: datetime
    ) -> None:
        async with self.db.session() as session:
            await close_posting(session, question_round.id, occurrence.id, now)

    async def _send_agenda(
        self,
        question_round: QuestionRound,
        school: School,
        plg: PLG,
        occurrence: RoundOccurrence,
        now: datetime,
    ) -> None:
        rid, zone = question_round.id, zone_of(school)
        messenger = self.messengers.for_school(school_ref(school))
        async with self.db.session() as session:
            agenda = await compile_agenda(session, question_round, occurrence, now=now)
            channels, leads = await agenda_targets(session, question_round)
        due = occurrence.closes_at
        school_message = agenda_message(
            school_language(school, self.default_language), agenda, zone
        )
        for channel in channels:
            send = partial(
                messenger.post_to_channel,
                school=school_ref(school),
                channel_id=channel.platform_channel_id,
                message=school_message,
                key=f"round-agenda:{rid}:{channel.id}:{occurrence.due_at.isoformat()}",
            )
            await self._once(
                "round.agenda",
                f"{rid}:c{channel.id}",
                due,
                now,
                send,
                grace=self.agenda_grace,
                findable=messenger.finds_posts,
            )
        for lead in leads:
            private = agenda_message(
                person_language(lead, school, self.default_language), agenda, zone
            )
            send = partial(
                messenger.send_private,
                school=school_ref(school),
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
        grace: timedelta | None = None,
        findable: bool = False,
    ) -> None:
        await self.delivery.try_once(
            kind=kind,
            key=key,
            due=due,
            now=now,
            send=send,
            record=record,
            grace=grace,
            findable=findable,
        )
