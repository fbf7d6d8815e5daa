"""Closing the school year in chat, as a coordinator would: the year's figures, a
confirm button, rounds ended, leads asked whether their PLG carries on, the figures
sent to the coordinators, a closed PLG gone from current lists, and the year kept as
history."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select, update

from adapters.console import ConsoleSession
from bot.staff.school_year import closing_year
from storage import Database
from storage.models import PLG, Person, QuestionRound, SchoolYear
from tests.helpers import run_script
from tests.rounds.harness import WEEKLY, school


def _button(out: str, label: str) -> str:
    found: list[str] = re.findall(rf"\[{re.escape(label)}: /press ([\d.]+)\]", out)
    assert found, out
    return found[-1]


async def test_a_coordinator_closes_the_year_and_the_leads_decide_about_their_plg(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    async with db.session() as session:
        await session.execute(
            update(Person).where(Person.platform_user_id == "dirk").values(role="coordinator")
        )
    await run_script(console, f"/as anouk\n{WEEKLY}\n/wait 1m")

    refused = await run_script(console, "/as bram\nclose school year")
    assert "Only a coordinator or school leader can close the school year." in refused

    preview = await run_script(console, "/as dirk\nschooljaar afsluiten")
    assert "schooljaar 2026-2027 afsluiten" in preview.lower()
    assert "Datateam havo-3: leden 1" in preview
    assert "alle lopende vragenrondes (nu 1)" in preview
    async with db.session() as session:
        assert (await session.scalars(select(SchoolYear))).all() == []

    closed = await run_script(
        console, f"/press {_button(preview, 'Schooljaar 2026-2027 afsluiten')}"
    )
    assert "schooljaar 2026-2027 is afgesloten" in closed.lower()
    assert "Gestopte vragenrondes: 1." in closed
    async with db.session() as session:
        [year] = (await session.scalars(select(SchoolYear))).all()
        rounds = (await session.scalars(select(QuestionRound))).all()
    assert year.name == "2026-2027" and year.summary["plgs"][0]["name"] == "Datateam havo-3"
    assert [r.status for r in rounds] == ["cancelled"]
    again = await run_script(console, "schooljaar afsluiten")
    assert "Schooljaar 2026-2027 is al afgesloten op" in again

    # The scheduler asks the lead, and sends the coordinator the year's figures, once.
    asked = await run_script(console, "/wait 30m")
    assert asked.count("Does the PLG Datateam havo-3 carry on next school year?") == 1
    assert asked.lower().count("schooljaar 2026-2027 is afgesloten") == 1
    assert "Does the PLG" not in await run_script(console, "/wait 30m")

    # Bram is no lead: his press changes nothing; Anouk closes the PLG.
    press = _button(asked, "No, close it")
    assert "Only a lead of Datateam havo-3" in await run_script(
        console, f"/as bram\n/press {press}"
    )
    done = await run_script(console, f"/as anouk\n/press {press}")
    assert "Datateam havo-3 is closed" in done
    async with db.session() as session:
        [plg] = (await session.scalars(select(PLG))).all()
    assert plg.closed_at is not None and plg.year_decision is None
    listed = await run_script(console, "plg list")
    assert "Datateam havo-3" not in listed
    assert "already" in await run_script(console, f"/press {press}")


def test_a_close_in_the_summer_holiday_closes_the_year_that_just_ended() -> None:
    assert closing_year(date(2027, 7, 10)) == "2026-2027"
    assert closing_year(date(2027, 8, 20)) == "2026-2027"
    assert closing_year(date(2027, 9, 1)) == "2027-2028"
    assert closing_year(date(2026, 12, 7)) == "2026-2027"
