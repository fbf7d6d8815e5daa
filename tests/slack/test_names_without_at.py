"""Colleagues named without @ on Slack, through real signed events and slack-bolt: a
first name that fits one colleague is that colleague; one that fits two is asked with
buttons and nothing is stored until one is tapped; a name that fits nobody gets the
closest names; ordinary Dutch gets one short line, not the whole help."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from storage import directory
from storage.models import Interaction, Person, School
from tests.slack.harness import ANOUK, BRAM, Plgbot, button_press

TOM_DE_GRAAF, TOM_VERBEEK = "U0TOMGRAAF", "U0TOMVERBK"


async def two_toms(plgbot: Plgbot) -> None:
    """The workspace's roster has two Toms (as a members sync would store them)."""
    async with plgbot.db.session() as session:
        school = await session.scalar(select(School))
        assert school is not None
        for user, name in ((TOM_DE_GRAAF, "Tom de Graaf"), (TOM_VERBEEK, "Tom Verbeek")):
            await directory.ensure_person(
                session,
                school_id=school.id,
                platform_user_id=user,
                display_name=name,
                now=datetime(2025, 11, 1, tzinfo=UTC),
            )


async def logged(plgbot: Plgbot) -> list[tuple[str, str, str]]:
    async with plgbot.db.session() as session:
        people = {p.id: p.display_name for p in await session.scalars(select(Person))}
        rows = await session.scalars(select(Interaction).order_by(Interaction.id))
        return [(people[i.source_id], people[i.target_id], i.origin) for i in rows]


def buttons(message: dict[str, Any], action: str) -> dict[str, dict[str, Any]]:
    return {
        e["text"]["text"]: e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if json.loads(e["value"])["a"] == action
    }


async def test_a_first_name_without_at_is_the_one_colleague_it_fits(plgbot: Plgbot) -> None:
    await plgbot.expect("chat.postMessage", plgbot.dm("hoi", user=BRAM, event_id="Ev0HI"))
    told = await plgbot.expect(
        "chat.postMessage",
        plgbot.dm(
            "Ik heb vandaag met bram over de resultaten van het datateam gesproken",
            user=ANOUK,
            event_id="Ev0NOAT1",
        ),
    )
    assert "Vastgelegd: je hebt het besproken met Bram Jansen." in told.args["text"]
    assert await logged(plgbot) == [
        ("Anouk de Vries", "Bram Jansen", "discussed"),
        ("Bram Jansen", "Anouk de Vries", "discussed"),
    ]


async def test_a_name_that_fits_two_is_asked_and_stored_only_when_tapped(
    plgbot: Plgbot,
) -> None:
    await plgbot.expect("chat.postMessage", plgbot.dm("hoi", user=ANOUK, event_id="Ev0HI"))
    await two_toms(plgbot)
    asked = await plgbot.expect(
        "chat.postMessage",
        plgbot.dm("verteld aan tom hoe we de toets analyseren", user=ANOUK, event_id="Ev0TOM1"),
    )
    assert "Bedoel je Tom Verbeek of Tom de Graaf?" in asked.args["text"] or (
        "Bedoel je Tom de Graaf of Tom Verbeek?" in asked.args["text"]
    )
    assert await logged(plgbot) == [], "nothing stored until it is clear"
    choices = buttons(asked.args, "interaction.who")
    assert set(choices) == {"Tom de Graaf", "Tom Verbeek"}
    press = button_press(
        choices["Tom Verbeek"],
        user=ANOUK,
        channel=f"D{ANOUK[1:]}",
        response_url=plgbot.fake.hook_url(),
    )
    done = await plgbot.expect("response_url", plgbot.interactive(press))
    assert "Vastgelegd: je hebt Tom Verbeek verteld." in done.args["text"]
    assert "aanpak" in done.args["text"], "the message's knowledge type, kept in the button"
    # Slack delivers the same press again: still one conversation.
    await plgbot.interactive(press)
    assert await logged(plgbot) == [("Anouk de Vries", "Tom Verbeek", "told")]


async def test_english_typos_and_a_name_that_fits_nobody(plgbot: Plgbot) -> None:
    await plgbot.expect("chat.postMessage", plgbot.dm("hi", user=BRAM, event_id="Ev0HI"))
    asked = await plgbot.expect(
        "chat.postMessage",
        plgbot.dm("talkd with Bran about lesson study", user=ANOUK, event_id="Ev0TYPO"),
    )
    assert (
        "Do you mean Bram Jansen?" in asked.args["text"]
        or "Bedoel je Bram Jansen?" in (asked.args["text"])
    )
    assert await logged(plgbot) == []
    [bram] = buttons(asked.args, "interaction.who").values()
    press = button_press(
        bram, user=ANOUK, channel=f"D{ANOUK[1:]}", response_url=plgbot.fake.hook_url()
    )
    done = await plgbot.expect("response_url", plgbot.interactive(press))
    assert "Bram Jansen" in done.args["text"]
    assert await logged(plgbot) == [
        ("Anouk de Vries", "Bram Jansen", "discussed"),
        ("Bram Jansen", "Anouk de Vries", "discussed"),
    ]


async def test_everyday_dutch_gets_one_short_line_not_the_whole_help(plgbot: Plgbot) -> None:
    hello = await plgbot.expect(
        "chat.postMessage", plgbot.dm("hallo", user=ANOUK, event_id="Ev0HALLO")
    )
    assert hello.args["text"].startswith("Hoi Anouk!")
    assert "plg nieuw" not in hello.args["text"]
    network = await plgbot.expect(
        "chat.postMessage",
        plgbot.dm("kun je mijn netwerk laten zien", user=ANOUK, event_id="Ev0NET"),
    )
    assert "plg nieuw" not in network.args["text"]
    lost = await plgbot.expect(
        "chat.postMessage", plgbot.dm("vakantie?", user=ANOUK, event_id="Ev0HOLI")
    )
    assert lost.args["text"].startswith("Dat begreep ik niet. Bedoel je: vakantie lijst?")
