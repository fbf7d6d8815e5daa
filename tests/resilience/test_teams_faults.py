"""A Bot Connector too slow for Teams' patience: Teams gives a bot about 15 seconds to
answer an activity, and the reply to it goes out through the connector. When the
connector takes longer, the activity is answered 200 anyway (what it stored is
stored), the reply follows once the connector takes it, and Teams delivering the
activity again meanwhile changes nothing."""

from __future__ import annotations

import asyncio
import time

import pytest

import adapters.teams.app
from tests.helpers import edges
from tests.teams.conftest import BRAM, CHANTAL, Teams, message

# How long the test lets handling run before the endpoint answers (10 s in production)
# and how long the fake connector then sits on the reply.
ANSWER_WITHIN = 0.5
CONNECTOR_DELAY = 3.0


async def test_a_slow_connector_does_not_keep_teams_waiting_and_replies_once(
    teams: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(adapters.teams.app, "ANSWER_WITHIN", ANSWER_WITHIN)
    teams.connector.delay = CONNECTOR_DELAY
    told = message(
        f"told <at>{BRAM.name}</at> about our #focus",
        author=CHANTAL,
        conversation_id="a:1chantal-personal-conversation",
        activity_id="1763722900001",
        kind="personal",
        bot_mentioned=False,
        mentions=[BRAM],
        locale="en-GB",
    )

    response = await teams.post(told)
    assert response.status_code == 200, response.text
    # Answered while the connector still sat on the reply; the interaction is stored.
    [reply] = teams.connector.sent
    assert teams.connector.answered == 0
    assert await edges(teams.db) == [("29:1chantal", "29:1bram", "told", 1)]

    # Teams, not having seen a quick answer before, may deliver it again.
    again = await teams.post(told)
    assert again.status_code == 200

    deadline = time.monotonic() + 15
    while teams.connector.answered < 1:
        assert time.monotonic() < deadline, "the reply never reached the connector"
        await asyncio.sleep(0.05)
    assert teams.connector.sent == [reply]
    assert "Logged: you told Bram Jansen." in reply.card_text
    assert await edges(teams.db) == [("29:1chantal", "29:1bram", "told", 1)]


async def test_a_quick_connector_is_answered_as_before(teams: Teams) -> None:
    """Within the budget nothing changes: the reply is out when the answer comes."""
    teams.connector.delay = 0.2
    hulp = message(
        "hulp",
        author=CHANTAL,
        conversation_id="a:1chantal-personal-conversation",
        activity_id="1763722900002",
        kind="personal",
        bot_mentioned=False,
    )
    assert (await teams.post(hulp)).status_code == 200
    assert teams.connector.answered == 1 and len(teams.connector.sent) == 1
