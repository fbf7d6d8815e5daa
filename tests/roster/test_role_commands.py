"""Roles and departments set in chat by a coordinator, in Dutch and English, with a
mention or a typed name; a name that fits two colleagues is asked back with buttons;
everyone else is refused, and told how a first coordinator is set."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select, update

from adapters.console import ConsoleSession
from storage import Database, audit
from storage.models import Person
from tests.helpers import run_script


async def _people(db: Database) -> dict[str, Person]:
    async with db.session() as session:
        return {p.display_name: p for p in (await session.scalars(select(Person))).all()}


async def _make_coordinator(db: Database, name: str) -> None:
    async with db.session() as session:
        await session.execute(
            update(Person).where(Person.display_name == name).values(role="coordinator")
        )


SETUP = """
/as Bram Jansen
/as Eva de Wit
/as Sanne Mulder
/as Sanne Visser
/as Noor Hendriks
"""


async def test_in_a_new_school_nobody_may_and_everyone_is_told_how_to_start(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    out = await run_script(console, "rol @bram coördinator")
    assert "Alleen een coördinator of schoolleider" in out
    assert "Deze school heeft nog geen coördinator" in out
    assert "plgbot people set --school test" in out
    assert (await _people(db))["Bram Jansen"].role == "teacher"


async def test_a_coordinator_sets_roles_and_departments_with_or_without_a_mention(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    await _make_coordinator(db, "Noor Hendriks")
    out = await run_script(
        console,
        """
        rol bram teamleider
        afdeling @bram Exacte vakken
        rol Eva de Wit schoolleider
        rol @eva kok
        """,
    )
    assert "Bram Jansen is nu teamleider." in out
    assert "Bram Jansen hoort nu bij de afdeling Exacte vakken." in out
    assert "Eva de Wit is nu schoolleider." in out
    assert "„kok” ken ik niet als rol" in out
    people = await _people(db)
    assert (people["Bram Jansen"].role, people["Bram Jansen"].department) == (
        "team_leader",
        "Exacte vakken",
    )
    assert people["Eva de Wit"].role == "school_leader"
    async with db.session() as session:
        logged = await audit.entries(session, people["Bram Jansen"].school_id)
    assert {e.subject for e in logged} >= {
        f"person {people['Bram Jansen'].id}: role=team_leader",
        f"person {people['Bram Jansen'].id}: department=Exacte vakken",
    }
    # Audit entries name people by id only.
    assert not [e for e in logged if "Bram" in e.subject]


async def test_a_name_that_fits_two_colleagues_is_asked_back_never_guessed(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    await _make_coordinator(db, "Noor Hendriks")
    out = await run_script(console, "language en\nrole sanne coordinator")
    assert "Whom do you mean by “sanne”?" in out
    assert {p.role for n, p in (await _people(db)).items() if n.startswith("Sanne")} == {"teacher"}
    presses = dict(re.findall(r"\[(Sanne \w+): /press ([\d.]+)\]", out))
    done = await run_script(console, f"/press {presses['Sanne Visser']}")
    assert "Sanne Visser is now coordinator." in done
    people = await _people(db)
    assert (people["Sanne Visser"].role, people["Sanne Mulder"].role) == ("coordinator", "teacher")


async def test_the_only_coordinator_cannot_hand_in_their_own_role(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    await _make_coordinator(db, "Noor Hendriks")
    out = await run_script(console, "rol @noor docent")
    assert "Je bent de enige coördinator van de school." in out
    out = await run_script(console, "rol @bram coördinator\nrol @noor docent")
    assert "Noor Hendriks is nu docent." in out
    assert "Alleen een coördinator" in await run_script(console, "rol @bram docent")


async def test_the_log_says_once_per_school_how_to_set_a_coordinator(
    console: ConsoleSession, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="plgbot.coordinators"):
        await run_script(console, SETUP + "hallo\nnetwerk\n")
    warned = [r.getMessage() for r in caplog.records if r.name == "plgbot.coordinators"]
    assert len(warned) == 1
    assert "school test has no coordinator" in warned[0]
    assert "plgbot people set --school test E-MAIL role=coordinator" in warned[0]


async def test_a_department_longer_than_a_name_is_refused_not_cut(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    await _make_coordinator(db, "Noor Hendriks")
    long_name = "Exacte vakken " * 10
    out = await run_script(console, f"afdeling @bram {long_name}")
    assert "Een afdelingsnaam heeft hoogstens 100 tekens" in out
    # Two Sannes: the name is asked back with buttons, still refused, never cut.
    out = await run_script(console, f"language en\ndepartment Sanne {long_name}")
    assert "A department name has at most 100 characters" in out
    out = await run_script(console, "department Sanne " + "Science " * 12)
    assert "Whom do you mean by “Sanne”?" in out
    press = re.findall(r"/press (\d+\.1)\]", out)[-1]
    await run_script(console, f"/press {press}")
    people = await _people(db)
    assert people["Bram Jansen"].department is None
    assert {people["Sanne Mulder"].department, people["Sanne Visser"].department} == {
        None,
        ("Science " * 12).strip(),
    }
