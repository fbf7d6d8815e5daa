"""A school's network in a window: edges and per-person metrics, for export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.knowledge import KnowledgeType
from bot.network import person_metrics
from storage import Database, directory, interactions


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


@dataclass(frozen=True, slots=True)
class NetworkReport:
    school: str
    since: datetime
    until: datetime
    edges: tuple[EdgeRow, ...]
    people: tuple[PersonRow, ...]


class UnknownSchoolError(LookupError):
    pass


async def network_report(
    db: Database, *, school: str, now: datetime, weeks: int, plg: str | None = None
) -> NetworkReport:
    """Everyone in the school (also those without ties, so participation shows), most
    connected first."""
    since = now - timedelta(weeks=weeks)
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
        ties = await interactions.ties_in_window(
            session, school_id=found.id, since=since, until=now, plg_id=plg_id
        )
        people = {p.id: p for p in await directory.people_of_school(session, found.id)}
    metrics = person_metrics(ties)

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
                for t in ties
                if t.source_id != t.target_id
            ),
            key=lambda e: (e.source, e.target),
        )
    )
    rows = []
    for person in people.values():
        if person.opted_out_at is not None:
            continue
        m = metrics.get(person.id)
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
            )
        )
    rows.sort(key=lambda r: (-r.degree, -r.reciprocal_ties, -r.interactions, r.name))
    return NetworkReport(found.name, since, now, edges, tuple(rows))
