"""PLG commands: start, join, appoint leads, link a channel, set the next meeting, add
another name (alias)."""

from __future__ import annotations

from bot import when
from bot.commands import (
    MAX_FOCUS,
    MAX_NAME,
    AddAlias,
    JoinPLG,
    LinkChannel,
    MakeLead,
    NewPLG,
    SetMeeting,
)
from bot.meetings import day_text
from bot.messages import Bullets, Heading, OutboundMessage, Paragraph
from bot.network.plg_of_contact import aliases, compact
from bot.turn import Context, Turn
from storage import directory
from storage.models import PLG

# An alias a lead adds: at least this many letters (so "de" cannot file everything).
MIN_OWN_ALIAS = 4
MAX_ALIAS = 60


def plg_kind(name: str) -> str:
    """Data teams and lesson study teams are recognised by name; the rest is 'other'."""
    folded = directory.name_key(name).replace("-", " ")
    if "datateam" in folded or "data team" in folded:
        return "data_team"
    if "lesson study" in folded or "lesstudy" in folded or "lesson studie" in folded:
        return "lesson_study"
    return "other"


async def new_plg(turn: Turn, command: NewPLG) -> list[OutboundMessage]:
    if not command.name:
        return [turn.say("plg.missing_name")]
    if len(command.name) > MAX_NAME:
        return [turn.say("plg.name_too_long", limit=MAX_NAME)]
    if not command.focus:
        return [turn.say("plg.missing_focus", name=command.name)]
    if len(command.focus) > MAX_FOCUS:
        return [turn.say("plg.focus_too_long", limit=MAX_FOCUS)]
    plg = await directory.create_plg(
        turn.session,
        school_id=turn.school.id,
        name=command.name,
        focus=command.focus,
        kind=plg_kind(command.name),
        now=turn.now,
    )
    if plg is None:
        return [turn.say("plg.exists", name=command.name)]
    await directory.add_member(turn.session, plg_id=plg.id, person_id=turn.author.id, lead=True)
    return [
        turn.reply(
            Paragraph(turn.t("plg.created", name=plg.name, focus=plg.focus)),
            Paragraph(turn.t("plg.created_next", name=plg.name)),
        )
    ]


async def join_plg(turn: Turn, command: JoinPLG) -> list[OutboundMessage]:
    plg, problem = await _named_plg(turn, command.name, example="plg join NAME")
    if plg is None:
        return problem
    added = await directory.add_member(turn.session, plg_id=plg.id, person_id=turn.author.id)
    return [turn.say("plg.joined" if added else "plg.already_member", name=plg.name)]


async def make_lead(turn: Turn, command: MakeLead) -> list[OutboundMessage]:
    plg, problem = await _led_plg(turn, command.name, example="plg lead NAME @colleague")
    if plg is None:
        return problem
    event = turn.event
    if event.unknown_mentions:
        names = turn.enumerate([f"@{n}" for n in event.unknown_mentions])
        return [turn.say("error.unknown_person", names=names)]
    if not event.mentions:
        return [turn.say("plg.lead_needs_person", name=plg.name)]
    ref = event.mentions[0]
    person = await directory.ensure_person(
        turn.session,
        school_id=turn.school.id,
        platform_user_id=ref.user_id,
        display_name=ref.display_name,
        now=turn.now,
    )
    changed = await directory.add_member(
        turn.session, plg_id=plg.id, person_id=person.id, lead=True
    )
    key = "plg.lead_made" if changed else "plg.lead_already"
    return [turn.say(key, person=person.display_name, name=plg.name)]


async def link_channel(turn: Turn, command: LinkChannel) -> list[OutboundMessage]:
    plg, problem = await _led_plg(turn, command.name, example="plg link NAME #channel")
    if plg is None:
        return problem
    event = turn.event
    if event.channel_links:
        target = event.channel_links[0]
    elif not event.channel.is_direct:
        target = event.channel
    else:
        return [turn.say("plg.link_needs_channel", name=plg.name)]
    channel = await directory.ensure_channel(
        turn.session,
        school_id=turn.school.id,
        platform_channel_id=target.channel_id,
        name=target.name,
    )
    channel.plg_id = plg.id
    return [turn.say("plg.linked", channel=channel.name or target.channel_id, name=plg.name)]


async def set_meeting(turn: Turn, command: SetMeeting) -> list[OutboundMessage]:
    """The next meeting's date, as the lead writes it: "17 december", "14-01-2027",
    "volgende week donderdag" (bot.when). The name is whatever comes before a date that
    names one of the school's PLGs; without a name, the one PLG the lead leads."""
    example = "plg meeting NAME 2026-12-03"
    today = turn.now.date()
    plgs = {p.name_key: p for p in await directory.plgs_of_school(turn.session, turn.school.id)}
    splits = when.day_splits(command.rest, today)
    if (whole := when.read_day(command.rest, today)) is not None:
        splits.append(("", whole))
    chosen = next(
        ((name, day) for name, day in splits if not name or directory.name_key(name) in plgs),
        None,
    )
    if chosen is None:
        # No date after a PLG's name: which PLG, or else which date, was not clear.
        folded = directory.name_key(command.rest)
        known = [p for key, p in plgs.items() if folded == key or folded.startswith(key + " ")]
        if not known:
            name = splits[0][0] if splits else command.rest
            return (await _led_plg(turn, name, example=example))[1]
        plg, problem = await _led_plg(
            turn, max(known, key=lambda p: len(p.name)).name, example=example
        )
        if plg is None:
            return problem
        typed = " ".join(command.rest.split()[len(plg.name.split()) :])
        return [turn.say("plg.meeting_bad_date", when=typed, name=plg.name)]
    name, day = chosen
    plg, problem = await _led_plg(turn, name, example=example)
    if plg is None:
        return problem
    if day < today:
        return [turn.say("plg.meeting_past", date=day_text(turn.language, day))]
    await directory.set_next_meeting(turn.session, plg, day)
    return [turn.say("plg.meeting_set", name=plg.name, date=day_text(turn.language, day))]


async def add_alias(turn: Turn, command: AddAlias) -> list[OutboundMessage]:
    """``plg alias Datateam havo-3 = het datateam``: another name for the PLG, so a
    conversation that says it is filed under it (bot/network/plg_of_contact.py). The
    ``=`` may be left out when the text starts with the PLG's name."""
    example = "plg alias NAME = ALIAS"
    name, sep, alias = command.rest.partition("=")
    if not sep:
        plgs = await directory.plgs_of_school(turn.session, turn.school.id)
        folded = directory.name_key(command.rest)
        starts = [p for p in plgs if folded.startswith(p.name_key + " ")]
        if not starts:
            return [turn.say("plg.alias_usage", example=example)]
        plg_named = max(starts, key=lambda p: len(p.name_key))
        name, alias = plg_named.name, folded[len(plg_named.name_key) :]
    alias = " ".join(alias.split())
    plg, problem = await _led_plg(turn, name.strip(), example=example)
    if plg is None:
        return problem
    if len(compact(alias)) < MIN_OWN_ALIAS or len(alias) > MAX_ALIAS:
        return [turn.say("plg.alias_bad", min=MIN_OWN_ALIAS, max=MAX_ALIAS)]
    for other in await directory.plgs_of_school(turn.session, turn.school.id):
        if other.id != plg.id and compact(alias) in aliases(other):
            return [turn.say("plg.alias_taken", alias=alias, name=other.name)]
    if compact(alias) not in {compact(a) for a in plg.aliases or []}:
        # A new list, so that SQLAlchemy sees the JSON column change.
        plg.aliases = [*(plg.aliases or []), alias]
    return [turn.say("plg.alias_added", alias=alias, name=plg.name)]


async def list_plgs(turn: Context) -> list[OutboundMessage]:
    plgs = await directory.plgs_of_school(turn.session, turn.school.id)
    if not plgs:
        return [turn.say("plg.none_yet")]
    counts = await directory.member_counts(turn.session, turn.school.id)
    led = {
        plg.id for plg, lead in await directory.plgs_of_person(turn.session, turn.author.id) if lead
    }
    items = tuple(
        turn.t(
            "plg.list_item_lead" if plg.id in led else "plg.list_item",
            name=plg.name,
            kind=turn.t(f"plg.kind.{plg.kind}"),
            members=counts.get(plg.id, 0),
            focus=plg.focus,
        )
        for plg in plgs
    )
    return [turn.reply(Heading(turn.t("plg.list_title", school=turn.school.name)), Bullets(items))]


async def _named_plg(
    turn: Turn, name: str, *, example: str
) -> tuple[PLG | None, list[OutboundMessage]]:
    if not name:
        return None, [turn.say("plg.which", example=example)]
    plg = await directory.find_plg(turn.session, turn.school.id, name)
    if plg is not None:
        return plg, []
    plgs = await directory.plgs_of_school(turn.session, turn.school.id)
    if not plgs:
        return None, [turn.say("plg.none_yet")]
    names = turn.enumerate([p.name for p in plgs])
    return None, [turn.say("plg.not_found", name=name, names=names)]


async def _led_plg(
    turn: Turn, name: str, *, example: str
) -> tuple[PLG | None, list[OutboundMessage]]:
    """The named PLG, if the author leads it. Without a name, the one PLG they lead."""
    if not name:
        led = [
            p for p, lead in await directory.plgs_of_person(turn.session, turn.author.id) if lead
        ]
        if len(led) != 1:
            return None, [turn.say("plg.which", example=example)]
        plg: PLG | None = led[0]
    else:
        plg, problem = await _named_plg(turn, name, example=example)
        if plg is None:
            return None, problem
    assert plg is not None
    member = await directory.membership(turn.session, plg.id, turn.author.id)
    if member is None or not member.is_lead:
        leads = await directory.leads_of(turn.session, plg.id)
        names = turn.enumerate([p.display_name for p in leads]) or "—"
        return None, [turn.say("plg.leads_only", name=plg.name, leads=names)]
    return plg, []
