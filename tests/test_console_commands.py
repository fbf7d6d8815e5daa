"""Logging interactions through the console adapter, the real core and a real SQLite
file: the direction of every origin, in English and Dutch."""

from __future__ import annotations

import pytest

from adapters.console import ConsoleSession
from bot.knowledge.types import KnowledgeType
from storage import Database
from tests.helpers import edges, run_script

STAFF = """
/as Anouk de Vries
/as Bram Jansen
/as Chantal Bakker
/as anouk
"""

F, P, R, B = (
    KnowledgeType.FOCUS.value,
    KnowledgeType.PROCESS.value,
    KnowledgeType.OUTCOMES.value,
    KnowledgeType.BENEFITS.value,
)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("told @bram #focus", [("anouk", "bram", "told", F)]),
        ("I told @bram about our #process", [("anouk", "bram", "told", P)]),
        ("verteld @bram #resultaat", [("anouk", "bram", "told", R)]),
        ("ik heb @bram verteld #meerwaarde", [("anouk", "bram", "told", B)]),
        ("heard @bram #focus", [("bram", "anouk", "heard", F)]),
        ("heard from @bram", [("bram", "anouk", "heard", 0)]),
        ("@bram told me about the #results", [("bram", "anouk", "heard", R)]),
        ("gehoord van @bram", [("bram", "anouk", "heard", 0)]),
        ("@bram heeft mij verteld", [("bram", "anouk", "heard", 0)]),
        (
            "discussed @bram #process",
            [("anouk", "bram", "discussed", P), ("bram", "anouk", "discussed", P)],
        ),
        (
            "besproken met @bram",
            [("anouk", "bram", "discussed", 0), ("bram", "anouk", "discussed", 0)],
        ),
        (
            "told @bram @chantal #focus #benefits",
            [("anouk", "bram", "told", F | B), ("anouk", "chantal", "told", F | B)],
        ),
    ],
)
async def test_interaction_commands_store_edges_in_the_documented_direction(
    console: ConsoleSession, db: Database, command: str, expected: list[tuple[str, str, str, int]]
) -> None:
    await run_script(console, STAFF)
    out = await run_script(console, command)
    assert "Logged" in out or "Vastgelegd" in out
    assert await edges(db) == expected


async def test_confirmation_names_the_colleague_and_the_types_in_the_command_language(
    console: ConsoleSession,
) -> None:
    await run_script(console, STAFF)
    out = await run_script(console, "verteld @bram #focus #proces")
    assert "Vastgelegd: je hebt Bram Jansen verteld." in out
    assert "Gedeelde kennis: focus en aanpak." in out
    out = await run_script(console, "told @bram #focus #process")
    assert "Logged: you told Bram Jansen." in out
    assert "Knowledge shared: focus and process." in out


async def test_only_results_earns_a_hint_to_share_focus_process_and_benefits(
    console: ConsoleSession,
) -> None:
    await run_script(console, STAFF)
    out = await run_script(console, "told @bram #results")
    assert "also hear its focus, its approach and what it brings" in out


async def test_no_types_are_asked_for_with_buttons(console: ConsoleSession) -> None:
    await run_script(console, STAFF)
    out = await run_script(console, "told @bram")
    assert "What did you share: the focus, the process, results, the benefits or" in out
    assert "[focus: /press" in out and "[organisation: /press" in out


async def test_the_plg_is_taken_from_the_text_or_the_authors_only_plg(
    console: ConsoleSession, db: Database
) -> None:
    await run_script(console, STAFF)
    await run_script(
        console,
        """
        plg new Datateam havo-3 focus many havo-3 pupils repeat the year
        plg new Lesson study lezen focus begrijpend lezen in de brugklas
        told @bram about Datateam havo-3 #focus
        """,
    )
    out = await run_script(console, "told @bram about Lesson study lezen")
    assert "about Lesson study lezen" in out
    await run_script(console, "/as bram\nplg join Datateam havo-3")
    out = await run_script(console, "told @anouk #results")
    assert "about Datateam havo-3" in out, "Bram's only PLG is the default"
