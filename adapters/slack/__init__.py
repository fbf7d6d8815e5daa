"""The Slack adapter: slack-bolt's ``AsyncApp`` behind ``POST /slack/events`` (Events
API, the ``/plg`` command and interactivity on one Request URL), or Socket Mode.

``plgbot serve`` mounts it through :func:`routes` when ``SLACK_BOT_TOKEN`` and
``SLACK_SIGNING_SECRET`` are set; ``SLACK_APP_TOKEN`` (``xapp-…``) adds Socket Mode,
which needs no signing secret. ``SLACK_API_URL`` points the Web API client elsewhere
(tests, staging). See ``manifest.yml`` beside this file, and "Install in your Slack
workspace" in README.md.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from starlette.routing import BaseRoute

from adapters.server import AppContext
from adapters.slack.app import PATH, SlackAdapter
from adapters.slack.messenger import SlackMessenger

log = logging.getLogger("plgbot.slack")


def adapter(context: AppContext) -> SlackAdapter | None:
    """The adapter for these settings, or None when Slack is not configured."""
    settings = context.settings
    if not settings.slack_enabled or settings.slack_bot_token is None:
        return None
    secret, app_token = settings.slack_signing_secret, settings.slack_app_token
    return SlackAdapter(
        bot=context.bot,
        db=context.db,
        bot_token=settings.slack_bot_token.get_secret_value(),
        signing_secret=secret.get_secret_value() if secret else None,
        app_token=app_token.get_secret_value() if app_token else None,
        api_url=settings.slack_api_url,
        inbox_lease=timedelta(seconds=settings.inbox_lease_seconds),
    )


def routes(context: AppContext) -> Sequence[BaseRoute]:
    """The server's hook: the Slack routes, with the adapter's lifespan registered."""
    slack = adapter(context)
    if slack is None:
        log.info(
            "Slack: off. Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to serve %s "
            "(or SLACK_BOT_TOKEN and SLACK_APP_TOKEN for Socket Mode)",
            PATH,
        )
        return []
    context.lifespans.append(slack.running)
    context.messengers.register("slack", slack.messenger)
    mounted = slack.routes()
    log.info(
        "Slack: on%s%s",
        f", Request URL {PATH}" if mounted else "",
        ", Socket Mode" if slack.app_token else "",
    )
    return mounted


__all__ = ["SlackAdapter", "SlackMessenger", "adapter", "routes"]
