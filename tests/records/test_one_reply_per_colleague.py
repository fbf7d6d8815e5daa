"""One reply per colleague per posting, in the console with the real core, scheduler
jobs and database: a second answer asks whether it replaces the first or adds to it,
and the agenda counts colleagues and lists each colleague's reply once."""

from __future__ import annotations

import re

from sqlalchemy import select

from adapters.console import ConsoleSession
from storage import Database
from storage.models import RoundReply
from tests.helpers import edges, run_script
from tests.rounds.harness import WEEKLY, school


def buttons(out: str) -> tuple[str, str]:
    """The targets of the replace and add buttons of the last such question."""
    found: list[tuple[str, str]] = re.findall(r"/press (\d+\.1)\].*?/press (\d+\.2)\]", out)
    assert found, out
    return found[-1]


async def texts(db: Database) -> list[str]:
    async with db.session() as session:
        return list(await session.scalars(select(RoundReply.text).order_by(RoundReply.id)))


async def test_a_second_answer_is_one_reply_until_and_after_it_is_settled(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    await run_script(console, f"/as anouk\n{WEEKLY}\n/wait 3d")
    await run_script(console, "/as daan\nantwoord 1 Huiswerk wordt niet gemaakt")
    out = await run_script(
        console, "/as daan\nantwoord 1 Huiswerk wordt niet gemaakt, plannen is lastig"
    )
    assert "Je had ronde 1 al beantwoord. Vervangt dit je eerste antwoord" in out
    assert "Huiswerk wordt niet gemaakt" in out
    replace, add = buttons(out)
    assert "Vervang mijn eerste antwoord" in out and "Voeg toe aan mijn antwoord" in out
    # Until Daan chooses, his two answers are one colleague's and one conversation.
    assert [(s, t, o) for s, t, o, _ in await edges(db)] == [("daan", "anouk", "round_reply")]

    out = await run_script(console, f"/as daan\n/press {replace}")
    assert "Klaar: dit is nu je antwoord op ronde 1." in out
    assert await texts(db) == ["Huiswerk wordt niet gemaakt, plannen is lastig"]
    again = await run_script(console, f"/as daan\n/press {add}")
    assert "Dat was al geregeld" in again
    assert await texts(db) == ["Huiswerk wordt niet gemaakt, plannen is lastig"]
    assert len(await edges(db)) == 1


async def test_adding_keeps_both_texts_and_the_agenda_counts_the_colleague_once(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    await run_script(console, f"/as anouk\n{WEEKLY}\n/wait 3d")
    await run_script(
        console,
        """
        /as bram
        answer 1 Homework is often missed.
        answer 1 Homework again: nobody checks the homework.
        /as chantal
        answer 1 Motivation drops after the autumn holiday.
        """,
    )
    # Chantal settles hers (add); Bram leaves his two answers as they are.
    chantal = await run_script(console, "/as chantal\nanswer 1 One more: motivation, really.")
    _replace, add = buttons(chantal)
    out = await run_script(console, f"/as chantal\n/press {add}")
    assert "Done: both are now your one answer to round 1." in out
    assert (await texts(db))[2] == (
        "Motivation drops after the autumn holiday.\nOne more: motivation, really."
    )

    out = await run_script(console, "/wait 5d")
    agenda = out[out.index("dm @anouk plgbot:") :]
    assert "Replies       2 (colleagues: 2)" in agenda
    # A theme needs two colleagues: Bram's "homework" three times and Chantal's
    # "motivation" twice are no theme, and no follow-up question is made of them.
    assert "homework:" not in agenda and "motivation:" not in agenda
    assert "what do our data say" not in agenda
    assert "1. Homework is often missed." in agenda
    # Every answer is there, once, with its colleague.
    for line in (
        "Homework again: nobody checks the homework.",
        "One more: motivation, really.",
    ):
        assert agenda.count(line) == 1, line
