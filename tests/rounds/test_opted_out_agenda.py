"""Regression: a colleague who replied to a round and then opted out was still named on
its agenda. They are never named again (design.md, Privacy), on every agenda: the lead's
``round agenda N``, the agenda posted at closing, and ``plgbot agenda``. Their reply
still counts, in the totals and per role and department."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from adapters.console import ConsoleSession
from adapters.console.scheduling import run_until
from bot.clock import FixedClock
from bot.service import Bot
from storage import Database
from tests.helpers import run_script
from tests.rounds.harness import WEEKLY, RecordingMessenger, round_jobs, school
from tests.test_cli import plgbot

# Bram (English) opts out with "opt out", Dirk (Dutch, no language of his own) with
# "afmelden"; Chantal stays in. The round is posted on Monday 2026-11-23.
REPLIED_THEN_OPTED_OUT = """
/as bram
answer 1 Homework is never checked.
opt out
/as chantal
answer 1 Motivation drops after the first tests.
/as dirk
answer 1 The step from havo-2 is big.
afmelden
"""

GONE = ("Bram Jansen", "Dirk Visser", "@bram", "@dirk")


async def test_round_agenda_names_nobody_who_opted_out(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    await run_script(console, f"/as anouk\n{WEEKLY}\n/wait 3d")
    out = await run_script(console, REPLIED_THEN_OPTED_OUT)
    assert "Done: from now on I log nothing about you" in out
    assert "Gedaan: vanaf nu leg ik niets meer over je vast" in out

    shown = await run_script(console, "/as anouk\nround agenda 1")
    assert "1. Homework is never checked. — a colleague" in shown
    assert "2. Motivation drops after the first tests. — Chantal Bakker" in shown
    assert "3. The step from havo-2 is big. — a colleague" in shown
    # Counted all the same: three colleagues, with their roles and departments.
    assert "Replies       3 (colleagues: 3)" in shown
    assert "Roles         teacher: 2, team leader: 1" in shown
    assert "Departments   Dutch: 1, Mathematics: 1, Science: 1" in shown
    assert not [name for name in GONE if name in shown]

    # Closing: the agenda in the PLG's channel (the school's Dutch) and to the lead.
    closed = await run_script(console, "/wait 5d")
    channel = closed[closed.index("#datateam plgbot: AGENDA") :]
    lead = closed[closed.index("dm @anouk plgbot:") :]
    assert "1. Homework is never checked. — een collega" in channel
    assert "1. Homework is never checked. — a colleague" in lead
    for agenda in (channel, lead):
        assert "Chantal Bakker" in agenda
        assert not [name for name in GONE if name in agenda]


async def test_opting_in_again_names_them_again(console: ConsoleSession, db: Database) -> None:
    """Only while opted out: "opt in" is consent to be named again."""
    await school(console, db)
    await run_script(console, f"/as anouk\n{WEEKLY}\n/wait 3d")
    await run_script(console, REPLIED_THEN_OPTED_OUT + "/as bram\nopt in\n")
    shown = await run_script(console, "/as anouk\nround agenda 1")
    assert "1. Homework is never checked. — Bram Jansen" in shown
    assert "3. The step from havo-2 is big. — a colleague" in shown


async def _closed_round_with_opted_out_repliers(database_url: str) -> None:
    db = Database(database_url)
    await db.upgrade()
    clock = FixedClock(datetime(2026, 11, 20, 10, tzinfo=UTC))
    bot = Bot(db, clock=clock)
    console = ConsoleSession(bot, db, school="test", clock=clock)
    try:
        await school(console, db)
        await run_script(console, f"/as anouk\n{WEEKLY}")
        jobs = round_jobs(bot, RecordingMessenger())
        await run_until([jobs], clock, datetime(2026, 11, 23, 9, tzinfo=UTC))
        await run_script(console, REPLIED_THEN_OPTED_OUT)
        await run_until([jobs], clock, datetime(2026, 11, 28, tzinfo=UTC))
    finally:
        await db.dispose()


async def test_plgbot_agenda_names_nobody_who_opted_out(tmp_path: Path) -> None:
    await _closed_round_with_opted_out_repliers(f"sqlite:///{tmp_path / 'cli.db'}")
    dutch = plgbot(tmp_path, "agenda", "1")
    assert dutch.returncode == 0, dutch.stderr
    assert "Homework is never checked. — een collega" in dutch.stdout
    assert "Motivation drops after the first tests. — Chantal Bakker" in dutch.stdout
    assert "- **Antwoorden:** 3 (collega's: 3)" in dutch.stdout

    written = plgbot(tmp_path, "agenda", "1", "--language", "en", "--out", "agenda.md")
    assert written.returncode == 0, written.stderr
    english = (tmp_path / "agenda.md").read_text(encoding="utf-8")
    assert "The step from havo-2 is big. — a colleague" in english
    assert "- **Roles:** teacher: 2, team leader: 1" in english
    for markdown in (dutch.stdout, english):
        assert not [name for name in GONE if name in markdown]
