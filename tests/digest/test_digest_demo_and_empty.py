"""The digest on the demo school (numbers checked against an independent count over
the same interactions, pictures that are real pictures), on an empty school, an empty
week and a holiday week."""

from __future__ import annotations

import io
from datetime import date, timedelta

import networkx as nx
from PIL import Image
from sqlalchemy import select

from bot.catalogue import Language
from bot.demo.school import load_demo
from bot.digest.document import as_markdown
from bot.digest.messages import digest_document, school_message
from bot.digest.pictures import network_png, render_pictures, trend_png
from bot.digest.weekly import Digest, compute
from bot.knowledge.types import ALL_TYPES
from bot.network.key_figures import Window, find_key_figures
from storage import Database, directory, holidays
from storage.holidays import HolidaySpan
from storage.interactions import ties_in_window
from storage.models import Interaction
from storage.school_settings import DEFAULTS
from tests.digest.conftest import EDGES, NOW, STAFF, WEEK, WEEK_START, School


def assert_real_png(data: bytes, *, min_size: tuple[int, int]) -> None:
    """A PNG of at least ``min_size`` pixels with more than a few colours in it."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.width >= min_size[0] and image.height >= min_size[1]
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 20, "a blank or one-colour picture"
    # Not mostly one colour either: the background is at most 97% of the pixels.
    assert max(count for count, _ in colours) < 0.97 * image.width * image.height


async def test_the_demo_school_digest_matches_an_independent_count(any_db: Database) -> None:
    await load_demo(any_db, now=NOW)
    async with any_db.session() as session:
        school = await directory.find_school(session, "demo")
        assert school is not None
        digest = await compute(session, school.id, WEEK, now=NOW)
        staff = await directory.people_of_school(session, school.id)
        week_ties = await ties_in_window(
            session, school_id=school.id, since=digest.since, until=digest.until
        )
        window = Window(digest.until - timedelta(weeks=12), digest.until, 12)
        window_ties = await ties_in_window(
            session, school_id=school.id, since=window.since, until=window.until
        )
        figures = await find_key_figures(session, school.id, window, DEFAULTS)
        week_rows = (
            await session.scalars(
                select(Interaction).where(
                    Interaction.school_id == school.id,
                    Interaction.occurred_at >= digest.since,
                    Interaction.occurred_at < digest.until,
                )
            )
        ).all()
        # A conversation is one count: a discussed's two edges share message and pair.
        conversations: dict[tuple[object, frozenset[int]], int] = {}
        for row in week_rows:
            key = (row.message_key or row.id, frozenset((row.source_id, row.target_id)))
            conversations[key] = conversations.get(key, 0) | row.knowledge
        kinds = list(conversations.values())
        assert len(kinds) < len(week_rows), "the demo week has discussed conversations"

    assert digest.staff == len(staff) == 40
    assert digest.active == len({p for t in week_ties for p in (t.source_id, t.target_id)})
    assert digest.active > 10, "the demo school is busy"
    graph = nx.DiGraph((t.source_id, t.target_id) for t in window_ties)
    undirected = graph.to_undirected(reciprocal=False)
    both = graph.to_undirected(reciprocal=True)
    assert (digest.ties, digest.reciprocal_ties) == (
        undirected.number_of_edges(),
        both.number_of_edges(),
    )
    assert len(digest.edges) == digest.ties
    assert [k.name for k in digest.key_figures] == [f.name for f in figures]
    assert digest.key_figures[0].profile == "super_sharer"
    assert digest.balance.interactions == len(kinds)
    assert digest.balance.counts == tuple(
        sum(1 for k in kinds if k & kind.value) for kind in ALL_TYPES
    )
    assert all(g.staff >= 5 for g in digest.by_role + digest.by_department)

    text = as_markdown(digest_document(digest, "en")).replace("\\", "")
    assert f"{digest.active} of 40 staff" in text
    assert f"1. {figures[0].name}: super-sharer" in text


async def test_the_pictures_render_and_are_real_pictures(any_db: Database) -> None:
    await load_demo(any_db, now=NOW)
    async with any_db.session() as session:
        school = await directory.find_school(session, "demo")
        assert school is not None
        digest = await compute(session, school.id, WEEK, now=NOW)
    pictures = await render_pictures(digest, "nl")
    assert_real_png(pictures.network, min_size=(800, 600))
    assert_real_png(pictures.trend, min_size=(600, 300))
    # Seeded layout: the same digest gives the same picture.
    assert network_png(digest, "nl") == pictures.network
    assert trend_png(digest.trend, "nl") == pictures.trend
    assert network_png(digest, "en") != pictures.network, "the legend is in English"


async def test_an_empty_school_says_so_in_one_sentence(any_db: Database) -> None:
    async with any_db.session() as session:
        school = await directory.ensure_school(
            session, platform="console", tenant_id="leeg", name="De Lege School", now=NOW
        )
        digest = await compute(session, school.id, WEEK, now=NOW)
    assert (digest.staff, digest.active, digest.ties, digest.key_figures) == (0, 0, 0, ())
    message = await school_message(digest, "en")
    assert message.plain_text.splitlines()[1:] == [
        "De Lege School has no staff in plgbot yet, so there is nothing to report."
    ]
    nl = await school_message(digest, "nl")
    assert "heeft nog geen medewerkers in plgbot" in nl.plain_text
    # A picture of nothing still renders (the CLI writes it): a note on white.
    empty = Image.open(io.BytesIO(network_png(digest, "en")))
    assert empty.format == "PNG" and empty.width >= 600


async def _quiet_school(db: Database) -> tuple[School, Digest]:
    """The hand-made staff with only the interactions before W47."""
    school = School(db, "stil")
    await school.add_staff(STAFF)
    await school.add_edges([edge for edge in EDGES if edge[0] < WEEK_START])
    async with db.session() as session:
        return school, await compute(session, school.school_id, WEEK, now=NOW)


async def test_an_empty_week_says_so_instead_of_a_table_of_zeros(any_db: Database) -> None:
    _, digest = await _quiet_school(any_db)
    assert digest.empty and digest.staff == 16
    expected: list[tuple[Language, str]] = [
        ("en", "Nobody logged a PLG conversation in week 2026-W47, so there are no figures"),
        ("nl", "In week 2026-W47 heeft niemand een gesprek over een PLG vastgelegd"),
    ]
    for language, sentence in expected:
        message = await school_message(digest, language)
        lines = message.plain_text.splitlines()
        assert len(lines) == 2 and lines[1].startswith(sentence)
        assert "0%" not in message.plain_text


async def test_a_holiday_week_says_so(any_db: Database) -> None:
    school, _ = await _quiet_school(any_db)
    async with any_db.session() as session:
        await holidays.add_holidays(
            session,
            school.school_id,
            [HolidaySpan("Herfstvakantie", date(2026, 11, 14), date(2026, 11, 22))],
        )
        digest = await compute(session, school.school_id, WEEK, now=NOW)
    assert digest.holiday == "Herfstvakantie"
    message = await school_message(digest, "nl")
    assert message.plain_text.splitlines()[1] == (
        "Week 2026-W47 was schoolvakantie (Herfstvakantie): niemand heeft een gesprek over "
        "een PLG vastgelegd, dus deze week zijn er geen cijfers."
    )
    # With conversations after all, the full digest comes, with a note.
    await school.add_edges([edge for edge in EDGES if edge[0] >= WEEK_START])
    async with any_db.session() as session:
        digest = await compute(session, school.school_id, WEEK, now=NOW)
    text = (await school_message(digest, "en")).plain_text
    assert "Week 2026-W47 was a school holiday (Herfstvakantie), so the figures may be low." in text
    assert "9 of 16 staff (56%)" in text
