"""The bot service: one inbound event in, the replies to show out."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import plgs, sharing
from bot.catalogue import Language, as_language, text
from bot.clock import Clock, SystemClock
from bot.commands import (
    Command,
    JoinPLG,
    LinkChannel,
    ListPLGs,
    LogInteraction,
    MakeLead,
    NewPLG,
    SetLanguage,
    SetMeeting,
    ShowHelp,
    ShowNetwork,
    Unknown,
    parse,
)
from bot.config import BotConfig
from bot.events import InboundEvent, InboundMessage, MessageDeleted
from bot.messages import Bullets, OutboundMessage, Paragraph
from bot.my_network import my_network
from bot.turn import Turn
from storage import Database, directory, interactions
from storage.events import claim_event
from storage.models import Person, School


class Bot:
    """Platform-neutral: adapters call :meth:`handle` and render what it returns."""

    def __init__(
        self, db: Database, *, clock: Clock | None = None, config: BotConfig | None = None
    ) -> None:
        self.db = db
        self.clock = clock or SystemClock()
        self.config = config or BotConfig()

    async def handle(self, event: InboundEvent) -> list[OutboundMessage]:
        """Handle one event exactly once: a re-delivered event returns no replies and
        stores nothing new. Everything the event stores commits together."""
        now = self.clock.now()
        async with self.db.session() as session:
            school = await directory.ensure_school(
                session,
                platform=event.school.platform,
                tenant_id=event.school.tenant_id,
                name=event.school.name,
                now=now,
                language=self.config.default_language,
            )
            event_key = f"{event.school.platform}:{event.school.tenant_id}:{event.event_id}"
            if not await claim_event(session, event_key, now):
                return []
            if isinstance(event, MessageDeleted):
                await _forget(session, school, event)
                return []
            if event.author.is_bot:
                return []
            author = await directory.ensure_person(
                session,
                school_id=school.id,
                platform_user_id=event.author.user_id,
                display_name=event.author.display_name,
                locale=event.author.locale,
                now=now,
            )
            parsed = parse(event) if event.addressed_to_bot else None
            turn = Turn(
                session=session,
                config=self.config,
                school=school,
                author=author,
                event=event,
                language=self._language(school, author, event, parsed.language if parsed else None),
                now=now,
            )
            if parsed is None:
                await sharing.observe(turn)
                return []
            if len(event.text) > self.config.max_command_length:
                return [
                    turn.say(
                        "error.too_long",
                        length=len(event.text),
                        limit=self.config.max_command_length,
                    )
                ]
            return await _dispatch(turn, parsed.command)

    def _language(
        self,
        school: School,
        author: Person,
        event: InboundMessage,
        command_language: Language | None,
    ) -> Language:
        """Their explicit choice, else the language they typed the command in, else
        their platform locale, else the school's language."""
        return (
            as_language(author.language)
            or command_language
            or as_language(event.author.locale)
            or as_language(author.locale)
            or as_language(school.language)
            or self.config.default_language
        )


async def _dispatch(turn: Turn, command: Command) -> list[OutboundMessage]:
    match command:
        case LogInteraction():
            return await sharing.log_command(turn, command)
        case NewPLG():
            return await plgs.new_plg(turn, command)
        case JoinPLG():
            return await plgs.join_plg(turn, command)
        case MakeLead():
            return await plgs.make_lead(turn, command)
        case LinkChannel():
            return await plgs.link_channel(turn, command)
        case SetMeeting():
            return await plgs.set_meeting(turn, command)
        case ListPLGs():
            return await plgs.list_plgs(turn)
        case ShowNetwork():
            return await my_network(turn)
        case SetLanguage(code):
            return _set_language(turn, code)
        case ShowHelp():
            return [help_message(turn)]
        case Unknown():
            return [help_message(turn, unknown=True)]


def help_message(turn: Turn, *, unknown: bool = False) -> OutboundMessage:
    commands = tuple(line for line in turn.t("help.commands").splitlines() if line.strip())
    return turn.reply(
        Paragraph(turn.t("help.unknown" if unknown else "help.title")),
        Bullets(commands),
        Paragraph(turn.t("help.tip")),
    )


def _set_language(turn: Turn, code: str) -> list[OutboundMessage]:
    language = as_language(code)
    if language is None:
        return [turn.say("language.unknown")]
    turn.author.language = language
    # Answer in the new language straight away.
    return [turn.reply(Paragraph(text(language, "language.set")))]


async def _forget(session: AsyncSession, school: School, event: MessageDeleted) -> None:
    """A deleted message takes what it logged out of the network."""
    key = f"{event.school.platform}:{event.school.tenant_id}:{event.channel.channel_id}"
    await interactions.delete_interactions_of_message(session, f"{key}:{event.message_id}")
    channel = await directory.channel_with_plg(session, school.id, event.channel.channel_id)
    if channel is not None:
        await interactions.delete_post(session, channel[0].id, event.message_id)
