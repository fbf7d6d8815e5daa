"""The outbox against the fake Slack Web API and a real database: replies kept with
what they confirm survive a Slack outage and a crash; channel posts are found again by
their key (never twice), the rest are claimed before the send (never twice either)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from adapters.slack.replies import Replies, Where
from bot.clock import FixedClock
from bot.messages import OutboundMessage, Paragraph, message, to_record
from storage import Database, outbox
from storage.events import CURRENT_DELIVERY, Processing
from storage.models import Reply
from tests.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.slack.harness import DIRK, FIXTURE_NOW, fixture_json, start_plgbot

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
CHANNEL = "C0PLGDATA1"


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def _kept(
    db: Database, where: Where, reply: OutboundMessage, clock: FixedClock
) -> list[tuple[str, object]]:
    """Keep ``reply`` as the core does, in a transaction for a delivery being processed."""
    delivery = Processing("slack:T0SCHOOL01:Ev0OUTBOX01", reply_to=asdict(where), person=DIRK)
    token = CURRENT_DELIVERY.set(delivery)
    try:
        async with db.session() as session:
            await outbox.keep(session, [(reply, to_record(reply))], clock.now())
    finally:
        CURRENT_DELIVERY.reset(token)
    return delivery.kept


async def _unsent(db: Database) -> list[Reply]:
    async with db.session() as session:
        return list((await session.scalars(select(Reply))).all())


async def test_a_channel_post_whose_process_died_after_slack_took_it_is_not_posted_twice(
    slack: FakeSlack, client: AsyncWebClient, db: Database, clock: FixedClock
) -> None:
    where = Where(channel_id=CHANNEL, user_id=DIRK, is_direct=False)
    reply = message(Paragraph("Halverwege: 4 antwoorden van 3 collega's"))
    [(row, _)] = await _kept(db, where, reply, clock)
    replies = Replies(client, [], db, clock)
    assert replies.findable(asdict(where), reply)
    # The process posted it (marked with the row's id) and died before deleting the row.
    await replies.send_kept(asdict(where), reply, key=row, again=False)
    [posted] = slack.of("chat.postMessage")
    assert posted.args["metadata"]["event_payload"] == {"key": row}

    # Within the lease nobody takes it; after it, the sweep finds the post and stops.
    assert await replies.outbox.sweep() == 0
    clock.advance(timedelta(minutes=1))
    assert await replies.outbox.sweep() == 1
    assert len(slack.of("chat.postMessage")) == 1
    assert len(slack.of("conversations.history")) == 1
    assert await _unsent(db) == []


async def test_a_channel_post_never_sent_is_sent_by_the_sweep(
    slack: FakeSlack, client: AsyncWebClient, db: Database, clock: FixedClock
) -> None:
    where = Where(channel_id=CHANNEL, user_id=DIRK, is_direct=False, message_ts="1764579600.000100")
    reply = message(Paragraph("Halverwege"), in_thread=True)
    await _kept(db, where, reply, clock)  # the process died before it sent anything
    replies = Replies(client, [], db, clock)
    clock.advance(timedelta(minutes=1))
    assert await replies.outbox.sweep() == 1
    [posted] = slack.of("chat.postMessage")
    assert (posted.args["channel"], posted.args["thread_ts"]) == (CHANNEL, "1764579600.000100")
    assert await _unsent(db) == []


async def test_a_private_reply_claimed_before_a_crash_is_never_sent_twice(
    slack: FakeSlack, client: AsyncWebClient, db: Database, clock: FixedClock
) -> None:
    where = Where(channel_id=CHANNEL, user_id=DIRK, is_direct=False)
    reply = message(Paragraph("Vastgelegd"), private=True)
    [(row, _)] = await _kept(db, where, reply, clock)
    replies = Replies(client, [], db, clock)
    assert not replies.findable(asdict(where), reply)
    async with db.session() as session:
        [claimed] = await outbox.claim(session, [row])
    assert claimed.message == to_record(reply)
    # Claimed once: a second claim (another process) gets nothing.
    async with db.session() as session:
        assert await outbox.claim(session, [row]) == []
    # The process died right after the claim: nothing is left to send again.
    clock.advance(timedelta(minutes=1))
    assert await replies.outbox.sweep() == 0
    assert slack.of("chat.postEphemeral") == []


async def test_a_reply_slack_refuses_for_good_is_dropped_not_retried(
    slack: FakeSlack, client: AsyncWebClient, db: Database, clock: FixedClock
) -> None:
    where = Where(channel_id="C0GONE0001", user_id=DIRK, is_direct=False)
    reply = message(Paragraph("Dag"))
    await _kept(db, where, reply, clock)
    replies = Replies(client, [], db, clock)
    clock.advance(timedelta(minutes=1))
    slack.refuse("chat.postMessage", "channel_not_found")
    assert await replies.outbox.sweep() == 1
    assert await _unsent(db) == []
    assert [c.status for c in slack.calls if c.method == "chat.postMessage"] == [0]
    clock.advance(timedelta(hours=1))
    assert await replies.outbox.sweep() == 0


async def test_a_reply_lost_to_a_slack_outage_arrives_once_slack_is_back(
    slack: FakeSlack, database_url: str
) -> None:
    clock = FixedClock(FIXTURE_NOW)
    async with start_plgbot(database_url, slack, clock=clock) as plgbot:
        # Slack answers 500 for longer than the client's own retries last.
        slack.fail("chat.postMessage", status=500, times=20)
        assert (await plgbot.event(fixture_json("message_im.json"))).status_code == 200
        for _ in range(200):
            kept = await _unsent(plgbot.db)
            if kept and kept[0].attempts == 1:
                break
            await asyncio.sleep(0.05)
        [kept_reply] = await _unsent(plgbot.db)
        assert kept_reply.attempts == 1
        assert slack.of("chat.postMessage") == []

        # Slack is back; a redelivery of the event is recognised and sends nothing.
        slack.fail("chat.postMessage", status=500, times=0)
        assert (await plgbot.event(fixture_json("message_im.json"))).status_code == 200
        # Past the backoff, the inbox sweep sends the kept reply, once.
        clock.advance(timedelta(minutes=1))
        [reply] = await slack.wait_for("chat.postMessage", 1, within=15)
        assert reply.args["channel"] == "D0CHANTBOT"
        assert reply.args["text"].startswith("plgbot help")
        assert await _unsent(plgbot.db) == []
        await asyncio.sleep(0.3)
        assert len(slack.of("chat.postMessage")) == 1
