"""SQLite statements run on the event loop's thread, and a lock held by another process
is waited for without blocking the loop (storage.sqlite_connection)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import Database
from storage.events import claim_event

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


@pytest.fixture
async def sqlite_file(tmp_path: Path) -> AsyncIterator[tuple[Database, Path]]:
    path = tmp_path / "plgbot.db"
    database = Database(f"sqlite:///{path}")
    await database.upgrade()
    yield database, path
    await database.dispose()


async def test_statements_run_on_the_loops_thread(sqlite_file: tuple[Database, Path]) -> None:
    db, _ = sqlite_file
    seen: list[int] = []

    def where(_: object) -> int:
        seen.append(threading.get_ident())
        return 1

    async with db.session() as session:
        raw = await session.connection()
        driver = (await raw.get_raw_connection()).driver_connection
        assert driver is not None
        await driver._execute(driver._conn.create_function, "where_am_i", 1, where)
        await session.execute(text("SELECT where_am_i(1)"))
        assert await claim_event(session, "slack:T1:Ev1", NOW)
    assert seen == [threading.get_ident()]
    async with db.session() as session:
        assert not await claim_event(session, "slack:T1:Ev1", NOW)


async def test_a_lock_held_elsewhere_is_waited_for_while_the_loop_runs_on(
    sqlite_file: tuple[Database, Path],
) -> None:
    db, path = sqlite_file
    # Another process's writer, as a CLI command would be: it holds the write lock.
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute(
        "INSERT INTO deliveries (key, state, received_at, attempts) VALUES ('x', 'done', '2026', 0)"
    )

    async def claim() -> bool:
        async with db.session() as session:
            return await claim_event(session, "slack:T1:Ev2", NOW)

    waiting = asyncio.create_task(claim())
    ticks = 0
    # The loop keeps running other work while the claim waits for the lock; were the
    # wait on the loop's thread, this coroutine would not get a turn until the claim
    # had failed.
    while ticks < 50:
        await asyncio.sleep(0.001)
        ticks += 1
        assert not waiting.done()
    other.execute("COMMIT")
    other.close()
    assert await waiting
    async with db.session() as session:
        keys = (await session.execute(text("SELECT key FROM deliveries"))).scalars()
        assert set(keys) == {"x", "slack:T1:Ev2"}


async def test_a_lock_held_past_the_busy_timeout_is_an_error_not_a_hang(
    sqlite_file: tuple[Database, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage import sqlite_connection

    monkeypatch.setattr(sqlite_connection, "BUSY_TIMEOUT_MS", 50)
    db, path = sqlite_file
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Exception, match="database is locked"):
            async with db.session() as session:
                await claim_event(session, "slack:T1:Ev3", NOW)
    finally:
        other.execute("ROLLBACK")
        other.close()
    async with db.session() as session:
        assert await claim_event(session, "slack:T1:Ev3", NOW)
