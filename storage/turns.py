"""The process's SQLite turn: one transaction at a time, urgent ones first.

An acknowledgement waits for its delivery's commit (the inbox), and a platform gives up
on an answer after a few seconds; the processing that follows can wait. With one
first-come-first-served lock an acknowledgement queued behind every processing
transaction of a burst (measured: 132 of 135 ms of an ack at 50 clients). Here an urgent
waiter goes ahead of the others; within each kind, first come first served. The turn is
handed over on release, so nobody arriving meanwhile slips in before the next waiter.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque


class Turn:
    """A lock with two queues; :meth:`acquire` with a timeout, :meth:`release`."""

    def __init__(self) -> None:
        self.held = False
        # When the current holder got the turn (time.monotonic()).
        self.taken = 0.0
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._others: deque[asyncio.Future[None]] = deque()

    async def acquire(self, *, urgent: bool = False, patience: float | None = None) -> bool:
        """Take the turn; False if ``patience`` seconds passed first (nothing is held then)."""
        if not self.held:
            self._take()
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._urgent if urgent else self._others
        queue.append(waiter)
        try:
            # asyncio.wait, not wait_for: a turn handed over just as our patience ends
            # is then seen as ours instead of cancelled with the wait.
            await asyncio.wait((waiter,), timeout=patience)
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed to us while we were being cancelled: pass it on
            else:
                waiter.cancel()
            raise
        if waiter.done():
            self.taken = time.monotonic()
            return True
        waiter.cancel()
        return False

    def release(self) -> None:
        """Hand the turn to the next waiter (urgent first), or free it."""
        for queue in (self._urgent, self._others):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # still held: it is the waiter's now
                    return
        self.held = False

    def _take(self) -> None:
        self.held = True
        self.taken = time.monotonic()
