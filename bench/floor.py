"""The least server CPU any implementation of benchmark 1's path could spend per event,
against what the throughput target allows, measured side by side in one run.

    .venv/bin/python -m bench.floor                  # 2,000 operations per piece
    .venv/bin/python -m bench.floor --events 500     # a quick look

Benchmark 1's throughput target asks plgbot to *fully process* (verify, dedupe, store,
reply) at least half as many events per second as a bare Bolt app acknowledges. A
server that handles events on one event loop can process at most ``1 / CPU per event``
of them a second, so the target allows ``1 / (0.5 × bare acks/s)`` of CPU per event.

Three pieces that no implementation of that path can skip, each measured alone with
the same libraries plgbot must use:

* **ack**: a bare slack-bolt ``AsyncApp`` (``bench/bare_bolt.py``) served as in
  benchmark 1, driven by the same load generator: the server's CPU per event. This is
  the verify-and-acknowledge part, which plgbot's path contains too.
* **reply**: one ``chat.postEphemeral`` through slack_sdk's ``AsyncWebClient`` to the
  mock Slack in its own process, 50 at a time: this process's CPU per call.
* **store**: one transaction through ``storage.Database`` (SQLAlchemy's async engine on
  a migrated SQLite file) that claims the event and commits, 50 at a time: the least a
  deduplicated store can be. plgbot's real store also writes the interaction and its
  contacts rollup, and looks up the school, the people and the channel.

Their sum is a floor: it leaves out parsing the event, routing and classifying the
message, and writing the interaction itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bench.events import PROCESSED_RATIO_MIN, measure
from bench.load import CHANNEL, PEOPLE
from bench.mock_slack import BOT_TOKEN
from bench.serving import bare_bolt, database_url, mock_slack_process
from storage import Database
from storage.events import claim_event

CONCURRENCY = 50


async def cpu_per_operation(
    operation: Callable[[int], Awaitable[Any]], count: int, concurrency: int = CONCURRENCY
) -> float:
    """Milliseconds of this process's CPU (all its threads) per call of ``operation``,
    ``concurrency`` calls in flight at a time, after a warm-up."""
    await asyncio.gather(*(operation(-1 - n) for n in range(concurrency)))
    queue = iter(range(count))

    async def worker() -> None:
        for n in queue:
            await operation(n)

    cpu = time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (time.process_time() - cpu) / count * 1000


async def reply_cost(api_url: str, count: int) -> float:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=api_url)

    async def reply(n: int) -> None:
        await client.chat_postEphemeral(
            channel=CHANNEL, user=PEOPLE[n % len(PEOPLE)], text="Genoteerd, dank je wel!"
        )

    try:
        return await cpu_per_operation(reply, count)
    finally:
        if client.session is not None:
            await client.session.close()


async def store_cost(database: Path, count: int) -> float:
    db = Database(database_url(database))
    await db.upgrade()

    async def store(n: int) -> None:
        async with db.session() as session:
            if not await claim_event(session, f"slack:EvFLOOR{n:08d}", datetime.now(UTC)):
                raise RuntimeError("a new event was refused as a duplicate")

    try:
        return await cpu_per_operation(store, count)
    finally:
        await db.dispose()


async def bench(events: int, workdir: Path) -> dict[str, Any]:
    async with mock_slack_process(workdir) as mock:
        api = f"{mock}/api/"
        async with bare_bolt(api, workdir) as bare:
            await measure(bare, clients=20, events=200, run="WB")
            ack = await measure(bare, clients=CONCURRENCY, events=events, run="FB")
        reply = await reply_cost(api, events)
    store = await store_cost(workdir / "floor.db", events)
    floor = ack["cpu_ms_per_event"] + reply + store
    budget = 1000 / (PROCESSED_RATIO_MIN * ack["acks_per_s"])
    return {
        "events": events,
        "bare_acks_per_s": ack["acks_per_s"],
        "ack_ms": ack["cpu_ms_per_event"],
        "reply_ms": reply,
        "store_ms": store,
        "floor_ms": floor,
        "budget_ms": budget,
    }


def table(result: dict[str, Any]) -> str:
    floor, budget = result["floor_ms"], result["budget_ms"]
    verdict = "fits" if floor <= budget else "**does not fit**"
    return "\n".join(
        [
            "| piece | server CPU per event |",
            "|---|---|",
            f"| ack: bare Bolt, verify and acknowledge | {result['ack_ms']:.2f} ms |",
            f"| reply: one chat.postEphemeral (slack_sdk) | {result['reply_ms']:.2f} ms |",
            f"| store: claim the event and commit (SQLAlchemy, SQLite) | "
            f"{result['store_ms']:.2f} ms |",
            f"| **floor** (sum) | **{floor:.2f} ms** |",
            f"| budget: 1 / ({PROCESSED_RATIO_MIN} × {result['bare_acks_per_s']:,.0f} bare "
            f"acks/s) | {budget:.2f} ms |",
            "",
            f"Floor / budget: {floor / budget:.2f}× (the floor {verdict} the target's budget).",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="The floor of benchmark 1's event path")
    parser.add_argument("--events", type=int, default=2000, help="operations per piece")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plgbot-floor-") as tmp:
        result = asyncio.run(bench(args.events, Path(tmp)))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    print(table(result))


if __name__ == "__main__":
    main()
