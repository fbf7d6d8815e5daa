"""The queries behind key figures and profiles (bot/key_figures.py).

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
from storage.models import PLG, Contact, Interaction, Person, UTCDateTime

# Activity kind bit -> the interaction origins that count as that kind.
ActivityOrigins = Mapping[int, Sequence[str]]

_SINCE: BindParameter[datetime] = bindparam("since", type_=UTCDateTime())
_UNTIL: BindParameter[datetime] = bindparam("until", type_=UTCDateTime())
_OPTED: BindParameter[int] = bindparam("opted", type_=Integer(), expanding=True)


@dataclass(frozen=True, slots=True)
class Ranking:
    """Everyone's (person id, degree, reciprocal ties) from the contacts rollup, the
    school's latest interaction, and how many of its people opted out. The counts are
    exact for windows ending after ``latest`` and when nobody opted out, or when the
    opted-out people were passed in to leave out."""

    latest: datetime | None
    opted_out: int
    rows: list[tuple[int, int, int]]


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


@cache
def _ranking_query(exclude_opted: bool) -> Select[int, int, int, datetime | None, int]:
    school = bindparam("school", type_=Integer())
    latest = (
        select(func.max(Interaction.occurred_at))
        .where(Interaction.school_id == school)
        .scalar_subquery()
    )
    opted = (
        select(func.count())
        .select_from(Person)
        .where(Person.school_id == school, Person.opted_out_at.is_not(None))
        .scalar_subquery()
    )
    return select(
        Person.id,
        _contacts_since(Contact.last_any, exclude_opted),
        _contacts_since(Contact.last_both, exclude_opted),
        latest,
        opted,
    ).where(Person.school_id == school, Person.opted_out_at.is_(None))


async def colleague_ranking(
    session: AsyncSession, *, school_id: int, since: datetime, opted_out: Sequence[int] = ()
) -> Ranking:
    """Degree and reciprocal ties of everyone in the school not opted out, counting
    contacts since ``since``, leaving out contacts with ``opted_out`` people."""
    params: dict[str, Any] = {"school": school_id, "since": since}
    if opted_out:
        params["opted"] = list(opted_out)
    rows = (await session.execute(_ranking_query(bool(opted_out)), params)).all()
    if not rows:
        return Ranking(None, 0, [])
    return Ranking(
        latest=rows[0][3],
        opted_out=int(rows[0][4]),
        rows=[(int(p), int(d), int(r)) for p, d, r, _, _ in rows],
    )


async def opted_out_ids(session: AsyncSession, school_id: int) -> list[int]:
    rows = await session.scalars(
        select(Person.id).where(Person.school_id == school_id, Person.opted_out_at.is_not(None))
    )
    return list(rows)


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
    opted = select(Person.id).where(Person.opted_out_at.is_not(None))
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
