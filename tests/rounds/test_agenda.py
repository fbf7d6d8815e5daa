"""The agenda: themes and follow-up questions, Markdown that user text cannot break,
``plgbot agenda`` and ``plgbot holidays`` as a newcomer runs them, holiday commands."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from adapters.console import ConsoleSession
from adapters.console.scheduling import run_until
from bot.clock import FixedClock
from bot.rounds.agenda import escape_markdown
from bot.rounds.themes import recurring_themes, reply_questions
from bot.service import Bot
from storage import Database
from tests.helpers import run_script
from tests.rounds.harness import WEEKLY, RecordingMessenger, round_jobs, school
from tests.test_cli import PLGBOT, plgbot


def test_themes_are_shared_content_words_across_languages_and_plurals() -> None:
    replies = [
        "Veel leerlingen maken hun huiswerk niet.",
        "Het huiswerk wordt niet gecontroleerd; motivatie zakt.",
        "Leerlingen verliezen hun motivatie na de eerste toetsen.",
        "De leerling mist begeleiding bij het huiswerk.",
    ]
    themes = recurring_themes(replies, question="Waarom blijven leerlingen zitten?")
    assert [(t.label, t.replies) for t in themes] == [
        ("huiswerk", (1, 2, 4)),
        ("motivatie", (2, 3)),
    ], "leerling(en) is the question's own word, not a theme"


def test_words_that_always_come_together_make_one_theme() -> None:
    replies = ["Missed homework deadlines.", "Homework deadlines are missed.", "Tests."]
    assert [t.label for t in recurring_themes(replies)] == ["deadlines, homework, missed"]


def test_follow_up_questions_come_from_the_replies_once_each() -> None:
    replies = ["Homework. Do we check it per step? Maybe.", "do we check it per step?", "No."]
    assert reply_questions(replies) == ["Do we check it per step?"]


def test_markdown_escapes_what_colleagues_type() -> None:
    typed = "**bold** <script>x</script> [link](http://x) # not a heading\n- not a list | pipe"
    escaped = escape_markdown(typed)
    assert "\n" not in escaped
    assert escaped == (
        "\\*\\*bold\\*\\* \\<script\\>x\\</script\\> \\[link\\](http://x)"
        " # not a heading - not a list \\| pipe"
    )
    # Only what Markdown reads is escaped; at the start, what would open a block.
    assert escape_markdown("PLG-bijeenkomst (11-01-2027), waarom?") == (
        "PLG-bijeenkomst (11-01-2027), waarom?"
    )
    assert escape_markdown("# kop") == "\\# kop"
    assert escape_markdown("1. eerst") == "1\\. eerst"
    assert escape_markdown("- lijst") == "\\- lijst"
    assert escape_markdown("&amp; & &#39;") == "\\&amp; & \\&#39;"


async def closed_round(database_url: str) -> None:
    """A round posted, answered (with Markdown in it) and closed, in ``database_url``."""
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
        await run_script(
            console,
            """
            /as bram
            answer 1 **Homework** is <b>never</b> checked # honestly
            /as chantal
            answer 1 Homework and motivation. Do we know which steps pupils skip?
            """,
        )
        await run_until([jobs], clock, datetime(2026, 11, 28, tzinfo=UTC))
    finally:
        await db.dispose()


async def test_plgbot_agenda_prints_markdown(tmp_path: Path) -> None:
    await closed_round(f"sqlite:///{tmp_path / 'cli.db'}")
    result = plgbot(tmp_path, "agenda", "1")
    assert result.returncode == 0, result.stderr
    markdown = result.stdout
    # Markdown for people: only what Markdown would read is escaped.
    assert markdown.startswith("# Agenda PLG-bijeenkomst Datateam havo-3\n")
    assert "- **Antwoorden:** 2 (collega's: 2)" in markdown
    assert (
        "\\*\\*Homework\\*\\* is \\<b\\>never\\</b\\> checked # honestly — Bram Jansen" in markdown
    )
    assert "## Vragen om verder uit te zoeken" in markdown
    assert "- Do we know which steps pupils skip?" in markdown

    written = plgbot(tmp_path, "agenda", "1", "--language", "en", "--out", "agenda.md")
    assert written.returncode == 0, written.stderr
    english = (tmp_path / "agenda.md").read_text(encoding="utf-8")
    assert english.startswith("# Meeting agenda Datateam havo-3\n")
    assert "## Recurring themes" in english
    assert "- homework: 2 replies (1, 2)" in english

    missing = plgbot(tmp_path, "agenda", "9")
    assert missing.returncode == 1
    assert "there is no round 9" in missing.stderr


def test_plgbot_holidays_import_and_list(tmp_path: Path) -> None:
    (tmp_path / "vakanties.yaml").write_text(
        "holidays:\n"
        "  - {name: Kerstvakantie, from: 2026-12-19, to: 2027-01-03}\n"
        "  - {name: Voorjaarsvakantie, from: 2027-02-13, to: 2027-02-21}\n"
        "  - {name: Verkeerd om, from: 2027-05-01, to: 2027-04-01}\n",
        encoding="utf-8",
    )
    assert plgbot(tmp_path, "demo").returncode == 0
    imported = plgbot(tmp_path, "holidays", "import", "--school", "demo", "vakanties.yaml")
    assert imported.returncode == 0, imported.stderr
    assert "skipped: Verkeerd om (hij eindigt voordat hij begint)" in imported.stdout
    assert "2 new, 0 already known" in imported.stdout
    again = plgbot(tmp_path, "holidays", "import", "--school", "demo", "vakanties.yaml")
    assert "0 new, 2 already known" in again.stdout
    listed = plgbot(tmp_path, "holidays", "list", "--school", "demo")
    assert listed.stdout.splitlines() == [
        "2026-12-19 – 2027-01-03  Kerstvakantie",
        "2027-02-13 – 2027-02-21  Voorjaarsvakantie",
    ]
    (tmp_path / "broken.ics").write_text("not a calendar", encoding="utf-8")
    broken = plgbot(tmp_path, "holidays", "import", "--school", "demo", "broken.ics")
    assert broken.returncode == 1 and "not an iCalendar file" in broken.stderr


def test_a_console_script_runs_a_round_end_to_end(tmp_path: Path) -> None:
    """The newcomer's path: the demo school, a round in a PLG channel, time passing."""
    assert plgbot(tmp_path, "demo").returncode == 0
    script = "\n".join(
        [
            "@plgbot ronde nieuw Datateam havo-3 | Waarom blijven havo-3 leerlingen zitten?"
            " | #datateam-havo3 | nu",
            "/wait 1m",
            "/as bram",
            "antwoord Huiswerk wordt niet nagekeken.",
            "/wait 14d",
        ]
    )
    result = plgbot(tmp_path, "console", "--as", "anouk", stdin=script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WHITEBOARDVRAAG VAN DATATEAM HAVO-3 (RONDE 1)" in result.stdout
    assert "AGENDA PLG-BIJEENKOMST DATATEAM HAVO-3" in result.stdout


async def test_holiday_commands_in_chat(console: ConsoleSession, db: Database) -> None:
    await school(console, db)
    out = await run_script(
        console,
        """
        /as bram
        holiday add Kerstvakantie 2026-12-19 2027-01-03
        /as anouk
        holiday add Christmas holiday 2026-12-19 2027-01-03
        holiday add Christmas holiday 2026-12-19 2027-01-03
        holiday add Backwards 2027-01-03 2026-12-19
        holiday add Nothing
        holiday list
        taal nl
        vakantie lijst
        """,
    )
    assert "Only PLG leads, team leaders, school leaders and coordinators" in out
    assert "Added: Christmas holiday, Saturday 19 December 2026 to Sunday 3 January 2027." in out
    assert (
        "Saturday 19 December 2026 to Sunday 3 January 2027 is already a holiday"
        " (Christmas holiday)." in out
    )
    assert "That holiday can't be added: it ends before it starts." in out
    assert "Add a holiday like this:" in out
    assert "• Christmas holiday: 2026-12-19 to 2027-01-03" in out
    assert "• Christmas holiday: 2026-12-19 tot en met 2027-01-03" in out


def test_serve_can_leave_the_scheduler_to_another_process() -> None:
    result = subprocess.run(
        [PLGBOT, "serve", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "--no-scheduler" in result.stdout
