"""Answering a question round: a reply in the question's thread, the Reply button, or
``answer N text``; editing and withdrawing your reply until the round closes.

Named rounds log each reply as a ``round_reply`` interaction from the replier to each
of the PLG's leads, so replies count in the network and the digest. One colleague has
one reply per posting: a second answer is kept (nothing is lost) and asks, with two
buttons, whether it replaces the first or adds to it; until then the agenda shows the
two as that colleague's one reply, and only the first counts as a conversation. Anonymous rounds
store no author and log no interaction: an edge "X → the leads at 10:02" would name X
as the one who wrote the reply that came in at 10:02. To still let people edit or
withdraw an anonymous reply, they get a random code, shown only to them; only a hash of
the code is stored, which says nothing about who holds it.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions import row_id
from bot.events import ActionInvoked
from bot.knowledge.tagging import knowledge_types
from bot.messages import Actions, Button, OutboundMessage, Paragraph
from bot.network.interactions import Origin
from bot.rounds.commands import AnswerRound
from bot.rounds.messages import when
from bot.school_time import zone_of
from bot.turn import Context, Turn
from storage import directory, interactions
from storage import rounds as store
from storage.interactions import NewInteraction
from storage.models import QuestionRound, RoundOccurrence, RoundReply

MAX_REPLY = 2000
REPLACE_ACTION = "round.reply_replace"
ADD_ACTION = "round.reply_add"
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L to misread


async def answer(turn: Turn, command: AnswerRound) -> list[OutboundMessage]:
    """``answer N text`` / ``answer N edit ...`` / ``answer N withdraw ...``."""
    number = command.number
    if number is None:
        open_rounds = await _open_round_numbers(turn)
        if len(open_rounds) != 1:
            key = "answer.which" if open_rounds else "answer.none_open"
            return [turn.say(key, numbers=", ".join(map(str, open_rounds)))]
        number = open_rounds[0]
    question_round = await store.find_round(turn.session, turn.school.id, number)
    if question_round is None:
        return [turn.say("round.not_found", number=number)]
    occurrence = await store.open_occurrence(turn.session, question_round.id)
    if occurrence is None:
        return [turn.say("answer.closed", number=number)]
    match command.action:
        case "add":
            return [await add_reply(turn, question_round, occurrence, command.text)]
        case "edit":
            return [await _edit(turn, question_round, occurrence, command.text)]
        case "withdraw":
            return [await _withdraw(turn, question_round, occurrence, command.text)]


async def thread_reply(turn: Turn) -> list[OutboundMessage] | None:
    """A message in the thread of a posted round question is a reply to it; None when
    the message is not in such a thread."""
    event = turn.event
    if event.thread_parent_id is None:
        return None
    occurrence = await store.occurrence_of_post(
        turn.session, turn.school.id, event.channel.channel_id, event.thread_parent_id
    )
    if occurrence is None:
        return None
    question_round = await turn.session.get(QuestionRound, occurrence.round_id)
    assert question_round is not None
    if occurrence.status != "open":
        return [turn.say("answer.closed", number=question_round.id)]
    confirmation = await add_reply(
        turn, question_round, occurrence, event.text, message_key=turn.message_key
    )
    if question_round.anonymous:
        warning = Paragraph(turn.t("answer.thread_shows_name", number=question_round.id))
        confirmation = turn.reply(*confirmation.blocks, warning)
    return [confirmation]


async def reply_button(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    """The Reply button under a posted question; its value is the occurrence id."""
    occurrence = (
        await ctx.session.get(RoundOccurrence, found) if (found := row_id(event.value)) else None
    )
    question_round = (
        await ctx.session.get(QuestionRound, occurrence.round_id) if occurrence else None
    )
    if occurrence is None or question_round is None or question_round.school_id != ctx.school.id:
        return [ctx.say("error.unknown_action")]
    if occurrence.status != "open":
        return [ctx.say("answer.closed", number=question_round.id)]
    return [await add_reply(ctx, question_round, occurrence, event.text or "")]


async def add_reply(
    ctx: Context,
    question_round: QuestionRound,
    occurrence: RoundOccurrence,
    body: str,
    *,
    message_key: str | None = None,
) -> OutboundMessage:
    body = body.strip()
    if not body:
        return ctx.say("answer.empty", number=question_round.id)
    if len(body) > MAX_REPLY:
        return ctx.say("answer.too_long", length=len(body), limit=MAX_REPLY)
    types = knowledge_types(body)
    code = None
    earlier = None
    if question_round.anonymous:
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
    else:
        earlier = await store.first_reply_of(ctx.session, occurrence.id, ctx.author.id)
    reply = await store.add_reply(
        ctx.session,
        occurrence=occurrence,
        author_id=None if question_round.anonymous else ctx.author.id,
        text=body,
        knowledge=types.value,
        now=ctx.now,
        message_key=message_key,
        edit_code_hash=_hash(occurrence.id, code) if code else None,
    )
    closes = when(ctx.language, occurrence.closes_at, zone_of(ctx.school))
    if earlier is not None:
        return ctx.reply(
            Paragraph(ctx.t("answer.second", number=question_round.id)),
            Paragraph(earlier.text),
            Actions(
                (
                    Button(ctx.t("answer.button.replace"), REPLACE_ACTION, str(reply.id)),
                    Button(ctx.t("answer.button.add"), ADD_ACTION, str(reply.id)),
                )
            ),
        )
    await _log(ctx, question_round, reply)
    lines = [ctx.t("answer.saved", number=question_round.id, closes=closes)]
    if code is not None:
        lines.append(ctx.t("answer.code", number=question_round.id, code=code))
    else:
        lines.append(ctx.t("answer.change_how", number=question_round.id))
    return ctx.reply(*(Paragraph(line) for line in lines))


async def replace_button(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    """The second answer takes the place of the first."""
    return [await _settle(ctx, event, replace=True)]


async def add_button(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    """The second answer is added to the first: one reply with both texts."""
    return [await _settle(ctx, event, replace=False)]


async def _settle(ctx: Context, event: ActionInvoked, *, replace: bool) -> OutboundMessage:
    later = await ctx.session.get(RoundReply, found) if (found := row_id(event.value)) else None
    occurrence = await ctx.session.get(RoundOccurrence, later.occurrence_id) if later else None
    question_round = (
        await ctx.session.get(QuestionRound, occurrence.round_id) if occurrence else None
    )
    if (
        later is None
        or occurrence is None
        or question_round is None
        or question_round.school_id != ctx.school.id
        or later.author_id != ctx.author.id
    ):
        # Pressed before (the second answer is gone into the first), or not theirs.
        return ctx.say("answer.settled")
    if occurrence.status != "open":
        return ctx.say("answer.closed", number=question_round.id)
    earlier = await store.first_reply_of(ctx.session, occurrence.id, ctx.author.id)
    if earlier is None or earlier.id == later.id:
        return ctx.say("answer.settled")
    if replace:
        earlier.text, earlier.knowledge = later.text, later.knowledge
    else:
        earlier.text = f"{earlier.text}\n{later.text}"
        earlier.knowledge |= later.knowledge
    earlier.updated_at = ctx.now
    await ctx.session.delete(later)
    await interactions.delete_interactions_of_message(ctx.session, _edge_key(earlier))
    await ctx.session.flush()
    await _log(ctx, question_round, earlier)
    key = "answer.replaced" if replace else "answer.added"
    return ctx.say(key, number=question_round.id)


async def forget_message(session: AsyncSession, message_key: str) -> None:
    """A deleted thread message takes its round reply (and the reply's edges) with it."""
    for reply in await store.replies_of_message(session, message_key):
        await interactions.delete_interactions_of_message(session, _edge_key(reply))
        await session.delete(reply)


async def _edit(
    ctx: Context, question_round: QuestionRound, occurrence: RoundOccurrence, rest: str
) -> OutboundMessage:
    reply, body = await _own_reply(ctx, question_round, occurrence, rest)
    if reply is None:
        return ctx.say(body)
    body = body.strip()
    if not body:
        return ctx.say("answer.empty", number=question_round.id)
    if len(body) > MAX_REPLY:
        return ctx.say("answer.too_long", length=len(body), limit=MAX_REPLY)
    reply.text = body
    reply.knowledge = knowledge_types(body).value
    reply.updated_at = ctx.now
    await interactions.delete_interactions_of_message(ctx.session, _edge_key(reply))
    await _log(ctx, question_round, reply)
    return ctx.say("answer.edited", number=question_round.id)


async def _withdraw(
    ctx: Context, question_round: QuestionRound, occurrence: RoundOccurrence, rest: str
) -> OutboundMessage:
    reply, problem = await _own_reply(ctx, question_round, occurrence, rest)
    if reply is None:
        return ctx.say(problem)
    await interactions.delete_interactions_of_message(ctx.session, _edge_key(reply))
    await ctx.session.delete(reply)
    return ctx.say("answer.withdrawn", number=question_round.id)


async def _own_reply(
    ctx: Context, question_round: QuestionRound, occurrence: RoundOccurrence, rest: str
) -> tuple[RoundReply | None, str]:
    """The reply to change and the rest of the text; or None and the catalogue key of
    the problem. Named rounds: your latest reply. Anonymous: the one with your code."""
    if not question_round.anonymous:
        reply = await store.latest_reply_of(ctx.session, occurrence.id, ctx.author.id)
        return (reply, rest) if reply else (None, "answer.nothing_to_change")
    code, _, body = rest.strip().partition(" ")
    reply = await store.reply_with_code(ctx.session, occurrence.id, _hash(occurrence.id, code))
    return (reply, body) if reply and code else (None, "answer.bad_code")


async def _log(ctx: Context, question_round: QuestionRound, reply: RoundReply) -> None:
    """Edges replier → each lead (named rounds only; see the module docstring)."""
    if question_round.anonymous or ctx.author.opted_out_at is not None:
        return
    leads = await directory.leads_of(ctx.session, question_round.plg_id)
    await interactions.record_interactions(
        ctx.session,
        [
            NewInteraction(
                school_id=ctx.school.id,
                source_id=ctx.author.id,
                target_id=lead.id,
                origin=Origin.ROUND_REPLY.value,
                knowledge=reply.knowledge,
                occurred_at=reply.created_at,
                plg_id=question_round.plg_id,
                message_key=_edge_key(reply),
            )
            for lead in leads
            if lead.id != ctx.author.id and lead.opted_out_at is None
        ],
    )


async def _open_round_numbers(ctx: Context) -> list[int]:
    numbers = []
    for question_round in await store.rounds_of_school(ctx.session, ctx.school.id):
        if await store.open_occurrence(ctx.session, question_round.id) is not None:
            numbers.append(question_round.id)
    return numbers


def _edge_key(reply: RoundReply) -> str:
    return f"round-reply:{reply.id}"


def _hash(occurrence_id: int, code: str) -> str:
    return hashlib.sha256(f"{occurrence_id}:{code.strip().upper()}".encode()).hexdigest()
