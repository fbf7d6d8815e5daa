"""``plgbot reconcile``: merge conversations that both people logged before plgbot
recorded them once (bot/network/conversations.py has the rule)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.cli.base import main, open_database, run_async, school_or_fail, settings_or_exit
from bot.catalogue import Language, text
from bot.network import conversations
from bot.network.conversations import Merge
from storage import audit
from storage.models import Person


@main.command()
@click.option("--school", "key", required=True, help="School tenant id or name, e.g. demo.")
@click.option("--dry-run", is_flag=True, help="List what would be merged; change nothing.")
@run_async
async def reconcile(key: str, dry_run: bool) -> None:
    """Count each conversation once: where both people logged the same contact within
    a week (told and heard, or both told), the two reports become one record, or one
    'discussed' conversation when they point both ways. The audit log keeps what was done."""
    settings = settings_or_exit()
    language = settings.language
    database = open_database(settings)
    try:
        async with database.session() as session:
            school = await school_or_fail(session, key)
            merges = await conversations.reconcile(session, school.id, dry_run=dry_run)
            lines = [await _line(session, language, merge) for merge in merges]
            # The lines name staff, so even a dry run is an export the audit log records.
            await audit.record(
                session,
                school_id=school.id,
                actor_id=None,
                action=audit.CLI_EXPORT if dry_run else audit.RECONCILE,
                subject=f"plgbot reconcile{' --dry-run' if dry_run else ''}: {len(merges)}",
                at=datetime.now(UTC),
            )
    finally:
        await database.dispose()
    for line in lines:
        click.echo(line)
    if not merges:
        click.echo(text(language, "reconcile.nothing"))
        return
    done = "reconcile.would" if dry_run else "reconcile.done"
    click.echo(text(language, done, count=len(merges)))


async def _line(session: AsyncSession, language: Language, merge: Merge) -> str:
    first = await session.get(Person, merge.earlier_reporter_id)
    second = await session.get(Person, merge.later_reporter_id)
    return text(
        language,
        "reconcile.line",
        first=first.display_name if first else "?",
        first_date=merge.earlier_at.date().isoformat(),
        first_origin=text(language, f"reconcile.{merge.earlier_origin}"),
        second=second.display_name if second else "?",
        second_date=merge.later_at.date().isoformat(),
        second_origin=text(language, f"reconcile.{merge.later_origin}"),
        outcome=text(
            language, "reconcile.one_discussed" if merge.both_ways else "reconcile.one_record"
        ),
    )
