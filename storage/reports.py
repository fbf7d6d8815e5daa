"""Reports: what one person logged by command (told, heard, discussed) about a contact
with one colleague, and how two people's reports of the same conversation become one
record (the rule is bot/network/conversations.py's)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy import or_ as any_of
from sqlalchemy.ext.asyncio import AsyncSession

from storage import contacts
from storage.models import Interaction

# The origins a person reports themself; what plgbot observes is never a report.
REPORTED = ("told", "heard", "discussed")


@dataclass(frozen=True, slots=True)
class Report:
    """The rows one message stored for one pair: one edge (told, heard) or two
    (discussed)."""

    reporter_id: int
    other_id: int
    rows: tuple[Interaction, ...]

    @property
    def edges(self) -> frozenset[tuple[int, int]]:
        return frozenset((r.source_id, r.target_id) for r in self.rows)

    @property
    def knowledge(self) -> int:
        return reduce(or_, (r.knowledge for r in self.rows), 0)

    @property
    def origin(self) -> str:
        return self.rows[0].origin

    @property
    def plg_id(self) -> int | None:
        return next((r.plg_id for r in self.rows if r.plg_id is not None), None)

    @property
    def occurred_at(self) -> datetime:
        return min(r.occurred_at for r in self.rows)

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(r.id for r in self.rows)


def _pair(a: int, b: int) -> ColumnElement[bool]:
    return any_of(
        and_(Interaction.source_id == a, Interaction.target_id == b),
        and_(Interaction.source_id == b, Interaction.target_id == a),
    )


def _group(rows: Sequence[Interaction]) -> list[Report]:
    """Rows → reports, in the order of their first row: one per message and pair."""
    reports: dict[tuple[object, int, frozenset[int]], list[Interaction]] = {}
    for row in rows:
        assert row.reported_by_id is not None
        # Imported reports have no message; each of their rows stands alone.
        message: object = row.message_key if row.message_key is not None else ("row", row.id)
        pair = frozenset((row.source_id, row.target_id))
        reports.setdefault((message, row.reported_by_id, pair), []).append(row)
    return [
        Report(reporter, next(iter(pair - {reporter})), tuple(group))
        for (_message, reporter, pair), group in reports.items()
    ]


async def report_of_message(
    session: AsyncSession, *, message_key: str, reporter_id: int, other_id: int
) -> Report | None:
    rows = (
        await session.scalars(
            select(Interaction)
            .where(
                Interaction.message_key == message_key,
                Interaction.reported_by_id == reporter_id,
                _pair(reporter_id, other_id),
            )
            .order_by(Interaction.id)
        )
    ).all()
    return Report(reporter_id, other_id, tuple(rows)) if rows else None


async def open_reports(
    session: AsyncSession,
    *,
    reporter_id: int,
    other_id: int,
    since: datetime,
    until: datetime,
) -> list[Report]:
    """The reporter's unconfirmed reports of contacts with ``other_id`` in
    ``[since, until]``, the latest first."""
    rows = (
        await session.scalars(
            select(Interaction)
            .where(
                Interaction.reported_by_id == reporter_id,
                _pair(reporter_id, other_id),
                Interaction.origin.in_(REPORTED),
                Interaction.confirmed.is_(False),
                Interaction.occurred_at >= since,
                Interaction.occurred_at <= until,
            )
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        )
    ).all()
    return _group(rows)


async def open_reports_of_school(session: AsyncSession, school_id: int) -> list[Report]:
    """Every unconfirmed report in the school, the earliest first."""
    rows = (
        await session.scalars(
            select(Interaction)
            .where(
                Interaction.school_id == school_id,
                Interaction.reported_by_id.is_not(None),
                Interaction.origin.in_(REPORTED),
                Interaction.confirmed.is_(False),
            )
            .order_by(Interaction.occurred_at, Interaction.id)
        )
    ).all()
    return _group(rows)


async def merge(session: AsyncSession, earlier: Report, later: Report, *, both_ways: bool) -> None:
    """Make ``later`` confirm ``earlier``: one record, or with ``both_ways`` one
    ``discussed`` conversation (both edges). Knowledge types and the PLG of either
    report are kept; an edge both reports hold is kept once, the earlier one's."""
    plg_id = earlier.plg_id if earlier.plg_id is not None else later.plg_id
    knowledge = earlier.knowledge | later.knowledge
    kept = earlier.edges
    first = earlier.rows[0]
    for row in earlier.rows:
        _confirm(row, knowledge, plg_id, both_ways)
    for row in later.rows:
        if (row.source_id, row.target_id) in kept:
            await session.delete(row)
        else:
            _confirm(row, knowledge, plg_id, both_ways)
            # One conversation, one moment and one message: counted once per week
            # (storage.digests), withdrawn with the message that first logged it.
            row.message_key = first.message_key
            row.occurred_at = first.occurred_at
    await session.flush()
    # The deleted rows moved contact times forward; recompute them from what is left.
    await contacts.refresh_pairs(session, [(earlier.reporter_id, earlier.other_id)])


def _confirm(row: Interaction, knowledge: int, plg_id: int | None, both_ways: bool) -> None:
    row.knowledge = knowledge
    if row.plg_id is None:
        row.plg_id = plg_id
    row.confirmed = True
    if both_ways:
        row.origin = "discussed"


async def file_under(
    session: AsyncSession, *, message_key: str, reporter_id: int, plg_id: int
) -> bool:
    """File what ``reporter_id`` logged with message ``message_key`` under the PLG;
    False when nothing of it is left (withdrawn, or merged into the other's report)."""
    result = await session.execute(
        update(Interaction)
        .where(Interaction.message_key == message_key, Interaction.reported_by_id == reporter_id)
        .values(plg_id=plg_id)
    )
    return bool(getattr(result, "rowcount", 0))


async def toggle_knowledge(
    session: AsyncSession, *, message_key: str, person_id: int, kind: int
) -> int | None:
    """Add knowledge type ``kind`` (one bit) to what ``person_id`` logged with message
    ``message_key``, or take it off if it was there; the types it has now, or None when
    nothing of it is left (withdrawn). A record both people reported (confirmed) is
    either one's to change."""
    rows = (
        await session.scalars(
            select(Interaction).where(
                Interaction.message_key == message_key,
                Interaction.origin.in_(REPORTED),
                any_of(
                    Interaction.reported_by_id == person_id,
                    and_(
                        Interaction.confirmed.is_(True),
                        any_of(
                            Interaction.source_id == person_id,
                            Interaction.target_id == person_id,
                        ),
                    ),
                ),
            )
        )
    ).all()
    if not rows:
        return None
    # One record, one set of types: the bit follows what the record as a whole had.
    knowledge = reduce(or_, (r.knowledge for r in rows), 0) ^ kind
    for row in rows:
        row.knowledge = knowledge
    await session.flush()
    return knowledge
