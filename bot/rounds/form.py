"""The lead's question-round form (a Slack modal, a Teams Adaptive Card): what it offers
a person, and what submitting it does.

A submission runs the same path as the typed ``round new`` / ``round edit`` command, so
the form and the command can never disagree about what is allowed. What the form adds
is knowing *which field* a problem is about, so a modal can show it next to that field
and keep the lead's input instead of closing on them. When editing, only the fields the
lead changed are applied: re-submitting a posted one-off round's unchanged start time
must not be read as "schedule it in the past".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.catalogue import Language
from bot.events import RoundFields
from bot.messages import OutboundMessage
from bot.rounds.admin import edit_round
from bot.rounds.commands import EditRound, NewRound, RoundDraft
from bot.rounds.creation import (
    JUST_NOW,
    NOW_RECURRENCE,
    draft_problem,
    lead_refusal,
    led_round,
    new_round,
    plan_round,
    question_problem,
    target_channels,
)
from bot.rounds.recurrence import DAYS, first_posting, parse_closing, parse_recurrence
from bot.school_time import wall, zone_of
from bot.turn import Context, Turn
from storage import directory
from storage import rounds as store
from storage.models import PLG, QuestionRound

SCHEDULES = ("now", "once", "weekly", "fortnightly")
# The fields a problem can be shown next to; None is "the form as a whole".
PLG_FIELD, QUESTION, CHANNELS, SCHEDULE, CLOSES, ANONYMOUS = (
    "plg",
    "question",
    "channels",
    "schedule",
    "closes",
    "anonymous",
)


@dataclass(frozen=True, slots=True)
class RoundFormChoices:
    """What a platform needs to draw the form for one person. With ``refusal`` set there
    is no form to show (not a lead; not their round), only that text."""

    language: Language
    plgs: tuple[str, ...]
    # (platform channel id, name): the channels plgbot has seen, which a round may use.
    channels: tuple[tuple[str, str], ...]
    values: RoundFields
    refusal: str | None = None


@dataclass(frozen=True, slots=True)
class RoundFormOutcome:
    """``accepted`` when the round was created or changed; otherwise ``field`` names the
    field the (single) message is about, when there is one."""

    messages: tuple[OutboundMessage, ...]
    accepted: bool
    field: str | None = None


async def choices(ctx: Context, number: int | None = None) -> RoundFormChoices:
    """The form for a new round, or for editing round ``number``."""
    known = await store.channels_of_school(ctx.session, ctx.school.id)
    channels = tuple((c.platform_channel_id, c.name or c.platform_channel_id) for c in known)
    led = tuple(
        plg.name
        for plg, is_lead in await directory.plgs_of_person(ctx.session, ctx.author.id)
        if is_lead
    )
    if number is not None:
        question_round, problem = await led_round(ctx, number)
        if question_round is None:
            refusal = problem.plain_text if problem else ctx.t("round.which")
            return RoundFormChoices(ctx.language, led, channels, RoundFields(), refusal)
        values = await _values_of(ctx, question_round)
        return RoundFormChoices(ctx.language, (values.plg,), channels, values)
    if not led:
        return RoundFormChoices(
            ctx.language, (), channels, RoundFields(), ctx.t("round_form.not_a_lead")
        )
    return RoundFormChoices(ctx.language, led, channels, RoundFields(plg=led[0]))


async def submit(turn: Turn, fields: RoundFields) -> RoundFormOutcome:
    """Create or edit the round the form describes, or say what is wrong and where."""
    if fields.round_number is not None:
        return await _submit_edit(turn, fields)
    plg = await directory.find_plg(turn.session, turn.school.id, fields.plg)
    if plg is None:
        return _refused(turn.say("round_form.pick_plg"), PLG_FIELD)
    if (refusal := await lead_refusal(turn, plg)) is not None:
        return _refused(refusal, PLG_FIELD)
    draft = draft_of(fields)
    field, problem = await _problem(turn, draft, plg)
    if problem is not None:
        return _refused(problem, field)
    return RoundFormOutcome(tuple(await new_round(turn, NewRound(plg.name, draft))), True)


def draft_of(fields: RoundFields) -> RoundDraft:
    """The form's fields as the typed command's parts."""
    schedule = schedule_words(fields)
    recurrence = parse_recurrence(schedule)
    closing_words = f"{fields.closes_date} {fields.closes_time}".strip()
    closing = parse_closing(closing_words) if closing_words else None
    return RoundDraft(
        question=fields.question.strip(),
        channels=tuple(dict.fromkeys(fields.channel_ids)),
        recurrence=recurrence,
        closing=closing,
        anonymous=fields.anonymous,
        bad_schedule=None if recurrence else schedule or fields.schedule,
        bad_closing=closing_words if closing_words and closing is None else None,
    )


def schedule_words(fields: RoundFields) -> str:
    """``weekly mon 08:00``, ``once 2026-12-01 08:00``, ``now``: what a lead would type."""
    at = fields.time.strip() or "08:00"
    match fields.schedule:
        case "now":
            return "now"
        case "once":
            return f"once {fields.date.strip()} {at}".replace("  ", " ")
        case "weekly" | "fortnightly":
            return f"{fields.schedule} {fields.weekday.strip()} {at}"
    return fields.schedule.strip()


async def _problem(
    turn: Turn, draft: RoundDraft, plg: PLG
) -> tuple[str | None, OutboundMessage | None]:
    """The first thing wrong with a new round's ``draft``, in the form's field order."""
    field, problem = await _field_problem(turn, draft)
    if problem is not None:
        return field, problem
    if not draft.channels:
        return CHANNELS, turn.say("round_form.pick_channel")
    zone = zone_of(turn.school)
    recurrence = draft.recurrence or NOW_RECURRENCE
    _, problem = plan_round(turn, recurrence, draft.closing, zone, plg=plg)
    if problem is None:
        return None, None
    starts_in_past = first_posting(recurrence, zone, turn.now) < turn.now - JUST_NOW
    return (SCHEDULE if starts_in_past else CLOSES), problem


async def _field_problem(
    turn: Turn, draft: RoundDraft
) -> tuple[str | None, OutboundMessage | None]:
    """What is wrong with a field on its own, before any planning."""
    if draft.bad_schedule is not None or draft.bad_closing is not None:
        field = SCHEDULE if draft.bad_schedule is not None else CLOSES
        return field, draft_problem(turn, draft)
    if draft.question is not None and (problem := question_problem(turn, draft.question)):
        return QUESTION, problem
    if draft.channels:
        _, problem = await target_channels(turn, draft.channels)
        if problem is not None:
            return CHANNELS, problem
    return None, None


async def _submit_edit(turn: Turn, fields: RoundFields) -> RoundFormOutcome:
    assert fields.round_number is not None
    question_round, problem = await led_round(turn, fields.round_number)
    if question_round is None:
        return _refused(problem or turn.say("round.which"), None)
    current = await _values_of(turn, question_round)
    draft = _changes(draft_of(fields), fields, current)
    if draft == RoundDraft():
        return RoundFormOutcome((turn.say("round_form.unchanged", number=question_round.id),), True)
    field, problem = await _field_problem(turn, draft)
    if problem is None and draft.anonymous is not None:
        posted = await store.latest_occurrence(turn.session, question_round.id)
        if posted is not None:
            field, problem = ANONYMOUS, turn.say("round.anonymity_fixed", number=question_round.id)
    if problem is not None:
        return _refused(problem, field)
    before = _snapshot(question_round)
    messages = tuple(await edit_round(turn, EditRound(question_round.id, draft)))
    if _snapshot(question_round) != before:
        return RoundFormOutcome(messages, True)
    # Refused by the planning (a start or closing in the past) or the round's status.
    field = SCHEDULE if draft.recurrence else CLOSES if draft.closing else None
    return RoundFormOutcome(messages, False, field)


def _snapshot(question_round: QuestionRound) -> tuple[object, ...]:
    r = question_round
    return (r.question, tuple(r.channel_ids), r.recurrence, r.starts_at, r.closes_at, r.anonymous)


def _changes(draft: RoundDraft, fields: RoundFields, current: RoundFields) -> RoundDraft:
    """Only what differs from the round as it is."""
    schedule_changed = schedule_words(fields) != schedule_words(current)
    closes_changed = (fields.closes_date, fields.closes_time) != (
        current.closes_date,
        current.closes_time,
    )
    channels_changed = set(fields.channel_ids) != set(current.channel_ids)
    return RoundDraft(
        question=draft.question if draft.question != current.question else None,
        channels=draft.channels if channels_changed else (),
        recurrence=draft.recurrence if schedule_changed else None,
        closing=draft.closing if closes_changed else None,
        anonymous=draft.anonymous if fields.anonymous != current.anonymous else None,
        bad_schedule=draft.bad_schedule if schedule_changed else None,
        bad_closing=draft.bad_closing if closes_changed else None,
    )


async def _values_of(ctx: Context, question_round: QuestionRound) -> RoundFields:
    plg = await ctx.session.get(PLG, question_round.plg_id)
    channels = await store.channels_by_id(ctx.session, question_round.channel_ids)
    zone = zone_of(ctx.school)
    recurrence = parse_recurrence(question_round.recurrence)
    starts = wall(question_round.starts_at, zone)
    closes = wall(question_round.closes_at, zone)
    if recurrence is None or recurrence.is_once or recurrence.weekday is None:
        schedule, weekday = "once", DAYS[starts.weekday()]
    else:
        schedule = "weekly" if recurrence.every_weeks == 1 else "fortnightly"
        weekday = DAYS[recurrence.weekday]
    return RoundFields(
        plg=plg.name if plg else "",
        question=question_round.question,
        channel_ids=tuple(c.platform_channel_id for c in channels),
        schedule=schedule,
        weekday=weekday,
        date=starts.date().isoformat(),
        time=_hhmm(starts),
        closes_date=closes.date().isoformat(),
        closes_time=_hhmm(closes),
        anonymous=question_round.anonymous,
        round_number=question_round.id,
    )


def _hhmm(instant: datetime) -> str:
    return f"{instant:%H:%M}"


def _refused(message: OutboundMessage, field: str | None) -> RoundFormOutcome:
    return RoundFormOutcome((message,), False, field)
