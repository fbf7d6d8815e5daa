"""``plgbot serve`` as a process with and without Slack settings, and Socket Mode
against a fake Slack WebSocket on loopback."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import WSMsgType, web

from tests.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.slack.harness import SECRET, fixture_json, sign, start_plgbot


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def plgbot_serve(tmp_path: Path, **env: str) -> AsyncIterator[tuple[str, list[str]]]:
    """``plgbot serve`` in a child process; yields its URL and its output so far."""
    port = _free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    clean |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "PLGBOT_PORT": str(port)}
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "plgbot"),
        "serve",
        env=clean | env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    output: list[str] = []

    async def read() -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            output.append(line.decode())

    reader = asyncio.create_task(read())
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    await client.get(f"{url}/healthz")
                    break
                except httpx.TransportError:
                    assert process.returncode is None, "".join(output)
                    assert time.monotonic() < deadline, "".join(output)
                    await asyncio.sleep(0.1)
        yield url, output
    finally:
        process.terminate()
        await process.wait()
        await reader


async def test_serve_without_slack_says_which_variables_switch_it_on(tmp_path: Path) -> None:
    async with plgbot_serve(tmp_path) as (url, output), httpx.AsyncClient() as client:
        assert (await client.post(f"{url}/slack/events", content=b"{}")).status_code == 404
    text = "".join(output)
    assert "Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to serve /slack/events" in text
    assert "Traceback" not in text


async def test_serve_with_slack_answers_a_signed_dm(tmp_path: Path, slack: FakeSlack) -> None:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
    }
    async with plgbot_serve(tmp_path, **env) as (url, output), httpx.AsyncClient() as client:
        body = json.dumps(fixture_json("message_im.json")).encode()
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": sign(body, stamp),
        }
        response = await client.post(f"{url}/slack/events", content=body, headers=headers)
        assert response.status_code == 200
        reply = (await slack.wait_for("chat.postMessage"))[0]
        assert reply.args["channel"] == "D0CHANTBOT"
    text = "".join(output)
    assert "Slack: on, Request URL /slack/events" in text
    for secret in (SECRET, BOT_TOKEN, "Jhj5dZrVaK7ZwHHjRyZWjbDl"):
        assert secret not in text


class FakeSocket:
    """Slack's Socket Mode end: says hello, sends envelopes, collects acknowledgements."""

    def __init__(self) -> None:
        self.url = ""
        self.connected = asyncio.Event()
        self.acks: dict[str, dict[str, Any]] = {}
        self._acked = asyncio.Condition()
        self._socket: web.WebSocketResponse | None = None

    async def handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        self._socket = ws
        self.connected.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                data = json.loads(message.data)
                async with self._acked:
                    self.acks[data["envelope_id"]] = data
                    self._acked.notify_all()
        return ws

    async def send(self, envelope_id: str, payload: dict[str, Any]) -> None:
        assert self._socket is not None
        await self._socket.send_json(
            {
                "envelope_id": envelope_id,
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": 0,
                "retry_reason": "",
                "payload": payload,
            }
        )

    async def ack(self, envelope_id: str) -> dict[str, Any]:
        async with asyncio.timeout(10), self._acked:
            await self._acked.wait_for(lambda: envelope_id in self.acks)
        return self.acks[envelope_id]


@asynccontextmanager
async def fake_socket() -> AsyncIterator[FakeSocket]:
    fake = FakeSocket()
    app = web.Application()
    app.router.add_get("/link", fake.handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    fake.url = f"ws://{host}:{port}/link"
    try:
        yield fake
    finally:
        await runner.cleanup()


async def test_an_app_token_selects_socket_mode(
    database_url: str, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="plgbot")
    async with fake_socket() as ws:
        slack.socket_url = ws.url
        async with start_plgbot(
            database_url, slack, app_token=APP_TOKEN, signing_secret=None
        ) as bot:
            await asyncio.wait_for(ws.connected.wait(), 10)
            assert slack.of("apps.connections.open")
            # Without a signing secret there is nothing to verify HTTP requests with.
            missing = await bot.http.post(f"{bot.url}/slack/events", content=b"{}")
            assert missing.status_code == 404

            await ws.send("env-1", fixture_json("message_im.json"))
            assert (await ws.ack("env-1")) == {"envelope_id": "env-1"}
            reply = (await slack.wait_for("chat.postMessage"))[0]
            assert reply.args["text"].startswith("plgbot help")

            # A malformed payload is acknowledged (so Slack stops sending it) and dropped.
            await ws.send("env-2", {"type": "event_callback", "event": "nonsense"})
            assert (await ws.ack("env-2")) == {"envelope_id": "env-2"}
    assert "Slack: Socket Mode on (SLACK_APP_TOKEN is set)" in caplog.text
    assert "dropped a Socket Mode payload" in caplog.text
    assert len(slack.of("chat.postMessage")) == 1
