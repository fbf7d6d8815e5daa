"""The load test of issue #8: 200 concurrent clients send signed Slack events for 30 s
to one ``plgbot serve`` on a SQLite file (or, in the PostgreSQL run, a PostgreSQL
database), with Slack's Web API mocked on loopback.

Each client sends its next event a second after the previous one was acknowledged:
up to 200 events a second offered, far beyond a school board's busiest hour, and more
than one server processes on a small machine, so a backlog builds and must drain
without loss. (``bench/events.py`` measures the same path without pauses.)

No timing is asserted (speed is for bench/, as ratios); the acknowledgement p99 is
printed. Asserted: every request answered 200, every event stored exactly once (its
delivery claimed, one interaction per message) and answered once, and the server still
healthy afterwards. The load generator and servers are the benchmark's
(``bench/load.py``, ``bench/serving.py``, ``bench/mock_slack.py``)."""

from __future__ import annotations

import time
from pathlib import Path

import aiohttp
import pytest

from bench.load import run_load
from bench.mock_slack import MockSlack, serving
from bench.serving import mock_stats, plgbot_serve, set_up_plg, stored, wait_for_replies

CLIENTS = 200
SECONDS = 30.0
PAUSE = 1.0

pytestmark = pytest.mark.slow


async def test_200_clients_for_30_seconds_lose_nothing(tmp_path: Path, database_url: str) -> None:
    # A SQLite file, or under PLGBOT_TEST_DATABASE=postgresql a fresh database.
    database = database_url
    async with (
        serving(MockSlack()) as mock,
        plgbot_serve(database, mock.api_url, tmp_path) as server,
    ):
        await set_up_plg(server.url, mock.url, database)
        replies_before = (await mock_stats(mock.url))["replies"]
        ts_base = int(time.time())

        result = await run_load(
            server.url, clients=CLIENTS, duration=SECONDS, run="L1", ts_base=ts_base, pause=PAUSE
        )
        print(
            f"\n{result.sent} events from {CLIENTS} clients in {result.seconds:.1f} s: "
            f"ack p50 {result.percentile(50) * 1000:.0f} ms, "
            f"p99 {result.percentile(99) * 1000:.0f} ms, {result.acks_per_second:.0f} acks/s"
        )
        assert result.errors == {}
        assert result.sent > CLIENTS
        assert result.acked == result.sent

        # Acknowledged first, processed after: wait until every event was answered.
        began = time.monotonic()
        await wait_for_replies(mock.url, replies_before + result.sent, stall=60)
        print(f"all processed {time.monotonic() - began:.1f} s after the last acknowledgement")
        assert await stored(database, "L1", ts_base) == {
            "events": result.sent,
            "interactions": result.sent,
            "messages": result.sent,
        }
        # One reply per event, none twice.
        assert (await mock_stats(mock.url))["replies"] == replies_before + result.sent

        async with aiohttp.ClientSession() as http:
            for path in ("/healthz", "/readyz"):
                async with http.get(server.url + path) as response:
                    assert response.status == 200, path
        assert server.process.returncode is None
    log = (tmp_path / "plgbot-serve.log").read_text()
    assert "Traceback" not in log
    assert " ERROR " not in log
