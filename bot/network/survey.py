"""The network survey (the research's questionnaire, in chat).

Every ``survey_months`` month(s) each staff member gets a private message "With whom
did you talk about the PLG this month?" with a button that lets them pick colleagues
(``picks_people``; see :class:`bot.messages.Button`) and a Skip button. Each colleague
picked becomes two ``survey`` interactions, both ways (design.md: "as chosen; default
both"), and a follow-up message per colleague asks who shared with whom: "I shared"
(me → them), "they shared" (them → me) or "both"; the answer replaces the default.

Picking yourself is refused and nothing is stored. Skipping ends it for this round.
Who neither answered nor skipped gets one reminder (scheduler/surveys.py). Button
values carry the round (its moment, ISO) or the invitation and colleague ids; a press
is only taken from the person the invitation was for.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.catalogue import Language, text
from bot.events import ActionInvoked, PersonRef
from bot.messages import Actions, Block, Button, Heading, OutboundMessage, Paragraph, message
from bot.network.interactions import Origin, edges
from bot.turn import Context
from storage import directory, interactions
from storage import surveys as store
from storage.interactions import NewInteraction
from storage.models import Person, SurveyInvite

PICK, DIRECTION, SKIP = "survey.pick", "survey.direction", "survey.skip"
DIRECTIONS = ("out", "in", "both")


def invite_message(language: Language, due_at: datetime, *, reminder: bool) -> OutboundMessage:
    """The invitation (or its one reminder): the question, a pick and a skip button."""

    def t(key: str, **values: object) -> str:
        return text(language, key, **values)

    value = due_at.isoformat()
    blocks: list[Block] = [Heading(t("survey.title"))]
    if reminder:
        blocks.append(Paragraph(t("survey.reminder")))
    blocks += [
        Paragraph(t("survey.question")),
        Paragraph(t("survey.why")),
        Actions(
            (
                Button(t("survey.button.pick"), PICK, value, picks_people=t("survey.prompt")),
                Button(t("survey.button.skip"), SKIP, value),
            )
        ),
    ]
    return message(*blocks, private=True)


def direction_message(ctx: Context, invite: SurveyInvite, other: Person) -> OutboundMessage:
    """ "You and Bram: who shared with whom?" with three buttons."""
    value = f"{invite.id}:{other.id}"
    first = other.display_name.split(" ")[0]
    return ctx.reply(
        Paragraph(ctx.t("survey.direction.question", name=other.display_name)),
        Actions(
            tuple(
                Button(ctx.t(f"survey.direction.{d}", name=first), DIRECTION, f"{value}:{d}")
                for d in DIRECTIONS
            )
        ),
    )


async def _invite(ctx: Context, event: ActionInvoked) -> SurveyInvite | None:
    try:
        due_at = datetime.fromisoformat(event.value)
    except ValueError:
        return None
    return await store.invite_of(ctx.session, person_id=ctx.author.id, due_at=due_at)


async def picked(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    invite = await _invite(ctx, event)
    if invite is None:
        return [ctx.say("survey.gone")]
    chosen = _unique(p for p in event.people if not p.is_bot)
    if any(ref.user_id == ctx.author.platform_user_id for ref in chosen):
        return [ctx.say("survey.not_yourself")]
    if not chosen:
        return [ctx.say("survey.nobody")]
    others = [
        await directory.ensure_person(
            ctx.session,
            school_id=ctx.school.id,
            platform_user_id=ref.user_id,
            display_name=ref.display_name,
            now=ctx.now,
        )
        for ref in chosen
    ]
    for other in others:
        await _record(ctx, invite, other, "both")
    invite.answered_at = invite.answered_at or ctx.now
    names = ctx.enumerate([o.display_name for o in others])
    thanks = ctx.say("survey.thanks", names=names)
    return [thanks, *(direction_message(ctx, invite, other) for other in others)]


async def direction(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    parts = event.value.split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return [ctx.say("survey.gone")]
    invite = await ctx.session.get(SurveyInvite, int(parts[0]))
    other = await ctx.session.get(Person, int(parts[1]))
    if (
        invite is None
        or other is None
        or invite.person_id != ctx.author.id
        or other.school_id != ctx.school.id
        or parts[2] not in DIRECTIONS
    ):
        return [ctx.say("survey.gone")]
    await _record(ctx, invite, other, parts[2])
    return [ctx.say(f"survey.noted.{parts[2]}", name=other.display_name)]


async def skip(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    invite = await _invite(ctx, event)
    if invite is None:
        return [ctx.say("survey.gone")]
    invite.skipped_at = invite.skipped_at or ctx.now
    return [ctx.say("survey.skipped")]


async def _record(ctx: Context, invite: SurveyInvite, other: Person, way: str) -> None:
    """Replace what the survey recorded about ``other`` with edges in direction
    ``way``: out (me → them), in (them → me) or both. Nothing for opted-out people."""
    key = f"survey:{invite.id}:{other.id}"
    await interactions.delete_interactions_of_message(ctx.session, key)
    if ctx.author.opted_out_at is not None or other.opted_out_at is not None:
        return
    both = edges(Origin.SURVEY, ctx.author.id, other.id)
    chosen = {"out": both[:1], "in": both[1:], "both": both}[way]
    await interactions.record_interactions(
        ctx.session,
        [
            NewInteraction(
                school_id=ctx.school.id,
                source_id=source,
                target_id=target,
                origin=Origin.SURVEY.value,
                knowledge=0,
                occurred_at=ctx.now,
                message_key=key,
            )
            for source, target in chosen
        ],
    )


def _unique(refs: Iterable[PersonRef]) -> list[PersonRef]:
    seen: dict[str, PersonRef] = {}
    for ref in refs:
        seen.setdefault(ref.user_id, ref)
    return list(seen.values())
