"""A school where Bram has done a bit of everything plgbot stores: conversations both
ways (commands, a channel mention, a thread reply), a named round reply, a survey
answer, a stopped and a sent nudge, a private chat address, a data export. Driven
through the console (the real core, scheduler jobs and database) except the two rows
no console path makes quickly: a sent nudge and a Teams-style private chat address."""

from __future__ import annotations

import re
from datetime import timedelta

from adapters.console import ConsoleSession
from bot.knowledge.types import KnowledgeType
from storage import Database, directory
from storage.conversations import remember_conversation
from storage.nudges import record_nudge
from tests.helpers import run_script
from tests.rounds.harness import WEEKLY, post_number, school

# Words that only appear in the text of ordinary conversations: never stored.
SECRET = "Zwartkopmees"

CONVERSATIONS = f"""
/as anouk
told @bram what the data team looked at: why pupils repeat the year {SECRET} #focus
/as bram
heard from @chantal how the data team checks hypotheses #process
discussed @dirk the havo-3 results #results
/as chantal
told @dirk about our approach #process
/as dirk
told @eva what the data team found #results
/as eva
discussed @anouk the benefits of working this way #benefits
"""


async def build(console: ConsoleSession, db: Database) -> None:
    """The school of tests.rounds.harness, a week of activity, then the survey."""
    await school(console, db)
    await run_script(console, CONVERSATIONS)
    # A channel post by Bram mentioning Eva, and Eva's reply in its thread.
    out = await run_script(console, f"/as bram\n/in #datateam\n@eva do you see this too? {SECRET}")
    post = int(re.findall(r"^\[(\d+)\] #datateam bram:", out, re.M)[-1])
    await run_script(console, f"/as eva\n/reply {post} yes, in my class too #results\n/dm")
    # A named whiteboard round; Bram and Chantal answer it.
    await run_script(console, f"/as anouk\n/dm\n{WEEKLY}")
    n = post_number(await run_script(console, "/wait 3d"))
    await run_script(
        console,
        f"/as bram\nanswer 1 Homework is rarely checked #focus\n"
        f"/as chantal\n/reply {n} Motivation drops after the autumn holiday",
    )
    # The monthly survey (Monday 7 December): Bram names Chantal.
    out = await run_script(console, "/wait 14d")
    invite = int(re.findall(r"^\[(\d+)\] dm @bram plgbot", out, re.M)[-1])
    await run_script(console, f"/as bram\n/press {invite}.1 @chantal\nstop tips")
    async with db.session() as session:
        found = await directory.find_school(session, "test")
        assert found is not None
        bram = await directory.find_person(session, found.id, "bram")
        assert bram is not None
        now = console.clock.now()
        await record_nudge(
            session,
            school_id=found.id,
            person_id=bram.id,
            week_start=now - timedelta(days=7),
            sent_at=now - timedelta(days=7),
            missing=(KnowledgeType.PROCESS | KnowledgeType.BENEFITS).value,
            plg_id=None,
            message_id="nudge-message-1",
        )
        await remember_conversation(
            session,
            school_id=found.id,
            conversation_id="a:private-chat-of-bram",
            kind="personal",
            reference={"user": {"id": "bram", "name": "Bram Jansen"}},
            now=now,
            person_id=bram.id,
        )


async def person(db: Database, handle: str) -> tuple[int, int]:
    """(school id, person id) of ``handle`` in the test school."""
    async with db.session() as session:
        found = await directory.find_school(session, "test")
        assert found is not None
        someone = await directory.find_person(session, found.id, handle)
        assert someone is not None
        return found.id, someone.id
