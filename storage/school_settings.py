"""Per-school thresholds and schedules (design.md: "Where a threshold is given, it is
the documented default and must be configurable per school").

A school without a ``school_settings`` row, or with NULL in a column, gets the default.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SchoolSettings

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_AT = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True, slots=True)
class SchoolConfig:
    """The settings in force for one school. Defaults are design.md's."""

    # Analysis window: the last N weeks (one school term).
    window_weeks: int = 12
    # Key figures: the top N by degree.
    key_figures: int = 3
    # Profiles: reciprocity thresholds and the activity kinds that make an advanced
    # interactor.
    super_sharer_reciprocity: float = 0.5
    interactor_reciprocity: float = 0.3
    interactor_activity_kinds: int = 3
    # Nudges: on/off, the look-back period, how long a nudge may take to be followed,
    # and when the weekly run is (school time).
    nudges: bool = True
    nudge_weeks: int = 4
    nudge_follow_days: int = 14
    nudge_at: str = "mon 09:00"
    # Network survey: on/off, every N months on the first such weekday of the month,
    # and after how many days an unanswered survey gets its one reminder.
    survey: bool = True
    survey_months: int = 1
    survey_at: str = "mon 09:30"
    survey_reminder_days: int = 7
    # Weekly coordinator digest (bot.digest.weekly): on/off, when (school time), where (a
    # platform channel id; empty means each coordinator's private chat), and
    # aggregate-only (no names anywhere in it).
    digest: bool = True
    digest_at: str = "mon 07:30"
    digest_channel: str = ""
    aggregate_only: bool = False
    # Roles that appraise staff (team and school leaders, bot.staff.roles.APPRAISING) see
    # totals only, on the dashboard and in the digest, unless the school decides
    # otherwise here (the privacy notice explains the default).
    leaders_see_names: bool = False
    # Privacy: interactions and round replies older than this many months are deleted.
    retention_months: int = 12
    # School hours (school time, Monday to Friday outside holidays): a round's halfway
    # note is sent within them, not at 00:30 or 21:52.
    school_hours: str = "08:00-17:00"

    def hours(self) -> tuple[time, time]:
        """``school_hours`` as (opening, closing)."""
        match = _HOURS.match(self.school_hours)
        assert match is not None, "validated when set"
        return time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4]))

    def weekday_time(self, field: str) -> tuple[int, int, int]:
        """``nudge_at``/``survey_at``/``digest_at`` as (weekday 0=Monday, hour, minute)."""
        match = _AT.match(getattr(self, field))
        assert match is not None, "validated when set"
        return WEEKDAYS.index(match[1]), int(match[2]), int(match[3])


DEFAULTS = SchoolConfig()

# Allowed ranges: (minimum, maximum) for numbers.
_RANGES: dict[str, tuple[float, float]] = {
    "window_weeks": (1, 104),
    "key_figures": (1, 50),
    "super_sharer_reciprocity": (0.0, 1.0),
    "interactor_reciprocity": (0.0, 1.0),
    "interactor_activity_kinds": (1, 4),
    "nudge_weeks": (1, 26),
    "nudge_follow_days": (1, 90),
    "survey_months": (1, 12),
    "survey_reminder_days": (1, 27),
    "retention_months": (1, 60),
}


class SettingError(ValueError):
    """A setting that does not exist or a value that is not allowed; says which."""


async def school_config(
    session: AsyncSession, school_id: int, defaults: SchoolConfig = DEFAULTS
) -> SchoolConfig:
    row = await session.get(SchoolSettings, school_id)
    if row is None:
        return defaults
    values = {
        f.name: getattr(row, f.name)
        for f in dataclasses.fields(SchoolConfig)
        if getattr(row, f.name) is not None
    }
    return dataclasses.replace(defaults, **values)


def parse_setting(key: str, raw: str) -> Any:
    """The typed value of ``key=raw``; ``default`` (None) puts the default back."""
    fields = {f.name: f for f in dataclasses.fields(SchoolConfig)}
    if key not in fields:
        raise SettingError(f"no setting {key!r}; settings: {', '.join(fields)}")
    raw = raw.strip()
    if raw.lower() == "default":
        return None
    if key == "digest_channel":
        # Any platform channel id (Slack C0123, Teams 19:...@thread.tacv2); "" = DMs.
        if len(raw) > 256 or any(c.isspace() for c in raw):
            raise SettingError(f"{key}: {raw!r} is not a channel id; use e.g. C0123ABCD")
        return raw or None
    if key == "school_hours":
        match = _HOURS.match(raw)
        if match is None or match.group(1, 2) >= match.group(3, 4):
            raise SettingError(f"{key}: {raw!r} is not valid; use e.g. 08:00-17:00")
        return raw
    kind = type(getattr(DEFAULTS, key))
    try:
        if kind is bool:
            if raw.lower() not in {"on", "off", "true", "false", "yes", "no"}:
                raise ValueError(raw)
            return raw.lower() in {"on", "true", "yes"}
        if kind is str:
            if not _AT.match(raw.lower()):
                raise ValueError(raw)
            return raw.lower()
        value: float = int(raw) if kind is int else float(raw)
    except ValueError:
        example = {bool: "on or off", str: "mon 09:00", int: "a whole number", float: "0.5"}
        raise SettingError(f"{key}: {raw!r} is not valid; use {example[kind]}") from None
    low, high = _RANGES[key]
    if not low <= value <= high:
        raise SettingError(f"{key}: {raw} is out of range ({low:g} to {high:g})")
    return value


async def set_school_config(session: AsyncSession, school_id: int, changes: dict[str, str]) -> None:
    """Validate every ``key=value`` first, then store them all (or none)."""
    parsed = {key: parse_setting(key, raw) for key, raw in changes.items()}
    row = await session.get(SchoolSettings, school_id)
    if row is None:
        row = SchoolSettings(school_id=school_id)
        session.add(row)
    for key, value in parsed.items():
        setattr(row, key, value)
    await session.flush()
