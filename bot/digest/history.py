"""A digest kept for history: each week's aggregates (``digest_weeks``) and key
figures by person id (``digest_key_figures``), which the dashboard charts over time.

Its own module because storing is what the scheduled run does after computing; the
``plgbot digest`` command and the ``digest`` chat command compute without storing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.weekly import Digest
from storage import digest_history as store
from storage.digest_history import StoredKeyFigure, WeekFigures


async def store_digest(session: AsyncSession, digest: Digest, *, now: datetime) -> None:
    """Keep the digest's aggregates and key figures (by person id) for history."""
    await store.save_week(
        session,
        week_figures(digest),
        [
            StoredKeyFigure(k.person_id, k.rank, k.profile, k.degree, k.reciprocal_ties)
            for k in digest.key_figures
        ],
        now=now,
    )


def week_figures(digest: Digest) -> WeekFigures:
    """The digest's numbers as stored in ``digest_weeks``."""
    return WeekFigures(
        school_id=digest.school_id,
        week=str(digest.week),
        week_start=digest.since,
        staff=digest.staff,
        active=digest.active,
        interactions=digest.interactions,
        new_ties=digest.new_ties,
        ties=digest.ties,
        reciprocal_ties=digest.reciprocal_ties,
        knowledge=digest.balance.counts,
        nudges_sent=digest.nudges_sent,
        nudges_followed=digest.nudges_followed,
        holiday=digest.holiday is not None,
    )
