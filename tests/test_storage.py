"""Storage on a real SQLite file and a real PostgreSQL server: the same answers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from storage import Database, directory, interactions
from storage.events import claim_event
from storage.interactions import NewInteraction, Tie
from storage.models import Interaction, Person

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


async def _school_with_people(db: Database, n: int = 3) -> tuple[int, list[int]]:
    async with db.session() as session:
        school = await directory.ensure_school(
            session, platform="console", tenant_id="t", name="T", now=NOW
        )
        ids = []
        for i in range(n):
            person = await directory.ensure_person(
                session,
                school_id=school.id,
                platform_user_id=f"u{i}",
                display_name=f"Person {i}",
                now=NOW,
            )
            ids.append(person.id)
        return school.id, ids


async def test_migrations_create_every_table_and_are_current(database_url: str) -> None:
    # database_url without db: an empty database, migrated here from nothing.
    database = Database(database_url)
    async with database.engine.connect() as conn:
        assert await conn.run_sync(lambda c: inspect(c).get_table_names()) == []
    await database.upgrade()
    async with database.engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert {
        "schools",
        "people",
        "plgs",
        "plg_members",
        "channels",
        "posts",
        "interactions",
        "deliveries",
        "question_rounds",
        "round_replies",
        "alembic_version",
    } <= tables
    assert await database.is_current()
    await database.upgrade()  # a second upgrade is a no-op, not an error
    await database.dispose()


async def test_a_delivery_is_claimed_once_even_by_concurrent_workers(any_db: Database) -> None:
    async def claim() -> bool:
        async with any_db.session() as session:
            return await claim_event(session, "slack:T1:Ev1", NOW)

    results = await asyncio.gather(*(claim() for _ in range(8)))
    assert sorted(results) == [False] * 7 + [True]


async def test_a_failed_handling_releases_the_claim(any_db: Database) -> None:
    async def claim_then_crash() -> None:
        async with any_db.session() as session:
            assert await claim_event(session, "slack:T1:Ev2", NOW)
            raise RuntimeError("crash after the claim, before the commit")

    with pytest.raises(RuntimeError):
        await claim_then_crash()
    async with any_db.session() as session:
        assert await claim_event(session, "slack:T1:Ev2", NOW)


async def test_an_edge_is_stored_once_per_message(any_db: Database) -> None:
    school, (a, b, _) = await _school_with_people(any_db)
    edge = NewInteraction(school, a, b, "mention", 4, NOW, message_key="m1")
    async with any_db.session() as session:
        assert await interactions.record_interactions(session, [edge, edge]) == 1
    async with any_db.session() as session:
        assert await interactions.record_interactions(session, [edge]) == 0
        count = len((await session.scalars(select(Interaction))).all())
    assert count == 1


async def test_ties_are_aggregated_in_the_database_with_or_of_knowledge(
    any_db: Database,
) -> None:
    school, (a, b, c) = await _school_with_people(any_db)
    rows = [
        NewInteraction(school, a, b, "told", 1, NOW - timedelta(days=1), message_key="1"),
        NewInteraction(school, a, b, "told", 4, NOW - timedelta(days=2), message_key="2"),
        NewInteraction(school, a, b, "told", 4 | 8, NOW - timedelta(days=3), message_key="3"),
        NewInteraction(school, b, a, "heard", 0, NOW - timedelta(days=4), message_key="4"),
        NewInteraction(school, c, a, "told", 2, NOW - timedelta(weeks=20), message_key="old"),
    ]
    async with any_db.session() as session:
        await interactions.record_interactions(session, rows)
        ties = await interactions.ties_in_window(
            session, school_id=school, since=NOW - timedelta(weeks=12), until=NOW
        )
        counts = await interactions.shared_knowledge_counts(
            session, person_id=a, since=NOW - timedelta(weeks=12), until=NOW
        )
    assert sorted(ties, key=lambda t: t.source_id) == [Tie(a, b, 3, 1 | 4 | 8), Tie(b, a, 1, 0)]
    assert counts == {1: 1, 2: 0, 4: 2, 8: 1, 16: 0}


async def test_opted_out_people_leave_the_network(any_db: Database) -> None:
    school, (a, b, c) = await _school_with_people(any_db)
    rows = [
        NewInteraction(school, a, b, "told", 0, NOW, message_key="1"),
        NewInteraction(school, c, a, "told", 0, NOW, message_key="2"),
    ]
    async with any_db.session() as session:
        await interactions.record_interactions(session, rows)
        person = await session.get(Person, c)
        assert person is not None
        person.opted_out_at = NOW
    async with any_db.session() as session:
        ties = await interactions.ties_in_window(
            session, school_id=school, since=NOW - timedelta(days=1), until=NOW + timedelta(1)
        )
    assert ties == [Tie(a, b, 1, 0)]


async def test_times_come_back_as_aware_utc_and_naive_times_are_refused(
    any_db: Database,
) -> None:
    school, (a, b, _) = await _school_with_people(any_db)
    amsterdam = timezone(timedelta(hours=1))
    local = datetime(2026, 11, 20, 11, 0, tzinfo=amsterdam)
    async with any_db.session() as session:
        await interactions.record_interactions(
            session, [NewInteraction(school, a, b, "told", 0, local, message_key="tz")]
        )
    async with any_db.session() as session:
        stored = (await session.scalars(select(Interaction))).one().occurred_at
    assert stored == local and stored.tzinfo == UTC and stored.hour == 10
    with pytest.raises(Exception, match="naive datetime"):
        async with any_db.session() as session:
            await interactions.record_interactions(
                session,
                [NewInteraction(school, a, b, "told", 0, datetime(2026, 1, 1), message_key="n")],
            )


async def test_names_are_folded_so_near_duplicates_collide(any_db: Database) -> None:
    school, _ = await _school_with_people(any_db)
    async with any_db.session() as session:
        first = await directory.create_plg(
            session,
            school_id=school,
            name="Datateam Havo-3",
            focus="f",
            kind="data_team",
            now=NOW,
        )
        again = await directory.create_plg(
            session,
            school_id=school,
            name="datateam  HAVO-3",
            focus="f",
            kind="data_team",
            now=NOW,
        )
    assert first is not None and again is None


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        async with db.engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await db.dispose()
