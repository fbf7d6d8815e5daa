"""Colleagues named without @ on Teams, through the real botbuilder stack: a name that
fits two colleagues is asked on the card and stored only when one is tapped; a first
name that fits one is that colleague; ordinary chat gets one short line."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage import directory
from storage.models import Interaction, Person, School
from tests.teams.conftest import ANOUK, BRAM, Teams
from tests.teams.scenario import Ids, personal_chat, said, submits, submitted


async def colleagues(teams: Teams) -> None:
    """The team's roster, as a roster sync stores it: two Toms."""
    async with teams.db.session() as session:
        school = await session.scalar(select(School))
        assert school is not None
        for user, name in (("29:1tomgraaf", "Tom de Graaf"), ("29:1tomverbeek", "Tom Verbeek")):
            await directory.ensure_person(
                session,
                school_id=school.id,
                platform_user_id=user,
                display_name=name,
                now=datetime(2026, 11, 1, tzinfo=UTC),
            )


async def logged(teams: Teams) -> list[tuple[str, str, str]]:
    async with teams.db.session() as session:
        people = {p.id: p.display_name for p in await session.scalars(select(Person))}
        rows = await session.scalars(select(Interaction).order_by(Interaction.id))
        return [(people[i.source_id], people[i.target_id], i.origin) for i in rows]


async def test_a_name_that_fits_two_is_asked_on_the_card(teams: Teams) -> None:
    ids = Ids()
    assert (await teams.post(said("hallo", author=ANOUK, activity_id=ids()))).status_code == 200
    await colleagues(teams)
    teams.connector.clear()

    typed = said("told tom about our approach", author=ANOUK, activity_id=ids())
    assert (await teams.post(typed)).status_code == 200
    card = teams.connector.sent_to(personal_chat(ANOUK))[-1]
    assert "Do you mean Tom" in card.card_text and "I log nothing until it is clear" in (
        card.card_text
    )
    assert await logged(teams) == []
    choices = {
        s["title"]: s for s in submits(card.card) if s["data"]["action"] == "interaction.who"
    }
    assert set(choices) == {"Tom de Graaf", "Tom Verbeek"}
    press = submitted(
        choices["Tom de Graaf"]["data"],
        author=ANOUK,
        activity_id=ids(),
        card_id=card.response_id or "card",
    )
    assert (await teams.post(press)).status_code == 200
    answered = teams.connector.sent + teams.connector.updated
    assert any("Logged: you told Tom de Graaf." in c.card_text for c in answered)
    assert await logged(teams) == [("Anouk de Vries", "Tom de Graaf", "told")]


async def test_dutch_without_at_and_a_short_line_for_chat(teams: Teams) -> None:
    ids = Ids()
    for author in (BRAM, ANOUK):
        hello = said("hoi", author=author, activity_id=ids(), locale="nl-NL")
        assert (await teams.post(hello)).status_code == 200
    greeting = teams.connector.sent_to(personal_chat(ANOUK))[-1]
    assert greeting.card_text.startswith("Hoi Anouk!")
    assert "plg nieuw" not in greeting.card_text
    teams.connector.clear()

    typed = said(
        "Bram heeft mij uitgelegd hoe ze de data analyseren",
        author=ANOUK,
        activity_id=ids(),
        locale="nl-NL",
    )
    assert (await teams.post(typed)).status_code == 200
    assert "Vastgelegd: Bram Jansen heeft jou verteld." in teams.connector.sent[-1].card_text
    assert await logged(teams) == [("Bram Jansen", "Anouk de Vries", "heard")]
