"""Personal chat with the bot: commands in English and Dutch."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import text

from tests.teams.conftest import DIRK, Teams, fixture, message


async def test_help_in_personal_chat_is_answered_with_a_card_in_english(teams: Teams) -> None:
    response = await teams.post(fixture("message_personal"))

    assert response.status_code == 200, response.text
    [reply] = teams.connector.sent
    assert reply.conversation_id == "a:1chantal-personal-conversation"
    assert reply.reply_to_id == "1763721600500"
    assert "plgbot helps what your PLG learns reach the whole school." in reply.card_text
    assert reply.body["recipient"]["id"] == "29:1chantal"


async def test_dutch_commands_are_answered_in_dutch(teams: Teams) -> None:
    chat = "a:1dirk-personal"
    hulp = message(
        "hulp",
        author=DIRK,
        conversation_id=chat,
        activity_id="1763723000001",
        kind="personal",
        bot_mentioned=False,
        locale="nl-NL",
    )
    lijst = message(
        "plg lijst",
        author=DIRK,
        conversation_id=chat,
        activity_id="1763723000002",
        kind="personal",
        bot_mentioned=False,
        locale="nl-NL",
    )

    assert (await teams.post(hulp)).status_code == 200
    assert (await teams.post(lijst)).status_code == 200

    first, second = teams.connector.sent
    assert "plgbot helpt wat jullie PLG leert" in first.card_text
    assert "Meer: hulp gesprekken, hulp plg" in first.card_text
    assert "nog geen PLG's" in second.card_text
    assert {c.conversation_id for c in teams.connector.sent} == {chat}


async def test_switching_language_answers_in_the_new_language(teams: Teams) -> None:
    switch = message(
        "taal en",
        author=DIRK,
        conversation_id="a:1dirk-personal",
        activity_id="1763723000003",
        kind="personal",
        bot_mentioned=False,
    )
    assert (await teams.post(switch)).status_code == 200
    [reply] = teams.connector.sent
    assert "From now on I'll talk English with you." in reply.card_text


async def test_a_redelivered_command_is_answered_once(teams: Teams) -> None:
    for _ in range(3):
        assert (await teams.post(fixture("message_personal"))).status_code == 200
    assert len(teams.connector.sent) == 1


async def test_a_reply_the_connector_refuses_is_kept_and_sent_once_it_is_back(
    teams: Teams,
) -> None:
    teams.connector.fail_with = 500
    failed = await teams.post(fixture("message_personal"))
    # The activity is processed: Teams is told so, and the reply waits in the outbox.
    assert failed.status_code == 200
    assert await _unsent(teams) == 1
    attempts = len(teams.connector.sent)
    assert attempts >= 1

    teams.connector.fail_with = None
    # A redelivery of the activity is recognised: no second reply from it.
    assert (await teams.post(fixture("message_personal"))).status_code == 200
    assert len(teams.connector.sent) == attempts
    # Past the retry's backoff, the inbox sweep sends the kept reply, once.
    teams.clock.advance(timedelta(minutes=1))
    # A Teams reply is claimed (taken out of the outbox) just before it is sent: wait
    # for the send itself too, which a loaded machine may finish a moment later.
    for _ in range(150):
        if await _unsent(teams) == 0 and len(teams.connector.sent) > attempts:
            break
        await asyncio.sleep(0.1)
    assert await _unsent(teams) == 0
    [reply] = teams.connector.sent[attempts:]
    assert reply.conversation_id == "a:1chantal-personal-conversation"
    assert "plgbot helps what your PLG learns reach the whole school." in reply.card_text


async def _unsent(teams: Teams) -> int:
    async with teams.db.session() as session:
        return int((await session.execute(text("SELECT count(*) FROM outbox"))).scalar_one())
