"""PLG commands and what happens in PLG channels, end to end through the console."""

from __future__ import annotations

from sqlalchemy import select

from adapters.console import ConsoleSession
from bot.knowledge.types import KnowledgeType
from storage import Database
from storage.models import PLG, Channel, Membership
from tests.helpers import edges, run_script

SETUP = """
/as Anouk de Vries
/as Bram Jansen
/as Chantal Bakker
/as Dirk Visser
/as anouk
language en
plg new Datateam havo-3 focus Many havo-3 pupils repeat the year
plg link Datateam havo-3 #datateam
/as bram
plg join Datateam havo-3
/as chantal
language en
"""


async def test_a_new_plg_makes_its_creator_lead_and_detects_its_kind(
    console: ConsoleSession, db: Database
) -> None:
    out = await run_script(console, SETUP)
    assert "“Datateam havo-3” is started" in out
    assert "#datateam is now the channel of Datateam havo-3" in out
    assert "Welcome to Datateam havo-3" in out
    async with db.session() as session:
        plg = (await session.scalars(select(PLG))).one()
        assert plg.kind == "data_team"
        assert plg.focus == "Many havo-3 pupils repeat the year"
        members = {(m.person_id, m.is_lead) for m in await session.scalars(select(Membership))}
        assert len(members) == 2
        assert sum(lead for _, lead in members) == 1
        channel = (await session.scalars(select(Channel))).one()
        assert channel.plg_id == plg.id


async def test_plg_commands_in_dutch(console: ConsoleSession) -> None:
    out = await run_script(
        console,
        """
        /as anouk
        /as bram
        plg nieuw Lesson study lezen focus begrijpend lezen in de brugklas
        plg koppel Lesson study lezen #lesstudy
        plg trekker Lesson study lezen @anouk
        plg overleg Lesson study lezen 2026-12-03
        plg lijst
        """,
    )
    assert "PLG “Lesson study lezen” is gestart" in out
    assert "#lesstudy is nu het kanaal van Lesson study lezen" in out
    assert "Anouk is nu trekker van Lesson study lezen" in out
    assert "Volgende bijeenkomst van Lesson study lezen: donderdag 3 december 2026" in out
    assert "Lesson study lezen (lesson-studyteam, 2 leden, jij bent trekker)" in out


async def test_only_leads_may_link_appoint_or_set_the_meeting(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    out = await run_script(
        console,
        """
        /as chantal
        plg link Datateam havo-3 #other
        plg lead Datateam havo-3 @chantal
        plg meeting Datateam havo-3 2026-12-03
        """,
    )
    refusal = "Only a lead of Datateam havo-3 can do that. Its leads: Anouk de Vries."
    assert out.count(refusal) == 3
    async with db.session() as session:
        assert len((await session.scalars(select(Channel))).all()) == 1
        assert not any(
            m.is_lead for m in await session.scalars(select(Membership)) if m.person_id != 1
        )


async def test_plg_errors_are_clear_and_store_nothing(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    out = await run_script(
        console,
        """
        /as anouk
        plg new
        plg new Alleen een naam
        plg new Datateam havo-3 focus again
        plg join Bestaat niet
        plg meeting Datateam havo-3 ooit
        plg meeting Datateam havo-3 2020-01-01
        plg new %s focus x
        """
        % ("N" * 150),
    )
    assert "Give the PLG a name" in out
    assert "Every PLG starts from a problem. Add its focus" in out
    assert "There is already a PLG called “Datateam havo-3”." in out
    assert "I don't know a PLG called “Bestaat niet”. PLGs here: Datateam havo-3." in out
    assert "I couldn't read “ooit” as a date" in out
    assert "Wednesday 1 January 2020 has already passed" in out
    assert "A PLG name can have at most 100 characters." in out
    async with db.session() as session:
        assert len((await session.scalars(select(PLG))).all()) == 1


async def test_mentions_in_a_plg_channel_are_interactions_and_questions_are_asked(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    await run_script(
        console,
        """
        /as anouk
        /in #datateam
        @bram we analysed the grades, see the #results
        @chantal @dirk what could explain the repeaters?
        """,
    )
    assert await edges(db) == [
        ("anouk", "bram", "mention", KnowledgeType.OUTCOMES.value),
        ("anouk", "chantal", "asked", 0),
        ("anouk", "dirk", "asked", 0),
    ]


async def test_a_thread_reply_in_a_plg_channel_reaches_the_parent_author(
    console: ConsoleSession, db: Database
) -> None:
    out = await run_script(console, SETUP + "\n/as anouk\n/in #datateam\nWho has data on absence?")
    number = out.splitlines()[-1].split("]")[0].lstrip("[")
    await run_script(console, f"/as chantal\n/reply {number} I have the #results of period 1")
    await run_script(console, f"/as anouk\n/reply {number} thanks!")
    assert await edges(db) == [("chantal", "anouk", "thread_reply", KnowledgeType.OUTCOMES.value)]


async def test_channels_not_linked_to_a_plg_log_nothing(
    console: ConsoleSession, db: Database
) -> None:
    out = await run_script(console, SETUP + "\n/as anouk\n/in #random\n@bram lunch?")
    assert "plgbot" not in out.splitlines()[-1]
    number = out.splitlines()[-1].split("]")[0].lstrip("[")
    await run_script(console, f"/as bram\n/reply {number} yes")
    assert await edges(db) == []


async def test_the_bot_answers_commands_in_a_channel_only_when_mentioned(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    out = await run_script(console, "/as anouk\n/in #datateam\n@plgbot told @bram #focus")
    assert "plgbot (only you): Logged: you told Bram Jansen about Datateam havo-3." in out
    assert await edges(db) == [("anouk", "bram", "told", KnowledgeType.FOCUS.value)]
