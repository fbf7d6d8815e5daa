"""The "log a conversation" modal end to end, the Home tab, and the core's buttons."""

from __future__ import annotations

import copy
import json
from typing import Any

from adapters.slack.render import render
from bot.knowledge.types import KnowledgeType
from bot.messages import Actions, Button, OutboundMessage
from storage.models import Interaction
from tests.slack.harness import (
    ANOUK,
    BRAM,
    CHANTAL,
    DIRK,
    Plgbot,
    fixture_json,
    fixture_payload,
    link_plg_channel,
)


def submission(
    view: dict[str, Any], values: dict[str, Any], *, user: str, view_id: str = "V0LOG00001"
) -> dict[str, Any]:
    """A view_submission for ``view`` (as the bot opened it) with these input values."""
    payload = copy.deepcopy(fixture_payload("view_submission_reply.txt"))
    payload["user"] = {"id": user, "username": "x", "name": "x", "team_id": "T0SCHOOL01"}
    payload["view"] = {
        "id": view_id,
        "team_id": "T0SCHOOL01",
        "type": "modal",
        "callback_id": view["callback_id"],
        "private_metadata": view["private_metadata"],
        "state": {"values": values},
        "hash": "1763722400.abcdEFGH",
    }
    return payload


def form_values(
    colleagues: list[str], direction: str | None, types: list[str], plg: str | None, note: str = ""
) -> dict[str, Any]:
    def option(value: str) -> dict[str, Any]:
        return {"text": {"type": "plain_text", "text": value}, "value": value}

    return {
        "colleagues": {
            "colleagues_input": {"type": "multi_users_select", "selected_users": colleagues}
        },
        "direction": {
            "direction_input": {
                "type": "radio_buttons",
                "selected_option": option(direction) if direction else None,
            }
        },
        "knowledge": {
            "knowledge_input": {
                "type": "checkboxes",
                "selected_options": [option(t) for t in types],
            }
        },
        "plg": {
            "plg_input": {
                "type": "static_select",
                "selected_option": option(plg) if plg else None,
            }
        },
        "note": {"note_input": {"type": "plain_text_input", "value": note or None}},
    }


async def open_form(plgbot: Plgbot, *, user: str) -> dict[str, Any]:
    opened = await plgbot.expect("views.open", plgbot.command("log", user=user))
    assert opened.args["trigger_id"].endswith(user)
    view = opened.args["view"]
    assert isinstance(view, dict)
    return view


async def test_plg_log_opens_the_modal_in_the_persons_language(plgbot: Plgbot) -> None:
    await link_plg_channel(plgbot)
    view = await open_form(plgbot, user=ANOUK)
    assert view["callback_id"] == "log_interaction"
    assert view["title"]["text"] == "Gesprek vastleggen"
    elements = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert elements["colleagues"]["type"] == "multi_users_select"
    assert [o["value"] for o in elements["direction"]["options"]] == ["told", "heard", "discussed"]
    assert [o["value"] for o in elements["knowledge"]["options"]] == [
        "focus",
        "process",
        "outcomes",
        "benefits",
        "organisation",
    ]
    assert [o["text"]["text"] for o in elements["knowledge"]["options"]][1] == "aanpak"
    assert [o["value"] for o in elements["plg"]["options"]] == ["Datateam havo-3"]
    assert elements["note"]["type"] == "plain_text_input"
    assert json.loads(view["private_metadata"]) == {"channel": "C0PLGDATA1", "language": "nl"}


async def test_a_submitted_modal_logs_the_interaction_and_confirms_by_dm(plgbot: Plgbot) -> None:
    await link_plg_channel(plgbot)
    view = await open_form(plgbot, user=BRAM)
    values = form_values([CHANTAL, DIRK], "told", ["process"], "Datateam havo-3")
    response = await plgbot.interactive(submission(view, values, user=BRAM))
    assert response.status_code == 200
    assert response.text == ""  # the modal closes
    confirmation = (await plgbot.fake.wait_for("chat.postMessage", 2))[-1]
    assert confirmation.args["channel"] == BRAM
    assert (
        "Logged: you told Chantal Bakker and Dirk Visser about Datateam havo-3."
        in confirmation.args["text"]
    )
    process = KnowledgeType.PROCESS.value
    assert await plgbot.edges() == [(BRAM, CHANTAL, "told", process), (BRAM, DIRK, "told", process)]
    # The same submission delivered again logs nothing more and says nothing more.
    assert (await plgbot.interactive(submission(view, values, user=BRAM))).status_code == 200
    await plgbot.stop()
    assert await plgbot.count(Interaction) == 2
    assert len(plgbot.fake.of("chat.postMessage")) == 2


async def test_an_invalid_submission_gets_errors_next_to_its_fields(plgbot: Plgbot) -> None:
    view = await open_form(plgbot, user=BRAM)
    empty = await plgbot.interactive(submission(view, form_values([], None, [], None), user=BRAM))
    assert empty.status_code == 200
    answer = empty.json()
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "colleagues": "Pick at least one colleague.",
        "direction": "Choose what happened: told, heard or discussed.",
    }
    myself = form_values([BRAM], "heard", ["gossip"], None)
    errors = (await plgbot.interactive(submission(view, myself, user=BRAM))).json()["errors"]
    assert errors["colleagues"].startswith("You can't log an interaction with yourself")
    assert "“gossip” is not a knowledge type" in errors["knowledge"]
    await plgbot.stop()
    assert await plgbot.count(Interaction) == 0


async def test_home_tab_shows_my_ties_and_a_button_that_opens_the_modal(plgbot: Plgbot) -> None:
    await link_plg_channel(plgbot)
    assert (await plgbot.event(fixture_json("message_channel_mention.json"))).status_code == 200
    assert (await plgbot.event(fixture_json("message_thread_reply.json"))).status_code == 200
    home = fixture_json("message_im.json")
    home["event_id"] = "Ev0HOMEOPEN1"
    home["event"] = {
        "type": "app_home_opened",
        "user": ANOUK,
        "channel": "D0ANOUK001",
        "tab": "home",
        "event_ts": "1763723000.000100",
    }
    # Observed messages answer nothing, so wait for what they stored.
    await plgbot.stored(lambda edges: len(edges) == 2)
    published = await plgbot.expect("views.publish", plgbot.event(home))
    assert published.args["user_id"] == ANOUK
    view = published.args["view"]
    text = json.dumps(view, ensure_ascii=False)
    assert view["type"] == "home"
    assert "plgbot — Anouk de Vries" in text
    assert "Datateam havo-3 (jij bent trekker)" in text
    assert "Dirk Visser: 2×" in text  # she mentioned him, he answered in her thread
    button = view["blocks"][-1]["elements"][0]
    assert button["action_id"] == "open_log_form"
    assert button["text"]["text"] == "Gesprek vastleggen"

    press = fixture_payload("block_actions_reply_button.txt")
    press.update(user={"id": ANOUK}, container={"type": "view", "view_id": "V0HOME"})
    press.pop("channel")
    press["actions"] = [{"action_id": "open_log_form", "block_id": "x", "type": "button"}]
    opened = await plgbot.expect("views.open", plgbot.interactive(press))
    assert opened.args["view"]["callback_id"] == "log_interaction"
    assert json.loads(opened.args["view"]["private_metadata"])["channel"] is None


def press_of(message: OutboundMessage, index: int = 0) -> dict[str, Any]:
    """A block_actions payload for a button as the adapter rendered it."""
    actions = next(b for b in render(message).blocks if b["type"] == "actions")
    element = actions["elements"][index]
    payload = fixture_payload("block_actions_reply_button.txt")
    payload["actions"] = [{**element, "block_id": "b1", "action_ts": "1763722300.111111"}]
    return payload


async def test_a_core_button_becomes_an_action_for_the_core(plgbot: Plgbot) -> None:
    message = OutboundMessage(blocks=(Actions((Button("Ja", "test.yes", "42"),)),))
    payload = press_of(message)
    payload["response_url"] = plgbot.fake.hook_url("actions")
    # No feature handles test.yes: the core says so, privately, through the response URL.
    reply = await plgbot.expect("response_url", plgbot.interactive(payload))
    assert "That button no longer does anything" in reply.args["text"]
    assert reply.args["response_type"] == "ephemeral"


async def test_a_core_button_that_asks_for_text_opens_a_modal_first(plgbot: Plgbot) -> None:
    button = Button("Reply", "round.reply", "round:1", asks_text="What do you think?")
    payload = press_of(OutboundMessage(blocks=(Actions((button,)),)))
    opened = await plgbot.expect("views.open", plgbot.interactive(payload))
    view = opened.args["view"]
    assert view["callback_id"] == "plgbot_answer"
    assert view["blocks"][0]["label"]["text"] == "What do you think?"
    values = {
        "answer": {"answer_input": {"type": "plain_text_input", "value": "More homework help"}}
    }
    answered = submission(view, values, user=BRAM, view_id="V0ANSWER01")
    reply = await plgbot.expect("chat.postEphemeral", plgbot.interactive(answered))
    assert reply.args["channel"] == "C0STAFFRM1"
    assert reply.args["user"] == BRAM
    assert "That button no longer does anything" in reply.args["text"]
