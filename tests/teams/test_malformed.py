"""Whatever arrives at /api/messages, a client's mistake is a 4xx and stores nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.teams.conftest import Teams, fixture, stored

NOTHING = {
    "schools": 0,
    "people": 0,
    "interactions": 0,
    "deliveries": 0,
    "conversation_references": 0,
}


def _without(key: str) -> dict[str, Any]:
    body = fixture("message_personal")
    del body[key]
    return body


def _with(**changes: Any) -> dict[str, Any]:
    return fixture("message_personal", **changes)


MALFORMED: list[Any] = [
    pytest.param(_without("from"), 400, id="missing from"),
    pytest.param(_without("conversation"), 400, id="missing conversation"),
    pytest.param(_without("type"), 400, id="missing type"),
    pytest.param(_without("id"), 400, id="message without id"),
    pytest.param(_with(type=5), 400, id="type not a string"),
    pytest.param(_with(**{"from": "29:1chantal"}), 400, id="from not an object"),
    pytest.param(_with(**{"from": {"name": "x"}}), 400, id="from without id"),
    pytest.param(_with(conversation={"id": 7}), 400, id="conversation id not a string"),
    pytest.param(_with(text={"html": "x"}), 400, id="text not a string"),
    pytest.param(_with(text="x" * 30_000), 413, id="huge text"),
    pytest.param(_with(entities="mention"), 400, id="entities not a list"),
    pytest.param(
        _with(entities=[{"type": "mention", "text": "<at>x</at>"}]), 400, id="mention without whom"
    ),
    pytest.param(
        _with(entities=[{"type": "mention", "mentioned": {"name": "x"}}]),
        400,
        id="mention without id",
    ),
    pytest.param(_with(timestamp="yesterday"), 400, id="bad timestamp"),
    pytest.param(
        _with(channelData={}, conversation={"id": "a:1", "conversationType": "personal"}),
        400,
        id="no tenant",
    ),
    pytest.param(_with(membersAdded=[3]), 400, id="members not accounts"),
    pytest.param(_with(**{"from": {"id": "29:" + "x" * 200}}), 400, id="user id too long"),
    pytest.param(
        _with(value={"plgbot": "log", "colleagues": ["29:1bram"]}), 400, id="form with a list"
    ),
    pytest.param(
        _with(value={"plgbot": "log", "colleagues": "29:1bram", "note": "n" * 5000}),
        413,
        id="form note huge",
    ),
    pytest.param(_with(value={"plgbot": "action"}), 400, id="button without action"),
    # PostgreSQL's text holds no NUL: one in the id (the inbox key) or anywhere else
    # would fail the insert of an activity already half accepted.
    pytest.param(_with(id="\x00"), 400, id="NUL in the id"),
    pytest.param(_with(text="told <at>Bram</at> \x00"), 400, id="NUL in the text"),
    pytest.param(_with(channelData={"x\x00": 1, "tenant": {"id": "t"}}), 400, id="NUL in a key"),
    pytest.param([1, 2, 3], 400, id="a list"),
    pytest.param("message", 400, id="a string"),
]


@pytest.mark.parametrize(("body", "status"), MALFORMED)
async def test_malformed_activities_are_refused_and_store_nothing(
    teams: Teams, body: Any, status: int
) -> None:
    raw = json.dumps(
        body if not isinstance(body, dict) else body | {"serviceUrl": f"{teams.connector_url}/"}
    )

    response = await teams.post_raw(raw.encode(), headers={"Content-Type": "application/json"})

    assert response.status_code == status, response.text
    assert await stored(teams.db) == NOTHING
    assert teams.connector.calls == []


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        pytest.param(b"{not json", "application/json", 400, id="not json"),
        pytest.param(b"\xff\xfe", "application/json", 400, id="not utf-8"),
        pytest.param(b"", "application/json", 400, id="empty"),
        pytest.param(b"type=message", "application/x-www-form-urlencoded", 415, id="a form"),
        pytest.param(b"{" + b" " * 300_000 + b"}", "application/json", 413, id="huge body"),
    ],
)
async def test_bodies_that_are_no_activity_are_refused(
    teams: Teams, content: bytes, content_type: str, status: int
) -> None:
    response = await teams.post_raw(content, headers={"Content-Type": content_type})

    assert response.status_code == status
    assert await stored(teams.db) == NOTHING


async def test_a_service_url_that_is_no_http_url_is_refused(teams: Teams) -> None:
    body = json.dumps(fixture("message_personal") | {"serviceUrl": "file:///etc/passwd"})
    response = await teams.post_raw(body.encode(), headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert await stored(teams.db) == NOTHING


async def test_only_post_is_allowed(teams: Teams) -> None:
    response = await teams.client.get(f"{teams.url}/api/messages")
    assert response.status_code == 405


async def test_an_activity_type_the_bot_ignores_is_accepted_quietly(teams: Teams) -> None:
    response = await teams.post(fixture("message_personal", type="typing"))
    assert response.status_code == 200
    assert teams.connector.calls == []
