"""Microsoft Teams, through botbuilder's ``CloudAdapter``: the ``/api/messages``
endpoint, proactive posts, Adaptive Cards and the Teams app package.

Mounted by ``plgbot serve`` when ``MICROSOFT_APP_ID`` is set, or, for the Bot Framework
Emulator on a developer's machine, when ``PLGBOT_TEAMS_LOCAL=1`` (no authentication).
The Bot Framework SDK is in maintenance only; everything here just converts between
activities and the core's events, so another SDK can replace it module by module.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from starlette.routing import BaseRoute

from adapters.server import AppContext

if TYPE_CHECKING:
    from adapters.teams.endpoint import MESSAGES_PATH, TeamsApp
    from adapters.teams.messenger import NoConversationError, TeamsMessenger

log = logging.getLogger("plgbot.teams")

LOCAL_MODE_WARNING = (
    "Teams adapter in local mode (no MICROSOFT_APP_ID): requests are not authenticated"
)


def routes(context: AppContext) -> Sequence[BaseRoute]:
    """``POST /api/messages`` when Teams is configured, else nothing."""
    settings = context.settings
    if not settings.microsoft_app_id and not settings.teams_local_mode:
        log.info(
            "Teams adapter not mounted: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD "
            "(or PLGBOT_TEAMS_LOCAL=1 for the Bot Framework Emulator)"
        )
        return []
    if not settings.microsoft_app_id:
        log.warning(LOCAL_MODE_WARNING)
    elif (
        settings.microsoft_app_password is None and settings.microsoft_app_type != "UserAssignedMSI"
    ):
        log.error("MICROSOFT_APP_PASSWORD is not set: plgbot cannot answer in Teams")
    # botbuilder (about 50 MB) is loaded only where Teams is mounted.
    from adapters.teams.endpoint import TeamsApp
    from adapters.teams.events import PLATFORM

    app = TeamsApp(context)
    # Scheduled work (question rounds, nudges, the survey) posts to Teams through it.
    context.messengers.register(PLATFORM, app.messenger)
    context.lifespans.append(app.running)
    return app.routes()


# The package's names from its modules, imported on first use (see routes).
_LAZY = {
    "MESSAGES_PATH": "adapters.teams.endpoint",
    "TeamsApp": "adapters.teams.endpoint",
    "NoConversationError": "adapters.teams.messenger",
    "TeamsMessenger": "adapters.teams.messenger",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)


__all__ = ["MESSAGES_PATH", "NoConversationError", "TeamsApp", "TeamsMessenger", "routes"]
