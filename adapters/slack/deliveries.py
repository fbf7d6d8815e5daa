"""Slack deliveries as the inbox keeps them: the key is the one the core claims the
event by (``slack:<team>:<event id>``), so the inbox's row is the only de-duplication
guard and the core's claim closes it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from storage.inbox import Arrival

PLATFORM = "slack"


def action_id(user_id: str, trigger_id: str) -> str:
    """A button press's id for the core: Slack gives none, the trigger id is unique."""
    digest = hashlib.sha256(f"{user_id}:{trigger_id}".encode()).hexdigest()
    return f"action-{digest[:40]}"


def command_id(user_id: str, trigger_id: str) -> str:
    """Slack does not retry slash commands, but the core wants an id per delivery."""
    digest = hashlib.sha256(f"{user_id}:{trigger_id}".encode()).hexdigest()
    return f"cmd-{digest[:40]}"


def arrival(
    team_id: str, event_id: str, kind: str, body: dict[str, Any], user: str | None
) -> Arrival:
    return Arrival(
        key=f"{PLATFORM}:{team_id}:{event_id}",
        platform=PLATFORM,
        kind=kind,
        payload=json.dumps(body, separators=(",", ":")),
        tenant_id=team_id,
        person=user,
    )
