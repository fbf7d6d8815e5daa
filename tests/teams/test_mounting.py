"""/api/messages exists only when the operator asked for Teams."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from adapters.server import build_app
from adapters.settings import Settings
from adapters.teams import LOCAL_MODE_WARNING
from tests.live_server import serving


async def _status(settings: Settings) -> int:
    async with serving(build_app(settings)) as url, httpx.AsyncClient() as client:
        return (await client.post(f"{url}/api/messages", json={})).status_code


async def test_without_teams_settings_the_endpoint_is_not_mounted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="plgbot.teams")
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    assert await _status(settings) == 404
    assert "PLGBOT_TEAMS_LOCAL=1" in caplog.text


async def test_local_mode_mounts_it_and_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}", PLGBOT_TEAMS_LOCAL=True
    )
    assert await _status(settings) == 400
    assert LOCAL_MODE_WARNING in caplog.text
    assert "requests are not authenticated" in LOCAL_MODE_WARNING


async def test_with_an_app_id_it_is_mounted_without_the_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}",
        microsoft_app_id="0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d",
        microsoft_app_password=SecretStr("secret"),
    )
    assert await _status(settings) == 400
    assert LOCAL_MODE_WARNING not in caplog.text
