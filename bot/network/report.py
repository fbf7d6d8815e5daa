"""A school's network in a window: edges, per-person metrics and profiles, and the key
figures, for export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.catalogue import Language
from bot.knowledge.types import KnowledgeType
from bot.network.key_figures import Window, find_key_figures, network, profile_name, reason
from storage import Database, directory
from storage.school_settings import DEFAULTS, SchoolConfig, school_config


@dataclass(frozen=True, slots=True)
class EdgeRow:
    source: str
    target: str
    interactions: int
    knowledge: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PersonRow:
    handle: str
    name: str
    role: str
    department: str
    out_ties: int
    in_ties: int
    reciprocal_ties: int
    degree: int
    reciprocity: float
    interactions: int
    profile: str
    shared: tuple[str, ...]
    activities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KeyFigureRow:
    rank: int
    handle: str
    name: str
    profile: str
    profile_name: str
    degree: int
    reciprocal_ties: int
    out_ties: int
    in_ties: int
    reciprocity: float
    interactions: int
    reason: str


@dataclass(frozen=True, slots=True)
class NetworkReport:
    school: str
    since: datetime
    until: datetime
    weeks: int
    edges: tuple[EdgeRow, ...]
    people: tuple[PersonRow, ...]
    key_figures: tuple[KeyFigureRow, ...]


class UnknownSchoolError(LookupError):
    pass


async def network_report(
    db: Database,
    *,
    school: str,
    now: datetime,
    weeks: int | None = None,
    plg: str | None = None,
    defaults: SchoolConfig = DEFAULTS,
    language: Language = "en",
) -> NetworkReport:
    """Everyone in the school (also those without ties, so participation shows), most
    connected first, and the key figures with their profiles. ``weeks`` defaults to the
    school's window; the key figures of one PLG's network are its most connected people
    by the same rule."""
    async with db.session() as session:
        found = await directory.find_school(session, school)
        if found is None:
            known = [s.tenant_id for s in await directory.list_schools(session)]
            raise UnknownSchoolError(f"no school {school!r}; known: {', '.join(known) or 'none'}")
        plg_id = None
        if plg is not None:
            plg_row = await directory.find_plg(session, found.id, plg)
            if plg_row is None:
                raise UnknownSchoolError(f"no PLG {plg!r} at {found.name}")
            plg_id = plg_row.id
        config = await school_config(session, found.id, defaults)
        window = Window.ending(now, weeks or config.window_weeks)
        net = await network(session, found.id, window, config, plg_id=plg_id)
        people = {p.id: p for p in await directory.people_of_school(session, found.id)}
        names = {p.id: p.display_name for p in people.values()}
        if plg_id is None:
            found_figures = await find_key_figures(session, found.id, window, config)
            figures = [(k.person_id, k.place) for k in found_figures]
        else:
            top = net.ranked(names)[: config.key_figures]
            figures = [(person_id, net.places[person_id]) for person_id in top]

    def handle(person_id: int) -> str:
        person = people[person_id]
        return person.handle or person.platform_user_id

    edges = tuple(
        sorted(
            (
                EdgeRow(
                    handle(t.source_id),
                    handle(t.target_id),
                    t.count,
                    KnowledgeType(t.knowledge).names,
                )
                for t in net.ties
                if t.source_id != t.target_id
            ),
            key=lambda e: (e.source, e.target),
        )
    )
    rows = []
    for person in people.values():
        if person.opted_out_at is not None:
            continue
        place = net.places.get(person.id)
        m = place.metrics if place else None
        rows.append(
            PersonRow(
                handle=handle(person.id),
                name=person.display_name,
                role=person.role,
                department=person.department or "",
                out_ties=m.out_ties if m else 0,
                in_ties=m.in_ties if m else 0,
                reciprocal_ties=m.reciprocal_ties if m else 0,
                degree=m.degree if m else 0,
                reciprocity=round(m.reciprocity, 3) if m else 0.0,
                interactions=m.interactions if m else 0,
                profile=place.profile.value if place and place.profile else "",
                shared=place.shared.names if place else (),
                activities=place.activities.names if place else (),
            )
        )
    rows.sort(key=lambda r: (-r.degree, -r.reciprocal_ties, -r.interactions, r.name))
    key_figures = []
    for rank, (person_id, place) in enumerate(figures, start=1):
        m = place.metrics
        key_figures.append(
            KeyFigureRow(
                rank=rank,
                handle=handle(person_id),
                name=names[person_id],
                profile=place.profile.value if place.profile else "",
                profile_name=profile_name(language, place.profile),
                degree=m.degree,
                reciprocal_ties=m.reciprocal_ties,
                out_ties=m.out_ties,
                in_ties=m.in_ties,
                reciprocity=round(m.reciprocity, 3),
                interactions=m.interactions,
                reason=reason(language, place, window.weeks),
            )
        )
    return NetworkReport(
        found.name, window.since, now, window.weeks, edges, tuple(rows), tuple(key_figures)
    )
