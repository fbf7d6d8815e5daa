"""Posting a round's question: prepared ahead of its due time, sent at it.

At a Monday 08:00 hundreds of rounds fall due at once, and each needs database work
before its question can go out: the holiday check, its occurrence, the message, a
delivery claim per channel. :meth:`RoundPosting.prepare` does that work up to
:data:`PREPARE_LEAD` before the due time, in the transaction that read the round's
plan; :meth:`RoundPosting.send` then only sends, at the due time, and records each post
and confirms its claim in one transaction. So at 08:00 the posts are ready, and the
per-channel pacing of the platform (e.g. Slack's one post per second per channel), not
plgbot's own work, sets the pace.

Exactly once, as for every delivery (:mod:`scheduler.delivery`): the claims are
committed before the wait. A claim made ahead counts from the due time, so a process
that dies while waiting leaves claims that expire ``lease`` after the due time; the next
run takes them over and posts then (late, within grace), with the same key. A round
paused or cancelled while its question waited is not posted: its claims are marked
``skipped`` and the occurrence, never posted, is cancelled.

Between preparing and posting (at most :data:`PREPARE_LEAD`) the new occurrence
already exists as ``open``, so a reply sent in that minute joins the new question.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogue import Language
from bot.events import school_ref
from bot.messages import OutboundMessage
from bot.ports import Messengers
from bot.rounds.creation import NOW_RECURRENCE
from bot.rounds.messages import person_language, question_post, school_language, skipped_note
from bot.rounds.recurrence import next_posting, parse_recurrence, window
from bot.school_time import wall, zone_of
from scheduler.delivery import Claim, Delivery
from storage import Database, directory, holidays
from storage import rounds as store
from storage.models import PLG, Channel, Person, QuestionRound, RoundOccurrence, School
from storage.occurrences import finish_occurrence

log = logging.getLogger("plgbot.scheduler")

# How long before its due time a round's question is prepared. Long enough for the
# database work of a busy Monday 08:00 (about 25 ms per round on a small machine, so
# 1,000 rounds in some 30 s), short enough that a round changed in the last minute is
# still posted as it now is. The claims' lease counts from the due time, not from here.
PREPARE_LEAD = timedelta(seconds=60)


@dataclass(slots=True)
class PreparedPost:
    """One posting of a round, ready to send at ``due``."""

    question_round: QuestionRound
    school: School
    plg: PLG
    due: datetime
    prepared_at: datetime
    channels: list[Channel]
    occurrence: RoundOccurrence | None = None
    message: OutboundMessage | None = None
    # The channels this process is to post in (the others are done or being done).
    claims: list[tuple[Channel, Claim]] = field(default_factory=list)
    # A posting in a holiday is skipped; its leads are told.
    holiday: str | None = None
    leads: list[Person] = field(default_factory=list)


class RoundPosting:
    """Prepares and sends the postings of question rounds (see the module)."""

    def __init__(
        self,
        db: Database,
        delivery: Delivery,
        messengers: Messengers,
        default_language: Language,
    ) -> None:
        self.db = db
        self.delivery = delivery
        self.messengers = messengers
        self.default_language = default_language

    async def prepare(
        self,
        session: AsyncSession,
        question_round: QuestionRound,
        school: School,
        plg: PLG,
        due: datetime,
        now: datetime,
    ) -> PreparedPost:
        """The posting due at ``due`` (now or within the lead), prepared in
        ``session``'s transaction, which must commit before :meth:`send`."""
        zone, rid = zone_of(school), question_round.id
        channels = list(await store.channels_by_id(session, question_round.channel_ids))
        prepared = PreparedPost(question_round, school, plg, due, now, channels)
        holiday = await holidays.holiday_on(session, school.id, wall(due, zone).date())
        if holiday is not None:
            prepared.holiday = holiday.name
            prepared.leads = list(await directory.leads_of(session, plg.id))
            return prepared
        halfway, closes = window(
            due, start=question_round.starts_at, first_close=question_round.closes_at, zone=zone
        )
        occurrence = await store.ensure_occurrence(
            session,
            round_id=rid,
            due_at=due,
            halfway_at=halfway,
            closes_at=closes,
            question=question_round.question,
        )
        prepared.occurrence = occurrence
        ref = school_ref(school)
        findable = ref.platform in self.messengers and self.messengers.for_school(ref).finds_posts
        for channel in channels:
            claim = await self.delivery.claim(
                session,
                kind="round",
                key=f"{rid}:{channel.id}",
                due=due,
                now=now,
                findable=findable,
            )
            if claim is not None:
                prepared.claims.append((channel, claim))
        if prepared.claims:
            prepared.message = question_post(
                school_language(school, self.default_language),
                question_round=question_round,
                occurrence=occurrence,
                plg_name=plg.name,
                zone=zone,
            )
        return prepared

    async def send(self, prepared: PreparedPost, now: datetime) -> None:
        """Post what :meth:`prepare` claimed (``now`` is its due time or later)."""
        if prepared.holiday is not None:
            await self._skip(prepared, now)
            return
        occurrence, message = prepared.occurrence, prepared.message
        if occurrence is None or message is None or not prepared.claims:
            return
        rid = prepared.question_round.id
        if prepared.prepared_at < prepared.due and not await self._still_wanted(prepared, now):
            log.info("round %s was paused or cancelled before its posting due %s", rid, now)
            return
        school = school_ref(prepared.school)
        messenger = self.messengers.for_school(school)
        for channel, claim in prepared.claims:
            send = partial(
                messenger.post_to_channel,
                school=school,
                channel_id=channel.platform_channel_id,
                message=message,
                key=f"round:{rid}:{channel.id}:{prepared.due.isoformat()}",
            )
            record = partial(_record_post, occurrence.id, channel.id, now)
            try:
                await self.delivery.complete(claim, now=now, send=send, record=record)
            except Exception:
                # Left unconfirmed: retried at the next run, with the same key.
                log.exception("round %s post to %s due %s failed", rid, channel.id, prepared.due)

    async def _still_wanted(self, prepared: PreparedPost, now: datetime) -> bool:
        """Whether the round is still to be posted after waiting; if not, its claims are
        marked skipped and its occurrence (never posted) cancelled."""
        assert prepared.occurrence is not None
        rid, occurrence_id = prepared.question_round.id, prepared.occurrence.id
        async with self.db.session() as session:
            if await store.still_to_post(session, rid, occurrence_id):
                return True
            for _, claim in prepared.claims:
                await finish_occurrence(session, claim.occurrence_id, now=now, outcome="skipped")
            await store.close_occurrence(session, occurrence_id, now=now, status="cancelled")
        return False

    async def _skip(self, prepared: PreparedPost, now: datetime) -> None:
        """A posting in a holiday: tell the leads, mark the channels skipped."""
        question_round, school, due = prepared.question_round, prepared.school, prepared.due
        zone, rid = zone_of(school), question_round.id
        messenger = self.messengers.for_school(school_ref(school))
        recurrence = parse_recurrence(question_round.recurrence) or NOW_RECURRENCE
        upcoming = next_posting(recurrence, zone, start=question_round.starts_at, after=due)
        for lead in prepared.leads:
            note = skipped_note(
                person_language(lead, school, self.default_language),
                question_round=question_round,
                due=due,
                holiday=prepared.holiday or "?",
                next_due=upcoming,
                zone=zone,
            )
            send = partial(
                messenger.send_private,
                school=school_ref(school),
                user_id=lead.platform_user_id,
                message=note,
            )
            await self.delivery.try_once(
                kind="round.skip", key=f"{rid}:p{lead.id}", due=due, now=now, send=send
            )
        for channel in prepared.channels:
            await self.delivery.try_once(
                kind="round",
                key=f"{rid}:{channel.id}",
                due=due,
                now=now,
                send=None,
                outcome="skipped",
            )


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
