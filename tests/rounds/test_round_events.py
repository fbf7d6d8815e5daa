"""Rounds through the core's ports, as the Slack and Teams adapters will drive them:
a thread reply by message id, a Reply button press, a deleted message, a forged button;
and ``plgbot serve`` running the scheduler."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from adapters.console import ConsoleSession
from adapters.server import build_app
from adapters.settings import Settings
from bot.clock import FixedClock
from bot.events import ActionInvoked, ChannelRef, InboundMessage, MessageDeleted, PersonRef
from bot.messages import Actions
from bot.service import Bot
from storage import Database
from storage.models import RoundReply
from tests.helpers import edges, run_script
from tests.live_server import serving
from tests.rounds.harness import WEEKLY, RecordingMessenger, round_jobs, school

STAFFROOM = ChannelRef(channel_id="staffroom", name="staffroom")
BRAM = PersonRef(user_id="bram", display_name="Bram Jansen")


async def posted_round(
    console: ConsoleSession, db: Database, bot: Bot, clock: FixedClock
) -> RecordingMessenger:
    await school(console, db)
    await run_script(console, f"/as anouk\n{WEEKLY}")
    clock.advance(timedelta(days=3))  # Monday 10:00 UTC, two hours after the posting
    messenger = RecordingMessenger()
    await round_jobs(bot, messenger, grace=timedelta(hours=3)).run_due("1", clock.now())
    return messenger


async def test_a_platform_thread_reply_and_its_deletion(
    console: ConsoleSession, db: Database, bot: Bot, clock: FixedClock
) -> None:
    await posted_round(console, db, bot, clock)
    reply = InboundMessage(
        school=console.school,
        event_id="ev-1",
        message_id="reply-1",
        author=BRAM,
        channel=STAFFROOM,
        text="Homework is rarely checked.",
        sent_at=clock.now(),
        thread_parent_id="m1",  # the id the messenger gave the posted question
    )
    answered = await bot.handle(reply)
    assert "Your reply to round 1 is in" in answered[0].plain_text  # Bram chose English
    assert await bot.handle(reply) == [], "a re-delivered reply is stored once"
    assert [(s, t, o) for s, t, o, _ in await edges(db)] == [("bram", "anouk", "round_reply")]
    deleted = MessageDeleted(
        school=console.school, event_id="ev-2", channel=STAFFROOM, message_id="reply-1"
    )
    await bot.handle(deleted)
    async with db.session() as session:
        assert (await session.scalars(select(RoundReply))).all() == []
    assert await edges(db) == []


async def test_the_reply_button_as_a_platform_sends_it(
    console: ConsoleSession, db: Database, bot: Bot, clock: FixedClock
) -> None:
    messenger = await posted_round(console, db, bot, clock)
    _, _, question = messenger.posts[0]
    button = next(
        b for block in question.blocks if isinstance(block, Actions) for b in block.buttons
    )
    assert (button.action, button.label) == ("round.reply", "Antwoorden")
    assert button.asks_text is not None and button.asks_text.startswith("Jouw antwoord op:")

    def press(event_id: str, value: str, text: str | None) -> ActionInvoked:
        return ActionInvoked(
            school=console.school,
            event_id=event_id,
            author=BRAM,
            channel=STAFFROOM,
            action=button.action,
            value=value,
            sent_at=clock.now(),
            text=text,
            message_id="m1",
        )

    assert "Write your reply" in (await bot.handle(press("p1", button.value, None)))[0].plain_text
    assert "is in" in (await bot.handle(press("p2", button.value, "Homework")))[0].plain_text
    forged = await bot.handle(press("p3", "999", "Hello"))
    assert "That button no longer does anything." in forged[0].plain_text
    clock.advance(timedelta(days=5))
    await round_jobs(bot, messenger).run_due("1", clock.now())
    closed = await bot.handle(press("p4", button.value, "Too late"))
    assert "Round 1 is not open for replies right now." in closed[0].plain_text
    async with db.session() as session:
        assert [r.text for r in await session.scalars(select(RoundReply))] == ["Homework"]


async def test_serve_runs_the_scheduler_once_per_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'plgbot.db'}"
    db = Database(url)
    await db.upgrade()
    await db.dispose()
    lock = tmp_path / "plgbot.db.scheduler.lock"
    app = build_app(Settings(database_url=url), run_scheduler=True)
    async with serving(app) as base, httpx.AsyncClient() as client:
        assert (await client.get(f"{base}/healthz")).status_code == 200
        assert lock.exists(), "the server took the scheduler's lock"
        second = build_app(Settings(database_url=url), run_scheduler=False)
        async with serving(second) as other:
            assert (await client.get(f"{other}/healthz")).status_code == 200
