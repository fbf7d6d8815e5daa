"""What the Teams scenario tests share: card submits shaped like Teams sends them, a
school set up through Teams itself, and the scheduled jobs posting through the real
TeamsMessenger to the fake connector, on the server's clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.server import AppContext
from adapters.teams import TeamsApp
from bot.ports import Messengers
from bot.service import Bot
from tests.teams.conftest import ANOUK, TENANT, Teams, fixture, message
from tests.teams.fake_connector import Call, Member

STAFF_TEAM = "19:staff@thread.tacv2"
STAFFROOM = "19:staffroom@thread.tacv2"
DATATEAM = "19:plgdata@thread.tacv2"
CHANNEL_NAMES = {STAFFROOM: "staffroom", DATATEAM: "datateam"}


def personal_chat(person: Member) -> str:
    """The id of ``person``'s personal chat with the bot in these tests."""
    return f"a:{person.id.removeprefix('29:')}-personal"


class Ids:
    """Unique activity ids, as Teams gives every message its own."""

    def __init__(self) -> None:
        self._n = 1763730000000

    def __call__(self) -> str:
        self._n += 1
        return str(self._n)


def said(
    text_: str,
    *,
    author: Member,
    activity_id: str,
    channel: str | None = None,
    thread: str | None = None,
    locale: str = "en-GB",
    mentions: list[Member] | None = None,
    at: datetime | None = None,
    mention_bot: bool = True,
) -> dict[str, Any]:
    """``text_`` from ``author``: in their personal chat, or (with ``channel``) to the bot
    in a channel, as a new post or as a reply in the thread of post ``thread``; sent
    ``at`` that moment (default: the morning the server's clock starts). Without
    ``mention_bot`` a channel message reaches plgbot only through the team's consent
    to read channel messages (RSC)."""
    if channel is None:
        body = message(
            text_,
            author=author,
            conversation_id=personal_chat(author),
            activity_id=activity_id,
            kind="personal",
            bot_mentioned=False,
            locale=locale,
            mentions=mentions,
        )
        return _at(body, at)
    root = thread or activity_id
    body = message(
        f"<at>plgbot</at> {text_}" if mention_bot else text_,
        author=author,
        conversation_id=f"{channel};messageid={root}",
        activity_id=activity_id,
        bot_mentioned=mention_bot,
        reply_to=thread,
        locale=locale,
        mentions=mentions,
    )
    body["channelData"]["channel"]["name"] = CHANNEL_NAMES.get(channel, channel)
    return _at(body, at)


def _at(body: dict[str, Any], at: datetime | None) -> dict[str, Any]:
    if at is not None:
        body["timestamp"] = at.isoformat().replace("+00:00", "Z")
    return body


def submitted(
    value: dict[str, Any],
    *,
    author: Member,
    activity_id: str,
    card_id: str,
    channel: str | None = None,
    locale: str = "en-GB",
) -> dict[str, Any]:
    """An ``Action.Submit`` press on the card Teams knows as ``card_id``: a message with
    the inputs in ``value`` and no text (like the shared ``message_card_submit``)."""
    if channel is None:
        conversation: dict[str, Any] = {
            "conversationType": "personal",
            "tenantId": TENANT,
            "id": personal_chat(author),
        }
        channel_data: dict[str, Any] = {"tenant": {"id": TENANT}}
    else:
        conversation = {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT,
            "id": f"{channel};messageid={card_id}",
        }
        channel_data = {
            "teamsChannelId": channel,
            "teamsTeamId": STAFF_TEAM,
            "channel": {"id": channel},
            "team": {"id": STAFF_TEAM},
            "tenant": {"id": TENANT},
        }
    return fixture(
        "message_card_submit",
        id=activity_id,
        timestamp="2026-11-21T12:00:00.0000000Z",
        **{"from": author.json()},
        conversation=conversation,
        replyToId=card_id,
        value=value,
        channelData=channel_data,
        locale=locale,
    )


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every input on the card (also inside a ShowCard), by id."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input.") and "id" in node:
                found[node["id"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def submits(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every ``Action.Submit`` on the card, in order (also inside a ShowCard)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def messengers(teams: Teams) -> tuple[Bot, Messengers]:
    """The core on the server's clock and the Teams messenger, as the scheduler has
    them: what a job sends goes through the real botbuilder stack to the fake."""
    settings = teams.settings
    assert settings is not None
    bot = Bot(teams.db, clock=teams.clock)
    registered = Messengers()
    registered.register("teams", TeamsApp(AppContext(settings, bot, teams.db)).messenger)
    return bot, registered


def move_to(teams: Teams, moment: datetime) -> datetime:
    teams.clock.advance(moment - teams.clock.now())
    return moment


async def team_with_channels(teams: Teams, ids: Ids) -> None:
    """plgbot added to the staff team; the staffroom and the data team's channel seen
    (Teams delivers channel messages that mention the bot)."""
    await teams.post(fixture("conversation_update_bot_added"))
    for channel in (STAFFROOM, DATATEAM):
        await teams.post(said("hello", author=ANOUK, activity_id=ids(), channel=channel))


def card_texts(calls: list[Call]) -> list[str]:
    return [call.card_text for call in calls]
