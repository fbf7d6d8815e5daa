"""Honest comparisons in the digest (issue 18): a week still running is compared with
the same part of the week before, a holiday week is never the base, and a share of
fewer than 10 items is given as its counts. On the hand-made school
(tests/digest/conftest.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.catalogue import Language
from bot.digest.base import Base
from bot.digest.document import as_markdown
from bot.digest.messages import digest_document
from bot.digest.week import IsoWeek
from bot.digest.weekly import Digest, compute
from storage import holidays
from storage.holidays import HolidaySpan
from tests.digest.conftest import NOW, WEEK, R, School

W45, W46 = IsoWeek(2026, 45), IsoWeek(2026, 46)
# Friday of W46, later in the week than any moment of W47 compared below.
W46_FRIDAY = datetime(2026, 11, 13, 14, 0, tzinfo=UTC)
# Wednesday of W47, just after its interactions (18 November, 10:00 UTC).
W47_WEDNESDAY = datetime(2026, 11, 18, 11, 0, tzinfo=UTC)


async def _digest(school: School, now: datetime = NOW) -> Digest:
    async with school.db.session() as session:
        return await compute(session, school.school_id, WEEK, now=now)


async def _holidays(school: School, *spans: HolidaySpan) -> None:
    async with school.db.session() as session:
        await holidays.add_holidays(session, school.school_id, list(spans))


def _text(digest: Digest, language: Language) -> str:
    return as_markdown(digest_document(digest, language)).replace("\\", "")


async def test_a_week_still_running_is_compared_with_the_same_part_of_last_week(
    school: School,
) -> None:
    # Two colleagues more took part in W46, but only on its Friday.
    await school.add_edges([(W46_FRIDAY, "tc", "wd", R)])
    whole = await _digest(school)
    assert whole.base == Base(W46, so_far=False, last_week=True)
    assert (whole.previous_active, whole.previous_staff) == (8, 16)

    running = await _digest(school, now=W47_WEDNESDAY)
    assert running.base == Base(W46, so_far=True, last_week=True)
    # Up to Wednesday 11:00 of W46: wa wb ta tb we co (Wednesday 10:00), not tc and wd.
    assert (running.previous_active, running.previous_staff) == (6, 16)
    assert running.active == 9
    assert (
        "9 of 16 staff (56%) talked about a PLG this week, up from 38% at this point last week."
        in _text(running, "en")
    )
    assert "meer dan vorige week op hetzelfde moment (38%)." in _text(running, "nl")


async def test_a_holiday_week_is_never_the_base(school: School) -> None:
    await _holidays(school, HolidaySpan("Herfstvakantie", date(2026, 11, 7), date(2026, 11, 15)))
    digest = await _digest(school)
    assert digest.base == Base(W45, so_far=False, last_week=False)
    # Nobody took part in W45: the comparison is with that, not with the holiday.
    assert digest.previous_active == 0
    assert "up from 0% in week 45 (the last school week)." in _text(digest, "en")
    assert "meer dan week 45 (de laatste schoolweek) (0%)." in _text(digest, "nl")
    assert "last week" not in _text(digest, "en").split("\n\n")[1]


async def test_after_a_long_break_nothing_is_compared(school: School) -> None:
    await _holidays(school, HolidaySpan("Lange pauze", date(2026, 10, 10), date(2026, 11, 15)))
    digest = await _digest(school)
    assert digest.base is None
    opening = _text(digest, "en").split("\n\n")[1]
    assert opening == "9 of 16 staff (56%) talked about a PLG this week."
    reciprocity = next(
        line for line in _text(digest, "en").splitlines() if line.startswith("Reciprocity")
    )
    assert reciprocity.endswith("went both ways in the last 12 weeks.")
