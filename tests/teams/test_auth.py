"""With an app id, every activity needs a Bot Framework token that botbuilder's real
validation accepts. The signing keys come from the fake connector's OpenID metadata,
so valid, expired and foreign tokens can all be made here."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.teams import endpoint as teams_app
from tests.teams.conftest import Teams, fixture, stored

APP_ID = "plgbot-app-id"
NOTHING = {
    "schools": 0,
    "people": 0,
    "interactions": 0,
    "deliveries": 0,
    "conversation_references": 0,
}
# A member joins: accepted activities of this kind need no reply (and so no outbound
# token from Microsoft's login service, which tests cannot reach).
MEMBER_JOINED = fixture("conversation_update_bot_added", membersAdded=[{"id": "29:1bram"}])


@pytest.fixture
async def secured(
    make_teams: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, connector: Any
) -> AsyncIterator[Teams]:
    _, url = connector
    monkeypatch.setattr(teams_app, "CHANNEL_OPENID_METADATA_URL", f"{url}/openid")
    async with make_teams(
        microsoft_app_id=APP_ID, microsoft_app_password="secret", teams_local_mode=False
    ) as running:
        yield running


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_valid_token_is_accepted(secured: Teams) -> None:
    token = secured.connector.token(app_id=APP_ID, service_url=f"{secured.connector_url}/")
    response = await secured.post(MEMBER_JOINED, headers=_bearer(token))

    assert response.status_code == 200, response.text
    assert (await stored(secured.db))["conversation_references"] == 1


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no token"),
        pytest.param({"Authorization": "Bearer"}, id="empty bearer"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="basic auth"),
        pytest.param({"Authorization": "Bearer not-a-jwt"}, id="garbage"),
        pytest.param({"Authorization": "Bearer aaa.bbb.ccc"}, id="garbage in jwt shape"),
    ],
)
async def test_requests_without_a_usable_token_get_401_and_store_nothing(
    secured: Teams, headers: dict[str, str]
) -> None:
    response = await secured.post(fixture("message_personal"), headers=headers)

    assert response.status_code == 401
    assert await stored(secured.db) == NOTHING
    assert secured.connector.calls == []


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"expires_in": -3600}, id="expired"),
        pytest.param({"app_id": "someone-elses-bot"}, id="other audience"),
        pytest.param({"issuer": "https://evil.example"}, id="other issuer"),
        pytest.param({"service_url": "https://elsewhere.example/"}, id="other serviceUrl"),
        pytest.param(
            {"key": rsa.generate_private_key(public_exponent=65537, key_size=2048)},
            id="signed by another key",
        ),
    ],
)
async def test_tokens_botbuilder_rejects_get_401_and_store_nothing(
    secured: Teams, claims: dict[str, Any]
) -> None:
    made = {"app_id": APP_ID, "service_url": f"{secured.connector_url}/"} | claims
    token = secured.connector.token(**made)

    response = await secured.post(fixture("message_personal"), headers=_bearer(token))

    assert response.status_code == 401
    assert await stored(secured.db) == NOTHING
    assert secured.connector.calls == []


async def test_with_microsofts_own_key_endpoint_unreachable_a_token_fails_fast(
    make_teams: Callable[..., Any],
) -> None:
    """No test override: botbuilder would fetch login.botframework.com. Without network
    that fails (or times out after AUTH_TIMEOUT), and the answer is a 401, not a hang."""
    async with make_teams(
        microsoft_app_id=APP_ID, microsoft_app_password="secret", teams_local_mode=False
    ) as secured:
        token = secured.connector.token(app_id=APP_ID, service_url=f"{secured.connector_url}/")
        started = time.monotonic()
        response = await secured.post(fixture("message_personal"), headers=_bearer(token))
        elapsed = time.monotonic() - started

        assert response.status_code == 401
        assert elapsed < teams_app_timeout() + 5
        assert await stored(secured.db) == NOTHING


def teams_app_timeout() -> float:
    from adapters.teams.auth import AUTH_TIMEOUT

    return AUTH_TIMEOUT
