"""A Teams school from day one: the staff team's roster (paged, with e-mail, guests
left out) matched with the HR file by ``plgbot roster import --from teams``; the first
coordinator recognised by the e-mail the connector gives for them; roles from chat."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from storage.models import Person
from tests.teams.conftest import STAFF, TENANT, Teams, message
from tests.teams.fake_connector import Member

PLGBOT = str(Path(sys.executable).parent / "plgbot")
NOOR = Member("29:1noor", "Noor Hendriks", "aaaa0009-0000-4000-8000-000000000009", "noor@school.nl")
GUESTS = [
    Member(
        f"29:1guest{n}",
        f"Gast {n}",
        f"bbbb000{n}-0000-4000-8000-00000000000{n}",
        f"gast{n}@example.nl",
        user_role="guest",
    )
    for n in range(3)
]


def _staff_team() -> list[Member]:
    """The four of the Teams fixtures with their e-mail, Noor, 250 colleagues (so the
    roster comes in pages) and three guests."""
    known = [
        Member(m.id, m.name, m.aad_object_id, f"{m.name.split()[0].lower()}@school.nl")
        for m in STAFF
    ]
    colleagues = [
        Member(
            f"29:1c{n:03d}",
            f"Collega {n:03d}",
            f"cccc{n:04d}-0000-4000-8000-000000000000",
            f"collega{n:03d}@school.nl",
        )
        for n in range(250)
    ]
    return [*known, NOOR, *colleagues, *GUESTS]


def _hr_file(path: Path) -> Path:
    rows = ["Naam,E-mail,Functie,Afdeling"]
    rows += [f"{m.name},{m.name.split()[0].lower()}@school.nl,Docent,Wiskunde" for m in STAFF]
    rows.append("Noor Hendriks,noor@school.nl,Docent,Directie")
    rows += [f"Collega {n:03d},collega{n:03d}@school.nl,Docent,Talen" for n in range(240)]
    rows.append("Nog Niet In Teams,nieuw@school.nl,Onderwijsassistent,Zorg")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


async def _cli(database_url: str, *args: str) -> tuple[int, str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MICROSOFT_", "PLGBOT_", "DATABASE_URL"))
    }
    env |= {"DATABASE_URL": database_url, "PLGBOT_TEAMS_LOCAL": "true"}
    process = await asyncio.create_subprocess_exec(
        PLGBOT, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _personal(text: str, author: Member, activity_id: str) -> dict[str, Any]:
    return message(
        text,
        author=author,
        conversation_id=f"a:{author.id}-personal",
        activity_id=activity_id,
        kind="personal",
        bot_mentioned=False,
    )


async def test_the_staff_team_is_matched_with_the_hr_file_and_noor_becomes_coordinator(
    tmp_path: Path, database_url: str, make_teams: Callable[..., Any]
) -> None:
    async with make_teams(PLGBOT_COORDINATOR_EMAIL="noor@school.nl") as teams:
        teams.connector.members = _staff_team()
        await _in_the_staff_team(teams)
        code, out, err = await _cli(
            database_url,
            "roster",
            "import",
            "--school",
            TENANT,
            "--from",
            "teams",
            str(_hr_file(tmp_path / "personeel.csv")),
        )
        assert code == 0, err
        assert "Traceback" not in err
        pages = [c for c in teams.connector.calls if c.kind == "members"]
        assert len(pages) >= 2, "the roster was read page by page"
        assert re.search(r"^matched with the platform by e-mail: 245$", out, re.M), out
        assert re.search(r"^only in the file .*: 1$", out, re.M), out
        assert re.search(r"^only on the platform .*: 10$", out, re.M), out
        assert "Gast" not in out
        async with teams.db.session() as session:
            people = {p.platform_user_id: p for p in (await session.scalars(select(Person))).all()}
        assert not any("guest" in pid for pid in people)
        assert people["roster:nieuw@school.nl"].role == "support"
        assert people[NOOR.id].role == "teacher"

        # Noor writes to the bot: the connector gives her e-mail, the setting names it.
        assert (await teams.post(_personal("dashboard", NOOR, "1763800000001"))).status_code == 200
        reply = teams.connector.sent[-1]
        assert "/dashboard/signin/" in reply.card_text, reply.card_text
        made = _personal(f"rol <at>{STAFF[1].name}</at> teamleider", NOOR, "1763800000002")
        made["entities"] = [
            {
                "type": "mention",
                "mentioned": {"id": STAFF[1].id, "name": STAFF[1].name},
                "text": f"<at>{STAFF[1].name}</at>",
            }
        ]
        assert (await teams.post(made)).status_code == 200
        assert f"{STAFF[1].name} is nu teamleider" in teams.connector.sent[-1].card_text
        async with teams.db.session() as session:
            bram = await session.scalar(
                select(Person).where(Person.platform_user_id == STAFF[1].id)
            )
        assert bram is not None and bram.role == "team_leader"


async def _in_the_staff_team(teams: Teams) -> None:
    """Anouk mentions the bot in the staff team's General channel: plgbot now knows the
    team (and can ask the connector for its members)."""
    hello = message(
        "hallo",
        author=STAFF[0],
        conversation_id="19:staff@thread.tacv2;messageid=1763799999999",
        activity_id="1763799999999",
    )
    assert (await teams.post(hello)).status_code == 200


async def test_without_a_roster_the_first_coordinator_is_found_by_the_connectors_e_mail(
    make_teams: Callable[..., Any],
) -> None:
    async with make_teams(PLGBOT_COORDINATOR_EMAIL="Noor@School.nl") as teams:
        teams.connector.members = _staff_team()
        # Someone else first: no coordinator yet, and plgbot says how to set one.
        assert (await teams.post(_personal("hulp", STAFF[1], "1763800000010"))).status_code == 200
        assert "nog geen coördinator" in teams.connector.sent[-1].card_text
        assert (await teams.post(_personal("dashboard", NOOR, "1763800000011"))).status_code == 200
        assert "/dashboard/signin/" in teams.connector.sent[-1].card_text
        asked = [c for c in teams.connector.calls if c.kind == "member"]
        assert asked, "the connector was asked for the member's e-mail"
        # Once there is a coordinator, nobody's message costs a member look-up any more.
        assert (await teams.post(_personal("hulp", STAFF[2], "1763800000012"))).status_code == 200
        assert [c for c in teams.connector.calls if c.kind == "member"] == asked
        assert "nog geen coördinator" not in teams.connector.sent[-1].card_text
