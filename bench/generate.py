"""A seeded school board for the key-figure benchmark, written straight into a migrated
database with bulk inserts (generation is not what is measured).

Each school has a few hubs: four people whose activity weight is several times anyone
else's, on top of a long tail (weights falling as rank^-0.7), so a handful of staff
take part in a large share of the interactions, as in the research's schools. Times
are spread evenly over the year before ``NOW``; origins and knowledge types follow
rough proportions (results and practicalities most common).
"""

from __future__ import annotations

import bisect
import itertools
import random
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HUBS = 4
HUB_WEIGHT = 3.0
_ORIGINS = (
    ("told", 0.25),
    ("heard", 0.10),
    ("discussed", 0.15),
    ("mention", 0.20),
    ("thread_reply", 0.15),
    ("asked", 0.10),
    ("survey", 0.03),
    ("round_reply", 0.02),
)
# Chance of each knowledge bit: focus, process, outcomes, benefits, organisation.
_KNOWLEDGE = (0.15, 0.15, 0.50, 0.08, 0.35)
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


@dataclass(frozen=True, slots=True)
class Board:
    schools: int
    staff: int
    interactions: int
    seed: int = 1

    @property
    def staff_per_school(self) -> int:
        return self.staff // self.schools


@dataclass(frozen=True, slots=True)
class Row:
    school_id: int
    source_id: int
    target_id: int
    origin: str
    knowledge: int
    occurred_at: datetime


def people(board: Board) -> Iterator[tuple[int, int, str]]:
    """(person id, school id, name) for everyone; ids start at 1, schools too."""
    per = board.staff_per_school
    for school in range(board.schools):
        for n in range(per):
            yield school * per + n + 1, school + 1, f"Staff {school + 1:02d}-{n:04d}"


def interactions(board: Board) -> Iterator[Row]:
    rng = random.Random(board.seed)
    per = board.staff_per_school
    weights = [HUB_WEIGHT] * HUBS + [1 / (r + 1) ** 0.7 for r in range(per - HUBS)]
    cumulative = list(itertools.accumulate(weights))
    origins, origin_weights = zip(*_ORIGINS, strict=True)
    origin_cumulative = list(itertools.accumulate(origin_weights))
    year = int(timedelta(days=365).total_seconds())

    def pick() -> int:
        return bisect.bisect(cumulative, rng.random() * cumulative[-1])

    for _ in range(board.interactions):
        school = rng.randrange(board.schools)
        a, b = pick(), pick()
        while b == a:
            b = pick()
        knowledge = sum(1 << bit for bit, p in enumerate(_KNOWLEDGE) if rng.random() < p)
        origin = origins[bisect.bisect(origin_cumulative, rng.random() * origin_cumulative[-1])]
        yield Row(
            school_id=school + 1,
            source_id=school * per + a + 1,
            target_id=school * per + b + 1,
            origin=origin,
            knowledge=knowledge,
            occurred_at=NOW - timedelta(seconds=rng.randrange(60, year)),
        )


def _chunks(rows: Iterator[Row], size: int = 50_000) -> Iterator[list[Row]]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def fill_sqlite(path: str, board: Board) -> None:
    """Bulk-load the board into a migrated SQLite file, then build the contacts rollup
    with the same statement the migration backfills it with."""
    from storage.contacts import REBUILD

    created = NOW.strftime(SQLITE_TIME)
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.executemany(
            "INSERT INTO schools (id, platform, tenant_id, name, language, timezone, created_at)"
            " VALUES (?, 'bench', ?, ?, 'nl', 'Europe/Amsterdam', ?)",
            [(s + 1, f"school-{s + 1}", f"School {s + 1}", created) for s in range(board.schools)],
        )
        connection.executemany(
            "INSERT INTO people (id, school_id, platform_user_id, display_name, handle, role,"
            " created_at) VALUES (?, ?, ?, ?, ?, 'teacher', ?)",
            [(pid, sid, f"u{pid}", name, f"u{pid}", created) for pid, sid, name in people(board)],
        )
        for chunk in _chunks(interactions(board)):
            connection.executemany(
                "INSERT INTO interactions (school_id, source_id, target_id, origin, knowledge,"
                " occurred_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        r.school_id,
                        r.source_id,
                        r.target_id,
                        r.origin,
                        r.knowledge,
                        r.occurred_at.replace(tzinfo=None).strftime(SQLITE_TIME),
                    )
                    for r in chunk
                ],
            )
        connection.execute(REBUILD)


async def fill_postgres(url: str, board: Board) -> None:
    """The same board in PostgreSQL, with COPY."""
    import asyncpg
    from sqlalchemy.engine import make_url

    from storage.contacts import REBUILD

    parsed = make_url(url)
    connection = await asyncpg.connect(
        user=parsed.username, host=parsed.host, port=parsed.port, database=parsed.database
    )
    try:
        await connection.copy_records_to_table(
            "schools",
            records=[
                (
                    s + 1,
                    "bench",
                    f"school-{s + 1}",
                    f"School {s + 1}",
                    "nl",
                    "Europe/Amsterdam",
                    NOW,
                )
                for s in range(board.schools)
            ],
            columns=["id", "platform", "tenant_id", "name", "language", "timezone", "created_at"],
        )
        await connection.copy_records_to_table(
            "people",
            records=[
                (pid, sid, f"u{pid}", name, f"u{pid}", "teacher", NOW)
                for pid, sid, name in people(board)
            ],
            columns=[
                "id",
                "school_id",
                "platform_user_id",
                "display_name",
                "handle",
                "role",
                "created_at",
            ],
        )
        for chunk in _chunks(interactions(board)):
            await connection.copy_records_to_table(
                "interactions",
                records=[
                    (r.school_id, r.source_id, r.target_id, r.origin, r.knowledge, r.occurred_at)
                    for r in chunk
                ],
                columns=[
                    "school_id",
                    "source_id",
                    "target_id",
                    "origin",
                    "knowledge",
                    "occurred_at",
                ],
            )
        await connection.execute(REBUILD)
        # Fresh statistics and visibility map, as autovacuum would leave them.
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
