"""One round per question, in the console with the real core and database: the same
question for the same PLG, in a channel and period it is already asked in, is refused
with the round's number and how to change it; nothing is stored."""

from __future__ import annotations

from sqlalchemy import func, select

from adapters.console import ConsoleSession
from storage import Database
from storage.models import QuestionRound
from tests.helpers import run_script
from tests.rounds.harness import WEEKLY, school


async def count(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(QuestionRound)) or 0)


async def test_the_same_question_twice_is_refused_with_the_rounds_number(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    assert "Round 1 for Datateam havo-3 is scheduled" in await run_script(
        console, f"/as anouk\n{WEEKLY}"
    )
    # The same question, written a little differently, once, in the same channel.
    again = await run_script(
        console,
        "/as anouk\nround new Datateam havo-3 | relatively many HAVO-3 pupils repeat the year, "
        "what could be causes | #staffroom | once monday 08:00",
    )
    assert "Round 1 of Datateam havo-3 already asks this question" in again
    assert "round edit 1 |" in again
    assert await count(db) == 1
    dutch = await run_script(
        console,
        "/as anouk\ntaal nl\nronde nieuw Datateam havo-3 | Relatively many havo-3 pupils repeat"
        " the year. What could be causes? | #staffroom | wekelijks dinsdag 09:00",
    )
    assert "Ronde 1 van Datateam havo-3 stelt deze vraag al" in dutch
    assert await count(db) == 1


async def test_another_channel_or_question_or_a_stopped_round_is_a_new_round(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    await run_script(console, f"/as anouk\n{WEEKLY}")
    elsewhere = await run_script(console, "/as anouk\n" + WEEKLY.replace("#staffroom", "#datateam"))
    assert "Round 2 for Datateam havo-3 is scheduled" in elsewhere
    other = await run_script(
        console, "/as anouk\n" + WEEKLY.replace("What could be causes?", "What do pupils say?")
    )
    assert "Round 3 for Datateam havo-3 is scheduled" in other
    await run_script(console, "/as anouk\nround cancel 1")
    after = await run_script(console, f"/as anouk\n{WEEKLY}")
    assert "Round 4 for Datateam havo-3 is scheduled" in after
    assert await count(db) == 4
