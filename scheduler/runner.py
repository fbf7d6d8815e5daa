"""The one scheduler process: APScheduler jobs rebuilt from the database.

Choices, deliberately:
- Jobs are rebuilt from the features' tables (rounds, nudges...) at start and every
  minute rather than kept in an SQLAlchemyJobStore: no pickled callables, and a round
  created through any web worker is picked up by the scheduler process within a minute.
- ``coalesce=True``: after downtime a job runs once, not once per missed firing; the
  source's ``run_due`` then handles each missed occurrence that is still within grace.
- ``misfire_grace_time`` (default 1 hour): a Monday 08:00 question posted at 08:40 after a
  restart is still useful; one posted on Tuesday is not.
- ``max_instances=1``: a slow run is not overlapped by the next firing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock, SystemClock
from scheduler.jobs import JobSource
from scheduler.leader import TAKEOVER_SECONDS, LeaderLock, wait_for_leadership

log = logging.getLogger("plgbot.scheduler")

# The running scheduler's sources, so module-level job functions can reach them.
_SOURCES: dict[str, JobSource] = {}
_CLOCK: list[Clock] = [SystemClock()]


async def fire(kind: str, key: str) -> None:
    """The job APScheduler runs for every schedule (module-level on purpose)."""
    source = _SOURCES.get(kind)
    if source is None:
        return
    try:
        await source.run_due(key, _CLOCK[0].now())
    except Exception:
        # One failing round must not stop the others; the occurrence stays unconfirmed
        # and is retried at the next firing or restart.
        log.exception("scheduled job %s:%s failed", kind, key)


class PlgScheduler:
    def __init__(
        self,
        sources: Sequence[JobSource],
        lock: LeaderLock,
        *,
        clock: Clock | None = None,
        misfire_grace: timedelta = timedelta(hours=1),
        resync_seconds: float = 60.0,
        retry_seconds: float = TAKEOVER_SECONDS,
        on_lag: Callable[[float], None] | None = None,
    ) -> None:
        self.sources = {source.kind: source for source in sources}
        self.lock = lock
        self.clock = clock or SystemClock()
        self.misfire_grace = misfire_grace
        self.resync_seconds = resync_seconds
        self.retry_seconds = retry_seconds
        # Told, in seconds, how late APScheduler started each job (a metric, say).
        self.on_lag = on_lag
        self._scheduler: AsyncIOScheduler | None = None
        self._task: asyncio.Task[None] | None = None
        self.leading = asyncio.Event()

    def start(self) -> None:
        """Start in the background: wait for leadership, then schedule."""
        self._task = asyncio.create_task(self._run(), name="plgbot-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._shutdown_scheduler()
        await self.lock.release()

    async def _run(self) -> None:
        while True:
            await wait_for_leadership(self.lock, retry_seconds=self.retry_seconds)
            log.info("this process runs the scheduler")
            _SOURCES.clear()
            _SOURCES.update(self.sources)
            _CLOCK[0] = self.clock
            self._scheduler = AsyncIOScheduler(timezone=UTC)
            if self.on_lag is not None:
                self._scheduler.add_listener(self._job_submitted, EVENT_JOB_SUBMITTED)
            self._scheduler.start()
            await self.sync()
            await self.catch_up()
            self.leading.set()
            while await self.lock.still_held():
                await asyncio.sleep(self.resync_seconds)
                await self.sync()
            self.leading.clear()
            self._shutdown_scheduler()

    async def sync(self) -> None:
        """Make the APScheduler jobs match what the sources want now."""
        scheduler = self._scheduler
        if scheduler is None:
            return
        wanted: set[str] = set()
        for kind, source in self.sources.items():
            try:
                schedules = await source.schedules()
            except Exception:
                log.exception("could not read the %s schedules", kind)
                continue
            for schedule in schedules:
                job_id = f"{kind}:{schedule.key}"
                wanted.add(job_id)
                existing = scheduler.get_job(job_id)
                if existing is not None and str(existing.trigger) == str(schedule.trigger):
                    continue
                scheduler.add_job(
                    fire,
                    schedule.trigger,
                    args=[kind, schedule.key],
                    id=job_id,
                    replace_existing=True,
                    coalesce=True,
                    max_instances=1,
                    misfire_grace_time=int(self.misfire_grace.total_seconds()),
                )
        for job in scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()

    async def catch_up(self) -> None:
        """After a (re)start, do what fell due while no scheduler ran. The jobs run side
        by side: a round's job may wait up to its prepare lead for its due time
        (:mod:`scheduler.round_posting`), and the others must not wait behind it."""
        due = [
            (kind, schedule.key)
            for kind, source in self.sources.items()
            for schedule in await source.schedules()
        ]
        # Coroutines only once every schedule is read: none is left un-awaited when
        # reading fails or the scheduler stops meanwhile.
        await asyncio.gather(*(fire(kind, key) for kind, key in due))

    def _job_submitted(self, event: JobSubmissionEvent) -> None:
        # Wall-clock time on purpose: APScheduler itself fires by the real clock.
        started = datetime.now(UTC)
        if self.on_lag is not None:
            for due in event.scheduled_run_times:
                self.on_lag((started - due).total_seconds())

    def _shutdown_scheduler(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
