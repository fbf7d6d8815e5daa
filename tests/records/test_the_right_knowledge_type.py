"""The knowledge types a conversation carried, through the console, the real core and a
real database: plain statements are read in Dutch and English; when plgbot finds
nothing or is unsure, the confirmation offers the five types as buttons that change
the record (design.md, "When plgbot is unsure")."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from adapters.console import ConsoleSession
from bot.knowledge.types import KnowledgeType
from storage import Database
from storage.models import Interaction, Person
from tests.helpers import run_script

SCHOOL = """
/as Lisa de Wit
plg new Datateam havo-3 focus many havo-3 pupils repeat the year
/as Ruud Vos
plg join Datateam havo-3
/as Gerard Bos
plg join Datateam havo-3
"""

FOCUS = KnowledgeType.FOCUS
PROCESS = KnowledgeType.PROCESS
OUTCOMES = KnowledgeType.OUTCOMES
BENEFITS = KnowledgeType.BENEFITS
ORGANISATION = KnowledgeType.ORGANISATION


async def stored(db: Database) -> list[tuple[str, str, KnowledgeType]]:
    """Every interaction as (source handle, target handle, knowledge types)."""
    source, target = aliased(Person), aliased(Person)
    async with db.session() as session:
        rows = await session.execute(
            select(source.platform_user_id, target.platform_user_id, Interaction.knowledge)
            .select_from(Interaction)
            .join(source, source.id == Interaction.source_id)
            .join(target, target.id == Interaction.target_id)
            .order_by(Interaction.id)
        )
        return [(s, t, KnowledgeType(k)) for s, t, k in rows]


def type_buttons(out: str) -> dict[str, str]:
    """The type buttons of a console reply: label → what /press takes."""
    labels = {"focus", "aanpak", "resultaten", "meerwaarde", "organisatie", "process"}
    labels |= {"results", "benefits", "organisation"}
    found = dict(re.findall(r"\[([^:\]]+): /press (\d+\.\d+)\]", out))
    return {label: ref for label, ref in found.items() if label in labels}


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("verteld @ruud over de resultaten van het datateam", OUTCOMES),
        ("verteld @ruud dat we goede resultaten hebben behaald", OUTCOMES),
        ("told @ruud our results improved", OUTCOMES),
        ("verteld @ruud: het werken in de PLG levert ons veel op", BENEFITS),
        ("told @ruud that our department collaborates way better now", BENEFITS),
        ("verteld @ruud dat we kijken waarom zoveel havo-3 leerlingen blijven zitten", FOCUS),
        ("told @ruud we're at step 3, checking the hypothesis with the data", PROCESS),
        ("verteld @ruud dat de bijeenkomst naar donderdag is verplaatst", ORGANISATION),
    ],
)
async def test_plain_statements_are_read_without_hashtags(
    console: ConsoleSession, db: Database, command: str, expected: KnowledgeType
) -> None:
    await run_script(console, SCHOOL)
    out = await run_script(console, f"/as lisa\n{command}")
    [(_, _, types)] = await stored(db)
    assert expected in types, out


async def test_nothing_found_so_the_confirmation_asks_with_the_five_types(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SCHOOL)
    out = await run_script(console, "/as lisa\nverteld @ruud hoe het ging")
    assert "Wat deelde je: de focus, de aanpak, resultaten, de meerwaarde of de organisatie?" in out
    buttons = type_buttons(out)
    assert list(buttons) == ["focus", "aanpak", "resultaten", "meerwaarde", "organisatie"]
    assert await stored(db) == [("lisa", "ruud", KnowledgeType.NONE)]

    pressed = await run_script(console, f"/as lisa\n/press {buttons['aanpak']}")
    assert "Opgeslagen als: aanpak." in pressed
    pressed = await run_script(console, f"/as lisa\n/press {buttons['resultaten']}")
    assert "Opgeslagen als: aanpak en resultaten." in pressed
    assert await stored(db) == [("lisa", "ruud", PROCESS | OUTCOMES)]
    # A second tap takes a type off again: a wrong tap is undone on the same card.
    pressed = await run_script(console, f"/as lisa\n/press {buttons['aanpak']}")
    assert "Opgeslagen als: resultaten." in pressed
    assert await stored(db) == [("lisa", "ruud", OUTCOMES)]
    pressed = await run_script(console, f"/as lisa\n/press {buttons['resultaten']}")
    assert "Er staat nu geen soort kennis meer bij dit gesprek." in pressed
    assert await stored(db) == [("lisa", "ruud", KnowledgeType.NONE)]

    # Ruud did not log it (and has not confirmed it): Lisa's record is not his to label.
    other = await run_script(console, f"/as ruud\n/press {buttons['focus']}")
    assert "niets meer over" in other or "Nothing is left" in other
    assert await stored(db) == [("lisa", "ruud", KnowledgeType.NONE)]


async def test_english_gets_the_question_and_buttons_in_english(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SCHOOL)
    # A button carries no words to tell the language by: Gerard's choice does.
    await run_script(console, "/as gerard\nlanguage en")
    out = await run_script(console, "/as gerard\ntold @ruud how it went")
    assert "What did you share: the focus, the process, results, the benefits or" in out
    buttons = type_buttons(out)
    assert list(buttons) == ["focus", "process", "results", "benefits", "organisation"]
    pressed = await run_script(console, f"/as gerard\n/press {buttons['benefits']}")
    assert "Saved as: benefits." in pressed
    assert await stored(db) == [("gerard", "ruud", BENEFITS)]


async def test_hashtags_are_certain_so_nothing_is_asked(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SCHOOL)
    out = await run_script(console, "/as lisa\nverteld @ruud hoe het ging #aanpak #meerwaarde")
    assert type_buttons(out) == {}
    assert await stored(db) == [("lisa", "ruud", PROCESS | BENEFITS)]


async def test_a_confirmed_conversation_is_labelled_once_by_either_side(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SCHOOL)
    await run_script(console, "/as lisa\nverteld @ruud hoe het ging")
    out = await run_script(console, "/as ruud\ngehoord van @lisa hoe het ging")
    assert "Lisa de Wit had dit gesprek al vastgelegd" in out
    buttons = type_buttons(out)
    pressed = await run_script(console, f"/as ruud\n/press {buttons['focus']}")
    assert "Opgeslagen als: focus." in pressed
    # One record, labelled once, whoever tapped.
    assert await stored(db) == [("lisa", "ruud", FOCUS)]


async def test_a_withdrawn_conversation_cannot_be_labelled(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SCHOOL)
    out = await run_script(console, "/as lisa\nverteld @ruud hoe het ging")
    buttons = type_buttons(out)
    async with db.session() as session:
        for row in (await session.scalars(select(Interaction))).all():
            await session.delete(row)
    pressed = await run_script(console, f"/as lisa\n/press {buttons['focus']}")
    assert "Van dat gesprek is niets meer over om aan te vullen." in pressed
    assert await stored(db) == []
