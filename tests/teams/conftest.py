"""The real plgbot server on loopback, with Teams enabled, talking to a fake Bot
Connector on loopback: activities go in over HTTP, replies are read off the fake."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from adapters.server import build_app
from adapters.settings import Settings
from bot.clock import FixedClock
from storage import Database
from tests.live_server import serving
from tests.teams.fake_connector import FakeConnector, Member

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "teams"
TENANT = "5f1c0000-0000-4000-8000-00000000abcd"
BOT_ID = "28:plgbot-app-id"
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)

STAFF = [
    Member("29:1anouk", "Anouk de Vries", "aaaa0001-0000-4000-8000-000000000001"),
    Member("29:1bram", "Bram Jansen", "aaaa0002-0000-4000-8000-000000000002"),
    Member("29:1chantal", "Chantal Bakker", "aaaa0003-0000-4000-8000-000000000003"),
    Member("29:1dirk", "Dirk Visser", "aaaa0004-0000-4000-8000-000000000004"),
]


@cache
def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def fixture(name: str, **changes: Any) -> dict[str, Any]:
    """A copy of a shared fixture with top-level fields replaced."""
    return copy.deepcopy(_load(name)) | changes


@dataclass
class Teams:
    """The running server, its database and the fake connector."""

    url: str
    connector: FakeConnector
    connector_url: str
    db: Database
    client: httpx.AsyncClient
    # The server's clock: scheduled jobs run against it too (tests move it on).
    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))
    settings: Settings | None = None

    async def post(
        self, activity: dict[str, Any], *, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """POST ``activity`` to /api/messages with serviceUrl pointed at the fake."""
        body = activity | {"serviceUrl": f"{self.connector_url}/"}
        return await self.client.post(f"{self.url}/api/messages", json=body, headers=headers)

    async def post_raw(self, content: bytes, *, headers: dict[str, str]) -> httpx.Response:
        return await self.client.post(f"{self.url}/api/messages", content=content, headers=headers)


@pytest.fixture
async def connector() -> AsyncIterator[tuple[FakeConnector, str]]:
    fake = FakeConnector(members=list(STAFF))
    async with serving(fake.app()) as url:
        fake.base_url = url
        yield fake, url


@pytest.fixture
def make_teams(database_url: str, connector: tuple[FakeConnector, str]) -> Callable[..., Any]:
    """Start the server with these Settings overrides (local mode by default)."""

    def start(**overrides: Any) -> Any:
        settings = Settings(
            database_url=database_url,
            **({"teams_local_mode": True} | overrides),
        )
        return RunningTeams(settings, connector)

    return start


@pytest.fixture
async def teams(make_teams: Callable[..., Any]) -> AsyncIterator[Teams]:
    async with make_teams() as running:
        yield running


class RunningTeams:
    def __init__(self, settings: Settings, connector: tuple[FakeConnector, str]) -> None:
        self.settings = settings
        self.fake, self.fake_url = connector

    async def __aenter__(self) -> Teams:
        self.db = Database(self.settings.database_url)
        await self.db.upgrade()
        clock = FixedClock(NOW)
        self.serving = serving(build_app(self.settings, clock=clock))
        url = await self.serving.__aenter__()
        self.client = httpx.AsyncClient(timeout=30)
        return Teams(url, self.fake, self.fake_url, self.db, self.client, clock, self.settings)

    async def __aexit__(self, *exc: Any) -> None:
        await self.client.aclose()
        await self.serving.__aexit__(*exc)
        await self.db.dispose()


async def stored(db: Database) -> dict[str, int]:
    """How many rows each table holds that an inbound activity could write to."""
    tables = ("schools", "people", "interactions", "deliveries", "conversation_references")
    async with db.session() as session:
        return {
            table: int((await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
            for table in tables
        }


def message(
    text_: str,
    *,
    author: Member,
    conversation_id: str,
    activity_id: str,
    kind: str = "channel",
    mentions: list[Member] | None = None,
    bot_mentioned: bool = True,
    reply_to: str | None = None,
    locale: str = "nl-NL",
) -> dict[str, Any]:
    """A Teams message shaped like the shared fixtures. ``text_`` uses ``<at>Name</at>``
    for the mentions given (and ``<at>plgbot</at>`` for the bot)."""
    entities: list[dict[str, Any]] = []
    if bot_mentioned:
        entities.append(
            {
                "type": "mention",
                "mentioned": {"id": BOT_ID, "name": "plgbot"},
                "text": "<at>plgbot</at>",
            }
        )
    for person in mentions or []:
        entities.append(
            {
                "type": "mention",
                "mentioned": {"id": person.id, "name": person.name},
                "text": f"<at>{person.name}</at>",
            }
        )
    conversation: dict[str, Any] = {
        "conversationType": kind,
        "tenantId": TENANT,
        "id": conversation_id,
    }
    if kind != "personal":
        conversation["isGroup"] = True
    body: dict[str, Any] = {
        "type": "message",
        "id": activity_id,
        "timestamp": "2026-11-21T11:00:00.0000000Z",
        "channelId": "msteams",
        "from": author.json(),
        "conversation": conversation,
        "recipient": {"id": BOT_ID, "name": "plgbot"},
        "textFormat": "plain",
        "entities": entities,
        "channelData": {"tenant": {"id": TENANT}},
        "locale": locale,
        "text": text_,
    }
    if kind == "channel":
        channel = conversation_id.split(";")[0]
        body["channelData"] |= {
            "channel": {"id": channel},
            "team": {"id": "19:staff@thread.tacv2"},
        }
    if reply_to:
        body["replyToId"] = reply_to
    return body


ANOUK, BRAM, CHANTAL, DIRK = STAFF
