"""Servers as child processes for the benchmarks and the load test: the mock Slack,
``plgbot serve`` and the bare Bolt baseline, with their CPU time and memory read from
``/proc`` (Linux), and the PLG the load events are about set up through the server
itself (signed DMs, as a lead would type them)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import aiohttp
from sqlalchemy import text as sql

from bench.load import CHANNEL, PATH, PEOPLE, SECRET, TEAM_ID, signed_headers
from bench.mock_slack import BOT_TOKEN
from storage import Database

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PLG_NAME = "Benchmark"
TICKS = os.sysconf("SC_CLK_TCK")


def database_url(database: Path | str) -> str:
    """A SQLite file by its path, any other database by its URL."""
    return f"sqlite:///{database}" if isinstance(database, Path) else database


async def _one_row(database: Path | str, query: str, **params: str) -> tuple[Any, ...]:
    db = Database(database_url(database))
    try:
        async with db.session() as session:
            return tuple((await session.execute(sql(query), params)).one())
    finally:
        await db.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A child process serving HTTP on ``url``."""

    process: asyncio.subprocess.Process
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process has used so far."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def memory_mb(self, key: str = "VmHWM") -> float:
        """``VmHWM`` is the peak resident set size, ``VmRSS`` the current one."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) / 1024
        raise LookupError(key)


async def _wait_healthy(server: Server, within: float = 60) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(f"{server.url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if server.process.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{server.log.read_text()[-3000:]}")
            await asyncio.sleep(0.1)


@asynccontextmanager
async def child(
    argv: list[str], env: dict[str, str], port: int, log: Path
) -> AsyncIterator[Server]:
    """Run ``argv`` until the block ends (SIGTERM, then wait), output into ``log``."""
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            *argv, env=env, cwd=log.parent, stdout=out, stderr=asyncio.subprocess.STDOUT
        )
        server = Server(process, f"http://127.0.0.1:{port}", log)
        try:
            await _wait_healthy(server)
            yield server
        finally:
            if process.returncode is None:
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


def _environment(root: Path = ROOT, **extra: str) -> dict[str, str]:
    """The environment of a child: no Slack, Teams or database settings of ours, and the
    code of ``root`` first on ``sys.path`` (ahead of the venv's editable install, whose
    finder comes after the path's)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    clean.pop("DATABASE_URL", None)
    clean["PYTHONPATH"] = str(root)
    return clean | extra


@asynccontextmanager
async def plgbot_serve(
    database: Path | str,
    api_url: str,
    workdir: Path,
    *,
    scheduler: bool = False,
    log_name: str = "plgbot-serve.log",
    settings: dict[str, str] | None = None,
    root: Path = ROOT,
) -> AsyncIterator[Server]:
    """``plgbot serve`` on a SQLite file (or a database URL) with Slack pointed at
    ``api_url``; without the scheduler unless asked (benchmark 1 measures the event path
    alone). ``settings`` are further environment variables (``PLGBOT_WORKERS="2"``).
    ``root``: the checkout whose code runs (another commit's worktree, same venv)."""
    port = free_port()
    env = _environment(
        root,
        DATABASE_URL=database_url(database),
        PLGBOT_PORT=str(port),
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
        **(settings or {}),
    )
    argv = [str(BIN / "plgbot"), "serve", *([] if scheduler else ["--no-scheduler"])]
    async with child(argv, env, port, workdir / log_name) as server:
        yield server


@asynccontextmanager
async def bare_bolt(api_url: str, workdir: Path) -> AsyncIterator[Server]:
    port = free_port()
    argv = [sys.executable, "-m", "bench.bare_bolt", "--port", str(port), "--api-url", api_url]
    async with child(argv, _environment(), port, workdir / "bare-bolt.log") as server:
        yield server


@asynccontextmanager
async def durable_floor(api_url: str, workdir: Path, database: Path) -> AsyncIterator[Server]:
    """The durable-ack floor app (``bench/floor.py``) on the SQLite file ``database``."""
    port = free_port()
    argv = [sys.executable, "-m", "bench.floor", "serve", "--port", str(port)]
    argv += ["--api-url", api_url, "--database", str(database)]
    async with child(argv, _environment(), port, workdir / "durable-floor.log") as server:
        yield server


@asynccontextmanager
async def mock_slack_process(
    workdir: Path, post_interval: float = 0.0, delay: float = 0.0
) -> AsyncIterator[str]:
    """The mock Slack in its own process (``delay``: seconds each post takes); yields
    its base URL."""
    port = free_port()
    argv = [sys.executable, "-m", "bench.mock_slack", "--port", str(port)]
    argv += ["--post-interval", str(post_interval), "--delay", str(delay)]
    log: IO[bytes]
    with (workdir / "mock-slack.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            *argv, env=_environment(), stdout=log, stderr=asyncio.subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    await mock_stats(url)
                    break
                except aiohttp.ClientError:
                    if process.returncode is not None or time.monotonic() > deadline:
                        raise RuntimeError("the mock Slack did not start") from None
                    await asyncio.sleep(0.1)
            yield url
        finally:
            process.terminate()
            await process.wait()


async def mock_stats(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/_mock/stats") as response:
        data: dict[str, Any] = await response.json()
        return data


async def send_event(url: str, payload: dict[str, Any]) -> int:
    body = json.dumps(payload).encode()
    async with (
        aiohttp.ClientSession() as http,
        http.post(url + PATH, data=body, headers=signed_headers(body)) as response,
    ):
        return response.status


def _dm(text: str, n: int) -> dict[str, Any]:
    lead = PEOPLE[0]
    ts = f"{int(time.time())}.{n:06d}"
    return {
        "token": "bench",
        "team_id": TEAM_ID,
        "api_app_id": "A0PLGBOT01",
        "event": {
            "type": "message",
            "text": text,
            "user": lead,
            "ts": ts,
            "team": TEAM_ID,
            "channel": f"D{lead[1:]}",
            "event_ts": ts,
            "channel_type": "im",
        },
        "type": "event_callback",
        "event_id": f"EvSETUP{n:05d}",
        "event_time": int(time.time()),
    }


async def wait_for_replies(mock_url: str, count: int, *, stall: float = 30) -> float:
    """Wait until the mock has seen ``count`` replies; the time of the last one. Gives
    up when no reply arrived for ``stall`` seconds."""
    seen, moved = -1, time.monotonic()
    while True:
        stats = await mock_stats(mock_url)
        if stats["replies"] >= count:
            return float(stats["last_reply_at"])
        if stats["replies"] != seen:
            seen, moved = stats["replies"], time.monotonic()
        elif time.monotonic() - moved > stall:
            raise TimeoutError(f"{stats['replies']} of {count} replies, none for {stall}s")
        await asyncio.sleep(0.05)


async def set_up_plg(url: str, mock_url: str, database: Path | str) -> None:
    """The lead starts the PLG and links the channel the load events are sent in, in
    her DM with the bot; checked in the database."""
    for n, text in enumerate(
        (
            f"plg nieuw {PLG_NAME} focus te veel leerlingen blijven zitten",
            f"plg koppel {PLG_NAME} <#{CHANNEL}|plg-bench>",
        )
    ):
        before = (await mock_stats(mock_url))["replies"]
        assert await send_event(url, _dm(text, n)) == 200
        await wait_for_replies(mock_url, before + 1)
    (linked,) = await _one_row(
        database,
        "SELECT count(*) FROM channels WHERE platform_channel_id = :channel AND plg_id IS NOT NULL",
        channel=CHANNEL,
    )
    if linked != 1:
        raise RuntimeError(f"{CHANNEL} was not linked to the PLG")


async def stored(database: Path | str, run: str, ts_base: int) -> dict[str, int]:
    """What run ``run`` (its messages' ``ts`` start with ``ts_base``) left in the
    database: its claimed deliveries, and its interactions (all, and distinct messages)."""
    (events,) = await _one_row(
        database,
        "SELECT count(*) FROM deliveries WHERE key LIKE :key",
        key=f"slack:{TEAM_ID}:Ev{run}%",
    )
    (total, messages) = await _one_row(
        database,
        "SELECT count(*), count(DISTINCT message_key) FROM interactions"
        " WHERE message_key LIKE :key",
        key=f"slack:{TEAM_ID}:{CHANNEL}:{ts_base}.%",
    )
    return {"events": int(events), "interactions": int(total), "messages": int(messages)}


async def tables(database: Path | str) -> set[str]:
    """The tables of a database (SQLite or PostgreSQL): which schema a server made."""
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        if database_url(database).startswith("sqlite")
        else "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema()"
    )
    db = Database(database_url(database))
    try:
        async with db.session() as session:
            return {str(name) for (name,) in (await session.execute(sql(query))).all()}
    finally:
        await db.dispose()


async def alembic_revision(database: Path | str) -> str:
    """The migration a database is at (which code made it)."""
    (revision,) = await _one_row(database, "SELECT min(version_num) FROM alembic_version")
    return str(revision)


async def kept(database: Path | str, run: str, ts_base: int) -> dict[str, Any]:
    """What run ``run`` left in a database of any of benchmark 1's apps, by the schema
    found there: plgbot's inbox (``deliveries``: rows, rows done, payloads blanked),
    plgbot before the inbox (``processed_events``: claims), or the durable-ack floor
    app (``floor_deliveries``: rows); for plgbot also its interactions (all, and
    distinct messages)."""
    found = await tables(database)
    key = f"slack:{TEAM_ID}:Ev{run}%"
    result: dict[str, Any] = {}
    if "deliveries" in found:
        result["schema"] = "deliveries"
        events, done, blanked = await _one_row(
            database,
            "SELECT count(*), count(*) FILTER (WHERE state = 'done'),"
            " count(*) FILTER (WHERE state = 'done' AND payload IS NULL)"
            " FROM deliveries WHERE key LIKE :key",
            key=key,
        )
        result |= {"events": int(events), "done": int(done), "blanked": int(blanked)}
    elif "processed_events" in found:
        result["schema"] = "processed_events"
        (events,) = await _one_row(
            database, "SELECT count(*) FROM processed_events WHERE event_key LIKE :key", key=key
        )
        result |= {"events": int(events), "done": int(events)}
    elif "floor_deliveries" in found:
        result["schema"] = "floor_deliveries"
        (events,) = await _one_row(
            database, "SELECT count(*) FROM floor_deliveries WHERE key LIKE :key", key=key
        )
        return result | {"events": int(events)}
    else:
        raise LookupError(f"no table of deliveries among {sorted(found)}")
    total, messages = await _one_row(
        database,
        "SELECT count(*), count(DISTINCT message_key) FROM interactions"
        " WHERE message_key LIKE :key",
        key=f"slack:{TEAM_ID}:{CHANNEL}:{ts_base}.%",
    )
    return result | {"interactions": int(total), "messages": int(messages)}
