"""The weekly coordinator digest (design.md, "Weekly digest" and "Privacy"): is PLG
knowledge spreading through the school?

:func:`compute` gives a :class:`Digest`, a frozen set of numbers for one school and ISO
week (in the school's time zone); :func:`compute_board` the same for every school of a
board. Rendering lives elsewhere: :mod:`bot.digest_messages` (chat message, Markdown)
and :mod:`bot.digest_pictures` (network picture and trend chart, PNG).

What the numbers are:

* participation: staff (people of the school who have not opted out) with at least one
  interaction in the week, overall, per role and per department, and last week's rate;
* new ties: colleague pairs whose first interaction ever was this week;
* ties and reciprocity: colleague pairs with an interaction in the analysis window
  (``window_weeks``, default 12) ending with the week, and the share of them that went
  both ways; the network picture shows those ties;
* key figures (bot.key_figures) in that window, with last week's rank and degree;
* knowledge-type balance: how many of the week's interactions carried each type, and
  the same for the eight weeks up to this one (the trend);
* question-round postings open during the week with reply counts; nudges sent and
  followed in the week.

Privacy: a role or department with fewer than ``MIN_GROUP`` staff is never shown apart
but merged into "other roles"/"other departments" (if that merged group is still too
small, the smallest shown groups join it). With ``aggregate_only`` the digest carries
no names at all: no key figure names, no labels in the picture, no round questions
(they may name colleagues).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_week import IsoWeek
from bot.key_figures import KeyFigure, Window, find_key_figures
from bot.round_messages import zone_of
from storage import digests as store
from storage import directory, holidays
from storage.digests import GroupCount, KnowledgeCounts, StoredKeyFigure, WeekFigures
from storage.interactions import Tie, ties_in_window
from storage.models import School
from storage.school_settings import DEFAULTS, SchoolConfig, school_config

# Groups smaller than this are never shown apart (design.md, Privacy).
MIN_GROUP = 5
# Weeks in the knowledge-type trend, this one included.
TREND_WEEKS = 8


@dataclass(frozen=True, slots=True)
class GroupShare:
    """Staff of one role or department and how many took part; ``name`` None is the
    merged group of everyone in groups too small to show apart."""

    name: str | None
    staff: int
    active: int


@dataclass(frozen=True, slots=True)
class KeyFigureLine:
    """A key figure this week; ``name`` is None in aggregate-only digests. The
    ``previous_*`` fields are None when they were no key figure last week."""

    rank: int
    person_id: int
    name: str | None
    profile: str
    degree: int
    reciprocal_ties: int
    previous_rank: int | None
    previous_degree: int | None


@dataclass(frozen=True, slots=True)
class Balance:
    """One week's knowledge types: interactions, and how many carried each type
    (focus, process, outcomes, benefits, organisation)."""

    week: IsoWeek
    interactions: int
    counts: KnowledgeCounts

    @property
    def typed(self) -> int:
        """Type mentions: an interaction with two types counts twice."""
        return sum(self.counts)

    @property
    def shares(self) -> tuple[float, ...]:
        """Each type's share of the type mentions (all 0 without any)."""
        total = self.typed
        return tuple(count / total if total else 0.0 for count in self.counts)

    @property
    def outcomes_share(self) -> float:
        return self.shares[2]


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
class NetworkNode:
    """A person in the network picture: ``group`` is their department (None: the merged
    small departments or none), ``label`` their name if they are a key figure and the
    digest names people."""

    person_id: int
    group: str | None
    label: str | None
    key_figure: bool


@dataclass(frozen=True, slots=True)
class NetworkEdge:
    """A tie in the picture: ``source`` → ``target``, or both ways if ``reciprocal``
    (then ``source`` < ``target``)."""

    source: int
    target: int
    reciprocal: bool


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
    aggregate_only: bool
    staff: int
    active: int
    previous_staff: int
    previous_active: int
    by_role: tuple[GroupShare, ...]
    by_department: tuple[GroupShare, ...]
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


@dataclass(frozen=True, slots=True)
class BoardDigest:
    """The digests of a board's schools for one week, with totals."""

    board: str
    week: IsoWeek
    schools: tuple[Digest, ...]

    @property
    def staff(self) -> int:
        return sum(d.staff for d in self.schools)

    @property
    def active(self) -> int:
        return sum(d.active for d in self.schools)

    @property
    def previous_staff(self) -> int:
        return sum(d.previous_staff for d in self.schools)

    @property
    def previous_active(self) -> int:
        return sum(d.previous_active for d in self.schools)

    @property
    def new_ties(self) -> int:
        return sum(d.new_ties for d in self.schools)

    @property
    def ties(self) -> int:
        return sum(d.ties for d in self.schools)

    @property
    def reciprocal_ties(self) -> int:
        return sum(d.reciprocal_ties for d in self.schools)

    @property
    def nudges_sent(self) -> int:
        return sum(d.nudges_sent for d in self.schools)

    @property
    def nudges_followed(self) -> int:
        return sum(d.nudges_followed for d in self.schools)

    @property
    def trend(self) -> tuple[Balance, ...]:
        """The schools' trends added up week by week."""
        if not self.schools:
            return ()
        weeks = []
        for index, first in enumerate(self.schools[0].trend):
            parts = [d.trend[index] for d in self.schools]
            counts = tuple(sum(p.counts[i] for p in parts) for i in range(5))
            weeks.append(
                Balance(
                    first.week,
                    sum(p.interactions for p in parts),
                    (counts[0], counts[1], counts[2], counts[3], counts[4]),
                )
            )
        return tuple(weeks)

    @property
    def balance(self) -> Balance:
        return self.trend[-1]

    @property
    def participation(self) -> float:
        return rate(self.active, self.staff)

    @property
    def previous_participation(self) -> float:
        return rate(self.previous_active, self.previous_staff)

    @property
    def reciprocity(self) -> float:
        return rate(self.reciprocal_ties, self.ties)


def rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


class WeekNotStartedError(ValueError):
    """A digest was asked for a week that has not begun yet."""


async def compute(
    session: AsyncSession,
    school_id: int,
    week: IsoWeek,
    *,
    now: datetime,
    defaults: SchoolConfig = DEFAULTS,
) -> Digest:
    """The school's digest for ``week``; a week still running counts up to ``now``.
    Raises :class:`WeekNotStartedError` for a week after ``now`` and LookupError for an
    unknown school."""
    school = await session.get(School, school_id)
    if school is None:
        raise LookupError(f"no school {school_id}")
    config = await school_config(session, school_id, defaults)
    zone = zone_of(school)
    since = week.start(zone)
    if since > now:
        raise WeekNotStartedError(f"{week} has not started yet")
    until = min(week.end(zone), now)
    last_since, last_until = week.shifted(-1).start(zone), since

    groups = await store.participation_groups(session, school_id, since=since, until=until)
    last_groups = await store.participation_groups(
        session, school_id, since=last_since, until=last_until
    )
    bounds = [week.shifted(-k).start(zone) for k in range(TREND_WEEKS - 1, -1, -1)] + [until]
    activity = await store.weekly_activity(session, school_id, bounds)
    trend = tuple(
        Balance(week.shifted(index - TREND_WEEKS + 1), a.interactions, a.knowledge)
        for index, a in enumerate(activity)
    )

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

    by_department = merge_small(_counted(groups, lambda g: g.department))
    shown_departments = {g.name for g in by_department if g.name is not None}
    people = await directory.people_by_id(
        session, sorted({t.source_id for t in ties} | {t.target_id for t in ties})
    )
    named = not config.aggregate_only
    lines = _key_figure_lines(figures, last_figures, named)
    labels = {line.person_id: line.name for line in lines}
    nodes = tuple(
        NetworkNode(
            person_id=person_id,
            group=person.department if person.department in shown_departments else None,
            label=labels.get(person_id),
            key_figure=person_id in labels,
        )
        for person_id, person in sorted(people.items())
    )
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
        aggregate_only=config.aggregate_only,
        staff=sum(g.staff for g in groups),
        active=sum(g.active for g in groups),
        previous_staff=sum(g.staff for g in last_groups),
        previous_active=sum(g.active for g in last_groups),
        by_role=merge_small(_counted(groups, lambda g: g.role)),
        by_department=by_department,
        new_ties=await store.new_tie_count(session, school_id, since=since, until=until),
        ties=pairs,
        reciprocal_ties=reciprocal,
        previous_ties=last_pairs,
        previous_reciprocal_ties=last_reciprocal,
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


async def compute_board(
    session: AsyncSession,
    board: str,
    week: IsoWeek,
    *,
    now: datetime,
    defaults: SchoolConfig = DEFAULTS,
) -> BoardDigest:
    """The digest of every school of ``board`` (LookupError if it has none)."""
    schools = await store.schools_of_board(session, board)
    if not schools:
        raise LookupError(f"no schools in board {board!r}")
    found = [await compute(session, s.id, week, now=now, defaults=defaults) for s in schools]
    return BoardDigest(board, week, tuple(found))


async def store_digest(session: AsyncSession, digest: Digest, *, now: datetime) -> None:
    """Keep the digest's aggregates and key figures (by person id) for history."""
    await store.save_week(
        session,
        week_figures(digest),
        [
            StoredKeyFigure(k.person_id, k.rank, k.profile, k.degree, k.reciprocal_ties)
            for k in digest.key_figures
        ],
        now=now,
    )


def week_figures(digest: Digest) -> WeekFigures:
    """The digest's numbers as stored in ``digest_weeks``."""
    return WeekFigures(
        school_id=digest.school_id,
        week=str(digest.week),
        week_start=digest.since,
        staff=digest.staff,
        active=digest.active,
        interactions=digest.interactions,
        new_ties=digest.new_ties,
        ties=digest.ties,
        reciprocal_ties=digest.reciprocal_ties,
        knowledge=digest.balance.counts,
        nudges_sent=digest.nudges_sent,
        nudges_followed=digest.nudges_followed,
        holiday=digest.holiday is not None,
    )


def merge_small(groups: Iterable[GroupShare], minimum: int = MIN_GROUP) -> tuple[GroupShare, ...]:
    """Groups of at least ``minimum`` staff, largest first, plus one merged group
    (``name`` None) of the rest. If the merged group would still be smaller than
    ``minimum``, the smallest shown groups join it; if that leaves a single group,
    no breakdown is shown at all (it would only repeat the total)."""
    groups = list(groups)
    shown = sorted(
        (g for g in groups if g.staff >= minimum and g.name is not None),
        key=lambda g: (-g.staff, g.name or ""),
    )
    rest = [g for g in groups if g not in shown]
    other_staff = sum(g.staff for g in rest)
    other_active = sum(g.active for g in rest)
    while 0 < other_staff < minimum and shown:
        smallest = shown.pop()
        other_staff += smallest.staff
        other_active += smallest.active
    result = list(shown)
    if other_staff:
        result.append(GroupShare(None, other_staff, other_active))
    return tuple(result) if len(result) > 1 else ()


def tie_pairs(ties: Sequence[Tie]) -> tuple[int, int]:
    """(colleague pairs with a tie either way, pairs with ties both ways)."""
    directed = {(t.source_id, t.target_id) for t in ties if t.source_id != t.target_id}
    pairs = {(min(a, b), max(a, b)) for a, b in directed}
    both = sum(1 for a, b in pairs if (a, b) in directed and (b, a) in directed)
    return len(pairs), both


def network_edges(ties: Sequence[Tie]) -> tuple[NetworkEdge, ...]:
    """One edge per colleague pair: reciprocal, or in the one direction it went."""
    directed = {(t.source_id, t.target_id) for t in ties if t.source_id != t.target_id}
    edges = []
    for a, b in sorted(directed):
        if (b, a) in directed:
            if a < b:
                edges.append(NetworkEdge(a, b, True))
        else:
            edges.append(NetworkEdge(a, b, False))
    return tuple(edges)


def _counted(
    groups: Sequence[GroupCount], key: Callable[[GroupCount], str | None]
) -> list[GroupShare]:
    """Group counts added up per role or per department (``key`` picks which)."""
    totals: dict[str | None, list[int]] = {}
    for g in groups:
        name = key(g)
        entry = totals.setdefault(name or None, [0, 0])
        entry[0] += g.staff
        entry[1] += g.active
    return [GroupShare(name, staff, active) for name, (staff, active) in totals.items()]


def _key_figure_lines(
    figures: Sequence[KeyFigure], last: Sequence[KeyFigure], named: bool
) -> tuple[KeyFigureLine, ...]:
    before = {f.person_id: f for f in last}
    lines = []
    for f in figures:
        previous = before.get(f.person_id)
        lines.append(
            KeyFigureLine(
                rank=f.rank,
                person_id=f.person_id,
                name=f.name if named else None,
                profile=f.profile.value,
                degree=f.place.metrics.degree,
                reciprocal_ties=f.place.metrics.reciprocal_ties,
                previous_rank=previous.rank if previous else None,
                previous_degree=previous.place.metrics.degree if previous else None,
            )
        )
    return tuple(lines)


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
