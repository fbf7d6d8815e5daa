"""What a question round says: the posted question with its Reply button, the halfway
nudge in its thread, the holiday note to the leads, and the words for times and
schedules. Shared by the commands (:mod:`bot.rounds.creation`) and the scheduled jobs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.catalogue import Language, as_language, text
from bot.messages import Actions, Button, Heading, OutboundMessage, Paragraph, message
from bot.rounds.recurrence import DAYS, parse_recurrence
from storage.models import Channel, Person, QuestionRound, RoundOccurrence, School
from storage.rounds import ReplyCounts

REPLY_ACTION = "round.reply"
# A prompt quoting a long question would not fit a modal's title line.
_PROMPT_QUOTE = 150


def school_language(school: School, default: Language) -> Language:
    return as_language(school.language) or default


def person_language(person: Person, school: School, default: Language) -> Language:
    """The same order as a conversation: their choice, their locale, the school's."""
    return (
        as_language(person.language)
        or as_language(person.locale)
        or school_language(school, default)
    )


def when(language: Language, instant: datetime, zone: ZoneInfo) -> str:
    """``Tuesday 2026-12-01 at 17:00`` in the school's time zone."""
    local = instant.astimezone(zone)
    return text(
        language,
        "when.format",
        weekday=text(language, f"weekday.{DAYS[local.weekday()]}"),
        date=local.date().isoformat(),
        time=f"{local:%H:%M}",
    )


def schedule_text(language: Language, question_round: QuestionRound, zone: ZoneInfo) -> str:
    """``once, Monday 2026-11-23 at 08:00`` or ``every Monday at 08:00``."""
    recurrence = parse_recurrence(question_round.recurrence)
    if recurrence is None or recurrence.is_once or recurrence.weekday is None:
        return text(
            language, "round.schedule_once", when=when(language, question_round.starts_at, zone)
        )
    key = "round.schedule_weekly" if recurrence.every_weeks == 1 else "round.schedule_fortnightly"
    return text(
        language,
        key,
        weekday=text(language, f"weekday.{DAYS[recurrence.weekday]}"),
        time=f"{recurrence.at:%H:%M}",
    )


def channel_list(channels: Sequence[Channel]) -> str:
    return ", ".join(f"#{c.name or c.platform_channel_id}" for c in channels)


def short(question: str, limit: int = 80) -> str:
    return question if len(question) <= limit else question[: limit - 1].rstrip() + "…"


def question_post(
    language: Language,
    *,
    question_round: QuestionRound,
    occurrence: RoundOccurrence,
    plg_name: str,
    zone: ZoneInfo,
) -> OutboundMessage:
    """The question as the whole staff sees it, with the Reply button."""
    number = question_round.id
    closes = when(language, occurrence.closes_at, zone)
    blocks: list[Heading | Paragraph | Actions] = [
        Heading(text(language, "round.post_title", plg=plg_name, number=number)),
        Paragraph(occurrence.question),
        Paragraph(text(language, "round.post_how", number=number, closes=closes)),
    ]
    if question_round.anonymous:
        blocks.append(Paragraph(text(language, "round.post_anonymous", number=number)))
    prompt = text(
        language, "round.reply_prompt", question=short(occurrence.question, _PROMPT_QUOTE)
    )
    button = Button(
        text(language, "round.reply_button"), REPLY_ACTION, str(occurrence.id), asks_text=prompt
    )
    blocks.append(Actions((button,)))
    return message(*blocks)


def halfway_nudge(
    language: Language,
    *,
    question_round: QuestionRound,
    occurrence: RoundOccurrence,
    counts: ReplyCounts,
    zone: ZoneInfo,
) -> OutboundMessage:
    """How many replied so far and from how many departments; never who did not."""
    closes = when(language, occurrence.closes_at, zone)
    number = question_round.id
    if counts.replies == 0:
        key = "round.halfway_none"
    elif question_round.anonymous:
        key = "round.halfway_anonymous"
    elif counts.departments > 1:
        key = "round.halfway_departments"
    elif counts.colleagues == 1:
        key = "round.halfway_one"
    else:
        key = "round.halfway_colleagues"
    line = text(
        language,
        key,
        replies=counts.replies,
        colleagues=counts.colleagues,
        departments=counts.departments,
    )
    more = text(language, "round.halfway_more", number=number, closes=closes)
    return message(Paragraph(line), Paragraph(more), in_thread=True)


def skipped_note(
    language: Language,
    *,
    question_round: QuestionRound,
    due: datetime,
    holiday: str,
    next_due: datetime | None,
    zone: ZoneInfo,
) -> OutboundMessage:
    """To a lead, privately: this posting fell in a holiday and was not posted."""
    lines = [
        text(
            language,
            "round.skipped_holiday",
            number=question_round.id,
            question=short(question_round.question),
            when=when(language, due, zone),
            holiday=holiday,
        )
    ]
    if next_due is not None:
        lines.append(text(language, "round.next_posting", when=when(language, next_due, zone)))
    return message(*(Paragraph(line) for line in lines), private=True)
