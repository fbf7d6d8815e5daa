"""The PLG a contact is about, on Slack: real signed events over loopback HTTP through
slack-bolt; a PLG named partly is found, and when nothing tells the reply asks with
buttons, which file it."""

from __future__ import annotations

import json

from sqlalchemy import select

from storage.models import PLG, Interaction
from tests.slack.harness import ANOUK, BRAM, CHANTAL, DIRK, Plgbot, button_press


async def plgs_filed(plgbot: Plgbot) -> list[str | None]:
    async with plgbot.db.session() as session:
        rows = await session.execute(
            select(PLG.name)
            .select_from(Interaction)
            .outerjoin(PLG, PLG.id == Interaction.plg_id)
            .order_by(Interaction.id)
        )
        return [name for (name,) in rows]


async def test_a_plg_named_partly_is_found_and_an_unclear_one_is_asked(plgbot: Plgbot) -> None:
    for n, (user, text) in enumerate(
        [
            (ANOUK, "plg nieuw Datateam havo-3 focus te veel havo-3-leerlingen blijven zitten"),
            (CHANTAL, "plg new Lesson study onderbouw focus pupils ask few questions"),
        ]
    ):
        await plgbot.expect("chat.postMessage", plgbot.dm(text, user=user, event_id=f"Ev0PLG{n}"))
    named = await plgbot.expect(
        "chat.postMessage",
        plgbot.dm(f"told <@{DIRK}> about the data team #results", user=BRAM, event_id="Ev0PLG3"),
    )
    assert "Logged: you told Dirk Visser about Datateam havo-3." in named.args["text"]
    unclear = await plgbot.expect(
        "chat.postMessage",
        plgbot.dm(f"verteld <@{CHANTAL}> hoe het ging", user=DIRK, event_id="Ev0PLG4"),
    )
    assert "Over welke PLG ging het?" in unclear.args["text"]
    # The PLGs' buttons, beside the knowledge types' (nothing in the text tells those).
    by_name = {
        e["text"]["text"]: e
        for b in unclear.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if json.loads(e["value"])["a"] == "interaction.file_plg"
    }
    assert set(by_name) == {"Datateam havo-3", "Lesson study onderbouw"}
    assert await plgs_filed(plgbot) == ["Datateam havo-3", None]
    done = await plgbot.expect(
        "response_url",
        plgbot.interactive(
            button_press(
                by_name["Lesson study onderbouw"],
                user=DIRK,
                channel=f"D{DIRK[1:]}",
                response_url=plgbot.fake.hook_url(),
            )
        ),
    )
    assert "Bij Lesson study onderbouw gezet." in done.args["text"]
    assert await plgs_filed(plgbot) == ["Datateam havo-3", "Lesson study onderbouw"]
