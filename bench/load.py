"""A load generator for a Slack Request URL: ``clients`` concurrent clients, each sending
signed ``event_callback`` deliveries one after the other (a closed loop, as Slack's
own delivery workers do), every one with its own ``event_id`` and message ``ts``.

The event is what a teacher types in a PLG channel: ``@plgbot ik heb @collega verteld
over …`` (an ``app_mention``), so plgbot stores one interaction and replies once. The
authors and colleagues rotate through :data:`PEOPLE` staff ids.

Reports acknowledgement latency (time from sending to the complete response) p50/p99,
acknowledgements per second and errors (any status but 200, or a failed connection).
Run it in its own process so its CPU is not the server's:

    .venv/bin/python -m bench.load --url http://127.0.0.1:8000 --clients 50 --events 5000

``tests/load/test_load.py`` imports :func:`run_load` for the load test.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp

SECRET = "bench-signing-secret-0123456789ab"
TEAM_ID = "T0SCHOOL01"
BOT_USER = "U0PLGBOT0"
CHANNEL = "C0BENCHPLG"
PEOPLE = tuple(f"U0STAFF{n:03d}" for n in range(1, 41))
PATH = "/slack/events"


def event_id(run: str, n: int) -> str:
    return f"Ev{run}{n:07d}"


def mention(run: str, n: int, *, channel: str = CHANNEL, ts_base: int) -> dict[str, Any]:
    """Delivery ``n`` of run ``run``: an ``app_mention`` that logs "told" about a
    colleague. ``ts`` is unique per (``ts_base``, ``n``) for ``n`` below a million.
    Authors are the first half of the staff and colleagues the second, so no event
    confirms another (one conversation, one record: bot/network/conversations.py) and
    each stays one interaction of its own message, which the durability tests count."""
    half = len(PEOPLE) // 2
    author = PEOPLE[n % half]
    colleague = PEOPLE[half + (n * 7 + 3) % half]
    ts = f"{ts_base}.{n:06d}"
    return {
        "token": "bench",
        "team_id": TEAM_ID,
        "api_app_id": "A0PLGBOT01",
        "event": {
            "type": "app_mention",
            "user": author,
            "text": f"<@{BOT_USER}> ik heb <@{colleague}> verteld over de toetsresultaten",
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
        },
        "type": "event_callback",
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "event_id": event_id(run, n),
        "event_time": ts_base,
    }


def signed_headers(
    body: bytes, secret: str = SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """Slack's v0 signature: HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }


@dataclass
class LoadResult:
    """What one run saw. ``latencies`` are in seconds, for acknowledged deliveries."""

    clients: int
    sent: int = 0
    acked: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    @property
    def acks_per_second(self) -> float:
        return self.acked / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile (0-100) of the acknowledgement latency, seconds."""
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=1000, method="inclusive")[
            max(0, min(998, round(p * 10) - 1))
        ]

    def summary(self) -> dict[str, Any]:
        return {
            "clients": self.clients,
            "sent": self.sent,
            "acked": self.acked,
            "errors": dict(self.errors),
            "p50_ms": self.percentile(50) * 1000,
            "p99_ms": self.percentile(99) * 1000,
            "max_ms": max(self.latencies, default=float("nan")) * 1000,
            "acks_per_s": self.acks_per_second,
            "started": self.started,
            "finished": self.finished,
        }


async def run_load(
    url: str,
    *,
    clients: int,
    events: int | None = None,
    duration: float | None = None,
    run: str = "R1",
    first: int = 0,
    secret: str = SECRET,
    channel: str = CHANNEL,
    ts_base: int | None = None,
    pause: float = 0.0,
) -> LoadResult:
    """Send deliveries ``first``, ``first + 1``, … until ``events`` were sent or
    ``duration`` seconds passed, from ``clients`` concurrent clients; each client waits
    ``pause`` seconds after each acknowledgement (0: sends the next one at once)."""
    if events is None and duration is None:
        raise ValueError("give events, duration or both")
    base = int(time.time()) if ts_base is None else ts_base
    numbers = itertools.count(first)
    last = first + events if events is not None else None
    result = LoadResult(clients)
    connector = aiohttp.TCPConnector(limit=clients, limit_per_host=clients)
    timeout = aiohttp.ClientTimeout(total=30)
    target = url.rstrip("/") + PATH

    async def client(http: aiohttp.ClientSession, deadline: float | None) -> None:
        while True:
            n = next(numbers)
            if last is not None and n >= last:
                return
            if deadline is not None and time.monotonic() >= deadline:
                return
            body = json.dumps(mention(run, n, channel=channel, ts_base=base)).encode()
            headers = signed_headers(body, secret)
            result.sent += 1
            began = time.perf_counter()
            try:
                async with http.post(target, data=body, headers=headers) as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as error:
                result.errors[type(error).__name__] += 1
                continue
            if status == 200:
                result.latencies.append(time.perf_counter() - began)
                result.acked += 1
            else:
                result.errors[str(status)] += 1
            if pause:
                await asyncio.sleep(pause)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        result.started = time.time()
        deadline = time.monotonic() + duration if duration is not None else None
        await asyncio.gather(*(client(http, deadline) for _ in range(clients)))
        result.finished = time.time()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="Signed Slack events against a Request URL")
    parser.add_argument("--url", required=True, help="base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--events", type=int)
    parser.add_argument("--duration", type=float)
    parser.add_argument("--run", default="R1", help="event_id prefix, unique per run")
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--secret", default=SECRET)
    parser.add_argument("--ts-base", type=int, help="message ts seconds (default: now)")
    parser.add_argument("--pause", type=float, default=0.0)
    args = parser.parse_args()
    result = asyncio.run(
        run_load(
            args.url,
            clients=args.clients,
            events=args.events,
            duration=args.duration,
            run=args.run,
            first=args.first,
            secret=args.secret,
            ts_base=args.ts_base,
            pause=args.pause,
        )
    )
    print(json.dumps(result.summary()))


if __name__ == "__main__":
    main()
