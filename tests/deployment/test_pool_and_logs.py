"""Connection pool sizes from the settings, and ``plgbot serve --log-format json``."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.cli import open_database
from adapters.server import AppContext, build_app
from adapters.settings import load_settings
from tests.deployment.processes import clean_environment, plgbot_serve, wait_until
from tests.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.slack.harness import SECRET, fixture_json, sign


async def test_pool_sizes_reach_the_engine(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("connection pool sizes are PostgreSQL's (the PostgreSQL run checks them)")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DB_POOL_SIZE", "3")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "2")
    settings = load_settings()
    context = build_app(settings).state.context
    assert isinstance(context, AppContext)
    for db in (open_database(settings), context.db):
        pool = db.engine.pool
        try:
            assert pool.size() == 3  # type: ignore[attr-defined]
            # Five connections at once: three from the pool, two beyond it.
            connections: list[AsyncConnection] = await asyncio.gather(
                *(db.engine.connect().start() for _ in range(5))
            )
            for connection in connections:
                assert await connection.scalar(text("SELECT 1")) == 1
            assert pool.checkedout() == 5  # type: ignore[attr-defined]
            assert pool.overflow() == 2  # type: ignore[attr-defined]
            for connection in connections:
                await connection.close()
        finally:
            await db.dispose()


@pytest.mark.slow
async def test_json_logs_one_object_per_line(
    database_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    # The operator's metrics folder, with a file of an earlier run: serve empties it.
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"an earlier run's, unreadable now")
    env = clean_environment(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
    )
    told = "told <@U0BRAM002> about the lesson study's results #results"
    async with (
        plgbot_serve(tmp_path, env, "--log-format", "json") as served,
        httpx.AsyncClient() as client,
    ):
        payload = fixture_json("message_im.json")
        payload["event"].update(text=told, user="U0ANOUK01", channel="D0ANOUKBT")
        body = json.dumps(payload).encode()
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": sign(body, stamp),
        }
        answer = await client.post(f"{served.url}/slack/events", content=body, headers=headers)
        assert answer.status_code == 200
        await slack.wait_for("chat.postMessage")
        # A forged request is refused, and says so in the log (at INFO).
        headers["X-Slack-Signature"] = "v0=forged"
        forged = await client.post(f"{served.url}/slack/events", content=body, headers=headers)
        assert forged.status_code == 401
        await wait_until(
            lambda: any("refused" in r["message"] for r in served.records()),
            within=10,
            what="the refusal to be logged",
        )
        # One worker in multiprocess mode too: its files, read back by /metrics.
        metrics = await served.metrics(client)
        assert metrics['plgbot_events_stored_total{platform="slack"}'] == 1
        assert metrics['plgbot_http_requests_total{path="/slack/events",status="401"}'] == 1
        assert not (metrics_dir / "counter_1.db").exists()
    records = served.records()  # every stderr line is one JSON object
    assert {r["logger"] for r in records} >= {"plgbot.slack", "uvicorn.error"}
    for record in records:
        assert {"time", "level", "logger", "message", "process"} <= record.keys()
        assert record["level"] in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
        assert record["time"].endswith("+00:00")
        assert record["process"] == served.pid
        assert "color_message" not in record
    logged = "\n".join(served.stderr + served.stdout)
    for secret in (SECRET, BOT_TOKEN, "Jhj5dZrVaK7ZwHHjRyZWjbDl", "lesson study", "v0=forged"):
        assert secret not in logged
