"""A Bot Connector too slow for Teams' patience: Teams gives a bot about 15 seconds to
answer an activity, and the reply to it goes out through the connector. When the
connector takes longer, the activity is answered 200 anyway (what it stored is
stored), the reply follows once the connector takes it, and Teams delivering the
activity again meanwhile changes nothing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from adapters.server import AppContext
from adapters.settings import Settings
from adapters.teams import TeamsApp
from bot.clock import FixedClock
from bot.ports import Messengers
from bot.service import Bot
from scheduler.rounds import RoundJobs
from storage.models import Occurrence, QuestionRound, RoundPost
from tests.helpers import edges
from tests.teams.conftest import ANOUK, BRAM, CHANTAL, NOW, Teams, message

# How long the test lets handling run before the endpoint answers (10 s in production)
# and how long the fake connector then sits on the reply.
ANSWER_WITHIN = 0.5
CONNECTOR_DELAY = 3.0


async def test_a_slow_connector_does_not_keep_teams_waiting_and_replies_once(
    make_teams: Callable[..., Any],
) -> None:
    async with make_teams(teams_answer_within_seconds=ANSWER_WITHIN) as teams:
        await _slow_connector_replies_once(teams)


async def _slow_connector_replies_once(teams: Teams) -> None:
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


# Scheduled posts through the Bot Connector.

PLG_CHANNEL = "19:plgdata@thread.tacv2"
ANOUK_CHAT = "a:1anouk-personal"


async def _say(teams: Teams, text: str, *, channel: bool, activity_id: str) -> None:
    if channel:
        activity = message(
            f"<at>plgbot</at> {text}",
            author=ANOUK,
            conversation_id=f"{PLG_CHANNEL};messageid={activity_id}",
            activity_id=activity_id,
        )
    else:
        activity = message(
            text,
            author=ANOUK,
            conversation_id=ANOUK_CHAT,
            activity_id=activity_id,
            kind="personal",
            bot_mentioned=False,
        )
    response = await teams.post(activity)
    assert response.status_code == 200, response.text


async def test_a_round_posted_while_the_connector_fails_is_posted_once_it_is_back(
    teams: Teams,
) -> None:
    await _say(
        teams, "plg nieuw Datateam havo-3 focus zittenblijven", channel=False, activity_id="1"
    )
    await _say(teams, "plg koppel Datateam havo-3", channel=True, activity_id="2")
    await _say(
        teams,
        "ronde nieuw Datateam havo-3 | Wat werkt bij havo-3? | nu",
        channel=True,
        activity_id="3",
    )
    async with teams.db.session() as session:
        round_id = await session.scalar(select(QuestionRound.id))
    assert round_id is not None, [c.card_text for c in teams.connector.sent]
    teams.connector.clear()
    answered_before = teams.connector.answered

    clock = FixedClock(NOW)
    settings = Settings.model_validate({"database_url": teams.db.url, "teams_local_mode": True})
    bot = Bot(teams.db, clock=clock)
    messengers = Messengers()
    messengers.register("teams", TeamsApp(AppContext(settings, bot, teams.db)).messenger)
    jobs = RoundJobs(bot, messengers)

    teams.connector.fail_with = 503
    for minutes in (0, 1, 3):
        clock.advance(timedelta(minutes=minutes) - (clock.now() - NOW))
        await jobs.run_due(str(round_id), clock.now())
    # Tried at once and after the lease; nothing delivered, nothing confirmed.
    assert len(teams.connector.sent) == 2
    async with teams.db.session() as session:
        claims = (await session.scalars(select(Occurrence))).all()
    assert [c.done_at for c in claims] == [None]

    teams.connector.fail_with = None
    for minutes in (6, 9):
        clock.advance(timedelta(minutes=minutes) - (clock.now() - NOW))
        await jobs.run_due(str(round_id), clock.now())
    delivered = [c for c in teams.connector.sent if "Wat werkt bij havo-3?" in c.card_text]
    assert len(delivered) == 3  # two refused, one accepted
    assert teams.connector.answered - answered_before == 3
    async with teams.db.session() as session:
        [claim] = (await session.scalars(select(Occurrence))).all()
        posts = (await session.scalars(select(RoundPost.platform_message_id))).all()
    assert claim.outcome == "done" and claim.result == posts[0]
