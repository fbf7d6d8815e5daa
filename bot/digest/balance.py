"""The knowledge-type balance of a digest: how many of a week's interactions carried
each knowledge type (focus, process, outcomes, benefits, organisation), and the same
for the ``TREND_WEEKS`` weeks up to it (the trend).

Its own module because the school digest, the board digest, their wording and the
trend chart all read it, while only the school digest needs the rest of the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.week import IsoWeek
from storage import digests as store
from storage.digests import KnowledgeCounts

# Weeks in the knowledge-type trend, this one included.
TREND_WEEKS = 8


@dataclass(frozen=True, slots=True)
class Balance:
    """One week's knowledge types: interactions, and how many carried each type
    (focus, process, outcomes, benefits, organisation)."""

    week: IsoWeek
    interactions: int
    counts: KnowledgeCounts
    # Conversations filed under no PLG (storage.digests.WeekActivity).
    without_plg: int = 0

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


async def knowledge_trend(
    session: AsyncSession, school_id: int, week: IsoWeek, zone: ZoneInfo, *, until: datetime
) -> tuple[Balance, ...]:
    """The school's balance for each of the ``TREND_WEEKS`` weeks ending with ``week``,
    oldest first; ``week`` itself counts up to ``until``."""
    bounds = [week.shifted(-k).start(zone) for k in range(TREND_WEEKS - 1, -1, -1)] + [until]
    activity = await store.weekly_activity(session, school_id, bounds)
    return tuple(
        Balance(week.shifted(index - TREND_WEEKS + 1), a.interactions, a.knowledge, a.without_plg)
        for index, a in enumerate(activity)
    )
