"""A lead's mistakes get a clear answer in their language and schedule nothing; staff
who do not lead the PLG cannot create or change its rounds."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from adapters.console import ConsoleSession
from storage import Database
from storage.models import QuestionRound
from tests.helpers import run_script
from tests.rounds.harness import WEEKLY, school

NEW = "round new Datateam havo-3"


async def rounds_stored(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(QuestionRound)) or 0)


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        (
            f"{NEW} | What could be causes? | #staffroom | once 2026-11-01 08:00",
            "Sunday 2026-11-01 at 08:00 has already passed.",
        ),
        (
            f"{NEW} | What could be causes? | #staffroom | closes 2026-11-19 17:00",
            "The closing time Thursday 2026-11-19 at 17:00 has already passed.",
        ),
        (
            f"{NEW} | What could be causes? | #staffroom | once 2026-12-01 08:00"
            " | closes 2026-11-30",
            "The closing time Monday 2026-11-30 at 17:00 comes before the first posting",
        ),
        (
            f"{NEW} | What could be causes? | #staffroom | weekly monday 08:00 | closes 2026-12-20",
            "A repeating round must close before its next posting",
        ),
        (
            f"{NEW} | What could be causes? | #nowhere",
            "I don't know #nowhere in this school. Channels I know: #datateam, #staffroom.",
        ),
        (f"{NEW} | #staffroom | weekly monday 08:00", "The round needs a question"),
        (f"{NEW} |   | #staffroom", "The round needs a question"),
        (
            f"{NEW} | What could be causes? | #staffroom | 0 8 * * 1",
            "I couldn't read “0 8 * * 1” as a schedule.",
        ),
        (
            f"{NEW} | What could be causes? | #staffroom | every blue moon",
            "I couldn't read “every blue moon” as a schedule.",
        ),
        (
            f"{NEW} | What could be causes? | #staffroom | weekly funday 08:00",
            "I couldn't read “weekly funday 08:00” as a schedule.",
        ),
        (
            f"{NEW} | What could be causes? | #staffroom | closes whenever",
            "I couldn't read “closes whenever” as a closing time.",
        ),
        (
            f"{NEW} | What could be causes? | Why? | #staffroom",
            "I don't know what to do with “Why?”.",
        ),
        (
            f"{NEW} | {'Why? ' * 120}| #staffroom",
            "That question has 599 characters; keep it under 500",
        ),
        (
            f"{NEW} | {'x' * 5000} | #staffroom",
            "That question has 5000 characters; keep it under 500",
        ),
        (f"{NEW} What could be causes?", "Schedule a question round like this: round new PLG |"),
        (
            "round new Lesson study | What? | #staffroom",
            "I don't know a PLG called “Lesson study”.",
        ),
        (f"{NEW} | What could be causes?", "Name the channel(s) where the whole staff will see"),
    ],
)
async def test_bad_input_is_explained_and_nothing_is_scheduled(
    console: ConsoleSession, db: Database, command: str, answer: str
) -> None:
    await school(console, db)
    out = await run_script(console, f"/as anouk\n{command}")
    assert answer in out
    assert await rounds_stored(db) == 0


async def test_bad_input_in_dutch(console: ConsoleSession, db: Database) -> None:
    await school(console, db)
    out = await run_script(
        console,
        """
        /as eva
        ronde nieuw Datateam havo-3 | Waarom? | #staffroom
        /as anouk
        taal nl
        ronde nieuw Datateam havo-3 | Waarom? | #staffroom | elke blauwe maan
        ronde nieuw Datateam havo-3 | Waarom? | #nergens
        """,
    )
    assert "Alleen een trekker van Datateam havo-3 kan dat. Trekkers: Anouk de Vries." in out
    assert "Ik kon “elke blauwe maan” niet lezen als planning." in out
    assert "Ik ken #nergens niet op deze school." in out
    assert await rounds_stored(db) == 0


async def test_only_leads_change_a_round(console: ConsoleSession, db: Database) -> None:
    await school(console, db)
    await run_script(console, f"/as anouk\n{WEEKLY}")
    refusal = "Only a lead of Datateam havo-3 can do that. Its leads: Anouk de Vries."
    for command in (
        "round pause 1",
        "round resume 1",
        "round cancel 1",
        "round edit 1 | Why else?",
        "round agenda 1",
        WEEKLY,
    ):
        out = await run_script(console, f"/as bram\n{command}")
        assert refusal in out, command
    async with db.session() as session:
        question_round = (await session.scalars(select(QuestionRound))).one()
        assert question_round.status == "scheduled"
        assert question_round.question.startswith("Relatively many")


async def test_a_lead_pauses_resumes_edits_and_cancels(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    out = await run_script(
        console,
        f"""
        /as anouk
        {WEEKLY}
        round pause 1
        /wait 3d
        round resume 1
        round edit 1 | What else plays a role? | closes thursday 12:00
        round edit 1 | anonymous
        round list
        round cancel 1
        round cancel 1
        round pause 7
        """,
    )
    assert "Round 1 is paused" in out
    assert "WHITEBOARDVRAAG" not in out, "a paused round posts nothing"
    assert "Round 1 goes on; next posting: Monday 2026-11-30 at 08:00." in out
    assert "Round 1 is changed (every Monday at 08:00)." in out
    assert (
        "“What else plays a role?” — scheduled, every Monday at 08:00;"
        " next posting: Monday 2026-11-30 at 08:00" in out
    )
    assert "Round 1 is cancelled." in out
    assert "Round 1 was cancelled." in out
    assert "There is no round 7 here." in out
    async with db.session() as session:
        question_round = (await session.scalars(select(QuestionRound))).one()
        assert question_round.anonymous is True  # not posted yet, so it could change
    out = await run_script(console, "/wait 7d")
    assert "WHITEBOARDVRAAG" not in out, "a cancelled round posts nothing"
