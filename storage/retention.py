"""Retention (design.md, Privacy): what is older than a school's retention period goes.

Interactions, round replies, the channel posts behind thread replies, nudges, survey
invitations and which people a stored digest showed as key figures are personal data
kept for the network's sake only; past the period they are deleted (stored digests keep
their aggregates) and the contacts rollup of the pairs they touched is recomputed, so key
figures never count a deleted interaction.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, exists, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import contacts
from storage.digests import DIGEST_KINDS
from storage.models import (
    Channel,
    DigestKeyFigure,
    DigestWeek,
    Interaction,
    Nudge,
    Occurrence,
    Person,
    Post,
    QuestionRound,
    RoundReply,
    SurveyInvite,
)
from storage.privacy import INVITE_KEYED_KINDS, PERSON_KEYED_KINDS


@dataclass(frozen=True, slots=True)
class Expired:
    """Rows deleted, per kind."""

    interactions: int = 0
    round_replies: int = 0
    posts: int = 0
    nudges: int = 0
    survey_invitations: int = 0
    digest_key_figures: int = 0
    claims: int = 0

    @property
    def total(self) -> int:
        return (
            self.interactions
            + self.round_replies
            + self.posts
            + self.nudges
            + self.survey_invitations
            + self.digest_key_figures
            + self.claims
        )


def cutoff(now: datetime, months: int) -> datetime:
    """The same moment ``months`` calendar months before ``now`` (the 31st becomes the
    last day of a shorter month): data from before it has expired."""
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)


async def delete_expired(session: AsyncSession, school_id: int, before: datetime) -> Expired:
    """Delete the school's personal data from before ``before``; idempotent."""
    old = (Interaction.school_id == school_id, Interaction.occurred_at < before)
    pairs = (
        await session.execute(
            select(Interaction.source_id, Interaction.target_id).where(*old).distinct()
        )
    ).all()
    interactions = await session.execute(delete(Interaction).where(*old))
    await contacts.refresh_pairs(session, [(s, t) for s, t in pairs])
    rounds = select(QuestionRound.id).where(QuestionRound.school_id == school_id)
    replies = await session.execute(
        delete(RoundReply).where(RoundReply.round_id.in_(rounds), RoundReply.created_at < before)
    )
    channels = select(Channel.id).where(Channel.school_id == school_id)
    posts = await session.execute(
        delete(Post).where(Post.channel_id.in_(channels), Post.posted_at < before)
    )
    nudges = await session.execute(
        delete(Nudge).where(Nudge.school_id == school_id, Nudge.sent_at < before)
    )
    old_invites = (SurveyInvite.school_id == school_id, SurveyInvite.sent_at < before)
    # The scheduler's exactly-once claims of a nudge or a survey name the person (or
    # the invitation) in their key: they expire with what they claimed.
    people = select(cast(Person.id, String)).where(Person.school_id == school_id)
    invite_keys = select(cast(SurveyInvite.id, String)).where(*old_invites)
    # A digest sent to a person: "<school>:<week>:p<person>".
    digest_reader = exists().where(
        Person.school_id == school_id,
        Occurrence.key.endswith(literal(":p").concat(cast(Person.id, String))),
    )
    claims = await session.execute(
        delete(Occurrence).where(
            Occurrence.due_at < before,
            or_(
                Occurrence.kind.in_(PERSON_KEYED_KINDS) & Occurrence.key.in_(people),
                Occurrence.kind.in_(INVITE_KEYED_KINDS) & Occurrence.key.in_(invite_keys),
                Occurrence.kind.in_(DIGEST_KINDS) & digest_reader,
            ),
        )
    )
    invites = await session.execute(delete(SurveyInvite).where(*old_invites))
    # Stored digests keep their aggregates; which people were key figures goes.
    digests = select(DigestWeek.id).where(
        DigestWeek.school_id == school_id, DigestWeek.week_start < before
    )
    figures = await session.execute(
        delete(DigestKeyFigure).where(DigestKeyFigure.digest_id.in_(digests))
    )
    return Expired(
        interactions=_rows(interactions),
        round_replies=_rows(replies),
        posts=_rows(posts),
        nudges=_rows(nudges),
        survey_invitations=_rows(invites),
        digest_key_figures=_rows(figures),
        claims=_rows(claims),
    )


def _rows(result: Any) -> int:
    return max(getattr(result, "rowcount", 0) or 0, 0)
