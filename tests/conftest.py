"""Shared fixtures: a real database per test, the real core, a console session.

The database is a fresh SQLite file, or, with ``PLGBOT_TEST_DATABASE=postgresql``, a
fresh database on the throwaway PostgreSQL server: `make test` runs the suite both ways.
A test that asks for ``db`` gets a copy of a database migrated once per worker (a file
copy, or PostgreSQL's ``CREATE DATABASE … TEMPLATE``), because migrating every test's
database cost more than a minute per run; a test that asks only for ``database_url``
gets an empty one, so that migrating from nothing stays tested.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.console import ConsoleSession
from bot.clock import FixedClock
from bot.service import Bot
from storage import Database
from tests.pg_cluster import PostgresCluster, find_postgres_bin

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
ON_POSTGRESQL = os.environ.get("PLGBOT_TEST_DATABASE", "sqlite") == "postgresql"
# For tests of locks between transactions: the PostgreSQL run has them, SQLite does not.
postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="locks between transactions are PostgreSQL's (SQLite has one writer)",
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def _migrate(url: str) -> None:
    async def migrate() -> None:
        database = Database(url)
        await database.upgrade()
        await database.dispose()

    asyncio.run(migrate())


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to the latest revision, copied by every test that needs one."""
    path = tmp_path_factory.mktemp("template") / "plgbot.db"
    _migrate(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def migrated_postgres(postgres_cluster: PostgresCluster) -> str:
    """The name of a migrated database, the template of every test's own."""
    name = f"template_{uuid.uuid4().hex}"
    _migrate(postgres_cluster.create_database(name))
    return name


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where this test's data lives; every fixture and server in the test uses it."""
    migrated = "db" in request.fixturenames
    if ON_POSTGRESQL:
        cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
        template = request.getfixturevalue("migrated_postgres") if migrated else "template0"
        return cluster.create_database(f"test_{uuid.uuid4().hex}", template=template)
    path = tmp_path / "plgbot.db"
    if migrated:
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    # A no-op on the migrated copy; it fails the test if the copy were not current.
    await database.upgrade()
    yield database
    await database.dispose()


@pytest.fixture
def bot(db: Database, clock: FixedClock) -> Bot:
    return Bot(db, clock=clock)


@pytest.fixture
def console(bot: Bot, db: Database, clock: FixedClock, tmp_path: Path) -> ConsoleSession:
    return ConsoleSession(bot, db, school="test", clock=clock, files_dir=tmp_path / "files")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    bindir = find_postgres_bin()
    if bindir is None:
        # CI installs PostgreSQL (.ci/run), so there a missing server is a broken setup.
        if os.environ.get("CI") == "true":
            pytest.fail("no PostgreSQL server binaries found, and CI=true")
        pytest.skip("no PostgreSQL server binaries found (install Debian's postgresql)")
    with PostgresCluster(bindir) as cluster:
        yield cluster


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """A fresh, empty database per test; the whole cluster goes after the session."""
    return postgres_cluster.create_database(f"test_{uuid.uuid4().hex}")


@pytest.fixture
def any_db(db: Database) -> Database:
    """A test that must hold on both databases: `make test` runs it on each (not twice on each)."""
    return db
