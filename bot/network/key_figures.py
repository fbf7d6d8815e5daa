"""Key figures and their profiles (design.md, "Key figures and profiles").

Key figures are the people with the highest degree in the school's network in the
window, top N per school (N = ``key_figures``, default 3), ties broken by reciprocal
ties, then total interactions, then name (then person id, so the order is total).
Everyone with at least one tie gets a profile, checked in this order:

1. super-sharer: reciprocity r >= 0.5 and shared focus, process and benefits;
2. interactor: r >= 0.3; *advanced* if they shared focus, process and outcomes, or used
   at least 3 activity kinds (:mod:`bot.network.activities`), else *basic*;
3. sender: out-ties >= in-ties;
4. receiver: the rest.

"Shared" means: in interactions the person sent in the window. Thresholds come from
the school's settings (:mod:`storage.school_settings`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogue import Language, text
from bot.knowledge.types import KnowledgeType
from bot.network.activities import ACTIVITY_ORIGINS, Activity
from bot.network.metrics import PersonMetrics, person_metrics
from storage import key_figures as queries
from storage.interactions import Tie, ties_in_window
from storage.school_settings import SchoolConfig

SUPER_SHARES = KnowledgeType.FOCUS | KnowledgeType.PROCESS | KnowledgeType.BENEFITS
ADVANCED_SHARES = KnowledgeType.FOCUS | KnowledgeType.PROCESS | KnowledgeType.OUTCOMES
# r = 3/10 must count as 0.3: compare with a margin far below any real difference.
_EPSILON = 1e-9


class Profile(StrEnum):
    SUPER_SHARER = "super_sharer"
    INTERACTOR_ADVANCED = "interactor_advanced"
    INTERACTOR_BASIC = "interactor_basic"
    SENDER = "sender"
    RECEIVER = "receiver"


@dataclass(frozen=True, slots=True)
class Window:
    """``[since, until)``: the last ``weeks`` weeks up to and including ``now``."""

    since: datetime
    until: datetime
    weeks: int

    @classmethod
    def ending(cls, now: datetime, weeks: int) -> Window:
        # One second past now, so what was logged at this very moment counts.
        return cls(now - timedelta(weeks=weeks), now + timedelta(seconds=1), weeks)


@dataclass(frozen=True, slots=True)
class PersonProfile:
    """One person's place in the network: metrics, what they shared, how, and the
    profile that follows from it (None without any tie)."""

    metrics: PersonMetrics
    shared: KnowledgeType
    activities: Activity
    profile: Profile | None


@dataclass(frozen=True, slots=True)
class KeyFigure:
    rank: int
    person_id: int
    name: str
    handle: str
    place: PersonProfile

    @property
    def profile(self) -> Profile:
        assert self.place.profile is not None, "key figures have ties"
        return self.place.profile


def profile_of(
    metrics: PersonMetrics, shared: KnowledgeType, activities: Activity, config: SchoolConfig
) -> Profile | None:
    """The profile rules, in design.md's order."""
    if metrics.degree == 0:
        return None

    def at_least(threshold: float) -> bool:
        return metrics.reciprocal_ties >= threshold * metrics.degree - _EPSILON

    if at_least(config.super_sharer_reciprocity) and SUPER_SHARES in shared:
        return Profile.SUPER_SHARER
    if at_least(config.interactor_reciprocity):
        advanced = ADVANCED_SHARES in shared or activities.kinds >= config.interactor_activity_kinds
        return Profile.INTERACTOR_ADVANCED if advanced else Profile.INTERACTOR_BASIC
    return Profile.SENDER if metrics.out_ties >= metrics.in_ties else Profile.RECEIVER


def rank_key(metrics: PersonMetrics, name: str) -> tuple[int, int, int, str, int]:
    """Sort key: degree, reciprocal ties, interactions (all descending), name, id."""
    return (
        -metrics.degree,
        -metrics.reciprocal_ties,
        -metrics.interactions,
        name,
        metrics.person_id,
    )


async def find_key_figures(
    session: AsyncSession,
    school_id: int,
    window: Window,
    config: SchoolConfig,
    *,
    from_contacts: bool | None = None,
) -> list[KeyFigure]:
    """The school's key figures with profiles (see :func:`key_figures_by_school`)."""
    found = await key_figures_by_school(
        session, {school_id: (window, config)}, from_contacts=from_contacts
    )
    return found[school_id]


async def key_figures_by_school(
    session: AsyncSession,
    schools: Mapping[int, tuple[Window, SchoolConfig]],
    *,
    from_contacts: bool | None = None,
) -> dict[int, list[KeyFigure]]:
    """Key figures of several schools (a board) at once, computed in the database in
    three statements per distinct window, whatever the number of schools.

    For a window ending after a school's latest interaction (the usual "as of now")
    everyone's degree and reciprocal ties are counted over the contacts rollup;
    otherwise the window's ties are grouped from the interactions (``from_contacts``
    forces one or the other, for tests and the benchmark). Only the candidates for the
    top N (the top N by degree and reciprocal ties, plus anyone level with the last of
    them) get their interactions counted and their knowledge types probed.
    """
    result: dict[int, list[KeyFigure]] = {school: [] for school in schools}
    windows: dict[Window, list[int]] = {}
    for school, (window, _) in schools.items():
        windows.setdefault(window, []).append(school)
    for window, ids in windows.items():
        states = await queries.school_states(session, ids, since=window.since, until=window.until)
        live = [school for school in ids if states[school].any_since]
        opted = [person for school in live for person in states[school].opted_out]
        fast = [
            school
            for school in live
            if (states[school].none_after if from_contacts is None else from_contacts)
        ]
        ranked = await queries.colleague_ranking(session, fast, since=window.since, opted_out=opted)
        ties: dict[int, PersonMetrics] = {}
        for school in live:
            if school not in ranked:
                grouped = person_metrics(
                    await ties_in_window(
                        session, school_id=school, since=window.since, until=window.until
                    )
                )
                ties.update(grouped)
                ranked[school] = [
                    (m.person_id, m.degree, m.reciprocal_ties) for m in grouped.values()
                ]
        pools = {school: _pool(ranked[school], schools[school][1]) for school in live}
        found = await queries.candidates(
            session,
            [person for pool in pools.values() for person, _, _ in pool],
            since=window.since,
            until=window.until,
            opted_out=opted,
            activities=ACTIVITY_ORIGINS,
        )
        for school, pool in pools.items():
            result[school] = _figures(pool, found, ties, schools[school][1])
    return result


def _pool(ranked: list[tuple[int, int, int]], config: SchoolConfig) -> list[tuple[int, int, int]]:
    """The candidates: the top N by degree and reciprocal ties, and anyone level with
    the last of them (interactions and names decide between those)."""
    ranked = sorted(ranked, key=lambda row: (-row[1], -row[2]))
    if not ranked:
        return []
    cut = ranked[: config.key_figures][-1][1:]
    return [row for row in ranked if row[1:] >= cut]


def _figures(
    pool: list[tuple[int, int, int]],
    found: Mapping[int, queries.Candidate],
    ties: Mapping[int, PersonMetrics],
    config: SchoolConfig,
) -> list[KeyFigure]:
    places: list[tuple[PersonMetrics, queries.Candidate]] = []
    for person, degree, reciprocal in pool:
        c = found[person]
        # Out-ties come from the ties when they were grouped, else from the rollup.
        out = ties[person].out_ties if person in ties else c.out_ties
        metrics = PersonMetrics(
            person, out, degree - out + reciprocal, reciprocal, degree, c.interactions
        )
        places.append((metrics, c))
    places.sort(key=lambda place: rank_key(place[0], place[1].name))
    figures = []
    for rank, (metrics, c) in enumerate(places[: config.key_figures], start=1):
        shared, activities = KnowledgeType(c.knowledge), Activity(c.activities)
        profile = profile_of(metrics, shared, activities, config)
        place = PersonProfile(metrics, shared, activities, profile)
        figures.append(KeyFigure(rank, c.person_id, c.name, c.handle, place))
    return figures


@dataclass(frozen=True, slots=True)
class Network:
    """A school's network in a window, for exports: the directed ties and every
    connected person's place in it."""

    ties: list[Tie]
    places: dict[int, PersonProfile]

    def ranked(self, names: Mapping[int, str]) -> list[int]:
        """Person ids in key-figure order (see :func:`rank_key`)."""
        return sorted(self.places, key=lambda p: rank_key(self.places[p].metrics, names.get(p, "")))


async def network(
    session: AsyncSession,
    school_id: int,
    window: Window,
    config: SchoolConfig,
    *,
    plg_id: int | None = None,
) -> Network:
    """Ties and profile of everyone with a tie in the window (optionally about one
    PLG): the window's ties and what each person sent, both grouped in the database."""
    ties = await ties_in_window(
        session, school_id=school_id, since=window.since, until=window.until, plg_id=plg_id
    )
    sent = await queries.sharing_by_source(
        session,
        school_id=school_id,
        since=window.since,
        until=window.until,
        activities=ACTIVITY_ORIGINS,
        plg_id=plg_id,
    )
    places: dict[int, PersonProfile] = {}
    for person, metrics in person_metrics(ties).items():
        knowledge, kinds = sent.get(person, (0, 0))
        shared, activities = KnowledgeType(knowledge), Activity(kinds)
        places[person] = PersonProfile(
            metrics, shared, activities, profile_of(metrics, shared, activities, config)
        )
    return Network(ties, places)


def profile_name(language: Language, profile: Profile | None) -> str:
    return text(language, f"keyfigures.profile.{profile.value if profile else 'none'}")


def reason(language: Language, place: PersonProfile, weeks: int) -> str:
    """Why the profile: "12 colleagues, 7 reciprocal; shared focus, process, benefits
    in the last 12 weeks", plus what decided an interactor or sender."""
    m = place.metrics
    types = _names(language, "types", place.shared.names)
    key = "keyfigures.reason" if types else "keyfigures.reason_nothing"
    line = text(
        language, key, degree=m.degree, reciprocal=m.reciprocal_ties, types=types, weeks=weeks
    )
    if place.profile is Profile.INTERACTOR_ADVANCED and ADVANCED_SHARES not in place.shared:
        kinds = _names(language, "activities", place.activities.names)
        line += text(
            language, "keyfigures.reason_activities", count=place.activities.kinds, kinds=kinds
        )
    elif place.profile in {Profile.SENDER, Profile.RECEIVER}:
        line += text(language, "keyfigures.reason_direction", out=m.out_ties, into=m.in_ties)
    return line


def _names(language: Language, group: str, names: Iterable[str]) -> str:
    return ", ".join(text(language, f"{group}.{name}") for name in names)
