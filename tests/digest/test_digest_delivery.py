"""The weekly digest job: Monday 07:30 school time to each coordinator privately (in
their own language) or to the coordinators' channel, with both pictures as files,
exactly once per week whatever restarts happen, a board digest for schools of a board,
and nothing when switched off or too late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.clock import FixedClock
from bot.messages import File
from bot.ports import Messengers
from bot.service import Bot
from scheduler.digests import DigestJobs, reported_week
from storage import digest_history as history
from storage.models import Occurrence, Person, School
from storage.school_settings import set_school_config
from tests.digest.conftest import STAFF
from tests.digest.conftest import School as HandMade
from tests.rounds.harness import RecordingMessenger

# Monday 23 November 2026, 07:30 in Amsterdam.
MONDAY = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)


def _jobs(school: HandMade, messenger: RecordingMessenger) -> DigestJobs:
    messengers = Messengers()
    messengers.register("console", messenger)
    return DigestJobs(Bot(school.db, clock=FixedClock(MONDAY)), messengers)


async def _english(school: HandMade, handle: str) -> None:
    async with school.db.session() as session:
        await session.execute(
            update(Person).where(Person.id == school.ids[handle]).values(language="en")
        )


async def test_each_coordinator_gets_it_once_in_their_language_across_restarts(
    school: HandMade,
) -> None:
    await _english(school, "co")
    messenger = RecordingMessenger()
    jobs = _jobs(school, messenger)
    [schedule] = await jobs.schedules()
    assert schedule.key == str(school.school_id)
    fire = schedule.trigger.get_next_fire_time(None, MONDAY - timedelta(days=3))
    assert fire == MONDAY

    await jobs.run_due(schedule.key, MONDAY)
    # Coordinators: Bart Coenen (the school's Dutch) and Corinne Olsthoorn (English).
    assert [user for user, _ in messenger.private] == ["bc", "co"]
    dutch, english = (m for _, m in messenger.private)
    assert dutch.plain_text.startswith("Wekelijks PLG-overzicht: hand, week 2026-W47")
    assert "9 van de 16 medewerkers (56%)" in dutch.plain_text
    assert english.plain_text.startswith("Weekly PLG digest: hand, week 2026-W47")
    for message in (dutch, english):
        files = [b for b in message.blocks if isinstance(b, File)]
        assert [f.name for f in files] == ["network-2026-W47.png", "trend-2026-W47.png"]
        assert all(f.media_type == "image/png" and len(f.content) > 10_000 for f in files)

    # The same run again, and a restarted scheduler later that morning: nothing new.
    await jobs.run_due(schedule.key, MONDAY)
    await _jobs(school, messenger).run_due(schedule.key, MONDAY + timedelta(hours=2))
    assert len(messenger.private) == 2
    async with school.db.session() as session:
        assert [w.week for w in await history.history(session, school.school_id)] == ["2026-W47"]
    # Erasing a coordinator takes the claims that name them with it.
    async with school.db.session() as session:
        await history.forget_person(session, school.ids["co"])
    async with school.db.session() as session:
        keys = set(await session.scalars(select(Occurrence.key)))
    assert keys == {f"{school.school_id}:2026-W47:p{school.ids['bc']}"}

    # Next Monday: next week's digest.
    await jobs.run_due(schedule.key, MONDAY + timedelta(weeks=1))
    assert len(messenger.private) == 4
    assert "week 2026-W48" in messenger.private[2][1].plain_text


async def test_a_failed_send_is_retried_and_then_sent_once(school: HandMade) -> None:
    down = RecordingMessenger(failing=True)
    await _jobs(school, down).run_due(str(school.school_id), MONDAY)
    assert down.private == []
    up = RecordingMessenger()
    # After the claim's lease has run out, the next run sends; a run after that does not.
    await _jobs(school, up).run_due(str(school.school_id), MONDAY + timedelta(minutes=5))
    await _jobs(school, up).run_due(str(school.school_id), MONDAY + timedelta(minutes=10))
    assert [user for user, _ in up.private] == ["bc", "co"]


async def test_to_the_coordinators_channel_when_one_is_set(school: HandMade) -> None:
    async with school.db.session() as session:
        await set_school_config(
            session, school.school_id, {"digest_channel": "C0DIGEST", "aggregate_only": "on"}
        )
    messenger = RecordingMessenger()
    await _jobs(school, messenger).run_due(str(school.school_id), MONDAY)
    assert messenger.private == []
    [(channel, thread, message)] = messenger.posts
    assert (channel, thread) == ("C0DIGEST", None)
    assert "(alleen-totalen)" in message.plain_text
    for name, _, _ in STAFF.values():
        assert name not in message.plain_text


async def test_off_late_or_another_time(school: HandMade) -> None:
    messenger = RecordingMessenger()
    jobs = _jobs(school, messenger)
    # More than two days late: nothing (next week's run will send).
    await jobs.run_due(str(school.school_id), MONDAY + timedelta(days=2, minutes=1))
    assert messenger.private == []
    async with school.db.session() as session:
        await set_school_config(session, school.school_id, {"digest_at": "fri 16:00"})
    [schedule] = await jobs.schedules()
    friday = schedule.trigger.get_next_fire_time(None, MONDAY)
    assert friday == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    async with school.db.session() as session:
        found = await session.get(School, school.school_id)
        assert found is not None
        # On a Friday the digest is about the week so far.
        assert str(reported_week(friday, found)) == "2026-W48"
        await set_school_config(session, school.school_id, {"digest": "off"})
    assert await jobs.schedules() == []
    await jobs.run_due(str(school.school_id), MONDAY)
    assert messenger.private == []


async def test_schools_of_a_board_also_get_the_board_digest(school: HandMade) -> None:
    other = HandMade(school.db, "tweede")
    await other.add_staff({"xa": ("Xander Aaij", "coordinator", None)})
    async with school.db.session() as session:
        await session.execute(
            update(School)
            .where(School.id.in_([school.school_id, other.school_id]))
            .values(board="Stichting Voorbeeld")
        )
    messenger = RecordingMessenger()
    await _jobs(school, messenger).run_due(str(school.school_id), MONDAY)
    await _jobs(school, messenger).run_due(str(other.school_id), MONDAY)
    received = [(user, m.plain_text.splitlines()[0]) for user, m in messenger.private]
    dates = "week 2026-W47 (16-11-2026 t/m 22-11-2026)"
    hand, tweede = (f"Wekelijks PLG-overzicht: {name}, {dates}" for name in ("hand", "tweede"))
    board = f"Wekelijks PLG-overzicht: Stichting Voorbeeld, {dates}"
    assert received == [
        ("bc", hand),
        ("co", hand),
        ("bc", board),
        ("co", board),
        ("xa", tweede),
        ("xa", board),
    ]
    text = messenger.private[2][1].plain_text
    assert (
        "9 van de 17 medewerkers (53%) spraken deze week over een PLG, meer dan vorige week (35%)."
        in text
    )
    assert "hand: 9 van de 16 medewerkers (56%), 5 nieuwe contacten, wederkerigheid 25%" in text
    assert "tweede: deze week niets vastgelegd" in text
