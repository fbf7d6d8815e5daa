"""A round's posting, as the core decides it: is it posted, with which question and
window, and what do its leads hear when a holiday skips it.

The scheduler (:mod:`scheduler.round_posting`) decides *when*: it calls :func:`open_posting`
a minute ahead in its own transaction, claims a delivery per channel, and at the due time
sends :func:`question_message` or, for a holiday, :func:`holiday_notes`. Everything here
is the round's own rule and works inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogue import Language
from bot.messages import OutboundMessage
from bot.rounds.creation import NOW_RECURRENCE
from bot.rounds.messages import person_language, question_post, school_language, skipped_note
from bot.rounds.recurrence import next_posting, parse_recurrence, window
from bot.school_time import in_school_hours, wall, zone_of
from storage import directory, holidays
from storage import rounds as store
from storage.models import PLG, Person, QuestionRound, RoundOccurrence, School
from storage.school_settings import school_config


@dataclass(slots=True)
class Posting:
    """One posting of ``question_round`` due at ``due``: either its open ``occurrence``
    (replies join it), or the ``holiday`` it falls in, with the ``leads`` to tell."""

    question_round: QuestionRound
    school: School
    plg: PLG
    due: datetime
    occurrence: RoundOccurrence | None = None
    holiday: str | None = None
    leads: list[Person] = field(default_factory=list)


async def open_posting(
    session: AsyncSession, question_round: QuestionRound, school: School, plg: PLG, due: datetime
) -> Posting:
    """The posting due at ``due``: skipped in a holiday (by the school's own calendar
    date), else its occurrence with the reply window, created once however often asked."""
    zone = zone_of(school)
    posting = Posting(question_round, school, plg, due)
    holiday = await holidays.holiday_on(session, school.id, wall(due, zone).date())
    if holiday is not None:
        posting.holiday = holiday.name
        posting.leads = list(await directory.leads_of(session, plg.id))
        return posting
    halfway, closes = window(
        due, start=question_round.starts_at, first_close=question_round.closes_at, zone=zone
    )
    halfway = await halfway_in_school_hours(session, school, halfway, due=due, closes=closes)
    posting.occurrence = await store.ensure_occurrence(
        session,
        round_id=question_round.id,
        due_at=due,
        halfway_at=halfway,
        closes_at=closes,
        question=question_round.question,
    )
    return posting


async def halfway_in_school_hours(
    session: AsyncSession, school: School, halfway: datetime, *, due: datetime, closes: datetime
) -> datetime:
    """The halfway note's moment moved into the school's hours (a school day, not a
    holiday) when the middle of the reply window falls outside them."""
    zone = zone_of(school)
    start, end = wall(due, zone).date(), wall(closes, zone).date()
    days_off = frozenset(
        start + timedelta(days=n)
        for span in await holidays.holidays_of_school(session, school.id, ending_from=start)
        for n in range((end - start).days + 1)
        if span.starts_on <= start + timedelta(days=n) <= span.ends_on
    )
    config = await school_config(session, school.id)
    return in_school_hours(
        halfway, zone, config.hours(), after=due, before=closes, days_off=days_off
    )


def question_message(posting: Posting, default_language: Language) -> OutboundMessage:
    """The question as the staff sees it in the round's channels."""
    assert posting.occurrence is not None, "a holiday posting has no question to post"
    return question_post(
        school_language(posting.school, default_language),
        question_round=posting.question_round,
        occurrence=posting.occurrence,
        plg_name=posting.plg.name,
        zone=zone_of(posting.school),
    )


def holiday_notes(
    posting: Posting, default_language: Language
) -> list[tuple[Person, OutboundMessage]]:
    """Each lead's private note that the posting fell in a holiday, with the next one."""
    question_round, zone = posting.question_round, zone_of(posting.school)
    recurrence = parse_recurrence(question_round.recurrence) or NOW_RECURRENCE
    upcoming = next_posting(recurrence, zone, start=question_round.starts_at, after=posting.due)
    return [
        (
            lead,
            skipped_note(
                person_language(lead, posting.school, default_language),
                question_round=question_round,
                due=posting.due,
                holiday=posting.holiday or "?",
                next_due=upcoming,
                zone=zone,
            ),
        )
        for lead in posting.leads
    ]


async def withdraw_if_stopped(session: AsyncSession, posting: Posting, now: datetime) -> bool:
    """For a posting opened ahead: True when its round was paused or cancelled
    meanwhile, in which case its occurrence, never posted, is cancelled."""
    assert posting.occurrence is not None
    if await store.still_to_post(session, posting.question_round.id, posting.occurrence.id):
        return False
    await store.close_occurrence(session, posting.occurrence.id, now=now, status="cancelled")
    return True


async def close_posting(
    session: AsyncSession, question_round_id: int, occurrence_id: int, now: datetime
) -> bool:
    """Close an occurrence at the end of its window; a one-off round is then done.
    True only for the one caller that closed it (its agenda follows)."""
    if not await store.close_occurrence(session, occurrence_id, now=now):
        return False
    current = await session.get(QuestionRound, question_round_id)
    if current is not None and current.recurrence == "once" and current.status != "cancelled":
        current.status = "done"
    return True
