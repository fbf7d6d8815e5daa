"""One conversation, one record (design.md): when both people log the same contact,
the second report confirms the first instead of adding a second conversation.

Within ``WINDOW`` of each other, about the same PLG or with either naming none: the
same direction (A told B, B heard from A) is one record; opposite directions, or either
side ``discussed``, is one ``discussed`` conversation (both edges). A report confirms
at most one unconfirmed report of the other person, the latest. Typed commands and
forms go through :func:`confirm_earlier` as they are logged; data logged before this
rule held is merged by :func:`reconcile` (``plgbot reconcile``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage import reports
from storage.reports import Report

WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Merge:
    """The later report confirmed the earlier one, as both stood before: what its
    reporter is told, and what ``plgbot reconcile`` lists."""

    earlier_reporter_id: int
    earlier_origin: str
    earlier_at: datetime
    later_reporter_id: int
    later_origin: str
    later_at: datetime
    both_ways: bool
    # Knowledge types (bit mask) the later report added to the earlier one's.
    added_knowledge: int
    added_plg: bool
    # The merged record has a PLG (from either report).
    has_plg: bool
    # The message the merged record is kept under (the earlier report's).
    message_key: str | None

    @classmethod
    def of(cls, earlier: Report, later: Report) -> Merge:
        return cls(
            earlier_reporter_id=earlier.reporter_id,
            earlier_origin=earlier.origin,
            earlier_at=earlier.occurred_at,
            later_reporter_id=later.reporter_id,
            later_origin=later.origin,
            later_at=later.occurred_at,
            both_ways=both_ways(earlier, later),
            added_knowledge=later.knowledge & ~earlier.knowledge,
            added_plg=earlier.plg_id is None and later.plg_id is not None,
            has_plg=earlier.plg_id is not None or later.plg_id is not None,
            message_key=earlier.rows[0].message_key,
        )


def both_ways(earlier: Report, later: Report) -> bool:
    """Whether two reports of one contact make it a conversation both ways: they point
    in opposite directions, or either is a ``discussed`` (two edges)."""
    return earlier.edges != later.edges or len(earlier.edges) > 1


def matches(earlier: Report, later: Report) -> bool:
    """Whether ``later`` may confirm ``earlier``: the other person's report of a contact
    between the same two people, close enough in time, not about different PLGs."""
    return (
        earlier.reporter_id == later.other_id
        and earlier.other_id == later.reporter_id
        and abs(later.occurred_at - earlier.occurred_at) <= WINDOW
        and (earlier.plg_id is None or later.plg_id is None or earlier.plg_id == later.plg_id)
    )


async def confirm_earlier(session: AsyncSession, later: Report) -> Merge | None:
    """``later`` was just stored: if it confirms the other person's report, the two
    become one record; the merge says how."""
    candidates = await reports.open_reports(
        session,
        reporter_id=later.other_id,
        other_id=later.reporter_id,
        since=later.occurred_at - WINDOW,
        until=later.occurred_at + WINDOW,
    )
    earlier = next((r for r in candidates if matches(r, later)), None)
    if earlier is None:
        return None
    merge = Merge.of(earlier, later)
    await reports.merge(session, earlier, later, both_ways=merge.both_ways)
    return merge


async def reconcile(session: AsyncSession, school_id: int, *, dry_run: bool) -> list[Merge]:
    """Merge the school's reports that are one conversation, the earliest first, each
    confirming at most one (the other person's latest waiting report, as when typed);
    with ``dry_run`` only say which would be merged."""
    # Waiting reports by (reporter, other), so each report looks only at its pair's.
    waiting: dict[tuple[int, int], list[Report]] = {}
    merges: list[Merge] = []
    for report in await reports.open_reports_of_school(session, school_id):
        theirs = waiting.get((report.other_id, report.reporter_id), [])
        earlier = next((w for w in reversed(theirs) if matches(w, report)), None)
        if earlier is None:
            waiting.setdefault((report.reporter_id, report.other_id), []).append(report)
            continue
        theirs.remove(earlier)
        merge = Merge.of(earlier, report)
        merges.append(merge)
        if not dry_run:
            await reports.merge(session, earlier, report, both_ways=merge.both_ways)
    return merges
