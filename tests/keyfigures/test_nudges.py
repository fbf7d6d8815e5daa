"""Nudges end to end in the console: the weekly job (run by ``/wait``) sends a key
figure a private tip, the buttons and commands answer it, and follow-through is
counted. The conftest clock starts on Friday 2026-11-20 11:00 in Amsterdam; nudges
go out on Mondays at 09:00."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from adapters.console import ConsoleSession
from bot.clock import FixedClock
from bot.commands import parse
from bot.events import ChannelRef, InboundMessage, PersonRef, SchoolRef
from bot.network.commands import StartNudges, StopNudges
from scheduler.nudges import NudgeJobs
from storage import Database, directory, holidays
from storage import nudges as store
from storage.holidays import HolidaySpan
from storage.models import Nudge, Occurrence, Person
from tests.conftest import NOW
from tests.helpers import run_script

# Dirk tells four colleagues results, and only results: the most connected, a sender.
# Anouk talks focus, process and benefits through with Bram and Chantal. The key
# figures are Dirk, Anouk and Bram (level with Chantal, before her by name); only Dirk
# shared results without the rest.
SETUP = """
/as Anouk de Vries
/as Bram Jansen
/as Chantal Bakker
/as Dirk Visser
/as Eva Smit
/as Fleur Kok
/as anouk
language en
plg new Datateam havo-3 focus Many havo-3 pupils repeat the year
discussed @bram @chantal what we look into, how, and what it brings #focus #process #benefits
/as dirk
language en
plg join Datateam havo-3
told @bram @chantal @eva @fleur pupils who missed homework scored 1.2 lower #results
/as eva
language en
told @fleur the results are in #results
"""


def dm(out: str | list[str], handle: str) -> list[int]:
    """Console numbers of the tips plgbot sent ``handle`` in ``out`` (not the survey,
    which starts in December)."""
    text = out if isinstance(out, str) else "\n".join(out)
    found = re.findall(rf"^\[(\d+)\] dm @{handle} plgbot \(only you\): (?:A|EEN) TIP", text, re.M)
    return [int(n) for n in found]


async def nudges(db: Database) -> list[tuple[str, str | None, bool]]:
    async with db.session() as session:
        rows = await session.execute(
            select(Person.platform_user_id, Nudge.answer, Nudge.followed_at)
            .join(Person, Person.id == Nudge.person_id)
            .order_by(Nudge.sent_at)
        )
        return [(handle, answer, followed is not None) for handle, answer, followed in rows]


async def test_a_key_figure_who_shared_only_results_gets_a_tip(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    out = await run_script(console, "/wait 3d")
    assert dm(out, "dirk") and not dm(out, "anouk") and not dm(out, "bram")
    assert not dm(out, "eva"), "Eva shared only results too, but is no key figure"
    tip = out[out.index("dm @dirk") :]
    assert "A TIP FOR SHARING YOUR PLG" in tip
    assert (
        "In the last 4 weeks you shared results of Datateam havo-3 with colleagues, great. "
        "Colleagues pick up a PLG better when they also hear its focus, process and benefits."
    ) in tip
    assert "The focus of Datateam havo-3: Many havo-3 pupils repeat the year." in tip
    assert (
        "Focus: “In Datateam havo-3 we work on this: Many havo-3 pupils repeat the year. "
        "Have you noticed it in your classes too?”"
    ) in tip
    assert "Process: “We follow the eight steps of the data-team method." in tip
    assert "Idea: share from the start, not only at the end." in tip
    n = dm(out, "dirk")[0]
    assert (
        f"[Shared it: /press {n}.1]  [Remind me next week: /press {n}.2]  "
        f"[Stop these nudges: /press {n}.3]"
    ) in tip
    assert await nudges(db) == [("dirk", None, False)]


async def test_at_most_one_a_week_and_a_pause_unless_asked_for_next_week(
    console: ConsoleSession, db: Database, clock: FixedClock
) -> None:
    await run_script(console, SETUP)
    out = await run_script(console, "/wait 3d")
    jobs = next(s for s in console.sources if isinstance(s, NudgeJobs))
    school = await _school_id(db)
    # The job runs again the same week (a restart, a second scheduler): nothing new.
    await jobs.run_due(str(school), clock.now() + timedelta(hours=2))
    assert dm(console.drain(), "dirk") == []
    # Unanswered: not the next week, the week after.
    assert dm(await run_script(console, "/wait 7d"), "dirk") == []
    out = await run_script(console, "/wait 7d")
    [n] = dm(out, "dirk")
    out = await run_script(console, f"/as dirk\n/press {n}.2")
    assert "Fine, I'll remind you next week." in out
    assert len(dm(await run_script(console, "/wait 7d"), "dirk")) == 1
    assert [a for _, a, _ in await nudges(db)] == [None, "later", None]
    async with db.session() as session:
        kinds = await session.scalars(select(Occurrence.kind).where(Occurrence.kind == "nudge"))
        assert len(list(kinds)) == 3


async def test_stop_means_stop_until_tips_on(console: ConsoleSession, db: Database) -> None:
    await run_script(console, SETUP)
    [n] = dm(await run_script(console, "/wait 3d"), "dirk")
    out = await run_script(console, f"/as dirk\n/press {n}.3")
    assert "No more tips from me. Want them back? Type: tips on" in out
    assert dm(await run_script(console, "/wait 14d"), "dirk") == []
    out = await run_script(console, "/as dirk\ntips on")
    assert "Tips are back on" in out
    assert len(dm(await run_script(console, "/wait 7d"), "dirk")) == 1
    # Fleur chose no language, so she is answered in the one she types.
    out = await run_script(console, "/as fleur\ngeen tips\ntips aan\ntips aan")
    assert "Geen tips meer van mij." in out and "Tips stonden al aan." in out


async def test_sharing_a_missing_type_within_two_weeks_counts_as_followed(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    [n] = dm(await run_script(console, "/wait 3d"), "dirk")
    out = await run_script(
        console,
        f"""
        /as dirk
        /press {n}.1
        /wait 1d
        told @eva results again, pupils who missed homework scored lower #results
        """,
    )
    assert "Thanks for passing it on!" in out and "No tips for the next 4 weeks." in out
    await run_script(console, "/wait 6d")
    assert await nudges(db) == [("dirk", "shared", False)], "results only is not following"
    await run_script(
        console, "/as dirk\ntold @fleur we go step by step, first the data #process\n/wait 7d"
    )
    assert await nudges(db) == [("dirk", "shared", True)]
    async with db.session() as session:
        stats = await store.nudge_stats(
            session, school_id=await _school_id(db), since=NOW, until=NOW + timedelta(days=30)
        )
    assert (stats.sent, stats.followed, stats.follow_rate) == (1, 1, 1.0)


async def test_no_nudges_in_a_holiday_and_in_dutch_for_dutch_speakers(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP + "/as dirk\ntaal nl")
    async with db.session() as session:
        await holidays.add_holidays(
            session,
            await _school_id(db),
            [HolidaySpan("Herfstvakantie", date(2026, 11, 21), date(2026, 11, 29))],
        )
    assert dm(await run_script(console, "/wait 3d"), "dirk") == []
    async with db.session() as session:
        skipped = await session.scalar(
            select(Occurrence.outcome).where(Occurrence.kind == "nudge.holiday")
        )
    assert skipped == "skipped"
    out = await run_script(console, "/wait 7d")
    assert "EEN TIP OM JE PLG TE DELEN" in out
    assert "ook horen over de focus, aanpak en meerwaarde" in out
    assert "[Gedeeld: /press" in out


async def test_someone_elses_or_an_old_tip_changes_nothing(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, SETUP)
    [n] = dm(await run_script(console, "/wait 3d"), "dirk")
    out = await run_script(console, f"/as anouk\n/press {n}.1")
    assert "That tip is no longer open." in out
    assert await nudges(db) == [("dirk", None, False)]


def command(text: str) -> object:
    event = InboundMessage(
        school=SchoolRef("console", "t"),
        event_id="e",
        message_id="m",
        author=PersonRef("u"),
        channel=ChannelRef("dm", is_direct=True),
        text=text,
        sent_at=NOW,
        addressed_to_bot=True,
    )
    return parse(event).command


def test_stop_and_start_commands_in_english_and_dutch() -> None:
    for text in ("stop tips", "stop nudges", "Stop these nudges!", "geen tips", "tips uit"):
        assert command(text) == StopNudges(), text
    for text in ("tips on", "tips aan", "nudges on", "start tips"):
        assert command(text) == StartNudges(), text
    assert command("stop") != StopNudges()


async def test_my_network_in_english_and_dutch(console: ConsoleSession, db: Database) -> None:
    await run_script(console, SETUP)
    out = await run_script(console, "/as dirk\nmy network")
    assert "YOUR PLG NETWORK, LAST 12 WEEKS" in out
    assert re.search(r"Colleagues you shared with +4", out)
    assert "results: 4×" in out
    out = await run_script(console, "/as fleur\nmijn netwerk")
    assert "JOUW PLG-NETWERK, AFGELOPEN 12 WEKEN" in out
    assert re.search(r"Collega's die met jou deelden +2", out)


async def _school_id(db: Database) -> int:
    async with db.session() as session:
        school = await directory.find_school(session, "test")
        assert school is not None
        return school.id
