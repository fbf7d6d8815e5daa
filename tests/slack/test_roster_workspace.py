"""A real-looking Slack school from day one: 120 members in ``users.list`` (staff,
bots, Slackbot, guests, deactivated accounts), the HR file matched to them by e-mail by
``plgbot roster import --from slack``, a first coordinator named by e-mail who gets the
dashboard and the digest, roles set from chat, and participation against the roster."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from adapters.slack.messenger import SlackMessenger
from bot.clock import FixedClock
from bot.ports import Messengers
from bot.service import Bot
from scheduler.digests import DigestJobs
from storage import Database
from storage.models import Person
from tests.slack.fake_slack import BOT_TOKEN, PEOPLE, TEAM_ID, FakeSlack, fake_slack
from tests.slack.harness import ANOUK, BRAM, start_plgbot

PLGBOT = str(Path(sys.executable).parent / "plgbot")
NOOR = "U0NOOR100"
STAFF = 100


def _member(user_id: str, name: str, email: str | None, **flags: Any) -> dict[str, Any]:
    profile: dict[str, Any] = {"real_name": name, "display_name": name.split()[0].lower()}
    if email:
        profile["email"] = email
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": name.split()[0].lower(),
        "real_name": name,
        "tz": "Europe/Amsterdam",
        "locale": "nl-NL",
        "deleted": False,
        "is_bot": False,
        "is_app_user": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "profile": profile,
    } | flags


def workspace() -> list[dict[str, Any]]:
    """100 staff (Anouk and Bram of the fake among them, and Noor), 8 bots and apps,
    Slackbot, 6 guests, 5 deactivated accounts: 120 members."""
    members = [
        _member(ANOUK, PEOPLE[ANOUK]["real_name"], "Anouk.deVries@deschool.nl"),
        _member(BRAM, PEOPLE[BRAM]["real_name"], "bram@deschool.nl"),
        _member(NOOR, "Noor Hendriks", "noor@deschool.nl"),
    ]
    members += [
        _member(f"U1{n:07d}", f"Collega {n:03d}", f"collega{n:03d}@deschool.nl")
        for n in range(STAFF - len(members))
    ]
    members += [_member(f"B0{n:07d}", f"Bot {n}", None, is_bot=True) for n in range(6)]
    members += [_member(f"B1{n:07d}", f"App {n}", None, is_app_user=True) for n in range(2)]
    members += [_member("USLACKBOT", "Slackbot", None)]
    members += [
        _member(f"G0{n:07d}", f"Ouder {n}", f"ouder{n}@example.nl", is_restricted=True)
        for n in range(4)
    ]
    members += [
        _member(f"G1{n:07d}", f"Gast {n}", f"gast{n}@example.nl", is_ultra_restricted=True)
        for n in range(2)
    ]
    members += [
        _member(f"D0{n:07d}", f"Oud-collega {n}", f"oud{n}@deschool.nl", deleted=True)
        for n in range(5)
    ]
    assert len(members) == 120
    return members


def hr_file(path: Path) -> Path:
    """The HR export: 95 staff who are in Slack (one address in capitals), 3 who are not
    yet, and a row with no address."""
    lines = ["Personeelslijst De School;;;;", "Naam;E-mail;Functie;Afdeling;In het onderwijs sinds"]
    lines.append("Anouk de Vries;anouk.devries@deschool.nl;Docent LB;Wiskunde;2009")
    lines.append("Bram Jansen;BRAM@deschool.nl;Docent LC;Wiskunde;1998")
    lines.append("Noor Hendriks;noor@deschool.nl;Docent;Onderwijsontwikkeling;2001")
    for n in range(92):
        department = ("Wiskunde", "Talen", "Mens & Maatschappij", "Bèta")[n % 4]
        lines.append(
            f"Collega {n:03d};collega{n:03d}@deschool.nl;Docent;{department};{1990 + n % 30}"
        )
    lines += [f"Nieuwe Collega {n};nieuw{n}@deschool.nl;Docent;Talen;2026" for n in range(3)]
    lines.append("Zonder Adres;;Conciërge;Facilitair;")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with fake_slack() as fake:
        fake.workspace = workspace()
        yield fake


async def plgbot_cli(database_url: str, slack: FakeSlack, *args: str) -> tuple[int, str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MICROSOFT_", "PLGBOT_", "DATABASE_URL"))
    }
    env |= {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": slack.api_url,
    }
    process = await asyncio.create_subprocess_exec(
        PLGBOT, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def count(title: str, output: str) -> int:
    found = re.search(rf"^{re.escape(title)}: (\d+)$", output, re.MULTILINE)
    assert found, f"no {title!r} in:\n{output}"
    return int(found[1])


async def test_a_slack_workspace_is_matched_with_the_hr_file_by_e_mail(
    tmp_path: Path, database_url: str, slack: FakeSlack
) -> None:
    db = Database(database_url)
    await db.upgrade()
    file = hr_file(tmp_path / "personeel.csv")
    code, out, err = await plgbot_cli(
        database_url, slack, "roster", "import", "--from", "slack", str(file), "--dry-run"
    )
    assert code == 0, err
    assert "dry run, nothing changed" in out
    async with db.session() as session:
        assert (await session.scalars(select(Person))).all() == []

    pages = len(slack.of("users.list"))
    code, out, err = await plgbot_cli(
        database_url, slack, "roster", "import", "--from", "slack", str(file)
    )
    assert code == 0, err
    assert "Traceback" not in err
    # users.list was read page by page (the cursor followed) and filtered to the staff.
    assert len(slack.of("users.list")) - pages == 3
    assert count("matched with the platform by e-mail", out) == 95
    assert count("only in the file (adopted when they first use plgbot)", out) == 4
    assert count("only on the platform (not counted as staff)", out) == 5
    assert count("added", out) == 99
    assert "row 101: Zonder Adres: no e-mail address or platform id" in out
    async with db.session() as session:
        people = {p.platform_user_id: p for p in (await session.scalars(select(Person))).all()}
    assert len(people) == 99
    assert not any(pid.startswith(("B", "G", "D", "USLACKBOT")) for pid in people)
    bram = people[BRAM]
    assert (bram.email, bram.department, bram.career_start) == (
        "bram@deschool.nl",
        "Wiskunde",
        1998,
    )
    assert people["roster:nieuw0@deschool.nl"].on_roster_since is not None
    await db.dispose()

    # Again a month later without three colleagues: they are leavers, nothing else moves.
    shorter = tmp_path / "personeel-januari.csv"
    shorter.write_text(
        "\n".join(line for line in file.read_text().splitlines() if "Collega 09" not in line) + "\n"
    )
    code, out, err = await plgbot_cli(
        database_url, slack, "roster", "import", "--from", "slack", str(shorter)
    )
    assert code == 0, err
    assert count("left the school", out) == 2
    assert count("unchanged", out) == 97


async def test_a_new_school_gets_its_first_coordinator_who_then_runs_it_from_chat(
    tmp_path: Path, database_url: str, slack: FakeSlack
) -> None:
    db = Database(database_url)
    await db.upgrade()
    code, _, err = await plgbot_cli(
        database_url, slack, "roster", "import", "--from", "slack", str(hr_file(tmp_path / "p.csv"))
    )
    assert code == 0, err
    await db.dispose()
    clock = FixedClock(datetime.now(UTC) + timedelta(minutes=1))
    async with start_plgbot(
        database_url, slack, clock=clock, coordinator_email="Noor@deschool.nl"
    ) as bot:
        # Before Noor arrives nobody is coordinator, and plgbot says so to whoever asks.
        answer = await bot.expect("chat.postMessage", bot.dm("hulp", user=BRAM, event_id="Ev1"))
        assert "nog geen coördinator" in str(answer.args)
        refused = await bot.expect(
            "chat.postMessage", bot.dm("dashboard", user=BRAM, event_id="Ev2")
        )
        assert "/dashboard/signin/" not in str(refused.args)

        link = await bot.expect("chat.postMessage", bot.dm("dashboard", user=NOOR, event_id="Ev3"))
        found = re.search(r"(/dashboard/signin/[0-9a-f]+)", str(link.args))
        assert found, link.args
        async with httpx.AsyncClient(base_url=bot.url) as web:
            assert (await web.post(found[1])).status_code == 303

        # Roles from chat: with a mention, and with a typed name.
        made = await bot.expect(
            "chat.postMessage", bot.dm(f"rol <@{BRAM}> teamleider", user=NOOR, event_id="Ev4")
        )
        assert "Bram Jansen is nu teamleider" in str(made.args)
        typed = await bot.expect(
            "chat.postMessage", bot.dm("afdeling anouk Exacte vakken", user=NOOR, event_id="Ev5")
        )
        assert "Anouk de Vries hoort nu bij de afdeling Exacte vakken" in str(typed.args)
        not_allowed = await bot.expect(
            "chat.postMessage", bot.dm(f"rol <@{ANOUK}> coördinator", user=BRAM, event_id="Ev6")
        )
        assert "Alleen een coördinator of schoolleider" in str(not_allowed.args)

        # One conversation; participation is 2 of the 99 staff on the roster, not 2 of 2.
        logged = await bot.expect(
            "chat.postMessage",
            bot.dm(
                f"verteld <@{ANOUK}> over de resultaten",
                user=BRAM,
                event_id="Ev7",
                at=clock.now() - timedelta(seconds=30),
            ),
        )
        assert "Vastgelegd" in str(logged.args), logged.args
        digest = await bot.expect(
            "chat.postMessage", bot.dm("overzicht", user=NOOR, event_id="Ev8")
        )
        assert "2 van de 99 medewerkers (2%)" in str(digest.args)
        assert "Nog geen personeelslijst" not in str(digest.args)
        async with bot.db.session() as session:
            noor = await session.scalar(select(Person).where(Person.platform_user_id == NOOR))
            bram = await session.scalar(select(Person).where(Person.platform_user_id == BRAM))
        assert noor is not None and noor.role == "coordinator"
        assert bram is not None and bram.role == "team_leader"

        # A coordinator made in chat may open the dashboard and gets the weekly digest.
        made = await bot.expect(
            "chat.postMessage", bot.dm(f"rol <@{ANOUK}> coördinator", user=NOOR, event_id="Ev9")
        )
        assert "Anouk de Vries is nu coördinator" in str(made.args)
        link = await bot.expect(
            "chat.postMessage", bot.dm("dashboard", user=ANOUK, event_id="Ev10")
        )
        assert "/dashboard/signin/" in str(link.args)
        client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)
        messengers = Messengers()
        messengers.register("slack", SlackMessenger(client))
        monday = _next_monday_morning(clock.now())
        jobs = DigestJobs(Bot(bot.db, clock=FixedClock(monday)), messengers)
        [schedule] = await jobs.schedules()
        sent = len(slack.of("chat.postMessage"))
        await jobs.run_due(schedule.key, monday)
        digests = slack.of("chat.postMessage")[sent:]
        # To each coordinator privately (Slack opens the DM by user id).
        assert sorted(c.args["channel"] for c in digests) == [ANOUK, NOOR]
        assert all("2 van de 99 medewerkers" in str(c.args) for c in digests)
        if client.session is not None:
            await client.session.close()


def _next_monday_morning(now: datetime) -> datetime:
    """The Monday after ``now``, 07:31 in Amsterdam (the digest goes at 07:30)."""
    zone = ZoneInfo("Europe/Amsterdam")
    day = now.astimezone(zone).date()
    monday = day + timedelta(days=7 - day.weekday())
    return datetime.combine(monday, time(7, 31), tzinfo=zone).astimezone(UTC)
