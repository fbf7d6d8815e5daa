"""The database computes what networkx computes: random directed multigraphs are stored
through the real storage functions (with deleted messages, opted-out people and edges
outside the window) and every per-person metric is compared with networkx on the edges
that remain (networkx is a test dependency only)."""

from __future__ import annotations

import asyncio
import random
import shutil
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.network.activities import ACTIVITY_ORIGINS, ORIGIN_ACTIVITY
from bot.network.interactions import Origin
from bot.network.key_figures import Window, find_key_figures, rank_key
from bot.network.metrics import PersonMetrics
from storage import Database, contacts, directory
from storage import key_figures as queries
from storage.interactions import NewInteraction, delete_interactions_of_message
from storage.interactions import record_interactions as record
from storage.models import Contact, Person
from storage.school_settings import DEFAULTS
from tests.conftest import NOW

PEOPLE = 9
WINDOW = Window.ending(NOW, 4)
ORIGINS = list(Origin)


@dataclass(frozen=True)
class Edge:
    source: int
    target: int
    days_ago: int  # negative: after the window's end
    knowledge: int
    origin: Origin
    message: int


edges_strategy = st.lists(
    st.builds(
        Edge,
        source=st.integers(0, PEOPLE - 1),
        target=st.integers(0, PEOPLE - 1),
        days_ago=st.integers(-3, 40),
        knowledge=st.integers(0, 31),
        origin=st.sampled_from(ORIGINS),
        message=st.integers(0, 12),
    ),
    max_size=70,
)
scenario = st.tuples(
    edges_strategy,
    st.sets(st.integers(0, 12), max_size=3),  # messages deleted afterwards
    st.sets(st.integers(0, PEOPLE - 1), max_size=2),  # people who opted out
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; every example starts from a copy of it."""
    path = tmp_path_factory.mktemp("kf") / "template.db"

    async def migrate() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await db.upgrade()
        await db.dispose()

    asyncio.run(migrate())
    return path


def expected(
    edges: list[Edge], deleted: set[int], opted: set[int]
) -> dict[int, tuple[PersonMetrics, int, int]]:
    """networkx's metrics of the remaining edges in the window, with the knowledge and
    activity bits each person sent."""
    stored: dict[tuple[int, int, int], Edge] = {}
    for e in edges:
        # One edge per message and pair (the unique key); no self-loops.
        if e.source != e.target:
            stored.setdefault((e.message, e.source, e.target), e)
    window = [
        e
        for e in stored.values()
        if e.message not in deleted
        and e.source not in opted
        and e.target not in opted
        and 0 <= e.days_ago < 28
    ]
    graph = nx.MultiDiGraph()
    graph.add_edges_from((e.source, e.target) for e in window)
    simple = nx.DiGraph(graph)
    knowledge: dict[int, int] = {}
    activities: dict[int, int] = {}
    for e in window:
        knowledge[e.source] = knowledge.get(e.source, 0) | e.knowledge
        activities[e.source] = activities.get(e.source, 0) | ORIGIN_ACTIVITY[e.origin].value
    result = {}
    for node in simple.nodes:
        out, into = set(simple.successors(node)), set(simple.predecessors(node))
        metrics = PersonMetrics(
            node,
            len(out),
            len(into),
            len(out & into),
            len(out | into),
            graph.degree(node),
        )
        result[node] = (metrics, knowledge.get(node, 0), activities.get(node, 0))
    return result


async def check(
    db: Database, tenant: str, edges: list[Edge], deleted: set[int], opted: set[int]
) -> None:
    """Store the scenario as school ``tenant`` and compare with networkx."""
    async with db.session() as session:
        school = await directory.ensure_school(
            session, platform="console", tenant_id=tenant, name=tenant, now=NOW
        )
        ids = []
        for n in range(PEOPLE):
            person = await directory.ensure_person(
                session,
                school_id=school.id,
                platform_user_id=f"p{n}",
                display_name=f"p{n}",
                now=NOW,
            )
            ids.append(person.id)
        await record(
            session,
            [
                NewInteraction(
                    school_id=school.id,
                    source_id=ids[e.source],
                    target_id=ids[e.target],
                    origin=e.origin.value,
                    knowledge=e.knowledge,
                    occurred_at=NOW - timedelta(days=e.days_ago, hours=1),
                    message_key=f"{tenant}:m{e.message}",
                )
                for e in edges
            ],
        )
    async with db.session() as session:
        for message in deleted:
            await delete_interactions_of_message(session, f"{tenant}:m{message}")
        for n in opted:
            opting = await session.get(Person, ids[n])
            assert opting is not None
            opting.opted_out_at = NOW
    # With an edge after the window's end only the grouped path is exact.
    future = any(e.days_ago < 0 for e in edges)
    want = {
        ids[n]: (replace(m, person_id=ids[n]), knowledge, activities)
        for n, (m, knowledge, activities) in expected(edges, deleted, opted).items()
    }
    names = {ids[n]: f"p{n}" for n in range(PEOPLE)}
    await compare(db, school.id, want, names, future=future)


async def compare(
    db: Database,
    school_id: int,
    want: dict[int, tuple[PersonMetrics, int, int]],
    names: dict[int, str],
    *,
    future: bool,
) -> None:
    async with db.session() as session:
        state = (
            await queries.school_states(
                session, [school_id], since=WINDOW.since, until=WINDOW.until
            )
        )[school_id]
        opted = list(state.opted_out)
        assert state.none_after or future
        assert state.any_since or not want
        if not future:
            # Windows ending after the last interaction: the contacts rollup is exact.
            ranking = await queries.colleague_ranking(
                session, [school_id], since=WINDOW.since, opted_out=opted
            )
            got = {p: (d, r) for p, d, r in ranking[school_id]}
            assert got == {p: (m.degree, m.reciprocal_ties) for p, (m, _, _) in want.items()}
            details = await queries.candidates(
                session,
                list(want),
                since=WINDOW.since,
                until=WINDOW.until,
                opted_out=opted,
                activities=ACTIVITY_ORIGINS,
            )
            for person, (m, knowledge, activities) in want.items():
                c = details[person]
                assert (c.out_ties, c.interactions) == (m.out_ties, m.interactions)
                assert (c.knowledge, c.activities) == (knowledge, activities)
        ranked = sorted(want, key=lambda p: rank_key(want[p][0], names[p]))
        for from_contacts in (None, False) if future else (None, True, False):
            figures = await find_key_figures(
                session, school_id, WINDOW, DEFAULTS, from_contacts=from_contacts
            )
            assert [k.person_id for k in figures] == ranked[:3]
            assert [k.place.metrics for k in figures] == [want[p][0] for p in ranked[:3]]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scenario)
def test_database_metrics_match_networkx(
    template: Path, tmp_path: Path, case: tuple[list[Edge], set[int], set[int]]
) -> None:
    path = tmp_path / "example.db"
    shutil.copyfile(template, path)

    async def run() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        try:
            await check(db, "p", *case)
        finally:
            await db.dispose()

    try:
        asyncio.run(run())
    finally:
        path.unlink()


async def test_random_networks_agree_with_networkx_on_both_databases(any_db: Database) -> None:
    """The same comparison on PostgreSQL too (its own query shape): seeded scenarios,
    one school each, in one database."""
    rng = random.Random(6)
    for n in range(25):
        edges = [
            Edge(
                rng.randrange(PEOPLE),
                rng.randrange(PEOPLE),
                rng.randint(-1 if n % 5 == 0 else 0, 40),
                rng.randrange(32),
                rng.choice(ORIGINS),
                rng.randrange(12),
            )
            for _ in range(rng.randrange(60))
        ]
        deleted = set(rng.sample(range(12), rng.randrange(3)))
        opted = set(rng.sample(range(PEOPLE), rng.randrange(3)))
        await check(any_db, f"s{n}", edges, deleted, opted)


async def test_the_rollup_equals_a_rebuild_after_inserts_and_deletes(db: Database) -> None:
    """What record/delete keep up is what the migration's backfill builds from scratch."""
    edges = [
        Edge(0, 1, 2, 1, Origin.TOLD, 0),
        Edge(1, 0, 5, 2, Origin.HEARD, 1),
        Edge(0, 1, 9, 4, Origin.MENTION, 2),
        Edge(2, 0, 1, 8, Origin.DISCUSSED, 3),
        Edge(0, 2, 3, 0, Origin.DISCUSSED, 3),
    ]
    async with db.session() as session:
        school = await directory.ensure_school(
            session, platform="console", tenant_id="r", name="r", now=NOW
        )
        ids = [
            (
                await directory.ensure_person(
                    session,
                    school_id=school.id,
                    platform_user_id=f"r{n}",
                    display_name="r",
                    now=NOW,
                )
            ).id
            for n in range(3)
        ]
        await record(
            session,
            [
                NewInteraction(
                    school_id=school.id,
                    source_id=ids[e.source],
                    target_id=ids[e.target],
                    origin=e.origin.value,
                    knowledge=e.knowledge,
                    occurred_at=NOW - timedelta(days=e.days_ago),
                    message_key=f"m{e.message}",
                )
                for e in edges
            ],
        )
    async with db.session() as session:
        await delete_interactions_of_message(session, "m0")
        await delete_interactions_of_message(session, "m3")

    async def rows() -> list[tuple[object, ...]]:
        async with db.session() as session:
            found = await session.execute(
                Contact.__table__.select().order_by(Contact.person_id, Contact.other_id)
            )
            return [tuple(r) for r in found]

    kept = await rows()
    async with db.session() as session:
        await contacts.rebuild_contacts(session)
    assert kept == await rows()
    # Only 0 and 1 are still in touch: 1 -> 0 five days ago, 0 -> 1 nine days ago.
    assert [(r[0], r[1]) for r in kept] == [(ids[0], ids[1]), (ids[1], ids[0])]
    nine, five = NOW - timedelta(days=9), NOW - timedelta(days=5)
    # last_out, last_in, last_any, last_both
    assert kept[0][3:] == (nine, five, five, nine)
