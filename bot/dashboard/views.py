"""What the coordinators' dashboard shows of a school, with design.md's privacy rules
applied before anything reaches a page.

* A school set to aggregate-only (``plgbot school set S aggregate_only=true``) shows no
  names: people are dots with ties, key figures are ranks and profiles.
* Groups smaller than :data:`MIN_GROUP` are never shown apart: a department or role
  with fewer staff is shown as "other" (in the picture's colours and hover texts, and in
  participation by department).
* People who opted out are not in the network at all.

Positions and colours are the page's business (``adapters.dashboard``); this module
only decides what may be shown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import BotConfig, school_defaults
from bot.knowledge.types import KnowledgeType
from bot.network.key_figures import Profile, Window, find_key_figures, network
from bot.rounds.agenda import Agenda, compile_agenda
from bot.school_time import zone_of
from storage import dashboard as store
from storage import directory
from storage.models import PLG, School
from storage.school_settings import SchoolConfig, school_config

# design.md: "groups smaller than 5 are never shown apart".
MIN_GROUP = 5
MAX_WEEKS = 52
TREND_TYPES = (
    KnowledgeType.FOCUS,
    KnowledgeType.PROCESS,
    KnowledgeType.OUTCOMES,
    KnowledgeType.BENEFITS,
    KnowledgeType.ORGANISATION,
)


@dataclass(frozen=True, slots=True)
class Node:
    """A person in the picture. ``name`` is None in aggregate-only schools; ``role`` and
    ``department`` are None where the group is too small to show apart."""

    person_id: int
    name: str | None
    role: str | None
    department: str | None
    out_ties: int
    in_ties: int
    reciprocal_ties: int
    degree: int
    interactions: int
    profile: Profile | None
    key_figure: int | None


@dataclass(frozen=True, slots=True)
class Edge:
    source_id: int
    target_id: int
    interactions: int
    reciprocal: bool


@dataclass(frozen=True, slots=True)
class KeyFigureView:
    rank: int
    name: str | None
    profile: Profile
    degree: int
    reciprocal_ties: int


@dataclass(frozen=True, slots=True)
class Filters:
    """The network's filters: one PLG (None: all) and the window in weeks."""

    plg: PLG | None
    weeks: int


@dataclass(frozen=True, slots=True)
class Picture:
    school: School
    filters: Filters
    since: datetime
    until: datetime
    aggregate_only: bool
    staff: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    key_figures: tuple[KeyFigureView, ...]


@dataclass(frozen=True, slots=True)
class WeekTrend:
    """One ISO week (school time) of the window."""

    week: str
    starts: date
    interactions: int
    active: int
    new_ties: int
    knowledge: tuple[int, ...]  # per TREND_TYPES


@dataclass(frozen=True, slots=True)
class DepartmentShare:
    """Staff of a department (None: the small ones together) who had a tie."""

    department: str | None
    staff: int
    active: int


@dataclass(frozen=True, slots=True)
class Trends:
    staff: int
    weeks: tuple[WeekTrend, ...]
    departments: tuple[DepartmentShare, ...]


class FilterError(ValueError):
    """A filter value the page cannot use; ``key`` names the catalogue message."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


async def settings_of(session: AsyncSession, school: School, config: BotConfig) -> SchoolConfig:
    return await school_config(session, school.id, school_defaults(config))


async def read_filters(
    session: AsyncSession,
    school: School,
    settings: SchoolConfig,
    *,
    plg: str | None,
    weeks: str | None,
) -> Filters:
    """The filters from the page's query: a PLG id of this school and 1..52 weeks."""
    chosen = None
    if plg:
        if not plg.isdigit():
            raise FilterError("dashboard.bad_plg")
        chosen = next(
            (p for p in await directory.plgs_of_school(session, school.id) if p.id == int(plg)),
            None,
        )
        if chosen is None:
            raise FilterError("dashboard.bad_plg")
    span = settings.window_weeks
    if weeks:
        if not weeks.isdigit() or not 1 <= int(weeks) <= MAX_WEEKS:
            raise FilterError("dashboard.bad_weeks", most=MAX_WEEKS)
        span = int(weeks)
    return Filters(chosen, span)


def _groups(values: list[str | None]) -> set[str]:
    """The values shared by at least MIN_GROUP people: those may be shown apart."""
    counts = Counter(v for v in values if v)
    return {value for value, n in counts.items() if n >= MIN_GROUP}


async def picture(
    session: AsyncSession,
    school: School,
    settings: SchoolConfig,
    filters: Filters,
    now: datetime,
) -> Picture:
    """The school's network in the window: everyone with a tie, their ties, and the key
    figures (of the PLG's network when a PLG is chosen)."""
    window = Window.ending(now, filters.weeks)
    plg_id = filters.plg.id if filters.plg else None
    net = await network(session, school.id, window, settings, plg_id=plg_id)
    known = [p for p in await directory.people_of_school(session, school.id) if not p.withdrawn]
    people = {p.id: p for p in known}
    # Staff, for the counts and the groups, is the roster (storage.staff); the picture
    # shows everyone present who has a tie.
    staff = await directory.staff_of(session, school.id, now)
    roles = _groups([p.role for p in staff])
    departments = _groups([p.department for p in staff])
    hidden = settings.aggregate_only
    if plg_id is None:
        found = await find_key_figures(session, school.id, window, settings)
        ranks = {k.person_id: k.rank for k in found}
    else:
        names = {p.id: p.display_name for p in known}
        top = net.ranked(names)[: settings.key_figures]
        ranks = {person_id: rank for rank, person_id in enumerate(top, start=1)}
    nodes = []
    for person_id, place in net.places.items():
        person = people.get(person_id)
        if person is None:
            continue
        m = place.metrics
        nodes.append(
            Node(
                person_id=person_id,
                name=None if hidden else person.display_name,
                role=person.role if person.role in roles else None,
                department=person.department if person.department in departments else None,
                out_ties=m.out_ties,
                in_ties=m.in_ties,
                reciprocal_ties=m.reciprocal_ties,
                degree=m.degree,
                interactions=m.interactions,
                profile=place.profile,
                key_figure=ranks.get(person_id),
            )
        )
    nodes.sort(key=lambda n: (-n.degree, n.person_id))
    directed = {(t.source_id, t.target_id) for t in net.ties}
    edges = tuple(
        Edge(t.source_id, t.target_id, t.count, (t.target_id, t.source_id) in directed)
        for t in net.ties
        if t.source_id != t.target_id and t.source_id in people and t.target_id in people
    )
    figures = []
    for node in sorted((n for n in nodes if n.key_figure), key=lambda n: n.key_figure or 0):
        assert node.key_figure is not None and node.profile is not None
        figures.append(
            KeyFigureView(
                node.key_figure, node.name, node.profile, node.degree, node.reciprocal_ties
            )
        )
    return Picture(
        school=school,
        filters=filters,
        since=window.since,
        until=now,
        aggregate_only=hidden,
        staff=len(staff),
        nodes=tuple(nodes),
        edges=edges,
        key_figures=tuple(figures),
    )


def _week_of(moment: datetime, zone: ZoneInfo) -> tuple[str, date]:
    local = moment.astimezone(zone).date()
    year, week, weekday = local.isocalendar()
    return f"{year}-W{week:02d}", local - timedelta(days=weekday - 1)


async def trends(session: AsyncSession, school: School, filters: Filters, now: datetime) -> Trends:
    """Week by week in the window: interactions by knowledge type, staff who took part,
    new ties (colleague pairs in contact for the first time); and participation by
    department, small departments together."""
    window = Window.ending(now, filters.weeks)
    plg_id = filters.plg.id if filters.plg else None
    zone = zone_of(school)
    contacts = await store.contacts_in_window(
        session, school_id=school.id, since=window.since, until=window.until, plg_id=plg_id
    )
    firsts = await store.first_contacts(
        session, school_id=school.id, since=window.since, until=window.until, plg_id=plg_id
    )
    staff = list(await directory.staff_of(session, school.id, now))
    # Who took part is counted among the staff only, like the staff it is a share of.
    staff_ids = {p.id for p in staff}
    weeks: dict[str, tuple[date, Counter[str], set[int]]] = {}
    cursor = window.since
    while cursor <= now:
        label, starts = _week_of(cursor, zone)
        weeks.setdefault(label, (starts, Counter(), set()))
        cursor += timedelta(days=7)
    label, starts = _week_of(now, zone)
    weeks.setdefault(label, (starts, Counter(), set()))
    for contact in contacts:
        label, starts = _week_of(contact.occurred_at, zone)
        _, counts, active = weeks.setdefault(label, (starts, Counter(), set()))
        counts["interactions"] += 1
        active.update((contact.source_id, contact.target_id))
        for kind in TREND_TYPES:
            if KnowledgeType(contact.knowledge) & kind:
                counts[str(kind.name)] += 1
    for first in firsts:
        label, starts = _week_of(first, zone)
        weeks.setdefault(label, (starts, Counter(), set()))[1]["new_ties"] += 1
    rows = tuple(
        WeekTrend(
            week=label,
            starts=starts,
            interactions=counts["interactions"],
            active=len(active & staff_ids),
            new_ties=counts["new_ties"],
            knowledge=tuple(counts[str(kind.name)] for kind in TREND_TYPES),
        )
        for label, (starts, counts, active) in sorted(weeks.items(), key=lambda i: i[1][0])
    )
    took_part = {c.source_id for c in contacts} | {c.target_id for c in contacts}
    shown = _groups([p.department for p in staff])
    by_department: dict[str | None, list[int]] = {}
    for person in staff:
        key = person.department if person.department in shown else None
        tally = by_department.setdefault(key, [0, 0])
        tally[0] += 1
        tally[1] += person.id in took_part
    departments = tuple(
        DepartmentShare(name, total, active)
        for name, (total, active) in sorted(
            by_department.items(), key=lambda i: (i[0] is None, i[0] or "")
        )
        # "Other departments" together can still be a small group: then left out.
        if total >= MIN_GROUP
    )
    return Trends(len(staff), rows, departments)


@dataclass(frozen=True, slots=True)
class AgendaView:
    agenda: Agenda
    zone: ZoneInfo


async def agenda_of(
    session: AsyncSession,
    school: School,
    settings: SchoolConfig,
    occurrence_id: int,
    now: datetime,
) -> AgendaView | None:
    """The agenda of one of the school's round postings (None: not this school's). In
    an aggregate-only school it names nobody and does not count roles or departments."""
    found = await store.occurrence_of_school(session, school.id, occurrence_id)
    if found is None:
        return None
    agenda = await compile_agenda(session, *found, now=now)
    if settings.aggregate_only:
        agenda = replace(
            agenda,
            replies=tuple(replace(r, author=None) for r in agenda.replies),
            by_role=(),
            by_department=(),
        )
    return AgendaView(agenda, zone_of(school))
