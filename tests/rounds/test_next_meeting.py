"""After a PLG's meeting (issue 18): an agenda never shows the passed date, and each
lead gets one private question with the next date, answered by a tap or by text.
Through the console with its real scheduler (``/wait``), and the button on the
Slack and Teams harnesses."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from adapters.console import ConsoleSession
from bot.meetings import offered_dates
from storage import Database
from storage.models import PLG
from tests.helpers import run_script
from tests.rounds.harness import WEEKLY, school

# The console starts on Friday 20 November 2026, 11:00.
SOON = "/as anouk\nplg meeting Datateam havo-3 2026-11-24"


async def next_meeting(db: Database) -> date | None:
    async with db.session() as session:
        return await session.scalar(select(PLG.next_meeting))


def date_buttons(out: str) -> dict[str, str]:
    return dict(re.findall(r"\[(\w+ \d{1,2} \w+ \d{4}): /press (\d+\.\d+)\]", out))


def test_the_dates_offered_are_the_same_weekday_and_still_to_come() -> None:
    # A Tuesday meeting, asked about on the Wednesday after: the next four Tuesdays.
    assert offered_dates(date(2026, 11, 24), date(2026, 11, 25)) == [
        date(2026, 12, 1),
        date(2026, 12, 8),
        date(2026, 12, 15),
        date(2026, 12, 22),
    ]
    # Asked late (a holiday in between): still only dates after today.
    assert offered_dates(date(2026, 11, 24), date(2026, 12, 9))[0] == date(2026, 12, 15)


async def test_the_leads_are_asked_once_and_a_tap_sets_the_date(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    await run_script(console, SOON)
    out = await run_script(console, "/wait 4d")  # Tuesday 24th, the meeting's day
    assert "has taken place" not in out
    out = await run_script(console, "/wait 1d")  # Wednesday 25th, after 08:00
    assert (
        out.count("The Datateam havo-3 meeting on Tuesday 24 November 2026 has taken place.") == 1
    )
    assert "dm @anouk" in out
    buttons = date_buttons(out)
    assert list(buttons) == [
        "Tuesday 1 December 2026",
        "Tuesday 8 December 2026",
        "Tuesday 15 December 2026",
        "Tuesday 22 December 2026",
    ]
    # Only a lead may set it: Bram is a member of nothing here.
    refused = await run_script(console, f"/as bram\n/press {buttons['Tuesday 8 December 2026']}")
    assert "Anouk de Vries" in refused
    assert await next_meeting(db) == date(2026, 11, 24)
    pressed = await run_script(console, f"/as anouk\n/press {buttons['Tuesday 8 December 2026']}")
    assert "Next meeting of Datateam havo-3: Tuesday 8 December 2026." in pressed
    assert await next_meeting(db) == date(2026, 12, 8)
    # One question per meeting, not one a day.
    again = await run_script(console, "/wait 2d")
    assert "has taken place" not in again


async def test_text_answers_too_and_an_unanswered_question_is_not_repeated(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    await run_script(console, SOON)
    await run_script(console, "/wait 5d")
    out = await run_script(console, "/wait 1d")
    assert "has taken place" not in out
    typed = await run_script(console, "/as anouk\nplg meeting Datateam havo-3 2026-12-10")
    assert "Next meeting of Datateam havo-3: Thursday 10 December 2026." in typed
    assert await next_meeting(db) == date(2026, 12, 10)


async def test_an_agenda_after_the_meeting_shows_no_passed_date(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    await run_script(console, f"/as anouk\n{WEEKLY}")
    out = await run_script(console, "/wait 3d")  # posted on Monday 23rd
    assert "Next meeting" not in out
    # The agenda before the meeting has its date; after it, none.
    before = await run_script(console, "/as anouk\nround agenda 1")
    assert "2026-12-03" in before
    await run_script(console, "/wait 14d")
    after = await run_script(console, "/as anouk\nround agenda 1")
    assert "MEETING AGENDA" in after or "AGENDA" in after
    assert "2026-12-03" not in after
