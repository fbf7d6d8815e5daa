"""Applying a roster to a real database: matching by platform id, e-mail and name;
adding, updating, leavers and returners; ambiguities left alone; a dry run that changes
nothing; adoption of roster entries by e-mail; and participation counted against the
roster from the day someone is on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage import Database, directory
from storage.digests import participation_groups
from storage.interactions import NewInteraction, record_interactions, ties_in_window
from storage.models import Person, School
from storage.roster import RosterEntry, apply_roster

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=60)


async def _school(db: Database) -> int:
    async with db.session() as session:
        school = await directory.ensure_school(
            session, platform="slack", tenant_id="T1", name="Het Baken", now=NOW
        )
        return school.id


async def _people(db: Database, school_id: int) -> dict[str, Person]:
    async with db.session() as session:
        rows = await session.scalars(select(Person).where(Person.school_id == school_id))
        return {p.display_name: p for p in rows}


async def _staff(db: Database, school_id: int, until: datetime) -> tuple[int, int]:
    async with db.session() as session:
        groups = await participation_groups(
            session, school_id, since=until - timedelta(days=7), until=until
        )
    return sum(g.staff for g in groups), sum(g.active for g in groups)


ROSTER = [
    RosterEntry(1, "Anouk de Vries", "anouk@baken.nl", role="plg_lead", department="Wiskunde"),
    RosterEntry(2, "Bram Jansen", "bram@baken.nl", role="teacher", department="Wiskunde"),
    RosterEntry(3, "Chantal Bakker", "chantal@baken.nl", role="team_leader", career_start=2004),
]


async def test_an_empty_workspace_gets_its_staff_from_the_roster(db: Database) -> None:
    school_id = await _school(db)
    async with db.session() as session:
        report = await apply_roster(session, school_id=school_id, entries=ROSTER, now=NOW)
    assert [c.name for c in report.added] == ["Anouk de Vries", "Bram Jansen", "Chantal Bakker"]
    people = await _people(db, school_id)
    chantal = people["Chantal Bakker"]
    assert (chantal.role, chantal.career_start, chantal.email) == (
        "team_leader",
        2004,
        "chantal@baken.nl",
    )
    assert chantal.platform_user_id == "roster:chantal@baken.nl"
    assert chantal.handle == "chantal"
    assert await _staff(db, school_id, NOW + timedelta(days=1)) == (3, 0)
    # Not staff before the day they were put on the roster.
    assert await _staff(db, school_id, NOW - timedelta(days=1)) == (0, 0)


async def test_the_roster_replaces_whoever_talked_to_the_bot_as_the_staff(db: Database) -> None:
    school_id = await _school(db)
    async with db.session() as session:
        for user_id, name in (("U1", "Anouk de Vries"), ("U9", "Onbekende Gast")):
            await directory.ensure_person(
                session, school_id=school_id, platform_user_id=user_id, display_name=name, now=NOW
            )
    # Before there is a roster: everyone plgbot knows (the digest says so).
    assert await _staff(db, school_id, NOW + timedelta(days=1)) == (2, 0)
    async with db.session() as session:
        report = await apply_roster(session, school_id=school_id, entries=ROSTER, now=NOW)
    # Anouk matched by name (no e-mail known yet), and now has one.
    assert [c.name for c in report.updated] == ["Anouk de Vries"]
    assert "email" in report.updated[0].fields
    assert report.not_on_roster == ["Onbekende Gast"]
    assert await _staff(db, school_id, NOW + timedelta(days=1)) == (3, 0)


async def test_a_reimport_marks_leavers_and_they_drop_out_of_everything_current(
    db: Database,
) -> None:
    school_id = await _school(db)
    async with db.session() as session:
        await apply_roster(session, school_id=school_id, entries=ROSTER, now=NOW)
    people = await _people(db, school_id)
    anouk, bram, chantal = (
        people[n].id for n in ("Anouk de Vries", "Bram Jansen", "Chantal Bakker")
    )
    async with db.session() as session:
        await record_interactions(
            session,
            [
                NewInteraction(school_id, anouk, bram, "told", 0, NOW + timedelta(days=1)),
                NewInteraction(school_id, chantal, anouk, "told", 0, NOW + timedelta(days=1)),
            ],
        )
    async with db.session() as session:
        report = await apply_roster(session, school_id=school_id, entries=ROSTER[:2], now=LATER)
    assert [c.name for c in report.left] == ["Chantal Bakker"]
    assert report.unchanged == 2
    async with db.session() as session:
        ties = await ties_in_window(
            session, school_id=school_id, since=NOW, until=NOW + timedelta(days=2)
        )
        reachable = {p.display_name for p in await directory.reachable_people(session, school_id)}
        groups = await participation_groups(
            session, school_id, since=NOW, until=NOW + timedelta(days=2)
        )
    # Their past stays stored (retention), but counts nowhere current.
    assert [(t.source_id, t.target_id) for t in ties] == [(anouk, bram)]
    assert reachable == {"Anouk de Vries", "Bram Jansen"}
    assert (sum(g.staff for g in groups), sum(g.active for g in groups)) == (2, 2)
    # Back on a later roster: back in.
    async with db.session() as session:
        report = await apply_roster(session, school_id=school_id, entries=ROSTER, now=LATER)
    assert [c.name for c in report.returned] == ["Chantal Bakker"]
    assert (await _people(db, school_id))["Chantal Bakker"].left_at is None


async def test_a_partial_roster_adds_and_updates_but_marks_no_leavers(db: Database) -> None:
    school_id = await _school(db)
    async with db.session() as session:
        await apply_roster(session, school_id=school_id, entries=ROSTER, now=NOW)
    change = [
        RosterEntry(1, "Bram Jansen", "bram@baken.nl", role="team_leader", department="Bovenbouw")
    ]
    async with db.session() as session:
        report = await apply_roster(
            session, school_id=school_id, entries=change, now=LATER, complete=False
        )
    assert report.left == []
    assert [(c.name, c.fields) for c in report.updated] == [("Bram Jansen", ("role", "department"))]


async def test_what_fits_two_people_is_reported_and_left_alone(db: Database) -> None:
    school_id = await _school(db)
    async with db.session() as session:
        for user_id in ("U1", "U2"):
            await directory.ensure_person(
                session,
                school_id=school_id,
                platform_user_id=user_id,
                display_name="Sanne Mulder",
                now=NOW,
            )
        report = await apply_roster(
            session,
            school_id=school_id,
            entries=[
                RosterEntry(1, "Sanne Mulder", "sanne@baken.nl", role="plg_lead"),
                RosterEntry(2, "Bram Jansen", "bram@baken.nl", platform_id="U7"),
                RosterEntry(3, "B. Jansen", "bram@baken.nl"),
            ],
            now=NOW,
        )
    assert report.ambiguous[0].startswith("Sanne Mulder: Sanne Mulder, Sanne Mulder")
    assert any("twice in the roster" in a for a in report.ambiguous)
    people = await _people(db, school_id)
    assert people["Sanne Mulder"].role == "teacher"
    assert people["Sanne Mulder"].email is None


async def test_a_dry_run_reports_the_same_and_changes_nothing(db: Database) -> None:
    school_id = await _school(db)
    async with db.session() as session:
        await apply_roster(session, school_id=school_id, entries=ROSTER[:2], now=NOW)
    before = {n: (p.role, p.left_at) for n, p in (await _people(db, school_id)).items()}
    new = [ROSTER[0], ROSTER[2], RosterEntry(4, "Dirk Visser", "dirk@baken.nl")]
    async with db.session() as session:
        dry = await apply_roster(session, school_id=school_id, entries=new, now=LATER, dry_run=True)
    assert dry.dry_run
    assert {n: (p.role, p.left_at) for n, p in (await _people(db, school_id)).items()} == before
    async with db.session() as session:
        real = await apply_roster(session, school_id=school_id, entries=new, now=LATER)
    assert (
        [c.name for c in dry.added]
        == [c.name for c in real.added]
        == [
            "Chantal Bakker",
            "Dirk Visser",
        ]
    )
    assert [c.name for c in dry.left] == [c.name for c in real.left] == ["Bram Jansen"]


async def test_someone_on_the_roster_is_adopted_when_their_platform_profile_arrives(
    db: Database,
) -> None:
    school_id = await _school(db)
    async with db.session() as session:
        await apply_roster(session, school_id=school_id, entries=ROSTER, now=NOW)
    roster_id = (await _people(db, school_id))["Bram Jansen"].id
    async with db.session() as session:
        person = await directory.update_profile(
            session,
            school_id=school_id,
            platform_user_id="U0BRAM",
            display_name="Bram Jansen",
            locale="nl-NL",
            now=NOW,
            email="bram@baken.nl",
        )
        assert person.id == roster_id
    async with db.session() as session:
        found = await directory.ensure_person(
            session, school_id=school_id, platform_user_id="U0BRAM", display_name=None, now=NOW
        )
    assert (found.id, found.role, found.department) == (roster_id, "teacher", "Wiskunde")


async def test_an_hr_docent_does_not_undo_a_role_given_in_plgbot(db: Database) -> None:
    school_id = await _school(db)
    async with db.session() as session:
        await apply_roster(session, school_id=school_id, entries=ROSTER, now=NOW)
        anouk = await directory.person_by_email(session, school_id, "anouk@baken.nl")
        assert anouk is not None
        anouk.role = "coordinator"
    again = [RosterEntry(1, "Anouk de Vries", "anouk@baken.nl", role="teacher"), *ROSTER[1:]]
    async with db.session() as session:
        report = await apply_roster(session, school_id=school_id, entries=again, now=LATER)
    assert report.unchanged == 3
    assert (await _people(db, school_id))["Anouk de Vries"].role == "coordinator"


async def test_schools_do_not_see_each_others_roster(db: Database) -> None:
    first = await _school(db)
    async with db.session() as session:
        other = await directory.ensure_school(
            session, platform="slack", tenant_id="T2", name="De Ander", now=NOW
        )
        await apply_roster(session, school_id=first, entries=ROSTER, now=NOW)
        report = await apply_roster(session, school_id=other.id, entries=ROSTER[:1], now=NOW)
        school = await session.get(School, other.id)
        assert school is not None
    assert [c.name for c in report.added] == ["Anouk de Vries"] and report.left == []
