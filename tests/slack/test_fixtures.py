"""Every payload in tests/fixtures/slack (a copy of ../shared/fixtures), signed and
sent to the real server; the assertions are on what the bot stored and what it posted
to (fake) Slack."""

from __future__ import annotations

import copy

from sqlalchemy import select

from bot.knowledge.types import KnowledgeType
from storage.models import Delivery, Interaction, Person, School
from tests.slack.fake_slack import BOT_USER
from tests.slack.harness import (
    ANOUK,
    BRAM,
    CHANTAL,
    DIRK,
    Plgbot,
    fixture_form,
    fixture_json,
    fixture_payload,
    link_plg_channel,
)

OUTCOMES, PROCESS, BENEFITS = (
    KnowledgeType.OUTCOMES.value,
    KnowledgeType.PROCESS.value,
    KnowledgeType.BENEFITS.value,
)


async def test_url_verification_echoes_the_challenge(plgbot: Plgbot) -> None:
    response = await plgbot.event(fixture_json("url_verification.json"))
    assert response.status_code == 200
    assert response.json() == {"challenge": fixture_json("url_verification.json")["challenge"]}


async def test_app_mention_logs_told_and_answers_only_the_author(plgbot: Plgbot) -> None:
    await link_plg_channel(plgbot)
    reply = await plgbot.expect(
        "chat.postEphemeral", plgbot.event(fixture_json("app_mention.json"))
    )
    # Bram's Slack locale is en-US; the reply goes to him alone, in the PLG channel.
    assert reply.args["channel"] == "C0PLGDATA1"
    assert reply.args["user"] == BRAM
    assert "Logged: you told Chantal Bakker about Datateam havo-3." in reply.args["text"]
    assert "Knowledge shared: results." in reply.args["text"]
    assert reply.args["blocks"][0]["type"] == "section"
    assert await plgbot.edges() == [(BRAM, CHANTAL, "told", OUTCOMES)]


async def test_channel_mention_and_thread_reply_in_a_plg_channel_are_interactions(
    plgbot: Plgbot,
) -> None:
    await link_plg_channel(plgbot)
    posted_before = len(plgbot.fake.calls)
    assert (await plgbot.event(fixture_json("message_channel_mention.json"))).status_code == 200
    assert (await plgbot.event(fixture_json("message_thread_reply.json"))).status_code == 200
    await plgbot.stop()

    # The two events are handled at once: stored in either order.
    edges = sorted(await plgbot.edges())
    assert [(s, t, o) for s, t, o, _ in edges] == [
        (ANOUK, DIRK, "mention"),
        (DIRK, ANOUK, "thread_reply"),
    ]
    assert edges[0][3] & PROCESS
    assert edges[1][3] & BENEFITS
    # Observing is silent: nothing was posted, only people were looked up.
    posted = {c.method for c in plgbot.fake.calls[posted_before:]}
    assert posted <= {"users.info"}


async def test_a_thread_reply_outside_a_plg_channel_logs_nothing(plgbot: Plgbot) -> None:
    assert (await plgbot.event(fixture_json("message_thread_reply.json"))).status_code == 200
    await plgbot.stop()
    assert await plgbot.edges() == []


async def test_dm_help_in_english_and_dutch(plgbot: Plgbot) -> None:
    # "help" is a Dutch word too: Chantal (nl-NL) gets Dutch, Bram (en-US) English.
    dutch = await plgbot.expect("chat.postMessage", plgbot.event(fixture_json("message_im.json")))
    assert dutch.args["channel"] == "D0CHANTBOT"
    assert dutch.args["text"].startswith("plgbot helpt wat jullie PLG leert")
    english = await plgbot.expect(
        "chat.postMessage", plgbot.dm("help", user=BRAM, event_id="Ev0DIRECT002")
    )
    assert english.args["text"].startswith("plgbot helps what your PLG learns")
    assert "More: help conversations" in english.args["text"]


async def test_dm_commands_log_interactions_in_english_and_dutch(plgbot: Plgbot) -> None:
    told = await plgbot.expect(
        "chat.postMessage",
        plgbot.dm("told <@U0BRAM002> about our focus #focus", user=CHANTAL, event_id="Ev0DM1"),
    )
    assert "Logged: you told Bram Jansen." in told.args["text"]
    verteld = await plgbot.expect(
        "chat.postMessage",
        plgbot.dm(
            "ik heb <@U0DIRK004> verteld over de aanpak #proces", user=ANOUK, event_id="Ev0DM2"
        ),
    )
    assert "Vastgelegd: je hebt Dirk Visser verteld." in verteld.args["text"]
    network = await plgbot.expect(
        "chat.postMessage", plgbot.dm("netwerk", user=ANOUK, event_id="Ev0DM3")
    )
    assert "Dirk Visser: 1×" in network.args["text"]
    assert await plgbot.edges() == [
        (CHANTAL, BRAM, "told", KnowledgeType.FOCUS.value),
        (ANOUK, DIRK, "told", PROCESS),
    ]


async def test_the_bots_own_and_other_bots_messages_are_ignored(plgbot: Plgbot) -> None:
    echo = fixture_json("message_bot_echo.json")
    other = copy.deepcopy(echo)
    other["event_id"] = "Ev0OTHERBOT1"
    other["event"].update(bot_id="B0OTHERBOT", user="U0OTHERBT", subtype="bot_message")
    own_user = copy.deepcopy(echo)
    own_user["event_id"] = "Ev0OWNUSER01"
    own_user["event"].pop("subtype")
    own_user["event"].pop("bot_id")
    own_user["event"]["user"] = BOT_USER
    for payload in (echo, other, own_user):
        assert (await plgbot.event(payload)).status_code == 200
    await plgbot.stop()
    assert {c.method for c in plgbot.fake.calls} <= {"auth.test"}
    for model in (Delivery, Person, Interaction):
        assert await plgbot.count(model) == 0


async def test_slash_command_heard_answers_through_the_response_url(plgbot: Plgbot) -> None:
    fields = fixture_form("slash_command_heard.txt")
    fields["response_url"] = plgbot.fake.hook_url()
    reply = await plgbot.expect("response_url", plgbot.form(fields))
    assert reply.args["response_type"] == "ephemeral"
    assert reply.args["text"].startswith("Logged: Bram Jansen told you")
    assert await plgbot.edges() == [(BRAM, CHANTAL, "heard", PROCESS)]


async def test_a_later_features_button_is_acknowledged_and_changes_nothing(
    plgbot: Plgbot,
) -> None:
    response = await plgbot.form(fixture_form("block_actions_reply_button.txt"))
    assert response.status_code == 200
    assert response.text == ""
    await plgbot.stop()
    assert {c.method for c in plgbot.fake.calls} <= {"auth.test"}
    assert await plgbot.count(School) == 0


async def test_a_later_features_modal_submission_is_acknowledged_and_closes(
    plgbot: Plgbot,
) -> None:
    response = await plgbot.interactive(fixture_payload("view_submission_reply.txt"))
    assert response.status_code == 200
    assert response.text == ""
    await plgbot.stop()
    assert await plgbot.count(School) == 0


async def test_a_bot_mention_arrives_as_app_mention_and_message_and_counts_once(
    plgbot: Plgbot,
) -> None:
    await link_plg_channel(plgbot)
    mention = fixture_json("app_mention.json")
    as_message = copy.deepcopy(mention)
    as_message["event_id"] = "Ev0MSGOFMENT"
    as_message["event"].update(type="message", channel_type="channel")
    assert (await plgbot.event(as_message)).status_code == 200
    await plgbot.expect("chat.postEphemeral", plgbot.event(mention))
    await plgbot.stop()
    assert len(plgbot.fake.of("chat.postEphemeral")) == 1
    assert await plgbot.edges() == [(BRAM, CHANTAL, "told", OUTCOMES)]


async def test_users_info_profiles_are_stored_with_locale_and_time_zone(plgbot: Plgbot) -> None:
    await link_plg_channel(plgbot)
    await plgbot.expect("chat.postEphemeral", plgbot.event(fixture_json("app_mention.json")))
    async with plgbot.db.session() as session:
        bram = (await session.scalars(select(Person).where(Person.platform_user_id == BRAM))).one()
    assert bram.locale == "en-US"
    assert bram.timezone == "Europe/Amsterdam"
    assert bram.profile_fetched_at is not None
