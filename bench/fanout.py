"""Benchmark 3: the Monday-morning fan-out. 1,000 question rounds fall due at the same
moment ("08:00") and are posted by the real scheduler through the real Slack messenger
to a mock Slack that enforces ``chat.postMessage``'s limit of one message per second
per channel (429 with ``Retry-After`` beyond it).

    .venv/bin/python -m bench.fanout                           # 1,000 rounds, 50 channels
    .venv/bin/python -m bench.fanout --rounds 200 --channels 20

The board: one Slack workspace, ``--channels`` staff rooms, one PLG per round, each
PLG's round posting to one staff room (so ``rounds / channels`` questions per room).
The rounds are one-offs (``once``) due at ``T0``; plgbot's scheduler (``PlgScheduler``
with the question-round jobs, a file leader lock, APScheduler) runs in this process on a
real SQLite file, as in ``plgbot serve``. It starts with the rounds further ahead; they
are then moved to ``T0`` = now + the scheduler's prepare lead
(:data:`scheduler.round_posting.PREPARE_LEAD`) + a few seconds, and the scheduler
resyncs (as it does every minute, picking up rounds changed through any web worker).
So, as before a real 08:00, APScheduler fires every round's job a lead ahead of ``T0``:
each round reads its plan, claims its posting and renders its question before ``T0``
(not timed), then waits for ``T0`` and posts.

Measured: the time from ``T0`` until the mock accepted the last post, against the
minimum the limit allows: with ``k`` posts in the busiest channel, ``(k - 1)`` seconds
(the first post at ``T0``, one a second after). Inside the measured time: for each
round a check that it was not paused or cancelled while it waited (one statement), its
turn in its channel, the post through the Slack client, and recording the post with its
claim (one transaction). Checked: every round posted exactly once (the mock's accepted posts,
``round_posts`` and the ``occurrences`` claims), and posts in each channel at least a
second apart. Reported: how many rounds were prepared before ``T0``, and how long preparing
took (a count of occurrences every half second, from the same database file).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from bench.mock_slack import BOT_TOKEN, TEAM_ID, TEAM_NAME
from bench.serving import mock_slack_process, mock_stats

TARGET_RATIO = 1.1
INTERVAL = 1.0


async def build_board(db_url: str, rounds: int, channels: int, starts_at: datetime) -> None:
    """One school, ``channels`` staff rooms, ``rounds`` PLGs with one round each."""
    from storage import Database
    from storage.models import PLG, Channel, QuestionRound, School

    db = Database(db_url)
    await db.upgrade()
    now = datetime.now(UTC)
    try:
        async with db.session() as session:
            school = School(platform="slack", tenant_id=TEAM_ID, name=TEAM_NAME, created_at=now)
            session.add(school)
            await session.flush()
            rooms = [
                Channel(
                    school_id=school.id,
                    platform_channel_id=f"C0ROOM{n:04d}",
                    name=f"lerarenkamer-{n}",
                )
                for n in range(channels)
            ]
            plgs = [
                PLG(
                    school_id=school.id,
                    name=f"PLG {n}",
                    name_key=f"plg {n}",
                    created_at=now,
                )
                for n in range(rounds)
            ]
            session.add_all([*rooms, *plgs])
            await session.flush()
            session.add_all(
                QuestionRound(
                    school_id=school.id,
                    plg_id=plg.id,
                    question=f"Wat zien jullie als oorzaak van zittenblijven in havo-3? ({n})",
                    channel_ids=[rooms[n % channels].id],
                    recurrence="once",
                    starts_at=starts_at,
                    closes_at=starts_at + timedelta(days=4, hours=9),
                    status="scheduled",
                    created_at=now,
                )
                for n, plg in enumerate(plgs)
            )
    finally:
        await db.dispose()


async def move_rounds(db_url: str, starts_at: datetime) -> None:
    from storage import Database
    from storage.models import QuestionRound

    db = Database(db_url)
    try:
        async with db.session() as session:
            await session.execute(
                update(QuestionRound).values(
                    starts_at=starts_at, closes_at=starts_at + timedelta(days=4, hours=9)
                )
            )
    finally:
        await db.dispose()


async def prepared_rounds(db_url: str) -> int:
    """Rounds whose occurrence exists: prepared (or posted)."""
    from storage import Database
    from storage.models import RoundOccurrence

    db = Database(db_url)
    try:
        async with db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(RoundOccurrence)) or 0)
    finally:
        await db.dispose()


async def stored_posts(db_url: str) -> dict[str, int]:
    from storage import Database
    from storage.models import Occurrence, RoundPost

    db = Database(db_url)
    try:
        async with db.session() as session:
            posts = await session.scalar(select(func.count()).select_from(RoundPost))
            done = await session.scalar(
                select(func.count())
                .select_from(Occurrence)
                .where(Occurrence.kind == "round", Occurrence.done_at.is_not(None))
            )
            return {"round_posts": int(posts or 0), "claims_done": int(done or 0)}
    finally:
        await db.dispose()


async def fan_out(rounds: int, channels: int, workdir: Path) -> dict[str, Any]:
    from adapters.slack.app import retry_handlers
    from adapters.slack.messenger import SlackMessenger
    from bot.clock import SystemClock
    from bot.ports import Messengers
    from bot.service import Bot
    from scheduler import PlgScheduler, leader_lock_for
    from scheduler.round_posting import PREPARE_LEAD
    from scheduler.rounds import RoundJobs
    from storage import Database

    db_url = f"sqlite+aiosqlite:///{workdir / 'fanout.db'}"
    await build_board(db_url, rounds, channels, datetime.now(UTC) + timedelta(days=1))
    async with mock_slack_process(workdir, post_interval=INTERVAL) as mock:
        from slack_sdk.web.async_client import AsyncWebClient

        client = AsyncWebClient(
            token=BOT_TOKEN, base_url=f"{mock}/api/", retry_handlers=retry_handlers()
        )
        messengers = Messengers()
        messengers.register("slack", SlackMessenger(client))
        db = Database(db_url)
        bot = Bot(db, clock=SystemClock())
        runner = PlgScheduler([RoundJobs(bot, messengers)], leader_lock_for(db), resync_seconds=600)
        try:
            began = time.monotonic()
            runner.start()
            await asyncio.wait_for(runner.leading.wait(), 300)
            # A resync reads every round again: leave it time, then a little more; the
            # jobs fire a lead ahead of T0 and prepare the postings.
            startup = time.monotonic() - began
            t0 = (
                datetime.now(UTC).replace(microsecond=0)
                + PREPARE_LEAD
                + timedelta(seconds=3 + startup)
            )
            await move_rounds(db_url, t0)
            await runner.sync()
            if datetime.now(UTC) >= t0 - PREPARE_LEAD:
                raise RuntimeError("the resync took longer than planned; preparing began late")
            # How long preparing took (a count every half second; not in the measured
            # time): it must fit in the lead for the rounds to be ready at T0.
            prepared, prepared_after = 0, None
            while datetime.now(UTC) < t0 - timedelta(seconds=0.5):
                prepared = await prepared_rounds(db_url)
                if prepared >= rounds:
                    prepared_after = datetime.now(UTC) - (t0 - PREPARE_LEAD)
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(max((t0 - datetime.now(UTC)).total_seconds() - 0.5, 0))
            deadline = time.monotonic() + 60 + rounds / channels * INTERVAL * 5
            while True:
                stats = await mock_stats(mock)
                if stats["calls"].get("chat.postMessage", 0) >= rounds:
                    break
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(1)  # anything posted twice would show up by now
            stats = await mock_stats(mock)
            async with aiohttp_session() as http, http.get(f"{mock}/_mock/stats?posts=1") as r:
                posts = (await r.json())["posts"]
        finally:
            await runner.stop()
            await db.dispose()
    stored = await stored_posts(db_url)
    result = summarise(posts, stats, stored, t0.timestamp(), rounds, channels)
    result["prepared_before_t0"] = prepared
    result["all_prepared_s"] = prepared_after.total_seconds() if prepared_after else None
    result["prepare_lead_s"] = PREPARE_LEAD.total_seconds()
    return result


def aiohttp_session() -> Any:
    import aiohttp

    return aiohttp.ClientSession()


def summarise(
    posts: list[list[Any]],
    stats: dict[str, Any],
    stored: dict[str, int],
    t0: float,
    rounds: int,
    channels: int,
) -> dict[str, Any]:
    per_channel: dict[str, list[float]] = defaultdict(list)
    for channel, at, _ in posts:
        per_channel[channel].append(float(at))
    busiest = max((len(times) for times in per_channel.values()), default=0)
    minimum = (busiest - 1) * INTERVAL
    last = max((float(at) for _, at, _ in posts), default=t0)
    gaps = [
        later - earlier
        for times in map(sorted, per_channel.values())
        for earlier, later in pairwise(times)
    ]
    counts = Counter(len(times) for times in per_channel.values())
    return {
        "rounds": rounds,
        "channels": channels,
        "posted": len(posts),
        "busiest_channel_posts": busiest,
        "minimum_s": minimum,
        "first_post_s": min((float(at) for _, at, _ in posts), default=t0) - t0,
        "all_posted_s": last - t0,
        "ratio": (last - t0) / minimum if minimum else float("nan"),
        "rate_limited_429": stats["limited"],
        "smallest_gap_s": min(gaps, default=float("nan")),
        "posts_per_channel": dict(counts),
        "stored": stored,
        "exactly_once": len(posts) == rounds
        and stored["round_posts"] == rounds
        and stored["claims_done"] == rounds,
    }


def table(result: dict[str, Any]) -> str:
    met = "met" if result["ratio"] <= TARGET_RATIO else "**missed**"
    return "\n".join(
        [
            "| rounds | channels | posts in busiest channel | minimum the limit allows "
            "| all posted after | ratio (target ≤ 1.1×) | 429s | exactly once |",
            "|---|---|---|---|---|---|---|---|",
            f"| {result['rounds']:,} | {result['channels']} | {result['busiest_channel_posts']} "
            f"| {result['minimum_s']:.1f} s | {result['all_posted_s']:.1f} s "
            f"| **{result['ratio']:.2f}×** ({met}) | {result['rate_limited_429']} "
            f"| {'yes' if result['exactly_once'] else '**no**'} |",
            "",
            f"First post {result['first_post_s']:.2f} s after T0; smallest gap between two "
            f"posts in one channel {result['smallest_gap_s']:.2f} s; "
            f"{result['posted']:,} posts accepted, {result['stored']['round_posts']:,} "
            f"`round_posts`, {result['stored']['claims_done']:,} claims done; "
            f"{result['prepared_before_t0']:,} rounds prepared before T0, "
            f"{_prepared(result)} after the jobs fired {result['prepare_lead_s']:.0f} s "
            "ahead of it.",
        ]
    )


def _prepared(result: dict[str, Any]) -> str:
    took = result.get("all_prepared_s")
    return "not all" if took is None else f"all {took:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark 3: the Monday-morning fan-out")
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plgbot-fanout-") as tmp:
        result = asyncio.run(fan_out(args.rounds, args.channels, Path(tmp)))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    print(json.dumps(result), file=sys.stderr)
    print(table(result))


if __name__ == "__main__":
    main()
