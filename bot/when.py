"""Dates and times as people type them, in Dutch and English: "17 december",
"14-01-2027", "14/1", "volgende week donderdag", "donderdag volgende week", "over twee
weken", "morgen 8 uur", "next wednesday", "tomorrow 8am", "half 9", ranges such as
"19-12-2026 t/m 3-1-2027" and "van 19 december tot en met 3 januari".

dateparser reads the forms it reads right ("17 december", "14/1", "next wednesday",
"morgen om 8:00"); what it reads wrong or not at all is read here first: a week
ahead ("volgende week donderdag"), a count of days or weeks in words ("over twee
weken"), a Dutch hour ("8 uur" is eight in the morning; dateparser says 18:00), "half
9" (half past eight) and the ranges. Nothing here guesses between two readings: a
text that reads as no single date gives None, and the caller asks.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

_WEEKDAYS: dict[str, int] = {}
for _index, _names in enumerate(
    (
        "maandag ma monday mon",
        "dinsdag di tuesday tue tues",
        "woensdag wo wednesday wed",
        "donderdag do thursday thu thur thurs",
        "vrijdag vr friday fri",
        "zaterdag za saturday sat",
        "zondag zo sunday sun",
    )
):
    for _name in _names.split():
        _WEEKDAYS[_name] = _index
_NUMBERS = {
    "een": 1, "één": 1, "one": 1, "a": 1, "twee": 2, "two": 2, "drie": 3, "three": 3,
    "vier": 4, "four": 4, "vijf": 5, "five": 5, "zes": 6, "six": 6, "zeven": 7,
    "seven": 7, "acht": 8, "eight": 8, "negen": 9, "nine": 9, "tien": 10, "ten": 10,
}  # fmt: skip
_NEXT = {"volgende", "komende", "aanstaande", "next", "coming"}
_WEEK = {"week", "weeks", "weken"}
_DAY_WORDS = {"dag", "dagen", "day", "days"}
_RELATIVE = {
    "vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2,
}  # fmt: skip
_RANGE = re.compile(
    r"^\s*(?:van|from|vanaf)?\s*(?P<start>.+?)\s+(?:t/m|tm|tot en met|tot|to|until|till|through"
    r"|-|–|—)\s+(?P<end>.+?)\s*$",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(uur|u|h|am|pm)?$")
_HALF = re.compile(r"^half\s+(\d{1,2})$")
_QUARTER = re.compile(r"^kwart\s+(over|voor)\s+(\d{1,2})$")
_EVENING = {"'s avonds", "s avonds", "avond", "'s middags", "s middags", "middag"}
_FORMAL = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$|^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2,4}))?$")


# How far from today a day may be read (past or ahead), and how long ago a day without a
# year may have been to mean this year's.
_FURTHEST = 2 * 366
_RECENT = 90


_LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def day_text(language: str, day: date) -> str:
    """A day as people read it: "donderdag 17 december 2026", "Thursday 17 December
    2026" (Babel's calendar names)."""
    from babel.dates import format_date

    return format_date(day, "EEEE d MMMM y", locale=_LOCALES.get(language, "nl_NL"))


@dataclass(frozen=True, slots=True)
class Moment:
    """A day, and the time when one was given."""

    day: date
    at: time | None = None


def read_day(text: str, today: date) -> date | None:
    """The one day ``text`` means, from ``today`` on; None when it means none."""
    moment = read_moment(text, today)
    return moment.day if moment is not None and moment.at is None else None


def read_moment(text: str, today: date) -> Moment | None:
    """A day with an optional time: "morgen 8 uur", "vrijdag 17:00", "17 december"."""
    words = _words(text)
    if not words:
        return None
    for cut in range(len(words), 0, -1):
        # The time, if any, is at the end: "donderdag 15:30", "morgen om half 9".
        clock = read_time(" ".join(words[cut:])) if cut < len(words) else None
        if cut < len(words) and clock is None:
            continue
        head = [w for w in words[:cut] if w not in {"om", "at", "op", "on", "de", "the"}]
        day = _own_day(head, today)
        # A bare number is no day, and two small numbers ("3 17 december") are two.
        small = [w for w in head if w.isdigit() and len(w) <= 2]
        if day is None and head and len(small) < min(2, len(head)):
            day = _parsed_day(" ".join(head), today)
        if day is not None:
            return Moment(day, clock)
    return None


def read_time(text: str) -> time | None:
    """ "8:30", "8.30", "8u", "8 uur" (08:00), "20 uur", "8 uur 's avonds", "half 9"
    (08:30), "kwart over 8", "8am", "8 pm"."""
    words = _words(text)
    evening = False
    for tail in sorted(_EVENING, key=len, reverse=True):
        joined = " ".join(words)
        if joined.endswith(" " + tail):
            evening, words = True, joined[: -len(tail) - 1].split()
            break
    if words[:1] in (["om"], ["at"]):
        words = words[1:]
    spoken = " ".join(words)
    hour: int | None = None
    minute = 0
    if match := _HALF.match(spoken):
        hour, minute = int(match.group(1)) - 1, 30
    elif match := _QUARTER.match(spoken):
        base = int(match.group(2))
        hour, minute = (base, 15) if match.group(1) == "over" else (base - 1, 45)
    elif match := _CLOCK.match(spoken):
        if match.group(2) is None and match.group(3) is None:
            return None  # a bare number is no time
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if match.group(3) == "pm" and hour < 12:
            hour += 12
        if match.group(3) == "am" and hour == 12:
            hour = 0
    if hour is None:
        return None
    if evening and hour < 12:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def read_range(text: str, today: date) -> tuple[date, date] | None:
    """ "19-12-2026 t/m 3-1-2027", "van 19 december tot en met 3 januari": the first
    and the last day, both included; the last is after the first."""
    match = _RANGE.match(text)
    if match is None:
        return None
    start = read_day(match.group("start"), today)
    if start is None:
        return None
    end = read_day(match.group("end"), start)
    if end is None:
        return None
    # A last day before the first is returned as typed: the caller says it is wrong.
    return start, end


def read_span(text: str, today: date) -> tuple[date, date] | None:
    """A range ("19-12-2026 t/m 3-1-2027"), two days side by side ("2026-12-19
    2027-01-03") or one day (a study day): first and last day, both included."""
    found = read_range(text, today)
    if found is not None:
        return found
    words = text.split()
    for cut in range(1, len(words)):
        start = read_day(" ".join(words[:cut]), today)
        end = read_day(" ".join(words[cut:]), start) if start is not None else None
        if start is not None and end is not None:
            return start, end
    day = read_day(text, today)
    return (day, day) if day is not None else None


def named_span(text: str, today: date) -> tuple[str, date, date] | None:
    """``Kerstvakantie 19-12-2026 t/m 3-1-2027`` → ("Kerstvakantie", first, last): the
    name is what comes before the longest end of the text that reads as days."""
    words = text.split()
    for cut in range(1, len(words)):
        if not _starts_like_a_day(words[cut]) and words[cut].lower() not in {"van", "from"}:
            continue
        span = read_span(" ".join(words[cut:]), today)
        if span is not None:
            return " ".join(words[:cut]), *span
    return None


def day_splits(text: str, today: date) -> list[tuple[str, date]]:
    """``Datateam havo-3 17 december`` → [("Datateam havo-3", that day)]: every way to
    read the end of the text as one day, the longest end first, with what comes before
    it (the caller keeps the one whose start it knows, a PLG's name say)."""
    words = text.split()
    found = []
    for start in range(max(1, len(words) - 5), len(words)):
        if not _starts_like_a_day(words[start]):
            continue
        day = read_day(" ".join(words[start:]), today)
        if day is not None:
            found.append((" ".join(words[:start]), day))
    return found


def _starts_like_a_day(word: str) -> bool:
    lowered = word.lower().strip(",")
    return (
        lowered[:1].isdigit()
        or lowered in _WEEKDAYS
        or lowered in _NEXT
        or lowered in _RELATIVE
        or lowered in {"over", "in", "op", "on", "half"}
    )


def _words(text: str) -> list[str]:
    return text.lower().replace(",", " ").split()


def _own_day(words: list[str], today: date) -> date | None:
    """What dateparser does not read (or reads wrong)."""
    if not words:
        return None
    joined = " ".join(words)
    if joined in _RELATIVE:
        return today + timedelta(days=_RELATIVE[joined])
    if len(words) == 1 and (formal := _formal(words[0], today)) is not None:
        return formal
    # "volgende week donderdag", "donderdag volgende week", "next week thursday"
    weekdays = [w for w in words if w in _WEEKDAYS]
    next_week = any(w in _NEXT for w in words) and any(w in _WEEK for w in words)
    if len(weekdays) == 1 and next_week and len(words) == 3:
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        return monday + timedelta(days=_WEEKDAYS[weekdays[0]])
    # "volgende donderdag", "next thursday", "donderdag", "op donderdag"
    if len(weekdays) == 1 and len(words) <= 2 and (len(words) == 1 or words[0] in _NEXT):
        ahead = (_WEEKDAYS[weekdays[0]] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    # "over twee weken", "over 3 dagen", "in two weeks"
    if len(words) == 3 and words[0] in {"over", "in"}:
        count = _NUMBERS.get(words[1]) or (int(words[1]) if words[1].isdigit() else None)
        if count is not None and words[2] in _WEEK:
            return today + timedelta(weeks=count)
        if count is not None and words[2] in _DAY_WORDS:
            return today + timedelta(days=count)
    return None


def _formal(word: str, today: date) -> date | None:
    """2026-12-17, 17-12-2026, 17/12, 17.12.26: day before month, as the Dutch write."""
    match = _FORMAL.match(word)
    if match is None:
        return None
    try:
        if match.group(1):
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        day, month, year = int(match.group(4)), int(match.group(5)), match.group(6)
        if year is None:
            return _nearest(date(today.year, month, day), today)
        return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
    except ValueError:
        return None


def _parsed_day(text: str, today: date) -> date | None:
    """dateparser's reading, from today on, day before month; None when it has none or
    when it read a time as well (the caller reads times)."""
    import dateparser

    base = datetime(today.year, today.month, today.day, 12, 0)
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": base,
        "DATE_ORDER": "DMY",
        "REQUIRE_PARTS": ["day"],
        "RETURN_TIME_AS_PERIOD": True,
    }
    with warnings.catch_warnings():
        # dateparser still calls a deprecated pytz/regex API on some inputs.
        warnings.simplefilter("ignore")
        found = dateparser.parse(text, languages=["nl", "en"], settings=settings)
    if found is None or (found.hour, found.minute) not in ((12, 0), (0, 0)):
        return None
    day = found.date()
    if not re.search(r"\d{4}", text):
        day = _nearest(day, today)
    # "3 17 december" read as 2117: a reading that far off is no reading.
    return day if abs((day - today).days) <= _FURTHEST else None


def _nearest(day: date, today: date) -> date:
    """A day given without a year, in the year that puts it nearest: one that passed a
    few weeks ago is that one (and the caller says it has passed), not next year's."""
    try:
        this_year = day.replace(year=today.year)
    except ValueError:  # 29 February
        return day
    if this_year >= today or (today - this_year).days <= _RECENT:
        return this_year
    return this_year.replace(year=today.year + 1)
