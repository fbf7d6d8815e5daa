"""Posting without being spoken to: to a channel the bot was added to, or privately to
a person (opening the personal chat first if there is none yet). Scheduled question
rounds, nudges and digests go through here."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from copy import copy
from datetime import datetime, timedelta

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)

from adapters.teams import references, roster
from adapters.teams.events import PLATFORM, THREAD_MARK
from adapters.teams.render import Colleague, picks_people, render
from bot.catalogue import DEFAULT_LANGUAGE, Language, as_language
from bot.clock import Clock
from bot.events import SchoolRef
from bot.messages import OutboundMessage
from bot.rounds.messages import person_language, school_language
from storage import Database, directory

log = logging.getLogger("plgbot.teams")

# A survey goes to everyone within minutes: one roster read serves them all.
ROSTER_TTL = timedelta(minutes=10)
# The teams of one school asked for their members (a school has one staff team, or a few).
MAX_TEAMS = 5


class NoConversationError(LookupError):
    """The bot has no way to reach that channel or person (it was never added there)."""


class TeamsMessenger:
    """Sends the core's messages to Teams conversations the bot knows of; implements
    :class:`bot.ports.Messenger`."""

    # No way to find an earlier post by a key of ours.
    finds_posts = False

    def __init__(
        self,
        adapter: CloudAdapter,
        db: Database,
        *,
        app_id: str,
        clock: Clock,
        default_language: str,
    ) -> None:
        self._adapter = adapter
        self._db = db
        self._app_id = app_id
        self._clock = clock
        self._default_language = default_language
        self._rosters: dict[str, tuple[datetime, dict[str, str]]] = {}

    async def post_to_channel(
        self,
        *,
        school: SchoolRef,
        channel_id: str,
        message: OutboundMessage,
        thread_id: str | None = None,
        key: str | None = None,
    ) -> str:
        """Start a new post in the channel, or reply in the thread of post ``thread_id``;
        returns the id Teams gave the message. Teams offers no way to look a post up by
        ``key``, so that idempotence is left to the caller's occurrence bookkeeping."""
        reference = await references.channel_reference(self._db, school, channel_id)
        if reference is None:
            raise NoConversationError(f"plgbot was never added to channel {channel_id}")
        first, *more = await self._activities(school, message, None)
        if thread_id:
            reference.conversation.id = f"{channel_id}{THREAD_MARK}{thread_id}"
        posted = await self.send_to(reference, first)
        if more and (thread_id or posted):
            # A message too long for one Teams message goes on in the thread of its start.
            reference.conversation.id = f"{channel_id}{THREAD_MARK}{thread_id or posted}"
        for activity in more:
            await self.send_to(reference, activity)
        return posted

    async def send_private(
        self, *, school: SchoolRef, user_id: str, message: OutboundMessage
    ) -> str:
        """Write to the person in their personal chat with the bot."""
        first, *more = await self._activities(school, message, user_id)
        sent = await self.send_private_activity(school=school, user_id=user_id, activity=first)
        for activity in more:
            await self.send_private_activity(school=school, user_id=user_id, activity=activity)
        return sent

    async def colleagues(self, school: SchoolRef, *, exclude: str | None) -> list[Colleague]:
        """Whom a card sent on plgbot's own initiative offers to pick: the members of
        the school's teams (read at most every :data:`ROSTER_TTL`), and the people
        plgbot knows."""
        now = self._clock.now()
        cached = self._rosters.get(school.tenant_id)
        if cached is None or now - cached[0] >= ROSTER_TTL:
            cached = (now, await self._team_members(school))
            self._rosters[school.tenant_id] = cached
        found = dict(cached[1])
        for user_id, name in (await roster.known_people(self._db, school)).items():
            found.setdefault(user_id, name)
        return roster.pickable(found, exclude=exclude)

    async def channel_names(self, school: SchoolRef) -> dict[str, str]:
        """The names of the channels of the school's teams, by id (a channel message
        carries only the id). The team's General channel has no name of its own."""
        names: dict[str, str] = {}

        async def read(turn_context: TurnContext, team_id: str) -> None:
            connector = await TeamsInfo.get_teams_connector_client(turn_context)
            # msrest's Teams operations block: off the event loop.
            found = await asyncio.to_thread(connector.teams.get_teams_channels, team_id)
            for channel in found.conversations or []:
                if channel.id and channel.name:
                    names[channel.id] = channel.name

        await self.each_team(school, read)
        return names

    async def _team_members(self, school: SchoolRef) -> dict[str, str]:
        found: dict[str, str] = {}

        async def read(turn_context: TurnContext, team_id: str) -> None:
            found.update(await roster.members(turn_context, team_id))

        await self.each_team(school, read)
        return found

    async def each_team(
        self, school: SchoolRef, read: Callable[[TurnContext, str], Awaitable[None]]
    ) -> None:
        """``read`` the connector about each team the bot was added to in the school;
        one that cannot be asked is skipped (the card offers what plgbot knows)."""
        for team_id, reference in (await references.team_references(self._db, school))[:MAX_TEAMS]:

            async def in_team(turn_context: TurnContext, team_id: str = team_id) -> None:
                await read(turn_context, team_id)

            try:
                await self._adapter.continue_conversation(reference, in_team, self._app_id)
            except Exception as error:
                log.warning("could not ask the connector about team %s: %s", team_id, error)

    async def _activities(
        self, school: SchoolRef, message: OutboundMessage, user_id: str | None
    ) -> list[Activity]:
        people = await self.colleagues(school, exclude=user_id) if picks_people(message) else []

        async def language() -> Language:
            return await self._language(school, user_id)

        return await render(message, people=people, language=language)

    async def _language(self, school: SchoolRef, user_id: str | None) -> Language:
        """The reader's language (for a channel: the school's), as the core picks it."""
        default = as_language(self._default_language) or DEFAULT_LANGUAGE
        async with self._db.session() as session:
            row = await directory.find_school(session, school.tenant_id)
            if row is None or row.platform != PLATFORM:
                return default
            person = (
                await directory.person_by_platform_id(
                    session, platform=PLATFORM, tenant_id=school.tenant_id, platform_user_id=user_id
                )
                if user_id
                else None
            )
            if person is None:
                return school_language(row, default)
            return person_language(person, row, default)

    async def send_private_activity(
        self, *, school: SchoolRef, user_id: str, activity: Activity
    ) -> str:
        reference = await references.private_reference(self._db, school, user_id)
        if reference is not None:
            return await self.send_to(reference, activity)
        return await self._open_private_chat(school, user_id, activity)

    async def continue_in(
        self, reference: ConversationReference, callback: Callable[[TurnContext], Awaitable[None]]
    ) -> None:
        """Run ``callback`` in a turn of the referenced conversation, as the bot."""
        await self._adapter.continue_conversation(reference, callback, self._app_id)

    async def send_to(self, reference: ConversationReference, activity: Activity) -> str:
        """Post ``activity`` into the referenced conversation as a new message."""
        sent: list[str] = []

        async def send(turn_context: TurnContext) -> None:
            sent.append(await _post(turn_context, activity))

        await self._adapter.continue_conversation(reference, send, self._app_id)
        return sent[0] if sent else ""

    async def _open_private_chat(self, school: SchoolRef, user_id: str, activity: Activity) -> str:
        """Teams lets a bot open a 1:1 chat with anyone in a team or tenant where it is
        installed; the service address comes from any conversation in the school."""
        known = await references.latest_reference(self._db, school)
        if known is None or known.bot is None:
            raise NoConversationError(f"plgbot knows no conversation in tenant {school.tenant_id}")
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=known.bot.id, name=known.bot.name),
            members=[ChannelAccount(id=user_id)],
            tenant_id=school.tenant_id,
            channel_data={"tenant": {"id": school.tenant_id}},
        )
        sent: list[str] = []

        async def send(turn_context: TurnContext) -> None:
            created = turn_context.activity
            created.from_property = ChannelAccount(id=user_id)
            created.conversation.conversation_type = "personal"
            created.channel_data = {"tenant": {"id": school.tenant_id}}
            await references.remember(
                self._db,
                created,
                now=self._clock.now(),
                default_language=self._default_language,
            )
            sent.append(await _post(turn_context, activity))

        await self._adapter.create_conversation(
            self._app_id,
            send,
            parameters,
            channel_id=known.channel_id,
            service_url=known.service_url,
        )
        return sent[0] if sent else ""


async def _post(turn_context: TurnContext, activity: Activity) -> str:
    """Send as a new message, not as a reply: botbuilder's ``send_activity`` would mark
    it as a reply to the made-up id of the continuation event."""
    here = turn_context.activity
    outgoing = copy(activity)
    outgoing.channel_id = here.channel_id
    outgoing.service_url = here.service_url
    outgoing.conversation = here.conversation
    outgoing.from_property = here.recipient
    outgoing.recipient = here.from_property
    connector = turn_context.turn_state[turn_context.adapter.BOT_CONNECTOR_CLIENT_KEY]
    response = await connector.conversations.send_to_conversation(here.conversation.id, outgoing)
    return str(response.id) if response is not None and response.id else ""
