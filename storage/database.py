"""Engine, sessions and migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.sqlite_connection import BUSY_TIMEOUT_MS, connector
from storage.turns import Turn

MIGRATIONS = Path(__file__).parent / "migrations"


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database is briefly out of reach (an SQLite file
    locked beyond the busy timeout, a PostgreSQL server restarting or refusing
    connections, a connection cut) rather than that the work itself is wrong: work
    that failed so was rolled back and may simply be tried again."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    for cause in _causes(error):
        if isinstance(cause, ConnectionError):
            return True
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str) and state.startswith(_UNAVAILABLE_STATES):
            return True
    return False


# PostgreSQL's SQLSTATEs for "not now": connection exceptions (08), operator
# intervention such as a shutdown or "cannot connect now" (57P), too many connections
# (53300), a database not accepting connections (55000), and a transaction the server
# rolled back to let a concurrent one through: a deadlock (40P01) or a serialization
# failure (40001). Two Slack events about the same people, handled at once, can meet so.
_UNAVAILABLE_STATES = ("08", "57P", "53300", "55000", "40P01", "40001")


def _causes(error: BaseException) -> list[BaseException]:
    """``error``, the driver's error SQLAlchemy wrapped, and what caused those."""
    found: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending and len(found) < 8:
        current = pending.pop()
        if current is None or any(current is seen for seen in found):
            continue
        found.append(current)
        pending += [getattr(current, "orig", None), current.__cause__, current.__context__]
    return found


def async_url(url: str) -> str:
    """Accept the URLs people write (``postgresql://``, ``sqlite:///x.db``) and pick
    the async driver for them."""
    parsed = make_url(url)
    driver = {
        "postgresql": "postgresql+asyncpg",
        "postgres": "postgresql+asyncpg",
        "sqlite": "sqlite+aiosqlite",
    }.get(parsed.drivername, parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, busy_timeout: int) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web server read while the scheduler writes; busy_timeout turns a
    # briefly locked database into a short wait instead of an error (on the loop's
    # thread it is 0: storage.sqlite_connection waits elsewhere).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout}")
    # Deleted content is overwritten, not left in free pages: message text waits in the
    # inbox until it is processed, and must not linger in the file after (design.md).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


# Set while this task's context holds the process's SQLite turn (Database.session).
_IN_TURN: ContextVar[bool] = ContextVar("plgbot_sqlite_turn", default=False)
# A turn held longer than this means the database itself waits (another process holds
# its lock): sessions then stop queueing and wait at SQLite's lock side by side.
STUCK_TURN = 2.0


class Database:
    """One engine per process; ``session()`` is one unit of work."""

    def __init__(self, url: str, *, pool_size: int = 5, max_overflow: int = 10) -> None:
        self.url = async_url(url)
        kwargs: dict[str, Any] = {}
        busy_timeout = BUSY_TIMEOUT_MS
        if self.is_sqlite:
            parsed = make_url(self.url)
            path = parsed.database
            if path and path != ":memory:":
                Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
                if not parsed.query:
                    # Statements run on the loop's thread (storage.sqlite_connection).
                    kwargs["async_creator"] = connector(str(Path(path).expanduser()))
                    busy_timeout = 0
        else:
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True)
        # Statement parameters never reach a log: the inbox insert carries message text.
        self.engine: AsyncEngine = create_async_engine(self.url, hide_parameters=True, **kwargs)
        if self.is_sqlite:
            pragmas = partial(_sqlite_pragmas, busy_timeout=busy_timeout)
            event.listen(self.engine.sync_engine, "connect", pragmas)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._sqlite = self.is_sqlite
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Turn] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.url).get_backend_name() == "sqlite"

    @asynccontextmanager
    async def session(self, *, urgent: bool = False) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on error.

        On SQLite, a process's sessions take turns (:class:`storage.turns.Turn`; an
        ``urgent`` one, which someone waits for to be answered, goes ahead of the
        others). SQLite has one writer at a time anyway; concurrent transactions on the
        pool's connections instead fail at once with "database is locked" when one that
        read first then writes finds another wrote meanwhile, or poll for the lock,
        unfairly, up to ``busy_timeout``. A session opened inside another (same task)
        does not wait for itself. Other processes still meet at SQLite's lock, and while
        one holds it (a turn lasts over :data:`STUCK_TURN`), sessions wait there side by
        side."""
        turn = await self._take_turn(urgent) if self._sqlite and not _IN_TURN.get() else None
        if turn is None:
            async with self._sessions() as session, session.begin():
                yield session
            return
        holding = _IN_TURN.set(True)
        try:
            async with self._sessions() as session, session.begin():
                yield session
        finally:
            _IN_TURN.reset(holding)
            turn.release()

    async def _take_turn(self, urgent: bool) -> Turn | None:
        """The process's SQLite turn, acquired; None when the database is stuck."""
        turn = self._turns.setdefault(asyncio.get_running_loop(), Turn())
        while not (turn.held and time.monotonic() - turn.taken > STUCK_TURN):
            if await turn.acquire(urgent=urgent, patience=STUCK_TURN):
                return turn
        return None

    async def upgrade(self, revision: str = "heads") -> None:
        """Run the Alembic migrations up to ``revision`` (all heads by default)."""
        async with self.engine.begin() as connection:
            await connection.run_sync(_run_upgrade, revision)

    async def current_revisions(self) -> tuple[str, ...]:
        async with self.engine.connect() as connection:
            return await connection.run_sync(_current_revisions)

    async def is_current(self) -> bool:
        """Whether every migration has run (what ``/readyz`` reports)."""
        heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
        return set(await self.current_revisions()) == heads

    async def dispose(self) -> None:
        await self.engine.dispose()


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _run_upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)


def _current_revisions(connection: Connection) -> tuple[str, ...]:
    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
