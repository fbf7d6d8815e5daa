"""Slack payloads to core events: who, where, what, with mentions resolved to people.

Which message is read how (see design.md and the README):

- ``app_mention`` in a channel: a command (``addressed_to_bot``);
- ``message`` in the bot's DM (``message.im``): a command;
- ``message`` in a channel that mentions the bot: skipped, because Slack also sends the
  ``app_mention`` for it and that one is the command; answering both would log and
  reply twice;
- any other ``message`` in a channel: observed (in a PLG channel, mentions and thread
  replies are interactions);
- ``message_deleted``: the deleted message's interactions leave the network;
- ``message_changed``: ignored. An edit is the same conversation; the interactions the
  original logged stay, and a mention added later does not count;
- messages from bots (``bot_id`` or ``bot_message``), and joins, topics and other
  system messages: ignored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Literal

from adapters.slack import deliveries
from adapters.slack.identity import BotIdentity
from adapters.slack.markup import references, to_plain
from adapters.slack.payloads import EventEnvelope, MessageEvent, SlashCommand
from adapters.slack.replies import Where
from bot.commands import Unknown, parse, starts_plg_subcommand
from bot.events import ChannelRef, InboundMessage, MessageDeleted, PersonRef, SchoolRef

PLATFORM = deliveries.PLATFORM
# Subtypes that are people writing; everything else is a system message or a bot.
PEOPLE_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message"})

Reading = Literal["command", "observe", "delete"]
People = Callable[[SchoolRef, tuple[str, ...]], Awaitable[dict[str, PersonRef]]]
ChannelName = Callable[[str], Awaitable[str | None]]


def school_of(team_id: str, me: BotIdentity) -> SchoolRef:
    return SchoolRef(PLATFORM, team_id, me.team_name if team_id == me.team_id else None)


def reading(kind: str, event: MessageEvent, me: BotIdentity) -> Reading | None:
    """How to read a ``message``/``app_mention`` event, or None to ignore it."""
    if event.subtype == "message_deleted":
        return "delete" if kind == "message" and event.deleted_ts else None
    if event.bot_id or event.subtype not in PEOPLE_SUBTYPES:
        return None
    if event.user is None or event.user == me.user_id or event.ts is None:
        return None
    direct = event.channel_type == "im" or event.channel.startswith("D")
    if kind == "app_mention":
        # In a DM the message event is the command.
        return None if direct else "command"
    if direct:
        return "command"
    if f"<@{me.user_id}>" in event.text or f"<@{me.user_id}|" in event.text:
        return None
    return "observe"


def deleted(envelope: EventEnvelope, event: MessageEvent, me: BotIdentity) -> MessageDeleted:
    assert event.deleted_ts is not None
    return MessageDeleted(
        school=school_of(envelope.team_id, me),
        event_id=envelope.event_id,
        channel=ChannelRef(event.channel, is_direct=event.channel.startswith("D")),
        message_id=event.deleted_ts,
    )


async def message(
    envelope: EventEnvelope,
    event: MessageEvent,
    how: Reading,
    *,
    me: BotIdentity,
    people: People,
    channel_name: ChannelName,
) -> tuple[InboundMessage, Where]:
    """The core's view of a message a person wrote, and where to answer it."""
    assert event.user is not None and event.ts is not None
    school = school_of(envelope.team_id, me)
    direct = event.channel_type == "im" or event.channel.startswith("D")
    thread_parent = event.thread_ts if event.thread_ts and event.thread_ts != event.ts else None
    text, refs, mentioned, links = await _resolve(
        school, event.text, me, people, channel_name, also=(event.user, event.parent_user_id)
    )
    parent_author = refs.get(event.parent_user_id) if event.parent_user_id else None
    # A command in a channel may need the channel's name ("plg link NAME" run there).
    name = await channel_name(event.channel) if how == "command" and not direct else None
    inbound = InboundMessage(
        school=school,
        event_id=envelope.event_id,
        message_id=event.ts,
        author=refs[event.user],
        channel=ChannelRef(event.channel, name, is_direct=direct),
        text=text,
        sent_at=_time(event.ts),
        mentions=mentioned,
        thread_parent_id=thread_parent,
        thread_parent_author=parent_author if thread_parent else None,
        addressed_to_bot=how == "command",
        channel_links=links,
    )
    where = Where(
        channel_id=event.channel,
        user_id=event.user,
        is_direct=direct,
        message_ts=event.ts,
        thread_ts=event.thread_ts,
    )
    return inbound, where


async def command(
    payload: SlashCommand,
    *,
    me: BotIdentity,
    people: People,
    channel_name: ChannelName,
    now: datetime,
) -> tuple[InboundMessage, Where]:
    """``/plg …``: everything after the command is a command to the bot. ``/plg`` alone
    asks for help, and ``/plg new …`` means ``plg new …`` (the command's own name is
    also the first word of the PLG commands)."""
    school = school_of(payload.team_id, me)
    text, refs, mentioned, links = await _resolve(
        school, payload.text, me, people, channel_name, also=(payload.user_id,)
    )
    direct = payload.channel_id.startswith("D")
    event_id = deliveries.command_id(payload.user_id, payload.trigger_id)
    inbound = InboundMessage(
        school=school,
        event_id=event_id,
        message_id=event_id,
        author=refs[payload.user_id],
        channel=ChannelRef(
            payload.channel_id, None if direct else payload.channel_name, is_direct=direct
        ),
        text=text or "?",
        sent_at=now,
        mentions=mentioned,
        addressed_to_bot=True,
        channel_links=links,
    )
    # "/plg koppel …" is "plg koppel …"; "/plg overleg Datateam 2025-11-27" too, though
    # "overleg" alone might be read as a conversation ("overlegd").
    plain = parse(inbound).command
    if isinstance(plain, Unknown) or starts_plg_subcommand(inbound.text):
        as_plg = replace(inbound, text=f"plg {inbound.text}")
        if not isinstance(parse(as_plg).command, Unknown):
            inbound = as_plg
    where = Where(
        channel_id=payload.channel_id,
        user_id=payload.user_id,
        is_direct=direct,
        response_url=payload.response_url,
    )
    return inbound, where


async def _resolve(
    school: SchoolRef,
    raw: str,
    me: BotIdentity,
    people: People,
    channel_name: ChannelName,
    *,
    also: tuple[str | None, ...] = (),
) -> tuple[str, dict[str, PersonRef], tuple[PersonRef, ...], tuple[ChannelRef, ...]]:
    """Plain text; everyone it (and ``also``) names by id; the people it mentions, in
    order and without the bot; and the channels it links."""
    found = references(raw)
    wanted = tuple(dict.fromkeys(u for u in (*also, *found.users) if u and u != me.user_id))
    refs = await people(school, wanted)
    names = {user_id: ref.display_name or user_id for user_id, ref in refs.items()}
    channels: dict[str, str | None] = {}
    for channel_id, label in found.channels:
        channels[channel_id] = label or await channel_name(channel_id)
    text = to_plain(raw, names=names, channel_names=channels, bot_user_id=me.user_id)
    links = tuple(ChannelRef(channel_id, name) for channel_id, name in channels.items())
    mentioned = tuple(refs[user_id] for user_id in found.users if user_id in refs)
    return text, refs, mentioned, links


def _time(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), tz=UTC)
