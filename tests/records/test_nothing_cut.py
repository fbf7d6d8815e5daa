"""Nothing cut: an agenda of 200 replies, in the console with the real core, scheduler
jobs and database, shows every reply once, in the PLG's channel (Dutch, the school's
language) and in the lead's DM (English, her choice). Slack and Teams split the same
agenda over messages in a thread (tests/slack/test_long_messages.py,
tests/teams/test_long_messages.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from adapters.console import ConsoleSession
from storage import Database
from tests.helpers import run_script
from tests.rounds.harness import WEEKLY, long_reply_numbers, many_replies, school

REPLIES = 200


def message_of(out: str, start: str) -> str:
    """The console message that starts with ``start`` (up to the next one)."""
    at = out.index(start)
    after = re.search(r"^(\[\d+\] |… it is now)", out[at + len(start) :], flags=re.MULTILINE)
    return out[at : at + len(start) + after.start()] if after else out[at:]


async def test_a_200_reply_agenda_shows_every_reply_once(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    await run_script(console, f"/as anouk\n{WEEKLY}\n/wait 3d")
    await many_replies(db, REPLIES, at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC))

    out = await run_script(console, "/wait 5d")
    channel = message_of(out, "#datateam plgbot: AGENDA PLG-BIJEENKOMST DATATEAM HAVO-3")
    lead = message_of(out, "dm @anouk plgbot: MEETING AGENDA DATATEAM HAVO-3")
    for agenda in (channel, lead):
        assert sorted(long_reply_numbers(agenda)) == list(range(1, REPLIES + 1))
        assert "…" not in agenda
    assert "Antwoorden            200 (collega's: 200)" in channel
    assert "Replies       200 (colleagues: 200)" in lead

    asked = await run_script(console, "/as anouk\nround agenda 1")
    assert sorted(long_reply_numbers(asked)) == list(range(1, REPLIES + 1))
