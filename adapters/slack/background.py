"""Work that runs after Slack has its acknowledgement.

Slack wants an answer within 3 seconds and retries when it does not get one; looking
people up, running the core and posting replies can take longer. Listeners acknowledge
first and hand the rest to :class:`AfterAck`, which keeps track of every task so a
shutdown waits for them instead of dropping them half-way.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable

log = logging.getLogger("plgbot.slack")

Job = Callable[[], Awaitable[None]]


class AfterAck:
    def __init__(self, *, concurrency: int = 16) -> None:
        # Bounds how many jobs hit the database and Slack at once in a burst.
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def submit(self, name: str, job: Job) -> None:
        """Run ``job`` soon; its failure is logged (type only), never raised."""
        if self._closed:
            log.warning("Slack: shutting down, dropped %s", name)
            return
        task = asyncio.get_running_loop().create_task(self._run(name, job), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, name: str, job: Job) -> None:
        async with self._slots:
            try:
                await job()
            except Exception as error:
                # An exception's message may quote a payload, so INFO and above get only
                # its type and where it was raised; DEBUG gets the whole traceback.
                log.error("Slack: %s failed: %s at %s", name, type(error).__name__, _where(error))
                log.debug("Slack: %s traceback", name, exc_info=error)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self, grace: float) -> None:
        """Stop taking work, wait up to ``grace`` seconds for what runs, cancel the
        rest (a cancelled event was acknowledged but not stored: its log says so)."""
        self._closed = True
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=grace)
        for task in late:
            log.warning("Slack: %s did not finish before shutdown", task.get_name())
            task.cancel()
        if late:
            await asyncio.wait(late)


def _where(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "?"
    return f"{frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}"
