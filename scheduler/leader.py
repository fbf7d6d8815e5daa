"""Only one process runs the scheduler.

With PostgreSQL the leader holds a session-level advisory lock on a dedicated
connection: if the process dies, the server drops the connection and the lock with it,
and a waiting process takes over at its next try. With SQLite (one machine) an
exclusive ``flock`` on a file beside the database does the same.

Waiting processes try every ``retry_seconds`` (``PLGBOT_SCHEDULER_TAKEOVER_SECONDS``,
:data:`TAKEOVER_SECONDS` by default), so a dead leader is replaced within that time.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import Database

log = logging.getLogger("plgbot.scheduler")

# An arbitrary constant shared by every plgbot process using the database.
ADVISORY_LOCK_KEY = 0x706C67626F74  # "plgbot"
# How often a waiting process tries the lock, unless the settings say otherwise.
TAKEOVER_SECONDS = 10.0


class LeaderLock(Protocol):
    async def try_acquire(self) -> bool: ...

    async def still_held(self) -> bool: ...

    async def release(self) -> None: ...


class PostgresLeaderLock:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._connection: AsyncConnection | None = None

    async def try_acquire(self) -> bool:
        if self._connection is None:
            self._connection = await self._db.engine.connect()
        got = await self._connection.scalar(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
        )
        await self._connection.commit()
        if not got:
            await self._drop_connection()
        return bool(got)

    async def still_held(self) -> bool:
        if self._connection is None:
            return False
        try:
            await self._connection.scalar(text("SELECT 1"))
            await self._connection.commit()
            return True
        except Exception:  # the connection died: so did the lock
            log.warning("lost the scheduler lock: database connection failed")
            await self._drop_connection()
            return False

    async def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
            await self._drop_connection()

    async def _drop_connection(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None


class FileLeaderLock:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._file: IO[bytes] | None = None

    async def try_acquire(self) -> bool:
        handle = self._path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(str(os.getpid()).encode())
        handle.flush()
        self._file = handle
        return True

    async def still_held(self) -> bool:
        return self._file is not None

    async def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def leader_lock_for(db: Database) -> LeaderLock:
    if db.is_sqlite:
        database = make_url(db.url).database or "plgbot.db"
        base = Path(database) if database != ":memory:" else Path("plgbot-memory")
        return FileLeaderLock(base.with_name(base.name + ".scheduler.lock"))
    return PostgresLeaderLock(db)


async def wait_for_leadership(lock: LeaderLock, *, retry_seconds: float = TAKEOVER_SECONDS) -> None:
    """Return once this process holds the lock, trying every ``retry_seconds``."""
    announced = False
    while not await lock.try_acquire():
        if not announced:
            log.info("another process runs the scheduler; this one waits to take over")
            announced = True
        await asyncio.sleep(retry_seconds)
