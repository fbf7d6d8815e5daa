"""What a question round has to do at a given moment (:func:`plan_round`), worked out
from the round, its occurrences and the exactly-once claims already in the database:
the postings that are due (or due within ``lead``, to be prepared ahead), and the time
of its next piece of work. Unconfirmed work (a claim never finished, within grace) makes
the next work "now", so the scheduler retries it at every resync."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.rounds.creation import NOW_RECURRENCE
from bot.rounds.recurrence import parse_recurrence, postings
from bot.school_time import zone_of
from storage import directory
from storage import rounds as store
from storage.models import Channel, Person, QuestionRound, RoundOccurrence, School

# Claims older than this are never looked at again (the longest grace is a day).
_HISTORY = timedelta(days=60)


@dataclass(slots=True)
class RoundPlan:
    """A round's work at ``now``: postings due (or to prepare), when the next work is,
    and the round's occurrences as read."""

    posts_due: list[datetime] = field(default_factory=list)
    next_at: datetime | None = None
    occurrences: list[RoundOccurrence] = field(default_factory=list)

    def consider(self, at: datetime) -> None:
        self.next_at = at if self.next_at is None else min(self.next_at, at)


async def plan_round(
    session: AsyncSession,
    question_round: QuestionRound,
    school: School,
    now: datetime,
    *,
    grace: timedelta,
    agenda_grace: timedelta,
    lead: timedelta = timedelta(0),
) -> RoundPlan:
    """``lead``: how long before its due time a posting is prepared; a posting due
    within ``lead`` of ``now`` is among ``posts_due``, a later one makes the next work
    ``lead`` before it."""
    plan = RoundPlan()
    zone = zone_of(school)
    rid = question_round.id
    claims = await store.claims_of_round(session, rid, since=now - _HISTORY)

    def done(kind: str, keys: list[str], due: datetime) -> bool:
        return all(claims.get((kind, key, due), False) for key in keys)

    if question_round.status == store.ACTIVE:
        recurrence = parse_recurrence(question_round.recurrence) or NOW_RECURRENCE
        channels = [f"{rid}:{c}" for c in question_round.channel_ids]
        until = max(now, question_round.starts_at) + (recurrence.period or timedelta(0))
        start = question_round.starts_at
        for due in postings(recurrence, zone, start=start, since=now - grace, until=until):
            if due > now + lead:
                plan.consider(due - lead)
                break
            if not done("round", channels, due):
                plan.posts_due.append(due)
                plan.consider(now)
    plan.occurrences = list(await store.occurrences_of(session, rid))
    for occurrence in plan.occurrences:
        posts = [f"{rid}:{c.id}" for _, c in await store.posts_of(session, occurrence.id)]
        if occurrence.status == "open":
            plan.consider(occurrence.closes_at)
            in_grace = now - occurrence.halfway_at <= grace
            if in_grace and not done("round.halfway", posts, occurrence.halfway_at):
                plan.consider(occurrence.halfway_at)
        elif occurrence.status == "closed" and occurrence.closed_at is not None:
            if now - occurrence.closed_at > agenda_grace:
                continue
            targets = await _agenda_keys(session, question_round)
            if not done("round.agenda", targets, occurrence.closes_at):
                plan.consider(now)
    return plan


async def agenda_targets(
    session: AsyncSession, question_round: QuestionRound
) -> tuple[list[Channel], list[Person]]:
    """Where a closed occurrence's agenda goes: the PLG's channels and its leads."""
    channels = list(await directory.channels_of_plg(session, question_round.plg_id))
    leads = list(await directory.leads_of(session, question_round.plg_id))
    return channels, leads


async def _agenda_keys(session: AsyncSession, question_round: QuestionRound) -> list[str]:
    channels, leads = await agenda_targets(session, question_round)
    rid = question_round.id
    return [f"{rid}:c{c.id}" for c in channels] + [f"{rid}:p{p.id}" for p in leads]
