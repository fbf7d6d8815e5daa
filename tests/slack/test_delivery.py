"""Acknowledging fast, replying reliably: rate limits and server errors from Slack,
slow Slack, retried deliveries (also into two server processes), edits and deletes."""

from __future__ import annotations

import asyncio
import copy
import statistics
import time
from pathlib import Path

import pytest
from pydantic import SecretStr
from slack_sdk.errors import SlackApiError

from storage.models import Interaction
from tests.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.slack.harness import (
    ANOUK,
    CHANTAL,
    DIRK,
    Plgbot,
    fixture_json,
    link_plg_channel,
    start_plgbot,
)


async def test_a_429_is_waited_out_and_the_reply_still_arrives(plgbot: Plgbot) -> None:
    plgbot.fake.fail("chat.postMessage", status=429, retry_after=1)
    reply = await plgbot.expect("chat.postMessage", plgbot.event(fixture_json("message_im.json")))
    refused = [c for c in plgbot.fake.calls if c.method == "chat.postMessage" and c.status == 429]
    assert len(refused) == 1
    waited = reply.at - refused[0].at
    assert waited >= 1.0, f"retried after {waited:.2f}s, before Retry-After"
    assert reply.args["text"].startswith("plgbot help")


async def test_a_500_from_slack_is_tried_again(plgbot: Plgbot) -> None:
    plgbot.fake.fail("chat.postMessage", status=500)
    reply = await plgbot.expect("chat.postMessage", plgbot.event(fixture_json("message_im.json")))
    assert reply.args["channel"] == "D0CHANTBOT"
    assert [c.status for c in plgbot.fake.calls if c.method == "chat.postMessage"] == [500, 200]


async def test_acks_do_not_wait_for_a_slow_slack(plgbot: Plgbot) -> None:
    """Slack wants its 200 within 3 seconds; with users.info and chat.postMessage each
    taking a second and a half, the acknowledgement still comes at once."""
    plgbot.fake.slow("users.info", 1.5)
    plgbot.fake.slow("chat.postMessage", 1.5)
    latencies = []
    for i in range(20):
        started = time.perf_counter()
        response = await plgbot.dm("help", user=CHANTAL, event_id=f"Ev0SLOW{i:04d}")
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200
    await plgbot.fake.wait_for("chat.postMessage", 20, within=30)
    print(
        f"ack latency over 20 deliveries with a slow Slack: "
        f"median {statistics.median(latencies) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms"
    )
    assert max(latencies) < 1.0
    # Slash commands are acknowledged by the listener itself, before any work.
    commands = []
    for _ in range(10):
        started = time.perf_counter()
        assert (await plgbot.command("help", user=CHANTAL)).status_code == 200
        commands.append(time.perf_counter() - started)
    print(
        f"ack latency over 10 /plg commands: median {statistics.median(commands) * 1000:.1f} ms,"
        f" max {max(commands) * 1000:.1f} ms"
    )
    assert max(commands) < 1.0
    await plgbot.fake.wait_for("response_url", 10, within=30)


async def test_a_retry_storm_is_stored_once_and_answered_once(plgbot: Plgbot) -> None:
    await link_plg_channel(plgbot)
    mention = fixture_json("app_mention.json")
    deliveries = [
        plgbot.event(mention, headers={"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "x"})
        if n
        else plgbot.event(mention)
        for n in range(4)
    ]
    responses = await asyncio.gather(*deliveries)
    assert [r.status_code for r in responses] == [200] * 4
    await plgbot.fake.wait_for("chat.postEphemeral")
    await plgbot.stop()
    assert len(plgbot.fake.of("chat.postEphemeral")) == 1
    assert await plgbot.count(Interaction) == 1


async def test_retries_spread_over_two_server_processes_are_stored_once(
    database_url: str, slack: FakeSlack
) -> None:
    """Two servers on one database, as two workers behind a load balancer: the claim is
    a unique row in the database, not a set in memory."""
    async with (
        start_plgbot(database_url, slack) as first,
        start_plgbot(database_url, slack) as second,
    ):
        await link_plg_channel(first)
        mention = fixture_json("app_mention.json")
        retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        responses = await asyncio.gather(
            first.event(mention),
            second.event(mention, headers=retry),
            first.event(mention, headers=retry),
            second.event(mention),
        )
        assert {r.status_code for r in responses} == {200}
        await slack.wait_for("chat.postEphemeral")
        await first.stop()
        await second.stop()
        assert len(slack.of("chat.postEphemeral")) == 1
        assert await first.count(Interaction) == 1


async def test_deleting_a_message_takes_its_interactions_out(plgbot: Plgbot) -> None:
    await link_plg_channel(plgbot)
    await plgbot.event(fixture_json("message_channel_mention.json"))
    await plgbot.event(fixture_json("message_thread_reply.json"))
    await plgbot.stored(lambda edges: len(edges) == 2)

    deleted = fixture_json("message_thread_reply.json")
    deleted["event_id"] = "Ev0DELETE001"
    deleted["event"] = {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": "C0PLGDATA1",
        "ts": "1763721100.000500",
        "deleted_ts": "1763720400.000300",
        "event_ts": "1763721100.000500",
        "channel_type": "channel",
        "previous_message": {"type": "message", "user": ANOUK, "ts": "1763720400.000300"},
    }
    assert (await plgbot.event(deleted)).status_code == 200
    await plgbot.stored(lambda edges: [(s, t) for s, t, _, _ in edges] == [(DIRK, ANOUK)])


async def test_an_edit_changes_nothing(plgbot: Plgbot) -> None:
    await link_plg_channel(plgbot)
    await plgbot.event(fixture_json("message_channel_mention.json"))
    await plgbot.stored(lambda edges: len(edges) == 1)
    edited = fixture_json("message_channel_mention.json")
    edited["event_id"] = "Ev0EDITED001"
    original = copy.deepcopy(edited["event"])
    edited["event"] = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C0PLGDATA1",
        "ts": "1763720500.000900",
        "channel_type": "channel",
        "message": {**original, "text": "<@U0BRAM002> <@U0CHANT03> toch anders #resultaat"},
        "previous_message": original,
    }
    assert (await plgbot.event(edited)).status_code == 200
    await plgbot.stop()
    assert [(s, t) for s, t, _, _ in await plgbot.edges()] == [(ANOUK, DIRK)]


async def test_the_messenger_posts_on_its_own_initiative(slack: FakeSlack, tmp_path: Path) -> None:
    from adapters.server import AppContext
    from adapters.settings import Settings
    from adapters.slack import routes
    from bot.events import SchoolRef
    from bot.messages import Heading, OutboundMessage, Paragraph
    from bot.service import Bot
    from storage import Database

    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_signing_secret=SecretStr("s"),
        slack_api_url=slack.api_url,
    )
    db = Database(settings.database_url)
    context = AppContext(settings, Bot(db), db)
    assert routes(context)
    school = SchoolRef("slack", "T0SCHOOL01")
    messenger = context.messengers.for_school(school)
    message = OutboundMessage(blocks=(Heading("Vraag van de week"), Paragraph("a < b")))
    ts = await messenger.post_to_channel(
        school=school, channel_id="C0PLGDATA1", message=message, thread_id="1.2"
    )
    posted = (await slack.wait_for("chat.postMessage"))[0]
    assert ts and posted.args["thread_ts"] == "1.2"
    assert posted.args["blocks"][1]["text"]["text"] == "a &lt; b"
    await messenger.send_private(school=school, user_id=DIRK, message=message)
    assert (await slack.wait_for("chat.postMessage", 2))[1].args["channel"] == DIRK
    slack.fail("chat.postMessage", status=500, times=2)
    with pytest.raises(SlackApiError):
        await messenger.send_private(school=school, user_id=DIRK, message=message)
    await db.dispose()


async def test_when_slack_cannot_say_who_someone_is_the_bot_still_answers(
    plgbot: Plgbot,
) -> None:
    plgbot.fake.fail("users.info", status=500, times=10)
    reply = await plgbot.expect(
        "chat.postMessage",
        plgbot.dm("told <@U0BRAM002> about our focus #focus", user=CHANTAL, event_id="Ev0NOINFO1"),
    )
    # Known only by id for now; the name comes with the next successful look-up.
    assert "U0BRAM002" in reply.args["text"]
    assert await plgbot.edges() == [(CHANTAL, "U0BRAM002", "told", 1)]
