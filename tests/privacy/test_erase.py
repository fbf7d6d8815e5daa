"""``plgbot erase-person``: the person and every trace derived from them are gone
(searched for in every table, in foreign keys, texts and JSON), everybody else's data
is intact, and the contacts rollup equals one rebuilt from what is left."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from sqlalchemy import String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.console import ConsoleSession
from storage import Database, audit
from storage.contacts import rebuild_contacts
from storage.models import Base, Contact, Person
from tests.helpers import edges, run_script
from tests.privacy.scenario import build, person
from tests.rounds.harness import school
from tests.test_cli import plgbot

PEOPLE = Person.__table__


async def everything(session: AsyncSession) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table."""
    return {
        table.name: [dict(row._mapping) for row in await session.execute(select(table))]
        for table in Base.metadata.sorted_tables
    }


def traces(rows: dict[str, list[dict[str, Any]]], person_id: int) -> list[str]:
    """Where the person still shows: an id in a column referring to people, their
    platform id or name in any text, or in any JSON value."""
    found = []
    for table in Base.metadata.sorted_tables:
        person_columns = {
            c.name for c in table.columns for k in c.foreign_keys if k.column.table is PEOPLE
        }
        texts = {c.name for c in table.columns if isinstance(c.type, String | Text)}
        for row in rows[table.name]:
            for column, value in row.items():
                if column in person_columns and value == person_id:
                    found.append(f"{table.name}.{column} = {value}")
                elif value is not None and (column in texts or isinstance(value, dict | list)):
                    shown = json.dumps(value) if isinstance(value, dict | list) else str(value)
                    if "bram" in shown.lower():
                        found.append(f"{table.name}.{column} = {shown}")
                    # The scheduler's claims name people by id in their key.
                    if (table.name, column) == ("occurrences", "key") and (
                        shown == str(person_id) or shown.endswith(f":p{person_id}")
                    ):
                        found.append(f"{table.name}.{column} = {shown}")
    return found


def without(rows: list[dict[str, Any]], columns: set[str], person_id: int) -> list[str]:
    return sorted(
        json.dumps(r, default=str) for r in rows if person_id not in {r[c] for c in columns}
    )


async def test_erase_person_leaves_no_trace_and_keeps_everyone_else(
    console: ConsoleSession, db: Database, database_url: str, tmp_path: Path
) -> None:
    await build(console, db)
    out = await run_script(console, "/as bram\nmy data")
    assert "plgbot-my-data-" in out
    school_id, bram = await person(db, "bram")
    async with db.session() as session:
        before = await everything(session)
    assert traces(before, bram), "the scenario must leave traces to erase"
    all_edges = await edges(db)
    kept_edges = [e for e in all_edges if "bram" not in e[:2]]

    env = {"DATABASE_URL": database_url}
    result = await asyncio.to_thread(
        plgbot, tmp_path, "erase-person", "--school", "test", "--person", "bram", "--yes", env=env
    )
    assert result.returncode == 0, result.stderr
    assert "erased Bram Jansen (@bram, id" in result.stdout
    erased = len(all_edges) - len(kept_edges)
    for line in (f"interactions: {erased}", "round_replies: 1", "survey_invites: 1", "people: 1"):
        assert f"  {line}\n" in result.stdout, result.stdout

    async with db.session() as session:
        after = await everything(session)
    assert traces(after, bram) == []
    # Everyone else's rows are all still there, unchanged (rows referring to Bram
    # through a SET NULL column stay, without him).
    for table in Base.metadata.sorted_tables:
        if table.name in {"audit_log", "contacts", "occurrences", "question_rounds"}:
            continue
        columns = {
            c.name for c in table.columns for k in c.foreign_keys if k.column.table is PEOPLE
        }
        if table is PEOPLE:
            columns = {"id"}
        assert without(after[table.name], columns, bram) == without(
            before[table.name], columns, bram
        ), table.name
    assert await edges(db) == kept_edges
    assert len(after["people"]) == 4 and len(after["question_rounds"]) == 1

    # The rollup is what a rebuild from the remaining interactions gives.
    async with db.session() as session:
        kept = set((await session.execute(select(Contact.__table__))).all())
        await rebuild_contacts(session)
        rebuilt = set((await session.execute(select(Contact.__table__))).all())
        await session.rollback()
    assert kept == rebuilt and kept

    # Audited: the export (now without its actor) and the erasure, naming nobody.
    async with db.session() as session:
        entries = await audit.entries(session, school_id)
    # (The console's clock is weeks ahead of the command line's real one: no order.)
    assert sorted((e.action, e.actor_id) for e in entries) == [
        (audit.ERASE_PERSON, None),
        (audit.MY_DATA_EXPORT, None),
    ]
    shown = await asyncio.to_thread(
        plgbot, tmp_path, "audit", "--school", "test", "--format", "json", env=env
    )
    assert shown.returncode == 0, shown.stderr
    assert sorted((e["action"], e["actor"]) for e in json.loads(shown.stdout)) == [
        (audit.ERASE_PERSON, None),
        (audit.MY_DATA_EXPORT, None),
    ]
    erasure = next(e for e in entries if e.action == audit.ERASE_PERSON)
    assert erasure.subject == f"a person and {_total(result.stdout)} rows"


async def test_erase_person_asks_first_and_refuses_unknown_people(
    console: ConsoleSession, db: Database, database_url: str, tmp_path: Path
) -> None:
    await school(console, db)
    env = {"DATABASE_URL": database_url}
    args = ("erase-person", "--school", "test", "--person")
    no = await asyncio.to_thread(plgbot, tmp_path, *args, "bram", stdin="n\n", env=env)
    assert no.returncode == 1 and "cannot be undone" in no.stdout
    unknown = await asyncio.to_thread(plgbot, tmp_path, *args, "nobody", "--yes", env=env)
    assert unknown.returncode == 1 and "no single person 'nobody'" in unknown.stderr
    _, bram = await person(db, "bram")
    async with db.session() as session:
        assert await session.get(Person, bram) is not None


def _total(stdout: str) -> int:
    return sum(int(line.rsplit(": ", 1)[1]) for line in stdout.splitlines()[1:])
