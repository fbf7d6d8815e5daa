"""What the round tests share: a school with a PLG, a recording messenger, the jobs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from adapters.console import ConsoleSession
from bot.events import SchoolRef
from bot.knowledge.types import KnowledgeType
from bot.messages import Actions, OutboundMessage
from bot.ports import Messengers
from bot.service import Bot
from scheduler.rounds import RoundJobs
from storage import Database, directory
from storage import rounds as round_store
from storage.models import Person, RoundOccurrence
from tests.helpers import run_script

# Friday 2026-11-20 11:00 in Amsterdam (the conftest clock). Anouk leads the data team;
# its channel is #datateam; #staffroom is where the whole staff reads.
SETUP = """
/as Anouk de Vries
/as Bram Jansen
/as Chantal Bakker
/as Dirk Visser
/as Eva Smit
/as anouk
language en
plg new Datateam havo-3 focus Many havo-3 pupils repeat the year
plg link Datateam havo-3 #datateam
plg meeting Datateam havo-3 2026-12-03
/in #staffroom
Good morning all
/dm
/as bram
language en
/as chantal
language en
/as dirk
/as eva
"""

WEEKLY = (
    "round new Datateam havo-3 | Relatively many havo-3 pupils repeat the year. "
    "What could be causes? | #staffroom | weekly monday 08:00 | closes friday 17:00"
)

PROFILES = {
    "anouk": ("plg_lead", "Mathematics"),
    "bram": ("teacher", "Mathematics"),
    "chantal": ("teacher", "Dutch"),
    "dirk": ("team_leader", "Science"),
    "eva": ("teacher", "Dutch"),
}


async def school(console: ConsoleSession, db: Database) -> str:
    """Run SETUP and give everyone a role and a department."""
    out = await run_script(console, SETUP)
    async with db.session() as session:
        for handle, (role, department) in PROFILES.items():
            await session.execute(
                update(Person)
                .where(Person.platform_user_id == handle)
                .values(role=role, department=department)
            )
    return out


def post_number(out: str, channel: str = "staffroom") -> int:
    """The console number of the last message plgbot posted in ``#channel``."""
    found = re.findall(rf"^\[(\d+)\] #{channel} plgbot:", out, flags=re.MULTILINE)
    assert found, out
    return int(found[-1])


async def person_id(db: Database, handle: str) -> int:
    async with db.session() as session:
        found = await session.scalar(select(Person.id).where(Person.platform_user_id == handle))
    assert found is not None
    return found


@dataclass
class RecordingMessenger:
    """A messenger that records posts. With ``honours_keys`` it behaves like a platform
    that can find an earlier post by key; ``failing`` makes every send raise."""

    honours_keys: bool = True
    failing: bool = False
    posts: list[tuple[str, str | None, OutboundMessage]] = field(default_factory=list)
    private: list[tuple[str, OutboundMessage]] = field(default_factory=list)
    by_key: dict[str, str] = field(default_factory=dict)

    async def post_to_channel(
        self,
        *,
        school: SchoolRef,
        channel_id: str,
        message: OutboundMessage,
        thread_id: str | None = None,
        key: str | None = None,
    ) -> str:
        if self.failing:
            raise ConnectionError("platform down")
        if self.honours_keys and key in self.by_key:
            return self.by_key[key]
        self.posts.append((channel_id, thread_id, message))
        message_id = f"m{len(self.posts)}"
        if key is not None:
            self.by_key[key] = message_id
        return message_id

    async def send_private(
        self, *, school: SchoolRef, user_id: str, message: OutboundMessage
    ) -> str:
        if self.failing:
            raise ConnectionError("platform down")
        self.private.append((user_id, message))
        return f"d{len(self.private)}"

    @property
    def finds_posts(self) -> bool:
        return self.honours_keys

    def questions(self) -> list[str]:
        """The posted questions: the posts with a Reply button."""
        return [
            m.plain_text
            for _, _, m in self.posts
            if any(isinstance(block, Actions) for block in m.blocks)
        ]


def round_jobs(bot: Bot, messenger: RecordingMessenger, **options: object) -> RoundJobs:
    messengers = Messengers()
    messengers.register("console", messenger)
    return RoundJobs(bot, messengers, **options)  # type: ignore[arg-type]


def long_reply(n: int, sentences: int = 1) -> str:
    """A reply as teachers write them, each one told apart by its number n."""
    return f"Antwoord {n:03d}: " + " ".join(
        "Leerlingen plannen hun huiswerk niet en haken af als de stof na de "
        "herfstvakantie lastiger wordt; meer begeleiding in de les helpt."
        for _ in range(sentences)
    )


def long_reply_numbers(shown: str) -> list[int]:
    """The numbers of the long replies in what was shown, in order, repeats kept."""
    return [int(n) for n in re.findall(r"Antwoord (\d{3}):", shown)]


async def many_replies(db: Database, count: int, *, at: datetime, sentences: int = 1) -> None:
    """``count`` colleagues answered the round's open occurrence, stored as the reply
    command stores them (half of them about the approach, half about results)."""
    async with db.session() as session:
        occurrence = await session.scalar(
            select(RoundOccurrence).order_by(RoundOccurrence.id.desc())
        )
        assert occurrence is not None
        school_id = await session.scalar(select(Person.school_id).order_by(Person.id).limit(1))
        assert school_id is not None
        for n in range(1, count + 1):
            person = await directory.ensure_person(
                session,
                school_id=school_id,
                platform_user_id=f"many-{n:06d}",
                display_name=f"Docent {n:03d}",
                now=at,
            )
            kind = KnowledgeType.PROCESS if n % 2 else KnowledgeType.OUTCOMES
            await round_store.add_reply(
                session,
                occurrence=occurrence,
                author_id=person.id,
                text=long_reply(n, sentences),
                knowledge=kind.value,
                now=at + timedelta(minutes=n),
            )
