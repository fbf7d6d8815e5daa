"""The PLG a contact is about (design.md), in this order: a PLG named in the text, by
its name or an alias; the PLG of the channel it happened in; the only PLG the people
share; otherwise none. When the text names more than one, or nothing tells, the record
is stored without a PLG and the confirmation offers the likely PLGs as buttons
(:func:`file_button`): plgbot never guesses silently (design.md, "When plgbot is unsure").

Aliases: every PLG answers to its leading words ("Datateam havo-3" to "datateam",
"Lesson study onderbouw" to "lesson study"), written together or apart ("data team"),
and to the aliases its leads add (``plg alias``). Words are compared with case, accents,
spaces and punctuation folded away, so "het data-team" finds "Datateam havo-3". A
leading word shorter than ``MIN_ALIAS`` letters is no alias ("lesson" alone is too
common), and an alias two PLGs share names neither for certain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.actions import row_id
from bot.events import ActionInvoked
from bot.messages import OutboundMessage
from bot.turn import Context, Turn
from storage import directory, reports
from storage.models import PLG, Person

MIN_ALIAS = 8
# Words that say "a PLG" rather than which one.
_GENERIC = frozenset({"plg", "pgl", "de", "het", "the", "team"})
_NOT_LETTERS = re.compile(r"[^a-z0-9]")
FILE_ACTION = "interaction.file_plg"
# A contact is offered at most this many PLGs to file it under.
MAX_OFFERED = 8


@dataclass(frozen=True, slots=True)
class PlgChoice:
    """The PLG found, or (``plg`` None) the PLGs to offer; both empty: nothing to ask."""

    plg: PLG | None
    offered: tuple[PLG, ...] = ()


def compact(text: str) -> str:
    return _NOT_LETTERS.sub("", directory.name_key(text))


def aliases(plg: PLG) -> set[str]:
    """The compact keys that name ``plg``: its name, its leading words, its own aliases."""
    words = [w for w in re.split(r"[\s\-_/]+", directory.name_key(plg.name)) if w]
    while words and words[0] in _GENERIC:
        words = words[1:]
    keys = {compact(plg.name)}
    for end in range(1, len(words) + 1):
        key = compact("".join(words[:end]))
        if len(key) >= MIN_ALIAS:
            keys.add(key)
    keys.update(compact(a) for a in plg.aliases or [] if compact(a))
    return keys


def named_in(text: str, plgs: Sequence[PLG]) -> list[PLG]:
    """The PLGs the text names: by full name first; else by an alias only one has."""
    folded = compact(text)
    by_name = [p for p in plgs if compact(p.name) and compact(p.name) in folded]
    if by_name:
        # "Datateam havo-3" and "Datateam havo-3 extra": the longer name is the one meant.
        longest = max(len(compact(p.name)) for p in by_name)
        return [p for p in by_name if len(compact(p.name)) == longest]
    owners: dict[str, list[PLG]] = {}
    for plg in plgs:
        for key in aliases(plg):
            owners.setdefault(key, []).append(plg)
    found: dict[int, PLG] = {}
    for key, owned in owners.items():
        if key in folded:
            for plg in owned:
                found[plg.id] = plg
    return list(found.values())


async def plg_of_contact(turn: Turn, text: str, others: Sequence[Person]) -> PlgChoice:
    plgs = await directory.plgs_of_school(turn.session, turn.school.id)
    named = named_in(text, plgs)
    if len(named) == 1:
        return PlgChoice(named[0])
    if len(named) > 1:
        return PlgChoice(None, tuple(named[:MAX_OFFERED]))
    linked = await directory.channel_with_plg(
        turn.session, turn.school.id, turn.event.channel.channel_id
    )
    if linked is not None:
        return PlgChoice(linked[1])
    people = [turn.author, *others]
    memberships = [
        {plg.id: plg for plg, _ in await directory.plgs_of_person(turn.session, p.id)}
        for p in people
    ]
    shared = set(memberships[0]).intersection(*memberships[1:])
    if len(shared) == 1:
        return PlgChoice(memberships[0][shared.pop()])
    # Theirs first (shared ones first of all), then the school's.
    ranked = sorted(
        plgs, key=lambda p: (p.id not in shared, not any(p.id in m for m in memberships), p.name)
    )
    return PlgChoice(None, tuple(ranked[:MAX_OFFERED]))


async def file_button(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    """A PLG button under a confirmation: file the contact the author logged under it.
    The value is ``PLG_ID:MESSAGE_KEY``."""
    plg_id, _, message_key = event.value.partition(":")
    plg = await ctx.session.get(PLG, found) if (found := row_id(plg_id)) else None
    if plg is None or plg.school_id != ctx.school.id or not message_key:
        return [ctx.say("error.unknown_action")]
    filed = await reports.file_under(
        ctx.session, message_key=message_key, reporter_id=ctx.author.id, plg_id=plg.id
    )
    if not filed:
        return [ctx.say("interaction.file_gone")]
    return [ctx.say("interaction.filed", plg=plg.name)]
