"""The network command, the overview, the form entry point, and what is never stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import String, Text, select

from adapters.console import ConsoleSession
from bot.clock import FixedClock
from bot.events import ChannelRef, InteractionForm, PersonRef, SchoolRef
from bot.knowledge.types import KnowledgeType
from bot.service import Bot
from storage import Database
from storage.models import Base
from tests.helpers import edges, run_script

STAFF = """
/as Anouk de Vries
/as Bram Jansen
/as Chantal Bakker
/as anouk
language en
plg new Datateam havo-3 focus Many havo-3 pupils repeat the year
"""


async def test_network_shows_my_ties_partners_and_knowledge_mix(
    console: ConsoleSession,
) -> None:
    out = await run_script(
        console,
        STAFF
        + """
        told @bram #focus #process
        told @bram #results
        heard from @bram #results
        told @chantal #benefits
        network
        """,
    )
    report = " ".join(out[out.rindex("YOUR PLG NETWORK") :].split())
    assert "Colleagues you shared with 2" in report
    assert "Colleagues who shared with you 1" in report
    assert "Both ways 1" in report
    assert "Colleagues in all 2" in report
    assert "Reciprocity 50%" in report
    assert "Bram Jansen: 3×" in report and "Chantal Bakker: 1×" in report
    assert report.index("Bram Jansen") < report.index("Chantal Bakker")
    assert "focus: 1×" in report and "results: 1×" in report and "benefits: 1×" in report


async def test_network_window_leaves_out_old_interactions(
    console: ConsoleSession, clock: FixedClock
) -> None:
    await run_script(console, STAFF + "told @bram #focus")
    clock.advance(timedelta(weeks=13))
    out = await run_script(console, "network")
    assert "No conversations about a PLG logged for you in the last 12 weeks" in out


async def test_overview_lists_plgs_ties_and_shared_types(console: ConsoleSession, bot: Bot) -> None:
    await run_script(console, STAFF + "told @bram #focus")
    page = await bot.overview(console.school, PersonRef("anouk"))
    text = page.plain_text
    assert "Datateam havo-3 (you lead it)" in text
    assert "Colleagues you shared with: 1" in text
    assert "focus: 1×" in text


def _form(**changes: object) -> InteractionForm:
    values: dict[str, object] = {
        "school": SchoolRef("console", "test"),
        "event_id": "form-1",
        "author": PersonRef("anouk", "Anouk de Vries"),
        "channel": ChannelRef("dm", is_direct=True),
        "colleagues": (PersonRef("bram", "Bram Jansen"), PersonRef("chantal", "Chantal Bakker")),
        "origin": "discussed",
        "knowledge": ("focus", "benefits"),
        "plg": "Datateam havo-3",
        "sent_at": datetime(2026, 11, 20, 9, tzinfo=UTC),
    }
    values.update(changes)
    return InteractionForm(**values)  # type: ignore[arg-type]


async def test_a_submitted_form_logs_like_the_typed_command(
    console: ConsoleSession, bot: Bot, db: Database
) -> None:
    await run_script(console, STAFF)
    replies = await bot.handle(_form())
    assert "Logged: you discussed Datateam havo-3 with Bram Jansen and Chantal Bakker." in (
        replies[0].plain_text
    )
    types = (KnowledgeType.FOCUS | KnowledgeType.BENEFITS).value
    assert sorted(await edges(db)) == sorted(
        [
            ("anouk", "bram", "discussed", types),
            ("bram", "anouk", "discussed", types),
            ("anouk", "chantal", "discussed", types),
            ("chantal", "anouk", "discussed", types),
        ]
    )
    assert await bot.handle(_form()) == [], "a re-submitted form is stored once"


async def test_bad_forms_are_refused_and_store_nothing(
    console: ConsoleSession, bot: Bot, db: Database
) -> None:
    await run_script(console, STAFF)
    cases = {
        "Choose what happened": _form(event_id="f1", origin="gossiped"),
        "Pick at least one colleague": _form(event_id="f2", colleagues=()),
        "“gossip” is not a knowledge type": _form(event_id="f3", knowledge=("gossip",)),
        "I don't know a PLG called “Nope”": _form(event_id="f4", plg="Nope"),
        "You can't log an interaction with yourself": _form(
            event_id="f5", colleagues=(PersonRef("anouk"),)
        ),
    }
    for expected, form in cases.items():
        replies = await bot.handle(form)
        assert expected in replies[0].plain_text
    assert await edges(db) == []


async def test_no_message_text_is_stored_anywhere(console: ConsoleSession, db: Database) -> None:
    secret = "Zwartkopmees"
    await run_script(
        console,
        STAFF
        + f"""
        plg link Datateam havo-3 #dt
        told @bram {secret} #focus
        /in #dt
        @bram {secret} has the #results
        """,
    )
    assert len(await edges(db)) == 2
    async with db.session() as session:
        for table in Base.metadata.sorted_tables:
            text_columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            for column in text_columns:
                values = (await session.scalars(select(column))).all()
                assert not any(secret in (v or "") for v in values), f"{table.name}.{column.name}"
