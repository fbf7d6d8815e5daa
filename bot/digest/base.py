"""What a digest's week is compared with (issue 18, "honest figures"): the last week
before it that was not a school holiday, and, while the week is still running, only
the same part of that week. A holiday week is never the base: "up from 0%" after the
autumn holiday says nothing about the school."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.digest.week import IsoWeek

# How many weeks back a comparison looks for a school week (a long summer break has no
# base at all: the first week after it is compared with nothing).
SEARCH_WEEKS = 4


@dataclass(frozen=True, slots=True)
class Base:
    week: IsoWeek
    # Only up to the same moment of that week, because this one is still running.
    so_far: bool
    # The week right before; otherwise the holidays in between were skipped.
    last_week: bool

    def period(self, elapsed: timedelta, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """Its start and end: the whole week, or its first ``elapsed`` if ``so_far``."""
        start = self.week.start(zone)
        return start, start + elapsed if self.so_far else self.week.end(zone)
