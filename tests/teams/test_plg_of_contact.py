"""The PLG a contact is about, on Teams: activities over loopback HTTP through the real
botbuilder stack; an unclear PLG is asked on the card, and its submit files it."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import PLG, Interaction
from tests.teams.conftest import ANOUK, BRAM, DIRK, Teams, message
from tests.teams.scenario import Ids, personal_chat, said, submits, submitted


async def test_a_plg_named_by_alias_and_an_unclear_one_filed_from_the_card(teams: Teams) -> None:
    ids = Ids()
    for text_ in (
        "plg new Datateam havo-3 focus many havo-3 pupils repeat the year",
        "plg new Lesson study onderbouw focus pupils ask few questions",
    ):
        assert (await teams.post(said(text_, author=ANOUK, activity_id=ids()))).status_code == 200
    teams.connector.clear()
    named = message(
        f"verteld <at>{DIRK.name}</at> over de lesson-study #aanpak",
        author=BRAM,
        conversation_id=personal_chat(BRAM),
        activity_id=ids(),
        kind="personal",
        bot_mentioned=False,
        mentions=[DIRK],
    )
    assert (await teams.post(named)).status_code == 200
    assert "over Lesson study onderbouw" in teams.connector.sent[-1].card_text
    unclear = message(
        f"told <at>{ANOUK.name}</at> how it went",
        author=DIRK,
        conversation_id=personal_chat(DIRK),
        activity_id=ids(),
        kind="personal",
        bot_mentioned=False,
        mentions=[ANOUK],
        locale="en-GB",
    )
    assert (await teams.post(unclear)).status_code == 200
    card = teams.connector.sent[-1]
    assert "Which PLG was it about?" in card.card_text
    by_title = {
        s["title"]: s for s in submits(card.card) if s["data"]["action"] == "interaction.file_plg"
    }
    assert set(by_title) == {"Datateam havo-3", "Lesson study onderbouw"}
    press = submitted(
        by_title["Datateam havo-3"]["data"],
        author=DIRK,
        activity_id=ids(),
        card_id=card.response_id or "card",
    )
    assert (await teams.post(press)).status_code == 200
    answered = teams.connector.sent + teams.connector.updated
    assert any("Filed under Datateam havo-3." in c.card_text for c in answered)
    async with teams.db.session() as session:
        rows = await session.execute(
            select(PLG.name)
            .select_from(Interaction)
            .outerjoin(PLG, PLG.id == Interaction.plg_id)
            .order_by(Interaction.id)
        )
        assert [name for (name,) in rows] == ["Lesson study onderbouw", "Datateam havo-3"]
