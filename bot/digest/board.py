"""The board digest: every school of a board (``schools.board``) for one week, with
totals, for coordinators whose school shares its board with others.

Apart from :mod:`bot.digest.weekly` because it only adds up finished school digests; it
never queries anything a school digest has not already counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.balance import Balance
from bot.digest.participation import rate
from bot.digest.week import IsoWeek
from bot.digest.weekly import Digest, compute
from storage import digests as store
from storage.school_settings import DEFAULTS, SchoolConfig


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
