"""Inbound events: what an adapter tells the core, already validated and typed.

An adapter builds these from a platform payload at the border; the core never sees a
platform dict. Identifiers are the platform's own strings, scoped by :class:`SchoolRef`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from storage.models import School


@dataclass(frozen=True, slots=True)
class SchoolRef:
    """A school is one Slack workspace or one Teams tenant (or one console sandbox)."""

    platform: str
    tenant_id: str
    name: str | None = None


def school_ref(school: School) -> SchoolRef:
    """The reference the platforms know a stored school by."""
    return SchoolRef(platform=school.platform, tenant_id=school.tenant_id, name=school.name)


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A staff member as the platform knows them."""

    user_id: str
    display_name: str | None = None
    locale: str | None = None
    is_bot: bool = False
    # Lower-case, when the platform gives it (Slack with ``users:read.email``, the Teams
    # member): matches them to the school's roster and to PLGBOT_COORDINATOR_EMAIL.
    email: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """Where a message was posted. ``is_direct`` is a private chat with the bot."""

    channel_id: str
    name: str | None = None
    is_direct: bool = False


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message, command or thread reply seen by the bot.

    ``event_id`` identifies the delivery (re-deliveries repeat it), ``message_id`` the
    message within its channel (edits and deletions refer to it). ``text`` has platform
    mention markup already replaced by ``@name``; ``mentions`` lists the people
    mentioned, in order, without the bot itself. ``unknown_mentions`` holds names the
    adapter could not resolve to anyone (the console's ``@nobody``).
    ``addressed_to_bot`` is true for direct messages, slash commands and messages that
    mention the bot: only those are read as commands.
    """

    school: SchoolRef
    event_id: str
    message_id: str
    author: PersonRef
    channel: ChannelRef
    text: str
    sent_at: datetime
    mentions: tuple[PersonRef, ...] = ()
    unknown_mentions: tuple[str, ...] = ()
    thread_parent_id: str | None = None
    thread_parent_author: PersonRef | None = None
    addressed_to_bot: bool = False
    channel_links: tuple[ChannelRef, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class MessageDeleted:
    """A message was deleted: whatever it logged leaves the network."""

    school: SchoolRef
    event_id: str
    channel: ChannelRef
    message_id: str


@dataclass(frozen=True, slots=True)
class InteractionForm:
    """The "log a conversation" form (a Slack modal, a Teams Adaptive Card) submitted.

    ``origin`` is ``told``, ``heard`` or ``discussed``; ``knowledge`` holds knowledge
    type names (``focus``, ``process``, ``outcomes``, ``benefits``, ``organisation``);
    ``plg`` a PLG name or None. ``note`` is free text used only to infer knowledge types
    when none were picked; it is never stored. The core validates all of it.
    """

    school: SchoolRef
    event_id: str
    author: PersonRef
    channel: ChannelRef
    colleagues: tuple[PersonRef, ...]
    origin: str
    knowledge: tuple[str, ...]
    plg: str | None
    sent_at: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class ActionInvoked:
    """A person pressed a :class:`bot.messages.Button`; ``text`` is what it asked for,
    ``people`` whom they picked.

    ``action`` and ``value`` are the button's, unchanged; ``message_id`` is the message
    that carried the button, when the platform says so.
    """

    school: SchoolRef
    event_id: str
    author: PersonRef
    channel: ChannelRef
    action: str
    value: str
    sent_at: datetime
    text: str | None = None
    message_id: str | None = None
    # The colleagues picked, for a button with ``picks_people``.
    people: tuple[PersonRef, ...] = ()


@dataclass(frozen=True, slots=True)
class RoundFields:
    """The fields of the lead's question-round form, as typed or picked; unchecked.

    ``schedule`` is ``now``, ``once``, ``weekly`` or ``fortnightly``; a one-off posts on
    ``date`` (``2026-12-01``), a recurring round on ``weekday`` (``mon`` … ``sun``); both
    at ``time`` (``08:00``, default 08:00). ``closes_date``/``closes_time`` empty means
    the default closing: the day before the PLG's next meeting. ``channel_ids`` are the
    platform's channel ids. ``round_number`` is set when the form edits that round.
    """

    plg: str = ""
    question: str = ""
    channel_ids: tuple[str, ...] = ()
    schedule: str = "weekly"
    weekday: str = "mon"
    date: str = ""
    time: str = "08:00"
    closes_date: str = ""
    closes_time: str = ""
    anonymous: bool = False
    round_number: int | None = None


@dataclass(frozen=True, slots=True)
class RoundForm:
    """The question-round form (a Slack modal, a Teams Adaptive Card) submitted."""

    school: SchoolRef
    event_id: str
    author: PersonRef
    channel: ChannelRef
    fields: RoundFields
    sent_at: datetime


InboundEvent = InboundMessage | MessageDeleted | InteractionForm | ActionInvoked | RoundForm
