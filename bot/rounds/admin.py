"""Managing question rounds: pause, resume, cancel, edit, and the list of rounds.
Only a lead of the round's PLG may change it (:func:`bot.rounds.creation.led_round`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.messages import Bullets, Heading, OutboundMessage, Paragraph
from bot.rounds.commands import ChangeRound, EditRound, RoundDraft
from bot.rounds.creation import (
    JUST_NOW,
    NOW_RECURRENCE,
    draft_problem,
    led_round,
    local_today,
    plan_round,
    question_problem,
    target_channels,
    with_natural_schedule,
)
from bot.rounds.messages import schedule_text, short, when
from bot.rounds.posting import halfway_in_school_hours
from bot.rounds.recurrence import next_posting, parse_recurrence, window
from bot.school_time import zone_of
from bot.turn import Context, Turn
from storage import directory
from storage import rounds as store
from storage.models import PLG, Channel, QuestionRound


async def change_round(turn: Turn, command: ChangeRound) -> list[OutboundMessage]:
    question_round, problem = await led_round(turn, command.number)
    if question_round is None:
        return [problem] if problem else []
    number = question_round.id
    if question_round.status in {"cancelled", "done"}:
        return [turn.say(f"round.already_{question_round.status}", number=number)]
    match command.action:
        case "pause":
            question_round.status = "paused"
            return [turn.say("round.paused", number=number)]
        case "resume":
            if question_round.status == store.ACTIVE:
                return [turn.say("round.not_paused", number=number)]
            question_round.status = store.ACTIVE
            upcoming = await upcoming_posting(turn, question_round)
            if upcoming is None:
                return [turn.say("round.resumed_nothing_left", number=number)]
            return [
                turn.say(
                    "round.resumed",
                    number=number,
                    when=when(turn.language, upcoming, zone_of(turn.school)),
                )
            ]
        case "cancel":
            question_round.status = "cancelled"
            for occurrence in await store.occurrences_of(turn.session, number, status="open"):
                await store.close_occurrence(
                    turn.session, occurrence.id, now=turn.now, status="cancelled"
                )
            return [turn.say("round.cancelled", number=number)]


async def upcoming_posting(ctx: Context, question_round: QuestionRound) -> datetime | None:
    """The next posting still to come (None for a one-off already posted or missed)."""
    recurrence = parse_recurrence(question_round.recurrence) or NOW_RECURRENCE
    posted = await store.latest_occurrence(ctx.session, question_round.id)
    after = max(ctx.now, posted.due_at) if posted else ctx.now - timedelta(seconds=1)
    if recurrence.is_once:
        return (
            None
            if posted or question_round.starts_at < ctx.now - JUST_NOW
            else question_round.starts_at
        )
    return next_posting(
        recurrence, zone_of(ctx.school), start=question_round.starts_at, after=after
    )


async def edit_round(turn: Turn, command: EditRound) -> list[OutboundMessage]:
    question_round, problem = await led_round(turn, command.number)
    if question_round is None:
        return [problem] if problem else []
    draft = with_natural_schedule(command.draft, local_today(turn))
    problem = draft_problem(turn, draft)
    if problem is not None:
        return [problem]
    if question_round.status in {"cancelled", "done"}:
        return [turn.say(f"round.already_{question_round.status}", number=question_round.id)]
    if draft == RoundDraft():
        return [turn.say("round.edit_usage", number=question_round.id)]
    if draft.question is not None and (problem := question_problem(turn, draft.question)):
        return [problem]
    channels: list[Channel] = []
    if draft.channels:
        channels, problem = await target_channels(turn, draft.channels)
        if problem is not None:
            return [problem]
    posted = await store.latest_occurrence(turn.session, question_round.id)
    if draft.anonymous is not None and draft.anonymous != question_round.anonymous and posted:
        return [turn.say("round.anonymity_fixed", number=question_round.id)]
    zone = zone_of(turn.school)
    plg = await turn.session.get(PLG, question_round.plg_id)
    assert plg is not None
    open_now = await store.open_occurrence(turn.session, question_round.id)
    if draft.recurrence is not None:
        plan, problem = plan_round(turn, draft.recurrence, draft.closing, zone, plg=plg)
    elif draft.closing is not None:
        # A new closing applies to the question that is open now, else to the next one.
        recurrence = parse_recurrence(question_round.recurrence) or NOW_RECURRENCE
        first = open_now.due_at if open_now else await upcoming_posting(turn, question_round)
        if first is None:
            return [
                turn.say(
                    "round.start_past", when=when(turn.language, question_round.starts_at, zone)
                )
            ]
        plan, problem = plan_round(turn, recurrence, draft.closing, zone, plg=plg, first=first)
    else:
        plan = None
    if problem is not None:
        return [problem]
    if plan is not None:
        question_round.recurrence = plan.recurrence.canonical()
        question_round.starts_at, question_round.closes_at = plan.starts_at, plan.closes_at
        if open_now is not None and draft.recurrence is None:
            halfway, open_now.closes_at = window(
                open_now.due_at, start=plan.starts_at, first_close=plan.closes_at, zone=zone
            )
            open_now.halfway_at = await halfway_in_school_hours(
                turn.session, turn.school, halfway, due=open_now.due_at, closes=open_now.closes_at
            )
    if draft.question is not None:
        question_round.question = draft.question
    if channels:
        question_round.channel_ids = [c.id for c in channels]
    if draft.anonymous is not None:
        question_round.anonymous = draft.anonymous
    return [
        turn.say(
            "round.edited",
            number=question_round.id,
            schedule=schedule_text(turn.language, question_round, zone),
        )
    ]


async def list_rounds(ctx: Context) -> list[OutboundMessage]:
    """Leads see their rounds with status and next posting; everyone sees the open
    questions with the command to answer them."""
    zone = zone_of(ctx.school)
    led = {
        plg.id for plg, lead in await directory.plgs_of_person(ctx.session, ctx.author.id) if lead
    }
    plgs = {p.id: p.name for p in await directory.plgs_of_school(ctx.session, ctx.school.id)}
    mine: list[str] = []
    open_items: list[str] = []
    for question_round in await store.rounds_of_school(ctx.session, ctx.school.id):
        current = await store.open_occurrence(ctx.session, question_round.id)
        plg = plgs.get(question_round.plg_id, "?")
        if current is not None:
            counts = await store.reply_counts(ctx.session, current.id)
            open_items.append(
                ctx.t(
                    "round.list_open",
                    number=question_round.id,
                    plg=plg,
                    question=short(current.question),
                    closes=when(ctx.language, current.closes_at, zone),
                    replies=counts.replies,
                )
            )
        if question_round.plg_id in led and question_round.status not in {"cancelled", "done"}:
            upcoming = (
                await upcoming_posting(ctx, question_round)
                if question_round.status == store.ACTIVE
                else None
            )
            mine.append(
                ctx.t(
                    "round.list_mine",
                    number=question_round.id,
                    plg=plg,
                    question=short(question_round.question),
                    status=ctx.t(f"round.status.{question_round.status}"),
                    schedule=schedule_text(ctx.language, question_round, zone),
                    next=when(ctx.language, upcoming, zone) if upcoming else "—",
                )
            )
    if not mine and not open_items:
        return [ctx.say("round.none")]
    blocks: list[Heading | Bullets | Paragraph] = []
    if open_items:
        blocks += [Heading(ctx.t("round.list_open_title")), Bullets(tuple(open_items))]
    if mine:
        blocks += [Heading(ctx.t("round.list_mine_title")), Bullets(tuple(mine))]
    return [ctx.reply(*blocks)]
