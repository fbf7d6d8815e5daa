"""The demo school: its staff, PLGs and a network with clear key figures, loaded once."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from bot.catalogue import catalogue, placeholders
from bot.demo.school import DemoSummary, demo_exists, describe, load_demo
from bot.knowledge.types import KnowledgeType
from bot.network.interactions import Origin
from bot.network.metrics import person_metrics
from storage import Database, directory
from storage.interactions import shared_knowledge_counts, ties_in_window
from storage.models import PLG, Interaction, Person

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
SINCE = NOW - timedelta(weeks=12)
FOCUS, PROCESS, BENEFITS = KnowledgeType.FOCUS, KnowledgeType.PROCESS, KnowledgeType.BENEFITS
ROLES = {"teacher", "plg_lead", "team_leader", "school_leader", "coordinator", "support"}

OpenDatabase = Callable[[str], Awaitable[Database]]
Row = tuple[str, str, str, int, datetime, str | None, str | None]


@pytest.fixture
async def open_db(tmp_path: Path) -> AsyncIterator[OpenDatabase]:
    """Fresh, migrated SQLite files, all disposed of when the test ends."""
    opened: list[Database] = []

    async def open_(name: str = "t.db") -> Database:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / name}")
        opened.append(db)
        await db.upgrade()
        return db

    yield open_
    for db in opened:
        await db.dispose()


@pytest.fixture
async def demo(open_db: OpenDatabase) -> tuple[Database, DemoSummary]:
    db = await open_db("t.db")
    return db, await load_demo(db, now=NOW)


async def rows(db: Database) -> list[Row]:
    """Every interaction as (source, target, origin, knowledge, time, PLG, message key)."""
    source, target = aliased(Person), aliased(Person)
    async with db.session() as session:
        result = await session.execute(
            select(
                source.handle,
                target.handle,
                Interaction.origin,
                Interaction.knowledge,
                Interaction.occurred_at,
                PLG.name,
                Interaction.message_key,
            )
            .join(source, source.id == Interaction.source_id)
            .join(target, target.id == Interaction.target_id)
            .outerjoin(PLG, PLG.id == Interaction.plg_id)
            .order_by(Interaction.message_key, source.handle, target.handle)
        )
        return [(s or "", t or "", o, k, at, p, key) for s, t, o, k, at, p, key in result]


async def test_the_school_has_forty_staff_with_the_shared_fixture_people(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, summary = demo
    assert (summary.school, summary.tenant_id, summary.created) == ("Demo College", "demo", True)
    async with db.session() as session:
        school = await directory.find_school(session, "demo")
        assert school is not None
        assert (school.platform, school.language) == ("console", "nl")
        people = {p.handle: p for p in await directory.people_of_school(session, school.id)}
    assert summary.staff == len(people) == 40
    expected = {
        "anouk": ("Anouk de Vries", "plg_lead", "Wiskunde"),
        "bram": ("Bram Jansen", "teacher", "Wiskunde"),
        "chantal": ("Chantal Bakker", "teacher", "Exacte vakken"),
        "dirk": ("Dirk Visser", "team_leader", "Onderbouw"),
    }
    for handle, (name, role, department) in expected.items():
        person = people[handle]
        assert (person.display_name, person.role, person.department) == (name, role, department)
    assert all(p.platform_user_id == p.handle for p in people.values())
    roles = Counter(p.role for p in people.values())
    assert set(roles) == ROLES
    assert roles["teacher"] > len(people) / 2
    # Two colleagues called Tom: the second gets a numbered handle.
    assert {"tom", "tom2"} <= people.keys()
    assert len({p.display_name.split()[-1] for p in people.values()}) > 30


async def test_three_plgs_with_leads_members_channels_and_a_next_meeting(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, summary = demo
    async with db.session() as session:
        school = await directory.find_school(session, "demo")
        assert school is not None
        plgs = {plg.name: plg for plg in await directory.plgs_of_school(session, school.id)}
        counts = await directory.member_counts(session, school.id)
        assert len(plgs) == 3
        assert {plg.kind for plg in plgs.values()} == {"data_team", "lesson_study", "other"}
        for plg in plgs.values():
            assert 3 <= counts[plg.id] <= 8
            assert 1 <= len(await directory.leads_of(session, plg.id)) <= 2
            assert len(await directory.channels_of_plg(session, plg.id)) == 1
            assert plg.next_meeting is not None
            assert plg.next_meeting > NOW.date()
        data_team = plgs["Datateam havo-3"]
        assert data_team.focus.startswith("Relatief veel havo 3-leerlingen blijven zitten")
        assert [p.handle for p in await directory.leads_of(session, data_team.id)] == ["anouk"]
        linked = await directory.channel_with_plg(session, school.id, "datateam-havo3")
        assert linked is not None
        assert linked[1].id == data_team.id
    assert [(p.name, p.members) for p in summary.plgs] == [
        (plg.name, counts[plg.id]) for plg in sorted(plgs.values(), key=lambda p: p.name)
    ]


async def test_twelve_weeks_of_interactions_on_school_days(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, summary = demo
    logged = await rows(db)
    assert 600 <= len(logged) <= 1500
    assert summary.interactions == len(logged)
    amsterdam = ZoneInfo("Europe/Amsterdam")
    for *_, at, _plg, _key in logged:
        assert at.tzinfo is not None
        assert SINCE <= at < NOW
        assert at.astimezone(amsterdam).weekday() < 5
    # One logged message makes one edge, or two when it runs both ways.
    per_message = Counter(key for *_, key in logged)
    assert all(key is not None and key.startswith("demo:") for key in per_message)
    assert set(per_message.values()) <= {1, 2}
    assert sum(plg is not None for *_, plg, _key in logged) > 0.8 * len(logged)


async def test_every_origin_appears_and_results_outnumber_the_rest(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, _ = demo
    logged = await rows(db)
    both_ways = {Origin.DISCUSSED.value, Origin.SURVEY.value}
    origins = Counter(origin for _, _, origin, *_ in logged)
    assert set(origins) == {o.value for o in Origin if o is not Origin.ROUND_REPLY}
    assert all(origins[o] % 2 == 0 for o in both_ways)
    shared = Counter(kind for *_, k, _at, _plg, _key in logged for kind in KnowledgeType(k))
    common = min(shared[KnowledgeType.OUTCOMES], shared[KnowledgeType.ORGANISATION])
    assert all(shared[kind] < common for kind in (FOCUS, PROCESS, BENEFITS))


async def test_the_planned_key_figures_lead_and_some_staff_have_no_ties(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, summary = demo
    assert [p.handle for p in summary.top[:3]] == ["anouk", "sanne", "dirk"]
    async with db.session() as session:
        school = await directory.find_school(session, "demo")
        assert school is not None
        people = {p.handle: p.id for p in await directory.people_of_school(session, school.id)}
        ties = await ties_in_window(session, school_id=school.id, since=SINCE, until=NOW)
        metrics = person_metrics(ties)
        anouk, sanne, dirk = (metrics[people[h]] for h in ("anouk", "sanne", "dirk"))
        shared = await shared_knowledge_counts(
            session, person_id=people["anouk"], since=SINCE, until=NOW
        )
        dirk_shared = await shared_knowledge_counts(
            session, person_id=people["dirk"], since=SINCE, until=NOW
        )
    # The profiles of design.md: super-sharer, interactor, sender.
    assert anouk.reciprocity >= 0.5
    assert all(shared[t.value] for t in (FOCUS, PROCESS, BENEFITS))
    assert 0.3 <= sanne.reciprocity < 0.5
    assert dirk.reciprocity < 0.3
    assert dirk.out_ties >= dirk.in_ties
    outgoing = sum(t.count for t in ties if t.source_id == people["dirk"])
    assert dirk_shared[KnowledgeType.OUTCOMES.value] > outgoing / 2
    # Everyone else stays well below the key figures; most have a handful of ties.
    degrees = [metrics[i].degree if i in metrics else 0 for i in people.values()]
    assert sorted(degrees)[-4] < dirk.degree
    assert sum(d <= 4 for d in degrees) > len(degrees) * 2 / 3
    assert 3 <= degrees.count(0) == summary.staff - summary.active_staff <= 8


async def test_the_same_seed_gives_the_same_network_and_another_seed_another(
    open_db: OpenDatabase,
) -> None:
    networks = []
    for name, seed in (("a.db", 7), ("b.db", 7), ("c.db", 8)):
        db = await open_db(name)
        await load_demo(db, now=NOW, seed=seed)
        networks.append(await rows(db))
    assert networks[0] == networks[1]
    assert networks[0] != networks[2]


async def test_loading_twice_leaves_the_school_as_it_was(open_db: OpenDatabase) -> None:
    db = await open_db("t.db")
    assert not await demo_exists(db)
    first = await load_demo(db, now=NOW)
    assert await demo_exists(db)
    before = await rows(db)
    again = await load_demo(db, now=NOW, seed=8)
    assert not again.created
    assert again == replace(first, created=False)
    assert await rows(db) == before
    assert not await demo_exists(db, tenant_id="other")


async def test_a_school_the_console_opened_without_staff_still_gets_the_demo(
    open_db: OpenDatabase,
) -> None:
    db = await open_db("t.db")
    async with db.session() as session:
        await directory.ensure_school(
            session, platform="console", tenant_id="demo", name=None, now=NOW
        )
    assert not await demo_exists(db)
    summary = await load_demo(db, now=NOW)
    assert summary.created
    assert summary.school == "Demo College"


async def test_describe_in_english_and_dutch(demo: tuple[Database, DemoSummary]) -> None:
    _, summary = demo
    english, dutch = describe(summary), describe(summary, "nl")
    for text in (english, dutch):
        assert "Demo College" in text
        assert "#datateam-havo3" in text
        assert "Anouk de Vries (@anouk" in text
    assert "PLG lead" in english
    assert "PLG-trekker" in dutch
    assert "Loaded the demo school" in english
    assert "Demoschool" in dutch
    assert "PLG-trekker" in describe(summary, "nl-NL")


def test_the_demo_texts_have_the_same_keys_and_placeholders_in_both_languages() -> None:
    en = {k: v for k, v in catalogue("en").items() if k.startswith("demo.")}
    nl = {k: v for k, v in catalogue("nl").items() if k.startswith("demo.")}
    assert en.keys() == nl.keys()
    assert all(placeholders(en[k]) == placeholders(nl[k]) for k in en)
