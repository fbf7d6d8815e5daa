"""The knowledge type of a logged conversation, on Slack: real signed events over
loopback HTTP through slack-bolt. A plain statement is read without hashtags; when
plgbot finds nothing the reply offers the five types as buttons, and a tap stores one
(a second tap takes it off)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.knowledge.types import KnowledgeType
from storage.models import Interaction
from tests.slack.harness import BRAM, DIRK, Plgbot, button_press


async def knowledge(plgbot: Plgbot) -> list[KnowledgeType]:
    async with plgbot.db.session() as session:
        rows = await session.scalars(select(Interaction.knowledge).order_by(Interaction.id))
        return [KnowledgeType(k) for k in rows]


def type_buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        element["text"]["text"]: element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if json.loads(element["value"])["a"] == "interaction.set_type"
    }


async def test_nothing_found_is_asked_with_buttons_and_a_tap_stores_it(plgbot: Plgbot) -> None:
    reply = await plgbot.expect(
        "chat.postMessage",
        plgbot.dm(f"told <@{DIRK}> how it went", user=BRAM, event_id="Ev0TYPE1"),
    )
    assert "What did you share: the focus, the process, results" in reply.args["text"]
    buttons = type_buttons(reply.args["blocks"])
    assert list(buttons) == ["focus", "process", "results", "benefits", "organisation"]
    assert await knowledge(plgbot) == [KnowledgeType.NONE]

    async def tap(label: str) -> str:
        done = await plgbot.expect(
            "response_url",
            plgbot.interactive(
                button_press(
                    buttons[label],
                    user=BRAM,
                    channel=f"D{BRAM[1:]}",
                    response_url=plgbot.fake.hook_url(),
                )
            ),
        )
        return str(done.args["text"])

    assert "Saved as: benefits." in await tap("benefits")
    assert "Saved as: process and benefits." in await tap("process")
    assert await knowledge(plgbot) == [KnowledgeType.PROCESS | KnowledgeType.BENEFITS]
    assert "Saved as: process." in await tap("benefits")
    assert await knowledge(plgbot) == [KnowledgeType.PROCESS]


async def test_a_plain_statement_in_english_is_read_without_hashtags(plgbot: Plgbot) -> None:
    reply = await plgbot.expect(
        "chat.postMessage",
        plgbot.dm(
            f"told <@{DIRK}> the hypothesis turned out to be wrong: homework is not the cause",
            user=BRAM,
            event_id="Ev0TYPE2",
        ),
    )
    assert "Knowledge shared: results." in reply.args["text"]
    assert type_buttons(reply.args["blocks"]) == {}
    assert KnowledgeType.OUTCOMES in (await knowledge(plgbot))[0]
