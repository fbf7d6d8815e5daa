"""``privacy``, ``my data``, ``opt out`` and ``opt in`` in the console: the real core,
database and scheduler jobs, in English and Dutch."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from adapters.console import ConsoleSession
from bot.network.report import network_report
from storage import Database, audit, directory
from storage.models import Nudge, Person, Post, SurveyInvite
from storage.school_settings import set_school_config
from tests.helpers import edges, run_script
from tests.privacy.scenario import SECRET, build, person
from tests.rounds.harness import school


async def test_privacy_says_what_why_how_long_and_who_sees_what(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    out = await run_script(console, "/as anouk\nprivacy")
    assert "PRIVACY: WHAT PLGBOT KEEPS ABOUT YOU" in out
    assert "who talked with whom about which PLG, when" in out
    assert "I never keep the text of ordinary conversations" in out
    assert "waits briefly in the database until it is processed" in out
    assert "never to judge or appraise anyone's work" in out
    assert "How long: 12 months." in out
    assert "Coordinators see the school's network" in out
    assert "groups smaller than 5 are never shown apart" in out
    assert "Right now you are counted in the network." in out

    school_id, _ = await person(db, "anouk")
    async with db.session() as session:
        await set_school_config(session, school_id, {"retention_months": "18"})
    out = await run_script(console, "privacy")
    assert "How long: 18 months." in out
    # Dirk chose no language: the school's Dutch, with the same facts.
    out = await run_script(console, "/as dirk\nprivacy\nhulp privacy")
    assert "PRIVACY: WAT PLGBOT OVER JOU BEWAART" in out
    assert "De tekst van gewone gesprekken bewaar ik nooit" in out
    assert "wacht hooguit even in de database tot het verwerkt is" in out
    assert "nooit om iemands werk te beoordelen" in out
    assert "Hoe lang: 18 maanden." in out
    assert "Op dit moment tel je mee in het netwerk." in out
    assert "mijn gegevens — alles als bestand; afmelden / aanmelden" in out


def _export(out: str) -> dict[str, Any]:
    """The JSON file the console wrote, found by the path it printed."""
    found = re.findall(
        r"\[(?:Your data in plgbot|Jouw gegevens in plgbot): (\S+), \d+ bytes\]", out
    )
    assert found, out
    path = Path(found[-1])
    assert re.fullmatch(r"plgbot-my-data-\d{4}-\d\d-\d\d(-\d+)?\.json", path.name)
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


async def test_my_data_exports_everything_about_me_and_nothing_else(
    console: ConsoleSession, db: Database
) -> None:
    await build(console, db)
    # Chantal opts out: she stays in Bram's export, without her name.
    await run_script(console, "/as chantal\nopt out\n/as bram\nplg join Datateam havo-3")
    out = await run_script(console, "my data")
    assert "Here is everything plgbot stores about you: 9 logged conversations, 1 round" in out
    data = _export(out)
    assert data["person"]["display_name"] == "Bram Jansen"
    assert data["person"]["platform_user_id"] == "bram"
    assert data["retention_months"] == 12
    assert data["plgs"] == [{"name": "Datateam havo-3", "lead": False}]

    mine = [e for e in await edges(db) if "bram" in e[:2]]
    assert len(data["interactions"]) == len(mine) == 9
    seen = {(i["direction"], i["colleague"], i["origin"]) for i in data["interactions"]}
    assert (
        "in",
        "Anouk de Vries",
        "told",
    ) in seen
    assert ("out", "Dirk Visser", "discussed") in seen and (
        "in",
        "Dirk Visser",
        "discussed",
    ) in seen
    assert ("in", "Eva Smit", "thread_reply") in seen
    assert ("out", "Anouk de Vries", "round_reply") in seen
    # Chantal opted out: her conversations with Bram are his too, but without her name.
    assert {i["colleague"] for i in data["interactions"] if i["origin"] in {"heard", "survey"}} == {
        None
    }
    assert "Chantal" not in json.dumps(data)
    told = next(i for i in data["interactions"] if i["origin"] == "told")
    assert told["knowledge"] == ["focus"] and told["plg"] == "Datateam havo-3"

    assert [r["text"] for r in data["round_replies"]] == ["Homework is rarely checked #focus"]
    assert data["round_replies"][0]["knowledge"] == ["focus"]
    assert len(data["channel_posts"]) == 1 and data["channel_posts"][0]["channel"] == "datateam"
    assert {"process", "benefits"} <= {t for n in data["nudges"] for t in n["missing"]}
    assert data["nudges_stopped_at"] is not None
    [invitation] = data["survey_invitations"]
    assert invitation["answered_at"] is not None
    assert [c["kind"] for c in data["private_chats"]] == ["personal"]
    # Never the text of an ordinary conversation, nor the platform's address itself.
    text = json.dumps(data)
    assert SECRET not in text and "private-chat-of-bram" not in text

    # The export is audited; Bram's next export lists the first.
    school_id, bram = await person(db, "bram")
    async with db.session() as session:
        [entry] = await audit.entries(session, school_id)
    printed = re.findall(r": (\S+\.json), \d+ bytes", out)[-1]
    assert (entry.action, entry.actor_id, entry.subject) == (
        audit.MY_DATA_EXPORT,
        bram,
        Path(printed).name,
    )
    again = _export(await run_script(console, "mijn gegevens"))
    assert [a["action"] for a in again["audit"]] == [audit.MY_DATA_EXPORT]


async def _person(db: Database, handle: str) -> Person:
    async with db.session() as session:
        found = await session.scalar(select(Person).where(Person.platform_user_id == handle))
        assert found is not None
        return found


OPT_OUT_SETUP = """
/as chantal
told @bram our havo-3 results #results
told @dirk our havo-3 results #results
told @eva our havo-3 results #results
/as dirk
told @bram what we found #results
told @eva what we found #results
/as chantal
opt out
"""


async def test_opting_out_stops_logging_and_hides_me_until_i_opt_in(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    out = await run_script(console, OPT_OUT_SETUP)
    assert "from now on I log nothing about you" in out
    before = await edges(db)

    # Nothing new about Chantal, whoever starts it and however.
    out = await run_script(
        console,
        """
        told @bram about our focus #focus
        /as anouk
        told @chantal about our focus #focus
        /in #datateam
        @chantal what do you think? #process
        /as chantal
        @bram see the results #results
        """,
    )
    assert "You opted out, so I logged nothing. Type opt in to be counted again." in out
    post = int(re.findall(r"^\[(\d+)\] #datateam chantal:", out, re.M)[-1])
    await run_script(console, f"/as bram\n/reply {post} thanks! #results\n/dm")
    assert await edges(db) == before
    chantal = await _person(db, "chantal")
    async with db.session() as session:
        authors = set(await session.scalars(select(Post.author_id)))
    assert chantal.id not in authors and authors, "others' posts are still recorded"

    # Out of the network and the key figures.
    report = await network_report(db, school="test", now=console.clock.now())
    assert "chantal" not in {p.handle for p in report.people}
    assert "chantal" not in {k.handle for k in report.key_figures}
    assert not [e for e in report.edges if "chantal" in (e.source, e.target)]
    assert "dirk" in {k.handle for k in report.key_figures}

    # No tips, no survey: Monday's nudges and the first Monday of December's survey
    # reach the others (Dirk, who shared only results, gets a tip) but not Chantal.
    out = await run_script(console, "/wait 17d")
    invite = int(re.findall(r"^\[(\d+)\] dm @bram plgbot", out, re.M)[-1])
    before = await edges(db)
    out = await run_script(console, f"/as bram\n/press {invite}.1 @chantal")
    assert "Chantal Bakker" in out  # the picker knows her; the network does not
    assert await edges(db) == before
    async with db.session() as session:
        nudged = set(await session.scalars(select(Nudge.person_id)))
        invited = set(await session.scalars(select(SurveyInvite.person_id)))
    dirk = await _person(db, "dirk")
    assert dirk.id in nudged and chantal.id not in nudged
    assert len(invited) == 4 and chantal.id not in invited

    out = await run_script(console, "/as chantal\nopt out\nopt in\nopt in")
    assert "You already opted out on" in out
    assert "Welcome back" in out and "You are already counted in the network." in out
    await run_script(console, "told @bram about our focus #focus")
    assert ("chantal", "bram", "told", 1) in await edges(db)
    report = await network_report(db, school="test", now=console.clock.now())
    assert "chantal" in {p.handle for p in report.people}


async def test_privacy_words_do_not_clash_with_other_commands(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    out = await run_script(console, "/as bram\nplg aanmelden Datateam havo-3\nstop tips")
    assert "opted out" not in out.lower() and "afgemeld" not in out
    async with db.session() as session:
        bram = await directory.find_person(session, (await person(db, "bram"))[0], "bram")
        assert bram is not None and bram.opted_out_at is None


async def test_who_opts_out_after_the_survey_came_gets_no_reminder(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    await run_script(console, "/wait 17d")  # Monday 7 December: everyone is invited
    await run_script(console, "/as chantal\nopt out\n/wait 8d")
    async with db.session() as session:
        reminded = {
            invite.person_id: invite.reminded_at is not None
            for invite in await session.scalars(select(SurveyInvite))
        }
    chantal, bram = await _person(db, "chantal"), await _person(db, "bram")
    assert reminded[bram.id] is True
    assert reminded[chantal.id] is False
