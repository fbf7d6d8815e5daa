"""One conversation, one record on Slack: real signed events and slash commands over
loopback HTTP, the real slack-bolt stack, the other colleague's report confirmed."""

from __future__ import annotations

from bot.knowledge.types import KnowledgeType
from tests.slack.harness import ANOUK, BRAM, CHANTAL, DIRK, Plgbot

F, P, R = (KnowledgeType.FOCUS.value, KnowledgeType.PROCESS.value, KnowledgeType.OUTCOMES.value)


async def test_told_then_heard_in_direct_messages_is_one_record(plgbot: Plgbot) -> None:
    first = await plgbot.expect(
        "chat.postMessage",
        plgbot.dm(
            f"verteld <@{BRAM}> hoe we de toetsen analyseren #proces",
            user=DIRK,
            event_id="Ev0ONE01",
        ),
    )
    assert "Vastgelegd: je hebt Bram Jansen verteld." in first.args["text"]
    second = await plgbot.expect(
        "chat.postMessage",
        plgbot.dm(
            f"heard from <@{DIRK}> about the results #results", user=BRAM, event_id="Ev0ONE02"
        ),
    )
    assert (
        "Dirk Visser had already logged this conversation, so it counts once."
        in (second.args["text"])
    )
    assert "I added results to it." in second.args["text"]
    assert await plgbot.edges() == [(DIRK, BRAM, "told", P | R)]


async def test_a_direct_message_and_a_slash_command_both_ways_are_one_discussed(
    plgbot: Plgbot,
) -> None:
    await plgbot.expect(
        "chat.postMessage",
        plgbot.dm(f"verteld <@{ANOUK}> over onze focus #focus", user=CHANTAL, event_id="Ev0ONE03"),
    )
    answer = await plgbot.expect(
        "response_url", plgbot.command(f"verteld <@{CHANTAL}> #focus", user=ANOUK)
    )
    assert "Chantal Bakker had het ook vastgelegd, andersom" in answer.args["text"]
    assert sorted(await plgbot.edges()) == sorted(
        [(CHANTAL, ANOUK, "discussed", F), (ANOUK, CHANTAL, "discussed", F)]
    )
