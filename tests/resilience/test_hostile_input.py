"""Hostile input against the real HTTP endpoints: 10,000 generated requests per run.

Requests are the shared Slack and Teams fixtures mutated by hypothesis (keys dropped,
values replaced by junk of any type, huge or odd unicode strings, nested junk, JSON
cut short, bodies that are not UTF-8, bad form encoding, the wrong content type) and
bodies of random bytes. Slack requests are signed correctly, so they get past the
signature check and reach the parsers; some are signed wrongly or too late.

For every request: no 500 (and no server error later, in the work done after the
acknowledgement); /healthz still answers; and nothing is stored from a request that
was refused. Refused-only runs check that on the row counts; mixed runs check that
every delivery the database holds as processed was one the endpoint accepted.

Most requests go through the real Starlette app in process (``httpx.ASGITransport``,
with the app's lifespan running, fakes on loopback); a few hundred go through the real
server on a loopback socket. Runs are derandomized, so CI sees the same requests.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from adapters.server import build_app
from adapters.settings import Settings
from adapters.teams.payloads import MAX_BODY_BYTES
from bot.clock import FixedClock
from storage import Database
from storage.models import Delivery
from tests.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.slack.harness import FIXTURE_NOW, SECRET, start_plgbot
from tests.teams.fake_connector import FakeConnector

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TABLES = ("schools", "people", "interactions", "deliveries", "conversation_references")

# Examples per test: 10,000 requests in all. PLGBOT_FUZZ_SCALE=0.1 runs a tenth (while
# working on this file); CI runs them all.
_SCALE = float(os.environ.get("PLGBOT_FUZZ_SCALE", "1"))
SLACK_MUTATED, TEAMS_MUTATED, SLACK_REFUSED, TEAMS_REFUSED, SLACK_LOOPBACK = (
    max(1, int(n * _SCALE)) for n in (3800, 2800, 1500, 1200, 700)
)


# -- the fixtures to start from ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Seed:
    """A fixture as a tree: a JSON event, or form fields (with ``payload`` decoded)."""

    name: str
    form: bool
    tree: Any


def _seeds(platform: str) -> list[Seed]:
    seeds = []
    for path in sorted((FIXTURES / platform).iterdir()):
        raw = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            seeds.append(Seed(path.name, False, json.loads(raw)))
            continue
        fields: dict[str, Any] = dict(parse_qsl(raw.strip(), keep_blank_values=True))
        if "payload" in fields:
            fields["payload"] = json.loads(fields["payload"])
        seeds.append(Seed(path.name, True, fields))
    return seeds


SLACK_SEEDS = _seeds("slack")
TEAMS_SEEDS = _seeds("teams")

# -- mutations ---------------------------------------------------------------------

ODD_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\u202e\u2066",
        "\ud7ff\ufffd",
        "\U0001d573\U0001d586\U0001d59b\U0001d594",
        "<!channel>",
        "<@U0BRAM002>",
        "<at>x</at>",
        "Ev",
        "U0BRAM002",
        "D0CHANTBOT",
        "1763720400.000300",
        "message",
        "app_mention",
        "event_callback",
        "block_actions",
        "view_submission",
        "-1",
        "1e309",
        "null",
        "{",
        "%ZZ",
    ]
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    ODD_STRINGS,
    st.integers(min_value=1_000, max_value=60_000).map(lambda n: "x" * n),
)
JUNK = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from _paths(value, (*prefix, index))


def _set(tree: Any, path: tuple[Any, ...], value: Any, *, drop: bool = False) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(tree, dict):
        copy = dict(tree)
        if drop and not rest:
            copy.pop(head, None)
        else:
            copy[head] = _set(copy[head], rest, value, drop=drop)
        return copy
    copy_list = list(tree)
    if drop and not rest:
        copy_list.pop(head)
    else:
        copy_list[head] = _set(copy_list[head], rest, value, drop=drop)
    return copy_list


@st.composite
def mutated(draw: st.DrawFn, tree: Any) -> Any:
    """``tree`` with one to four random changes, anywhere in it."""
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(tree))
        path = draw(st.sampled_from(paths[1:] or paths))
        change = draw(st.sampled_from(["drop", "junk", "string", "retype", "nest", "add"]))
        if change == "drop" and path:
            tree = _set(tree, path, None, drop=True)
        elif change == "junk":
            tree = _set(tree, path, draw(JUNK))
        elif change == "string":
            tree = _set(tree, path, draw(LEAVES.filter(lambda v: isinstance(v, str))))
        elif change == "retype":
            tree = _set(tree, path, draw(st.sampled_from([0, 1.5, True, None, [], {}, "0"])))
        elif change == "nest":
            tree = _set(tree, path, {"x": [draw(JUNK)], "y": {"z": draw(JUNK)}})
        else:
            target = tree
            for step in path:
                target = target[step]
            if isinstance(target, dict):
                tree = _set(tree, path, {**target, draw(st.text(max_size=12)): draw(JUNK)})
    return tree


# -- requests ----------------------------------------------------------------------


@dataclass(slots=True)
class Request:
    body: bytes
    content_type: str
    marker: str | None = None  # the event or activity id this request carries, if any
    signature: str = "good"  # Slack: good, bad, stale or missing
    headers: dict[str, str] = field(default_factory=dict)


_numbers = itertools.count(1)


def _encode(data: st.DrawFn, seed: Seed, tree: Any) -> tuple[bytes, str]:
    """The body as Slack or Teams would send it, or spoiled on the way."""
    if seed.form and isinstance(tree, dict):
        fields = {
            str(k): json.dumps(v) if k == "payload" and not isinstance(v, str) else _flat(v)
            for k, v in tree.items()
        }
        body = urlencode(fields).encode()
        kind = "application/x-www-form-urlencoded"
    else:
        body = json.dumps(tree).encode()
        kind = "application/json"
    spoil = data(
        st.sampled_from(["none"] * 8 + ["truncate", "not-utf8", "content-type", "bad-percent"])
    )
    if spoil == "truncate" and body:
        body = body[: data(st.integers(0, len(body) - 1))]
    elif spoil == "not-utf8":
        body = body[: len(body) // 2] + b"\xff\xfe\xc3(" + body[len(body) // 2 :]
    elif spoil == "content-type":
        kind = data(
            st.sampled_from(
                ["text/plain", "application/xml", "multipart/form-data", "", "application/json"]
            )
        )
        if kind == "application/json" and seed.form:
            kind = "application/json; charset=utf-8"
    elif spoil == "bad-percent":
        body = body.replace(b"%", b"%Z", 3) + b"&%ZZ=%G0"
    return body, kind


def _flat(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@st.composite
def slack_requests(draw: st.DrawFn, fake: FakeSlack) -> Request:
    if draw(st.integers(0, 19)) == 0:
        body = draw(st.binary(max_size=3000))
        kind = draw(st.sampled_from(["application/json", "application/x-www-form-urlencoded"]))
        return Request(body, kind, signature=draw(st.sampled_from(["good", "bad"])))
    seed = draw(st.sampled_from(SLACK_SEEDS))
    tree = json.loads(json.dumps(seed.tree))
    marker: str | None = f"EvFUZZ{next(_numbers):07d}"
    if not seed.form:
        tree["event_id"] = marker
    else:
        marker = None
        if "response_url" in tree:
            tree["response_url"] = fake.hook_url()
        payload = tree.get("payload")
        if isinstance(payload, dict) and "response_url" in payload:
            payload["response_url"] = fake.hook_url()
    tree = draw(mutated(tree))
    body, kind = _encode(draw, seed, tree)
    signature = draw(st.sampled_from(["good"] * 17 + ["bad", "stale", "missing"]))
    return Request(body, kind, marker, signature)


@st.composite
def slack_refused(draw: st.DrawFn, fake: FakeSlack) -> Request:
    """Requests that must be refused: signed wrongly or too late, or signed but not a
    payload at all (not UTF-8, JSON cut short, not an object, not a form)."""
    request = draw(slack_requests(fake))
    how = draw(st.sampled_from(["bad", "stale", "missing", "cut", "not-utf8", "scalar"]))
    if how in {"bad", "stale", "missing"}:
        request.signature = how
    elif how == "cut":
        request.body = b'{"type": "event_callback", "event": {' + request.body[:50]
        request.content_type = "application/json"
    elif how == "not-utf8":
        request.body = b"\xff\xfe" + request.body
    else:
        request.body = json.dumps(draw(LEAVES)).encode()
        request.content_type = "application/json"
    request.marker = None
    return request


@st.composite
def teams_requests(draw: st.DrawFn, service_url: str) -> Request:
    if draw(st.integers(0, 19)) == 0:
        return Request(draw(st.binary(max_size=3000)), "application/json")
    seed = draw(st.sampled_from(TEAMS_SEEDS))
    tree = json.loads(json.dumps(seed.tree))
    marker = f"fuzz{next(_numbers):07d}"
    tree |= {"id": marker, "serviceUrl": service_url}
    tree = draw(mutated(tree))
    body, kind = _encode(draw, seed, tree)
    return Request(body, kind, marker)


@st.composite
def teams_refused(draw: st.DrawFn, service_url: str) -> Request:
    request = draw(teams_requests(service_url))
    how = draw(st.sampled_from(["cut", "not-utf8", "scalar", "content-type", "huge"]))
    if how == "cut":
        request.body = b'{"type": "message", "from": {' + request.body[:40]
    elif how == "not-utf8":
        request.body = b"\xff\xfe" + request.body
    elif how == "scalar":
        request.body = json.dumps(draw(LEAVES)).encode()
    elif how == "content-type":
        request.content_type = draw(st.sampled_from(["text/plain", "", "application/xml"]))
    else:
        request.body = b'{"type": "message", "text": "' + b"x" * MAX_BODY_BYTES + b'"}'
    request.content_type = request.content_type if how == "content-type" else "application/json"
    request.marker = None
    return request


# -- the server --------------------------------------------------------------------


class ServerErrors(logging.Handler):
    """ERROR records from plgbot's loggers: a job that failed after the ack is a crash
    the platform never sees."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())


@dataclass
class Target:
    client: httpx.AsyncClient
    db: Database
    slack: FakeSlack
    connector_url: str
    accepted: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    statuses: list[int] = field(default_factory=list)

    async def send_slack(self, request: Request) -> httpx.Response:
        stamp = int(time.time())
        headers = {"Content-Type": request.content_type, "X-Slack-Request-Timestamp": str(stamp)}
        if request.signature == "good":
            headers["X-Slack-Signature"] = sign(request.body, stamp)
        elif request.signature == "bad":
            headers["X-Slack-Signature"] = "v0=" + "0" * 64
        elif request.signature == "stale":
            headers["X-Slack-Request-Timestamp"] = str(stamp - 600)
            headers["X-Slack-Signature"] = sign(request.body, stamp - 600)
        response = await self.client.post("/slack/events", content=request.body, headers=headers)
        self._note(request, response)
        if request.signature != "good":
            assert response.status_code == 401, response.text
        return response

    async def send_teams(self, request: Request) -> httpx.Response:
        headers = {"Content-Type": request.content_type}
        response = await self.client.post("/api/messages", content=request.body, headers=headers)
        self._note(request, response)
        return response

    def _note(self, request: Request, response: httpx.Response) -> None:
        self.statuses.append(response.status_code)
        assert response.status_code < 500, (response.status_code, response.text, request)
        if request.marker is not None:
            ok = response.status_code < 300
            (self.accepted if ok else self.refused).add(request.marker)

    async def counts(self) -> dict[str, int]:
        async with self.db.session() as session:
            return {
                table: int((await session.execute(text(f"SELECT count(*) FROM {table}"))).one()[0])
                for table in TABLES
            }

    async def processed_markers(self) -> set[str]:
        async with self.db.session() as session:
            keys = await session.scalars(select(Delivery.key))
            return {key.rsplit(":", 1)[-1] for key in keys}


def sign(body: bytes, timestamp: int) -> str:
    """Slack's v0 signature over the raw bytes (the SDK's helper wants UTF-8)."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()


def _settings(database_url: str, fake: FakeSlack) -> Settings:
    return Settings.model_validate(
        {
            "database_url": database_url,
            "slack_bot_token": BOT_TOKEN,
            "slack_signing_secret": SECRET,
            "slack_api_url": fake.api_url,
            "teams_local_mode": True,
        }
    )


@asynccontextmanager
async def in_process(db: Database, fake: FakeSlack, connector_url: str) -> AsyncIterator[Target]:
    """The real app (Slack and Teams mounted) with its lifespan, reached through ASGI.
    Leaving it runs the app's shutdown, which waits for the work after the acks."""
    app = build_app(_settings(db.url, fake), clock=FixedClock(FIXTURE_NOW))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://plgbot", timeout=30) as client,
    ):
        yield Target(client, db, fake, connector_url)
        assert (await client.get("/healthz")).status_code == 200


@pytest.fixture
def server_errors() -> Iterator[ServerErrors]:
    handler = ServerErrors()
    logger = logging.getLogger("plgbot")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@pytest.fixture
async def fuzz_connector() -> AsyncIterator[str]:
    from tests.live_server import serving

    fake = FakeConnector()
    async with serving(fake.app()) as url:
        fake.base_url = url
        yield url


def _no_crash(errors: ServerErrors) -> None:
    assert not errors.seen, errors.seen[:20]


async def examples(
    count: int,
    requests: st.SearchStrategy[Request],
    send: Callable[[Request], Coroutine[Any, Any, httpx.Response]],
    *,
    refused: bool = False,
) -> None:
    """Send ``count`` requests drawn by hypothesis. Hypothesis runs in a worker thread,
    so this event loop (the server, the fakes, the work after each acknowledgement)
    keeps running; each request is sent on this loop."""
    loop = asyncio.get_running_loop()

    @settings(settings.get_profile("resilience"), max_examples=count)
    @given(request=requests)
    def one(request: Request) -> None:
        response = asyncio.run_coroutine_threadsafe(send(request), loop).result(timeout=60)
        if refused:
            assert 400 <= response.status_code < 500, (response.status_code, request)

    await asyncio.to_thread(one)


# -- the tests ---------------------------------------------------------------------


async def test_mutated_slack_requests_never_get_a_500_and_refused_ones_store_nothing(
    db: Database, slack: FakeSlack, fuzz_connector: str, server_errors: ServerErrors
) -> None:
    async with in_process(db, slack, fuzz_connector) as target:
        await examples(SLACK_MUTATED, slack_requests(slack), target.send_slack)
    # Leaving the app drained the work after the acknowledgements.
    stored = await target.processed_markers()
    assert not stored & target.refused, sorted(stored & target.refused)[:10]
    assert {s for s in stored if s.startswith("EvFUZZ")} <= target.accepted
    assert {s for s in target.statuses if s < 300} and {s for s in target.statuses if s >= 400}
    _no_crash(server_errors)


async def test_mutated_teams_activities_never_get_a_500_and_refused_ones_store_nothing(
    db: Database, slack: FakeSlack, fuzz_connector: str, server_errors: ServerErrors
) -> None:
    async with in_process(db, slack, fuzz_connector) as target:
        await examples(TEAMS_MUTATED, teams_requests(fuzz_connector + "/"), target.send_teams)
    stored = await target.processed_markers()
    assert not stored & target.refused, sorted(stored & target.refused)[:10]
    assert {s for s in target.statuses if s < 300} and {s for s in target.statuses if s >= 400}
    _no_crash(server_errors)


async def test_refused_requests_store_nothing_and_call_nobody(
    db: Database, slack: FakeSlack, fuzz_connector: str, server_errors: ServerErrors
) -> None:
    async with in_process(db, slack, fuzz_connector) as target:
        before = await target.counts()
        slack.calls.clear()
        await examples(SLACK_REFUSED, slack_refused(slack), target.send_slack, refused=True)
        teams = teams_refused(fuzz_connector + "/")
        await examples(TEAMS_REFUSED, teams, target.send_teams, refused=True)
    assert await target.counts() == before
    assert [c.method for c in slack.calls] == []
    _no_crash(server_errors)


async def test_mutated_requests_through_the_loopback_server(
    database_url: str, slack: FakeSlack, fuzz_connector: str, server_errors: ServerErrors
) -> None:
    """Some of the same requests through uvicorn on a real socket."""
    async with start_plgbot(database_url, slack) as bot:
        async with httpx.AsyncClient(base_url=bot.url, timeout=30) as client:
            target = Target(client, bot.db, slack, fuzz_connector)
            await examples(SLACK_LOOPBACK, slack_requests(slack), target.send_slack)
            assert (await client.get("/healthz")).status_code == 200
        await bot.stop()
        stored = await target.processed_markers()
    assert not stored & target.refused
    assert {s for s in stored if s.startswith("EvFUZZ")} <= target.accepted
    _no_crash(server_errors)
