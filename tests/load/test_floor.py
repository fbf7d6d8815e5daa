"""``bench/floor.py`` measures the pieces of benchmark 1's path one by one: the test
runs each at a small size and checks that what was timed really happened (every reply
reached the mock Slack, every claim is stored), so the floor is not a figure for
nothing. The figures themselves are for bench/ only."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from bench.floor import CONCURRENCY, reply_cost, store_cost, table
from bench.mock_slack import MockSlack, serving

COUNT = 120


async def test_the_timed_replies_reach_slack() -> None:
    async with serving(MockSlack()) as mock:
        cost = await reply_cost(mock.api_url, COUNT)
    assert cost > 0
    # The warm-up sends one per concurrent caller before the timed calls.
    assert mock.calls["chat.postEphemeral"] == COUNT + CONCURRENCY


async def test_the_timed_claims_are_stored_once_each(tmp_path: Path) -> None:
    database = tmp_path / "floor.db"
    cost = await store_cost(database, COUNT)
    assert cost > 0
    with closing(sqlite3.connect(database)) as connection, connection:
        keys = [row[0] for row in connection.execute("SELECT key FROM deliveries")]
    assert len(keys) == len(set(keys)) == COUNT + CONCURRENCY


def test_the_verdict_compares_the_sum_with_the_budget() -> None:
    parts = {"ack_ms": 0.25, "reply_ms": 0.4, "store_ms": 0.3}
    fits = table(
        {**parts, "floor_ms": 0.95, "budget_ms": 1.1, "bare_acks_per_s": 1818, "events": 1}
    )
    misses = table(
        {**parts, "floor_ms": 0.95, "budget_ms": 0.5, "bare_acks_per_s": 4000, "events": 1}
    )
    assert "0.86×" in fits and "fits the target" in fits
    assert "1.90×" in misses and "does not fit" in misses
