"""The border: a request body from the Bot Connector (or the Emulator) checked once and
turned into a botbuilder ``Activity``. Past this point nothing has to wonder whether
``from`` is an object or whether a mention has an id.

botbuilder's own deserializer is lenient (``{"type": 5}`` or a dict as ``text`` pass),
so the shape is checked here on the raw JSON first.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from botbuilder.schema import Activity
from msrest.exceptions import DeserializationError  # type: ignore[attr-defined]

from adapters.json_tree import tree_problem

# Limits follow the storage columns the ids end up in (people.platform_user_id is 128,
# a message key is at most 300 characters), with room for what Teams really sends.
MAX_BODY_BYTES = 256 * 1024
MAX_TEXT_CHARS = 28_000  # Teams itself refuses messages over ~28 KB
MAX_USER_ID = 128
MAX_CONVERSATION_ID = 160
MAX_ACTIVITY_ID = 64
MAX_TENANT_ID = 64
MAX_NAME = 512
MAX_ENTITIES = 100
MAX_MEMBERS = 200
# Activities nest a few levels (an Adaptive Card in an attachment perhaps a dozen or
# two); deeper input is refused before anything walks it recursively.
MAX_DEPTH = 64
# No field of an activity is a number this long; the limit keeps int() of absurd
# digit strings (quadratic, and a ValueError past 4,300 digits) out of the parser.
MAX_INTEGER_DIGITS = 100

# The Bot Framework Emulator sends no tenant; its conversations form one local school.
EMULATOR_TENANT = "local-emulator"


class BadActivityError(ValueError):
    """The body is not an activity plgbot can accept; ``status`` is the HTTP answer."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.status = status


def parse_activity(body: bytes) -> Activity:
    """Check ``body`` and return the activity, with the tenant id normalised into
    ``channelData.tenant.id`` (Teams puts it there and/or in ``conversation.tenantId``,
    which botbuilder's model does not read)."""
    if len(body) > MAX_BODY_BYTES:
        raise BadActivityError("body too large", 413)
    try:
        data = json.loads(body, parse_int=_integer)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadActivityError("body is not JSON") from None
    except RecursionError:
        # The parser recurses per level and gives up at the recursion limit.
        raise BadActivityError("JSON nested too deeply") from None
    if (reason := tree_problem(data, MAX_DEPTH)) is not None:
        raise BadActivityError(reason)
    if not isinstance(data, dict):
        raise BadActivityError("an activity is a JSON object")
    kind = _text(data, "type", required=True, limit=64)
    if kind in {"message", "messageDelete", "messageUpdate"}:
        _text(data, "id", required=True, limit=MAX_ACTIVITY_ID)
    else:
        _text(data, "id", limit=MAX_ACTIVITY_ID)
    _service_url(data)
    channel_id = _text(data, "channelId", required=True, limit=64) or ""
    _account(_required(data, "from"), "from", limit=MAX_USER_ID)
    recipient = _object(data, "recipient")
    if recipient is not None:
        _account(recipient, "recipient")
    conversation = _required(data, "conversation")
    _text(conversation, "id", required=True, limit=MAX_CONVERSATION_ID)
    _text(conversation, "conversationType", limit=32)
    _text(data, "replyToId", limit=MAX_CONVERSATION_ID)
    _text(data, "locale", limit=32)
    _text(data, "timestamp", limit=64)
    text = _text(data, "text", limit=None)
    if text is not None and len(text) > MAX_TEXT_CHARS:
        raise BadActivityError("text too long", 413)
    _entities(data)
    for key in ("membersAdded", "membersRemoved"):
        members = _list(data, key, limit=MAX_MEMBERS)
        for member in members:
            if not isinstance(member, dict):
                raise BadActivityError(f"{key} holds accounts")
            _account(member, key)
    _list(data, "attachments", limit=50)
    channel_data = _object(data, "channelData") or {}
    data["channelData"] = channel_data
    for key in ("tenant", "team", "channel"):
        inner = _object(channel_data, key)
        if inner is not None:
            _text(inner, "id", limit=MAX_CONVERSATION_ID)
            _text(inner, "name", limit=MAX_NAME)
    tenant = _tenant(channel_data, conversation, channel_id)
    channel_data["tenant"] = {**(channel_data.get("tenant") or {}), "id": tenant}
    try:
        activity = Activity().deserialize(data)
    except DeserializationError as error:
        raise BadActivityError(f"not an activity: {error}") from None
    return activity


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise BadActivityError("number too long")
    return int(digits)


def _tenant(channel_data: dict[str, Any], conversation: dict[str, Any], channel_id: str) -> str:
    tenant = (channel_data.get("tenant") or {}).get("id") or _text(
        conversation, "tenantId", limit=MAX_TENANT_ID
    )
    if tenant:
        if len(tenant) > MAX_TENANT_ID:
            raise BadActivityError("tenant id too long")
        return str(tenant)
    if channel_id == "emulator":
        return EMULATOR_TENANT
    raise BadActivityError("no tenant: every Teams activity names its tenant")


def _service_url(data: dict[str, Any]) -> None:
    url = _text(data, "serviceUrl", required=True, limit=2048)
    assert url is not None
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise BadActivityError("serviceUrl is not an http(s) URL")


def _entities(data: dict[str, Any]) -> None:
    for entity in _list(data, "entities", limit=MAX_ENTITIES):
        if not isinstance(entity, dict):
            raise BadActivityError("entities holds objects")
        if _text(entity, "type", required=True, limit=64) != "mention":
            continue
        _account(_required(entity, "mentioned"), "mentioned")
        _text(entity, "text", limit=MAX_NAME + 16)


def _account(account: dict[str, Any], where: str, *, limit: int = MAX_CONVERSATION_ID) -> None:
    _text(account, "id", required=True, limit=limit, where=where)
    _text(account, "name", limit=MAX_NAME, where=where)
    _text(account, "aadObjectId", limit=64, where=where)


def _text(
    data: dict[str, Any],
    key: str,
    *,
    required: bool = False,
    limit: int | None,
    where: str = "",
) -> str | None:
    value = data.get(key)
    name = f"{where}.{key}" if where else key
    if value is None:
        if required:
            raise BadActivityError(f"{name} is missing")
        return None
    if not isinstance(value, str):
        raise BadActivityError(f"{name} must be a string")
    if required and not value.strip():
        raise BadActivityError(f"{name} is empty")
    if limit is not None and len(value) > limit:
        raise BadActivityError(f"{name} is too long")
    return value


def _object(data: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadActivityError(f"{key} must be an object")
    return value


def _required(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = _object(data, key)
    if value is None:
        raise BadActivityError(f"{key} is missing")
    return value


def _list(data: dict[str, Any], key: str, *, limit: int) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadActivityError(f"{key} must be a list")
    if len(value) > limit:
        raise BadActivityError(f"{key} has too many items", 413)
    return value
