"""Processing the inbox: every delivery is committed before it is answered, then
handled here, in the process that received it or, should that one die or stop first,
in whichever process runs next.

A platform adapter builds an :class:`Inbox` with one handler per kind of delivery
(``message``, ``command``, ``button``...). Its endpoint calls :meth:`Inbox.accept`
before it answers; ``accept`` returns once the delivery is durable and queues it here.
Handlers run with :data:`storage.events.CURRENT_DELIVERY` set, so the core's claim
closes the delivery in the transaction that stores what it recorded; a handler that
records nothing has it closed afterwards.

- A failure because the database is briefly out of reach is retried in place with
  backoff (the lease is kept); any other failure counts an attempt, and after
  :data:`storage.inbox.MAX_ATTEMPTS` the delivery is set aside (payload blanked).
- Every :data:`SWEEP_EVERY` seconds (and at startup) the process takes over waiting
  deliveries whose lease ran out: those of a process that died, or that shut down.
- A shutdown stops taking work, gives what runs a grace period, and releases the rest:
  nothing is dropped, it waits in the database for the next process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.observability import observe_inbox, observe_outbox
from adapters.outbox import Outbox
from bot.clock import Clock
from storage import Database, inbox, outbox
from storage.database import is_unavailable
from storage.events import CURRENT_DELIVERY, Processing
from storage.group_commit import GroupCommit
from storage.inbox import Arrival

log = logging.getLogger("plgbot.inbox")

# Handles one delivery's payload; ``replayed`` is True when it is processed later than
# it arrived (taken over from the database), so a form whose trigger expired cannot be
# opened any more.
Handler = Callable[[dict[str, Any], bool], Awaitable[None]]

# How long a process holds a delivery it works on before others may take it over. A
# handling normally takes milliseconds; a slow platform API a few seconds.
LEASE = timedelta(seconds=30)
SWEEP_EVERY = 5.0
SWEEP_BATCH = 50
# While the database is unavailable: the first and the longest wait between attempts,
# and how long before the attempt counts as failed.
FIRST_WAIT = 0.1
LONGEST_WAIT = 5.0
RETRY_FOR = 120.0


@dataclass(frozen=True, slots=True)
class Job:
    key: str
    kind: str
    body: dict[str, Any]
    replayed: bool


class Inbox:
    """One platform's inbox: durable acceptance, local processing, takeover."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        platform: str,
        handlers: Mapping[str, Handler],
        concurrency: int = 16,
        lease: timedelta = LEASE,
        sweep_every: float = SWEEP_EVERY,
    ) -> None:
        self._db = db
        self._clock = clock
        self._platform = platform
        self._handlers = dict(handlers)
        # Bounds how many deliveries hit the database and the platform at once in a
        # burst. The rest wait in a queue, not as tasks.
        self._concurrency = concurrency
        self._lease = lease
        self._sweep_every = sweep_every
        self._waiting: deque[Job] = deque()
        self._tasks: dict[asyncio.Task[None], Job] = {}
        self._closed = False
        self._wake = asyncio.Event()
        # The last sweep took all it had room for, so more may wait (after a crash, a
        # whole burst): sweep again as soon as there is room, not a sweep interval later.
        self._behind = False
        self._outboxes: list[Outbox] = []
        # A burst's acknowledgements share their commits, and go ahead of processing.
        self._receive = GroupCommit(self._db, _receive_all, urgent=True)

    def also_sweep(self, outbox: Outbox) -> None:
        """Send ``outbox``'s unsent replies at every sweep (:mod:`adapters.outbox`)."""
        self._outboxes.append(outbox)

    def add_handler(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    async def accept(self, arrival: Arrival, body: dict[str, Any]) -> None:
        """Return once ``arrival`` is committed; then ``body`` (its payload, parsed) is
        processed here. A retry of a delivery already in the inbox is not processed
        again."""
        if arrival.kind not in self._handlers:
            raise ValueError(f"no handler for {arrival.kind}")
        now = self._clock.now()
        lease_until = None if self._closed else now + self._lease
        new = await self._receive.write((arrival, now, lease_until))
        if new and not self._closed:
            self._queue(Job(arrival.key, arrival.kind, body, replayed=False))

    async def hold(self, arrival: Arrival) -> None:
        """Commit ``arrival`` for a caller that processes it itself, at once, inside
        :meth:`processing` (Teams answers an activity with what handling it returned);
        should that caller die, the lease runs out and the sweep replays it."""
        now = self._clock.now()
        await self._receive.write((arrival, now, now + self._lease))

    @asynccontextmanager
    async def processing(
        self, key: str, refused: tuple[type[Exception], ...] = ()
    ) -> AsyncIterator[None]:
        """Process delivery ``key`` inside the block: the core's claim closes it, or it
        is closed when the block ends. An exception of a ``refused`` type (the
        client's mistake, answered 4xx) discards it: a refused request stores nothing.
        Another failure counts an attempt (none when the database is unavailable: the
        lease runs out and the sweep tries again); a cancellation (a shutdown) releases
        it to the next process."""
        processing = Processing(key)
        token = CURRENT_DELIVERY.set(processing)
        try:
            yield
        except refused:
            async with self._db.session() as session:
                await inbox.discard(session, key)
            raise
        except asyncio.CancelledError:
            with suppress(Exception):
                async with self._db.session() as session:
                    await inbox.release(session, [key])
            raise
        except Exception as error:
            if not is_unavailable(error):
                await self._count_failure(key, "activity")
            raise
        finally:
            CURRENT_DELIVERY.reset(token)
        if not processing.closed:
            async with self._db.session() as session:
                await inbox.finish(session, key, self._clock.now())

    @property
    def pending(self) -> int:
        """Deliveries this process holds (running or queued)."""
        return len(self._tasks) + len(self._waiting)

    def _queue(self, job: Job) -> None:
        self._waiting.append(job)
        self._start()

    def _start(self) -> None:
        while self._waiting and len(self._tasks) < self._concurrency and not self._closed:
            job = self._waiting.popleft()
            task = asyncio.get_running_loop().create_task(self._run(job), name=job.kind)
            self._tasks[task] = job
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)
        self._start()
        if self._behind and self.pending <= self._concurrency:
            self._behind = False
            self._wake.set()

    async def _run(self, job: Job) -> None:
        processing = Processing(job.key)
        token = CURRENT_DELIVERY.set(processing)
        try:
            await self._attempts(job)
            if not processing.closed:
                async with self._db.session() as session:
                    await inbox.finish(session, job.key, self._clock.now())
        except asyncio.CancelledError:
            # A shutdown: the delivery stays waiting, released for the next process.
            raise
        except Exception as error:
            # An exception's message may quote a payload, so the log gets only its
            # type and where it was raised; DEBUG gets the whole traceback.
            log.error(
                "inbox: %s %s failed: %s at %s",
                self._platform,
                job.kind,
                type(error).__name__,
                where_raised(error),
            )
            log.debug("inbox: %s traceback", job.kind, exc_info=error)
            await self._count_failure(job.key, job.kind)
        finally:
            CURRENT_DELIVERY.reset(token)

    async def _attempts(self, job: Job) -> None:
        """Handle ``job``; while the database is unavailable, again after a growing
        wait (the failed attempt was rolled back)."""
        give_up = time.monotonic() + RETRY_FOR
        wait = FIRST_WAIT
        handler = self._handlers[job.kind]
        while True:
            try:
                await handler(job.body, job.replayed)
                return
            except Exception as error:
                if not is_unavailable(error) or time.monotonic() + wait > give_up:
                    raise
                log.warning(
                    "inbox: %s waits for the database (%s); trying again in %.1fs",
                    job.kind,
                    type(error).__name__,
                    wait,
                )
            await asyncio.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT)

    async def _count_failure(self, key: str, kind: str) -> None:
        try:
            async with self._db.session() as session:
                set_aside = await inbox.failed(session, key, self._clock.now())
        except Exception as error:
            # The lease runs out and the delivery is taken over: nothing is lost.
            log.warning("inbox: could not count a failure (%s)", type(error).__name__)
            return
        if set_aside:
            log.error("inbox: %s %s set aside after repeated failures", self._platform, kind)

    async def sweep(self) -> int:
        """Take over waiting deliveries whose lease ran out; how many were taken."""
        if self._closed:
            return 0
        room = max(self._concurrency * 2 - self.pending, 0)
        if room == 0:
            self._behind = True
            return 0
        now = self._clock.now()
        batch = min(room, SWEEP_BATCH)
        async with self._db.session() as session:
            taken = await inbox.take_over(session, self._platform, now, now + self._lease, batch)
        self._behind = len(taken) == batch
        for waiting in taken:
            try:
                body = json.loads(waiting.payload)
                known = waiting.kind in self._handlers and isinstance(body, dict)
            except ValueError:
                known = False
            if known:
                self._queue(Job(waiting.key, waiting.kind, body, replayed=True))
            else:
                log.error("inbox: cannot process a waiting %s; counted as failed", waiting.kind)
                async with self._db.session() as session:
                    await inbox.failed(session, waiting.key, now)
        if taken:
            log.info("inbox: took over %d waiting %s deliveries", len(taken), self._platform)
        return len(taken)

    async def _sweeping(self) -> None:
        while not self._closed:
            try:
                await self.sweep()
                for replies in self._outboxes:
                    await replies.sweep()
                async with self._db.session() as session:
                    backlog = await inbox.backlog(session)
                    unsent = await outbox.waiting(session)
                observe_inbox(backlog, time.time())
                observe_outbox(unsent, time.time())
            except Exception as error:
                log.warning("inbox: sweep failed (%s); trying again", type(error).__name__)
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._sweep_every)
            if not self._closed:
                self._wake.clear()

    @asynccontextmanager
    async def running(self, grace: float) -> AsyncIterator[None]:
        """While the server runs: sweeping; at shutdown, :meth:`drain`."""
        sweeper = asyncio.get_running_loop().create_task(self._sweeping(), name="inbox sweep")
        try:
            yield
        finally:
            self._closed = True
            self._wake.set()
            await asyncio.gather(sweeper, return_exceptions=True)
            await self.drain(grace)

    async def drain(self, grace: float) -> None:
        """Stop taking work; give what runs up to ``grace`` seconds; release the rest to
        the next process. Nothing is dropped: it waits in the database."""
        self._closed = True
        give_up = time.monotonic() + grace
        while self._tasks and (left := give_up - time.monotonic()) > 0:
            await asyncio.wait(set(self._tasks), timeout=left, return_when=asyncio.FIRST_COMPLETED)
        left_over = [job.key for job in self._waiting] + [job.key for job in self._tasks.values()]
        self._waiting.clear()
        late = set(self._tasks)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)
        if left_over:
            try:
                async with self._db.session() as session:
                    await inbox.release(session, left_over)
            except Exception as error:
                # Their leases run out on their own; the next process takes them then.
                log.warning("inbox: could not release (%s)", type(error).__name__)
            log.info(
                "inbox: %d %s deliveries wait for the next process", len(left_over), self._platform
            )


async def _receive_all(
    session: AsyncSession, arrivals: Sequence[tuple[Arrival, datetime, datetime | None]]
) -> list[bool]:
    return [await inbox.receive(session, *arrival) for arrival in arrivals]


def where_raised(error: BaseException) -> str:
    """Where ``error`` was raised (file:line), for a log line that quotes no payload."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "?"
    return f"{frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}"
