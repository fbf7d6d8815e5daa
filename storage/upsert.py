"""INSERT ... ON CONFLICT DO NOTHING for both SQLite and PostgreSQL.

Uniqueness in the database, not a check-then-insert, is what keeps re-deliveries and
concurrent workers from storing a row twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.dml import Insert


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
    statement = _statement(
        session.get_bind().dialect.name,
        cast(Table, model.__table__),
        tuple(conflict_columns) if conflict_columns is not None else None,
    )
    inserted = 0
    # One row per statement: executemany's rowcount is not reliable on every driver,
    # and callers insert a handful of rows per event.
    # The values go as parameters, not into the statement: SQLAlchemy then finds the
    # compiled statement in its cache instead of walking the values on every call.
    for row in rows:
        result = await session.execute(statement, row)
        inserted += max(getattr(result, "rowcount", 0), 0)
    return inserted


@cache
def _statement(dialect: str, table: Table, conflict_columns: tuple[str, ...] | None) -> Insert:
    """Built once per table: building the statement (and its cache key) on every call
    cost more than running it on SQLite. The table, not the ORM class: the ORM's
    bulk-insert path does not report rowcount."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=conflict_columns)
