"""Test data the chat cannot make in one step: a posted question round with replies, a
second school whose people have tell-tale names."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.demo.school import load_demo
from storage import Database, directory
from storage import rounds as store
from storage.models import Person, QuestionRound
from tests.conftest import NOW

OTHER_PREFIX = "Zzother"


async def posted_round(
    db: Database, *, tenant: str, question: str, replies: dict[str, str]
) -> tuple[int, int]:
    """A round of the school's first PLG, posted a day ago, with replies by handle;
    returns (round id, occurrence id)."""
    async with db.session() as session:
        school = await directory.find_school(session, tenant)
        assert school is not None
        plg = (await directory.plgs_of_school(session, school.id))[0]
        question_round = QuestionRound(
            school_id=school.id,
            plg_id=plg.id,
            question=question,
            channel_ids=[],
            recurrence="once",
            starts_at=NOW - timedelta(days=1),
            closes_at=NOW + timedelta(days=2),
            anonymous=False,
            status="scheduled",
            created_at=NOW - timedelta(days=2),
        )
        session.add(question_round)
        await session.flush()
        occurrence = await store.ensure_occurrence(
            session,
            round_id=question_round.id,
            due_at=NOW - timedelta(days=1),
            halfway_at=NOW,
            closes_at=NOW + timedelta(days=2),
            question=question,
        )
        for handle, text in replies.items():
            person = await directory.find_person(session, school.id, handle)
            assert person is not None
            await store.add_reply(
                session,
                occurrence=occurrence,
                author_id=person.id,
                text=text,
                knowledge=0,
                now=NOW - timedelta(hours=3),
            )
        return question_round.id, occurrence.id


async def other_school(db: Database) -> int:
    """A second demo school ("other"), everyone's name starting with OTHER_PREFIX."""
    await load_demo(db, now=NOW, tenant_id="other")
    async with db.session() as session:
        school = await directory.find_school(session, "other")
        assert school is not None
        await session.execute(
            update(Person)
            .where(Person.school_id == school.id)
            .values(display_name=OTHER_PREFIX + " " + Person.display_name)
        )
        return school.id
