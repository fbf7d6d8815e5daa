"""``plgbot erase-person`` and ``plgbot audit``: privacy from the command line.

Erasing asks for confirmation (``--yes`` skips it, for scripts), runs in one
transaction with its audit entry, and prints what went, per table.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.cli.base import main, open_database, run_async, school_or_fail, settings_or_exit
from storage import Database, audit, directory
from storage.models import Person, School
from storage.privacy import erase_person as erase


@main.command("erase-person")
@click.option("--school", "school_key", required=True, help="School tenant id or name.")
@click.option("--person", "person_key", required=True, help="Handle, name, platform id or id.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@run_async
async def erase_person(school_key: str, person_key: str, yes: bool) -> None:
    """Delete a person and everything derived from them: interactions both ways,
    replies, posts, nudges, survey answers, their private chat address, digests'
    stored copies. Cannot be undone."""
    settings = settings_or_exit()
    database = open_database(settings)
    try:
        async with database.session() as session:
            school = await school_or_fail(session, school_key)
            person = await _person_or_fail(session, school, person_key)
            person_id, shown = person.id, _shown(person)
        if not yes:
            click.confirm(
                f"Erase {shown} from {school.name} and everything derived from them? "
                "This cannot be undone.",
                abort=True,
            )
        async with database.session() as session:
            if await session.get(Person, person_id) is None:
                raise click.ClickException(f"{shown} was erased meanwhile")
            counts = await erase(session, person_id)
            # The entry says that a person was erased and how much, never who: the
            # point of erasing is that nothing names them any more.
            await audit.record(
                session,
                school_id=school.id,
                actor_id=None,
                action=audit.ERASE_PERSON,
                subject=f"a person and {sum(counts.values())} rows",
                at=datetime.now(UTC),
            )
    finally:
        await database.dispose()
    click.echo(f"erased {shown}; rows per table:")
    for table, count in sorted(counts.items()):
        click.echo(f"  {table}: {count}")


@main.command("audit")
@click.option("--school", "school_key", required=True, help="School tenant id or name.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@run_async
async def audit_log(school_key: str, limit: int, fmt: str) -> None:
    """Who opened which dashboard page, and which exports and erasures were made;
    newest first. An actor shown as — is the command line or a person since erased."""
    settings = settings_or_exit()
    database = open_database(settings)
    try:
        async with database.session() as session:
            school = await school_or_fail(session, school_key)
            found = await audit.entries(session, school.id, limit=limit)
    finally:
        await database.dispose()
    if fmt == "json":
        rows = [
            {
                "at": e.at.isoformat(),
                "actor": e.actor_name,
                "action": e.action,
                "subject": e.subject,
            }
            for e in found
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for e in found:
        actor = e.actor_name or "—"
        click.echo(f"{e.at:%Y-%m-%d %H:%M}Z  {actor:<24}  {e.action:<16}  {e.subject}")


async def _person_or_fail(session: AsyncSession, school: School, key: str) -> Person:
    person = None
    if key.strip().isdigit():
        person = await session.get(Person, int(key))
        if person is not None and person.school_id != school.id:
            person = None
    if person is None:
        person = await directory.find_person(session, school.id, key)
    if person is None:
        raise click.ClickException(
            f"no single person {key!r} in {school.name}; give a handle or the id "
            "(plgbot console: /who lists everyone)"
        )
    return person


def _shown(person: Person) -> str:
    handle = f"@{person.handle}, " if person.handle else ""
    return f"{person.display_name} ({handle}id {person.id})"


async def record_export(database: Database, school_key: str, what: str) -> None:
    """Audit an export made from the command line (no actor): ``what`` says which."""
    async with database.session() as session:
        found = await directory.find_school(session, school_key)
        if found is not None:
            await audit.record(
                session,
                school_id=found.id,
                actor_id=None,
                action=audit.CLI_EXPORT,
                subject=what,
                at=datetime.now(UTC),
            )
