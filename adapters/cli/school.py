"""``plgbot school show|set``: a school's thresholds and schedules from the command line."""

from __future__ import annotations

import dataclasses

import click

from adapters.cli.base import main, open_database, run_async, school_or_fail, settings_or_exit
from adapters.settings import Settings
from bot.catalogue import text
from bot.clock import SystemClock
from bot.staff import school_year
from storage.school_settings import (
    DEFAULTS,
    SchoolConfig,
    SettingError,
    school_config,
    set_school_config,
)


@main.group()
def school() -> None:
    """A school's thresholds and schedules (key figures, nudges, network survey)."""


@school.command("show")
@click.option("--school", "key", required=True, help="School tenant id or name, e.g. demo.")
@run_async
async def school_show(key: str) -> None:
    """Print the settings in force (defaults included)."""
    settings = settings_or_exit()
    database = open_database(settings)
    try:
        async with database.session() as session:
            found = await school_or_fail(session, key)
            config = await school_config(session, found.id, _defaults(settings))
    finally:
        await database.dispose()
    for field in dataclasses.fields(config):
        click.echo(f"{field.name} = {_shown(getattr(config, field.name))}")


@school.command("set")
@click.option("--school", "key", required=True, help="School tenant id or name, e.g. demo.")
@click.argument("changes", nargs=-1, required=True)
@run_async
async def school_set(key: str, changes: tuple[str, ...]) -> None:
    """Change settings: KEY=VALUE ... (VALUE ``default`` puts the default back), e.g.
    plgbot school set --school demo key_figures=5 nudge_at="tue 08:30" survey=off"""
    settings = settings_or_exit()
    pairs: dict[str, str] = {}
    for change in changes:
        name, sep, value = change.partition("=")
        if not sep:
            raise click.BadParameter(f"{change!r}: write KEY=VALUE", param_hint="CHANGES")
        pairs[name.strip()] = value
    database = open_database(settings)
    try:
        async with database.session() as session:
            found = await school_or_fail(session, key)
            await set_school_config(session, found.id, pairs)
            config = await school_config(session, found.id, _defaults(settings))
    except SettingError as error:
        raise click.ClickException(str(error)) from None
    finally:
        await database.dispose()
    for name in pairs:
        click.echo(f"{name} = {_shown(getattr(config, name))}")


def _defaults(settings: Settings) -> SchoolConfig:
    return dataclasses.replace(DEFAULTS, window_weeks=settings.window_weeks)


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


@main.group()
def schoolyear() -> None:
    """The school year: close it at the end of July (figures kept, rounds ended)."""


@schoolyear.command("close")
@click.option("--school", "key", required=True, help="School tenant id or name, e.g. demo.")
@click.option("--dry-run", is_flag=True, help="Show the year's figures; close nothing.")
@run_async
async def schoolyear_close(key: str, dry_run: bool) -> None:
    """Close the running school year: its figures are kept as history (the dashboard
    shows them), every question round ends, and each PLG's leads are asked whether it
    carries on. Nothing is deleted. Then load the new year's roster."""
    settings = settings_or_exit()
    now = SystemClock().now()
    database = open_database(settings)
    try:
        async with database.session() as session:
            found = await school_or_fail(session, key)
            if dry_run:
                summary = await school_year.summarise(session, found, now)
            else:
                summary = await school_year.close(session, found, now, actor_id=None)
    except school_year.YearAlreadyClosedError as closed:
        raise click.ClickException(
            f"school year {closed.name} was closed on {closed.closed.isoformat()}"
        ) from None
    finally:
        await database.dispose()
    language = settings.language
    click.echo(
        text(
            language,
            "schoolyear.title" if dry_run else "schoolyear.closed_title",
            name=summary.name,
        )
    )
    for line in school_year.summary_lines(language, summary):
        click.echo(f"  {line}")
    if dry_run:
        click.echo("dry run: nothing closed")
    else:
        click.echo(text(language, "schoolyear.closed", rounds=summary.rounds_ended))
