"""Work after Slack's acknowledgement that records nothing: publishing the Home tab,
and the lead's confirmation of a question round the core already stored before the
acknowledgement. Everything that can produce a record goes through the inbox
(:mod:`adapters.inbox`) instead, so nothing here needs to survive a restart.

:class:`AfterAck` keeps track of every task so a shutdown waits for them, and a job
that fails because the database is briefly out of reach (a locked SQLite file, a
restarting PostgreSQL) is tried again with backoff for up to :data:`RETRY_FOR` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

from adapters.inbox import where_raised
from storage.database import is_unavailable

log = logging.getLogger("plgbot.slack")

# How long a job is retried while the database is unavailable, and the first and
# longest wait between attempts.
RETRY_FOR = 120.0
FIRST_WAIT = 0.1
LONGEST_WAIT = 5.0

Job = Callable[[], Awaitable[None]]


class AfterAck:
    def __init__(self, *, concurrency: int = 16, retry_for: float = RETRY_FOR) -> None:
        # Bounds how many jobs hit the database and Slack at once in a burst. Jobs
        # beyond that wait in a queue, not as tasks: a burst's backlog is then a few
        # objects per job for the garbage collector to walk, not a task and its frames.
        self._concurrency = concurrency
        self._retry_for = retry_for
        self._waiting: deque[tuple[str, Job]] = deque()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def submit(self, name: str, job: Job) -> None:
        """Run ``job`` soon; its failure is logged (type only), never raised."""
        if self._closed:
            log.info("Slack: shutting down; %s (nothing to record) not started", name)
            return
        self._waiting.append((name, job))
        self._start()

    def _start(self) -> None:
        while self._waiting and len(self._tasks) < self._concurrency:
            name, job = self._waiting.popleft()
            task = asyncio.get_running_loop().create_task(self._run(name, job), name=name)
            self._tasks.add(task)
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._start()

    async def _run(self, name: str, job: Job) -> None:
        try:
            await self._attempts(name, job)
        except Exception as error:
            # An exception's message may quote a payload, so INFO and above get only
            # its type and where it was raised; DEBUG gets the whole traceback.
            log.error("Slack: %s failed: %s at %s", name, type(error).__name__, where_raised(error))
            log.debug("Slack: %s traceback", name, exc_info=error)

    async def _attempts(self, name: str, job: Job) -> None:
        """Run ``job``; while the database is unavailable, again after a growing wait."""
        give_up = time.monotonic() + self._retry_for
        wait = FIRST_WAIT
        while True:
            try:
                await job()
                return
            except Exception as error:
                if not is_unavailable(error) or time.monotonic() + wait > give_up:
                    raise
                log.warning(
                    "Slack: %s waits for the database (%s); trying again in %.1fs",
                    name,
                    type(error).__name__,
                    wait,
                )
            await asyncio.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT)

    @property
    def pending(self) -> int:
        return len(self._tasks) + len(self._waiting)

    async def drain(self, grace: float) -> None:
        """Stop taking work, wait up to ``grace`` seconds for what runs and waits, cancel
        the rest (none of it records anything: see the module's docstring)."""
        self._closed = True
        give_up = time.monotonic() + grace
        while self._tasks and (left := give_up - time.monotonic()) > 0:
            await asyncio.wait(set(self._tasks), timeout=left, return_when=asyncio.FIRST_COMPLETED)
        for name, _ in self._waiting:
            log.warning("Slack: %s did not start before shutdown", name)
        self._waiting.clear()
        late = set(self._tasks)
        for task in late:
            log.warning("Slack: %s did not finish before shutdown", task.get_name())
            task.cancel()
        if late:
            await asyncio.wait(late)
