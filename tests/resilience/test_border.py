"""The HTTP border against hostile framing, on the real server over a loopback socket.

Headers no verifier should see (a timestamp in Arabic-Indic digits or 5,000 digits
long, a signature with a non-ASCII character), JSON nested deeper than Python's
recursion limit or holding a 5,000-digit number, clients that hang up in the middle of
their body, and Teams tokens whose signing keys cannot be fetched because Microsoft's
metadata endpoint hangs. Each request gets a 4xx, nothing is stored, no ERROR (no
"Exception in ASGI application" traceback) is logged, and /metrics counts no 5xx.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from adapters.teams.auth import KEYS_FETCH_TIMEOUT
from storage import Database
from storage.models import Base
from tests.deployment.processes import clean_environment, free_port, scrape, wait_until
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SECRET, Plgbot, fixture_json, start_plgbot
from tests.teams.conftest import Teams, fixture
from tests.teams.fake_connector import FakeConnector
from tests.teams.test_auth import APP_ID, secured

# The secured Teams server (an app id, keys from the fake connector), as test_auth has it.
__all__ = ["secured"]

# Deeper than the C JSON parser's recursion limit: json.loads raises RecursionError.
ARRAY_BOMB = b"[" * 100_000
OBJECT_BOMB = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
# Longer than Python's int-from-string limit (4,300 digits): json.loads raises ValueError.
HUGE_NUMBER = "7" * 5_000


# -- what the server logged and counted ---------------------------------------------


class Errors(logging.Handler):
    """ERROR records (tracebacks included) from plgbot and uvicorn."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())


@contextmanager
def logged_errors() -> Iterator[Errors]:
    """Entered once the server runs: uvicorn's startup reconfigures its loggers, which
    drops handlers added to them before."""
    errors = Errors()
    # "uvicorn.error" logs "Exception in ASGI application"; it does not reach the root.
    loggers = [logging.getLogger(name) for name in ("", "plgbot", "uvicorn.error")]
    for logger in loggers:
        logger.addHandler(errors)
    try:
        yield errors
    finally:
        for logger in loggers:
            logger.removeHandler(errors)


async def statuses(url: str, path: str) -> dict[int, float]:
    """How many requests to ``path`` /metrics counted, by status."""
    async with httpx.AsyncClient(timeout=10) as client:
        samples = await scrape(client, url)
    counted: dict[int, float] = {}
    for name, value in samples.items():
        if name.startswith("plgbot_http_requests_total{") and f'path="{path}"' in name:
            status = int(name.split('status="')[1].split('"')[0])
            counted[status] = counted.get(status, 0) + value
    return counted


@asynccontextmanager
async def only_4xx(url: str, path: str, requests: int) -> AsyncIterator[Errors]:
    """Around ``requests`` requests to ``path``: each is counted with a 4xx status,
    none with a 5xx, and nothing is logged at ERROR."""
    before = await statuses(url, path)
    with logged_errors() as errors:
        yield errors
        after = await statuses(url, path)
        assert not errors.seen, errors.seen
    grown = {status: after[status] - before.get(status, 0) for status in after}
    assert not {s: n for s, n in grown.items() if s >= 500 and n}, grown
    assert sum(n for s, n in grown.items() if 400 <= s < 500) == requests, grown


async def rows(db: Database) -> dict[str, int]:
    """Rows in every table plgbot has."""
    async with db.session() as session:
        return {
            table.name: int(
                (await session.execute(select(func.count()).select_from(table))).scalar_one()
            )
            for table in Base.metadata.sorted_tables
        }


# -- raw sockets -------------------------------------------------------------------


async def hang_up_mid_body(url: str, path: str, headers: dict[str, str]) -> None:
    """Send headers announcing 1,000 bytes, then 100 bytes, then close the socket."""
    parts = urlsplit(url)
    _, writer = await asyncio.open_connection(parts.hostname, parts.port)
    lines = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", "Content-Length: 1000"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + b'{"type": "' + b"x" * 90)
    await writer.drain()
    # Long enough for the server to have started reading the body.
    await asyncio.sleep(0.3)
    writer.close()
    await writer.wait_closed()


async def until_counted(url: str, path: str, before: dict[int, float], errors: Errors) -> None:
    """Until /metrics counts one more request to ``path`` (or an ERROR is logged: a
    request that crashed is never counted)."""

    async def counted() -> bool:
        return bool(errors.seen) or sum((await statuses(url, path)).values()) > sum(before.values())

    await wait_until(counted, within=10, what=f"the hung-up request to {path} to be answered")


# -- Slack -------------------------------------------------------------------------


@pytest.fixture
async def plgbot(database_url: str, slack: FakeSlack) -> AsyncIterator[Plgbot]:
    async with start_plgbot(database_url, slack) as bot:
        yield bot


def signature_over(body: bytes, timestamp: str) -> str:
    """Slack's v0 signature over whatever the timestamp header says (``sign`` in the
    harness takes an int, and str() of a 5,000-digit int raises)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()


async def assert_nothing_stored(plgbot: Plgbot, before: dict[str, int]) -> None:
    """Once the server has finished its work after the acknowledgements: no row
    anywhere, and no call to Slack but the startup's ``auth.test``."""
    await plgbot.stop()
    assert await rows(plgbot.db) == before
    assert {c.method for c in plgbot.fake.calls} <= {"auth.test"}


def _in_digits(number: int, zero: int) -> str:
    """``number`` written in another script's digits, from its digit zero up."""
    return "".join(chr(zero + int(digit)) for digit in str(number))


async def test_slack_timestamps_that_are_no_sane_ascii_number_get_401(plgbot: Plgbot) -> None:
    """``str.isdigit`` and ``int`` take Unicode digits, and the verifier's ``int()``
    raises ValueError on 5,000 digits; correctly signed over the header as sent, each is
    still refused before the verifier sees it."""
    before = await rows(plgbot.db)
    body = json.dumps(fixture_json("url_verification.json")).encode()
    now = int(time.time())
    stamps = [
        _in_digits(now, 0x0660),  # Arabic-Indic
        _in_digits(now, 0xFF10),  # fullwidth
        "1" * 400,
        "1" * 5_000,
        f"+{now}",
        f"{now}.0",
        str(now) + "\u0660",
    ]
    async with only_4xx(plgbot.url, "/slack/events", len(stamps)):
        for stamp in stamps:
            headers = {
                "Content-Type": "application/json",
                # Starlette reads header bytes as Latin-1; Slack sends ASCII.
                "X-Slack-Request-Timestamp": stamp.encode(),
                "X-Slack-Signature": signature_over(body, stamp),
            }
            url = f"{plgbot.url}/slack/events"
            response = await plgbot.http.post(url, content=body, headers=headers)  # type: ignore[arg-type]
            assert response.status_code == 401, (stamp[:20], response.status_code)
    await assert_nothing_stored(plgbot, before)


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param("v0=" + "é" * 64, id="non-ascii"),
        pytest.param("v0=" + "0" * 63 + "\u00ff", id="latin-1 byte at the end"),
        pytest.param("v0=" + "\uff41" * 64, id="fullwidth hex"),
        pytest.param("v1=" + "0" * 64, id="another version"),
        pytest.param("v0=" + "0" * 6_000, id="far too long"),
    ],
)
async def test_slack_signatures_that_are_not_ascii_v0_hex_get_401(
    plgbot: Plgbot, signature: str
) -> None:
    """``hmac.compare_digest`` raises TypeError on a non-ASCII str."""
    before = await rows(plgbot.db)
    body = json.dumps(fixture_json("url_verification.json")).encode()
    async with only_4xx(plgbot.url, "/slack/events", 1):
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": str(int(time.time())),
            "X-Slack-Signature": signature.encode("utf-8"),
        }
        url = f"{plgbot.url}/slack/events"
        response = await plgbot.http.post(url, content=body, headers=headers)  # type: ignore[arg-type]
        assert response.status_code == 401
    await assert_nothing_stored(plgbot, before)


async def test_slack_nesting_bombs_and_huge_numbers_get_400_signed_401_unsigned(
    plgbot: Plgbot,
) -> None:
    before = await rows(plgbot.db)
    form = "application/x-www-form-urlencoded"
    signed: list[tuple[bytes, str]] = [
        (ARRAY_BOMB, "application/json"),
        (OBJECT_BOMB, "application/json"),
        (b'{"type": "event_callback", "x": ' + OBJECT_BOMB + b"}", "application/json"),
        (urlencode({"payload": ARRAY_BOMB.decode()}).encode(), form),
        (urlencode({"payload": OBJECT_BOMB.decode()}).encode(), form),
        (b'{"type": "event_callback", "n": ' + HUGE_NUMBER.encode() + b"}", "application/json"),
        (
            urlencode({"payload": '{"type": "block_actions", "n": ' + HUGE_NUMBER + "}"}).encode(),
            form,
        ),
    ]
    async with only_4xx(plgbot.url, "/slack/events", 2 * len(signed)):
        for body, content_type in signed:
            response = await plgbot.post(body, content_type=content_type)
            assert response.status_code == 400, (body[:40], response.status_code)
            unsigned = await plgbot.post(body, content_type=content_type, signature="")
            assert unsigned.status_code == 401, (body[:40], unsigned.status_code)
    await assert_nothing_stored(plgbot, before)


async def test_a_slack_client_hanging_up_mid_body_logs_no_traceback(plgbot: Plgbot) -> None:
    """Starlette raises ClientDisconnect out of ``request.stream()``."""
    before = await rows(plgbot.db)
    counted = await statuses(plgbot.url, "/slack/events")
    with logged_errors() as errors:
        await hang_up_mid_body(
            plgbot.url,
            "/slack/events",
            {
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": str(int(time.time())),
                "X-Slack-Signature": "v0=" + "0" * 64,
            },
        )
        await until_counted(plgbot.url, "/slack/events", counted, errors)
        assert not errors.seen, errors.seen
        assert (await plgbot.http.get(f"{plgbot.url}/healthz")).status_code == 200
    after = await statuses(plgbot.url, "/slack/events")
    assert all(status < 500 for status in after if after[status] != counted.get(status, 0))
    await assert_nothing_stored(plgbot, before)


# -- Teams -------------------------------------------------------------------------

TEAMS_BOMBS = [
    pytest.param(ARRAY_BOMB, id="array bomb"),
    # Within the 256 KB an activity may be (a larger body is a 413 unread).
    pytest.param(b'{"a":' * 30_000 + b"1" + b"}" * 30_000, id="object bomb"),
    pytest.param(b'{"type": "message", "x": ' + HUGE_NUMBER.encode() + b"}", id="huge number"),
]


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# A token in JWT shape whose claims are a nesting bomb (within uvicorn's header limit).
BOMB_TOKEN = ".".join([_base64url(b'{"alg": "RS256"}'), _base64url(b"[" * 8_000), "x"])


def _activity_holding(value: str) -> bytes:
    """A valid personal message with ``value`` (raw JSON) in its channelData."""
    body = json.dumps(fixture("message_personal", serviceUrl="https://smba.example/"))
    return body.replace('"channelData": {', '"channelData": {"x": ' + value + ", ", 1).encode()


TEAMS_ACTIVITIES_WITH_BOMBS = [
    pytest.param(_activity_holding(ARRAY_BOMB.decode()), id="activity with an array bomb"),
    pytest.param(_activity_holding(HUGE_NUMBER), id="activity with a huge number"),
    # Parses (under the recursion limit) but is no activity's shape.
    pytest.param(_activity_holding("[" * 500 + "]" * 500), id="activity nested 500 deep"),
]


@pytest.mark.parametrize("body", [*TEAMS_BOMBS, *TEAMS_ACTIVITIES_WITH_BOMBS])
async def test_teams_bombs_in_local_mode_get_400(
    make_teams: Callable[..., Any], body: bytes
) -> None:
    async with make_teams() as teams:
        before = await rows(teams.db)
        async with only_4xx(teams.url, "/api/messages", 1):
            response = await teams.post_raw(body, headers={"Content-Type": "application/json"})
            assert response.status_code == 400, response.text
        assert await rows(teams.db) == before


@pytest.mark.parametrize("body", [*TEAMS_BOMBS, *TEAMS_ACTIVITIES_WITH_BOMBS])
async def test_teams_bombs_with_and_without_a_token_get_400_or_401(
    secured: Teams, body: bytes
) -> None:
    before = await rows(secured.db)
    forged = FakeConnector().token(app_id=APP_ID, service_url="https://smba.example/")
    valid = secured.connector.token(app_id=APP_ID, service_url="https://smba.example/")
    attempts: list[dict[str, str]] = [
        {},
        {"Authorization": f"Bearer {forged}"},
        {"Authorization": f"Bearer {valid}"},
        {"Authorization": f"Bearer {BOMB_TOKEN}"},
    ]
    async with only_4xx(secured.url, "/api/messages", len(attempts)):
        for headers in attempts:
            response = await secured.post_raw(
                body, headers={"Content-Type": "application/json"} | headers
            )
            assert response.status_code in {400, 401}, response.text
    assert await rows(secured.db) == before
    assert secured.connector.calls == []


async def test_a_teams_client_hanging_up_mid_body_logs_no_traceback(teams: Teams) -> None:
    before = await rows(teams.db)
    counted = await statuses(teams.url, "/api/messages")
    with logged_errors() as errors:
        await hang_up_mid_body(teams.url, "/api/messages", {"Content-Type": "application/json"})
        await until_counted(teams.url, "/api/messages", counted, errors)
        assert not errors.seen, errors.seen
        assert (await teams.client.get(f"{teams.url}/healthz")).status_code == 200
    after = await statuses(teams.url, "/api/messages")
    assert all(status < 500 for status in after if after[status] != counted.get(status, 0))
    assert await rows(teams.db) == before


# -- Teams: Microsoft's key endpoint hangs -----------------------------------------


@asynccontextmanager
async def hanging_endpoint() -> AsyncIterator[tuple[str, list[int]]]:
    """An HTTP server on loopback that accepts every connection and never answers.
    Yields its URL and the number of connections open at each accept."""
    held: list[asyncio.StreamWriter] = []
    open_at_accept: list[int] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        open_at_accept.append(sum(1 for w in held if not w.is_closing()))
        # Read whatever comes, answer nothing, until the client gives up.
        while await reader.read(4096):
            pass
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/openid", open_at_accept
    finally:
        server.close()
        for writer in held:
            writer.close()


SOURCE_TREE = Path(__file__).resolve().parents[2]
# ``plgbot serve`` with the channel's metadata URL set, as tests set it in process.
LAUNCH = """
import sys
from adapters.teams import endpoint as app
app.CHANNEL_OPENID_METADATA_URL = sys.argv[1]
from adapters.cli import main
sys.argv = ["plgbot", "serve", "--port", sys.argv[2]]
main()
"""


@asynccontextmanager
async def serve_teams(
    tmp_path: Path, database_url: str, metadata_url: str
) -> AsyncIterator[tuple[str, asyncio.subprocess.Process, list[str]]]:
    port = free_port()
    env = clean_environment(
        DATABASE_URL=database_url,
        MICROSOFT_APP_ID=APP_ID,
        MICROSOFT_APP_PASSWORD="secret",
        PLGBOT_SCHEDULER="false",
        # This source tree, whichever one the installed package points at.
        PYTHONPATH=str(SOURCE_TREE),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        LAUNCH,
        metadata_url,
        str(port),
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output: list[str] = []

    async def read() -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            output.append(line.decode(errors="replace"))

    reader = asyncio.create_task(read())
    url = f"http://127.0.0.1:{port}"

    async def answers() -> bool:
        assert process.returncode is None, "".join(output)
        try:
            async with httpx.AsyncClient(timeout=2) as client:
                return (await client.get(f"{url}/healthz")).status_code == 200
        except httpx.TransportError:
            return False

    try:
        await wait_until(answers, within=60, what="plgbot serve", output=lambda: "".join(output))
        yield url, process, output
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await asyncio.wait_for(reader, 10)


@pytest.mark.slow
async def test_a_hanging_key_endpoint_costs_one_bounded_fetch_and_fast_401s(
    tmp_path: Path, database_url: str
) -> None:
    """botbuilder fetches the signing keys with ``requests.get`` and no timeout, and
    does not remember a failure: each forged token pinned a worker thread for good
    (here six filled the default pool; every later token waited out the 10 s check
    timeout, logged at ERROR, and each one's thread fetched again)."""
    body = json.dumps(fixture("message_personal", serviceUrl="https://smba.example/"))
    token = FakeConnector().token(app_id=APP_ID, service_url="https://smba.example/")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    async with (
        hanging_endpoint() as (metadata_url, connections),
        serve_teams(tmp_path, database_url, metadata_url) as (url, process, output),
        httpx.AsyncClient(base_url=url, timeout=60) as client,
    ):

        async def forged() -> int:
            return (await client.post("/api/messages", content=body, headers=headers)).status_code

        async def burst() -> tuple[list[int], float]:
            started = time.monotonic()
            answers = await asyncio.gather(*(forged() for _ in range(40)))
            return answers, time.monotonic() - started

        first = asyncio.create_task(burst())
        # The server answers other requests while the keys are being fetched.
        while not first.done():
            started = time.monotonic()
            assert (await client.get("/healthz", timeout=2)).status_code == 200
            assert time.monotonic() - started < 1
            await asyncio.sleep(0.2)
        answers, took = await first
        assert answers == [401] * 40
        assert took < KEYS_FETCH_TIMEOUT + 5, took
        # One fetch at a time: the endpoint saw one connection.
        assert connections == [1], connections

        # The failure is remembered: the next burst is refused at once, without a fetch.
        answers, took = await burst()
        assert answers == [401] * 40
        assert took < 2, took
        assert connections == [1], connections
        assert (await client.get("/healthz")).status_code == 200

        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        await asyncio.wait_for(process.wait(), 15)
        assert time.monotonic() - started < 5
        errors = [line for line in output if " ERROR " in line or "Traceback" in line]
        assert not errors, "".join(output)
