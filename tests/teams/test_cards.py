"""The "log a conversation" Adaptive Card: asked for, filled in, submitted; and how the
core's replies look as cards (names with markup stay text)."""

from __future__ import annotations

import json
from typing import Any

from adapters.teams.attachments import MAX_MESSAGE_BYTES
from adapters.teams.log_card import form_activity
from adapters.teams.render import Colleague, message_activity
from bot import messages
from bot.messages import Actions, Button, Paragraph
from tests.helpers import edges
from tests.teams.conftest import BRAM, CHANTAL, Teams, fixture, message
from tests.teams.fake_connector import Member

BRAM_CHAT = "a:1bram-personal"


def _inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {element["id"]: element for element in card["body"] if "id" in element}


async def test_log_in_personal_chat_sends_the_form_with_known_colleagues(teams: Teams) -> None:
    await teams.post(fixture("message_personal"))  # Chantal is now known to plgbot
    teams.connector.clear()

    response = await teams.post(
        message(
            "log",
            author=BRAM,
            conversation_id=BRAM_CHAT,
            activity_id="1763722000001",
            kind="personal",
            bot_mentioned=False,
            locale="en-GB",
        )
    )

    assert response.status_code == 200, response.text
    [sent] = teams.connector.sent
    assert sent.conversation_id == BRAM_CHAT
    card = sent.card
    assert card["version"] == "1.5"
    inputs = _inputs(card)
    assert inputs["colleagues"]["isMultiSelect"] is True
    assert inputs["colleagues"]["choices"] == [{"title": "Chantal Bakker", "value": "29:1chantal"}]
    assert [c["value"] for c in inputs["origin"]["choices"]] == ["told", "heard", "discussed"]
    assert [c["value"] for c in inputs["knowledge"]["choices"]] == [
        "focus",
        "process",
        "outcomes",
        "benefits",
        "organisation",
    ]
    assert inputs["colleagues"]["label"] == "With whom?"
    assert "note" in inputs
    [submit] = card["actions"]
    assert submit["type"] == "Action.Submit"
    assert submit["data"]["plgbot"] == "log"


async def test_vastleggen_in_a_channel_sends_the_dutch_form_privately_with_the_team_roster(
    teams: Teams,
) -> None:
    response = await teams.post(
        message(
            "<at>plgbot</at> vastleggen",
            author=BRAM,
            conversation_id="19:staffroom@thread.tacv2;messageid=1763722000002",
            activity_id="1763722000002",
        )
    )

    assert response.status_code == 200, response.text
    assert [c.path for c in teams.connector.calls if c.kind == "members"] == [
        "/v3/conversations/19:staff@thread.tacv2/pagedmembers"
    ]
    [sent] = teams.connector.sent
    assert sent.conversation_id == "a:created-1"  # Bram's new personal chat
    inputs = _inputs(sent.card)
    assert inputs["colleagues"]["label"] == "Met wie?"
    names = [c["title"] for c in inputs["colleagues"]["choices"]]
    assert names == ["Anouk de Vries", "Chantal Bakker", "Dirk Visser"]  # not Bram himself


async def test_submitting_the_form_logs_the_interaction_and_confirms(teams: Teams) -> None:
    value = {
        "plgbot": "log",
        "colleagues": "29:1chantal,29:1dirk",
        "origin": "told",
        "knowledge": "focus,process",
        "note": "",
        "names": {"29:1chantal": "Chantal Bakker", "29:1dirk": "Dirk Visser"},
    }
    submit = fixture("message_card_submit", value=value)

    response = await teams.post(submit)

    assert response.status_code == 200, response.text
    assert await edges(teams.db) == [
        ("29:1bram", "29:1chantal", "told", 3),
        ("29:1bram", "29:1dirk", "told", 3),
    ]
    [confirmation] = teams.connector.sent
    assert confirmation.conversation_id == "a:created-1"  # privately, to Bram
    assert "Chantal Bakker en Dirk Visser" in confirmation.card_text
    # Delivered again: stored once, confirmed once.
    assert (await teams.post(submit)).status_code == 200
    assert len(await edges(teams.db)) == 2
    assert len(teams.connector.sent) == 1


async def test_a_form_without_colleagues_is_answered_with_the_cores_message(teams: Teams) -> None:
    value = {"plgbot": "log", "colleagues": "", "origin": "told"}
    response = await teams.post(fixture("message_card_submit", value=value))

    assert response.status_code == 200
    assert await edges(teams.db) == []
    [answer] = teams.connector.sent
    assert "Kies minstens één collega." in answer.card_text


async def test_a_card_submit_plgbot_does_not_know_is_ignored(teams: Teams) -> None:
    response = await teams.post(fixture("message_card_submit"))  # a question-round reply

    assert response.status_code == 200
    assert teams.connector.sent == []
    assert await edges(teams.db) == []


async def test_the_welcome_cards_button_brings_the_form(teams: Teams) -> None:
    press = fixture("message_card_submit", value={"plgbot": "open_form"}, id="1763722000005")
    response = await teams.post(press)

    assert response.status_code == 200
    [sent] = teams.connector.sent
    assert "colleagues" in _inputs(sent.card)


async def test_names_with_markup_are_shown_as_text_never_as_markup(teams: Teams) -> None:
    eve_name = "<at>Eve</at> **bold** <b>x</b> [link](http://evil.example)"
    eve = Member("29:1eve", eve_name, "aaaa0005-0000-4000-8000-000000000005")
    response = await teams.post(
        message(
            f"told <at>{eve_name}</at> about our #focus",
            author=CHANTAL,
            conversation_id="a:1chantal-personal-conversation",
            activity_id="1763722000006",
            kind="personal",
            bot_mentioned=False,
            mentions=[eve],
            locale="en-GB",
        )
    )

    assert response.status_code == 200, response.text
    [reply] = teams.connector.sent
    assert f"Logged: you told {eve_name}." in reply.card_text
    elements = _flatten(reply.card)
    # Only literal text elements: a TextBlock (or FactSet) would read the Markdown.
    assert {e["type"] for e in elements} <= {
        "RichTextBlock",
        "TextRun",
        "ColumnSet",
        "Column",
        "ActionSet",
    }
    assert not reply.body.get("entities")  # no mention entity turns <at> into a mention
    assert reply.body["summary"].startswith("Logged: you told <at>Eve</at>")
    assert ("29:1chantal", "29:1eve", "told", 1) in await edges(teams.db)


def _flatten(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if node.get("type") and node.get("type") != "AdaptiveCard" else []
        return found + [e for value in node.values() for e in _flatten(value)]
    if isinstance(node, list):
        return [e for item in node for e in _flatten(item)]
    return []


def _long_ids(n: int) -> list[Colleague]:
    """Colleagues with ids as long as real Teams ids (``29:`` and ~80 characters)."""
    return [Colleague(f"29:1{i:04d}" + "x" * 76, f"Collega Nummer {i:03d}") for i in range(n)]


def _size(activity: Any) -> int:
    return len(json.dumps(activity.serialize(), separators=(",", ":")).encode())


def test_the_log_form_offers_as_many_colleagues_as_fit_in_a_teams_message() -> None:
    card = form_activity("nl", colleagues=_long_ids(300), plgs=["Datateam havo-3"])
    assert _size(card) <= MAX_MESSAGE_BYTES
    offered = _inputs(card.attachments[0].content)["colleagues"]["choices"]
    assert 50 < len(offered) < 300
    assert offered[0] == {"title": "Collega Nummer 000", "value": _long_ids(1)[0].user_id}


def test_a_people_picker_offers_as_many_as_fit_and_sends_their_names_back() -> None:
    invite = messages.message(
        Paragraph("With whom did you talk about the PLG this month?"),
        Actions((Button("Pick colleagues", "survey.pick", "2026-12-07", picks_people="Who?"),)),
        private=True,
    )
    card = message_activity(invite, people=_long_ids(300))
    assert _size(card) <= MAX_MESSAGE_BYTES
    [show] = card.attachments[0].content["body"][-1]["actions"]
    assert show["type"] == "Action.ShowCard"
    [picker] = show["card"]["body"]
    assert picker["isMultiSelect"] is True and picker["id"] == "people"
    [submit] = show["card"]["actions"]
    names = submit["data"]["names"]
    assert {c["value"]: c["title"] for c in picker["choices"]} == names
    assert 50 < len(names) < 300


def test_a_lone_text_button_is_a_field_on_the_card_and_several_open_one_each() -> None:
    ask = Button("Reply", "round.reply", "7", asks_text="Your answer")
    lone = message_activity(messages.message(Paragraph("Question?"), Actions((ask,))))
    body = lone.attachments[0].content["body"]
    assert body[1]["type"] == "Input.Text" and body[1]["label"] == "Your answer"
    assert body[2]["actions"][0]["data"] == {
        "plgbot": "action",
        "action": "round.reply",
        "value": "7",
    }
    both = message_activity(
        messages.message(Paragraph("Question?"), Actions((ask, Button("Skip", "round.skip", "7"))))
    )
    shown, plain = both.attachments[0].content["body"][1]["actions"]
    assert shown["type"] == "Action.ShowCard" and plain["type"] == "Action.Submit"
