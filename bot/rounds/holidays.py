"""School holidays: question-round postings that fall in one are skipped (and the leads
are told). Holidays come from an iCalendar file (``.ics``, e.g. the national
school-holiday calendar), a small YAML file, or the ``holiday add`` command.

An ``.ics`` is read with the ``icalendar`` package. Each VEVENT is one holiday from its
DTSTART to its DTEND; an all-day DTEND is exclusive (RFC 5545), so the last day is the
day before. Events with a time are taken in the school's time zone. Recurring events
(RRULE) are not expanded: school holidays are published as single events, and a
recurring one is reported as not imported rather than guessed.

YAML::

    holidays:
      - name: Kerstvakantie
        from: 2026-12-19
        to: 2027-01-03
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import yaml

from bot import when
from bot.catalogue import Language, text
from bot.messages import Bullets, Heading, OutboundMessage
from bot.rounds.commands import AddHoliday
from bot.school_time import zone_of
from bot.turn import Context
from storage import Database, directory
from storage import holidays as store
from storage.holidays import HolidaySpan

MAX_NAME = 200
MAX_DAYS = 120
_LIMITS = {"holiday.reason_name": MAX_NAME, "holiday.reason_long": MAX_DAYS}
# Who may change the school's calendar: leads run rounds, the others run the school.
_CALENDAR_ROLES = {"coordinator", "school_leader", "team_leader"}


class HolidayFileError(ValueError):
    """The file cannot be read as holidays; the message says why."""


@dataclass(frozen=True, slots=True)
class Imported:
    spans: tuple[HolidaySpan, ...]
    # Events left out: (name, catalogue key of the reason); see :func:`reason`.
    skipped: tuple[tuple[str, str], ...]


def reason(language: Language, key: str) -> str:
    """The text of a reason key from :func:`read_ics`/:func:`read_yaml`."""
    return text(language, key, limit=_LIMITS.get(key, 0))


def read_ics(data: bytes, zone: ZoneInfo) -> Imported:
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as error:
        raise HolidayFileError(f"not an iCalendar file: {error}") from None
    spans: list[HolidaySpan] = []
    skipped: list[tuple[str, str]] = []
    for event in calendar.walk("VEVENT"):
        name = str(event.get("SUMMARY", "")).strip() or "?"
        if event.get("RRULE") is not None:
            skipped.append((name, "holiday.reason_recurring"))
            continue
        start = event.decoded("DTSTART", None)
        end = event.decoded("DTEND", None)
        if start is None:
            skipped.append((name, "holiday.reason_no_dates"))
            continue
        first, last = _local_day(start, zone), _last_day(start, end, zone)
        span = _checked(name, first, last)
        if isinstance(span, str):
            skipped.append((name, span))
        else:
            spans.append(span)
    return Imported(tuple(spans), tuple(skipped))


def read_yaml(data: bytes) -> Imported:
    try:
        loaded: Any = yaml.safe_load(data)
    except yaml.YAMLError as error:
        raise HolidayFileError(f"not valid YAML: {error}") from None
    items = loaded.get("holidays") if isinstance(loaded, dict) else loaded
    if not isinstance(items, list):
        raise HolidayFileError("expected a list under 'holidays:' with name, from and to")
    spans: list[HolidaySpan] = []
    skipped: list[tuple[str, str]] = []
    for item in items:
        if not isinstance(item, dict):
            skipped.append((str(item), "holiday.reason_no_dates"))
            continue
        name = str(item.get("name", "")).strip() or "?"
        first, last = _as_date(item.get("from")), _as_date(item.get("to", item.get("from")))
        span = _checked(name, first, last) if first and last else "holiday.reason_no_dates"
        if isinstance(span, str):
            skipped.append((name, span))
        else:
            spans.append(span)
    return Imported(tuple(spans), tuple(skipped))


def read_holiday_file(name: str, data: bytes, zone: ZoneInfo) -> Imported:
    """By extension: ``.ics`` or ``.yaml``/``.yml``."""
    lowered = name.lower()
    if lowered.endswith(".ics"):
        return read_ics(data, zone)
    if lowered.endswith((".yaml", ".yml")):
        return read_yaml(data)
    raise HolidayFileError("use an .ics or a .yaml file")


async def list_holidays(ctx: Context) -> list[OutboundMessage]:
    today = ctx.now.date()
    found = await store.holidays_of_school(ctx.session, ctx.school.id, ending_from=today)
    if not found:
        return [ctx.say("holiday.none")]
    items = tuple(
        ctx.t("holiday.item", name=h.name, start=h.starts_on.isoformat(), end=h.ends_on.isoformat())
        for h in found
    )
    return [ctx.reply(Heading(ctx.t("holiday.title")), Bullets(items))]


async def add_holiday(ctx: Context, command: AddHoliday) -> list[OutboundMessage]:
    if not await _may_edit_calendar(ctx):
        return [ctx.say("holiday.not_allowed")]
    read = when.named_span(command.text, ctx.now.astimezone(zone_of(ctx.school)).date())
    if read is None:
        return [ctx.say("holiday.usage")]
    span = _checked(*read)
    if isinstance(span, str):
        return [ctx.say("holiday.bad_span", reason=reason(ctx.language, span))]
    added = await store.add_holidays(ctx.session, ctx.school.id, [span])
    key = "holiday.added" if added else "holiday.exists"
    return [
        ctx.say(
            key,
            name=span.name,
            start=when.day_text(ctx.language, span.starts_on),
            end=when.day_text(ctx.language, span.ends_on),
        )
    ]


async def _may_edit_calendar(ctx: Context) -> bool:
    if ctx.author.role in _CALENDAR_ROLES:
        return True
    return any(lead for _, lead in await directory.plgs_of_person(ctx.session, ctx.author.id))


def _checked(name: str, first: date, last: date) -> HolidaySpan | str:
    """A span, or the catalogue key of why not."""
    if len(name) > MAX_NAME:
        return "holiday.reason_name"
    if last < first:
        return "holiday.reason_order"
    if (last - first).days >= MAX_DAYS:
        return "holiday.reason_long"
    return HolidaySpan(name, first, last)


def _local_day(value: date | datetime, zone: ZoneInfo) -> date:
    if isinstance(value, datetime):
        return value.astimezone(zone).date() if value.tzinfo else value.date()
    return value


def _last_day(start: date | datetime, end: date | datetime | None, zone: ZoneInfo) -> date:
    if end is None:
        return _local_day(start, zone)
    if isinstance(end, datetime):
        # An event ending at midnight does not include that day.
        return _local_day(end - timedelta(microseconds=1), zone)
    return end - timedelta(days=1) if end > _local_day(start, zone) else end


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


class UnknownSchoolError(LookupError):
    pass


async def import_holidays(
    db: Database, school_key: str, filename: str, data: bytes
) -> tuple[int, Imported]:
    """Read a holiday file and store its holidays for the school (tenant id or name):
    (how many were new, what was read)."""
    async with db.session() as session:
        school = await directory.find_school(session, school_key)
        if school is None:
            raise UnknownSchoolError(f"no school {school_key!r}")
        imported = read_holiday_file(filename, data, zone_of(school))
        added = await store.add_holidays(session, school.id, imported.spans)
    return added, imported


async def school_holidays(db: Database, school_key: str) -> list[HolidaySpan]:
    async with db.session() as session:
        school = await directory.find_school(session, school_key)
        if school is None:
            raise UnknownSchoolError(f"no school {school_key!r}")
        found = await store.holidays_of_school(session, school.id)
        return [HolidaySpan(h.name, h.starts_on, h.ends_on) for h in found]
