"""Posting without being spoken to, through TeamsMessenger, to conversations the server
stored while it ran."""

from __future__ import annotations

import json

import pytest

from adapters.server import AppContext
from adapters.teams import NoConversationError, TeamsApp, TeamsMessenger
from adapters.teams.attachments import MAX_MESSAGE_BYTES
from bot.clock import FixedClock
from bot.events import SchoolRef
from bot.messages import Bullets, Heading, Paragraph, message
from bot.ports import Messenger
from bot.service import Bot
from tests.teams.conftest import NOW, TENANT, Teams, fixture

SCHOOL = SchoolRef("teams", TENANT)
NOTE = message(Paragraph("Nieuwe vraag van de week: <at>iedereen</at> **welkom**"))


def _messenger(teams: Teams) -> TeamsMessenger:
    settings = teams.settings
    assert settings is not None
    return TeamsApp(AppContext(settings, Bot(teams.db, clock=FixedClock(NOW)), teams.db)).messenger


async def test_post_to_a_stored_channel_and_into_a_thread(teams: Teams) -> None:
    await teams.post(fixture("conversation_update_bot_added"))
    teams.connector.clear()
    messenger: Messenger = _messenger(teams)

    post_id = await messenger.post_to_channel(
        school=SCHOOL, channel_id="19:staff@thread.tacv2", message=NOTE
    )
    await messenger.post_to_channel(
        school=SCHOOL, channel_id="19:staff@thread.tacv2", message=NOTE, thread_id=post_id
    )

    new_post, in_thread = teams.connector.sent
    assert new_post.conversation_id == "19:staff@thread.tacv2"
    assert new_post.reply_to_id is None
    assert new_post.card_text == "Nieuwe vraag van de week: <at>iedereen</at> **welkom**"
    assert new_post.body["from"]["id"] == "28:plgbot-app-id"
    assert post_id
    assert in_thread.conversation_id == f"19:staff@thread.tacv2;messageid={post_id}"


async def test_send_private_uses_the_personal_chat_or_opens_one(teams: Teams) -> None:
    await teams.post(fixture("message_personal"))  # Chantal's chat with the bot
    teams.connector.clear()
    messenger = _messenger(teams)

    await messenger.send_private(school=SCHOOL, user_id="29:1chantal", message=NOTE)
    await messenger.send_private(school=SCHOOL, user_id="29:1dirk", message=NOTE)
    await messenger.send_private(school=SCHOOL, user_id="29:1dirk", message=NOTE)

    [create] = teams.connector.created
    assert create.body["members"] == [{"id": "29:1dirk"}]
    assert [c.conversation_id for c in teams.connector.sent] == [
        "a:1chantal-personal-conversation",
        "a:created-1",
        "a:created-1",
    ]


async def test_unknown_conversations_raise_instead_of_guessing(teams: Teams) -> None:
    messenger = _messenger(teams)
    with pytest.raises(NoConversationError):
        await messenger.post_to_channel(school=SCHOOL, channel_id="19:nope@thread", message=NOTE)
    with pytest.raises(NoConversationError):
        await messenger.send_private(school=SCHOOL, user_id="29:1dirk", message=NOTE)
    assert teams.connector.calls == []


async def test_a_message_too_long_for_teams_goes_on_in_the_thread_of_its_start(
    teams: Teams,
) -> None:
    """A long agenda (60 replies of 600 characters) is more than one Teams message holds."""
    await teams.post(fixture("conversation_update_bot_added"))
    await teams.post(fixture("message_personal"))
    teams.connector.clear()
    replies = tuple(f"{n}. " + "Huiswerk wordt vaak gemist. " * 21 for n in range(1, 61))
    agenda = message(Heading("Agenda PLG-bijeenkomst"), Bullets(replies), Paragraph("Einde."))
    messenger = _messenger(teams)

    post_id = await messenger.post_to_channel(
        school=SCHOOL, channel_id="19:staff@thread.tacv2", message=agenda
    )

    first, *rest = teams.connector.sent
    assert first.conversation_id == "19:staff@thread.tacv2" and first.response_id == post_id
    assert rest and {c.conversation_id for c in rest} == {
        f"19:staff@thread.tacv2;messageid={post_id}"
    }
    for call in teams.connector.sent:
        assert len(json.dumps(call.body, separators=(",", ":")).encode()) <= MAX_MESSAGE_BYTES
    shown = "\n".join(call.card_text for call in teams.connector.sent)
    assert shown == agenda.plain_text, "everything, in order, nothing twice"
    teams.connector.clear()

    await messenger.send_private(school=SCHOOL, user_id="29:1chantal", message=agenda)
    assert len(teams.connector.sent) > 1
    assert {c.conversation_id for c in teams.connector.sent} == {"a:1chantal-personal-conversation"}
