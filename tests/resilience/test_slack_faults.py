"""Slack misbehaving: 429 storms with ``Retry-After``, 500s, a permanent outage, and a
post that landed without plgbot hearing back. Events are acknowledged before any Web
API call, what they store is stored before any reply goes out, and every scheduled
question is posted exactly once, whatever Slack answered in between.

What the bot did is read off the fake Slack's request log (statuses, times of the
attempts, the messages it holds per channel), never off timing thresholds."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from sqlalchemy import func, select

from adapters.console import ConsoleSession
from bot.clock import FixedClock
from bot.events import SchoolRef
from bot.messages import OutboundMessage
from bot.ports import Messenger
from scheduler.rounds import RoundJobs
from storage import Database
from storage.models import Interaction, Occurrence, QuestionRound, RoundPost
from tests.rounds.harness import WEEKLY, school
from tests.slack.fake_slack import Call, FakeSlack
from tests.slack.harness import BRAM, CHANTAL, fixture_json, start_plgbot

FIRST = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # the weekly round's first posting
STAFFROOM = "staffroom"  # the console school's channel id, as the fake Slack sees it


def attempts(fake: FakeSlack, method: str = "chat.postMessage") -> list[Call]:
    return [c for c in fake.calls if c.method == method]


def gaps(calls: list[Call]) -> list[float]:
    return [later.at - earlier.at for earlier, later in pairwise(calls)]


async def until(condition: object, within: float = 15.0) -> None:
    """Poll ``condition()`` (a state of a fake or the database) until true or fail."""
    assert callable(condition)
    deadline = time.monotonic() + within
    while not await _value(condition()):
        assert time.monotonic() < deadline, f"not reached within {within}s"
        await asyncio.sleep(0.01)


async def _value(value: object) -> bool:
    if asyncio.iscoroutine(value):
        value = await value
    return bool(value)


async def interactions(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Interaction)) or 0)


# Replies to events.


async def test_a_429_storm_on_the_reply_is_waited_out_and_nothing_is_lost(
    database_url: str, slack: FakeSlack
) -> None:
    slack.fail("chat.postMessage", status=429, times=2, retry_after=1)
    async with start_plgbot(database_url, slack) as bot:
        response = await bot.dm(
            "told <@U0BRAM002> we looked at why pupils repeat the year #focus",
            user=CHANTAL,
            event_id="Ev0STORM0001",
        )
        # Acknowledged before any chat.postMessage finished (the first would take a
        # Retry-After second at least).
        assert response.status_code == 200
        assert not attempts(slack)

        # The interaction is in the database by the time the first reply is refused.
        await until(lambda: attempts(slack))
        assert await interactions(bot.db) == 1

        await slack.wait_for("chat.postMessage", within=15)
        tried = attempts(slack)
        assert [c.status for c in tried] == [429, 429, 200]
        assert all(gap >= 1.0 for gap in gaps(tried)), gaps(tried)
        assert "Bram" in tried[-1].args["text"]
        assert await bot.edges() == [(CHANTAL, BRAM, "told", 1)]


async def test_slack_redelivering_during_a_storm_still_stores_and_answers_once(
    database_url: str, slack: FakeSlack
) -> None:
    """Slack redelivers when it thinks the first delivery failed; the storm delays the
    reply, not the acknowledgement, and the redeliveries change nothing."""
    slack.fail("chat.postMessage", status=429, times=2, retry_after=1)
    async with start_plgbot(database_url, slack) as bot:
        payload = fixture_json("message_im.json")
        payload["event"].update(text="told <@U0BRAM002> about our process #proces")
        retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        responses = [
            await bot.event(payload),
            await bot.event(payload, headers=retry),
            await bot.event(payload, headers=retry | {"X-Slack-Retry-Num": "2"}),
        ]
        assert [r.status_code for r in responses] == [200, 200, 200]
        await slack.wait_for("chat.postMessage", within=15)
        await bot.stop()
        assert [c.status for c in attempts(slack)] == [429, 429, 200]
        assert [(s, t, o) for s, t, o, _ in await bot.edges()] == [(CHANTAL, BRAM, "told")]


# Scheduled posts.


async def weekly_round(console: ConsoleSession, db: Database) -> int:
    await school(console, db)
    out = await console.send("/as anouk")
    out = await console.send(WEEKLY)
    assert any("is scheduled" in line for line in out), out
    async with db.session() as session:
        found = await session.scalar(select(QuestionRound.id))
    assert found is not None
    return int(found)


async def occurrence(db: Database) -> Occurrence:
    async with db.session() as session:
        found = (
            await session.scalars(
                select(Occurrence).where(Occurrence.kind == "round", Occurrence.due_at == FIRST)
            )
        ).one()
    return found


async def posts(db: Database) -> list[str]:
    async with db.session() as session:
        return list(await session.scalars(select(RoundPost.platform_message_id)))


async def run_at(jobs: RoundJobs, clock: FixedClock, round_id: int, at: datetime) -> None:
    clock.advance(at - clock.now())
    await jobs.run_due(str(round_id), clock.now())


async def test_a_429_storm_longer_than_the_retries_leaves_the_posting_for_the_next_run(
    console: ConsoleSession,
    db: Database,
    clock: FixedClock,
    slack: FakeSlack,
    slack_rounds: RoundJobs,
) -> None:
    round_id = await weekly_round(console, db)
    slack.fail("chat.postMessage", status=429, times=3, retry_after=1)

    await run_at(slack_rounds, clock, round_id, FIRST)
    tried = attempts(slack)
    # Retry-After honoured twice, then the client gives up: nothing posted, nothing
    # confirmed.
    assert [c.status for c in tried] == [429, 429, 429]
    assert all(gap >= 1.0 for gap in gaps(tried)), gaps(tried)
    assert slack.messages == {}
    assert (await occurrence(db)).done_at is None

    # The next minute the claim is still fresh (another scheduler might be sending).
    await run_at(slack_rounds, clock, round_id, FIRST + timedelta(minutes=1))
    assert len(attempts(slack)) == 3

    # Past the lease the posting is sent again, after looking for an earlier one.
    await run_at(slack_rounds, clock, round_id, FIRST + timedelta(minutes=3))
    assert [c.status for c in attempts(slack)] == [429, 429, 429, 200]
    assert len(slack.of("conversations.history")) == 1
    assert len(slack.messages[STAFFROOM]) == 1
    posted = slack.messages[STAFFROOM][0]
    assert (await occurrence(db)).result == posted["ts"]
    assert await posts(db) == [posted["ts"]]

    await run_at(slack_rounds, clock, round_id, FIRST + timedelta(minutes=10))
    assert len(attempts(slack)) == 4


async def test_500s_are_retried_with_backoff_then_posted_once(
    console: ConsoleSession,
    db: Database,
    clock: FixedClock,
    slack: FakeSlack,
    slack_rounds: RoundJobs,
) -> None:
    round_id = await weekly_round(console, db)
    slack.fail("chat.postMessage", status=500, times=1)
    await run_at(slack_rounds, clock, round_id, FIRST)
    tried = attempts(slack)
    assert [c.status for c in tried] == [500, 200]
    # slack_sdk's backoff: half a second (plus jitter) before the second attempt.
    assert gaps(tried)[0] >= 0.5
    assert len(slack.messages[STAFFROOM]) == 1
    assert (await occurrence(db)).result == slack.messages[STAFFROOM][0]["ts"]


async def test_a_permanent_outage_leaves_the_posting_unconfirmed_until_slack_is_back(
    console: ConsoleSession,
    db: Database,
    clock: FixedClock,
    slack: FakeSlack,
    slack_rounds: RoundJobs,
) -> None:
    round_id = await weekly_round(console, db)
    slack.fail("chat.postMessage", status=500, times=1000)
    for minutes in (0, 1, 3):
        await run_at(slack_rounds, clock, round_id, FIRST + timedelta(minutes=minutes))
        assert (await occurrence(db)).done_at is None
    # The first run and the take-over at +3 minutes tried (twice each); +1 did not.
    assert [c.status for c in attempts(slack)] == [500] * 4
    assert slack.messages == {}

    slack.fail("chat.postMessage", status=500, times=0)
    await run_at(slack_rounds, clock, round_id, FIRST + timedelta(minutes=6))
    await run_at(slack_rounds, clock, round_id, FIRST + timedelta(minutes=9))
    assert [c.status for c in attempts(slack)] == [500] * 4 + [200]
    assert len(slack.messages[STAFFROOM]) == 1
    done = await occurrence(db)
    assert done.done_at is not None and done.outcome == "done"
    assert done.result == slack.messages[STAFFROOM][0]["ts"]


class DiesAfterPosting:
    """The real Slack messenger in a process that dies right after Slack accepted the
    post, before plgbot could commit that it did (the crash test's window, in-process)."""

    def __init__(self, inner: Messenger) -> None:
        self.inner = inner
        self.dead = True
        self.finds_posts = inner.finds_posts

    async def post_to_channel(
        self,
        *,
        school: SchoolRef,
        channel_id: str,
        message: OutboundMessage,
        thread_id: str | None = None,
        key: str | None = None,
    ) -> str:
        posted = await self.inner.post_to_channel(
            school=school, channel_id=channel_id, message=message, thread_id=thread_id, key=key
        )
        if self.dead:
            raise ConnectionResetError("the process died before it could commit")
        return str(posted)

    async def send_private(
        self, *, school: SchoolRef, user_id: str, message: OutboundMessage
    ) -> str:
        return await self.inner.send_private(school=school, user_id=user_id, message=message)


async def test_a_post_slack_accepted_but_plgbot_never_confirmed_is_found_not_repeated(
    console: ConsoleSession,
    db: Database,
    clock: FixedClock,
    slack: FakeSlack,
    slack_rounds: RoundJobs,
) -> None:
    round_id = await weekly_round(console, db)
    messengers = slack_rounds.messengers
    real = messengers.for_school(SchoolRef("console", "test"))
    dying = DiesAfterPosting(real)
    messengers.register("console", dying)

    await run_at(slack_rounds, clock, round_id, FIRST)
    assert len(slack.messages[STAFFROOM]) == 1
    landed = slack.messages[STAFFROOM][0]
    assert landed["metadata"]["event_payload"]["key"].startswith(f"round:{round_id}:")
    assert (await occurrence(db)).done_at is None

    dying.dead = False
    await run_at(slack_rounds, clock, round_id, FIRST + timedelta(minutes=3))
    # Found by its key in the channel's history: confirmed with the first post's ts.
    assert len(slack.messages[STAFFROOM]) == 1
    assert [c.status for c in attempts(slack)] == [200]
    assert len(slack.of("conversations.history")) == 1
    assert (await occurrence(db)).result == landed["ts"]
    assert await posts(db) == [landed["ts"]]


async def test_an_ordinary_post_does_not_read_the_history(
    console: ConsoleSession,
    db: Database,
    clock: FixedClock,
    slack: FakeSlack,
    slack_rounds: RoundJobs,
) -> None:
    """The look-up costs a rate-limited call: only a re-send makes it."""
    round_id = await weekly_round(console, db)
    await run_at(slack_rounds, clock, round_id, FIRST)
    assert len(slack.of("chat.postMessage")) == 1
    assert not slack.of("conversations.history")
