"""A mock Slack Web API for the benchmarks and the load test: small and fast (aiohttp),
answering only what plgbot calls, counting every call, and, when asked, enforcing
Slack's ``chat.postMessage`` limit of about one message per second per channel with a
429 and ``Retry-After`` (integer seconds, as Slack sends it) beyond it.

Any user id is a person (``U…``; the bot is :data:`BOT_USER`), any ``C…`` channel
exists. ``GET /_mock/stats`` gives the counts and, per accepted post, its channel and
time (``time.time()``), so a benchmark in another process can read them.

    .venv/bin/python -m bench.mock_slack --port 8111 --post-interval 1.0

(The tests' fake Slack, ``tests/slack/fake_slack.py``, records arguments and plans
failures for functional tests; this one is built for volume.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_TOKEN = "xoxb-bench-0123456789"
TEAM_ID = "T0SCHOOL01"
TEAM_NAME = "De Benchschool"
BOT_USER = "U0PLGBOT0"
BOT_ID = "B0PLGBOT0"
POSTING = ("chat.postMessage", "chat.postEphemeral")


@dataclass
class MockSlack:
    """State of the mock. ``post_interval`` (seconds, 0 = no limit) is the least time
    between two accepted ``chat.postMessage`` calls in one channel."""

    post_interval: float = 0.0
    # Seconds every posting call takes before it is answered (a slow Slack).
    delay: float = 0.0
    url: str = ""
    calls: Counter[str] = field(default_factory=Counter)
    limited: int = 0
    # Accepted chat.postMessage calls: (channel, time.time(), thread_ts or "").
    posts: list[tuple[str, float, str]] = field(default_factory=list)
    last_reply_at: float = 0.0
    _last_post: dict[str, float] = field(default_factory=dict)
    _ts: int = 0

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def hook_url(self) -> str:
        return f"{self.url}/hooks/commands/{TEAM_ID}/1/bench"

    @property
    def replies(self) -> int:
        """Messages plgbot sent: posts, ephemeral posts and response_url answers."""
        return sum(self.calls[m] for m in (*POSTING, "response_url"))

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _arguments(request)
        if request.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if method in POSTING and self.delay > 0:
            await asyncio.sleep(self.delay)
        if method == "chat.postMessage" and self.post_interval > 0:
            channel = str(args.get("channel", ""))
            now = time.monotonic()
            last = self._last_post.get(channel)
            if last is not None and now - last < self.post_interval:
                self.limited += 1
                wait = max(1, math.ceil(self.post_interval - (now - last)))
                return web.json_response(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={"Retry-After": str(wait)},
                )
            self._last_post[channel] = now
        self.calls[method] += 1
        if method == "chat.postMessage":
            thread = str(args.get("thread_ts") or "")
            self.posts.append((str(args.get("channel", "")), time.time(), thread))
        if method in POSTING:
            self.last_reply_at = time.time()
        return web.json_response(self._answer(method, args))

    async def hook(self, request: web.Request) -> web.Response:
        await request.read()
        self.calls["response_url"] += 1
        self.last_reply_at = time.time()
        return web.Response(text="ok")

    async def stats(self, request: web.Request) -> web.Response:
        body: dict[str, Any] = {
            "calls": dict(self.calls),
            "replies": self.replies,
            "limited": self.limited,
            "last_reply_at": self.last_reply_at,
        }
        if request.query.get("posts"):
            body["posts"] = self.posts
        return web.json_response(body)

    async def reset(self, _: web.Request) -> web.Response:
        self.calls.clear()
        self.posts.clear()
        self.limited = 0
        self.last_reply_at = 0.0
        self._last_post.clear()
        return web.json_response({"ok": True})

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        match method:
            case "auth.test":
                return {
                    "ok": True,
                    "url": "https://benchschool.slack.com/",
                    "team": TEAM_NAME,
                    "user": "plgbot",
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER,
                    "bot_id": BOT_ID,
                    "is_enterprise_install": False,
                }
            case "users.info":
                return _user(str(args.get("user", "")))
            case "conversations.info":
                channel = str(args.get("channel", ""))
                return {"ok": True, "channel": {"id": channel, "name": f"plg-{channel.lower()}"}}
            case "chat.postMessage":
                return {"ok": True, "channel": args.get("channel"), "ts": self._next_ts()}
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": self._next_ts()}
            case "views.open" | "views.publish":
                return {"ok": True, "view": {"id": "V0BENCH"}}
        return {"ok": False, "error": "unknown_method"}

    def _next_ts(self) -> str:
        self._ts += 1
        return f"{int(time.time())}.{self._ts:06d}"


def _user(user_id: str) -> dict[str, Any]:
    is_bot = user_id == BOT_USER
    name = "plgbot" if is_bot else f"Collega {user_id[-4:]}"
    return {
        "ok": True,
        "user": {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name.lower().replace(" ", ""),
            "real_name": name,
            "tz": "Europe/Amsterdam",
            "locale": "nl-NL",
            "is_bot": is_bot,
            "deleted": False,
            "profile": {"real_name": name, "display_name": name},
        },
    }


async def _arguments(request: web.Request) -> dict[str, Any]:
    """Query, form or JSON arguments, as slack_sdk sends them."""
    args: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            args.update(json.loads(await request.read()))
        else:
            args.update(dict(await request.post()))
    return args


def application(mock: MockSlack) -> web.Application:
    app = web.Application()
    app.router.add_route("*", "/api/{method}", mock.api)
    app.router.add_post("/hooks/{path:.*}", mock.hook)
    app.router.add_get("/_mock/stats", mock.stats)
    app.router.add_post("/_mock/reset", mock.reset)
    return app


@asynccontextmanager
async def serving(mock: MockSlack, port: int = 0) -> AsyncIterator[MockSlack]:
    """Serve ``mock`` on 127.0.0.1 (a free port unless given) in this event loop."""
    runner = web.AppRunner(application(mock), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    host, bound = runner.addresses[0][:2]
    mock.url = f"http://{host}:{bound}"
    try:
        yield mock
    finally:
        await runner.cleanup()


async def _serve_forever(port: int, post_interval: float, delay: float) -> None:
    async with serving(MockSlack(post_interval=post_interval, delay=delay), port) as mock:
        print(mock.url, flush=True)
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--post-interval", type=float, default=0.0)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    with suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(args.port, args.post_interval, args.delay))


if __name__ == "__main__":
    main()
