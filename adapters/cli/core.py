"""``plgbot serve``, ``db upgrade``, ``demo``, ``console``, ``network`` and
``teams-package``: running plgbot and looking at a school's network."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import json
import logging
import logging.config
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from adapters.cli.base import main, make_bot, open_database, run_async, settings_or_exit
from adapters.log_format import FORMATS, LogFormat, log_config
from bot.catalogue import Language, text
from bot.network.report import (
    EdgeRow,
    KeyFigureRow,
    NetworkReport,
    PersonRow,
    UnknownSchoolError,
    network_report,
)
from storage import Database
from storage.school_settings import DEFAULTS


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@run_async
async def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    settings = settings_or_exit()
    database = open_database(settings)
    try:
        await database.upgrade()
        revisions = ", ".join(await database.current_revisions())
        click.echo(f"database at revision {revisions}")
    finally:
        await database.dispose()


@main.command()
@click.option("--as", "as_name", help="Who you are: a handle or name (created if new).")
@click.option("--school", default="demo", show_default=True, help="School (tenant) to use.")
@click.option(
    "--files",
    "files_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for files plgbot sends, e.g. a data export (default: plgbot's data folder).",
)
@run_async
async def console(as_name: str | None, school: str, files_dir: Path | None) -> None:
    """Chat with plgbot in the terminal, or run a script from stdin. The scheduler runs
    in-process while you chat; /wait lets time pass."""
    from adapters.console import ConsoleSession, run_console
    from adapters.console.scheduling import ConsoleClock

    settings = settings_or_exit()
    database = open_database(settings)
    try:
        await database.upgrade()
        clock = ConsoleClock()
        bot = make_bot(settings, database, clock)
        session = ConsoleSession(bot, database, school=school, clock=clock, files_dir=files_dir)
        code = await run_console(session, as_name=as_name)
    finally:
        await database.dispose()
    sys.exit(code)


@main.command()
@click.option("--if-empty", is_flag=True, help="Do nothing if the demo school exists.")
@click.option("--seed", default=7, show_default=True, help="Seed of the generator.")
@run_async
async def demo(if_empty: bool, seed: int) -> None:
    """Load a demo school: ~40 staff, 3 PLGs, 12 weeks of interactions."""
    from bot.demo.school import describe, load_demo

    settings = settings_or_exit()
    database = open_database(settings)
    try:
        await database.upgrade()
        summary = await load_demo(database, now=datetime.now(UTC), seed=seed)
        if summary.created or not if_empty:
            click.echo(describe(summary, settings.language))
    finally:
        await database.dispose()


@main.command()
@click.option("--school", required=True, help="School tenant id or name, e.g. demo.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
)
@click.option("--weeks", type=click.IntRange(1, 104), help="Window (default: the school's).")
@click.option("--plg", help="Only interactions about this PLG.")
@click.option(
    "--table",
    type=click.Choice(["people", "edges", "keyfigures"]),
    default="people",
    show_default=True,
    help="With --format csv: which table.",
)
@run_async
async def network(school: str, fmt: str, weeks: int | None, plg: str | None, table: str) -> None:
    """Export the school's PLG network: edges, per-person ties and profiles, and the
    key figures."""
    settings = settings_or_exit()
    database = open_database(settings)
    try:
        report = await network_report(
            database,
            school=school,
            now=datetime.now(UTC),
            weeks=weeks,
            plg=plg,
            defaults=dataclasses.replace(DEFAULTS, window_weeks=settings.window_weeks),
            language=settings.language,
        )
        from adapters.cli.privacy import record_export

        # Names and ties of staff leave plgbot here: the audit log says so.
        await record_export(database, school, f"plgbot network --format {fmt} --table {table}")
    except UnknownSchoolError as error:
        raise click.ClickException(str(error)) from None
    finally:
        await database.dispose()
    click.echo(format_report(report, fmt, table, settings.language), nl=False)


async def _upgrade_and_close(database: Database) -> None:
    try:
        await database.upgrade()
    finally:
        await database.dispose()


def format_report(
    report: NetworkReport, fmt: str, table: str = "people", language: Language = "en"
) -> str:
    if fmt == "json":
        return json.dumps(_jsonable(report), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        tables: dict[str, tuple[type[Any], list[Any]]] = {
            "people": (PersonRow, list(report.people)),
            "edges": (EdgeRow, list(report.edges)),
            "keyfigures": (KeyFigureRow, list(report.key_figures)),
        }
        kind, rows = tables[table]
        out = io.StringIO()
        writer = csv.DictWriter(
            out, fieldnames=[f.name for f in dataclasses.fields(kind)], lineterminator="\n"
        )
        writer.writeheader()
        for row in rows:
            data = dataclasses.asdict(row)
            for key in ("knowledge", "shared", "activities"):
                if key in data:
                    data[key] = "|".join(data[key])
            writer.writerow(data)
        return out.getvalue()
    weeks = report.weeks
    lines = [
        f"{report.school}: {len(report.edges)} ties, "
        f"{sum(1 for p in report.people if p.degree)} of {len(report.people)} staff connected "
        f"({report.since:%Y-%m-%d} to {report.until:%Y-%m-%d})",
        "",
        text(language, "keyfigures.title", weeks=weeks),
    ]
    lines += [
        text(
            language,
            "keyfigures.item",
            rank=k.rank,
            name=k.name,
            handle=k.handle,
            profile=k.profile_name,
            reason=k.reason,
        )
        for k in report.key_figures
    ] or [text(language, "keyfigures.none", weeks=weeks)]
    lines += [
        "",
        f"{'name':<24} {'role':<14} {'out':>4} {'in':>4} {'both':>5} {'degree':>7} {'recipr.':>8}"
        f"  profile",
    ]
    lines += [
        f"{p.name[:24]:<24} {p.role[:14]:<14} {p.out_ties:>4} {p.in_ties:>4} "
        f"{p.reciprocal_ties:>5} {p.degree:>7} {p.reciprocity:>8.0%}  {p.profile}".rstrip()
        for p in report.people
    ]
    return "\n".join(lines) + "\n"


def _jsonable(report: NetworkReport) -> dict[str, Any]:
    data = dataclasses.asdict(report)
    data["since"] = report.since.isoformat()
    data["until"] = report.until.isoformat()
    return data


@main.command()
@click.option("--host", help="Interface to listen on (default: PLGBOT_HOST).")
@click.option("--port", type=int, help="Port (default: PLGBOT_PORT).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Worker processes, uvicorn's (default: PLGBOT_WORKERS, 1). Any worker takes any "
    "request; one process at a time runs the scheduler.",
)
@click.option(
    "--log-format",
    type=click.Choice(FORMATS),
    help="text, or json: one JSON object per line (default: PLGBOT_LOG_FORMAT, text).",
)
@click.option(
    "--no-scheduler",
    is_flag=True,
    help="Serve only; another process runs the scheduled jobs (extra web workers).",
)
def serve(
    host: str | None,
    port: int | None,
    workers: int | None,
    log_format: LogFormat | None,
    no_scheduler: bool,
) -> None:
    """Run the HTTP server: /healthz, /readyz, /metrics, and Slack/Teams endpoints when
    configured; and, unless --no-scheduler, the scheduler (one process at a time runs
    its jobs)."""
    import uvicorn

    from adapters.observability import multiprocess_metrics

    settings = settings_or_exit()
    # uvicorn's worker processes build the app from the environment
    # (adapters.server.app_factory): the options go to them from there.
    if no_scheduler:
        os.environ["PLGBOT_SCHEDULER"] = "false"
    if log_format is not None:
        os.environ["PLGBOT_LOG_FORMAT"] = log_format
    logs = log_config(settings.log_level, log_format or settings.log_format)
    logging.config.dictConfig(logs)
    # Migrate once, here, before any worker starts.
    database = open_database(settings)
    asyncio.run(_upgrade_and_close(database))
    count = workers or settings.workers
    with multiprocess_metrics(count):
        uvicorn.run(
            "adapters.server:app_factory",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            workers=count,
            log_config=logs,
            log_level=settings.log_level.lower(),
            access_log=False,
            # A worker answers uvicorn's health pings only once its interpreter is up;
            # on a busy small machine that takes longer than uvicorn's default 5 s.
            timeout_worker_healthcheck=30,
        )


@main.command("teams-package")
@click.option("--app-id", required=True, help="The bot's Microsoft App ID (MICROSOFT_APP_ID).")
@click.option("--host", required=True, help="Public host name of plgbot, e.g. plgbot.school.nl.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=Path("plgbot-teams.zip"),
    show_default=True,
)
@click.option("--version", "app_version", default="1.0.0", show_default=True)
@click.option("--developer", default="plgbot", show_default=True, help="Shown in the app store.")
@click.option("--website-url", help="Default: https://HOST/")
@click.option("--privacy-url", help="Default: the website URL.")
@click.option("--terms-url", help="Default: the website URL.")
def teams_package(
    app_id: str,
    host: str,
    output: Path,
    app_version: str,
    developer: str,
    website_url: str | None,
    privacy_url: str | None,
    terms_url: str | None,
) -> None:
    """Write the Microsoft Teams app package (manifest and icons) to upload in Teams."""
    from adapters.teams.package import PackageError, PackageInfo, write_package

    info = PackageInfo(
        app_id=app_id.strip(),
        host=host.strip().lower().removeprefix("https://").rstrip("/"),
        version=app_version,
        developer=developer,
        website_url=website_url,
        privacy_url=privacy_url,
        terms_url=terms_url,
    )
    try:
        written = write_package(info, output)
    except PackageError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {written}; messaging endpoint: https://{info.host}/api/messages")
