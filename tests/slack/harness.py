"""The real ``plgbot serve`` app on loopback, wired to the fake Slack, and a client that
signs requests the way Slack does."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select

from adapters.console.scheduling import run_until
from adapters.server import build_app
from adapters.settings import Settings
from adapters.slack.messenger import SlackMessenger
from bot.clock import FixedClock
from bot.ports import Messengers
from bot.service import Bot
from scheduler.jobs import JobSource
from scheduler.meetings import MeetingJobs
from scheduler.nudges import NudgeJobs
from scheduler.rounds import RoundJobs
from scheduler.surveys import SurveyJobs
from storage import Database
from storage.models import Base
from tests.helpers import edges as stored_edges
from tests.live_server import serving
from tests.slack.fake_slack import BOT_TOKEN, Call, FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ANOUK, BRAM, CHANTAL, DIRK = "U0ANOUK01", "U0BRAM002", "U0CHANT03", "U0DIRK004"
EVA, FLEUR = "U0EVA0005", "U0FLEUR06"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "slack"
# The fixtures were sent on 2025-11-21 around 10:10 UTC; the bot's clock stands just
# after, so they fall inside its 12-week window.
FIXTURE_NOW = datetime(2025, 11, 21, 12, 0, tzinfo=UTC)


def fixture_json(name: str) -> dict[str, Any]:
    data = json.loads((FIXTURES / name).read_text())
    assert isinstance(data, dict)
    return data


def fixture_form(name: str) -> dict[str, str]:
    return dict(parse_qsl((FIXTURES / name).read_text().strip(), keep_blank_values=True))


def fixture_payload(name: str) -> dict[str, Any]:
    data = json.loads(fixture_form(name)["payload"])
    assert isinstance(data, dict)
    return data


def sign(body: bytes, timestamp: int, secret: str = SECRET) -> str:
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)
    assert signature is not None
    return signature


class Plgbot:
    """The running server: post signed requests to it, read its database."""

    def __init__(self, url: str, fake: FakeSlack, db: Database, http: httpx.AsyncClient) -> None:
        self.url = url
        self.fake = fake
        self.db = db
        self.http = http
        self.stack = AsyncExitStack()

    async def stop(self) -> None:
        """Shut the server down gracefully: the work it acknowledged is finished after."""
        await self.stack.aclose()

    async def post(
        self,
        body: bytes,
        *,
        content_type: str = "application/json",
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        stamp = int(time.time()) if timestamp is None else timestamp
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": signature if signature is not None else sign(body, stamp),
            **(headers or {}),
        }
        return await self.http.post(f"{self.url}/slack/events", content=body, headers=sent)

    async def event(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return await self.post(json.dumps(payload).encode(), **kwargs)

    async def form(self, fields: dict[str, str], **kwargs: Any) -> httpx.Response:
        body = urlencode(fields).encode()
        return await self.post(body, content_type="application/x-www-form-urlencoded", **kwargs)

    async def interactive(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return await self.form({"payload": json.dumps(payload)}, **kwargs)

    async def command(self, text: str, *, user: str, channel: str = "C0PLGDATA1") -> httpx.Response:
        fields = fixture_form("slash_command_heard.txt")
        fields.update(
            text=text,
            user_id=user,
            channel_id=channel,
            channel_name="directmessage" if channel.startswith("D") else "plg-datateam-havo3",
            trigger_id=f"{time.monotonic_ns()}.1.{user}",
            response_url=self.fake.hook_url(),
        )
        return await self.form(fields)

    async def dm(
        self, text: str, *, user: str, event_id: str, at: datetime | None = None
    ) -> httpx.Response:
        """A direct message to the bot, sent just before the bot's clock (or at ``at``)."""
        payload = fixture_json("message_im.json")
        payload["event_id"] = event_id
        ts = _ts() if at is None else _ts(after=at.timestamp())
        payload["event"].update(text=text, user=user, channel=f"D{user[1:]}", ts=ts)
        return await self.event(payload)

    async def expect(self, method: str, sending: Awaitable[httpx.Response]) -> Call:
        """Send, check the acknowledgement, and wait for the bot's next ``method`` call."""
        seen = len(self.fake.of(method))
        response = await sending
        assert response.status_code == 200, response.text
        return (await self.fake.wait_for(method, seen + 1))[seen]

    async def stored(
        self, done: Callable[[list[tuple[str, str, str, int]]], bool], within: float = 10
    ) -> None:
        """Wait until the stored edges satisfy ``done`` (for work that posts nothing)."""
        deadline = time.monotonic() + within
        while not done(await self.edges()):
            assert time.monotonic() < deadline, f"not stored within {within}s"
            await asyncio.sleep(0.02)

    async def edges(self) -> list[tuple[str, str, str, int]]:
        """Stored interactions as (source, target, origin, knowledge bits)."""
        return await stored_edges(self.db)

    async def count(self, model: type[Base]) -> int:
        async with self.db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)

    async def mention(self, text: str, *, user: str, channel: str, event_id: str) -> httpx.Response:
        """``@plgbot …`` in a channel (an ``app_mention``)."""
        payload = fixture_json("app_mention.json")
        payload["event_id"] = event_id
        payload["event"].update(
            text=f"<@U0PLGBOT0> {text}", user=user, channel=channel, ts=_ts(), event_ts=_ts()
        )
        payload["event"].pop("thread_ts", None)
        return await self.event(payload)

    async def in_thread(
        self, text: str, *, user: str, channel: str, thread_ts: str, event_id: str
    ) -> httpx.Response:
        """A colleague's message in the thread of ``thread_ts`` (a ``message`` event)."""
        payload = fixture_json("message_thread_reply.json")
        payload["event_id"] = event_id
        ts = _ts(after=float(thread_ts))
        payload["event"] = {
            "type": "message",
            "channel": channel,
            "channel_type": "channel",
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "thread_ts": thread_ts,
            "parent_user_id": "U0PLGBOT0",
        }
        return await self.event(payload)


class Scheduled:
    """The scheduler's jobs as ``plgbot serve`` runs them (rounds, nudges, surveys),
    posting through the real Slack messenger to the fake Slack, on the test's clock."""

    def __init__(
        self, fake: FakeSlack, db: Database, clock: FixedClock, *, kinds: tuple[str, ...] = ()
    ) -> None:
        self.client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
        messengers = Messengers()
        messengers.register("slack", SlackMessenger(self.client))
        bot = Bot(db, clock=clock)
        self.clock = clock
        every: list[JobSource] = [
            RoundJobs(bot, messengers),
            NudgeJobs(bot, messengers),
            SurveyJobs(bot, messengers),
            MeetingJobs(bot, messengers),
        ]
        # ``kinds`` keeps only those jobs (``round``, ``nudge``, ``survey``, ``meeting``).
        self.sources = [s for s in every if not kinds or s.kind in kinds]

    async def until(self, moment: datetime) -> None:
        """Let time pass to ``moment``, every job running when it falls due."""
        await run_until(self.sources, self.clock, moment)

    async def close(self) -> None:
        if self.client.session is not None:
            await self.client.session.close()


def view_submission(
    view: dict[str, Any],
    values: dict[str, Any],
    *,
    user: str,
    view_id: str,
    view_hash: str = "1763722400.abcdEFGH",
) -> dict[str, Any]:
    """A view_submission for ``view`` (as the bot opened it) with these input values."""
    payload = copy.deepcopy(fixture_payload("view_submission_reply.txt"))
    payload["user"] = {"id": user, "username": "x", "name": "x", "team_id": "T0SCHOOL01"}
    payload["view"] = {
        "id": view_id,
        "team_id": "T0SCHOOL01",
        "type": "modal",
        "callback_id": view["callback_id"],
        "private_metadata": view["private_metadata"],
        "state": {"values": values},
        "hash": view_hash,
    }
    return payload


def button_press(
    element: dict[str, Any],
    *,
    user: str,
    channel: str | None,
    message_ts: str | None = None,
    response_url: str | None = None,
) -> dict[str, Any]:
    """A block_actions payload: ``user`` pressed ``element`` (a button as plgbot rendered
    it) in a message in ``channel`` (None: on the Home tab); ``response_url`` is where
    Slack lets the app answer the press (the fake's hooks)."""
    payload = fixture_payload("block_actions_reply_button.txt")
    payload["user"] = {"id": user, "username": "x", "name": "x", "team_id": "T0SCHOOL01"}
    payload["trigger_id"] = f"{time.monotonic_ns()}.1.{user}"
    payload["actions"] = [{**element, "block_id": "b1", "action_ts": _ts()}]
    if channel is None:
        payload.pop("channel")
        payload.pop("message")
        payload.pop("response_url")
        payload["container"] = {"type": "view", "view_id": "V0HOME"}
    else:
        payload["channel"] = {"id": channel, "name": "x"}
        ts = message_ts or _ts()
        payload["container"] = {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel,
            "is_ephemeral": False,
        }
        payload["message"]["ts"] = ts
        if response_url is None:
            payload.pop("response_url")
        else:
            payload["response_url"] = response_url
    return payload


@asynccontextmanager
async def start_plgbot(
    url: str,
    fake: FakeSlack,
    *,
    clock: FixedClock | None = None,
    app_token: str | None = None,
    signing_secret: str | None = SECRET,
    coordinator_email: str = "",
) -> AsyncIterator[Plgbot]:
    db = Database(url)
    await db.upgrade()
    settings = Settings(
        database_url=url,
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_signing_secret=SecretStr(signing_secret) if signing_secret else None,
        slack_app_token=SecretStr(app_token) if app_token else None,
        slack_api_url=fake.api_url,
        PLGBOT_COORDINATOR_EMAIL=coordinator_email,
    )
    app = build_app(settings, clock=clock or FixedClock(FIXTURE_NOW))
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            bot = Plgbot("", fake, db, http)
            bot.url = await bot.stack.enter_async_context(serving(app))
            try:
                yield bot
            finally:
                await bot.stop()
    finally:
        await db.dispose()


async def link_plg_channel(bot: Plgbot) -> None:
    """Anouk starts the data team's PLG in her DM and links #plg-datateam-havo3 with
    ``/plg link``, as a lead would."""
    started = await bot.expect(
        "chat.postMessage",
        bot.dm(
            "plg nieuw Datateam havo-3 focus te veel havo-3-leerlingen blijven zitten",
            user=ANOUK,
            event_id="Ev0SETUP0001",
        ),
    )
    assert "Datateam havo-3" in started.args["text"]
    linked = await bot.expect(
        "response_url",
        bot.command("koppel Datateam havo-3 <#C0PLGDATA1|plg-datateam-havo3>", user=ANOUK),
    )
    assert "#plg-datateam-havo3 is nu het kanaal van Datateam havo-3" in linked.args["text"]


_sent = itertools.count(1)


def _ts(after: float | None = None) -> str:
    """A message ts just before the bot's clock (or just after ``after``), unique per
    message."""
    base = FIXTURE_NOW.timestamp() - 3600 if after is None else after
    return f"{base + next(_sent) / 1000:.6f}"
