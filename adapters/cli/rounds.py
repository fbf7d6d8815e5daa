"""``plgbot agenda`` and ``plgbot holidays``: question rounds from the command line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from adapters.cli.base import main, open_database, run_async, settings_or_exit
from bot.catalogue import as_language
from bot.rounds.holidays import HolidayFileError, UnknownSchoolError, import_holidays, reason
from bot.rounds.holidays import school_holidays as list_school_holidays
from bot.rounds.whiteboard import UnknownRoundError, agenda_document


@main.command()
@click.argument("round_id", metavar="ROUND", type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
@click.option("--language", type=click.Choice(["nl", "en"]), help="Default: the school's.")
@run_async
async def agenda(round_id: int, out: Path | None, language: str | None) -> None:
    """The meeting agenda of round ROUND (its latest occurrence) as Markdown."""
    settings = settings_or_exit()
    database = open_database(settings)
    try:
        document = await agenda_document(database, round_id, as_language(language))
    except UnknownRoundError as error:
        raise click.ClickException(str(error)) from None
    finally:
        await database.dispose()
    if out is None:
        click.echo(document, nl=False)
    else:
        await asyncio.to_thread(out.write_text, document, encoding="utf-8")
        click.echo(f"wrote {out}")


@main.group()
def holidays() -> None:
    """School holidays: question rounds are not posted in them."""


@holidays.command("import")
@click.option("--school", required=True, help="School tenant id or name, e.g. demo.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@run_async
async def holidays_import(school: str, file: Path) -> None:
    """Import holidays from an iCalendar (.ics) or YAML (.yaml) FILE; repeatable."""
    settings = settings_or_exit()
    database = open_database(settings)
    try:
        await database.upgrade()
        data = await asyncio.to_thread(file.read_bytes)
        added, imported = await import_holidays(database, school, file.name, data)
    except (UnknownSchoolError, HolidayFileError) as error:
        raise click.ClickException(str(error)) from None
    finally:
        await database.dispose()
    for span in imported.spans:
        click.echo(f"{span.starts_on} – {span.ends_on}  {span.name}")
    for name, why in imported.skipped:
        click.echo(f"skipped: {name} ({reason(settings.language, why)})")
    click.echo(f"{added} new, {len(imported.spans) - added} already known")


@holidays.command("list")
@click.option("--school", required=True, help="School tenant id or name, e.g. demo.")
@run_async
async def holidays_list(school: str) -> None:
    """The school's holidays, oldest first."""
    settings = settings_or_exit()
    database = open_database(settings)
    try:
        spans = await list_school_holidays(database, school)
    except UnknownSchoolError as error:
        raise click.ClickException(str(error)) from None
    finally:
        await database.dispose()
    for span in spans:
        click.echo(f"{span.starts_on} – {span.ends_on}  {span.name}")
