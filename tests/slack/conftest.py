"""Fixtures for the Slack adapter: a fake Slack on loopback and the real server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.slack.fake_slack import FakeSlack, fake_slack
from tests.slack.harness import Plgbot, start_plgbot


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with fake_slack() as fake:
        yield fake


@pytest.fixture
async def plgbot(database_url: str, slack: FakeSlack) -> AsyncIterator[Plgbot]:
    async with start_plgbot(database_url, slack) as bot:
        yield bot
