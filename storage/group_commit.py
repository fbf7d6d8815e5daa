"""Group commit: what many tasks want written at about the same time goes in one
transaction.

Under load most of a small transaction's cost is the transaction (a session, the
process's SQLite turn, the commit), not its statement. A task hands its item to a
:class:`GroupCommit` and waits; the first one starts a writer that commits everything
handed in so far in one transaction, then whatever arrived while it did, and so on. A
lone item is written at once (no waiting for company); a burst shares transactions.
Every waiter learns its own result, or the transaction's failure: nothing is reported
written that was not committed.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import Database

Item = TypeVar("Item")
Result = TypeVar("Result")

# Writes the items in the session's transaction; one result per item, in order.
Work = Callable[[AsyncSession, Sequence[Item]], Awaitable[Sequence[Result]]]


class GroupCommit(Generic[Item, Result]):
    def __init__(
        self, db: Database, work: Work[Item, Result], *, urgent: bool = False, most: int = 100
    ) -> None:
        self._db = db
        self._work = work
        self._urgent = urgent
        self._most = most
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, item: Item) -> Result:
        """Return ``item``'s result once the transaction that wrote it committed."""
        done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, done))
        if self._writer is None or self._writer.done():
            # A context of its own: the writer must not inherit the caller's (its
            # SQLite turn, the delivery it processes).
            self._writer = asyncio.get_running_loop().create_task(
                self._write(), name="group commit", context=contextvars.Context()
            )
        # A caller that gives up (a client gone) does not stop the others' write.
        return await asyncio.shield(done)

    async def _write(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[: self._most], self._pending[self._most :]
            try:
                async with self._db.session(urgent=self._urgent) as session:
                    results = await self._work(session, [item for item, _ in batch])
            except Exception as error:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
                continue
            except BaseException:  # cancelled (a shutdown): nobody may think it was written
                for _, done in batch + self._pending:
                    done.cancel()
                self._pending = []
                raise
            for (_, done), result in zip(batch, results, strict=True):
                if not done.done():
                    done.set_result(result)
