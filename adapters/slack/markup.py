"""Slack's message markup both ways: ``<@U123>``, ``<#C123|name>``, ``<!here>``,
``<https://…|label>`` and the ``&amp;`` ``&lt;`` ``&gt;`` entities in what people
write, and escaping of plain text going out so a name like ``<!channel>`` stays text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_TOKEN = re.compile(r"<([^<>]*)>")
_USER = re.compile(r"^@([UW][A-Z0-9]{1,40})(?:\|(.*))?$", re.DOTALL)
_CHANNEL = re.compile(r"^#([CG][A-Z0-9]{1,40})(?:\|(.*))?$", re.DOTALL)
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


@dataclass(frozen=True, slots=True)
class Markup:
    """Who and which channels a piece of Slack text refers to, in order of appearance
    (each once); ``channels`` pairs an id with the name Slack put in the link, if any."""

    users: tuple[str, ...]
    channels: tuple[tuple[str, str | None], ...]


def references(raw: str) -> Markup:
    users: dict[str, None] = {}
    channels: dict[str, str | None] = {}
    for token in _TOKEN.findall(raw):
        if user := _USER.match(token):
            users.setdefault(user.group(1))
        elif channel := _CHANNEL.match(token):
            label = unescape(channel.group(2) or "").strip() or None
            if channels.get(channel.group(1)) is None:
                channels[channel.group(1)] = label
    return Markup(tuple(users), tuple(channels.items()))


def to_plain(
    raw: str,
    *,
    names: Mapping[str, str],
    channel_names: Mapping[str, str | None],
    bot_user_id: str | None,
) -> str:
    """Text as the core reads it: ``@Name`` for people, ``#name`` for channels, the
    bot's own mention removed (it is how you address the bot, not part of the command),
    links as their label, entities decoded, runs of white space collapsed."""
    out: list[str] = []
    position = 0
    for match in _TOKEN.finditer(raw):
        out.append(unescape(raw[position : match.start()]))
        out.append(_plain_token(match.group(1), names, channel_names, bot_user_id))
        position = match.end()
    out.append(unescape(raw[position:]))
    return " ".join("".join(out).split())


def _plain_token(
    token: str,
    names: Mapping[str, str],
    channel_names: Mapping[str, str | None],
    bot_user_id: str | None,
) -> str:
    if user := _USER.match(token):
        user_id = user.group(1)
        if user_id == bot_user_id:
            return " "
        return f"@{names.get(user_id) or unescape(user.group(2) or '') or user_id}"
    if channel := _CHANNEL.match(token):
        channel_id = channel.group(1)
        return f"#{channel_names.get(channel_id) or unescape(channel.group(2) or '') or channel_id}"
    target, _, label = token.partition("|")
    if target.startswith("!"):
        # <!here>, <!channel>, <!subteam^S123|@team>, <!date^…|fallback>
        special = target[1:].split("^")[0]
        if special in {"here", "channel", "everyone"}:
            return f"@{special}"
        return unescape(label) or special
    return unescape(label or target.removeprefix("mailto:"))


def unescape(text: str) -> str:
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def escape(text: str) -> str:
    """Plain text for a mrkdwn field: Slack's three control characters become entities,
    so ``<!channel>`` or ``<@U123>`` in a name is shown, never acted on."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
