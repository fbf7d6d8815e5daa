"""Personal chat with the bot: commands in English and Dutch."""

from __future__ import annotations

from tests.teams.conftest import Teams, fixture


async def test_help_in_personal_chat_is_answered_with_a_card_in_english(teams: Teams) -> None:
    response = await teams.post(fixture("message_personal"))

    assert response.status_code == 200, response.text
    [reply] = teams.connector.sent
    assert reply.conversation_id == "a:1chantal-personal-conversation"
    assert reply.reply_to_id == "1763721600500"
    assert "plgbot helps what your PLG learns reach the whole school." in reply.card_text
    assert reply.body["recipient"]["id"] == "29:1chantal"
