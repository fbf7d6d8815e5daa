"""Fixtures for the deployment tests: a fake Slack Web API on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.slack.fake_slack import FakeSlack, fake_slack


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with fake_slack() as fake:
        yield fake
