"""The round jobs against a controllable clock and a real database: daylight saving
time, holidays, restarts, crashes between post and commit, and two schedulers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

import scheduler.delivery
from adapters.console import ConsoleSession
from adapters.console.scheduling import run_until
from bot.clock import FixedClock
from bot.rounds.holidays import import_holidays
from bot.service import Bot
from scheduler import PlgScheduler
from scheduler.leader import FileLeaderLock, PostgresLeaderLock
from storage import Database
from storage.models import Occurrence, RoundOccurrence, RoundPost
from tests.helpers import run_script
from tests.rounds.harness import WEEKLY, RecordingMessenger, round_jobs, school

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FIRST = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 08:00 in Amsterdam

CHRISTMAS = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//schoolvakanties//NL
BEGIN:VEVENT
UID:kerst-2026@test
DTSTART;VALUE=DATE:20261219
DTEND;VALUE=DATE:20270104
SUMMARY:Kerstvakantie
END:VEVENT
BEGIN:VEVENT
UID:studiedag@test
DTSTART;VALUE=DATE:20261001
RRULE:FREQ=WEEKLY;COUNT=3
SUMMARY:Studiedag
END:VEVENT
END:VCALENDAR
"""


async def weekly_round(console: ConsoleSession, db: Database, command: str = WEEKLY) -> None:
    await school(console, db)
    out = await run_script(console, f"/as anouk\n{command}")
    assert "is scheduled" in out, out


async def due_times(db: Database) -> list[datetime]:
    async with db.session() as session:
        rows = await session.scalars(
            select(RoundOccurrence.due_at).order_by(RoundOccurrence.due_at)
        )
        return list(rows)


async def test_weekly_postings_stay_at_eight_across_the_clock_change(
    console: ConsoleSession, db: Database, bot: Bot, clock: FixedClock
) -> None:
    clock.advance(datetime(2027, 3, 17, 12, tzinfo=UTC) - clock.now())
    await weekly_round(console, db)
    messenger = RecordingMessenger()
    await run_until([round_jobs(bot, messenger)], clock, datetime(2027, 4, 6, tzinfo=UTC))
    posted = await due_times(db)
    # Summer time starts on Sunday 2027-03-28: 07:00 UTC before, 06:00 UTC after.
    assert posted == [
        datetime(2027, 3, 22, 7, tzinfo=UTC),
        datetime(2027, 3, 29, 6, tzinfo=UTC),
        datetime(2027, 4, 5, 6, tzinfo=UTC),
    ]
    assert {t.astimezone(AMSTERDAM).strftime("%a %H:%M") for t in posted} == {"Mon 08:00"}
    assert len(messenger.questions()) == 3
    async with db.session() as session:
        closes = list(await session.scalars(select(RoundOccurrence.closes_at)))
    assert {t.astimezone(AMSTERDAM).strftime("%a %H:%M") for t in closes} == {"Fri 17:00"}


async def test_fortnightly_skips_every_other_week(
    console: ConsoleSession, db: Database, bot: Bot, clock: FixedClock
) -> None:
    command = WEEKLY.replace("weekly monday 08:00", "fortnightly monday 08:00")
    await weekly_round(console, db, command)
    await run_until([round_jobs(bot, RecordingMessenger())], clock, FIRST + timedelta(days=36))
    assert await due_times(db) == [FIRST + timedelta(weeks=w) for w in (0, 2, 4)]


async def test_a_posting_in_a_holiday_is_skipped_and_the_lead_told(
    console: ConsoleSession, db: Database, bot: Bot, clock: FixedClock
) -> None:
    await weekly_round(console, db)
    added, imported = await import_holidays(db, "test", "vakanties.ics", CHRISTMAS)
    assert added == 1
    assert [(s.name, str(s.starts_on), str(s.ends_on)) for s in imported.spans] == [
        ("Kerstvakantie", "2026-12-19", "2027-01-03")
    ]
    assert imported.skipped == (("Studiedag", "holiday.reason_recurring"),)
    messenger = RecordingMessenger()
    await run_until([round_jobs(bot, messenger)], clock, datetime(2027, 1, 5, tzinfo=UTC))
    posted = [t.astimezone(AMSTERDAM).date().isoformat() for t in await due_times(db)]
    assert posted == ["2026-11-23", "2026-11-30", "2026-12-07", "2026-12-14", "2027-01-04"]
    notes = [m.plain_text for user, m in messenger.private if "was not posted" in m.plain_text]
    assert notes == [
        "Round 1 (“Relatively many havo-3 pupils repeat the year. What could be causes?”) was"
        f" not posted on Monday {day} at 08:00: that is during Kerstvakantie.\n"
        f"The next posting is Monday {following} at 08:00."
        for day, following in (("2026-12-21", "2026-12-28"), ("2026-12-28", "2027-01-04"))
    ]
    async with db.session() as session:
        outcomes = list(
            await session.scalars(select(Occurrence.outcome).where(Occurrence.kind == "round"))
        )
    assert outcomes.count("skipped") == 2


@pytest.mark.parametrize(("late", "posted"), [(timedelta(minutes=40), 1), (timedelta(hours=2), 0)])
async def test_a_restart_posts_a_missed_occurrence_only_within_grace(
    console: ConsoleSession,
    db: Database,
    bot: Bot,
    clock: FixedClock,
    tmp_path: Path,
    late: timedelta,
    posted: int,
) -> None:
    await weekly_round(console, db)
    clock.advance(FIRST + late - clock.now())  # the scheduler was down at 08:00
    messenger = RecordingMessenger()
    runner = PlgScheduler([round_jobs(bot, messenger)], FileLeaderLock(tmp_path / "l"), clock=clock)
    runner.start()
    await asyncio.wait_for(runner.leading.wait(), 5)
    await runner.stop()
    assert len(messenger.questions()) == posted
    # Missed or not, the next week's question comes.
    await run_until([round_jobs(bot, messenger)], clock, FIRST + timedelta(days=7, hours=1))
    assert len(messenger.questions()) == posted + 1


@pytest.mark.parametrize(("honours_keys", "recorded"), [(True, 1), (False, 0)])
async def test_a_crash_between_post_and_commit_posts_once_or_not_again(
    console: ConsoleSession,
    db: Database,
    bot: Bot,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    honours_keys: bool,
    recorded: int,
) -> None:
    await weekly_round(console, db)
    messenger = RecordingMessenger(honours_keys=honours_keys)
    jobs = round_jobs(bot, messenger)
    original = getattr(scheduler.delivery, "finish_occurrence")  # noqa: B009  (patched below)

    async def crash(*args: object, **kwargs: object) -> None:
        raise SystemExit("killed between the post and the commit")

    monkeypatch.setattr(scheduler.delivery, "finish_occurrence", crash)
    clock.advance(FIRST - clock.now())
    with pytest.raises(SystemExit):
        await jobs.run_due("1", clock.now())
    monkeypatch.setattr(scheduler.delivery, "finish_occurrence", original)
    assert len(messenger.posts) == 1

    # A new process at once: the claim is fresh, maybe still in flight; leave it.
    restarted = round_jobs(bot, messenger)
    clock.advance(timedelta(minutes=1))
    await restarted.run_due("1", clock.now())
    assert len(messenger.posts) == 1
    # Past the lease: a platform that finds posts by key is asked again with the same
    # key and returns the first post (recorded now); one that cannot is not asked again
    # (at most once): the occurrence is marked "unsure".
    clock.advance(timedelta(minutes=2))
    assert [s.key for s in await restarted.schedules()] == ["1"]
    await restarted.run_due("1", clock.now())
    assert len(messenger.posts) == 1
    async with db.session() as session:
        assert len((await session.scalars(select(RoundPost))).all()) == recorded
        left = (await session.scalars(select(Occurrence).where(Occurrence.done_at.is_(None)))).all()
        outcomes = set(await session.scalars(select(Occurrence.outcome)))
    assert left == []
    assert outcomes == ({"done"} if honours_keys else {"unsure"})
    await restarted.run_due("1", clock.now() + timedelta(minutes=10))
    assert len(messenger.posts) == 1


async def test_a_platform_outage_is_retried_within_grace(
    console: ConsoleSession, db: Database, bot: Bot, clock: FixedClock
) -> None:
    await weekly_round(console, db)
    clock.advance(FIRST - clock.now())
    down = RecordingMessenger(failing=True)
    await round_jobs(bot, down).run_due("1", clock.now())
    up = RecordingMessenger()
    jobs = round_jobs(bot, up)
    clock.advance(timedelta(minutes=5))
    schedule = (await jobs.schedules())[0]
    assert schedule.trigger.run_date == clock.now(), "unconfirmed work is due again now"
    await jobs.run_due("1", clock.now())
    assert len(up.questions()) == 1


async def test_a_closing_missed_for_days_still_compiles_the_agenda(
    console: ConsoleSession, db: Database, bot: Bot, clock: FixedClock
) -> None:
    await weekly_round(console, db)
    messenger = RecordingMessenger()
    jobs = round_jobs(bot, messenger)
    clock.advance(FIRST - clock.now())
    await jobs.run_due("1", clock.now())
    await run_script(console, "/as bram\nanswer 1 Homework is rarely checked.")
    clock.advance(timedelta(days=6, hours=3))  # Sunday: closed on Friday, nobody ran
    await jobs.run_due("1", clock.now())
    agendas = [m.plain_text for _, _, m in messenger.posts if "AGENDA" in m.plain_text.upper()]
    assert len(agendas) == 1 and "Homework is rarely checked. — Bram Jansen" in agendas[0]
    assert [u for u, m in messenger.private if "Meeting agenda" in m.plain_text] == ["anouk"]


async def test_two_job_sources_on_one_database_post_once(
    any_db: Database, clock: FixedClock
) -> None:
    bot = Bot(any_db, clock=clock)
    await weekly_round(ConsoleSession(bot, any_db, school="test", clock=clock), any_db)
    clock.advance(FIRST - clock.now())

    class Slow(RecordingMessenger):
        async def post_to_channel(self, **kwargs: object) -> str:
            await asyncio.sleep(0.05)
            return await super().post_to_channel(**kwargs)  # type: ignore[arg-type]

    messenger = Slow(honours_keys=False)
    other = Bot(Database(any_db.url), clock=clock)
    try:
        await asyncio.gather(
            *(round_jobs(b, messenger).run_due("1", clock.now()) for b in (bot, other, bot))
        )
    finally:
        await other.db.dispose()
    assert len(messenger.questions()) == 1


async def test_two_schedulers_on_one_postgres_database_post_once(
    postgres_url: str, clock: FixedClock
) -> None:
    first_db, second_db = Database(postgres_url), Database(postgres_url)
    await first_db.upgrade()
    first, second = Bot(first_db, clock=clock), Bot(second_db, clock=clock)
    await weekly_round(ConsoleSession(first, first_db, school="test", clock=clock), first_db)
    clock.advance(FIRST + timedelta(minutes=10) - clock.now())
    messenger = RecordingMessenger(honours_keys=False)
    runners = [
        PlgScheduler(
            [round_jobs(b, messenger)], PostgresLeaderLock(b.db), clock=clock, retry_seconds=0.05
        )
        for b in (first, second)
    ]
    try:
        for runner in runners:
            runner.start()
        await asyncio.wait_for(runners[0].leading.wait(), 5)
        await asyncio.sleep(0.3)
        assert not runners[1].leading.is_set(), "the second scheduler waits for the lock"
        await runners[0].stop()
        await asyncio.wait_for(runners[1].leading.wait(), 5)  # and takes over
    finally:
        for runner in runners:
            await runner.stop()
        await first_db.dispose()
        await second_db.dispose()
    assert len(messenger.questions()) == 1
