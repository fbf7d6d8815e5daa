"""One conversation, one record (design.md), through the console, the real core and a
real database: when both colleagues log the same contact it is counted once, and the
second one is told so in their language."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.console import ConsoleSession
from bot.clock import FixedClock
from bot.knowledge.types import KnowledgeType
from storage import Database, digests, directory, interactions
from storage.models import Interaction
from tests.conftest import NOW
from tests.helpers import edges, run_script

STAFF = """
/as Dirk Visser
/as Gerard Bos
/as Lisa de Wit
"""


async def school_id(session: AsyncSession) -> int:
    """The console's school (tenant ``test``)."""
    school = await directory.find_school(session, "test")
    assert school is not None
    return school.id


F, P, R, B = (
    KnowledgeType.FOCUS.value,
    KnowledgeType.PROCESS.value,
    KnowledgeType.OUTCOMES.value,
    KnowledgeType.BENEFITS.value,
)


async def test_told_and_heard_of_one_conversation_is_one_record_in_dutch(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, STAFF)
    first = await run_script(
        console, "/as dirk\nverteld @gerard hoe we de toetsen analyseren #proces"
    )
    assert "Vastgelegd: je hebt Gerard Bos verteld." in first
    second = await run_script(
        console, "/as gerard\ngehoord van @dirk over de resultaten #resultaat"
    )
    assert "Vastgelegd: Dirk Visser heeft jou verteld." in second
    assert "Dirk Visser had dit gesprek al vastgelegd, dus het telt één keer." in second
    assert "Ik heb er resultaten aan toegevoegd." in second
    assert await edges(db) == [("dirk", "gerard", "told", P | R)]


async def test_both_told_is_one_conversation_both_ways_in_english(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, STAFF)
    await run_script(console, "/as dirk\ntold @gerard about our focus #focus")
    second = await run_script(console, "/as gerard\ntold @dirk how we work #process")
    assert (
        "Dirk Visser had logged it too, the other way round: it counts once, "
        "as a conversation you had together." in second
    )
    assert "I added process to it." in second
    assert sorted(await edges(db)) == [
        ("dirk", "gerard", "discussed", F | P),
        ("gerard", "dirk", "discussed", F | P),
    ]


async def test_a_discussed_on_either_side_makes_one_discussed_conversation(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, STAFF)
    await run_script(console, "/as dirk\nbesproken met @gerard #focus")
    second = await run_script(console, "/as gerard\nheard from @dirk #focus")
    assert "Dirk Visser had logged it too, the other way round" in second
    # Nothing new to add: the types line of the second message is not an "I added".
    assert "I added" not in second
    assert sorted(await edges(db)) == [
        ("dirk", "gerard", "discussed", F),
        ("gerard", "dirk", "discussed", F),
    ]
    await run_script(console, "/as lisa\ntold @gerard #results")
    third = await run_script(console, "/as gerard\ndiscussed with @lisa #results")
    assert "Lisa de Wit had logged it too" in third
    assert sorted(e for e in await edges(db) if "lisa" in e[:2]) == [
        ("gerard", "lisa", "discussed", R),
        ("lisa", "gerard", "discussed", R),
    ]


async def test_a_report_confirms_at_most_one_of_the_other_persons(
    console: ConsoleSession, db: Database, clock: FixedClock
) -> None:
    await run_script(console, STAFF)
    await run_script(console, "/as dirk\ntold @gerard #focus")
    clock.advance(timedelta(days=1))
    await run_script(console, "/as dirk\ntold @gerard #results")
    clock.advance(timedelta(hours=2))
    # Gerard's first report confirms Dirk's latest; his second, the one left; his
    # third finds none left to confirm, so it is a conversation of its own.
    for n in range(3):
        out = await run_script(console, f"/as gerard\nheard from @dirk part {n}")
        assert ("had already logged this conversation" in out) == (n < 2), (n, out)
    assert await edges(db) == [
        ("dirk", "gerard", "told", F),
        ("dirk", "gerard", "told", R),
        ("dirk", "gerard", "heard", 0),
    ]
    async with db.session() as session:
        [tie] = await interactions.ties_in_window(
            session,
            school_id=await school_id(session),
            since=NOW - timedelta(days=30),
            until=NOW + timedelta(days=30),
        )
    assert tie.count == 3


async def test_more_than_a_week_apart_or_about_other_plgs_is_two_conversations(
    console: ConsoleSession, db: Database, clock: FixedClock
) -> None:
    await run_script(console, STAFF)
    await run_script(
        console,
        """
        /as dirk
        plg nieuw Datateam havo-3 focus veel havo-3-leerlingen blijven zitten
        plg nieuw Lesson study focus leerlingen stellen weinig vragen
        verteld @gerard over Datateam havo-3 #focus
        """,
    )
    other_plg = await run_script(console, "/as gerard\ngehoord van @dirk over Lesson study")
    assert "al vastgelegd" not in other_plg
    clock.advance(timedelta(days=8))
    later = await run_script(console, "/as gerard\ngehoord van @dirk over Datateam havo-3")
    assert "al vastgelegd" not in later
    assert len(await edges(db)) == 3


async def test_the_second_report_may_add_the_plg(console: ConsoleSession, db: Database) -> None:
    await run_script(console, STAFF)
    await run_script(
        console,
        """
        /as lisa
        plg nieuw Datateam havo-3 focus veel havo-3-leerlingen blijven zitten
        /as dirk
        told @gerard #benefits
        """,
    )
    out = await run_script(console, "/as gerard\nheard from @dirk about Datateam havo-3")
    assert "I filed it under Datateam havo-3." in out
    async with db.session() as session:
        [row] = (await session.scalars(select(Interaction))).all()
    assert row.plg_id is not None and row.confirmed


async def test_the_digest_counts_a_conversation_logged_by_both_once(
    console: ConsoleSession, db: Database, clock: FixedClock
) -> None:
    await run_script(console, STAFF)
    await run_script(console, "/as dirk\ntold @gerard #focus")
    clock.advance(timedelta(days=2))
    await run_script(console, "/as gerard\ntold @dirk #process")
    await run_script(console, "/as lisa\ndiscussed with @gerard #results")
    bounds = [NOW - timedelta(days=7), NOW + timedelta(days=7)]
    async with db.session() as session:
        [week] = await digests.weekly_activity(session, await school_id(session), bounds)
    # Four edges: two conversations, each with its knowledge types once.
    assert len(await edges(db)) == 4
    assert week.interactions == 2
    assert week.knowledge == (1, 1, 1, 0, 0)
