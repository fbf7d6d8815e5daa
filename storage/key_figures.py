"""The queries behind key figures and profiles (bot/network/key_figures.py).

Two kinds of question, each answered where it is cheapest:

* how many colleagues everyone has in a window ending now, and how many of them both
  ways: two counts over the ``contacts`` rollup per person, each an index range that
  only holds the contacts active in the window (:func:`colleague_ranking`);
* the details of the few candidates for the top: out-ties, interaction counts (index
  range counts) and knowledge types and activity kinds (EXISTS probes over the covering
  interaction indexes, which stop at the first match) (:func:`candidates`).

Both are one statement per school, built once with bind parameters: building a dozen
correlated subqueries per call cost more than running them. For exports and windows
that end in the past, :func:`sharing_by_source` groups the window's interactions per
sharer. People who opted out are left out on both ends, as in
:func:`storage.interactions.ties_in_window`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    bindparam,
    case,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.interactions import KNOWLEDGE_BITS
from storage.models import PLG, Contact, Interaction, Person, School, UTCDateTime
from storage.staff import present, withdrawn, withdrawn_ids

# Activity kind bit -> the interaction origins that count as that kind.
ActivityOrigins = Mapping[int, Sequence[str]]

_SINCE: BindParameter[datetime] = bindparam("since", type_=UTCDateTime())
_UNTIL: BindParameter[datetime] = bindparam("until", type_=UTCDateTime())
_OPTED: BindParameter[int] = bindparam("opted", type_=Integer(), expanding=True)


@dataclass(frozen=True, slots=True)
class SchoolState:
    """Whether the school has interactions since the window's start (``any_since``) and
    none from its end on (``none_after``: the contacts rollup is exact), and who in it
    opted out."""

    any_since: bool
    none_after: bool
    opted_out: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate key figure in a window: name, out-ties (from the contacts rollup),
    interactions sent and received, the knowledge types they sent (bits) and the
    activity kinds (bits) they sent them through."""

    person_id: int
    name: str
    handle: str
    out_ties: int
    sent: int
    received: int
    knowledge: int
    activities: int

    @property
    def interactions(self) -> int:
        return self.sent + self.received


def _contacts_since(
    column: SQLColumnExpression[datetime | None], exclude_opted: bool
) -> ColumnElement[int]:
    conditions = [Contact.person_id == Person.id, column >= _SINCE]
    if exclude_opted:
        conditions.append(Contact.other_id.not_in(_OPTED))
    return select(func.count()).select_from(Contact).where(*conditions).scalar_subquery()


async def school_states(
    session: AsyncSession, school_ids: Sequence[int], *, since: datetime, until: datetime
) -> dict[int, SchoolState]:
    """:class:`SchoolState` of each school: one index lookup per school, and the
    opted-out people of those that have any."""
    latest = (
        select(func.max(Interaction.occurred_at))
        .where(Interaction.school_id == School.id)
        .scalar_subquery()
    )
    opted = (
        select(func.count())
        .select_from(Person)
        .where(Person.school_id == School.id, withdrawn())
        .scalar_subquery()
    )
    rows = await session.execute(
        select(
            School.id,
            case((latest >= since, 1), else_=0),
            case((latest.is_(None), 1), (latest < until, 1), else_=0),
            opted,
        ).where(School.id.in_(list(school_ids)))
    )
    flags = {school: (bool(a), bool(n), int(o)) for school, a, n, o in rows}
    people: dict[int, list[int]] = {}
    with_opted = [school for school, (_, _, count) in flags.items() if count]
    if with_opted:
        for school, person in await session.execute(
            select(Person.school_id, Person.id).where(Person.school_id.in_(with_opted), withdrawn())
        ):
            people.setdefault(school, []).append(person)
    return {
        school: SchoolState(a, n, tuple(people.get(school, ())))
        for school, (a, n, _) in flags.items()
    }


async def opted_out_ids(session: AsyncSession, school_id: int) -> list[int]:
    rows = await session.scalars(
        select(Person.id).where(Person.school_id == school_id, withdrawn())
    )
    return list(rows)


@cache
def _ranking_query(dialect: str, exclude_opted: bool) -> Select[int, int, int, int]:
    schools = bindparam("schools", type_=Integer(), expanding=True)
    if dialect == "postgresql":
        # PostgreSQL: one index range over each school's active contacts into a hash
        # aggregate beats a subplan per person.
        conditions = [Contact.school_id.in_(schools), Contact.last_any >= _SINCE]
        if exclude_opted:
            conditions += [Contact.person_id.not_in(_OPTED), Contact.other_id.not_in(_OPTED)]
        both = func.count().filter(Contact.last_both >= _SINCE)
        return (
            select(Contact.school_id, Contact.person_id, func.count(), both)
            .where(*conditions)
            .group_by(Contact.school_id, Contact.person_id)
        )
    # SQLite has no hash aggregate (a GROUP BY sorts): two index range counts per
    # person, each touching only the contacts active in the window, are faster.
    return select(
        Person.school_id,
        Person.id,
        _contacts_since(Contact.last_any, exclude_opted),
        _contacts_since(Contact.last_both, exclude_opted),
    ).where(Person.school_id.in_(schools), present())


async def colleague_ranking(
    session: AsyncSession,
    school_ids: Sequence[int],
    *,
    since: datetime,
    opted_out: Sequence[int] = (),
) -> dict[int, list[tuple[int, int, int]]]:
    """Per school: (person id, degree, reciprocal ties) of everyone with a tie since
    ``since``, counted over the contacts rollup, leaving out ``opted_out`` people on
    both ends. Exact for windows ending after the school's latest interaction."""
    if not school_ids:
        return {}
    params: dict[str, Any] = {"schools": list(school_ids), "since": since}
    if opted_out:
        params["opted"] = list(opted_out)
    query = _ranking_query(session.get_bind().dialect.name, bool(opted_out))
    ranked: dict[int, list[tuple[int, int, int]]] = {school: [] for school in school_ids}
    for school, person, degree, reciprocal in await session.execute(query, params):
        if degree:
            ranked[school].append((int(person), int(degree), int(reciprocal)))
    return ranked


@cache
def _candidates_query(
    exclude_opted: bool, activities: tuple[tuple[int, tuple[str, ...]], ...]
) -> Select[Any]:
    me = Person.id
    window = [Interaction.occurred_at >= _SINCE, Interaction.occurred_at < _UNTIL]
    # No self-loops are stored (storage.interactions), so no "target != source" test
    # slows the counts down.
    sent = [Interaction.source_id == me, *window]
    received = [Interaction.target_id == me, *window]
    if exclude_opted:
        sent.append(Interaction.target_id.not_in(_OPTED))
        received.append(Interaction.source_id.not_in(_OPTED))

    def has(extra: ColumnElement[bool]) -> ColumnElement[bool]:
        return select(Interaction.id).where(*sent, extra).exists()

    columns: list[SQLColumnExpression[Any]] = [
        Person.display_name,
        func.coalesce(Person.handle, Person.platform_user_id),
        _contacts_since(Contact.last_out, exclude_opted),
        select(func.count()).select_from(Interaction).where(*sent).scalar_subquery(),
        select(func.count()).select_from(Interaction).where(*received).scalar_subquery(),
    ]
    columns += [has(Interaction.knowledge.op("&")(bit) != 0) for bit in KNOWLEDGE_BITS]
    columns += [has(Interaction.origin.in_(origins)) for _, origins in activities]
    return select(me, *columns).where(me.in_(bindparam("people", expanding=True)))


async def candidates(
    session: AsyncSession,
    person_ids: Sequence[int],
    *,
    since: datetime,
    until: datetime,
    opted_out: Sequence[int],
    activities: ActivityOrigins,
) -> dict[int, Candidate]:
    """The details of a few people in ``[since, until)``, read from the covering
    indexes; meant for key-figure candidates, not everyone."""
    if not person_ids:
        return {}
    kinds = tuple(sorted((kind, tuple(origins)) for kind, origins in activities.items()))
    params: dict[str, Any] = {"people": list(person_ids), "since": since, "until": until}
    if opted_out:
        params["opted"] = list(opted_out)
    rows = await session.execute(_candidates_query(bool(opted_out), kinds), params)
    n_bits = len(KNOWLEDGE_BITS)
    result: dict[int, Candidate] = {}
    for person, name, handle, out, n_sent, n_received, *flags in rows:
        result[person] = Candidate(
            person_id=person,
            name=name,
            handle=handle,
            out_ties=int(out),
            sent=int(n_sent),
            received=int(n_received),
            knowledge=_set_bits(KNOWLEDGE_BITS, flags[:n_bits]),
            activities=_set_bits([kind for kind, _ in kinds], flags[n_bits:]),
        )
    return result


def _window(since: datetime, until: datetime) -> list[ColumnElement[bool]]:
    return [Interaction.occurred_at >= since, Interaction.occurred_at < until]


async def sharing_by_source(
    session: AsyncSession,
    *,
    school_id: int,
    since: datetime,
    until: datetime,
    activities: ActivityOrigins,
    plg_id: int | None = None,
) -> dict[int, tuple[int, int]]:
    """Per sharer in the school's window: (knowledge bits, activity kind bits) of what
    they sent. One GROUP BY over the window, for exports of everyone."""
    opted = withdrawn_ids()
    conditions = [
        Interaction.school_id == school_id,
        Interaction.source_id != Interaction.target_id,
        Interaction.source_id.not_in(opted),
        Interaction.target_id.not_in(opted),
        *_window(since, until),
    ]
    if plg_id is not None:
        conditions.append(Interaction.plg_id == plg_id)
    # SQLite has no BIT_OR: OR-ing per-bit maxima works on both databases.
    knowledge = _added([func.max(Interaction.knowledge.op("&")(bit)) for bit in KNOWLEDGE_BITS])
    kinds = _added(
        [
            func.max(case((Interaction.origin.in_(origins), kind), else_=0))
            for kind, origins in sorted(activities.items())
        ]
    )
    rows = await session.execute(
        select(Interaction.source_id, knowledge, kinds)
        .where(*conditions)
        .group_by(Interaction.source_id)
    )
    return {person: (int(k or 0), int(a or 0)) for person, k, a in rows}


def _set_bits(bits: Sequence[int], flags: Sequence[object]) -> int:
    return sum(bit for bit, on in zip(bits, flags, strict=True) if on)


def _added(terms: list[ColumnElement[int]]) -> ColumnElement[int]:
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


async def busiest_plg(
    session: AsyncSession, *, person_id: int, since: datetime, until: datetime
) -> PLG | None:
    """The PLG most of the person's shared interactions in the window were about."""
    plg_id = await session.scalar(
        select(Interaction.plg_id)
        .where(
            Interaction.source_id == person_id,
            Interaction.plg_id.is_not(None),
            *_window(since, until),
        )
        .group_by(Interaction.plg_id)
        .order_by(func.count().desc(), Interaction.plg_id)
        .limit(1)
    )
    return await session.get(PLG, plg_id) if plg_id is not None else None
