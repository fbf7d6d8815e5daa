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


def in_school_hours(
    instant: datetime,
    zone: ZoneInfo,
    hours: tuple[time, time],
    *,
    after: datetime,
    before: datetime,
    days_off: frozenset[date] = frozenset(),
) -> datetime:
    """``instant`` if it falls in school hours (``hours``, Monday to Friday, not on
    ``days_off``); else the nearest opening or closing moment of school hours strictly
    between ``after`` and ``before``; else ``instant`` itself (nothing fits)."""
    opens, closes = hours

    def school_day(day: date) -> bool:
        return day.weekday() < 5 and day not in days_off

    local = instant.astimezone(zone)
    if school_day(local.date()) and opens <= local.time() <= closes:
        return instant
    candidates = []
    # The next opening, and the last closing before it, each within three weeks.
    day = local.date() if local.time() < opens else local.date() + timedelta(days=1)
    for _ in range(21):
        if school_day(day):
            candidates.append(localize(day, opens, zone))
            break
        day += timedelta(days=1)
    day = local.date() if local.time() > closes else local.date() - timedelta(days=1)
    for _ in range(21):
        if school_day(day):
            candidates.append(localize(day, closes, zone))
            break
        day -= timedelta(days=1)
    fitting = [c for c in candidates if after < c < before]
    return min(fitting, key=lambda c: abs(c - instant)) if fitting else instant
