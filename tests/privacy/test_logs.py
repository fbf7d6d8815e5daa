"""Secrets and request bodies never reach the logs: the real server (Slack and Teams
both on, secrets from the environment) takes valid and invalid requests whose bodies
carry a marker, with every logger at DEBUG (plgbot's, uvicorn's with its access log,
Bolt's, slack_sdk's, botbuilder's, aiohttp's, httpx's, SQLAlchemy's), and no record
holds the marker or a secret."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp

from adapters import server
from adapters.settings import load_settings
from adapters.teams import endpoint as teams_app
from tests.slack.fake_slack import BOT_TOKEN, fake_slack
from tests.slack.harness import SECRET, fixture_json, sign
from tests.teams.conftest import STAFF, fixture
from tests.teams.fake_connector import FakeConnector

MARKER = "Kwikstaart-7731"
APP_ID = "plgbot-app-id"
APP_PASSWORD = "teams-client-secret-Q9zX4"
LOGGERS = (
    "",
    "plgbot",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "slack_bolt",
    "slack_sdk",
    "aiohttp",
    "httpx",
    "httpcore",
    "botbuilder",
    "botframework",
    "msrest",
    "msal",
    "jwt",
    "sqlalchemy",
    "apscheduler",
    "asyncio",
)


class Everything(logging.Handler):
    """Keeps every record, formatted as a handler would write it (arguments filled in,
    tracebacks included) and with its raw parts, so nothing hides in ``args``."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.lines.append(repr((record.msg, record.args, record.__dict__)))


@contextmanager
def all_logs() -> Iterator[Everything]:
    handler = Everything()
    touched = {name: logging.getLogger(name) for name in LOGGERS}
    touched |= {
        name: logger
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    saved = {name: (log.level, log.propagate, log.disabled) for name, log in touched.items()}
    for log in touched.values():
        log.setLevel(logging.DEBUG)
        log.disabled = False
    for log in {logging.getLogger(), *(x for x in touched.values() if not x.propagate)}:
        log.addHandler(handler)
    try:
        yield handler
    finally:
        for name, log in touched.items():
            log.removeHandler(handler)
            log.level, log.propagate, log.disabled = saved[name]


@asynccontextmanager
async def serving_loudly(app: ASGIApp) -> AsyncIterator[str]:
    """Like tests.live_server.serving, but with uvicorn at its most talkative."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="trace", access_log=True, log_config=None
    )
    server_ = uvicorn.Server(config)
    task = asyncio.create_task(server_.serve())
    try:
        while not server_.started:
            assert not task.done(), task.result()
            await asyncio.sleep(0.01)
        port = server_.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server_.should_exit = True
        await asyncio.wait_for(task, timeout=10)


async def test_no_secret_and_no_body_reaches_any_log(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    connector = FakeConnector(members=list(STAFF))
    with all_logs() as logs:
        async with fake_slack() as slack, _connector(connector) as connector_url:
            monkeypatch.setattr(teams_app, "CHANNEL_OPENID_METADATA_URL", f"{connector_url}/openid")
            # Secrets come from the environment only, as in production.
            for name, value in {
                "DATABASE_URL": database_url,
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": slack.api_url,
                "MICROSOFT_APP_ID": APP_ID,
                "MICROSOFT_APP_PASSWORD": APP_PASSWORD,
            }.items():
                monkeypatch.setenv(name, value)
            settings = load_settings()
            assert SECRET not in repr(settings) and APP_PASSWORD not in repr(settings)
            from storage import Database

            db = Database(database_url)
            await db.upgrade()
            await db.dispose()
            app = server.build_app(settings)
            async with serving_loudly(app) as url, httpx.AsyncClient(timeout=20) as client:
                sent = await _slack_requests(client, url)
                sent += await _teams_requests(client, url, connector, connector_url)
                # The valid DM was handled: plgbot answered it through Slack's API.
                await slack.wait_for("chat.postMessage", 1)
    assert sent >= 10
    assert logs.lines, "expected the server to log at DEBUG"
    everything = "\n".join(logs.lines)
    assert "/slack/events" in everything  # the access log is on, and was captured
    for secret in (MARKER, SECRET, BOT_TOKEN, APP_PASSWORD):
        leaked = [line for line in logs.lines if secret in line]
        assert not leaked, f"{secret!r} logged: {leaked[:3]}"


async def _slack_requests(client: httpx.AsyncClient, url: str) -> int:
    async def post(body: bytes, **headers: str) -> None:
        stamp = str(int(time.time()))
        sent = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": sign(body, int(stamp)),
        } | headers
        response = await client.post(f"{url}/slack/events", content=body, headers=sent)
        assert response.status_code < 500, response.text

    dm = fixture_json("message_im.json")
    dm["event_id"] = "Ev0LOGS00001"
    dm["event"]["text"] = f"told <@U0BRAM002> about {MARKER} #focus"
    body = json.dumps(dm).encode()
    await post(body)  # valid: handled and answered
    await post(body, **{"X-Slack-Signature": "v0=" + "0" * 64})  # forged
    await post(body, **{"X-Slack-Request-Timestamp": str(int(time.time()) - 3600)})  # stale
    await post(body[:-7])  # malformed JSON, correctly signed
    odd = copy.deepcopy(dm)
    odd["event_id"] = "Ev0LOGS00002"
    odd["event"]["type"] = MARKER
    await post(json.dumps(odd).encode())  # an event type nobody handles
    wrong = copy.deepcopy(dm)
    wrong["event_id"] = "Ev0LOGS00003"
    wrong["event"]["user"] = {"id": MARKER}
    await post(json.dumps(wrong).encode())  # a field of the wrong type
    form = f"payload=%7B%22type%22%3A%22{MARKER}%22%7D".encode()
    await post(form, **{"Content-Type": "application/x-www-form-urlencoded"})
    return 7


async def _teams_requests(
    client: httpx.AsyncClient, url: str, connector: FakeConnector, connector_url: str
) -> int:
    service = f"{connector_url}/"
    token = connector.token(app_id=APP_ID, service_url=service)
    joined = fixture(
        "conversation_update_bot_added", membersAdded=[{"id": "29:1bram"}], text=MARKER
    ) | {"serviceUrl": service}
    message = fixture("message_personal", text=f"told {MARKER}") | {"serviceUrl": service}
    attempts = [
        (joined, {"Authorization": f"Bearer {token}"}),  # valid, needs no reply
        (message, {}),  # no token
        (message, {"Authorization": f"Bearer {MARKER}"}),  # garbage token
        (
            message,
            {"Authorization": f"Bearer {connector.token(app_id='other', service_url=service)}"},
        ),
    ]
    for activity, headers in attempts:
        response = await client.post(f"{url}/api/messages", json=activity, headers=headers)
        assert response.status_code < 500, response.text
    response = await client.post(
        f"{url}/api/messages",
        content=f'{{"type": "{MARKER}", '.encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code < 500
    return len(attempts) + 1


@asynccontextmanager
async def _connector(fake: FakeConnector) -> AsyncIterator[str]:
    from tests.live_server import serving

    async with serving(fake.app()) as url:
        fake.base_url = url
        yield url
