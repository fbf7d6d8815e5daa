"""The ``plgbot`` command group and what every command shares: settings, the
database, the core, a school named on the command line, running a coroutine."""

from __future__ import annotations

import asyncio
import logging
import logging.config
import sys
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.settings import Settings, SettingsError, bot_config, load_settings
from bot.clock import Clock, SystemClock
from bot.service import Bot
from storage import Database, directory
from storage.models import School

P = ParamSpec("P")
R = TypeVar("R")


def run_async(func: Callable[P, Awaitable[R]]) -> Callable[P, R]:
    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return asyncio.run(func(*args, **kwargs))  # type: ignore[arg-type]

    return wrapper


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        click.echo(str(error), err=True)
        sys.exit(2)


def open_database(settings: Settings) -> Database:
    return Database(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )


async def school_or_fail(session: AsyncSession, key: str) -> School:
    """The school named on the command line, or a clear refusal naming the known ones."""
    found = await directory.find_school(session, key)
    if found is None:
        known = [s.tenant_id for s in await directory.list_schools(session)]
        raise click.ClickException(
            f"no school {key!r}; known: {', '.join(known) or 'none'} (a school appears when "
            "plgbot first hears from its workspace or tenant; for Slack, "
            "plgbot roster import --from slack creates it)"
        )
    return found


def make_bot(settings: Settings, db: Database, clock: Clock | None = None) -> Bot:
    return Bot(db, clock=clock or SystemClock(), config=bot_config(settings))


@click.group()
def main() -> None:
    """plgbot: help what your PLGs learn reach the whole school."""
    # Migrations and libraries chat at INFO; a terminal user wants only problems.
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
