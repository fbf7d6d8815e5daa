"""The floor of benchmark 1's durable path: a bare Bolt app that commits before it
acknowledges, and the least each piece of plgbot's path can cost, each measured alone.

    .venv/bin/python -m bench.floor                  # the floor alone, 4,000 per piece
    .venv/bin/python -m bench.floor --events 500     # a quick look
    .venv/bin/python -m bench.floor serve --port 8113 --api-url http://127.0.0.1:8111/api/ \\
        --database /tmp/floor.db                     # the durable-ack floor app itself

``bench.events`` runs all of this side by side with plgbot in every round; run alone,
this module measures the floor without plgbot (the bare app, the durable-ack app and
the pieces).

**The durable-ack floor app** (:func:`durable_app`): a bare slack-bolt ``AsyncApp``
served like ``bench/bare_bolt.py`` (Starlette, uvicorn, one process, no access log),
with ``process_before_response=True``: its ``app_mention`` listener commits the raw
event (the request's JSON) as a row of ``floor_deliveries`` in a SQLite file, keyed
like plgbot's inbox (``slack:<team>:<event id>``, a retry is ignored by the primary
key), and returns; only then does Bolt answer 200. So a delivery that got its 200 is in
the database, as in plgbot. It is what plgbot's acknowledgement cannot be cheaper than
with the libraries it must use, and plgbot's ack p99 is compared with it.

The database is set up as plgbot sets up its own (``storage/database.py``): SQLAlchemy's
async engine on aiosqlite with plgbot's connection (``storage/sqlite_connection.py``:
statements run on the event loop's thread, only a statement that meets another
process's lock goes to aiosqlite's thread), WAL, ``synchronous=NORMAL``,
``secure_delete=ON``. The statements go through SQLAlchemy Core (``engine.begin()``),
not an ORM session: the least SQLAlchemy spends on a transaction.

**The pieces**, each alone, 50 at a time (the server's CPU for the ack, this
process's CPU for the others), after a warm-up:

* **ack**: the bare Bolt app (``bench/bare_bolt.py``, a no-op listener) under the load
  generator: verify the signature, parse, acknowledge.
* **durable commit**: one transaction that inserts a delivery's raw JSON (the load's own
  event, about 700 bytes) into ``floor_deliveries``, as the floor app does.
* **reply**: one ``chat.postEphemeral`` through slack_sdk's ``AsyncWebClient`` to the
  mock Slack in its own process.
* **claim-and-commit**: one transaction that marks such a row done, blanking its
  payload (``UPDATE ... WHERE key = ? AND state = 'waiting'``), as plgbot's claim
  closes a delivery; every update must hit its row.

Their sum is the floor of the durable path: what a Slack event that is committed before
its 200, answered and closed costs at least, before anything is parsed, routed,
classified or stored beyond the claim. Without the durable commit it is the floor of the
path before the inbox (ack, reply, claim), the one ``3e38491`` has.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Column, MetaData, String, Table, Text, bindparam, event, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.load import CHANNEL, PEOPLE, mention
from bench.mock_slack import BOT_TOKEN

CONCURRENCY = 50
# The floor app's inbox: the fewest columns a durable, deduplicated delivery needs.
FLOOR_TABLE = "floor_deliveries"
metadata = MetaData()
deliveries = Table(
    FLOOR_TABLE,
    metadata,
    Column("key", String(200), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("finished_at", String(40)),
    Column("payload", Text),
)
KEEP = sqlite.insert(deliveries).on_conflict_do_nothing(index_elements=["key"])
CLOSE = (
    update(deliveries)
    .where(deliveries.c.key == bindparam("k"), deliveries.c.state == "waiting")
    .values(state="done", payload=None, finished_at=bindparam("now"))
)

Connection = Literal["loop", "thread"]


def floor_engine(path: Path, connection: Connection = "loop") -> AsyncEngine:
    """SQLAlchemy's async engine on the SQLite file ``path``, set up as plgbot's
    ``storage.Database`` sets up its own. ``thread``: plain aiosqlite instead (every
    call on aiosqlite's thread, the library's default), for comparison."""
    from storage.sqlite_connection import BUSY_TIMEOUT_MS, connector

    kwargs: dict[str, Any] = {}
    busy_timeout = BUSY_TIMEOUT_MS
    if connection == "loop":
        kwargs["async_creator"] = connector(str(path))
        busy_timeout = 0
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}", hide_parameters=True, **kwargs)

    def pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout}")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    event.listen(engine.sync_engine, "connect", pragmas)
    return engine


async def create_table(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)


def _now() -> str:
    return datetime.now(UTC).isoformat()


class FloorInbox:
    """The floor app's inbox: one transaction per call, and the process's transactions
    take turns (an ``asyncio.Lock``), as ``storage.Database``'s sessions do on SQLite.

    Without the turn, transactions overlap (opening a connection runs on aiosqlite's
    thread, a checkout that finds SQLAlchemy's pool empty waits on the event loop) and
    the pool's overflow connections are opened and closed over and over: measured here,
    777 connections for 4,200 deliveries at 50 clients, 1.7 ms of server CPU per
    delivery instead of 1.0 ms, and an ack p99 past a second in one run at 200 clients.
    With the turn, one connection serves them all."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._turn = asyncio.Lock()

    async def keep(self, key: str, payload: str) -> bool:
        """The durable commit: the delivery's raw JSON, committed; False for a retry."""
        row = {"key": key, "state": "waiting", "received_at": _now(), "payload": payload}
        async with self._turn, self.engine.begin() as connection:
            result = await connection.execute(KEEP, row)
        return bool(result.rowcount == 1)

    async def close(self, key: str) -> bool:
        """The claim-and-commit: a waiting row done, payload blanked; False if none."""
        async with self._turn, self.engine.begin() as connection:
            result = await connection.execute(CLOSE, {"k": key, "now": _now()})
        return bool(result.rowcount == 1)


# The durable-ack floor app.


def durable_app(api_url: str, database: Path) -> Any:
    """A bare Bolt app whose ``app_mention`` listener commits the raw event before Bolt
    answers (``process_before_response``); served like ``bench/bare_bolt.py``."""
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncApp
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from bench.load import PATH, SECRET

    engine = floor_engine(database)
    inbox = FloorInbox(engine)
    bolt = AsyncApp(
        name="durable-floor",
        signing_secret=SECRET,
        client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url),
        process_before_response=True,
    )

    @bolt.event("app_mention")
    async def kept(body: dict[str, Any]) -> None:
        key = f"slack:{body['team_id']}:{body['event_id']}"
        await inbox.keep(key, json.dumps(body, separators=(",", ":")))

    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await create_table(engine)
        try:
            yield
        finally:
            await engine.dispose()

    return Starlette(
        routes=[
            Route(PATH, events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


# The pieces, measured alone.


async def cpu_per_operation(
    operation: Callable[[int], Awaitable[Any]], count: int, concurrency: int = CONCURRENCY
) -> float:
    """Milliseconds of this process's CPU (all its threads) per call of ``operation``,
    ``concurrency`` calls in flight at a time, after a warm-up."""
    await asyncio.gather(*(operation(-1 - n) for n in range(concurrency)))
    queue = iter(range(count))

    async def worker() -> None:
        for n in queue:
            await operation(n)

    cpu = time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (time.process_time() - cpu) / count * 1000


async def reply_cost(api_url: str, count: int) -> float:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=api_url)

    async def reply(n: int) -> None:
        await client.chat_postEphemeral(
            channel=CHANNEL, user=PEOPLE[n % len(PEOPLE)], text="Genoteerd, dank je wel!"
        )

    try:
        return await cpu_per_operation(reply, count)
    finally:
        if client.session is not None:
            await client.session.close()


async def durable_costs(
    database: Path, count: int, run: str = "FLOOR", connection: Connection = "loop"
) -> dict[str, float]:
    """The durable commit and the claim-and-commit of ``count`` deliveries, each alone
    (all commits, then all claims), milliseconds of CPU each."""
    engine = floor_engine(database, connection)
    await create_table(engine)
    inbox = FloorInbox(engine)
    ts_base = int(time.time())
    payloads = {
        n: json.dumps(mention(run, n % 1_000_000, ts_base=ts_base), separators=(",", ":"))
        for n in range(-CONCURRENCY, count)
    }

    def key(n: int) -> str:
        return f"slack:floor:{run}:{ts_base}:{n}"

    async def commit(n: int) -> None:
        if not await inbox.keep(key(n), payloads[n]):
            raise RuntimeError("a new delivery was refused as a retry")

    async def claim(n: int) -> None:
        if not await inbox.close(key(n)):
            raise RuntimeError("a waiting delivery was not there to close")

    try:
        commit_ms = await cpu_per_operation(commit, count)
        claim_ms = await cpu_per_operation(claim, count)
        async with engine.connect() as conn:
            done = (
                await conn.exec_driver_sql(
                    f"SELECT count(*) FROM {FLOOR_TABLE} WHERE key LIKE ? AND state = 'done'"
                    " AND payload IS NULL",
                    (f"slack:floor:{run}:{ts_base}:%",),
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    if done != count + CONCURRENCY:
        raise RuntimeError(f"{done} of {count + CONCURRENCY} floor deliveries closed")
    return {"commit_ms": commit_ms, "claim_ms": claim_ms}


async def store_cost(database: Path, count: int) -> float:
    """plgbot's own claim through ``storage.Database`` (the ORM session, the process's
    SQLite turn), in a migrated database: the store piece of the floor before the
    inbox. Kept for ``tests/load/test_floor.py``; the floor now uses :meth:`FloorInbox.close`."""
    from bench.serving import database_url
    from storage import Database
    from storage.events import claim_event

    db = Database(database_url(database))
    await db.upgrade()

    async def store(n: int) -> None:
        async with db.session() as session:
            if not await claim_event(session, f"slack:EvFLOOR{n:08d}", datetime.now(UTC)):
                raise RuntimeError("a new event was refused as a duplicate")

    try:
        return await cpu_per_operation(store, count)
    finally:
        await db.dispose()


async def pieces(api_url: str, workdir: Path, count: int, run: str) -> dict[str, float]:
    """The pieces besides the ack, alone, one after the other."""
    durable = await durable_costs(workdir / f"floor-{run}.db", count, run)
    thread = await durable_costs(workdir / f"floor-{run}-thread.db", count, run, "thread")
    reply = await reply_cost(api_url, count)
    return {
        **durable,
        "reply_ms": reply,
        "commit_thread_ms": thread["commit_ms"],
        "claim_thread_ms": thread["claim_ms"],
    }


def floor_ms(ack_ms: float, piece: dict[str, float], *, durable: bool = True) -> float:
    """The floor of the durable path (or, ``durable=False``, of the path before it)."""
    commit = piece["commit_ms"] if durable else 0.0
    return ack_ms + commit + piece["reply_ms"] + piece["claim_ms"]


def table(result: dict[str, Any]) -> str:
    """The retired verdict of the old throughput target (fully processed/s ≥ 0.5× the
    bare app's acks/s), from a result with ``ack_ms``, ``reply_ms``, ``store_ms``,
    ``floor_ms``, ``budget_ms`` and ``bare_acks_per_s``. Not in bench/README.md any more;
    kept for ``tests/load/test_floor.py``."""
    floor, budget = result["floor_ms"], result["budget_ms"]
    verdict = "fits" if floor <= budget else "**does not fit**"
    return "\n".join(
        [
            "| piece | server CPU per event |",
            "|---|---|",
            f"| ack: bare Bolt, verify and acknowledge | {result['ack_ms']:.2f} ms |",
            f"| reply: one chat.postEphemeral (slack_sdk) | {result['reply_ms']:.2f} ms |",
            f"| store: claim the event and commit (SQLAlchemy, SQLite) | "
            f"{result['store_ms']:.2f} ms |",
            f"| **floor** (sum) | **{floor:.2f} ms** |",
            f"| budget: 1 / (0.5 × {result['bare_acks_per_s']:,.0f} bare acks/s) "
            f"| {budget:.2f} ms |",
            "",
            f"Floor / budget: {floor / budget:.2f}× (the floor {verdict} the target's budget).",
        ]
    )


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    uvicorn.run(
        durable_app(args.api_url, args.database),
        host="127.0.0.1",
        port=args.port,
        log_level=args.log_level,
        access_log=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="The floor of benchmark 1's durable path")
    parser.add_argument("--events", type=int, default=4000, help="events per run and piece")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here")
    commands = parser.add_subparsers(dest="command")
    app = commands.add_parser("serve", help="serve the durable-ack floor app")
    app.add_argument("--port", type=int, required=True)
    app.add_argument("--api-url", required=True)
    app.add_argument("--database", type=Path, required=True)
    app.add_argument("--log-level", default="info")
    args = parser.parse_args()
    if args.command == "serve":
        serve(args)
        return
    from bench import events

    with tempfile.TemporaryDirectory(prefix="plgbot-floor-") as tmp:
        result = asyncio.run(
            events.bench(
                args.events,
                Path(tmp),
                events.CONCURRENCY,
                apps=("bare", "floor"),
                rounds=args.rounds,
            )
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    print(events.table(result))


if __name__ == "__main__":
    main()
