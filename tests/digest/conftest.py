"""A hand-made school for the digest tests: 16 staff in known roles and departments,
and interactions, rounds and nudges placed in known ISO weeks.

Week under test: 2026-W47 (Monday 16 to Sunday 22 November, Europe/Amsterdam); the
digest is made on Monday 23 November, 09:00 school time.

Staff (role, department):
  Wiskunde (6): wa wb wc wd teachers, we wf PLG leads
  Talen (5):    ta tb tc teachers, td te PLG leads
  Bèta (3):     ba bb teachers, bc coordinator
  none (2):     co coordinator, su support
So roles: 9 teachers, 4 PLG leads, 2 coordinators, 1 support (the last three are
"other roles": 7); departments: Wiskunde 6, Talen 5, other 5 (Bèta 3 + none 2).

Interactions (one each, 10:00 UTC on the day given):
  W44 (28 Oct): wa→wb results
  W46 (11 Nov): wa→wb results, ta→tb focus, we→co process
  W47 (18 Nov): wa→wb results, wb→wa results, wa→wc results+process, wa→ta focus,
                td→te benefits, te→td organisation, ba→wa results, su→co (no type)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.digest.week import IsoWeek
from bot.knowledge.types import KnowledgeType
from bot.network.interactions import Origin
from storage import Database, directory
from storage import nudges as nudge_store
from storage.interactions import NewInteraction, record_interactions
from storage.models import QuestionRound, RoundOccurrence, RoundReply

WEEK = IsoWeek(2026, 47)
WEEK_START = datetime(2026, 11, 15, 23, 0, tzinfo=UTC)  # Monday 00:00 in Amsterdam
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
W44 = datetime(2026, 10, 28, 10, 0, tzinfo=UTC)
W45 = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
W46 = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)
W47 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)

F, P, R, B, ORG = (
    KnowledgeType.FOCUS,
    KnowledgeType.PROCESS,
    KnowledgeType.OUTCOMES,
    KnowledgeType.BENEFITS,
    KnowledgeType.ORGANISATION,
)
NONE = KnowledgeType.NONE

# handle: (display name, role, department)
STAFF: dict[str, tuple[str, str, str | None]] = {
    "wa": ("Wilma Aalbers", "teacher", "Wiskunde"),
    "wb": ("Wouter Bosman", "teacher", "Wiskunde"),
    "wc": ("Willemijn Claassen", "teacher", "Wiskunde"),
    "wd": ("Wessel Dijkstra", "teacher", "Wiskunde"),
    "we": ("Wendy Eelman", "plg_lead", "Wiskunde"),
    "wf": ("Wiebe Feenstra", "plg_lead", "Wiskunde"),
    "ta": ("Tamara Assink", "teacher", "Talen"),
    "tb": ("Thijs Brouwer", "teacher", "Talen"),
    "tc": ("Tessa Copier", "teacher", "Talen"),
    "td": ("Tobias Dekker", "plg_lead", "Talen"),
    "te": ("Tirza Everts", "plg_lead", "Talen"),
    "ba": ("Bas Arendsen", "teacher", "Bèta"),
    "bb": ("Bregje Bleeker", "teacher", "Bèta"),
    "bc": ("Bart Coenen", "coordinator", "Bèta"),
    "co": ("Corinne Olsthoorn", "coordinator", None),
    "su": ("Suzan Uiterwijk", "support", None),
}

EDGES: list[tuple[datetime, str, str, KnowledgeType]] = [
    (W44, "wa", "wb", R),
    (W46, "wa", "wb", R),
    (W46, "ta", "tb", F),
    (W46, "we", "co", P),
    (W47, "wa", "wb", R),
    (W47, "wb", "wa", R),
    (W47, "wa", "wc", R | P),
    (W47, "wa", "ta", F),
    (W47, "td", "te", B),
    (W47, "te", "td", ORG),
    (W47, "ba", "wa", R),
    (W47, "su", "co", NONE),
]


@dataclass
class School:
    """Handles to ids of a school built straight in storage."""

    db: Database
    tenant: str
    school_id: int = 0
    ids: dict[str, int] = field(default_factory=dict)
    _n: int = 0

    async def add_staff(self, staff: dict[str, tuple[str, str, str | None]]) -> None:
        async with self.db.session() as session:
            school = await directory.ensure_school(
                session, platform="console", tenant_id=self.tenant, name=self.tenant, now=W44
            )
            self.school_id = school.id
            for handle, (name, role, department) in staff.items():
                person = await directory.ensure_person(
                    session,
                    school_id=school.id,
                    platform_user_id=handle,
                    display_name=name,
                    handle=handle,
                    role=role,
                    department=department,
                    now=W44,
                )
                self.ids[handle] = person.id

    async def add_edges(self, edges: list[tuple[datetime, str, str, KnowledgeType]]) -> None:
        rows = []
        for at, source, target, knowledge in edges:
            self._n += 1
            rows.append(
                NewInteraction(
                    school_id=self.school_id,
                    source_id=self.ids[source],
                    target_id=self.ids[target],
                    origin=Origin.TOLD.value,
                    knowledge=knowledge.value,
                    occurred_at=at,
                    message_key=f"{self.tenant}:{self._n}",
                )
            )
        async with self.db.session() as session:
            await record_interactions(session, rows)

    async def add_rounds_and_nudges(self) -> None:
        """Three round postings (a named one and an anonymous one open in W47, one
        closed in W45) and three nudges (sent in W47; sent in W46 and followed in W47;
        sent in W45, never followed)."""
        async with self.db.session() as session:
            plg = await directory.create_plg(
                session,
                school_id=self.school_id,
                name="Datateam havo-3",
                focus="Te veel havo-3 leerlingen blijven zitten",
                kind="data_team",
                now=W44,
            )
            assert plg is not None

            async def posting(
                question: str, anonymous: bool, due: datetime, authors: list[str | None]
            ) -> None:
                round_ = QuestionRound(
                    school_id=self.school_id,
                    plg_id=plg.id,
                    created_by_id=self.ids["td"],
                    question=question,
                    channel_ids=[],
                    recurrence="once",
                    starts_at=due,
                    closes_at=due + timedelta(days=4),
                    anonymous=anonymous,
                    status="done",
                    created_at=W44,
                )
                session.add(round_)
                await session.flush()
                occurrence = RoundOccurrence(
                    round_id=round_.id,
                    due_at=due,
                    halfway_at=due + timedelta(days=2),
                    closes_at=due + timedelta(days=4),
                    question=question,
                    status="closed",
                )
                session.add(occurrence)
                await session.flush()
                for index, author in enumerate(authors):
                    session.add(
                        RoundReply(
                            round_id=round_.id,
                            occurrence_id=occurrence.id,
                            author_id=self.ids[author] if author else None,
                            text=f"antwoord {index}",
                            knowledge=0,
                            created_at=due + timedelta(hours=index + 1),
                        )
                    )

            monday = datetime(2026, 11, 16, 7, 0, tzinfo=UTC)
            await posting("Wat zei Wilma Aalbers over havo-3?", False, monday, ["wa", "wa", "wb"])
            await posting("Wat werkt bij jou?", True, monday, [None, None])
            await posting("Oude vraag?", False, datetime(2026, 11, 2, 7, tzinfo=UTC), ["wc"])

            for person, sent in (("wa", W47), ("wb", W46), ("wc", W45)):
                await nudge_store.record_nudge(
                    session,
                    school_id=self.school_id,
                    person_id=self.ids[person],
                    week_start=sent - timedelta(days=2),
                    sent_at=sent,
                    missing=KnowledgeType.PROCESS.value,
                    plg_id=plg.id,
                    message_id=f"n-{person}",
                )
            nudge = await nudge_store.nudge_of_week(
                session, person_id=self.ids["wb"], week_start=W46 - timedelta(days=2)
            )
            assert nudge is not None
            nudge.followed_at = W47


@pytest.fixture
async def school(any_db: Database) -> School:
    """The hand-made school, on SQLite and on PostgreSQL."""
    built = School(any_db, "hand")
    await built.add_staff(STAFF)
    await built.add_edges(EDGES)
    await built.add_rounds_and_nudges()
    return built
