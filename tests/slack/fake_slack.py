"""A fake Slack Web API on loopback, in the spirit of bolt-python's
``tests/mock_web_api_server``: it answers the methods plgbot calls, records every call,
and can be told to answer 429 (with ``Retry-After``) or 500, or to answer slowly.

Response URLs of slash commands point here too (``/hooks/...``), so what the bot
"responds" is recorded like any other call. Files are uploaded the way Slack takes them
since 2024: ``files.getUploadURLExternal`` hands out an upload URL (here, on the fake's
own loopback server), the bytes are POSTed there, and ``files.completeUploadExternal``
shares the uploaded files into a conversation (a channel or DM id, not a user id).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.live_server import serving

BOT_TOKEN = "xoxb-test-0123456789"
APP_TOKEN = "xapp-test-0123456789"
TEAM_ID = "T0SCHOOL01"
TEAM_NAME = "De School"
BOT_USER = "U0PLGBOT0"
BOT_ID = "B0PLGBOT0"

PEOPLE: dict[str, dict[str, Any]] = {
    "U0ANOUK01": {"name": "anouk", "real_name": "Anouk de Vries", "locale": "nl-NL"},
    "U0BRAM002": {"name": "bram", "real_name": "Bram Jansen", "locale": "en-US"},
    "U0CHANT03": {"name": "chantal", "real_name": "Chantal Bakker", "locale": "nl-NL"},
    "U0DIRK004": {"name": "dirk", "real_name": "Dirk Visser", "locale": "nl-NL"},
    "U0EVA0005": {"name": "eva", "real_name": "Eva Smit", "locale": "nl-NL"},
    "U0FLEUR06": {"name": "fleur", "real_name": "Fleur Kok", "locale": "en-GB"},
    # Someone whose display name tries to broadcast when pasted into mrkdwn.
    "U0MALLORY": {"name": "mallory", "real_name": "<!channel> & <@U0ANOUK01>", "locale": "en-GB"},
    BOT_USER: {"name": "plgbot", "real_name": "plgbot", "locale": "en-US", "is_bot": True},
    "U0OTHERBT": {"name": "otherbot", "real_name": "Other bot", "locale": "en-US", "is_bot": True},
}


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    args: dict[str, Any]
    at: float
    status: int


@dataclass(slots=True)
class _Trouble:
    status: int
    times: int
    retry_after: int | None = None
    # Slack's way to refuse: HTTP 200 with ``ok: false`` and this error code.
    error: str | None = None


@dataclass
class Upload:
    """A file as the fake holds it: what was announced, what arrived, where it went."""

    file_id: str
    filename: str
    length: int
    alt_txt: str | None = None
    content: bytes | None = None
    title: str | None = None
    channel: str | None = None
    thread_ts: str | None = None


@dataclass
class FakeSlack:
    """State of the fake: recorded calls, planned failures and delays."""

    url: str = ""
    calls: list[Call] = field(default_factory=list)
    socket_url: str = ""
    _trouble: dict[str, _Trouble] = field(default_factory=dict)
    _delay: dict[str, float] = field(default_factory=dict)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _views: int = 0
    # What chat.postMessage posted, per channel, oldest first, as conversations.history
    # and conversations.replies return it (``metadata`` only when asked for).
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Files by id, in the order their upload URLs were handed out.
    uploads: dict[str, Upload] = field(default_factory=dict)
    # Requests being answered right now (a slow answer may outlive its client).
    in_flight: int = 0
    # A whole workspace for ``users.list`` (Slack's user objects), paged by ``limit``
    # with an opaque cursor; ``users.info`` finds these people too. Empty: PEOPLE.
    workspace: list[dict[str, Any]] = field(default_factory=list)

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def hook_url(self, name: str = "T0SCHOOL01/1234567890/abcdefghijkl") -> str:
        return f"{self.url}/hooks/commands/{name}"

    def fail(
        self, method: str, *, status: int, times: int = 1, retry_after: int | None = None
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with ``status``."""
        self._trouble[method] = _Trouble(status, times, retry_after)

    def refuse(self, method: str, error: str, *, times: int = 1) -> None:
        """Refuse the next ``times`` calls of ``method`` as Slack does, with HTTP 200,
        ``ok: false`` and ``error``; recorded with status 0 (not answered with 200)."""
        self._trouble[method] = _Trouble(200, times, error=error)

    def slow(self, method: str, seconds: float) -> None:
        self._delay[method] = seconds

    def of(self, method: str) -> list[Call]:
        """Calls of ``method`` that were answered with 200."""
        return [c for c in self.calls if c.method == method and c.status == 200]

    async def wait_for(self, method: str, count: int = 1, within: float = 10) -> list[Call]:
        """Wait until ``method`` was answered successfully ``count`` times."""

        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.of(method)) >= count)

        try:
            await asyncio.wait_for(enough(), within)
        except TimeoutError:
            seen = [c.method for c in self.calls]
            message = f"{method} x{count} not called within {within}s; saw {seen}"
            raise AssertionError(message) from None
        return self.of(method)

    async def _record(self, method: str, args: dict[str, Any], status: int) -> None:
        async with self._changed:
            self.calls.append(Call(method, args, time.monotonic(), status))
            self._changed.notify_all()

    async def api(self, request: Request) -> Response:
        self.in_flight += 1
        try:
            return await self._api(request)
        finally:
            self.in_flight -= 1

    async def _api(self, request: Request) -> Response:
        method = request.path_params["method"]
        args = await _arguments(request)
        if method in self._delay:
            await asyncio.sleep(self._delay[method])
        trouble = self._trouble.get(method)
        if trouble is not None and trouble.times > 0:
            trouble.times -= 1
            await self._record(method, args, 0 if trouble.error else trouble.status)
            headers = {"Retry-After": str(trouble.retry_after)} if trouble.retry_after else {}
            error = trouble.error or ("ratelimited" if trouble.status == 429 else "fatal")
            body = {"ok": False, "error": error}
            return JSONResponse(body, status_code=trouble.status, headers=headers)
        token = request.headers.get("authorization", "")
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != f"Bearer {expected}":
            await self._record(method, args, 401)
            return JSONResponse({"ok": False, "error": "invalid_auth"})
        refused = blocks_problem(method, args)
        if refused is not None:
            await self._record(method, args, 0)
            return JSONResponse({"ok": False, "error": refused})
        answer = self._answer(method, args)
        await self._record(method, args, 200)
        return JSONResponse(answer)

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        users = self.workspace or [_user(user_id)["user"] for user_id in PEOPLE]
        start = int(str(args.get("cursor") or "0").removeprefix("dXNlcjo") or 0)
        # Slack may answer a page with fewer than ``limit`` members: this fake at most 50.
        limit = min(int(args.get("limit") or 100), 50)
        page = users[start : start + limit]
        more = start + limit < len(users)
        cursor = f"dXNlcjo{start + limit}" if more else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}

    def shared_files(self, channel: str | None = None) -> list[Upload]:
        """Files shared (completed), into ``channel`` if given."""
        return [
            u
            for u in self.uploads.values()
            if u.channel is not None and (channel is None or u.channel == channel)
        ]

    async def upload(self, request: Request) -> Response:
        """The upload URL: takes the file's bytes (raw, or one multipart ``file``)."""
        upload = self.uploads.get(request.path_params["file_id"])
        body = await request.body()
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form()
            part = form.get("file")
            body = await part.read() if part is not None and not isinstance(part, str) else b""
        if upload is None:
            await self._record("upload", {"bytes": len(body)}, 404)
            return PlainTextResponse("not found", status_code=404)
        upload.content = body
        await self._record("upload", {"file_id": upload.file_id, "bytes": len(body)}, 200)
        return PlainTextResponse(f"OK - {len(body)}")

    async def hook(self, request: Request) -> Response:
        args = await _arguments(request)
        refused = blocks_problem("response_url", args)
        if refused is not None:
            await self._record("response_url", args, 400)
            return PlainTextResponse(refused, status_code=400)
        await self._record("response_url", args, 200)
        return PlainTextResponse("ok")

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        match method:
            case "auth.test":
                return {
                    "ok": True,
                    "url": "https://deschool.slack.com/",
                    "team": TEAM_NAME,
                    "user": "plgbot",
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER,
                    "bot_id": BOT_ID,
                    "is_enterprise_install": False,
                }
            case "users.info":
                user_id = str(args.get("user", ""))
                found = next((u for u in self.workspace if u["id"] == user_id), None)
                return {"ok": True, "user": found} if found else _user(user_id)
            case "users.list":
                return self._users_list(args)
            case "conversations.info":
                channel = str(args.get("channel", ""))
                name = {"C0PLGDATA1": "plg-datateam-havo3", "C0STAFFRM1": "lerarenkamer"}
                if channel not in name:
                    return {"ok": False, "error": "channel_not_found"}
                return {"ok": True, "channel": {"id": channel, "name": name[channel]}}
            case "chat.postMessage":
                posted = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "ts": _ts()}
                posted |= {k: args[k] for k in ("text", "thread_ts", "metadata") if args.get(k)}
                # Posted to a user id, the message lands in (and names) the DM.
                channel = _direct(str(args.get("channel")))
                self.messages.setdefault(channel, []).append(posted)
                return {"ok": True, "channel": channel, "ts": posted["ts"]}
            case "conversations.open":
                users = str(args.get("users") or "")
                if users not in PEOPLE:
                    return {"ok": False, "error": "user_not_found"}
                return {"ok": True, "channel": {"id": _direct(users)}}
            case "files.getUploadURLExternal":
                return self._upload_url(args)
            case "files.completeUploadExternal":
                return self._complete(args)
            case "conversations.history" | "conversations.replies":
                return self._history(method, args)
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": _ts()}
            case "views.open" | "views.publish":
                self._views += 1
                view = dict(args.get("view") or {})
                return {"ok": True, "view": {**view, "id": f"V0FAKE{self._views:04d}"}}
            case "apps.connections.open":
                return {"ok": True, "url": self.socket_url}
        return {"ok": False, "error": "unknown_method"}

    def _upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename, length = args.get("filename"), str(args.get("length") or "")
        if not filename or not length.isdigit() or int(length) == 0:
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F0FAKE{len(self.uploads) + 1:04d}"
        self.uploads[file_id] = Upload(
            file_id, str(filename), int(length), alt_txt=args.get("alt_txt") or None
        )
        return {"ok": True, "upload_url": f"{self.url}/upload/v1/{file_id}", "file_id": file_id}

    def _complete(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            files = json.loads(str(args.get("files") or "[]"))
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        channel = str(args.get("channel_id") or "")
        if channel and not channel.startswith(("C", "G", "D")):
            return {"ok": False, "error": "invalid_channel"}
        done = []
        for item in files:
            upload = self.uploads.get(str(item.get("id")))
            if upload is None or upload.content is None or len(upload.content) != upload.length:
                return {"ok": False, "error": "file_not_found"}
            upload.title = item.get("title") or upload.filename
            upload.channel = channel or None
            upload.thread_ts = args.get("thread_ts") or None
            done.append({"id": upload.file_id, "title": upload.title, "name": upload.filename})
        return {"ok": True, "files": done}

    def _history(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """Like Slack: history is the channel's top-level messages newest first, replies
        a thread's parent and replies oldest first; ``limit`` and ``cursor`` page."""
        posted = self.messages.get(str(args.get("channel")), [])
        if method == "conversations.history":
            found = [m for m in reversed(posted) if not m.get("thread_ts")]
        else:
            thread = str(args.get("ts"))
            found = [m for m in posted if thread in (m["ts"], m.get("thread_ts"))]
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        page = found[start : start + limit]
        if str(args.get("include_all_metadata")).lower() not in {"1", "true"}:
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }


def _user(user_id: str) -> dict[str, Any]:
    person = PEOPLE.get(user_id)
    if person is None:
        return {"ok": False, "error": "user_not_found"}
    return {
        "ok": True,
        "user": {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": person["name"],
            "real_name": person["real_name"],
            "tz": "Europe/Amsterdam",
            "locale": person["locale"],
            "is_bot": person.get("is_bot", False),
            "deleted": False,
            "profile": {
                "real_name": person["real_name"],
                "display_name": person["name"],
                **({} if person.get("is_bot") else {"email": f"{person['name']}@deschool.nl"}),
            },
        },
    }


# Block Kit's limits as Slack enforces them (https://docs.slack.dev/reference/block-kit):
# a message holds 50 blocks, a view 100; past about 13,200 characters of blocks in all
# a message is refused as msg_blocks_too_long (undocumented; measured by others).
_BLOCKS = {"chat.postMessage": 50, "chat.postEphemeral": 50, "chat.update": 50, "response_url": 50}
_VIEW_BLOCKS = 100
_ALL_BLOCKS = 13_000


def blocks_problem(method: str, args: dict[str, Any]) -> str | None:
    """Slack's error for blocks it would refuse, or None."""
    if method in ("views.open", "views.publish", "views.update", "views.push"):
        view = args.get("view")
        blocks, most = (view.get("blocks") if isinstance(view, dict) else None) or [], _VIEW_BLOCKS
    elif method in _BLOCKS:
        blocks, most = args.get("blocks") or [], _BLOCKS[method]
        if len(json.dumps(blocks, ensure_ascii=False)) > _ALL_BLOCKS:
            return "msg_blocks_too_long"
    else:
        return None
    if not isinstance(blocks, list) or len(blocks) > most:
        return "invalid_blocks"
    return next((problem for block in blocks if (problem := _block_problem(block))), None)


def _block_problem(block: dict[str, Any]) -> str | None:
    kind = block.get("type")
    text = (block.get("text") or {}).get("text") or ""
    if kind == "header" and len(text) > 150:
        return "invalid_blocks"
    if kind == "section" and (
        len(text) > 3000
        or len(block.get("fields") or []) > 10
        or any(len(f.get("text") or "") > 2000 for f in block.get("fields") or [])
    ):
        return "invalid_blocks"
    if kind == "actions":
        elements = block.get("elements") or []
        ids = [element.get("action_id") for element in elements]
        # An action_id is unique within its block (Block Kit's element reference).
        if not elements or len(elements) > 25 or len(ids) != len(set(ids)):
            return "invalid_blocks"
        for element in elements:
            label = (element.get("text") or {}).get("text") or ""
            if len(str(element.get("value") or "")) > 2000 or len(label) > 75:
                return "invalid_blocks"
            if len(str(element.get("action_id") or "")) > 255:
                return "invalid_blocks"
    return None


def _ts() -> str:
    return f"{time.time():.6f}"


def _direct(conversation: str) -> str:
    """A user id's DM with the bot (``U0BRAM002`` → ``D0BRAM002``), else unchanged."""
    return f"D{conversation[1:]}" if conversation.startswith(("U", "W")) else conversation


async def _arguments(request: Request) -> dict[str, Any]:
    """Query, form or JSON arguments, as slack_sdk sends them (JSON-encoded form values
    such as ``blocks`` are decoded)."""
    args: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    kind = request.headers.get("content-type", "")
    if body and kind.startswith("application/json"):
        args.update(json.loads(body))
    elif body:
        form = await request.form()
        for key, value in form.items():
            args[key] = value
    for key in ("blocks", "view"):
        if isinstance(args.get(key), str):
            args[key] = json.loads(args[key])
    return args


@asynccontextmanager
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    app = Starlette(
        routes=[
            Route("/api/{method}", fake.api, methods=["GET", "POST"]),
            Route("/hooks/{path:path}", fake.hook, methods=["POST"]),
            Route("/upload/v1/{file_id}", fake.upload, methods=["POST"]),
        ]
    )
    async with serving(app) as url:
        fake.url = url
        yield fake
