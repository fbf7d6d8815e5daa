"""Activities (already checked by :mod:`adapters.teams.payloads`) to the core's events.

Teams ids: people are ``29:…`` (per bot registration, also what mentions and rosters
carry), the bot is ``28:…``, channels and chats are ``19:…@thread…``, personal chats
``a:…``. A message in a channel thread has ``;messageid=<root>`` appended to its
conversation id; the root post itself carries its own id there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botbuilder.schema import Activity, ChannelAccount

from adapters.teams.payloads import (
    MAX_CONVERSATION_ID,
    MAX_TEXT_CHARS,
    MAX_USER_ID,
    BadActivityError,
)
from bot.events import (
    ActionInvoked,
    ChannelRef,
    InboundMessage,
    InteractionForm,
    MessageDeleted,
    PersonRef,
    RoundFields,
    RoundForm,
    SchoolRef,
)

PLATFORM = "teams"
THREAD_MARK = ";messageid="
# What the core stores for a display name (people.display_name).
MAX_DISPLAY_NAME = 200
_AT_TAG = re.compile(r"</?at>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Mention:
    account_id: str
    name: str
    text: str


def school_of(activity: Activity) -> SchoolRef:
    """The tenant is the school (the border put its id in ``channelData.tenant``)."""
    return SchoolRef(platform=PLATFORM, tenant_id=str(activity.channel_data["tenant"]["id"]))


def conversation_kind(activity: Activity) -> str:
    """``personal`` (a chat with the bot), ``group`` (a group chat) or ``channel``."""
    kind = activity.conversation.conversation_type
    if kind == "channel":
        return "channel"
    if kind == "personal" or (kind is None and not activity.conversation.is_group):
        return "personal"
    return "group"


def base_conversation_id(conversation_id: str) -> str:
    """A channel's own id, without the thread a message was posted in."""
    return conversation_id.split(THREAD_MARK, 1)[0]


def team_id_of(activity: Activity) -> str | None:
    team = (activity.channel_data or {}).get("team") or {}
    value = team.get("id")
    return str(value) if value else None


def channel_of(activity: Activity) -> ChannelRef:
    channel_data: dict[str, Any] = activity.channel_data or {}
    name = (channel_data.get("channel") or {}).get("name") or activity.conversation.name
    return ChannelRef(
        channel_id=base_conversation_id(activity.conversation.id),
        name=name or None,
        is_direct=conversation_kind(activity) == "personal",
    )


def person_of(account: ChannelAccount, *, locale: str | None = None) -> PersonRef:
    name = (account.name or "").strip()[:MAX_DISPLAY_NAME] or None
    return PersonRef(
        user_id=account.id,
        display_name=name,
        locale=locale,
        is_bot=account.id.startswith("28:") or account.role == "bot",
    )


def thread_root(activity: Activity) -> str | None:
    """The id of the post a channel message replies to, or None for a new post."""
    if conversation_kind(activity) != "channel":
        return None
    _, mark, root = activity.conversation.id.partition(THREAD_MARK)
    if mark and root and root != activity.id:
        return str(root)
    reply_to = activity.reply_to_id
    return str(reply_to) if reply_to and reply_to != activity.id else None


def mentions_of(activity: Activity) -> list[Mention]:
    found: list[Mention] = []
    for entity in activity.entities or []:
        if entity.type != "mention":
            continue
        extra: dict[str, Any] = entity.additional_properties or {}
        mentioned = extra.get("mentioned") or {}
        text = str(extra.get("text") or "")
        name = str(mentioned.get("name") or _AT_TAG.sub("", text)).strip()
        found.append(Mention(str(mentioned["id"]), name, text))
    return found


def inbound_message(activity: Activity, *, now: datetime) -> InboundMessage:
    """A message: the bot's own mention removed from the text (it addresses the bot, it
    is not part of the command), other mentions as ``@name`` with the people listed."""
    bot_id = activity.recipient.id if activity.recipient else None
    text = activity.text or ""
    people: list[PersonRef] = []
    channels: list[ChannelRef] = []
    unknown: list[str] = []
    addressed = conversation_kind(activity) == "personal"
    for mention in mentions_of(activity):
        if mention.account_id == bot_id:
            addressed = True
            replacement = " "
        elif mention.account_id.startswith("19:"):
            # A channel or team mention: what "plg link NAME #channel" is on Slack.
            channels.append(ChannelRef(base_conversation_id(mention.account_id), mention.name))
            replacement = " "
        elif mention.account_id.startswith("28:"):
            replacement = f" @{mention.name} "
        elif mention.account_id.startswith("29:") and len(mention.account_id) <= MAX_USER_ID:
            people.append(PersonRef(mention.account_id, mention.name[:MAX_DISPLAY_NAME] or None))
            replacement = f"@{mention.name}"
        else:
            # Tags and other groups are not a person the bot can log a conversation with.
            unknown.append(mention.name)
            replacement = f"@{mention.name}"
        if mention.text:
            text = text.replace(mention.text, replacement)
    return InboundMessage(
        school=school_of(activity),
        event_id=activity.id,
        message_id=activity.id,
        author=person_of(activity.from_property, locale=activity.locale),
        channel=channel_of(activity),
        text=" ".join(text.split()),
        sent_at=activity.timestamp or now,
        mentions=tuple(people),
        unknown_mentions=tuple(unknown),
        thread_parent_id=thread_root(activity),
        addressed_to_bot=addressed,
        channel_links=tuple(channels),
    )


def message_deleted(activity: Activity) -> MessageDeleted:
    return MessageDeleted(
        school=school_of(activity),
        # The deletion's own delivery id: the message id is the deleted message's.
        event_id=f"delete:{activity.id}",
        channel=channel_of(activity),
        message_id=activity.id,
    )


def interaction_form(
    activity: Activity, value: dict[str, Any], *, now: datetime
) -> InteractionForm:
    """The submitted "log a conversation" card. Multi-selects arrive comma-joined."""
    colleagues = _people(value, "colleagues")
    plg = _field(value, "plg", limit=200)
    return InteractionForm(
        school=school_of(activity),
        event_id=activity.id,
        author=person_of(activity.from_property, locale=activity.locale),
        channel=channel_of(activity),
        colleagues=tuple(colleagues),
        origin=_field(value, "origin", limit=32),
        knowledge=tuple(_choices(value, "knowledge", limit=10)),
        plg=plg or None,
        sent_at=activity.timestamp or now,
        note=_field(value, "note", limit=2000),
    )


def action_invoked(activity: Activity, value: dict[str, Any], *, now: datetime) -> ActionInvoked:
    """A pressed button of a core message; ``text`` is what its input asked for."""
    action = _field(value, "action", limit=64)
    if not action:
        raise BadActivityError("a button press names its action")
    answer = _field(value, "text", limit=4000)
    return ActionInvoked(
        school=school_of(activity),
        event_id=activity.id,
        author=person_of(activity.from_property, locale=activity.locale),
        channel=channel_of(activity),
        action=action,
        value=_field(value, "value", limit=1000),
        sent_at=activity.timestamp or now,
        text=answer or None,
        message_id=str(activity.reply_to_id) if activity.reply_to_id else None,
        people=tuple(_people(value, "people")),
    )


def round_form(activity: Activity, value: dict[str, Any], *, now: datetime) -> RoundForm:
    """The submitted question-round card (:mod:`adapters.teams.round_card`), its
    fields as the lead left them: the core checks what they mean."""
    number = _field(value, "round", limit=12)
    if number and not number.isdigit():
        raise BadActivityError("round must be a number")
    anonymous = _field(value, "anonymous", limit=8)
    if anonymous not in {"", "true", "false"}:
        raise BadActivityError("anonymous must be true or false")
    channel_ids = _choices(value, "channels", limit=20)
    if any(len(channel_id) > MAX_CONVERSATION_ID for channel_id in channel_ids):
        raise BadActivityError("channel id too long")
    fields = RoundFields(
        plg=_field(value, "plg", limit=200),
        # Longer than a round allows is still the core's to refuse, in words.
        question=_field(value, "question", limit=MAX_TEXT_CHARS),
        channel_ids=tuple(channel_ids),
        schedule=_field(value, "schedule", limit=32) or "weekly",
        weekday=_field(value, "weekday", limit=16) or "mon",
        date=_field(value, "date", limit=32),
        time=_field(value, "time", limit=16) or "08:00",
        closes_date=_field(value, "closes_date", limit=32),
        closes_time=_field(value, "closes_time", limit=16),
        anonymous=anonymous == "true",
        round_number=int(number) if number else None,
    )
    return RoundForm(
        school=school_of(activity),
        event_id=activity.id,
        author=person_of(activity.from_property, locale=activity.locale),
        channel=channel_of(activity),
        fields=fields,
        sent_at=activity.timestamp or now,
    )


def _people(value: dict[str, Any], key: str) -> list[PersonRef]:
    """Picked people (a multi-select arrives comma-joined), named from the card's
    ``names``."""
    names = value.get("names") or {}
    if not isinstance(names, dict):
        raise BadActivityError("names must be an object")
    people = []
    for user_id in _choices(value, key, limit=50):
        if len(user_id) > MAX_USER_ID:
            raise BadActivityError(f"{key}: id too long")
        name = names.get(user_id)
        display = str(name)[:MAX_DISPLAY_NAME] if isinstance(name, str) and name else None
        people.append(PersonRef(user_id, display))
    return people


def _field(value: dict[str, Any], key: str, *, limit: int) -> str:
    raw = value.get(key)
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise BadActivityError(f"{key} must be a string")
    if len(raw) > limit:
        raise BadActivityError(f"{key} is too long", 413)
    return raw.strip()


def _choices(value: dict[str, Any], key: str, *, limit: int) -> list[str]:
    picked = [part.strip() for part in _field(value, key, limit=limit * 200).split(",")]
    picked = [part for part in picked if part]
    if len(picked) > limit:
        raise BadActivityError(f"too many {key}", 413)
    return picked
