"""A fake Bot Connector service on loopback: records what the bot sends and answers like
the real one. Activities posted to plgbot get their ``serviceUrl`` pointed here.

It also serves OpenID metadata and a signing key of its own, so tests can mint Bot
Framework tokens that botbuilder's real validation accepts (or rejects for the right
reason).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TOKEN_ISSUER = "https://api.botframework.com"
KEY_ID = "fake-connector-key"


@dataclass
class Call:
    kind: str  # "create", "activity", "update", "members", "member" or "channels"
    method: str
    path: str
    conversation_id: str | None = None
    reply_to_id: str | None = None
    body: Any = None
    # The id the connector answered with: what Teams calls the posted message.
    response_id: str | None = None

    @property
    def card(self) -> dict[str, Any]:
        """The Adaptive Card this call sent (the first attachment)."""
        attachments = (self.body or {}).get("attachments") or []
        assert attachments, f"no card in {self.body}"
        content: dict[str, Any] = attachments[0]["content"]
        return content

    @property
    def card_text(self) -> str:
        """Every string shown on the card, in order, one per line."""
        return "\n".join(_texts(self.card))


@dataclass
class Member:
    id: str
    name: str
    aad_object_id: str
    # As Teams gives them for a team's members: e-mail and UPN, "user" or "guest".
    email: str | None = None
    user_role: str = "user"

    def json(self) -> dict[str, str]:
        found = {"id": self.id, "name": self.name, "aadObjectId": self.aad_object_id}
        if self.email:
            found |= {"email": self.email, "userPrincipalName": self.email}
        return found | {"userRole": self.user_role}


@dataclass
class FakeConnector:
    members: list[Member] = field(default_factory=list)
    # The team's channels other than General, by id.
    channels: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    # Set to make every call fail with this HTTP status, or take this long.
    fail_with: int | None = None
    # Set to answer every card update with 404.
    refuse_updates: bool = False
    delay: float = 0.0
    # Calls answered so far (``calls`` holds them as they arrive, before any delay).
    answered: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _chats: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    base_url: str = ""

    # -- what the bot sent -------------------------------------------------------
    @property
    def sent(self) -> list[Call]:
        """Activities the bot posted (new messages and replies), oldest first."""
        return [c for c in self.calls if c.kind == "activity"]

    def sent_to(self, conversation_id: str) -> list[Call]:
        return [c for c in self.sent if c.conversation_id == conversation_id]

    @property
    def updated(self) -> list[Call]:
        """Activities the bot replaced (a submitted card answered in place)."""
        return [c for c in self.calls if c.kind == "update"]

    @property
    def created(self) -> list[Call]:
        return [c for c in self.calls if c.kind == "create"]

    def clear(self) -> None:
        self.calls.clear()

    # -- tokens --------------------------------------------------------------------
    def token(
        self,
        *,
        app_id: str,
        service_url: str,
        expires_in: int = 600,
        issuer: str = TOKEN_ISSUER,
        key: rsa.RSAPrivateKey | None = None,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": app_id,
            "serviceurl": service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + expires_in,
        }
        return jwt.encode(claims, key or self._key, algorithm="RS256", headers={"kid": KEY_ID})

    # -- the service ---------------------------------------------------------------
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v3/conversations", self._create, methods=["POST"]),
                Route("/v3/conversations/{cid}/activities", self._activity, methods=["POST"]),
                Route("/v3/conversations/{cid}/activities/{aid}", self._activity, methods=["POST"]),
                Route("/v3/conversations/{cid}/activities/{aid}", self._update, methods=["PUT"]),
                Route("/v3/conversations/{cid}/members", self._members, methods=["GET"]),
                Route("/v3/conversations/{cid}/pagedmembers", self._paged, methods=["GET"]),
                Route("/v3/conversations/{cid}/members/{mid}", self._member, methods=["GET"]),
                Route("/v3/teams/{tid}/conversations", self._channels, methods=["GET"]),
                Route("/openid", self._openid, methods=["GET"]),
                Route("/keys", self._keys, methods=["GET"]),
            ]
        )

    async def _record(
        self, request: Request, kind: str, response_id: str | None = None
    ) -> Response | None:
        body = json.loads(await request.body() or b"null")
        self.calls.append(
            Call(
                kind=kind,
                method=request.method,
                path=request.url.path,
                conversation_id=request.path_params.get("cid"),
                reply_to_id=request.path_params.get("aid"),
                body=body,
                response_id=response_id,
            )
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        self.answered += 1
        if self.fail_with is not None:
            error = {"error": {"code": "ServiceError", "message": "fake failure"}}
            return JSONResponse(error, status_code=self.fail_with)
        return None

    async def _create(self, request: Request) -> Response:
        n = next(self._chats)
        failed = await self._record(request, "create", f"a:created-{n}")
        if failed:
            return failed
        return JSONResponse({"id": f"a:created-{n}", "activityId": f"created-activity-{n}"})

    def chat_opened_with(self, member_id: str) -> str:
        """The id of the personal chat the bot opened with ``member_id``."""
        for call in self.created:
            if call.body["members"] == [{"id": member_id}] and call.response_id:
                return call.response_id
        raise AssertionError(f"no chat was opened with {member_id}")

    async def _activity(self, request: Request) -> Response:
        activity_id = f"1764{next(self._ids):09d}"
        failed = await self._record(request, "activity", activity_id)
        return failed or JSONResponse({"id": activity_id})

    async def _update(self, request: Request) -> Response:
        failed = await self._record(request, "update")
        if self.refuse_updates:
            # Teams refuses to update a message it no longer has (or never sent).
            return JSONResponse({"error": {"code": "NotFound"}}, status_code=404)
        return failed or JSONResponse({"id": request.path_params["aid"]})

    async def _members(self, request: Request) -> Response:
        failed = await self._record(request, "members")
        return failed or JSONResponse([m.json() for m in self.members])

    async def _paged(self, request: Request) -> Response:
        """A page of ``pageSize`` members (Teams' default 200) and the token of the next."""
        failed = await self._record(request, "members")
        if failed:
            return failed
        size = int(request.query_params.get("pageSize") or 200)
        start = int(request.query_params.get("continuationToken") or 0)
        page: dict[str, Any] = {"members": [m.json() for m in self.members[start : start + size]]}
        if start + size < len(self.members):
            page["continuationToken"] = str(start + size)
        return JSONResponse(page)

    async def _member(self, request: Request) -> Response:
        failed = await self._record(request, "member")
        if failed:
            return failed
        wanted = request.path_params["mid"]
        for member in self.members:
            if member.id == wanted:
                return JSONResponse(member.json())
        return JSONResponse({"error": {"code": "MemberNotFoundInConversation"}}, 404)

    async def _channels(self, request: Request) -> Response:
        failed = await self._record(request, "channels")
        channels = [{"id": request.path_params["tid"]}]  # General has no name
        channels += [{"id": cid, "name": name} for cid, name in self.channels.items()]
        return failed or JSONResponse({"conversations": channels})

    async def _openid(self, _: Request) -> Response:
        return JSONResponse({"issuer": TOKEN_ISSUER, "jwks_uri": f"{self.base_url}/keys"})

    async def _keys(self, _: Request) -> Response:
        jwk = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk |= {"kid": KEY_ID, "use": "sig", "alg": "RS256", "endorsements": ["msteams"]}
        return JSONResponse({"keys": [jwk]})


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if node.get("type") in {"TextRun", "TextBlock"} else []
        for key, value in node.items():
            if key != "text":
                found.extend(_texts(value))
        return found
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []
