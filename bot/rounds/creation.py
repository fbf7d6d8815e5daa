"""Whiteboard question rounds, the lead's side: creating one, and the checks that
creating and editing share (design.md, "Whiteboard question rounds"). Only a lead of
the round's PLG may create or change a round (:mod:`bot.rounds.admin` does the rest);
everyone may list the open ones and answer (:mod:`bot.rounds.replies`).

Channels are named as ``#name`` and must be channels of this school that plgbot has
seen (a PLG channel, or one where somebody spoke to or near the bot), so a typo never
schedules a question into nowhere. Times are read in the school's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.messages import OutboundMessage, Paragraph
from bot.rounds.commands import NewRound, RoundDraft
from bot.rounds.messages import channel_list, schedule_text, short, when
from bot.rounds.recurrence import (
    Closing,
    Recurrence,
    first_posting,
    natural_recurrence,
    resolve_closing,
)
from bot.school_time import shift_wall, wall, zone_of
from bot.turn import Context, Turn
from storage import directory, holidays
from storage import rounds as store
from storage.models import PLG, Channel, QuestionRound

MAX_QUESTION = 500
ONCE = "once"
_PUNCTUATION = re.compile(r"[^\w\s]")
NOW_RECURRENCE = Recurrence(0, None, None, None)
# A one-off "once 08:00 today" typed at 08:00:30 is meant as now, not as the past.
JUST_NOW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Plan:
    """When a round posts and closes, checked."""

    recurrence: Recurrence
    starts_at: datetime
    closes_at: datetime


async def new_round(turn: Turn, command: NewRound) -> list[OutboundMessage]:
    if not command.plg or not command.has_parts:
        return [turn.say("round.usage")]
    plg = await directory.find_plg(turn.session, turn.school.id, command.plg)
    if plg is None:
        names = turn.enumerate(
            [p.name for p in await directory.plgs_of_school(turn.session, turn.school.id)]
        )
        return [turn.say("plg.not_found", name=command.plg, names=names or "—")]
    refusal = await lead_refusal(turn, plg)
    if refusal is not None:
        return [refusal]
    draft = with_natural_schedule(command.draft, local_today(turn))
    problem = draft_problem(turn, draft) or question_problem(turn, draft.question)
    if problem is not None:
        return [problem]
    assert draft.question is not None
    channels, problem = await target_channels(turn, draft.channels)
    if problem is not None:
        return [problem]
    zone = zone_of(turn.school)
    plan, problem = plan_round(
        turn, draft.recurrence or NOW_RECURRENCE, draft.closing, zone, plg=plg
    )
    if problem is not None:
        return [problem]
    assert plan is not None
    twin = await same_round(turn, plg, draft.question, channels, plan)
    if twin is not None:
        return [turn.say("round.duplicate", number=twin.id, plg=plg.name)]
    question_round = QuestionRound(
        school_id=turn.school.id,
        plg_id=plg.id,
        created_by_id=turn.author.id,
        question=draft.question,
        channel_ids=[c.id for c in channels],
        recurrence=plan.recurrence.canonical(),
        starts_at=plan.starts_at,
        closes_at=plan.closes_at,
        anonymous=bool(draft.anonymous),
        status=store.ACTIVE,
        created_at=turn.now,
    )
    turn.session.add(question_round)
    await turn.session.flush()
    lines = [
        turn.t(
            "round.created",
            number=question_round.id,
            plg=plg.name,
            question=short(question_round.question),
            channels=channel_list(channels),
            schedule=schedule_text(turn.language, question_round, zone),
        ),
        turn.t(
            "round.first_posting",
            first=when(turn.language, plan.starts_at, zone),
            closes=when(turn.language, plan.closes_at, zone),
        ),
        turn.t("round.anonymous" if question_round.anonymous else "round.named"),
    ]
    holiday = await holidays.holiday_on(
        turn.session, turn.school.id, wall(plan.starts_at, zone).date()
    )
    if holiday is not None:
        lines.append(turn.t("round.first_in_holiday", holiday=holiday.name))
    lines.append(turn.t("round.manage", number=question_round.id))
    return [turn.reply(*(Paragraph(line) for line in lines))]


def question_key(question: str) -> str:
    """A question as compared for duplicates: case, accents, punctuation and runs of
    spaces folded ("Wat werkt?" and "wat werkt" are one question)."""
    return " ".join(_PUNCTUATION.sub(" ", directory.name_key(question)).split())


async def same_round(
    turn: Turn, plg: PLG, question: str, channels: list[Channel], plan: Plan
) -> QuestionRound | None:
    """An active round of the PLG asking the same question in one of the same channels
    in an overlapping period: a second one would be posted twice, with two agendas."""
    key = question_key(question)
    wanted = {c.id for c in channels}
    ends = plan.closes_at if plan.recurrence.canonical() == ONCE else None
    for other in await store.rounds_of_school(turn.session, turn.school.id):
        if other.plg_id != plg.id or question_key(other.question) != key:
            continue
        if not wanted & set(other.channel_ids):
            continue
        running = other.status == store.ACTIVE or (
            await store.open_occurrence(turn.session, other.id) is not None
        )
        if not running:
            continue
        other_ends = other.closes_at if other.recurrence == ONCE else None
        if (ends is None or other.starts_at < ends) and (
            other_ends is None or plan.starts_at < other_ends
        ):
            return other
    return None


def with_natural_schedule(draft: RoundDraft, today: date) -> RoundDraft:
    """The draft with a schedule read as people say it ("morgen 8 uur", "elke dinsdag
    om half 9"), where the strict reading found none (bot.rounds.recurrence)."""
    if draft.recurrence is not None:
        return draft
    for part in (draft.bad_schedule, *draft.extra):
        if part is None:
            continue
        found = natural_recurrence(part, today)
        if found is not None:
            extra = tuple(p for p in draft.extra if p != part)
            bad = None if part == draft.bad_schedule else draft.bad_schedule
            return replace(draft, recurrence=found, bad_schedule=bad, extra=extra)
    return draft


def draft_problem(ctx: Context, draft: RoundDraft) -> OutboundMessage | None:
    if draft.bad_schedule is not None:
        return ctx.say("round.bad_schedule", part=draft.bad_schedule)
    if draft.bad_closing is not None:
        return ctx.say("round.bad_closing", part=draft.bad_closing)
    if draft.extra:
        return ctx.say("round.unknown_part", part=draft.extra[0])
    return None


def local_today(ctx: Context) -> date:
    return ctx.now.astimezone(zone_of(ctx.school)).date()


def question_problem(ctx: Context, question: str | None) -> OutboundMessage | None:
    if not question or not question.strip():
        return ctx.say("round.question_missing")
    if len(question) > MAX_QUESTION:
        return ctx.say("round.question_too_long", length=len(question), limit=MAX_QUESTION)
    return None


async def target_channels(
    turn: Turn, names: tuple[str, ...]
) -> tuple[list[Channel], OutboundMessage | None]:
    """The named channels, or the channel the command was typed in."""
    event = turn.event
    if not names:
        if event.channel.is_direct:
            return [], turn.say("round.channel_missing")
        channel = await directory.ensure_channel(
            turn.session,
            school_id=turn.school.id,
            platform_channel_id=event.channel.channel_id,
            name=event.channel.name,
        )
        return [channel], None
    known = await store.channels_of_school(turn.session, turn.school.id)
    by_id = {c.platform_channel_id: c for c in known}
    by_name = {(c.name or "").lower(): c for c in known if c.name}
    found: list[Channel] = []
    unknown: list[str] = []
    for name in names:
        link = next(
            (
                ref
                for ref in event.channel_links
                if name.lower() in {(ref.name or "").lower(), ref.channel_id.lower()}
            ),
            None,
        )
        named = (
            (by_id.get(link.channel_id) if link else None)
            or by_name.get(name.lower())
            or by_id.get(name)
        )
        if named is None:
            unknown.append(f"#{name}")
        elif named not in found:
            found.append(named)
    if unknown:
        return [], turn.say(
            "round.unknown_channel",
            names=turn.enumerate(unknown),
            known=channel_list(known) or "—",
        )
    return found, None


def plan_round(
    ctx: Context,
    recurrence: Recurrence,
    closing: Closing | None,
    zone: ZoneInfo,
    *,
    plg: PLG,
    first: datetime | None = None,
) -> tuple[Plan | None, OutboundMessage | None]:
    """When the round posts first and closes, or why that cannot be."""
    now = ctx.now
    if first is not None:
        starts = first  # the posting that is open now, or the next one
    else:
        starts = first_posting(recurrence, zone, now)
        if starts < now - JUST_NOW:
            return None, ctx.say("round.start_past", when=when(ctx.language, starts, zone))
        starts = max(starts, now) if recurrence.is_once else starts
    closes = resolve_closing(closing, recurrence, zone, first=starts, next_meeting=plg.next_meeting)
    if closes <= now:
        return None, ctx.say("round.closes_past", when=when(ctx.language, closes, zone))
    if closes <= starts:
        return None, ctx.say(
            "round.closes_before_start",
            closes=when(ctx.language, closes, zone),
            first=when(ctx.language, starts, zone),
        )
    if recurrence.period is not None and closes > shift_wall(starts, recurrence.period, zone):
        return None, ctx.say("round.closes_after_next", closes=when(ctx.language, closes, zone))
    return Plan(recurrence, starts, closes), None


async def lead_refusal(ctx: Context, plg: PLG) -> OutboundMessage | None:
    """The refusal text of :mod:`bot.plgs` for anyone who does not lead ``plg``."""
    member = await directory.membership(ctx.session, plg.id, ctx.author.id)
    if member is not None and member.is_lead:
        return None
    leads = await directory.leads_of(ctx.session, plg.id)
    names = ctx.enumerate([p.display_name for p in leads]) or "—"
    return ctx.say("plg.leads_only", name=plg.name, leads=names)


async def led_round(
    ctx: Context, number: int | None
) -> tuple[QuestionRound | None, OutboundMessage | None]:
    """Round ``number`` if it exists here and the author leads its PLG."""
    if number is None:
        return None, ctx.say("round.which")
    question_round = await store.find_round(ctx.session, ctx.school.id, number)
    if question_round is None:
        return None, ctx.say("round.not_found", number=number)
    plg = await ctx.session.get(PLG, question_round.plg_id)
    assert plg is not None
    return (None, refusal) if (refusal := await lead_refusal(ctx, plg)) else (question_round, None)
