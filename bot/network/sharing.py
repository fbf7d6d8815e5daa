"""Logging who shared PLG knowledge with whom: the told/heard/discussed commands and
what the bot observes in PLG channels (mentions and thread replies)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.actions import row_id
from bot.commands import LogInteraction
from bot.events import ActionInvoked, InboundMessage, PersonRef
from bot.knowledge.tagging import Reading, knowledge_types, read
from bot.knowledge.types import ALL_TYPES, KnowledgeType
from bot.messages import MAX_BUTTON_VALUE, Actions, Block, Button, OutboundMessage, Paragraph
from bot.network import conversations
from bot.network.conversations import Merge
from bot.network.interactions import Origin, edges, is_question
from bot.network.knowledge_choice import type_buttons
from bot.network.names import Named, Unclear, named_in
from bot.network.phrasing import read_said, subject_told, words_of
from bot.network.plg_of_contact import FILE_ACTION, PlgChoice, plg_of_contact
from bot.network.plg_of_contact import named_in as named_plgs
from bot.turn import Context, Turn
from storage import directory, interactions, reports
from storage.interactions import NewInteraction
from storage.models import PLG, Person


async def log_command(turn: Turn, command: LogInteraction) -> list[OutboundMessage]:
    event = turn.event
    if event.unknown_mentions:
        names = turn.enumerate([f"@{name}" for name in event.unknown_mentions])
        return [turn.say("error.unknown_person", names=names)]
    if any(m.user_id == event.author.user_id for m in event.mentions):
        return [turn.say("error.self_mention")]
    mentioned = [await _person(turn, ref) for ref in _unique(event.mentions)]
    # Forms pick colleagues; typed messages may name them without @ as well.
    people = await directory.people_of_school(turn.session, turn.school.id)
    named = (
        named_in(command.rest, people, author_id=turn.author.id)
        if command.knowledge is None and command.plg is None
        else Named()
    )
    if mentioned:
        # With colleagues mentioned, a typed word that fits nobody is just a word
        # ("moved to Thursday"); a typed name that fits two is still asked.
        named.unclear = [u for u in named.unclear if u.known]
    others = list({p.id: p for p in [*mentioned, *named.found]}.values())
    command = _direction(command, named)
    if named.unclear:
        # Wrong is worse than not understood: nothing is stored until it is clear.
        return [await _ask_who(turn, command, others, named.unclear)]
    if not others:
        if not event.channel.is_direct and await directory.channel_with_plg(
            turn.session, turn.school.id, event.channel.channel_id
        ):
            # A mention of plgbot in a PLG channel that names nobody: chatter there
            # counts as it always does.
            await observe(turn)
            return []
        return [turn.say("error.no_mention", example="bram")]
    return await _log(turn, command, others)


async def _log(
    turn: Turn,
    command: LogInteraction,
    others: Sequence[Person],
    *,
    named_plg: PLG | None = None,
    reading: Reading | None = None,
) -> list[OutboundMessage]:
    """Record the conversation with ``others`` and confirm it; ``named_plg`` and
    ``reading`` come from the message when a button press finishes it."""
    choice = PlgChoice(None)
    if command.plg:
        choice = PlgChoice(await directory.find_plg(turn.session, turn.school.id, command.plg))
        if choice.plg is None:
            return [turn.say("plg.not_found", name=command.plg, names=await _plg_names(turn))]
    if turn.author.opted_out_at is not None:
        # Saying "Logged" would be untrue: an opted-out person's commands store nothing.
        return [turn.say("privacy.nothing_logged")]
    if named_plg is not None:
        choice = PlgChoice(named_plg)
    elif not command.plg:
        choice = await plg_of_contact(turn, command.rest, others)
    plg = choice.plg
    # Types the author picked (a form) are certain; read from the text they may not be.
    if reading is None:
        reading = (
            read(command.rest) if command.knowledge is None else Reading(command.knowledge, False)
        )
    await _record(turn, command.origin, others, plg, reading.types, reported=True)
    merges = await _confirm_earlier(turn, others)
    types = reading.types

    names = turn.enumerate([p.display_name for p in others])
    key = f"interaction.{command.origin.value}"
    confirmation = (
        turn.t(f"{key}_plg", names=names, plg=plg.name) if plg else turn.t(key, names=names)
    )
    lines = [confirmation, *_merged(turn, merges, plg)]
    if types:
        lines.append(turn.t("interaction.types", types=turn.type_names(types)))
    if reading.unsure:
        lines.append(turn.t("interaction.which_types" if types else "interaction.no_types"))
    if types & KnowledgeType.OUTCOMES and not types & (
        KnowledgeType.FOCUS | KnowledgeType.PROCESS | KnowledgeType.BENEFITS
    ):
        lines.append(turn.t("interaction.nudge_beyond_results"))
    blocks: list[Block] = [Paragraph(line) for line in lines]
    if reading.unsure:
        blocks.append(type_buttons(turn, _record_key(turn, merges, len(others))))
    # Offered unless every colleague's report had a PLG already (then it is filed).
    filed = len(merges) == len(others) and all(m.has_plg for _, m in merges)
    if choice.offered and not filed:
        blocks.append(Paragraph(turn.t("interaction.which_plg")))
        blocks.append(
            Actions(
                tuple(
                    Button(p.name, FILE_ACTION, f"{p.id}:{turn.message_key}")
                    for p in choice.offered
                )
            )
        )
    return [turn.reply(*blocks)]


def _direction(command: LogInteraction, named: Named) -> LogInteraction:
    """``Lisa vertelde …``: a colleague before a finite telling verb told the writer."""
    said = read_said(command.rest)
    if said is None:
        return command
    before = command.rest[: said.start].split()
    named_first = (before[:1] == ["@"]) or (
        named.first_start is not None and not command.rest[: named.first_start].strip()
    )
    origin = subject_told(said, words_of(command.rest), named_first and bool(before))
    return command if origin is command.origin else replace(command, origin=origin)


WHO_ACTION = "interaction.who"
_ALL_BITS = sum(t.value for t in ALL_TYPES)


async def _ask_who(
    turn: Turn, command: LogInteraction, others: Sequence[Person], unclear: Sequence[Unclear]
) -> OutboundMessage:
    """One card: whom a typed name means, with a button per colleague it could be. The
    button carries what the message said (direction, knowledge, a PLG it named), so the
    text itself is kept nowhere."""
    first = unclear[0]
    if len(unclear) > 1:
        names = turn.enumerate([f"„{u.typed}”" for u in unclear])
        return turn.say("interaction.name_them", names=names)
    if not first.people:
        return turn.say("interaction.unknown_name", name=first.typed, example=first.typed.lower())
    options = turn.enumerate_or([p.display_name for p in first.people])
    key = "interaction.which_person" if first.known else "interaction.did_you_mean"
    reading = read(command.rest)
    plgs = named_plgs(command.rest, await directory.plgs_of_school(turn.session, turn.school.id))
    plg_id = str(plgs[0].id) if len(plgs) == 1 else ""
    found = ",".join(str(p.id) for p in others)
    head = f"{command.origin.value}|{reading.types.value}|{int(reading.unsure)}|{plg_id}|{found}"
    values = [f"{head}|{p.id}|{turn.event.message_id}" for p in first.people]
    if any(len(v) > MAX_BUTTON_VALUE for v in values):
        # Too much to carry whole (a very long list of colleagues): never cut, ask for @.
        return turn.say("interaction.name_them", names=f"„{first.typed}”")
    buttons = tuple(
        Button(_label(p), WHO_ACTION, v) for p, v in zip(first.people, values, strict=True)
    )
    return turn.reply(Paragraph(turn.t(key, name=first.typed, options=options)), Actions(buttons))


def _label(person: Person) -> str:
    return person.display_name + (f" ({person.department})" if person.department else "")


async def who_button(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    """The colleague picked for a typed name: the conversation is recorded now, as the
    message said it, under the message it came in (one record, whoever presses twice)."""
    parts = event.value.split("|", 6)
    if len(parts) != 7 or parts[0] not in {o.value for o in Origin}:
        return [ctx.say("error.unknown_action")]
    origin, types, unsure, plg_id, found, chosen, message_id = parts
    ids = [row_id(i) for i in [*found.split(","), chosen] if i]
    people = [await ctx.session.get(Person, i) for i in ids if i is not None]
    if (
        not message_id
        or len(people) != len(ids)
        or not types.isdigit()
        or any(p is None or p.school_id != ctx.school.id or p.withdrawn for p in people)
    ):
        return [ctx.say("error.unknown_action")]
    plg = await ctx.session.get(PLG, found_plg) if (found_plg := row_id(plg_id)) else None
    if plg is not None and plg.school_id != ctx.school.id:
        return [ctx.say("error.unknown_action")]
    message = InboundMessage(
        school=event.school,
        event_id=event.event_id,
        message_id=message_id,
        author=event.author,
        channel=event.channel,
        text="",
        sent_at=event.sent_at,
        addressed_to_bot=True,
    )
    reading = Reading(KnowledgeType(int(types) & _ALL_BITS), unsure == "1")
    others = [p for p in people if p is not None]
    return await _log(
        ctx.turn(message),
        LogInteraction(Origin(origin), ""),
        others,
        named_plg=plg,
        reading=reading,
    )


def _record_key(turn: Turn, merges: Sequence[tuple[Person, Merge]], others: int) -> str:
    """The message the record the type buttons change is kept under: this one, or,
    when this report only confirmed the colleague's, theirs (storage.reports.merge)."""
    if others == 1 and len(merges) == 1 and merges[0][1].message_key is not None:
        return merges[0][1].message_key
    return turn.message_key


async def _confirm_earlier(turn: Turn, others: Sequence[Person]) -> list[tuple[Person, Merge]]:
    """Each colleague whose own report of this conversation this one confirmed."""
    merged = []
    for other in others:
        report = await reports.report_of_message(
            turn.session,
            message_key=turn.message_key,
            reporter_id=turn.author.id,
            other_id=other.id,
        )
        if report is not None and (
            merge := await conversations.confirm_earlier(turn.session, report)
        ):
            merged.append((other, merge))
    return merged


def _merged(turn: Turn, merges: Sequence[tuple[Person, Merge]], plg: PLG | None) -> list[str]:
    lines = []
    for other, merge in merges:
        key = "interaction.confirms_both" if merge.both_ways else "interaction.confirms"
        lines.append(turn.t(key, name=other.display_name))
        if merge.added_knowledge:
            added = turn.type_names(KnowledgeType(merge.added_knowledge))
            lines.append(turn.t("interaction.added_types", types=added))
        if merge.added_plg and plg is not None:
            lines.append(turn.t("interaction.added_plg", plg=plg.name))
    return lines


async def observe(turn: Turn) -> None:
    """A message in a channel, not addressed to the bot: in a PLG channel, mentions and
    thread replies are conversations about the PLG. Elsewhere nothing is logged."""
    event = turn.event
    linked = await directory.channel_with_plg(
        turn.session, turn.school.id, event.channel.channel_id
    )
    if linked is None:
        return
    channel, plg = linked
    if turn.author.opted_out_at is None:
        # Who posted is personal data too; a reply to an opted-out person's post then
        # reaches nobody (bot.privacy.commands).
        await interactions.record_post(
            turn.session,
            channel_id=channel.id,
            platform_message_id=event.message_id,
            author_id=turn.author.id,
            posted_at=event.sent_at,
        )
    types = knowledge_types(event.text)
    mentioned = [
        await _person(turn, ref)
        for ref in _unique(event.mentions)
        if ref.user_id != event.author.user_id and not ref.is_bot
    ]
    if mentioned:
        origin = Origin.ASKED if is_question(event.text) else Origin.MENTION
        await _record(turn, origin, mentioned, plg, types)
    if event.thread_parent_id is not None:
        parent = await _thread_parent(turn, channel.id)
        if parent is not None and parent.id != turn.author.id:
            await _record(turn, Origin.THREAD_REPLY, [parent], plg, types)


async def _plg_names(turn: Turn) -> str:
    plgs = await directory.plgs_of_school(turn.session, turn.school.id)
    return turn.enumerate([p.name for p in plgs]) or "—"


async def _thread_parent(turn: Turn, channel_id: int) -> Person | None:
    event = turn.event
    assert event.thread_parent_id is not None
    author_id = await interactions.post_author(turn.session, channel_id, event.thread_parent_id)
    if author_id is not None:
        return await turn.session.get(Person, author_id)
    if event.thread_parent_author is not None and not event.thread_parent_author.is_bot:
        return await _person(turn, event.thread_parent_author)
    return None


async def _person(turn: Turn, ref: PersonRef) -> Person:
    return await directory.ensure_person(
        turn.session,
        school_id=turn.school.id,
        platform_user_id=ref.user_id,
        display_name=ref.display_name,
        locale=ref.locale,
        now=turn.now,
    )


async def _record(
    turn: Turn,
    origin: Origin,
    others: Sequence[Person],
    plg: PLG | None,
    types: KnowledgeType,
    *,
    reported: bool = False,
) -> None:
    """Store the edges, leaving out anyone who opted out of being logged; ``reported``:
    the author logged them by command, a report the other person's may confirm."""
    if turn.author.opted_out_at is not None:
        return
    new = [
        NewInteraction(
            school_id=turn.school.id,
            source_id=source,
            target_id=target,
            origin=origin.value,
            knowledge=types.value,
            occurred_at=turn.event.sent_at,
            plg_id=plg.id if plg else None,
            message_key=turn.message_key,
            reported_by_id=turn.author.id if reported else None,
        )
        for other in others
        if other.opted_out_at is None
        for source, target in edges(origin, turn.author.id, other.id)
    ]
    await interactions.record_interactions(turn.session, new)


def _unique(refs: Sequence[PersonRef]) -> list[PersonRef]:
    seen: dict[str, PersonRef] = {}
    for ref in refs:
        seen.setdefault(ref.user_id, ref)
    return list(seen.values())
