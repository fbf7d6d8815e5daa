"""INSERT ... ON CONFLICT DO NOTHING for both SQLite and PostgreSQL.

Uniqueness in the database, not a check-then-insert, is what keeps re-deliveries and
concurrent workers from storing a row twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def insert_ignoring_conflicts(
    session: AsyncSession,
    model: type[DeclarativeBase],
    rows: Sequence[dict[str, Any]],
    conflict_columns: Sequence[str] | None = None,
) -> int:
    """Insert ``rows``; rows that clash with a unique key are skipped. Returns how many
    rows were inserted."""
    if not rows:
        return 0
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # The table, not the ORM class: the ORM's bulk-insert path does not report rowcount.
    table = cast(Table, model.__table__)
    statement = insert(table).on_conflict_do_nothing(index_elements=conflict_columns)
    inserted = 0
    # One row per statement: executemany's rowcount is not reliable on every driver,
    # and callers insert a handful of rows per event.
    # The values go as parameters, not into the statement: SQLAlchemy then finds the
    # compiled statement in its cache instead of walking the values on every call.
    for row in rows:
        result = await session.execute(statement, row)
        inserted += max(getattr(result, "rowcount", 0), 0)
    return inserted
