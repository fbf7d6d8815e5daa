"""The ``contacts`` rollup: per person and colleague, the latest interaction each way.

Why this layout (measured in bench/README.md): a person's out-, in- and reciprocal ties
in "the last N weeks" only depend on *whether* knowledge went each way since the
window's start, so the latest time per direction is enough, as long as the window ends
after the school's latest interaction (which is the case for "as of now"; older windows
are answered from the interactions themselves). Counting colleagues is then a count over
an index range per person, touching only the contacts that are active in the window,
instead of a GROUP BY over every interaction.

Every write to ``interactions`` keeps it right, in the same transaction:
:func:`record_edges` after an insert, :func:`refresh_pairs` after a delete.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import cast

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import Executable

from storage.models import Contact, Interaction, Person

REBUILD = """
INSERT INTO contacts (person_id, other_id, school_id, last_out, last_in, last_any, last_both)
SELECT person_id, other_id, MAX(school_id), MAX(last_out), MAX(last_in), MAX(last_any),
       CASE WHEN MAX(last_out) IS NULL OR MAX(last_in) IS NULL THEN NULL
            WHEN MAX(last_out) < MAX(last_in) THEN MAX(last_out) ELSE MAX(last_in) END
FROM (
    SELECT source_id AS person_id, target_id AS other_id, MAX(school_id) AS school_id,
           MAX(occurred_at) AS last_out, NULL AS last_in, MAX(occurred_at) AS last_any
    FROM interactions WHERE source_id <> target_id GROUP BY source_id, target_id
    UNION ALL
    SELECT target_id, source_id, MAX(school_id), NULL, MAX(occurred_at), MAX(occurred_at)
    FROM interactions WHERE source_id <> target_id GROUP BY target_id, source_id
) AS ends
GROUP BY person_id, other_id
"""


def _later(
    stored: SQLColumnExpression[datetime | None], new: SQLColumnExpression[datetime | None]
) -> ColumnElement[datetime | None]:
    """The later of two times, either possibly NULL. Written as CASE because SQLite's
    two-argument MAX() returns NULL when one side is NULL and PostgreSQL has GREATEST."""
    return case(
        (new.is_(None), stored),
        (or_(stored.is_(None), stored < new), new),
        else_=stored,
    )


def _earlier(
    a: SQLColumnExpression[datetime | None], b: SQLColumnExpression[datetime | None]
) -> ColumnElement[datetime | None]:
    """The earlier of two times, NULL if either is NULL."""
    return case((or_(a.is_(None), b.is_(None)), null()), (a < b, a), else_=b)


@cache
def _upsert(dialect: str) -> Executable:
    """INSERT ... ON CONFLICT DO UPDATE moving the times forward, built once per
    dialect: building it per row cost more than running it."""
    insert_for = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # On the table, not the mapped class: the ORM's bulk-insert path cost more per row
    # than the statement did.
    table = cast(Table, Contact.__table__)
    statement = insert_for(table)
    new = statement.excluded
    out = _later(table.c.last_out, new.last_out)
    into = _later(table.c.last_in, new.last_in)
    return statement.on_conflict_do_update(
        index_elements=["person_id", "other_id"],
        set_={
            "last_out": out,
            "last_in": into,
            "last_any": _later(table.c.last_any, new.last_any),
            "last_both": _earlier(out, into),
        },
    )


async def record_edges(
    session: AsyncSession, edges: Iterable[tuple[int, int, int, datetime]]
) -> None:
    """Interactions ``(school, source, target, at)`` were stored: move both people's
    contact times forward. Self-loops are not ties and are left out."""
    rows: dict[tuple[int, int], list[datetime | None]] = {}
    schools: dict[tuple[int, int], int] = {}

    def touch(person: int, other: int, slot: int, at: datetime) -> None:
        row = rows.setdefault((person, other), [None, None])
        current = row[slot]
        row[slot] = at if current is None or current < at else current

    for school, source, target, at in edges:
        if source != target:
            touch(source, target, 0, at)
            touch(target, source, 1, at)
            schools[source, target] = schools[target, source] = school
    if not rows:
        return
    # One row per pair and direction, so no statement updates a row twice; in key
    # order, so that two events touching the same pair (A told B, B told A) lock its
    # rows in the same order and never deadlock on PostgreSQL.
    params = [
        {
            "person_id": person,
            "other_id": other,
            "school_id": schools[person, other],
            "last_out": out,
            "last_in": into,
            "last_any": max(t for t in (out, into) if t is not None),
            "last_both": min(out, into) if out is not None and into is not None else None,
        }
        for (person, other), (out, into) in sorted(rows.items())
    ]
    await session.execute(_upsert(session.get_bind().dialect.name), params)


async def refresh_pairs(session: AsyncSession, pairs: Iterable[tuple[int, int]]) -> None:
    """Recompute the contacts of these pairs (either order) from the interactions that
    are left, e.g. after deleting some: a pair with none left has no contact."""
    done: set[frozenset[int]] = set()
    for a, b in pairs:
        key = frozenset((a, b))
        if a == b or key in done:
            continue
        done.add(key)
        a_to_b = await _latest(session, a, b)
        b_to_a = await _latest(session, b, a)
        await session.execute(
            delete(Contact).where(
                or_(
                    and_(Contact.person_id == a, Contact.other_id == b),
                    and_(Contact.person_id == b, Contact.other_id == a),
                )
            )
        )
        if a_to_b is None and b_to_a is None:
            continue
        times = [t for t in (a_to_b, b_to_a) if t is not None]
        shared = {
            "school_id": await session.scalar(select(Person.school_id).where(Person.id == a)),
            "last_any": max(times),
            "last_both": min(times) if len(times) == 2 else None,
        }
        rows = [
            {"person_id": a, "other_id": b, "last_out": a_to_b, "last_in": b_to_a},
            {"person_id": b, "other_id": a, "last_out": b_to_a, "last_in": a_to_b},
        ]
        await session.execute(insert(Contact), [{**row, **shared} for row in rows])


async def _latest(session: AsyncSession, source_id: int, target_id: int) -> datetime | None:
    return await session.scalar(
        select(func.max(Interaction.occurred_at)).where(
            Interaction.source_id == source_id, Interaction.target_id == target_id
        )
    )


async def rebuild_contacts(session: AsyncSession) -> None:
    """Throw the rollup away and build it again from every interaction (one statement;
    the migration that introduced the table runs the same)."""
    await session.execute(delete(Contact))
    await session.execute(text(REBUILD))
