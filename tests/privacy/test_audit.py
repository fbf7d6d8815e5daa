"""The audit log: entries are stored per school and read back newest first."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from storage import Database, audit, directory
from tests.conftest import NOW
from tests.test_cli import plgbot


async def test_entries_are_per_school_newest_first_with_actor_names(any_db: Database) -> None:
    async with any_db.session() as session:
        school = await directory.ensure_school(
            session, platform="console", tenant_id="a", name="A", now=NOW
        )
        other = await directory.ensure_school(
            session, platform="console", tenant_id="b", name="B", now=NOW
        )
        anouk = await directory.ensure_person(
            session, school_id=school.id, platform_user_id="anouk", display_name="Anouk", now=NOW
        )
        await audit.record(
            session, school_id=school.id, actor_id=anouk.id, action="page", subject="/", at=NOW
        )
        await audit.record(
            session,
            school_id=school.id,
            actor_id=None,
            action=audit.ERASE_PERSON,
            subject="x" * 500,
            at=NOW + timedelta(minutes=1),
        )
        await audit.record(
            session, school_id=other.id, actor_id=None, action="page", subject="/", at=NOW
        )
    async with any_db.session() as session:
        found = await audit.entries(session, school.id)
        limited = await audit.entries(session, school.id, limit=1)
    assert [(e.action, e.actor_name) for e in found] == [
        (audit.ERASE_PERSON, None),
        ("page", "Anouk"),
    ]
    assert len(found[0].subject) == audit.MAX_SUBJECT
    assert found[1].at == NOW and found[1].actor_id == anouk.id
    assert [e.action for e in limited] == [audit.ERASE_PERSON]


async def test_command_line_exports_are_audited(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database_url}
    for args in (("demo",), ("network", "--school", "demo", "--format", "csv")):
        done = await asyncio.to_thread(plgbot, tmp_path, *args, env=env)
        assert done.returncode == 0, done.stderr
    shown = await asyncio.to_thread(plgbot, tmp_path, "audit", "--school", "demo", env=env)
    assert shown.returncode == 0, shown.stderr
    [line] = shown.stdout.splitlines()
    assert line.endswith("export.cli        plgbot network --format csv --table people")
    assert " — " in line  # no actor: the command line
