"""The platform fixtures (a fake Slack or Bot Connector and the real server on
loopback), for the tests of ``my data`` through Slack and Teams."""

from tests.slack.conftest import plgbot, slack
from tests.teams.conftest import connector, make_teams, teams

__all__ = ["connector", "make_teams", "plgbot", "slack", "teams"]
