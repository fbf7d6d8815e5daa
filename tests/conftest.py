"""Shared fixtures: a real database per test, the real core, a console session.

The database is a fresh SQLite file, or, with ``PLGBOT_TEST_DATABASE=postgresql``, a
fresh database on the throwaway PostgreSQL server: `make test` runs the suite both ways.
"""

from __future__ import annotations

import os
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


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where this test's data lives; every fixture and server in the test uses it."""
    if ON_POSTGRESQL:
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite+aiosqlite:///{tmp_path / 'plgbot.db'}"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """The same test on a real SQLite file and on a real PostgreSQL server."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'plgbot.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    database = Database(url)
    await database.upgrade()
    yield database
    await database.dispose()
