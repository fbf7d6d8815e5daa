"""``plgbot roster import`` and ``plgbot people list|set``: the school's staff, their
roles and departments, from the command line (who runs plgbot sets up a real school).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.cli.base import main, open_database, run_async, school_or_fail, settings_or_exit
from adapters.settings import Settings
from bot.clock import SystemClock
from bot.staff.roles import ROLES, role_of
from bot.staff.roster_file import RosterFile, RosterFileError, read_roster
from bot.staff.roster_match import PlatformMatch, match_platform
from storage import Database, audit, directory
from storage.directory import PLACEHOLDER
from storage.models import Person, School
from storage.roster import (
    RosterEntry,
    RosterReport,
    apply_roster,
    normal_email,
    set_fields,
)


@main.group()
def roster() -> None:
    """The school's staff roster: who counts as staff, with role and department."""


@roster.command("import")
@click.option("--school", "key", help="School tenant id or name (not needed with --from slack).")
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--from",
    "source",
    type=click.Choice(["slack", "teams"]),
    help="Also read the platform's members (Slack users.list, the Teams team rosters), "
    "matched to FILE by e-mail; without FILE they are the roster.",
)
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option(
    "--partial",
    is_flag=True,
    help="The file is not the whole staff: add and update, mark nobody as a leaver.",
)
@run_async
async def roster_import(
    key: str | None, file: Path | None, source: str | None, dry_run: bool, partial: bool
) -> None:
    """Load the staff from FILE (CSV or XLSX, as HR or the timetable system exports it:
    name, e-mail, function, department, start year; Dutch or English column names),
    from the platform, or both. Run it again later: it adds, updates and marks leavers.

    \b
    plgbot roster import --school demo personeel.xlsx --dry-run
    plgbot roster import --from slack personeel.csv
    """
    if file is None and source is None:
        raise click.UsageError("give a FILE, --from slack|teams, or both")
    settings = settings_or_exit()
    now = SystemClock().now()
    parsed = _read(file, now) if file else None
    database = open_database(settings)
    try:
        school, members = await _platform(settings, database, source, key, now)
        if school is None:
            assert key is not None
            async with database.session() as session:
                school = await school_or_fail(session, key)
        if members is not None and not members:
            raise click.ClickException(
                f"{source} listed no staff members: nothing imported (is plgbot installed "
                "in the workspace or team, with the permission to read its members?)"
            )
        entries: list[RosterEntry] = list(parsed.entries) if parsed else []
        if parsed and not entries:
            raise click.ClickException(f"{file}: no staff in the file, nothing imported")
        match = None
        if members and not any(m.email for m in members):
            click.echo(
                f"warning: {source} gave no e-mail addresses, so nobody can be matched by "
                "e-mail (Slack: add the users:read.email scope and reinstall the app)",
                err=True,
            )
        if members is not None:
            if parsed:
                entries, match = match_platform(entries, members)
            else:
                entries = members
        async with database.session() as session:
            report = await apply_roster(
                session,
                school_id=school.id,
                entries=entries,
                now=now,
                complete=not partial,
                dry_run=dry_run,
            )
            if not dry_run:
                await audit.record(
                    session,
                    school_id=school.id,
                    actor_id=None,
                    action=audit.ROSTER_IMPORT,
                    subject=f"{len(entries)} staff from {file.name if file else source}",
                    at=now,
                )
    finally:
        await database.dispose()
    _print(school, parsed, match, report)


def _read(file: Path, now: datetime) -> RosterFile:
    try:
        return read_roster(file, this_year=now.astimezone(ZoneInfo("Europe/Amsterdam")).year)
    except RosterFileError as error:
        raise click.ClickException(f"{file}: {error}") from None
    except OSError as error:
        raise click.ClickException(f"{file}: {error.strerror or error}") from None


async def _platform(
    settings: Settings, database: Database, source: str | None, key: str | None, now: datetime
) -> tuple[School | None, list[RosterEntry] | None]:
    """The school and its members on the platform (None, None without ``source``)."""
    if source == "slack":
        token = settings.slack_bot_token
        if token is None:
            raise click.ClickException("--from slack needs SLACK_BOT_TOKEN")
        # The Slack SDK only for the command that talks to Slack (an import costs time).
        from slack_sdk.errors import SlackApiError
        from slack_sdk.web.async_client import AsyncWebClient

        from adapters.slack.members import staff_members, workspace

        client = AsyncWebClient(token=token.get_secret_value(), base_url=settings.slack_api_url)
        try:
            team_id, name = await workspace(client)
            members = await staff_members(client)
        except SlackApiError as error:
            problem = error.response.get("error", "error")
            hint = " (add the users:read.email scope)" if problem == "missing_scope" else ""
            raise click.ClickException(f"Slack refused: {problem}{hint}") from None
        except (OSError, TimeoutError) as error:
            raise click.ClickException(f"Slack unreachable: {error}") from None
        async with database.session() as session:
            school = await directory.ensure_school(
                session,
                platform="slack",
                tenant_id=team_id,
                name=name,
                now=now,
                language=settings.language,
            )
            if key and directory.name_key(key) not in (
                directory.name_key(school.tenant_id),
                directory.name_key(school.name),
            ):
                raise click.ClickException(
                    f"the Slack token is for {school.name} ({team_id}), not {key!r}"
                )
        return school, members
    if source == "teams":
        if not key:
            raise click.UsageError("--from teams needs --school (the tenant id)")
        async with database.session() as session:
            school = await school_or_fail(session, key)
        return school, await _teams_members(settings, database, school)
    return None, None


async def _teams_members(
    settings: Settings, database: Database, school: School
) -> list[RosterEntry]:
    from adapters.cli.base import make_bot
    from adapters.server import AppContext
    from adapters.teams.endpoint import TeamsApp
    from adapters.teams.members import staff_members
    from bot.events import school_ref

    bot = make_bot(settings, database)
    app = TeamsApp(AppContext(settings=settings, bot=bot, db=database))
    ref = school_ref(school)
    return await staff_members(app.messenger, ref)


def _print(
    school: School, parsed: RosterFile | None, match: PlatformMatch | None, report: RosterReport
) -> None:
    echo = click.echo
    echo(
        f"{school.name} ({school.tenant_id})"
        + (": dry run, nothing changed" if report.dry_run else "")
    )
    if parsed:
        columns = ", ".join(f"{field} = {header!r}" for field, header in parsed.columns.items())
        echo(f"columns: {columns}")
        for row, problem in parsed.problems:
            echo(f"  row {row}: {problem}")
    if match:
        echo(f"matched with the platform by e-mail: {len(match.matched)}")
        _list("only in the file (adopted when they first use plgbot)", match.only_in_file)
        _list("only on the platform (not counted as staff)", match.only_on_platform)
        _list("ambiguous on the platform (left unmatched)", match.ambiguous)
    verb = "would be" if report.dry_run else ""
    _list(f"added{' (' + verb + ')' if verb else ''}", [c.name for c in report.added])
    _list(
        f"updated{' (' + verb + ')' if verb else ''}",
        [f"{c.name}: {', '.join(c.fields)}" for c in report.updated],
    )
    _list("back on the roster", [c.name for c in report.returned])
    _list(f"left the school{' (' + verb + ')' if verb else ''}", [c.name for c in report.left])
    _list("ambiguous (left alone: fix the file or use plgbot people set)", report.ambiguous)
    _list("known to plgbot but not on the roster (not counted as staff)", report.not_on_roster)
    echo(f"unchanged: {report.unchanged}")


def _list(title: str, items: list[str]) -> None:
    if not items:
        return
    click.echo(f"{title}: {len(items)}")
    for item in items:
        click.echo(f"  {item}")


@main.group()
def people() -> None:
    """The school's people: roles, departments, years in education."""


@people.command("list")
@click.option("--school", "key", required=True, help="School tenant id or name, e.g. demo.")
@run_async
async def people_list(key: str) -> None:
    """Everyone plgbot knows in the school, with role, department and roster status."""
    settings = settings_or_exit()
    database = open_database(settings)
    try:
        async with database.session() as session:
            school = await school_or_fail(session, key)
            found = await directory.people_of_school(session, school.id)
    finally:
        await database.dispose()
    for person in found:
        click.echo(
            "\t".join(
                (
                    person.display_name,
                    f"@{person.handle}" if person.handle else "-",
                    person.email or "-",
                    person.role,
                    person.department or "-",
                    str(person.career_start or "-"),
                    _status(person),
                )
            )
        )


def _status(person: Person) -> str:
    if person.left_at is not None:
        return f"left {person.left_at:%Y-%m-%d}"
    if person.opted_out_at is not None:
        return "opted out"
    if person.platform_user_id.startswith(PLACEHOLDER):
        return "on the roster, not seen on the platform yet"
    return "on the roster" if person.on_roster_since else "not on the roster"


@people.command("set")
@click.option("--school", "key", required=True, help="School tenant id or name, e.g. demo.")
@click.argument("who")
@click.argument("changes", nargs=-1, required=True)
@run_async
async def people_set(key: str, who: str, changes: tuple[str, ...]) -> None:
    """Set WHO's role, department or start year in education: KEY=VALUE ...

    WHO is a handle (@noor), a name, or an e-mail address; someone not yet known by
    e-mail is put on the roster and recognised when they first use plgbot.

    \b
    plgbot people set --school demo @noor role=coordinator
    plgbot people set --school T0123 noor@school.nl role=coördinator department=Directie
    """
    values = _changes(changes)
    settings = settings_or_exit()
    now = SystemClock().now()
    database = open_database(settings)
    try:
        async with database.session() as session:
            school = await school_or_fail(session, key)
            person = await _person_or_fail(session, school, who, now)
            changed = set_fields(person, **values)
            if changed:
                await audit.record(
                    session,
                    school_id=school.id,
                    actor_id=None,
                    action=audit.PERSON_SET,
                    # The id, not the name: erasing the person leaves no name here.
                    subject=f"person {person.id}: "
                    + ", ".join(f"{name}={values[name]}" for name in changed),
                    at=now,
                )
            shown = (person.display_name, person.role, person.department, person.career_start)
    finally:
        await database.dispose()
    name, role, department, start = shown
    state = "changed" if changed else "unchanged"
    click.echo(f"{name} ({state}): role={role} department={department or '-'} start={start or '-'}")


def _changes(changes: tuple[str, ...]) -> dict[str, object]:
    values: dict[str, object] = {}
    for change in changes:
        name, sep, value = change.partition("=")
        name, value = name.strip().lower(), value.strip()
        if not sep:
            raise click.BadParameter(f"{change!r}: write KEY=VALUE", param_hint="CHANGES")
        if name in ("role", "rol", "functie"):
            role = role_of(value)
            if role is None:
                raise click.BadParameter(
                    f"{value!r} is no role; roles: {', '.join(ROLES)}", param_hint="role"
                )
            values["role"] = role
        elif name in ("department", "afdeling", "sectie"):
            values["department"] = value[:100] or None
        elif name in ("career_start", "start", "startjaar"):
            if not (value.isdigit() and 1950 <= int(value) <= 2100):
                raise click.BadParameter(f"{value!r} is no year", param_hint="career_start")
            values["career_start"] = int(value)
        else:
            raise click.BadParameter(
                f"{name!r}: set role, department or career_start", param_hint="CHANGES"
            )
    return values


async def _person_or_fail(session: AsyncSession, school: School, who: str, now: datetime) -> Person:
    email = normal_email(who)
    if email:
        found = await directory.person_by_email(session, school.id, email)
        if found is not None:
            return found
        report = await apply_roster(
            session,
            school_id=school.id,
            entries=[RosterEntry(row=1, email=email)],
            now=now,
            complete=False,
        )
        assert report.added
        created = await directory.person_by_email(session, school.id, email)
        assert created is not None
        return created
    found = await directory.find_person(session, school.id, who)
    if found is None:
        raise click.ClickException(
            f"nobody called {who!r} in {school.name} (is the name ambiguous? use the "
            "handle from plgbot people list, or the e-mail address)"
        )
    return found
