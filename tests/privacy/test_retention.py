"""Retention: the nightly job deletes interactions, round replies, posts, nudges,
survey invitations, the scheduler's claims naming people, and digests' key-figure rows
older than the school's period (12
months by default, per school), keeps what is newer, and leaves the contacts rollup
equal to one rebuilt from what is left. Time comes from the clock, not from waiting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import FixedClock
from bot.ports import Messengers
from bot.service import Bot
from scheduler.retention import RetentionJobs
from scheduler.sources import job_sources
from storage import Database, directory
from storage.contacts import rebuild_contacts
from storage.interactions import NewInteraction, record_interactions
from storage.models import (
    PLG,
    Base,
    Channel,
    Contact,
    DigestKeyFigure,
    DigestWeek,
    Interaction,
    Nudge,
    Occurrence,
    Post,
    QuestionRound,
    RoundOccurrence,
    RoundReply,
    SurveyInvite,
)
from storage.occurrences import claim_occurrence
from storage.retention import cutoff
from storage.school_settings import SettingError, parse_setting, set_school_config

NOW = datetime(2027, 3, 31, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
# Twelve months before NOW is 2027-03-31 minus a year... in calendar months:
CUTOFF_12 = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


def test_the_cutoff_counts_calendar_months() -> None:
    assert cutoff(NOW, 12) == CUTOFF_12
    assert cutoff(NOW, 1) == datetime(2027, 2, 28, 12, 0, tzinfo=UTC)
    assert cutoff(NOW, 13) == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    assert cutoff(datetime(2028, 3, 30, tzinfo=UTC), 1) == datetime(2028, 2, 29, tzinfo=UTC)


def test_the_retention_setting_is_range_checked() -> None:
    assert parse_setting("retention_months", "24") == 24
    assert parse_setting("retention_months", "default") is None
    for bad in ("0", "61", "twelve"):
        with pytest.raises(SettingError, match="retention_months"):
            parse_setting("retention_months", bad)


async def _school(session: AsyncSession, tenant: str) -> tuple[int, dict[str, int]]:
    school = await directory.ensure_school(
        session, platform="console", tenant_id=tenant, name=tenant, now=NOW - 800 * DAY
    )
    ids = {}
    for handle in ("ann", "ben", "cas", "dov"):
        someone = await directory.ensure_person(
            session,
            school_id=school.id,
            platform_user_id=handle,
            display_name=handle.title(),
            handle=handle,
            now=NOW - 800 * DAY,
        )
        ids[handle] = someone.id
    return school.id, ids


async def _fill(session: AsyncSession, school_id: int, p: dict[str, int]) -> None:
    """Per kind, one row 13 months old (gone after a 12-month retention), one 11
    months old (kept at 12 months, gone at 3 months) and one a week old."""
    ages = {"old": NOW - 396 * DAY, "mid": NOW - 335 * DAY, "new": NOW - 7 * DAY}
    edges = [
        ("ann", "ben", "old"),  # ann-ben: only old ones, the pair's contact must go
        ("ben", "ann", "old"),
        ("ann", "cas", "old"),  # ann-cas: an old and a newer one
        ("ann", "cas", "mid"),
        ("cas", "ann", "old"),  # cas→ann only old: the reverse direction must empty
        ("cas", "dov", "new"),
        ("dov", "cas", "mid"),
    ]
    await record_interactions(
        session,
        [
            NewInteraction(school_id, p[s], p[t], "told", 1, ages[age], message_key=f"m{i}")
            for i, (s, t, age) in enumerate(edges)
        ],
    )
    plg = PLG(school_id=school_id, name="Data", name_key="data", created_at=ages["old"])
    session.add(plg)
    await session.flush()
    plg_round = QuestionRound(
        school_id=school_id,
        plg_id=plg.id,
        question="Why?",
        starts_at=ages["old"],
        closes_at=ages["old"] + DAY,
        created_at=ages["old"],
    )
    channel = Channel(school_id=school_id, platform_channel_id="c1", name="plg")
    session.add_all([plg_round, channel])
    await session.flush()
    occurrence = RoundOccurrence(
        round_id=plg_round.id,
        due_at=ages["old"],
        halfway_at=ages["old"],
        closes_at=ages["old"] + DAY,
        question="Why?",
    )
    digest_old = DigestWeek(school_id=school_id, week="2026-W10", week_start=ages["old"])
    digest_new = DigestWeek(school_id=school_id, week="2027-W12", week_start=ages["new"])
    for digest in (digest_old, digest_new):
        for column in ("staff", "active", "interactions", "new_ties", "ties"):
            setattr(digest, column, 4)
        for column in ("reciprocal_ties", "focus", "process", "outcomes", "benefits"):
            setattr(digest, column, 1)
        digest.organisation = digest.nudges_sent = digest.nudges_followed = 0
        digest.computed_at = digest.week_start
    session.add_all([occurrence, digest_old, digest_new])
    await session.flush()
    for n, age in enumerate(ages.values()):
        invite = SurveyInvite(school_id=school_id, person_id=p["dov"], due_at=age, sent_at=age)
        session.add(invite)
        await session.flush()
        # The scheduler's claims naming a person or an invitation.
        claims = (
            ("nudge", str(p["cas"])),
            ("survey", str(p["dov"])),
            ("survey.remind", str(invite.id)),
            ("digest", f"{school_id}:w{n}:p{p['ann']}"),
        )
        for kind, key in claims:
            await claim_occurrence(session, kind=kind, key=key, due_at=age, now=age)
        session.add_all(
            [
                RoundReply(
                    round_id=plg_round.id,
                    occurrence_id=occurrence.id,
                    author_id=p["ben"],
                    text=f"reply {n}",
                    created_at=age,
                ),
                Post(
                    channel_id=channel.id,
                    platform_message_id=f"p{n}",
                    author_id=p["ann"],
                    posted_at=age,
                ),
                Nudge(
                    school_id=school_id,
                    person_id=p["cas"],
                    week_start=age,
                    sent_at=age,
                    missing=2,
                ),
            ]
        )
    for digest in (digest_old, digest_new):
        session.add(
            DigestKeyFigure(
                digest_id=digest.id,
                person_id=p["ann"],
                rank=1,
                profile="sender",
                degree=3,
                reciprocal_ties=1,
            )
        )


async def _counts(session: AsyncSession, school_id: int) -> dict[str, int]:
    async def count(model: type[Base], where: ColumnElement[bool]) -> int:
        query = select(func.count()).select_from(model).where(where)
        return int(await session.scalar(query) or 0)

    rounds = select(QuestionRound.id).where(QuestionRound.school_id == school_id)
    channels = select(Channel.id).where(Channel.school_id == school_id)
    digests = select(DigestWeek.id).where(DigestWeek.school_id == school_id)
    return {
        "interactions": await count(Interaction, Interaction.school_id == school_id),
        "round_replies": await count(RoundReply, RoundReply.round_id.in_(rounds)),
        "posts": await count(Post, Post.channel_id.in_(channels)),
        "nudges": await count(Nudge, Nudge.school_id == school_id),
        "survey_invites": await count(SurveyInvite, SurveyInvite.school_id == school_id),
        "digest_weeks": await count(DigestWeek, DigestWeek.school_id == school_id),
        "digest_key_figures": await count(DigestKeyFigure, DigestKeyFigure.digest_id.in_(digests)),
    }


async def test_the_job_deletes_what_is_older_than_each_schools_period(any_db: Database) -> None:
    async with any_db.session() as session:
        default_school, default_people = await _school(session, "twelve")
        short_school, short_people = await _school(session, "three")
        await _fill(session, default_school, default_people)
        await _fill(session, short_school, short_people)
        await set_school_config(session, short_school, {"retention_months": "3"})
    jobs = RetentionJobs(Bot(any_db, clock=FixedClock(NOW)))

    expired = await jobs.expire(default_school, NOW)
    assert (expired.interactions, expired.round_replies, expired.posts) == (4, 1, 1)
    assert (expired.nudges, expired.survey_invitations, expired.digest_key_figures) == (1, 1, 1)
    assert expired.claims == 4
    async with any_db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Occurrence)) == 24 - 4
    await jobs.run_due(str(short_school), NOW)
    async with any_db.session() as session:
        assert await _counts(session, default_school) == {
            "interactions": 3,
            "round_replies": 2,
            "posts": 2,
            "nudges": 2,
            "survey_invites": 2,
            "digest_weeks": 2,  # aggregates stay
            "digest_key_figures": 1,
        }
        assert await _counts(session, short_school) == {
            "interactions": 1,
            "round_replies": 1,
            "posts": 1,
            "nudges": 1,
            "survey_invites": 1,
            "digest_weeks": 2,
            "digest_key_figures": 1,
        }
        # The short school's old and middle claims went too; the newest of each stay.
        assert await session.scalar(select(func.count()).select_from(Occurrence)) == 20 - 8
        oldest = await session.scalar(select(func.min(Interaction.occurred_at)))
        assert oldest is not None and oldest >= CUTOFF_12
        # The rollup equals a rebuild from the interactions that are left.
        kept = set((await session.execute(select(Contact.__table__))).all())
        pairs = {(row.person_id, row.other_id) for row in kept}
        p = default_people
        assert (p["ann"], p["ben"]) not in pairs and (p["ann"], p["cas"]) in pairs
        await rebuild_contacts(session)
        assert set((await session.execute(select(Contact.__table__))).all()) == kept
        await session.rollback()

    # Running again (a restart's catch-up, a second scheduler) changes nothing.
    assert (await jobs.expire(default_school, NOW)).total == 0


async def test_every_school_has_a_nightly_retention_job(db: Database, clock: FixedClock) -> None:
    async with db.session() as session:
        await _school(session, "one")
        await _school(session, "two")
    bot = Bot(db, clock=clock)
    sources = job_sources(bot, Messengers())
    jobs = next(s for s in sources if isinstance(s, RetentionJobs))
    schedules = await jobs.schedules()
    assert len(schedules) == 2
    trigger = schedules[0].trigger
    assert isinstance(trigger, CronTrigger)
    # 03:30 in the school's time zone (Amsterdam: 02:30 UTC in winter).
    assert trigger.get_next_fire_time(None, clock.now()) == datetime(
        2026, 11, 21, 2, 30, tzinfo=UTC
    )
