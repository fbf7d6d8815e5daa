"""School holidays: inclusive ranges of local dates per school."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Holiday
from storage.upsert import insert_ignoring_conflicts


@dataclass(frozen=True, slots=True)
class HolidaySpan:
    name: str
    starts_on: date
    ends_on: date


async def add_holidays(session: AsyncSession, school_id: int, spans: Sequence[HolidaySpan]) -> int:
    """Store the spans; a span already stored (same dates) is left as it is, so an
    import can be repeated. Returns how many were new."""
    return await insert_ignoring_conflicts(
        session,
        Holiday,
        [
            {
                "school_id": school_id,
                "name": span.name,
                "starts_on": span.starts_on,
                "ends_on": span.ends_on,
            }
            for span in spans
        ],
        ["school_id", "starts_on", "ends_on"],
    )


async def holidays_of_school(
    session: AsyncSession, school_id: int, *, ending_from: date | None = None
) -> Sequence[Holiday]:
    query = select(Holiday).where(Holiday.school_id == school_id)
    if ending_from is not None:
        query = query.where(Holiday.ends_on >= ending_from)
    return (await session.scalars(query.order_by(Holiday.starts_on))).all()


async def holiday_on(session: AsyncSession, school_id: int, day: date) -> Holiday | None:
    """The holiday that ``day`` (a local date) falls in, if any."""
    return await session.scalar(
        select(Holiday)
        .where(Holiday.school_id == school_id, Holiday.starts_on <= day, Holiday.ends_on >= day)
        .order_by(Holiday.starts_on)
        .limit(1)
    )
