"""``digest`` / ``overzicht`` in chat, through the console: coordinators get this
week's digest so far privately, with the pictures; anyone else is refused."""

from __future__ import annotations

import re

from adapters.console import ConsoleSession
from bot.commands import Parsed, ShowDigest, parse
from bot.demo.school import load_demo
from bot.events import ChannelRef, InboundMessage, PersonRef, SchoolRef
from storage import Database
from tests.conftest import NOW
from tests.helpers import run_script


def test_the_words_in_english_and_dutch() -> None:
    def command(text: str) -> Parsed:
        school = SchoolRef(platform="console", tenant_id="t", name="t")
        event = InboundMessage(
            school=school,
            event_id="e1",
            message_id="1",
            author=PersonRef(user_id="u", display_name="U"),
            channel=ChannelRef(channel_id="dm", is_direct=True),
            text=text,
            sent_at=NOW,
        )
        return parse(event)

    assert command("digest").command == ShowDigest()
    assert command("Overzicht").command == ShowDigest()
    assert command("overzicht").language == "nl"


async def test_a_coordinator_gets_the_digest_and_a_teacher_does_not(
    console: ConsoleSession, db: Database
) -> None:
    await load_demo(db, now=NOW, tenant_id="test")
    out = await run_script(console, "/as noor\nlanguage en\ndigest")
    assert "WEEKLY PLG DIGEST: DEMO COLLEGE, WEEK 2026-W47" in out
    assert "of 40 staff" in out and "Anouk de Vries: super-sharer" in out
    assert "[PLG network: " in out and "[Knowledge types: " in out
    out = await run_script(console, "/as anouk\noverzicht")
    assert "Alleen coördinatoren en schoolleiders krijgen het overzicht." in out
    assert "PLG-OVERZICHT" not in out


async def test_the_week_so_far_is_compared_with_the_same_part_of_last_week(
    console: ConsoleSession, db: Database
) -> None:
    # NOW is a Friday: this week's five days are set against last week's five, not seven.
    await load_demo(db, now=NOW, tenant_id="test")
    dutch = await run_script(console, "/as noor\noverzicht")
    assert "spraken deze week over een PLG" in dutch
    opening = next(line for line in dutch.splitlines() if "spraken deze week" in line)
    assert re.search(r"dan vorige week op hetzelfde moment \(\d+%\)\.$", opening), opening
    english = await run_script(console, "/as noor\nlanguage en\ndigest")
    opening = next(line for line in english.splitlines() if "talked about a PLG" in line)
    assert re.search(r"from \d+% at this point last week\.$", opening), opening
