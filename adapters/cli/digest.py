"""``plgbot digest``: a school's or a board's weekly digest as Markdown and PNG files."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from adapters.cli.base import main, open_database, run_async, settings_or_exit
from bot.catalogue import Language, as_language
from bot.digest.board import compute_board
from bot.digest.board_messages import board_document
from bot.digest.document import as_markdown
from bot.digest.messages import digest_document
from bot.digest.week import IsoWeek
from bot.digest.weekly import WeekNotStartedError, compute
from bot.school_time import zone_of
from storage import digests as store
from storage import directory
from storage.school_settings import DEFAULTS


@main.command()
@click.option("--school", help="School tenant id or name, e.g. demo.")
@click.option("--board", help="A board (schools.board): every school in it, with totals.")
@click.option("--week", help="ISO week, e.g. 2026-W47 (default: last week).")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for digest.md, network.png (school only) and trend.png.",
)
@click.option("--language", type=click.Choice(["nl", "en"]), help="Default: the school's.")
@run_async
async def digest(
    school: str | None, board: str | None, week: str | None, out: Path, language: str | None
) -> None:
    """Write the weekly digest: digest.md with the numbers, network.png (who talks
    with whom, key figures labelled unless the school is aggregate-only) and
    trend.png (knowledge types over eight weeks)."""
    if (school is None) == (board is None):
        raise click.UsageError("give either --school or --board")
    settings = settings_or_exit()
    defaults = dataclasses.replace(DEFAULTS, window_weeks=settings.window_weeks)
    now = datetime.now(UTC)
    database = open_database(settings)
    try:
        async with database.session() as session:
            if school is not None:
                found = await directory.find_school(session, school)
                if found is None:
                    raise click.ClickException(f"no school {school!r}")
                schools = [found]
            else:
                assert board is not None
                schools = list(await store.schools_of_board(session, board))
                if not schools:
                    raise click.ClickException(f"no schools in board {board!r}")
            lang: Language = (
                as_language(language) or as_language(schools[0].language) or settings.language
            )
            chosen = _week(week, now, zone_of(schools[0]))
            try:
                if board is None:
                    result = await compute(
                        session, schools[0].id, chosen, now=now, defaults=defaults
                    )
                else:
                    whole = await compute_board(session, board, chosen, now=now, defaults=defaults)
            except WeekNotStartedError as error:
                raise click.ClickException(str(error)) from None
    finally:
        await database.dispose()
    # matplotlib costs half a second to import: only the command that draws loads it,
    # not every `plgbot` command line.
    from bot.digest.pictures import network_png, trend_png

    files: dict[str, bytes] = {}
    if board is None:
        files["network.png"] = await asyncio.to_thread(network_png, result, lang)
        files["trend.png"] = await asyncio.to_thread(trend_png, result.trend, lang)
        document = as_markdown(digest_document(result, lang), tuple(files))
    else:
        files["trend.png"] = await asyncio.to_thread(trend_png, whole.trend, lang)
        document = as_markdown(board_document(whole, lang), tuple(files))
    files = {"digest.md": document.encode("utf-8"), **files}
    await asyncio.to_thread(_write, out, files)
    for name in files:
        click.echo(f"wrote {out / name}")


def _write(out: Path, files: dict[str, bytes]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (out / name).write_bytes(content)


def _week(value: str | None, now: datetime, zone: ZoneInfo) -> IsoWeek:
    if value is None:
        return IsoWeek.containing(now, zone).shifted(-1)
    try:
        return IsoWeek.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--week") from None
