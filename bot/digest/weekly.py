"""The weekly coordinator digest (design.md, "Weekly digest" and "Privacy"): is PLG
knowledge spreading through the school?

:func:`compute` gives a :class:`Digest`, a frozen set of numbers for one school and ISO
week (in the school's time zone). The parts live in their own modules:
:mod:`bot.digest.participation` (who took part, small groups merged),
:mod:`bot.digest.network` (ties, reciprocity, key figures, the picture's nodes and
edges), :mod:`bot.digest.balance` (knowledge types and their trend); a board's digest
is :mod:`bot.digest.board`, keeping a week for history :mod:`bot.digest.history`.
Rendering lives elsewhere: :mod:`bot.digest.messages` (chat message, Markdown) and
:mod:`bot.digest.pictures` (network picture and trend chart, PNG).

What the numbers are:

* participation: staff (people of the school who have not opted out) with at least one
  interaction in the week, overall, per role and per department, and last week's rate;
* new ties: colleague pairs whose first interaction ever was this week;
* ties and reciprocity: colleague pairs with an interaction in the analysis window
  (``window_weeks``, default 12) ending with the week, and the share of them that went
  both ways; the network picture shows those ties;
* key figures (bot.network.key_figures) in that window, with last week's rank and degree;
* knowledge-type balance: how many of the week's interactions carried each type, and
  the same for the eight weeks up to this one (the trend);
* question-round postings open during the week with reply counts; nudges sent and
  followed in the week.

Privacy: small roles and departments are merged (bot.digest.participation). With
``aggregate_only`` the digest carries no names at all: no key figure names, no labels
in the picture, no round questions (they may name colleagues).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.balance import Balance, knowledge_trend
from bot.digest.base import SEARCH_WEEKS, Base
from bot.digest.network import (
    KeyFigureLine,
    NetworkEdge,
    NetworkNode,
    key_figure_lines,
    network_edges,
    network_nodes,
    tie_pairs,
)
from bot.digest.participation import (
    GroupShare,
    experience_band,
    group_shares,
    merge_small,
    rate,
)
from bot.digest.week import IsoWeek
from bot.network.key_figures import Window, find_key_figures
from bot.school_time import zone_of
from bot.staff.roles import as_seen_by
from storage import digests as store
from storage import directory, holidays
from storage.interactions import ties_in_window
from storage.models import School
from storage.school_settings import DEFAULTS, SchoolConfig, school_config
from storage.staff import school_has_roster


@dataclass(frozen=True, slots=True)
class RoundLine:
    """A question-round posting open during the week; ``question`` is None in
    aggregate-only digests; ``colleagues`` is 0 for anonymous rounds."""

    plg: str
    question: str | None
    anonymous: bool
    replies: int
    colleagues: int


@dataclass(frozen=True, slots=True)
class Digest:
    """One school's digest for one ISO week: numbers only, ready to render."""

    school_id: int
    school: str
    week: IsoWeek
    since: datetime
    until: datetime
    window_weeks: int
    holiday: str | None
    # What the previous_* counts are of (bot.digest.base); None: nothing to compare with.
    base: Base | None
    aggregate_only: bool
    staff: int
    active: int
    previous_staff: int
    previous_active: int
    by_role: tuple[GroupShare, ...]
    by_department: tuple[GroupShare, ...]
    # By years in education (bot.digest.participation.experience_band), when the
    # roster gives start years.
    by_experience: tuple[GroupShare, ...]
    # Whether staff is the school's roster (storage.roster) or only the people plgbot
    # happens to know: the digest says which.
    roster: bool
    new_ties: int
    ties: int
    reciprocal_ties: int
    previous_ties: int
    previous_reciprocal_ties: int
    key_figures: tuple[KeyFigureLine, ...]
    # Last week's key figures that are no key figure any more.
    left_key_figures: int
    trend: tuple[Balance, ...]
    rounds: tuple[RoundLine, ...]
    nudges_sent: int
    nudges_followed: int
    nodes: tuple[NetworkNode, ...]
    edges: tuple[NetworkEdge, ...]

    @property
    def balance(self) -> Balance:
        """This week's knowledge types (the last week of the trend)."""
        return self.trend[-1]

    @property
    def interactions(self) -> int:
        return self.balance.interactions

    @property
    def empty(self) -> bool:
        """Nobody logged anything this week: the digest says so in one sentence."""
        return self.interactions == 0

    @property
    def participation(self) -> float:
        return rate(self.active, self.staff)

    @property
    def previous_participation(self) -> float:
        return rate(self.previous_active, self.previous_staff)

    @property
    def reciprocity(self) -> float:
        return rate(self.reciprocal_ties, self.ties)

    @property
    def previous_reciprocity(self) -> float:
        return rate(self.previous_reciprocal_ties, self.previous_ties)


class WeekNotStartedError(ValueError):
    """A digest was asked for a week that has not begun yet."""


async def compute(
    session: AsyncSession,
    school_id: int,
    week: IsoWeek,
    *,
    now: datetime,
    defaults: SchoolConfig = DEFAULTS,
    reader_role: str = "coordinator",
) -> Digest:
    """The school's digest for ``week`` as someone of ``reader_role`` may see it (a
    school or team leader: totals only, bot.staff.roles.sees_names); a week still running
    counts up to ``now``. Raises :class:`WeekNotStartedError` for a week after ``now``
    and LookupError for an unknown school."""
    school = await session.get(School, school_id)
    if school is None:
        raise LookupError(f"no school {school_id}")
    config = as_seen_by(await school_config(session, school_id, defaults), reader_role)
    zone = zone_of(school)
    since = week.start(zone)
    if since > now:
        raise WeekNotStartedError(f"{week} has not started yet")
    until = min(week.end(zone), now)
    base = await _base(session, school_id, week, running=until < week.end(zone))
    last_since, last_until = base.period(until - since, zone) if base else (since, since)

    groups = await store.participation_groups(session, school_id, since=since, until=until)
    last_groups = await store.participation_groups(
        session, school_id, since=last_since, until=last_until
    )
    trend = await knowledge_trend(session, school_id, week, zone, until=until)

    window = Window(until - timedelta(weeks=config.window_weeks), until, config.window_weeks)
    last_window = Window(
        last_until - timedelta(weeks=config.window_weeks), last_until, config.window_weeks
    )
    ties = await ties_in_window(
        session, school_id=school_id, since=window.since, until=window.until
    )
    last_ties = await ties_in_window(
        session, school_id=school_id, since=last_window.since, until=last_window.until
    )
    figures = await find_key_figures(session, school_id, window, config)
    last_figures = await find_key_figures(session, school_id, last_window, config)

    by_department = merge_small(group_shares(groups, lambda g: g.department))
    shown_departments = {g.name for g in by_department if g.name is not None}
    people = await directory.people_by_id(
        session, sorted({t.source_id for t in ties} | {t.target_id for t in ties})
    )
    named = not config.aggregate_only
    lines = key_figure_lines(figures, last_figures, named)
    nodes = network_nodes(people, lines, shown_departments)
    rounds = await store.round_activity(session, school_id, since=since, until=until)
    sent, followed = await store.nudge_counts(session, school_id, since=since, until=until)
    pairs, reciprocal = tie_pairs(ties)
    last_pairs, last_reciprocal = tie_pairs(last_ties)
    current = {f.person_id for f in figures}
    return Digest(
        school_id=school_id,
        school=school.name,
        week=week,
        since=since,
        until=until,
        window_weeks=config.window_weeks,
        holiday=await _holiday_of(session, school_id, week),
        base=base,
        aggregate_only=config.aggregate_only,
        staff=sum(g.staff for g in groups),
        active=sum(g.active for g in groups),
        previous_staff=sum(g.staff for g in last_groups) if base else 0,
        previous_active=sum(g.active for g in last_groups) if base else 0,
        by_role=merge_small(group_shares(groups, lambda g: g.role)),
        by_department=by_department,
        by_experience=merge_small(
            group_shares(
                [g for g in groups if g.career_start is not None],
                lambda g: experience_band(g.career_start, until.astimezone(zone).year),
            )
        ),
        roster=await school_has_roster(session, school_id),
        new_ties=await store.new_tie_count(session, school_id, since=since, until=until),
        ties=pairs,
        reciprocal_ties=reciprocal,
        previous_ties=last_pairs if base else 0,
        previous_reciprocal_ties=last_reciprocal if base else 0,
        key_figures=lines,
        left_key_figures=sum(1 for f in last_figures if f.person_id not in current),
        trend=trend,
        rounds=tuple(
            RoundLine(
                plg=r.plg,
                question=r.question if named else None,
                anonymous=r.anonymous,
                replies=r.replies,
                colleagues=r.colleagues,
            )
            for r in rounds
        ),
        nudges_sent=sent,
        nudges_followed=followed,
        nodes=nodes,
        edges=network_edges(ties),
    )


async def _base(
    session: AsyncSession, school_id: int, week: IsoWeek, *, running: bool
) -> Base | None:
    """The last of the ``SEARCH_WEEKS`` weeks before ``week`` that was no holiday."""
    for back in range(1, SEARCH_WEEKS + 1):
        candidate = week.shifted(-back)
        if await _holiday_of(session, school_id, candidate) is None:
            return Base(candidate, so_far=running, last_week=back == 1)
    return None


async def _holiday_of(session: AsyncSession, school_id: int, week: IsoWeek) -> str | None:
    """The holiday's name if holidays cover the whole school week (Monday to Friday)."""
    weekdays = {week.monday + timedelta(days=d) for d in range(5)}
    names = []
    for holiday in await holidays.holidays_of_school(session, school_id, ending_from=week.monday):
        covered = {d for d in weekdays if holiday.starts_on <= d <= holiday.ends_on}
        if covered:
            names.append(holiday.name)
        weekdays -= covered
    return names[0] if names and not weekdays else None
