"""After a PLG's meeting, on Slack: the scheduler's question reaches the lead's DM
through the real Slack messenger, and a tapped date sets the next meeting."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from storage.models import PLG
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import ANOUK, FIXTURE_NOW, Plgbot, Scheduled, button_press, start_plgbot

# Tuesday 25 November 2025, 08:05 in Amsterdam: the morning after a Monday meeting.
ASKED = datetime(2025, 11, 25, 7, 5, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FIXTURE_NOW)


@pytest.fixture
async def plgbot(database_url: str, slack: FakeSlack, clock: FixedClock) -> AsyncIterator[Plgbot]:
    async with start_plgbot(database_url, slack, clock=clock) as bot:
        yield bot


async def test_the_lead_is_asked_in_their_dm_and_a_tap_sets_the_date(
    plgbot: Plgbot, clock: FixedClock
) -> None:
    for n, text in enumerate(
        [
            "plg nieuw Datateam havo-3 focus te veel havo-3-leerlingen blijven zitten",
            "plg overleg Datateam havo-3 2025-11-24",
        ]
    ):
        await plgbot.expect("chat.postMessage", plgbot.dm(text, user=ANOUK, event_id=f"Ev0MT{n}"))
    jobs = Scheduled(plgbot.fake, plgbot.db, clock, kinds=("meeting",))
    try:
        await jobs.until(ASKED)
    finally:
        await jobs.close()
    [question] = [
        c.args
        for c in plgbot.fake.of("chat.postMessage")
        if c.args["channel"] == ANOUK and "is geweest" in c.args["text"]
    ]
    assert (
        "De bijeenkomst van Datateam havo-3 op maandag 24 november 2025 is geweest."
        in question["text"]
    )
    [actions] = [b for b in question["blocks"] if b["type"] == "actions"]
    labels = [e["text"]["text"] for e in actions["elements"]]
    assert labels == [
        "maandag 1 december 2025",
        "maandag 8 december 2025",
        "maandag 15 december 2025",
        "maandag 22 december 2025",
    ]
    assert json.loads(actions["elements"][1]["value"])["a"] == "plg.next_meeting"
    done = await plgbot.expect(
        "response_url",
        plgbot.interactive(
            button_press(
                actions["elements"][1],
                user=ANOUK,
                channel=f"D{ANOUK[1:]}",
                response_url=plgbot.fake.hook_url(),
            )
        ),
    )
    assert "Volgende bijeenkomst van Datateam havo-3: maandag 8 december 2025." in done.args["text"]
    async with plgbot.db.session() as session:
        assert await session.scalar(select(PLG.next_meeting)) == date(2025, 12, 8)
