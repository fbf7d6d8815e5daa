"""A team with the bot: added to the team, a PLG linked to its channel, mentions and
thread replies in that channel logged as design.md says, replies where they belong."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import ConversationReference
from tests.helpers import edges
from tests.teams.conftest import ANOUK, DIRK, TENANT, Teams, fixture, message

PLG_CHANNEL = "19:plgdata@thread.tacv2"
ANOUK_CHAT = "a:1anouk-personal"


async def _start_plg(teams: Teams) -> None:
    """Anouk starts the PLG in her personal chat, then links it in the PLG channel."""
    response = await teams.post(
        message(
            "plg nieuw Datateam havo-3 focus te veel havo-3 leerlingen blijven zitten",
            author=ANOUK,
            conversation_id=ANOUK_CHAT,
            activity_id="1763719900001",
            kind="personal",
            bot_mentioned=False,
        )
    )
    assert response.status_code == 200, response.text
    response = await teams.post(
        message(
            "<at>plgbot</at> plg koppel Datateam havo-3",
            author=ANOUK,
            conversation_id=f"{PLG_CHANNEL};messageid=1763719900002",
            activity_id="1763719900002",
        )
    )
    assert response.status_code == 200, response.text


async def test_bot_added_to_a_team_stores_the_channel_and_says_hello_in_dutch(
    teams: Teams,
) -> None:
    response = await teams.post(fixture("conversation_update_bot_added"))

    assert response.status_code == 200, response.text
    [welcome] = teams.connector.sent
    assert welcome.conversation_id == "19:staff@thread.tacv2"
    assert welcome.reply_to_id is None  # a new post, not a reply
    assert "plgbot helpt wat jullie PLG leert" in welcome.card_text
    [button] = welcome.card["actions"]
    assert button["data"] == {"plgbot": "open_form"}
    async with teams.db.session() as session:
        [row] = (await session.scalars(select(ConversationReference))).all()
    assert (row.platform_conversation_id, row.kind) == ("19:staff@thread.tacv2", "channel")
    assert row.team_id == "19:staff@thread.tacv2"
    assert row.reference["serviceUrl"] == f"{teams.connector_url}/"
    assert row.reference["conversation"]["tenantID"] == TENANT


async def test_the_same_bot_added_event_delivered_twice_says_hello_once(teams: Teams) -> None:
    for _ in range(2):
        assert (await teams.post(fixture("conversation_update_bot_added"))).status_code == 200
    assert len(teams.connector.sent) == 1


async def test_linking_in_the_channel_answers_privately_in_the_leads_personal_chat(
    teams: Teams,
) -> None:
    await _start_plg(teams)

    created, linked = teams.connector.sent
    assert created.conversation_id == ANOUK_CHAT
    assert "Datateam havo-3" in created.card_text
    # The confirmation is private (Slack shows it only to her): her chat, not the channel.
    assert linked.conversation_id == ANOUK_CHAT
    assert linked.reply_to_id is None
    assert "Datateam havo-3" in linked.card_text
    assert not teams.connector.sent_to(f"{PLG_CHANNEL};messageid=1763719900002")


async def test_mention_and_thread_reply_in_the_plg_channel_are_logged_silently(
    teams: Teams,
) -> None:
    await _start_plg(teams)
    teams.connector.clear()

    mention = await teams.post(fixture("message_channel_mention"))
    reply = await teams.post(fixture("message_channel_reply"))

    assert (mention.status_code, reply.status_code) == (200, 200)
    assert teams.connector.sent == []
    logged = [(source, target, origin) for source, target, origin, _ in await edges(teams.db)]
    assert logged == [
        ("29:1anouk", "29:1dirk", "mention"),
        ("29:1dirk", "29:1anouk", "thread_reply"),
    ]


async def test_a_redelivered_channel_message_is_stored_once(teams: Teams) -> None:
    await _start_plg(teams)
    for _ in range(3):
        assert (await teams.post(fixture("message_channel_mention"))).status_code == 200
    assert len(await edges(teams.db)) == 1


async def test_a_command_in_a_channel_from_someone_without_a_chat_opens_one(
    teams: Teams,
) -> None:
    await teams.post(fixture("conversation_update_bot_added"))
    teams.connector.clear()

    response = await teams.post(
        message(
            "<at>plgbot</at> netwerk",
            author=DIRK,
            conversation_id=f"{PLG_CHANNEL};messageid=1763719900009",
            activity_id="1763719900009",
        )
    )

    assert response.status_code == 200, response.text
    [create] = teams.connector.created
    assert create.body["members"] == [{"id": "29:1dirk"}]
    assert create.body["bot"]["id"] == "28:plgbot-app-id"
    assert create.body["channelData"] == {"tenant": {"id": TENANT}}
    [answer] = teams.connector.sent
    assert answer.conversation_id == "a:created-1"
    assert "geen gesprekken over een PLG" in answer.card_text
    # The new chat is remembered: the next private answer goes there directly.
    teams.connector.clear()
    await teams.post(
        message(
            "<at>plgbot</at> hulp",
            author=DIRK,
            conversation_id=f"{PLG_CHANNEL};messageid=1763719900010",
            activity_id="1763719900010",
        )
    )
    assert teams.connector.created == []
    assert [c.conversation_id for c in teams.connector.sent] == ["a:created-1"]


async def test_deleting_a_logged_message_takes_it_out_of_the_network(teams: Teams) -> None:
    await _start_plg(teams)
    await teams.post(fixture("message_channel_mention"))
    assert len(await edges(teams.db)) == 1

    deleted = fixture("message_channel_mention", type="messageDelete", text=None, entities=None)
    deleted["channelData"]["eventType"] = "softDeleteMessage"
    response = await teams.post(deleted)

    assert response.status_code == 200, response.text
    assert await edges(teams.db) == []
