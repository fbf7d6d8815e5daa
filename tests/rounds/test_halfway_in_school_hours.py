"""A round's halfway note falls in school hours (issue 18): by default 08:00-17:00 on
school days, configurable per school (``school_hours``); never at 00:30 or 21:52."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from adapters.console import ConsoleSession
from bot.school_time import in_school_hours
from storage import Database
from storage.models import RoundOccurrence
from storage.school_settings import SettingError, parse_setting
from tests.helpers import run_script
from tests.rounds.harness import school

ZONE = ZoneInfo("Europe/Amsterdam")
HOURS = (time(8, 0), time(17, 0))


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in December 2026, Amsterdam time, as UTC."""
    return datetime(2026, 12, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


@pytest.mark.parametrize(
    ("halfway", "after", "before", "expected"),
    [
        # Wednesday 12:30 is school time already.
        (local(9, 12, 30), local(7, 8), local(11, 17), local(9, 12, 30)),
        # 04:52 on Tuesday: Tuesday's opening is the nearest school moment.
        (local(8, 4, 52), local(7, 16, 45), local(8, 17), local(8, 8)),
        # 21:52 on Monday: that day's 17:00 is nearer than Tuesday 08:00.
        (local(7, 21, 52), local(7, 9, 0), local(8, 9, 0), local(7, 17)),
        # 00:30 on Tuesday, posted at 18:00: Tuesday 08:00 (17:00 was before the posting).
        (local(8, 0, 30), local(7, 18, 0), local(8, 9, 0), local(8, 8)),
        # 21:52, closing at 07:00 next morning: the day's closing, 17:00, is the last chance.
        (local(7, 21, 52), local(7, 12, 0), local(8, 7, 0), local(7, 17)),
        # Sunday 02:00 between Friday 16:00 and Monday 12:00: Monday 08:00 is nearer.
        (local(13, 2), local(11, 16), local(14, 12), local(14, 8)),
        # An evening-only window: nothing fits, so the middle stays.
        (local(7, 20), local(7, 18), local(7, 22), local(7, 20)),
    ],
)
def test_the_nearest_school_moment_inside_the_reply_window(
    halfway: datetime, after: datetime, before: datetime, expected: datetime
) -> None:
    assert in_school_hours(halfway, ZONE, HOURS, after=after, before=before) == expected


def test_holidays_are_no_school_days() -> None:
    # Monday 7 to Wednesday 9 off: Wednesday night's note waits for Thursday morning.
    days_off = frozenset({date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9)})
    moved = in_school_hours(
        local(8, 12), ZONE, HOURS, after=local(4, 16), before=local(11, 17), days_off=days_off
    )
    assert moved == local(10, 8)


def test_the_setting_is_checked() -> None:
    assert parse_setting("school_hours", "08:30-16:00") == "08:30-16:00"
    for bad in ("8-17", "17:00-08:00", "08:00-25:00", "08:00"):
        with pytest.raises(SettingError, match="school_hours"):
            parse_setting("school_hours", bad)


async def test_a_round_posted_late_on_friday_is_nudged_on_monday_morning(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    out = await run_script(
        console,
        "/as anouk\nround new Datateam havo-3 | What could be causes? | #staffroom"
        " | friday 16:00 | closes monday 12:00",
    )
    assert "is scheduled" in out, out
    out = await run_script(console, "/wait 1d")
    async with db.session() as session:
        [occurrence] = (await session.scalars(select(RoundOccurrence))).all()
    # The middle of Friday 16:00 to Monday 12:00 is Sunday 02:00.
    assert occurrence.halfway_at == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Mon 08:00
    assert "Halverwege" not in out and "Halfway" not in out
    out = await run_script(console, "/wait 1d")  # to Sunday 11:00, past Sunday 02:00
    assert "Halverwege" not in out and "Halfway" not in out
    out = await run_script(console, "/wait 1d")  # to Monday 11:00
    assert "Halverwege: nog geen antwoorden." in out
