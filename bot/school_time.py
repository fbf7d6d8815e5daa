"""A school's clock: its time zone, and wall-clock times in it (a round "every Monday
08:00" stays at 08:00 across the change to summer time). Shared by every feature."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.models import School

DEFAULT_ZONE = "Europe/Amsterdam"


def zone_of(school: School) -> ZoneInfo:
    try:
        return ZoneInfo(school.timezone or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def localize(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time in ``zone``."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def wall(instant: datetime, zone: ZoneInfo) -> datetime:
    """The naive wall-clock time of ``instant`` in ``zone``."""
    return instant.astimezone(zone).replace(tzinfo=None)


def shift_wall(instant: datetime, delta: timedelta, zone: ZoneInfo) -> datetime:
    """``instant`` moved by ``delta`` of wall-clock time: Monday 08:00 plus four days
    is Friday 08:00, even if the clocks changed in between."""
    return (wall(instant, zone) + delta).replace(tzinfo=zone).astimezone(UTC)
