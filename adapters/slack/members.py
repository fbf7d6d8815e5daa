"""The workspace's staff as Slack lists them (``users.list``), for the roster.

Active, human, full members only: deactivated accounts (``deleted``), bots and apps,
Slackbot, and guests (``is_restricted``/``is_ultra_restricted``: a school's pupils or
parents, never staff) are left out. Needs the ``users:read`` and ``users:read.email``
scopes; paged by cursor, with slack_sdk's retry on 429 (Tier 2: about 20 calls a minute).
"""

from __future__ import annotations

from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.profiles import SLACKBOT, display_name_of, email_of
from storage.roster import RosterEntry

PAGE_SIZE = 200


def is_staff(user: dict[str, Any]) -> bool:
    return not (
        user.get("deleted")
        or user.get("is_bot")
        or user.get("is_app_user")
        or user.get("is_restricted")
        or user.get("is_ultra_restricted")
        or user.get("id") == SLACKBOT
    )


async def workspace(client: AsyncWebClient) -> tuple[str, str | None]:
    """The workspace's team id and name (``auth.test``)."""
    answer = await client.auth_test()
    team_id = answer.get("team_id")
    if not isinstance(team_id, str) or not team_id:
        raise ValueError("Slack's auth.test gave no team id")
    name = answer.get("team")
    return team_id, name if isinstance(name, str) else None


async def staff_members(client: AsyncWebClient) -> list[RosterEntry]:
    """Every staff member of the workspace, with name, e-mail and Slack id."""
    if not any(isinstance(h, AsyncRateLimitErrorRetryHandler) for h in client.retry_handlers):
        client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=5))
    found: list[RosterEntry] = []
    cursor: str | None = None
    while True:
        answer = await client.users_list(limit=PAGE_SIZE, cursor=cursor)
        members = answer.get("members")
        for user in members if isinstance(members, list) else []:
            if not isinstance(user, dict) or not is_staff(user):
                continue
            user_id = user.get("id")
            if not isinstance(user_id, str):
                continue
            found.append(
                RosterEntry(
                    row=len(found) + 1,
                    name=display_name_of(user),
                    email=email_of(user),
                    platform_id=user_id,
                )
            )
        meta = answer.get("response_metadata")
        cursor = meta.get("next_cursor") if isinstance(meta, dict) else None
        if not cursor:
            return found
