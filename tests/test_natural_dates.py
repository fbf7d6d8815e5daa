"""Dates and times as people type them (bot/when.py), and the commands that take them:
``plg overleg``, ``vakantie toevoegen`` and a round's schedule, in Dutch and English, in
the console with the real core and database. The console's clock stands on Friday
2026-11-20 11:00 in Amsterdam."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from adapters.console import ConsoleSession
from bot.rounds.recurrence import natural_recurrence
from bot.when import Moment, day_text, named_span, read_moment, read_range, read_time
from storage import Database
from storage.models import PLG, Holiday, QuestionRound
from tests.helpers import run_script
from tests.rounds.harness import school

MONDAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("17 december", Moment(date(2026, 12, 17))),
        ("17 dec", Moment(date(2026, 12, 17))),
        ("14-01-2027", Moment(date(2027, 1, 14))),
        ("14/1", Moment(date(2027, 1, 14))),
        ("2026-12-17", Moment(date(2026, 12, 17))),
        ("donderdag", Moment(date(2026, 12, 10))),
        ("volgende donderdag", Moment(date(2026, 12, 10))),
        ("volgende week donderdag", Moment(date(2026, 12, 17))),
        ("donderdag volgende week", Moment(date(2026, 12, 17))),
        ("next week thursday", Moment(date(2026, 12, 17))),
        ("next wednesday", Moment(date(2026, 12, 9))),
        ("over twee weken", Moment(date(2026, 12, 21))),
        ("over 3 dagen", Moment(date(2026, 12, 10))),
        ("in two weeks", Moment(date(2026, 12, 21))),
        ("morgen", Moment(date(2026, 12, 8))),
        ("morgen 8 uur", Moment(date(2026, 12, 8), time(8, 0))),
        ("morgen om 8:00", Moment(date(2026, 12, 8), time(8, 0))),
        ("morgen om half 9", Moment(date(2026, 12, 8), time(8, 30))),
        ("morgen 8 uur 's avonds", Moment(date(2026, 12, 8), time(20, 0))),
        ("tomorrow 8am", Moment(date(2026, 12, 8), time(8, 0))),
        ("di 8:00", Moment(date(2026, 12, 8), time(8, 0))),
        ("vrijdag 17:00", Moment(date(2026, 12, 11), time(17, 0))),
        ("17 december 15:30", Moment(date(2026, 12, 17), time(15, 30))),
        # A day without a year that passed weeks ago is that day (the caller says it
        # has passed), not next year's.
        ("1 december", Moment(date(2026, 12, 1))),
        ("17", None),
        ("3 17 december", None),
        # Yesterday is a day too; the command that needs one to come says it passed.
        ("gisteren", Moment(date(2026, 12, 6))),
        ("ooit", None),
    ],
)
def test_a_day_as_people_type_it(typed: str, expected: Moment | None) -> None:
    assert read_moment(typed, MONDAY) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("half 9", time(8, 30)),
        ("kwart over 8", time(8, 15)),
        ("kwart voor 9", time(8, 45)),
        ("8 uur", time(8, 0)),
        ("20 uur", time(20, 0)),
        ("8u", time(8, 0)),
        ("7.30", time(7, 30)),
        ("8 pm", time(20, 0)),
        ("8", None),
        ("25:00", None),
    ],
)
def test_a_time_as_people_type_it(typed: str, expected: time | None) -> None:
    assert read_time(typed) == expected


def test_ranges_and_a_named_holiday() -> None:
    christmas = (date(2026, 12, 19), date(2027, 1, 3))
    assert read_range("19-12-2026 t/m 3-1-2027", MONDAY) == christmas
    assert read_range("van 19 december tot en met 3 januari", MONDAY) == christmas
    assert read_range("19 dec - 3 jan", MONDAY) == christmas
    assert named_span("Kerstvakantie 19-12-2026 t/m 3-1-2027", MONDAY) == (
        "Kerstvakantie",
        *christmas,
    )
    assert named_span("Christmas holiday from 19 December to 3 January", MONDAY) == (
        "Christmas holiday",
        *christmas,
    )
    assert named_span("Studiedag 14-01-2027", MONDAY) == (
        "Studiedag",
        date(2027, 1, 14),
        date(2027, 1, 14),
    )


@pytest.mark.parametrize(
    ("typed", "every", "weekday", "at", "on"),
    [
        ("morgen 8 uur", 0, 1, time(8, 0), date(2026, 12, 8)),
        ("volgende week dinsdag", 0, 1, time(8, 0), date(2026, 12, 15)),
        ("once next wednesday", 0, 2, time(8, 0), date(2026, 12, 9)),
        ("eenmalig 17 december 10:00", 0, 3, time(10, 0), date(2026, 12, 17)),
        ("iedere maandag om half 9", 1, 0, time(8, 30), None),
        ("elke dinsdag 8:00", 1, 1, time(8, 0), None),
        ("om de week op donderdag", 2, 3, time(8, 0), None),
        ("iedere twee weken op maandag om 8 uur", 2, 0, time(8, 0), None),
    ],
)
def test_a_schedule_as_people_say_it(
    typed: str, every: int, weekday: int, at: time, on: date | None
) -> None:
    found = natural_recurrence(typed, MONDAY)
    assert found is not None
    assert (found.every_weeks, found.weekday, found.at, found.on) == (every, weekday, at, on)


def test_days_read_as_people_read_them() -> None:
    assert day_text("nl", date(2026, 12, 1)) == "dinsdag 1 december 2026"
    assert day_text("en", date(2026, 12, 1)) == "Tuesday 1 December 2026"


async def test_the_next_meeting_as_the_lead_writes_it(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    out = await run_script(console, "/as anouk\ntaal nl\nplg overleg Datateam havo-3 17 december")
    assert "Volgende bijeenkomst van Datateam havo-3: donderdag 17 december 2026." in out
    out = await run_script(
        console, "/as anouk\nplg overleg Datateam havo-3 volgende week donderdag"
    )
    assert "donderdag 26 november 2026" in out
    out = await run_script(console, "/as anouk\nplg overleg Datateam havo-3 14-01-2027")
    assert "donderdag 14 januari 2027" in out
    out = await run_script(
        console, "/as anouk\nlanguage en\nplg meeting Datateam havo-3 next week thursday"
    )
    assert "Next meeting of Datateam havo-3: Thursday 26 November 2026." in out
    out = await run_script(console, "/as anouk\nplg meeting Datateam havo-3 17 November")
    assert "Tuesday 17 November 2026 has already passed" in out
    out = await run_script(console, "/as anouk\nplg meeting Datateam havo-3 someday")
    assert "I couldn't read “someday” as a date" in out
    async with db.session() as session:
        assert await session.scalar(select(PLG.next_meeting)) == date(2026, 11, 26)


async def test_a_holiday_as_the_school_writes_it(console: ConsoleSession, db: Database) -> None:
    await school(console, db)
    out = await run_script(
        console, "/as dirk\ntaal nl\nvakantie toevoegen Kerstvakantie 19-12-2026 t/m 3-1-2027"
    )
    assert (
        "Toegevoegd: Kerstvakantie, zaterdag 19 december 2026 tot en met zondag 3 januari 2027."
        in out
    )
    out = await run_script(
        console,
        "/as dirk\nvakantie toevoegen Voorjaarsvakantie van 20 februari tot en met 28 februari",
    )
    assert "Toegevoegd: Voorjaarsvakantie, zaterdag 20 februari 2027" in out
    out = await run_script(
        console, "/as dirk\nvakantie toevoegen Omgekeerd 3-1-2027 t/m 19-12-2026"
    )
    assert "eindigt voordat" in out or "ends before" in out
    async with db.session() as session:
        names = sorted(await session.scalars(select(Holiday.name)))
    assert names == ["Kerstvakantie", "Voorjaarsvakantie"]


async def test_a_round_scheduled_as_the_lead_says_it(console: ConsoleSession, db: Database) -> None:
    await school(console, db)
    out = await run_script(
        console,
        "/as anouk\nround new Datateam havo-3 | Why do pupils repeat the year? | #staffroom"
        " | tomorrow 8am",
    )
    assert "Round 1 for Datateam havo-3 is scheduled" in out
    assert "once, Saturday 2026-11-21 at 08:00" in out
    out = await run_script(
        console,
        "/as anouk\nronde nieuw Datateam havo-3 | Wat helpt bij plannen? | #staffroom"
        " | iedere maandag om half 9",
    )
    assert "Round 2 for Datateam havo-3 is scheduled" in out  # Anouk chose English
    async with db.session() as session:
        rounds = list(await session.scalars(select(QuestionRound).order_by(QuestionRound.id)))
    assert [r.recurrence for r in rounds] == ["once", "weekly mon 08:30"]


async def test_a_command_word_typed_against_its_number(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    await run_script(
        console,
        "/as anouk\nround new Datateam havo-3 | Why do pupils repeat the year? | #staffroom"
        " | weekly monday 08:00\n/wait 3d",
    )
    out = await run_script(console, "/as bram\nanswer1 Homework is never checked.")
    assert "Your reply to round 1 is in" in out
