"""People and channels as Slack names them, looked up once and kept.

A person's profile (``users.info``: name, locale) is kept in the database for a day, so
every server process shares it and a restart does not ask Slack again. Bots are never
stored as staff: they are remembered in memory only. Channel names change rarely and
matter only for messages like "#plg-data is now the channel of …": kept in memory.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from datetime import datetime, timedelta
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.catalogue import Language
from bot.clock import Clock
from bot.events import PersonRef, SchoolRef
from storage import Database, directory
from storage.roster import normal_email

log = logging.getLogger("plgbot.slack")

PROFILE_MAX_AGE = timedelta(hours=24)
# A fresh profile read from the database is also kept in memory this long (seconds), so
# a busy channel does not cost two database transactions per message for the names.
MEMORY_SECONDS = 300.0
CHANNEL_MAX_AGE = timedelta(hours=1)
_LOCALE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$")
# Slackbot is a user, not a bot user, in users.info; it is no colleague either.
SLACKBOT = "USLACKBOT"


class Profiles:
    def __init__(
        self,
        client: AsyncWebClient,
        db: Database,
        clock: Clock,
        *,
        language: Language,
        max_age: timedelta = PROFILE_MAX_AGE,
    ) -> None:
        self._client = client
        self._db = db
        self._clock = clock
        self._language = language
        self._max_age = max_age
        self._bots: dict[str, PersonRef] = {}
        # One look-up per person at a time: a burst of deliveries asks Slack once.
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._recent: dict[tuple[str, str], tuple[PersonRef, float]] = {}

    async def person(self, school: SchoolRef, user_id: str) -> PersonRef:
        """The person with their name and locale, from the cache or from Slack. When
        Slack cannot answer, whatever is known (maybe only the id) is returned."""
        if user_id in self._bots:
            return self._bots[user_id]
        if user_id == SLACKBOT:
            return PersonRef(user_id, "Slackbot", is_bot=True)
        key = (school.tenant_id, user_id)
        recent = self._recent.get(key)
        if recent is not None and time.monotonic() - recent[1] < MEMORY_SECONDS:
            return recent[0]
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached, fresh = await self._cached(school, user_id)
            if cached is not None and fresh:
                if len(self._recent) >= 10_000:
                    self._recent.clear()  # a bound, not a policy: they are read again
                self._recent[key] = (cached, time.monotonic())
                return cached
            return await self._fetch(school, user_id, cached)

    async def people(self, school: SchoolRef, user_ids: tuple[str, ...]) -> dict[str, PersonRef]:
        refs = await asyncio.gather(*(self.person(school, user_id) for user_id in user_ids))
        return dict(zip(user_ids, refs, strict=True))

    async def _cached(self, school: SchoolRef, user_id: str) -> tuple[PersonRef | None, bool]:
        """What the database knows of the person, and whether it is recent enough."""
        async with self._db.session() as session:
            person = await directory.person_by_platform_id(
                session,
                platform=school.platform,
                tenant_id=school.tenant_id,
                platform_user_id=user_id,
            )
            if person is None:
                return None, False
            fresh = directory.profile_is_fresh(person, now=self._clock.now(), max_age=self._max_age)
            return PersonRef(user_id, person.display_name, person.locale, email=person.email), fresh

    async def _fetch(self, school: SchoolRef, user_id: str, known: PersonRef | None) -> PersonRef:
        try:
            answer = await self._client.users_info(user=user_id, include_locale=True)
        except SlackApiError as error:
            log.warning("Slack: users.info failed (%s)", error.response.get("error", "error"))
            return known or PersonRef(user_id)
        except (OSError, TimeoutError, ClientError) as error:
            log.warning("Slack: users.info unreachable (%s)", type(error).__name__)
            return known or PersonRef(user_id)
        user = answer.get("user")
        if not isinstance(user, dict):
            return known or PersonRef(user_id)
        name = display_name_of(user) or user_id
        locale = _locale(user.get("locale"))
        if user.get("is_bot") or user.get("is_app_user"):
            self._bots[user_id] = PersonRef(user_id, name, locale, is_bot=True)
            return self._bots[user_id]
        now = self._clock.now()
        async with self._db.session() as session:
            row = await directory.ensure_school(
                session,
                platform=school.platform,
                tenant_id=school.tenant_id,
                name=school.name,
                now=now,
                language=self._language,
            )
            await directory.update_profile(
                session,
                school_id=row.id,
                platform_user_id=user_id,
                display_name=name,
                locale=locale,
                now=now,
                timezone=user["tz"] if isinstance(user.get("tz"), str) else None,
                email=email_of(user),
            )
        return PersonRef(user_id, name, locale, email=email_of(user))


class ChannelNames:
    def __init__(
        self, client: AsyncWebClient, clock: Clock, *, max_age: timedelta = CHANNEL_MAX_AGE
    ) -> None:
        self._client = client
        self._clock = clock
        self._max_age = max_age
        self._known: dict[str, tuple[str | None, datetime]] = {}

    async def name(self, channel_id: str) -> str | None:
        """The channel's name without ``#``, or None for DMs and unknown channels."""
        if not channel_id.startswith(("C", "G")):
            return None
        now = self._clock.now()
        known = self._known.get(channel_id)
        if known is not None and timedelta(0) <= now - known[1] < self._max_age:
            return known[0]
        try:
            answer = await self._client.conversations_info(channel=channel_id)
        except SlackApiError as error:
            log.info("Slack: conversations.info failed (%s)", error.response.get("error"))
            return known[0] if known else None
        except (OSError, TimeoutError, ClientError):
            return known[0] if known else None
        channel = answer.get("channel")
        name = channel.get("name") if isinstance(channel, dict) else None
        name = name[:200] if isinstance(name, str) and name else None
        self._known[channel_id] = (name, now)
        return name


def display_name_of(user: dict[str, Any]) -> str | None:
    profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
    assert isinstance(profile, dict)
    for value in (
        profile.get("real_name"),
        user.get("real_name"),
        profile.get("display_name"),
        user.get("name"),
    ):
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())[:200]
    return None


def email_of(user: dict[str, Any]) -> str | None:
    """The member's e-mail (with the ``users:read.email`` scope), for the roster."""
    profile = user.get("profile")
    value = profile.get("email") if isinstance(profile, dict) else None
    return normal_email(value) if isinstance(value, str) else None


def _locale(value: object) -> str | None:
    return value if isinstance(value, str) and _LOCALE.match(value) else None
