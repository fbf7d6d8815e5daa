"""When a question round is posted and when each posting closes, in the school's time zone.

Reading is forgiving and bilingual: ``weekly monday 08:00``, ``wekelijks maandag 8:00``,
``every other tuesday 7.30``, ``tweewekelijks di 8u``, ``once 2026-12-01 08:00``,
``eenmalig 1-12-2026``, ``monday 08:00`` (once, next Monday), ``now``/``nu``. A missing
time means 08:00. Anything else (cron strings included) is not read at all, so the lead
gets an example instead of a surprise schedule.

The date arithmetic is APScheduler's: a :class:`~apscheduler.triggers.cron.CronTrigger`
in the school's zone gives wall-clock postings that stay at 08:00 across daylight saving
time. Fortnightly postings are the weekly ones an even number of weeks after the first.
A posting's closing and halfway point keep the first posting's wall-clock distance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot import when
from bot.school_time import localize, shift_wall, wall

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_POST_TIME = time(8, 0)
DEFAULT_CLOSE_TIME = time(17, 0)

_WEEKDAYS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        ("monday", "mon", "maandag", "ma"),
        ("tuesday", "tue", "tues", "dinsdag", "di"),
        ("wednesday", "wed", "woensdag", "wo"),
        ("thursday", "thu", "thur", "thurs", "donderdag", "do"),
        ("friday", "fri", "vrijdag", "vr"),
        ("saturday", "sat", "zaterdag", "za"),
        ("sunday", "sun", "zondag", "zo"),
    ]
):
    for _name in _names:
        _WEEKDAYS[_name] = _i
        _WEEKDAYS[_name + "s"] = _i  # "mondays", "maandags"

_ONCE = {"once", "one-off", "oneoff", "eenmalig", "eenmaal", "single"}
_NOW = {"now", "nu", "direct", "meteen", "immediately"}
_WEEKLY = {"weekly", "wekelijks", "every", "each", "elke", "iedere", "ieder"}
_FORTNIGHTLY = {"fortnightly", "biweekly", "bi-weekly", "tweewekelijks", "2-weekly"}
# "every other week", "om de week", "om de twee weken", "every two weeks", "elke 2 weken"
_OTHER = {"other", "two", "2", "twee", "om"}
_FILLERS = {"on", "at", "op", "om", "from", "vanaf", "starting", "van", "week", "weeks"}
_FILLERS |= {"weken", "uur", "de", "the", "a", "een"}
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?(u|uur|h|am|pm)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$")


@dataclass(frozen=True, slots=True)
class Recurrence:
    """``every_weeks`` 0 is a one-off: on ``on`` at ``at``, or now when both are None.
    A recurring round posts on ``weekday`` (0 = Monday) at ``at``, from ``on`` if set."""

    every_weeks: int
    weekday: int | None
    at: time | None
    on: date | None = None

    @property
    def is_once(self) -> bool:
        return self.every_weeks == 0

    def canonical(self) -> str:
        """What ``question_rounds.recurrence`` holds; :func:`parse_recurrence` reads it."""
        if self.is_once or self.weekday is None or self.at is None:
            return "once"
        word = "weekly" if self.every_weeks == 1 else "fortnightly"
        return f"{word} {DAYS[self.weekday]} {self.at:%H:%M}"

    @property
    def period(self) -> timedelta | None:
        return None if self.is_once else timedelta(weeks=self.every_weeks)


@dataclass(frozen=True, slots=True)
class Closing:
    """A closing as typed: a date, or the first such weekday after the posting."""

    on: date | None
    weekday: int | None
    at: time


def parse_time(token: str) -> time | None:
    match = _TIME.match(token)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = match.group(3)
    if match.group(2) is None and suffix is None:
        return None  # a bare number is not a time
    if suffix == "pm" and hour < 12:
        hour += 12
    if suffix == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_date(token: str) -> date | None:
    iso, dmy = _ISO_DATE.match(token), _DMY_DATE.match(token)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if dmy:
            return date(int(dmy.group(3)), int(dmy.group(2)), int(dmy.group(1)))
    except ValueError:
        return None
    return None


def _tokens(text: str) -> list[str]:
    # "8 uur", "8 am" -> "8uur", "8am": one token for one time.
    text = re.sub(r"\b(\d{1,2})\s+(uur|u|h|am|pm)\b", r"\1\2", text.lower())
    return [t.strip(",;") for t in text.split() if t.strip(",;")]


def looks_like_schedule(text: str) -> bool:
    """Whether a part of a command is meant as a schedule, so that an unreadable one is
    an error rather than the question: short, not a question, and starting with a
    schedule word, a weekday, a date, a time or something cron-like. (Two-letter Dutch
    weekdays do not count here: "Do pupils ..." is a question.)"""
    tokens = _tokens(text)
    if not tokens or len(tokens) > 5 or text.rstrip().endswith("?"):
        return False
    first = tokens[0]
    words = _ONCE | _NOW | _WEEKLY | _FORTNIGHTLY | {"cron", "daily", "dagelijks", "hourly"}
    return (
        first in words
        or (first in _WEEKDAYS and len(first) > 2)
        or parse_date(first) is not None
        or parse_time(first) is not None
        or bool(re.match(r"^[\d*/,?-]+$", first))
    )


def parse_recurrence(text: str) -> Recurrence | None:
    """The schedule in ``text``, or None when any word of it is not understood."""
    every, weekday, at, on = 0, None, None, None
    explicit_once = False
    tokens = _tokens(text)
    if not tokens:
        return None
    for i, token in enumerate(tokens):
        if token in _NOW or token in _ONCE:
            explicit_once = True
        elif token in _FORTNIGHTLY:
            every = 2
        elif token in _WEEKLY:
            every = max(every, 1)
        elif token in _OTHER and _other_week(tokens, i):
            every = 2
        elif token in _WEEKDAYS and weekday is None:
            weekday = _WEEKDAYS[token]
        elif (parsed_time := parse_time(token)) is not None and at is None:
            at = parsed_time
        elif (parsed_date := parse_date(token)) is not None and on is None:
            on = parsed_date
        elif token not in _FILLERS:
            return None
    if explicit_once and every:
        return None
    if every:
        if weekday is None:
            return None
        return Recurrence(every, weekday, at or DEFAULT_POST_TIME, on)
    if on is None and weekday is None:
        # "once" or "now" alone post now; a bare time is not a schedule.
        return Recurrence(0, None, None, None) if at is None and explicit_once else None
    if on is not None and weekday is not None and on.weekday() != weekday:
        return None
    return Recurrence(0, weekday, at or DEFAULT_POST_TIME, on)


def _other_week(tokens: list[str], i: int) -> bool:
    """``every other week``, ``om de (twee) week/weken``, ``every two weeks``."""
    after = tokens[i + 1 : i + 4]
    return any(t in {"week", "weeks", "weken", "de"} for t in after) or tokens[i] == "other"


def parse_closing(text: str) -> Closing | None:
    """``2026-12-01 17:00``, ``1-12-2026``, ``friday 17:00``, ``vrijdag``."""
    on, weekday, at = None, None, None
    for token in _tokens(text):
        if token in _WEEKDAYS and weekday is None:
            weekday = _WEEKDAYS[token]
        elif (parsed_time := parse_time(token)) is not None and at is None:
            at = parsed_time
        elif (parsed_date := parse_date(token)) is not None and on is None:
            on = parsed_date
        elif token not in _FILLERS:
            return None
    if on is None and weekday is None:
        return None
    if on is not None and weekday is not None and on.weekday() != weekday:
        return None
    return Closing(on, None if on else weekday, at or DEFAULT_CLOSE_TIME)


def _trigger(weekday: int, at: time, zone: ZoneInfo) -> CronTrigger:
    return CronTrigger(day_of_week=DAYS[weekday], hour=at.hour, minute=at.minute, timezone=zone)


def first_posting(recurrence: Recurrence, zone: ZoneInfo, now: datetime) -> datetime:
    """The first posting at or after ``now`` (or on/after ``recurrence.on``)."""
    if recurrence.weekday is None or recurrence.at is None:
        if recurrence.on is not None and recurrence.at is not None:
            return localize(recurrence.on, recurrence.at, zone)
        return now
    if recurrence.is_once and recurrence.on is not None:
        return localize(recurrence.on, recurrence.at, zone)
    start = now
    if recurrence.on is not None:
        start = max(now, localize(recurrence.on, time(0, 0), zone))
    fire: datetime | None = _trigger(recurrence.weekday, recurrence.at, zone).get_next_fire_time(
        None, start
    )
    assert fire is not None  # a weekly cron always fires again
    return fire.astimezone(UTC)


def postings(
    recurrence: Recurrence,
    zone: ZoneInfo,
    *,
    start: datetime,
    since: datetime,
    until: datetime,
) -> list[datetime]:
    """The round's postings in ``[since, until]``; ``start`` is its first posting."""
    if recurrence.is_once or recurrence.weekday is None or recurrence.at is None:
        return [start] if since <= start <= until else []
    trigger = _trigger(recurrence.weekday, recurrence.at, zone)
    found: list[datetime] = []
    fire: datetime | None = trigger.get_next_fire_time(None, max(since, start))
    first_day = wall(start, zone).date()
    while fire is not None and fire <= until:
        weeks = (wall(fire, zone).date() - first_day).days // 7
        if weeks % recurrence.every_weeks == 0:
            found.append(fire.astimezone(UTC))
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return found


def next_posting(
    recurrence: Recurrence, zone: ZoneInfo, *, start: datetime, after: datetime
) -> datetime | None:
    """The first posting after ``after``; None when a one-off has been posted."""
    if recurrence.is_once:
        return start if start > after else None
    period = recurrence.period
    assert period is not None
    found = postings(
        recurrence, zone, start=start, since=after + timedelta(seconds=1), until=after + period
    )
    return found[0] if found else None


def resolve_closing(
    closing: Closing | None,
    recurrence: Recurrence,
    zone: ZoneInfo,
    *,
    first: datetime,
    next_meeting: date | None,
) -> datetime:
    """The first posting's closing: as typed, else the day before the PLG's next
    meeting at 17:00 when that comes after the posting (and, for a recurring round,
    before its next posting), else a week after a one-off or at the next posting."""
    if closing is not None:
        if closing.on is not None:
            return localize(closing.on, closing.at, zone)
        assert closing.weekday is not None
        fire: datetime | None = _trigger(closing.weekday, closing.at, zone).get_next_fire_time(
            None, first + timedelta(seconds=1)
        )
        assert fire is not None
        return fire.astimezone(UTC)
    period = recurrence.period or timedelta(weeks=1)
    latest = shift_wall(first, period, zone)
    if next_meeting is not None:
        before_meeting = localize(next_meeting - timedelta(days=1), DEFAULT_CLOSE_TIME, zone)
        if first < before_meeting <= latest or (recurrence.is_once and first < before_meeting):
            return before_meeting
    return latest


def window(
    posting: datetime, *, start: datetime, first_close: datetime, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    """(halfway, closing) of a posting, keeping the first posting's wall-clock distance;
    the halfway point is on the minute."""
    length = wall(first_close, zone) - wall(start, zone)
    half = timedelta(minutes=(length // timedelta(minutes=1)) // 2)
    return shift_wall(posting, half, zone), shift_wall(posting, length, zone)


_NATURAL_WEEKLY = {"elke", "iedere", "ieder", "every", "each", "wekelijks", "weekly"}
_NATURAL_ONCE = {"once", "eenmalig", "eenmaal", "op", "on"}


def natural_recurrence(text: str, today: date) -> Recurrence | None:
    """A schedule as people say it, read with today's date (bot.when): "morgen 8 uur",
    "volgende week dinsdag", "once next wednesday", "elke dinsdag om half 9", "om de
    week op donderdag 8 uur". None when it is not one day or one weekday and time."""

    words = text.lower().replace(",", " ").split()
    every = 2 if _fortnight(words) else 1 if any(w in _NATURAL_WEEKLY for w in words) else 0
    if every:
        days = [_WEEKDAYS[w] for w in words if w in _WEEKDAYS]
        rest = [w for w in words if w not in _WEEKDAYS and w not in _NATURAL_WEEKLY]
        rest = [w for w in rest if w not in _FILLERS or w in {"uur", "om"}]
        rest = [w for w in rest if w not in _OTHER or w.isdigit()]
        at = when.read_time(" ".join(rest)) if rest else DEFAULT_POST_TIME
        if len(days) != 1 or at is None:
            return None
        return Recurrence(every, days[0], at)
    spoken = " ".join(w for w in words if w not in _NATURAL_ONCE)
    moment = when.read_moment(spoken, today)
    if moment is None or moment.day < today:
        return None
    return Recurrence(0, moment.day.weekday(), moment.at or DEFAULT_POST_TIME, moment.day)


def _fortnight(words: list[str]) -> bool:
    return any(w in _FORTNIGHTLY for w in words) or bool(_FORTNIGHT.search(" ".join(words)))


_FORTNIGHT = re.compile(
    r"\b(om de (twee )?week(en)?|every (other|two|2)( weeks?)?|(elke|iedere) (2|twee) weken)\b"
)
