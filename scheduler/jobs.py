"""What a feature gives the scheduler: its schedules, and what to do when one is due.

Features (question rounds, nudges, digests) implement :class:`JobSource`. The schedules
live in the features' own tables; the scheduler rebuilds its APScheduler jobs from them
at start and every minute, so nothing is pickled and every worker's changes are seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from apscheduler.triggers.base import BaseTrigger


@dataclass(frozen=True, slots=True)
class Schedule:
    """One recurring job: ``key`` identifies it within its source (e.g. a round id)."""

    key: str
    trigger: BaseTrigger


class JobSource(Protocol):
    #: Names the source in job ids and occurrence records, e.g. ``round``.
    kind: str

    async def schedules(self) -> list[Schedule]:
        """Everything this source wants run, as of now."""
        ...

    async def run_due(self, key: str, now: datetime) -> None:
        """Do whatever is due for ``key`` at ``now``: every occurrence that is due,
        not yet claimed, and within the grace period. Called at the trigger's times and
        once at start (to catch up after a restart), so it must be idempotent; claim
        each occurrence with :func:`storage.occurrences.claim_occurrence`."""
        ...
