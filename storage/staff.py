"""Who counts as staff now: not opted out and not left (a leaver of the roster).

Both drop out of everything current (key figures, participation, nudges, surveys,
digests); their past stays under the retention rules (storage.retention). When the
school has loaded a roster (storage.roster), only people on it count as staff for
participation, from the day they are on it; before that, everyone plgbot knows does,
and the figures say so.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import AliasedClass

from storage.models import Person

People = type[Person] | AliasedClass[Person]


def withdrawn(people: People = Person) -> ColumnElement[bool]:
    """Opted out, or left the school."""
    return or_(people.opted_out_at.is_not(None), people.left_at.is_not(None))


def present(people: People = Person) -> ColumnElement[bool]:
    return and_(people.opted_out_at.is_(None), people.left_at.is_(None))


def withdrawn_ids() -> Select[int]:
    """``Person.id`` of everyone withdrawn, for ``not_in``."""
    return select(Person.id).where(withdrawn())


def has_roster(school_id: int) -> ColumnElement[bool]:
    return exists().where(Person.school_id == school_id, Person.on_roster_since.is_not(None))


def on_staff(school_id: int, until: datetime) -> ColumnElement[bool]:
    """Staff for participation up to ``until``: present and, once the school has a
    roster, on it by then."""
    return and_(
        Person.school_id == school_id,
        present(),
        or_(~has_roster(school_id), Person.on_roster_since < until),
    )


async def school_has_roster(session: AsyncSession, school_id: int) -> bool:
    return bool(await session.scalar(select(has_roster(school_id))))
