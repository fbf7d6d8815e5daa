"""`plgbot serve`: the real HTTP server on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from adapters.server import build_app
from adapters.settings import Settings
from storage import Database, inbox
from storage.models import Delivery
from tests.live_server import serving


async def test_healthz_answers_on_a_real_socket(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    async with serving(build_app(settings)) as url, httpx.AsyncClient() as client:
        response = await client.get(f"{url}/healthz")
        missing = await client.get(f"{url}/nope")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert missing.status_code == 404


def test_plgbot_serve_starts_migrates_and_answers(tmp_path: Path) -> None:
    """The console script as a newcomer runs it: a fresh SQLite file, no platform keys."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "PLGBOT_PORT": str(port)}
    plgbot = Path(sys.executable).parent / "plgbot"
    process = subprocess.Popen(
        [str(plgbot), "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.communicate()[0]) from None
                time.sleep(0.1)
        assert response.json() == {"status": "ok"}
        assert (tmp_path / "serve.db").exists()
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert "Traceback" not in output, output


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_readyz_reports_migrations_and_metrics_count_requests(tmp_path: Path) -> None:

    url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    app = build_app(Settings(database_url=url))
    async with serving(app) as base, httpx.AsyncClient() as client:
        pending = await client.get(f"{base}/readyz")
        db = Database(url)
        await db.upgrade()
        await db.dispose()
        ready = await client.get(f"{base}/readyz")
        await client.get(f"{base}/healthz")
        exposed = (await client.get(f"{base}/metrics")).text
    assert pending.status_code == 503 and pending.json() == {"status": "migrations pending"}
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "inbox": {"waiting": 0, "oldest_waiting_seconds": 0, "set_aside": 0},
    }
    assert 'plgbot_http_requests_total{path="/healthz",status="200"}' in exposed
    assert 'plgbot_http_response_seconds_bucket{le="0.005",path="/readyz"}' in exposed


async def test_readyz_is_503_not_500_when_the_database_is_unreachable() -> None:
    settings = Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none")
    async with serving(build_app(settings)) as base, httpx.AsyncClient() as client:
        response = await client.get(f"{base}/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


async def test_a_delivery_waiting_for_minutes_shows_on_readyz_and_metrics(tmp_path: Path) -> None:
    """Message text may wait in the inbox only briefly: one that waits long is visible."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    db = Database(url)
    await db.upgrade()
    received = datetime.now(UTC) - timedelta(minutes=10)
    async with db.session() as session:
        await inbox.receive(
            session,
            inbox.Arrival("slack:T1:Ev1", "slack", "message", "{}", "T1", "U1"),
            received,
            received + timedelta(days=1),
        )
        session.add(
            Delivery(key="slack:T1:Ev2", state=inbox.SET_ASIDE, received_at=received, attempts=5)
        )
    await db.dispose()
    async with (
        serving(build_app(Settings(database_url=url))) as base,
        httpx.AsyncClient() as client,
    ):
        ready = await client.get(f"{base}/readyz")
        exposed = (await client.get(f"{base}/metrics")).text
    assert ready.status_code == 200
    detail = ready.json()["inbox"]
    assert detail["waiting"] == 1 and detail["set_aside"] == 1
    assert 590 < detail["oldest_waiting_seconds"] < 700
    assert "5 minutes" in detail["warning"]
    assert "plgbot_inbox_waiting 1.0" in exposed
    assert "plgbot_inbox_set_aside 1.0" in exposed
