"""ISO weeks in a school's time zone: what a weekly digest reports on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.school_time import localize

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True, order=True)
class IsoWeek:
    """An ISO week, e.g. ``2026-W47`` (Monday 16 to Sunday 22 November 2026)."""

    year: int
    week: int

    @classmethod
    def parse(cls, value: str) -> IsoWeek:
        """``2026-W47`` or ``2026W47``; ValueError for anything else (week 53 only in
        years that have one)."""
        match = _WEEK.match(value.strip())
        if match is None:
            raise ValueError(f"{value!r} is not an ISO week like 2026-W47")
        found = cls(int(match[1]), int(match[2]))
        _ = found.monday  # raises for a week the year does not have
        return found

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @classmethod
    def containing(cls, instant: datetime, zone: ZoneInfo) -> IsoWeek:
        return cls.of(instant.astimezone(zone).date())

    @property
    def monday(self) -> date:
        try:
            return date.fromisocalendar(self.year, self.week, 1)
        except ValueError:
            raise ValueError(f"{self.year} has no ISO week {self.week}") from None

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def start(self, zone: ZoneInfo) -> datetime:
        """Monday 00:00 in ``zone``, as UTC."""
        return localize(self.monday, time(0, 0), zone)

    def end(self, zone: ZoneInfo) -> datetime:
        """The next Monday 00:00 in ``zone``, as UTC (exclusive)."""
        return localize(self.monday + timedelta(days=7), time(0, 0), zone)

    def shifted(self, weeks: int) -> IsoWeek:
        return IsoWeek.of(self.monday + timedelta(weeks=weeks))

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"
