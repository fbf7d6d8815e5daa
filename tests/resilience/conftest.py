"""Fixtures for the resilience tests: faults injected into real components on loopback
(the fake Slack Web API, the fake Bot Connector, the database itself), a scheduler's
round jobs posting through the real Slack messenger, and hypothesis settings."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import pytest
from hypothesis import HealthCheck, settings
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import retry_handlers
from adapters.slack.messenger import SlackMessenger
from bot.ports import Messengers
from bot.service import Bot
from scheduler.rounds import RoundJobs
from tests.slack.fake_slack import BOT_TOKEN, FakeSlack, fake_slack
from tests.teams.conftest import connector, make_teams, teams

# The Teams server on loopback and its fake Bot Connector, as tests/teams has them.
__all__ = ["connector", "make_teams", "teams"]

# The hostile-input runs are deterministic in CI: derandomized, no deadline (a request
# through the whole stack is not a unit of work hypothesis should time).
settings.register_profile(
    "resilience",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with fake_slack() as fake:
        yield fake


@pytest.fixture
async def slack_client(slack: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    """A Web API client as ``plgbot serve`` builds it (same retry handlers)."""
    client = AsyncWebClient(
        token=BOT_TOKEN, base_url=slack.api_url, retry_handlers=retry_handlers()
    )
    yield client
    if client.session is not None:
        await client.session.close()


@pytest.fixture
def slack_rounds(bot: Bot, slack_client: AsyncWebClient) -> RoundJobs:
    """The round jobs of a console school, posting through the real Slack messenger to
    the fake Slack (the console school's channels are just channel ids to it)."""
    messengers = Messengers()
    messengers.register("console", SlackMessenger(slack_client))
    return RoundJobs(bot, messengers)


class Records(logging.Handler):
    """Log records of one logger, kept for the test to wait on."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def saying(self, words: str) -> list[str]:
        return [r.getMessage() for r in self.records if words in r.getMessage()]


@pytest.fixture
def slack_log() -> Iterator[Records]:
    records = Records()
    logger = logging.getLogger("plgbot.slack")
    logger.addHandler(records)
    try:
        yield records
    finally:
        logger.removeHandler(records)
