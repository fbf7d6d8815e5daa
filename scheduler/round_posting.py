"""Posting a round's question: prepared ahead of its due time, sent at it.

At a Monday 08:00 hundreds of rounds fall due at once, and each needs database work
before its question can go out: the holiday check, its occurrence and the message
(the core's rules, :mod:`bot.rounds.posting`), and a delivery claim per channel.
:meth:`RoundPosting.prepare` does that work up to :data:`PREPARE_LEAD` before the due
time, in the transaction that read the round's plan; :meth:`RoundPosting.send` then
only sends, at the due time, and records each post and confirms its claim in one
transaction. So at 08:00 the posts are ready, and the per-channel pacing of the
platform (e.g. Slack's one post per second per channel), not plgbot's own work, sets
the pace.

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
from bot.rounds.posting import (
    Posting,
    holiday_notes,
    open_posting,
    question_message,
    withdraw_if_stopped,
)
from scheduler.delivery import Claim, Delivery
from storage import Database
from storage import rounds as store
from storage.models import PLG, Channel, QuestionRound, School
from storage.occurrences import finish_occurrence

log = logging.getLogger("plgbot.scheduler")

# How long before its due time a round's question is prepared. Long enough for the
# database work of a busy Monday 08:00 (about 25 ms per round on a small machine, so
# 1,000 rounds in some 30 s), short enough that a round changed in the last minute is
# still posted as it now is. The claims' lease counts from the due time, not from here.
PREPARE_LEAD = timedelta(seconds=60)


@dataclass(slots=True)
class PreparedPost:
    """One posting of a round as the core opened it (:mod:`bot.rounds.posting`), with
    what this process is to send at its due time."""

    posting: Posting
    prepared_at: datetime
    channels: list[Channel]
    message: OutboundMessage | None = None
    # The channels this process is to post in (the others are done or being done).
    claims: list[tuple[Channel, Claim]] = field(default_factory=list)

    @property
    def due(self) -> datetime:
        return self.posting.due


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
        """The posting due at ``due`` (now or within the lead), opened and claimed in
        ``session``'s transaction, which must commit before :meth:`send`."""
        posting = await open_posting(session, question_round, school, plg, due)
        channels = list(await store.channels_by_id(session, question_round.channel_ids))
        prepared = PreparedPost(posting, now, channels)
        if posting.occurrence is None:
            return prepared  # a holiday: the leads are told at the due time
        ref = school_ref(school)
        findable = ref.platform in self.messengers and self.messengers.for_school(ref).finds_posts
        for channel in channels:
            claim = await self.delivery.claim(
                session,
                kind="round",
                key=f"{question_round.id}:{channel.id}",
                due=due,
                now=now,
                findable=findable,
            )
            if claim is not None:
                prepared.claims.append((channel, claim))
        if prepared.claims:
            prepared.message = question_message(posting, self.default_language)
        return prepared

    async def send(self, prepared: PreparedPost, now: datetime) -> None:
        """Post what :meth:`prepare` claimed (``now`` is its due time or later)."""
        posting = prepared.posting
        if posting.holiday is not None:
            await self._skip(prepared, now)
            return
        occurrence, message = posting.occurrence, prepared.message
        if occurrence is None or message is None or not prepared.claims:
            return
        rid = posting.question_round.id
        if prepared.prepared_at < prepared.due and not await self._still_wanted(prepared, now):
            log.info("round %s was paused or cancelled before its posting due %s", rid, now)
            return
        school = school_ref(posting.school)
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
        """Whether the round is still to be posted after waiting; if not, the core
        withdraws its occurrence and its claims are marked skipped."""
        async with self.db.session() as session:
            if not await withdraw_if_stopped(session, prepared.posting, now):
                return True
            for _, claim in prepared.claims:
                await finish_occurrence(session, claim.occurrence_id, now=now, outcome="skipped")
        return False

    async def _skip(self, prepared: PreparedPost, now: datetime) -> None:
        """A posting in a holiday: tell the leads, mark the channels skipped."""
        posting, due = prepared.posting, prepared.due
        rid, school = posting.question_round.id, school_ref(posting.school)
        messenger = self.messengers.for_school(school)
        for lead, note in holiday_notes(posting, self.default_language):
            send = partial(
                messenger.send_private, school=school, user_id=lead.platform_user_id, message=note
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
