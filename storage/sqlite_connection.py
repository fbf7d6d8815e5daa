"""SQLite connections whose statements run on the event loop's own thread.

aiosqlite runs every call (each statement, fetch and commit) on a thread of its own and
hands the result back through the event loop. For a local SQLite file that hop costs
more than the statement: measured on plgbot's event path (15 short statements), about
half of the CPU an event took (``bench/README.md``). In WAL mode with
``synchronous=NORMAL`` a statement on a local file takes microseconds and a commit does
not wait for the disk, so running it in place blocks the loop for less than the hop did.
(The commit that fills the write-ahead log to SQLite's 1,000 pages also checkpoints it,
in place: a few milliseconds about every few thousand events.)

What may take long is waiting for a lock another process holds (a CLI command, a second
server on the same file). So the connection's own ``busy_timeout`` is 0: a statement that
meets a held lock fails at once, in place, without having done anything, and is run
again on aiosqlite's thread with the usual :data:`BUSY_TIMEOUT_MS`, where the wait blocks
nothing but that thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any

import aiosqlite

# How long a statement waits for another process's lock (on aiosqlite's thread).
BUSY_TIMEOUT_MS = 5000


class LoopConnection(aiosqlite.Connection):
    """An ``aiosqlite.Connection`` that runs calls in place and only a call that meets a
    held lock on its thread (see the module's docstring)."""

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
        waiting = partial(self._waiting, partial(fn, *args, **kwargs))
        return await super()._execute(waiting)  # type: ignore[no-untyped-call]

    def _waiting(self, call: Callable[[], Any]) -> Any:
        """``call`` with SQLite waiting for the lock; on aiosqlite's thread."""
        self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        try:
            return call()
        finally:
            self._conn.execute("PRAGMA busy_timeout=0")


def is_busy(error: sqlite3.Error) -> bool:
    """SQLITE_BUSY: another connection holds the lock (the statement did nothing)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


def connector(path: str) -> Callable[[], LoopConnection]:
    """What ``create_async_engine(async_creator=...)`` calls for a new connection to the
    SQLite file at ``path``."""

    def connect() -> LoopConnection:
        # Opened on aiosqlite's thread and used on the loop's: hence check_same_thread.
        # busy_timeout 0 from the start (sqlite3's ``timeout`` is the busy timeout).
        opener = partial(sqlite3.connect, path, timeout=0, check_same_thread=False)
        connection = LoopConnection(opener, iter_chunk_size=64)
        # As SQLAlchemy does for aiosqlite: the thread must not keep the process alive.
        connection._thread.daemon = True
        return connection

    return connect
