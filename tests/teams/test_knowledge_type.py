"""The knowledge type of a logged conversation, on Teams: activities over loopback HTTP
through the real botbuilder stack. When plgbot finds nothing the card offers the five
types, and a submit stores one; a plain statement is read without hashtags."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.knowledge.types import KnowledgeType
from storage.models import Interaction
from tests.teams.conftest import ANOUK, BRAM, DIRK, Teams, message
from tests.teams.scenario import Ids, personal_chat, submits, submitted


async def knowledge(teams: Teams) -> list[KnowledgeType]:
    async with teams.db.session() as session:
        rows = await session.scalars(select(Interaction.knowledge).order_by(Interaction.id))
        return [KnowledgeType(k) for k in rows]


def type_submits(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        s["title"]: s for s in submits(card) if s["data"].get("action") == "interaction.set_type"
    }


async def test_nothing_found_is_asked_on_the_card_and_a_submit_stores_it(teams: Teams) -> None:
    ids = Ids()
    unclear = message(
        f"verteld <at>{DIRK.name}</at> hoe het ging",
        author=BRAM,
        conversation_id=personal_chat(BRAM),
        activity_id=ids(),
        kind="personal",
        bot_mentioned=False,
        mentions=[DIRK],
        locale="nl-NL",
    )
    assert (await teams.post(unclear)).status_code == 200
    card = teams.connector.sent[-1]
    assert "Wat deelde je: de focus, de aanpak, resultaten" in card.card_text
    buttons = type_submits(card.card)
    assert list(buttons) == ["focus", "aanpak", "resultaten", "meerwaarde", "organisatie"]
    assert await knowledge(teams) == [KnowledgeType.NONE]

    for label in ("resultaten", "focus"):
        press = submitted(
            buttons[label]["data"],
            author=BRAM,
            activity_id=ids(),
            card_id=card.response_id or "card",
            locale="nl-NL",
        )
        assert (await teams.post(press)).status_code == 200
    answered = teams.connector.sent + teams.connector.updated
    assert any("Opgeslagen als: focus en resultaten." in c.card_text for c in answered)
    assert await knowledge(teams) == [KnowledgeType.FOCUS | KnowledgeType.OUTCOMES]


async def test_a_plain_statement_is_read_and_nothing_is_asked(teams: Teams) -> None:
    said = message(
        f"told <at>{ANOUK.name}</at> the next meeting moved to Thursday 15:30 in room 2.04",
        author=DIRK,
        conversation_id=personal_chat(DIRK),
        activity_id=Ids()(),
        kind="personal",
        bot_mentioned=False,
        mentions=[ANOUK],
        locale="en-GB",
    )
    assert (await teams.post(said)).status_code == 200
    card = teams.connector.sent[-1]
    assert "Knowledge shared: organisation." in card.card_text
    assert type_submits(card.card) == {}
    assert await knowledge(teams) == [KnowledgeType.ORGANISATION]
