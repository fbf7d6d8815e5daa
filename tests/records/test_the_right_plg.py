"""The PLG a contact is about (design.md), through the console, the real core and a
real database: named in the text, also partly or by an alias; else the only PLG the two
share; otherwise nothing is guessed and the confirmation offers the PLGs as buttons."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from adapters.console import ConsoleSession
from bot.digest.balance import Balance
from bot.digest.phrases import balance_section
from bot.digest.week import IsoWeek
from storage import Database, digests, directory
from storage.models import PLG, Interaction, Person
from tests.conftest import NOW
from tests.helpers import run_script

SCHOOL = """
/as Lisa de Wit
plg new Datateam havo-3 focus many havo-3 pupils repeat the year
/as Sanne Mulder
plg new Lesson study onderbouw focus pupils ask few questions
/as Hans Kok
plg new PLG formatief evalueren focus feedback that pupils use
/as Yvonne Bos
plg join PLG formatief evalueren
/as Ruud Vos
/as Gerard Bos
"""


async def filed(db: Database) -> list[tuple[str, str, str | None]]:
    """Every interaction as (source handle, target handle, PLG name or None)."""
    source, target = aliased(Person), aliased(Person)
    async with db.session() as session:
        rows = await session.execute(
            select(source.platform_user_id, target.platform_user_id, PLG.name)
            .select_from(Interaction)
            .join(source, source.id == Interaction.source_id)
            .join(target, target.id == Interaction.target_id)
            .outerjoin(PLG, PLG.id == Interaction.plg_id)
            .order_by(Interaction.id)
        )
        return [(s, t, p) for s, t, p in rows]


@pytest.mark.parametrize(
    ("author", "command", "plg"),
    [
        # Lisa is in the data team, but she talked about lesson study.
        ("lisa", "told @sanne about lesson study", "Lesson study onderbouw"),
        # Hans is in the formatief PLG, but he told Yvonne about the data team.
        ("hans", "told @gerard about the results of the data team", "Datateam havo-3"),
        ("gerard", "verteld @ruud over ons datateam", "Datateam havo-3"),
        ("gerard", "verteld @ruud over het Data-Team, hoe ze werken", "Datateam havo-3"),
        ("ruud", "heard from @gerard about formatief evalueren", "PLG formatief evalueren"),
        (
            "ruud",
            "besproken met @gerard: de LESSON-STUDY van de onderbouw",
            "Lesson study onderbouw",
        ),
        # Named by nobody: the one PLG both are in.
        ("hans", "told @yvonne #results", "PLG formatief evalueren"),
    ],
)
async def test_the_plg_named_in_the_text_or_shared_by_both(
    console: ConsoleSession, db: Database, author: str, command: str, plg: str
) -> None:
    await run_script(console, SCHOOL)
    out = await run_script(console, f"/as {author}\n{command}")
    assert plg in out
    assert "Which PLG" not in out and "Over welke PLG" not in out
    assert {p for _, _, p in await filed(db)} == {plg}


async def test_nothing_tells_so_the_confirmation_asks_with_buttons(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SCHOOL)
    # Lisa is in the data team, Ruud in none: her own PLG is not taken for granted.
    out = await run_script(console, "/as lisa\nverteld @ruud hoe het ging #resultaat")
    assert "Over welke PLG ging het? Tik hem aan" in out
    assert await filed(db) == [("lisa", "ruud", None)]
    buttons = dict(re.findall(r"\[([^:\]]+): /press (\d+\.\d+)\]", out))
    # Hers first, then the school's.
    assert list(buttons)[:1] == ["Datateam havo-3"] and len(buttons) == 3
    pressed = await run_script(console, f"/as lisa\n/press {buttons['Datateam havo-3']}")
    assert "Bij Datateam havo-3 gezet." in pressed
    assert await filed(db) == [("lisa", "ruud", "Datateam havo-3")]
    # Ruud cannot file Lisa's report.
    other = await run_script(console, f"/as ruud\n/press {buttons['Lesson study onderbouw']}")
    assert "nothing of that conversation" in other or "niets meer over" in other
    assert await filed(db) == [("lisa", "ruud", "Datateam havo-3")]


async def test_two_plgs_the_text_could_mean_are_asked_about(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SCHOOL)
    await run_script(console, "/as lisa\nplg new Datateam vwo-4 focus vwo-4 pupils drop out")
    out = await run_script(console, "/as gerard\ntold @ruud about the data team")
    assert "Which PLG was it about?" in out
    assert "[Datateam havo-3: /press" in out and "[Datateam vwo-4: /press" in out
    assert await filed(db) == [("gerard", "ruud", None)]
    # The full name is no doubt.
    out = await run_script(console, "/as gerard\ntold @ruud about Datateam vwo-4")
    assert "Which PLG" not in out
    assert (await filed(db))[-1] == ("gerard", "ruud", "Datateam vwo-4")


async def test_leads_add_an_alias_and_conversations_use_it(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SCHOOL)
    refused = await run_script(console, "/as ruud\nplg alias Lesson study onderbouw = LS-groep")
    assert "Sanne Mulder" in refused  # only its leads may
    added = await run_script(console, "/as sanne\nplg bijnaam Lesson study onderbouw = de LS-groep")
    assert (
        "Als collega's “de LS-groep” zeggen, zet ik het voortaan bij Lesson study onderbouw."
        in (added)
    )
    # Without "=", after the PLG's name; another PLG's name is not free to take.
    also = await run_script(console, "/as sanne\nplg alias Lesson study onderbouw vraagstellers")
    assert "“vraagstellers”" in also and "Lesson study onderbouw" in also
    taken = await run_script(console, "/as sanne\nplg alias Lesson study onderbouw = datateam")
    # Sanne wrote Dutch last ("bijnaam"), so plgbot answers her in Dutch.
    assert "“datateam” betekent al Datateam havo-3" in taken
    short = await run_script(console, "/as sanne\nplg alias Lesson study onderbouw = ls")
    assert "Een bijnaam heeft 4 tot 60 letters" in short
    out = await run_script(console, "/as gerard\nverteld @ruud over de ls-groep #aanpak")
    assert "Lesson study onderbouw" in out
    out = await run_script(console, "/as gerard\ntold @ruud what the vraagstellers found")
    assert (await filed(db))[-2:] == [
        ("gerard", "ruud", "Lesson study onderbouw"),
        ("gerard", "ruud", "Lesson study onderbouw"),
    ]


async def test_the_digest_counts_the_conversations_without_a_plg(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SCHOOL)
    await run_script(console, "/as lisa\nverteld @ruud hoe het ging")
    await run_script(console, "/as hans\ntold @yvonne #results")
    await run_script(console, "/as gerard\ndiscussed with @ruud how it went")
    async with db.session() as session:
        school = await directory.find_school(session, "test")
        assert school is not None
        [week] = await digests.weekly_activity(
            session, school.id, [NOW - timedelta(days=7), NOW + timedelta(days=7)]
        )
    # Three conversations (the discussed one has two edges), two without a PLG.
    assert (week.interactions, week.without_plg) == (3, 2)
    balance = Balance(IsoWeek(2026, 47), week.interactions, week.knowledge, week.without_plg)
    dutch = balance_section("nl", (balance,)).paragraphs
    assert any(p.startswith("Zonder PLG: 2 van de 3 gesprekken.") for p in dutch)
    english = balance_section("en", (balance,)).paragraphs
    assert any(p.startswith("Without a PLG: 2 of 3 conversations.") for p in english)
