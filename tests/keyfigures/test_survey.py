"""The network survey end to end in the console: sent on the first Monday of the month
(the conftest clock starts on Friday 2026-11-20, so the first round is Monday 7
December), answered with the people picker and the direction buttons, skipped, and
reminded about once."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from adapters.console import ConsoleSession
from adapters.console.session import ConsoleError
from bot.network.key_figures import Window, find_key_figures
from scheduler.surveys import survey_round
from storage import Database, directory
from storage.models import School, SurveyInvite
from storage.school_settings import DEFAULTS, SchoolConfig, school_config, set_school_config
from tests.helpers import edges, run_script

SETUP = """
/as Anouk de Vries
/as Bram Jansen
/as Chantal Bakker
/as Dirk Visser
/as anouk
language en
/as bram
language en
/as chantal
language en
/as dirk
"""


def invite(out: str, handle: str) -> int:
    """The console number of the last survey message to ``handle``."""
    found = re.findall(rf"^\[(\d+)\] dm @{handle} plgbot \(only you\): NETW", out, re.M)
    assert found, out
    return int(found[-1])


async def invites(db: Database) -> dict[str, tuple[bool, bool, bool]]:
    """Per person: (answered, skipped, reminded)."""
    async with db.session() as session:
        school = await directory.find_school(session, "test")
        assert school is not None
        people = {
            p.id: p.platform_user_id for p in await directory.people_of_school(session, school.id)
        }
        rows = await session.scalars(select(SurveyInvite))
        return {
            people[i.person_id]: (
                i.answered_at is not None,
                i.skipped_at is not None,
                i.reminded_at is not None,
            )
            for i in rows
        }


async def test_everyone_gets_the_survey_on_the_first_monday_of_the_month(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    assert "NETWORK SURVEY" not in await run_script(console, "/wait 16d")
    out = await run_script(console, "/wait 1d")
    assert {h: invite(out, h) > 0 for h in ("anouk", "bram", "chantal", "dirk")}
    bram = out[out.index(f"[{invite(out, 'bram')}] dm @bram") :]
    assert "With whom did you talk about the PLG this month?" in bram
    n = invite(out, "bram")
    assert f"[Pick colleagues: /press {n}.1 @name @name …]  [Skip this month: /press {n}.2]" in bram
    assert "NETWERKVRAGENLIJST" in out  # Dirk chose no language: the school's Dutch
    assert len(await invites(db)) == 4


async def test_picked_colleagues_become_survey_interactions_with_their_direction(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    out = await run_script(console, "/wait 17d")
    n = invite(out, "bram")
    out = await run_script(console, f"/as bram\n/press {n}.1 @anouk chantal")
    assert "Thanks! Noted: Anouk de Vries and Chantal Bakker." in out
    assert "You and Anouk de Vries: who shared with whom?" in out
    to_anouk = int(re.findall(r"^\[(\d+)\] plgbot: You and Anouk", out, re.M)[0])
    assert f"[I shared: /press {to_anouk}.1]  [Anouk shared: /press {to_anouk}.2]" in out
    assert sorted(await edges(db)) == [
        ("anouk", "bram", "survey", 0),
        ("bram", "anouk", "survey", 0),
        ("bram", "chantal", "survey", 0),
        ("chantal", "bram", "survey", 0),
    ]
    out = await run_script(console, f"/press {to_anouk}.1")
    assert "Noted: you shared with Anouk de Vries." in out
    assert sorted(await edges(db)) == [
        ("bram", "anouk", "survey", 0),
        ("bram", "chantal", "survey", 0),
        ("chantal", "bram", "survey", 0),
    ]
    out = await run_script(console, f"/press {to_anouk}.2")
    assert ("anouk", "bram", "survey", 0) in await edges(db)
    assert ("bram", "anouk", "survey", 0) not in await edges(db)
    assert (await invites(db))["bram"] == (True, False, False)
    # The answers count in the network: Bram now has two colleagues, both ways with one.
    async with db.session() as session:
        school = await directory.find_school(session, "test")
        assert school is not None
        now = console.clock.now()
        figures = await find_key_figures(session, school.id, Window.ending(now, 12), DEFAULTS)
    bram = next(k for k in figures if k.handle == "bram")
    assert (bram.place.metrics.degree, bram.place.metrics.reciprocal_ties) == (2, 1)


async def test_picking_yourself_is_refused_and_nothing_is_stored(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    n = invite(await run_script(console, "/wait 17d"), "bram")
    out = await run_script(console, f"/as bram\n/press {n}.1 @bram @anouk")
    assert "You picked yourself: pick only colleagues. Nothing was saved; try again." in out
    assert await edges(db) == []
    assert (await invites(db))["bram"] == (False, False, False)
    with pytest.raises(ConsoleError, match="Nobody here is called nobody"):
        await console.send(f"/press {n}.1 @nobody")


async def test_a_direction_press_by_someone_else_changes_nothing(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    n = invite(await run_script(console, "/wait 17d"), "bram")
    out = await run_script(console, f"/as bram\n/press {n}.1 @anouk")
    to_anouk = int(re.findall(r"^\[(\d+)\] plgbot: You and Anouk", out, re.M)[0])
    out = await run_script(console, f"/as chantal\n/press {to_anouk}.1")
    assert "That survey is no longer open." in out
    assert len(await edges(db)) == 2


async def test_skip_and_one_reminder_for_who_did_neither(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    out = await run_script(console, "/wait 17d")
    bram, chantal = invite(out, "bram"), invite(out, "chantal")
    out = await run_script(
        console, f"/as bram\n/press {bram}.1 @anouk\n/as chantal\n/press {chantal}.2"
    )
    assert "Skipped for this month. See you next time!" in out
    out = await run_script(console, "/wait 7d")
    reminded = set(re.findall(r"^\[\d+\] dm @(\w+) plgbot \(only you\): NETW", out, re.M))
    assert reminded == {"anouk", "dirk"}
    assert "A reminder, in case it slipped by: one minute is enough." in out
    assert "NETW" not in await run_script(console, "/wait 14d"), "one reminder at most"
    assert await invites(db) == {
        "anouk": (False, False, True),
        "bram": (True, False, False),
        "chantal": (False, True, False),
        "dirk": (False, False, True),
    }


async def test_the_interval_and_day_are_the_schools_own(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    async with db.session() as session:
        school = await directory.find_school(session, "test")
        assert school is not None
        await set_school_config(
            session, school.id, {"survey_months": "3", "survey_at": "wed 10:00"}
        )
        config = await school_config(session, school.id)
        school_row = await session.get(School, school.id)
        assert school_row is not None
    # Every three months from January: January, April, July, October.
    assert survey_round(datetime(2026, 12, 7, 12, tzinfo=UTC), config, school_row) == datetime(
        2026, 10, 7, 8, tzinfo=UTC
    )
    assert "NETW" not in await run_script(console, "/wait 30d")
    async with db.session() as session:
        await set_school_config(session, school.id, {"survey": "off"})
    assert survey_round(
        datetime(2026, 12, 7, 12, tzinfo=UTC), SchoolConfig(), school_row
    ) == datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
