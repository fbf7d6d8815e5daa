"""The bot service: one inbound event in, the replies to show out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogue import Language, as_language, text
from bot.clock import Clock, SystemClock
from bot.commands import (
    LogInteraction,
    Unknown,
    mark_mentions,
    parse,
)
from bot.config import BotConfig
from bot.events import (
    ActionInvoked,
    InboundEvent,
    InboundMessage,
    InteractionForm,
    MessageDeleted,
    PersonRef,
    RoundForm,
    SchoolRef,
)
from bot.knowledge.types import ALL_TYPES, KnowledgeType
from bot.messages import OutboundMessage, Paragraph, to_record
from bot.network import sharing
from bot.network.interactions import Origin
from bot.network.phrasing import starts_as_command
from bot.overview import overview
from bot.rounds import form as round_form
from bot.rounds import replies as round_replies
from bot.rounds.commands import (
    EditRound,
    NewRound,
)
from bot.rounds.form import RoundFormChoices, RoundFormOutcome
from bot.routes import action_handler, run_command
from bot.staff.coordinators import first_coordinator
from bot.turn import Context
from storage import Database, directory, interactions, outbox
from storage.events import claim_event
from storage.models import School

FORM_ORIGINS = {o.value: o for o in (Origin.TOLD, Origin.HEARD, Origin.DISCUSSED)}


@dataclass(frozen=True, slots=True)
class FormChoices:
    """What a platform needs to build the "log a conversation" form for a person."""

    language: Language
    plgs: tuple[str, ...]


class Bot:
    """Platform-neutral: adapters call :meth:`handle` and render what it returns."""

    def __init__(
        self, db: Database, *, clock: Clock | None = None, config: BotConfig | None = None
    ) -> None:
        self.db = db
        self.clock = clock or SystemClock()
        self.config = config or BotConfig()
        # Schools seen with a coordinator, or warned about (bot.staff.coordinators).
        self._coordinators_checked: set[int] = set()

    async def handle(self, event: InboundEvent) -> list[OutboundMessage]:
        """Handle one event exactly once: a re-delivered event returns no replies and
        stores nothing new. Everything the event stores commits together."""
        if isinstance(event, InteractionForm):
            return await self._handle_form(event)
        if isinstance(event, ActionInvoked):
            return await self._handle_action(event)
        if isinstance(event, RoundForm):
            return list((await self.submit_round_form(event)).messages)
        now = self.clock.now()
        async with self.db.session() as session:
            replies = await self._message(session, event, now)
            await _keep(session, replies, now)
        return replies

    async def _message(
        self, session: AsyncSession, event: InboundMessage | MessageDeleted, now: datetime
    ) -> list[OutboundMessage]:
        school = await self._school(session, event.school)
        if not await self._claim(session, event.school, event.event_id):
            return []
        if isinstance(event, MessageDeleted):
            await _forget(session, school, event)
            return []
        if event.author.is_bot:
            return []
        parsed = parse(event) if event.addressed_to_bot else None
        ctx = await self._context(
            session, school, event.author, parsed.language if parsed else None
        )
        turn = ctx.turn(event)
        if not event.channel.is_direct:
            # The channels plgbot has seen are the ones a question round may use.
            await directory.ensure_channel(
                session,
                school_id=school.id,
                platform_channel_id=event.channel.channel_id,
                name=event.channel.name,
            )
        if parsed is None or isinstance(parsed.command, Unknown):
            # A reply in the thread of a posted round question answers the round.
            answered = await round_replies.thread_reply(turn)
            if answered is not None:
                return answered
        if parsed is None or (
            # Teams delivers channel messages only when they mention the bot: one
            # that is no command is still a conversation in the PLG channel, and so
            # is one that only reads like a conversation somewhere in the middle.
            (
                isinstance(parsed.command, Unknown)
                or (
                    isinstance(parsed.command, LogInteraction)
                    and not starts_as_command(mark_mentions(event))
                )
            )
            and not event.channel.is_direct
            and await directory.channel_with_plg(session, school.id, event.channel.channel_id)
        ):
            await sharing.observe(turn)
            return []
        # A round's question has its own, clearer limit (bot.rounds.creation.MAX_QUESTION).
        long_question = isinstance(parsed.command, NewRound | EditRound)
        if len(event.text) > self.config.max_command_length and not long_question:
            return [
                turn.say(
                    "error.too_long",
                    length=len(event.text),
                    limit=self.config.max_command_length,
                )
            ]
        return await run_command(turn, parsed.command)

    async def overview(self, school: SchoolRef, person: PersonRef) -> OutboundMessage:
        """The person's PLGs, ties and shared knowledge (Slack Home tab and the like)."""
        async with self.db.session() as session:
            ctx = await self._context(session, await self._school(session, school), person)
            return await overview(ctx)

    async def form_choices(self, school: SchoolRef, person: PersonRef) -> FormChoices:
        async with self.db.session() as session:
            ctx = await self._context(session, await self._school(session, school), person)
            plg_rows = await directory.plgs_of_school(session, ctx.school.id)
            return FormChoices(ctx.language, tuple(p.name for p in plg_rows))

    async def round_form(
        self, school: SchoolRef, person: PersonRef, number: int | None = None
    ) -> RoundFormChoices:
        """What the question-round form shows this person: new, or editing ``number``."""
        async with self.db.session() as session:
            ctx = await self._context(session, await self._school(session, school), person)
            return await round_form.choices(ctx, number)

    async def submit_round_form(self, form: RoundForm) -> RoundFormOutcome:
        """Like :meth:`handle`, but says which field a refusal is about, so a modal can
        show it there. A re-delivered submission is accepted without a second round."""
        now = self.clock.now()
        async with self.db.session() as session:
            school = await self._school(session, form.school)
            if not await self._claim(session, form.school, form.event_id):
                return RoundFormOutcome((), True)
            ctx = await self._context(session, school, form.author)
            as_message = InboundMessage(
                school=form.school,
                event_id=form.event_id,
                message_id=form.event_id,
                author=form.author,
                channel=form.channel,
                text="",
                sent_at=form.sent_at,
                addressed_to_bot=True,
            )
            outcome = await round_form.submit(ctx.turn(as_message), form.fields)
            if not outcome.accepted:
                # Nothing was created, and the same form may be sent again once fixed.
                await session.rollback()
                return outcome
            await _keep(session, list(outcome.messages), now)
        return outcome

    async def language_of(self, school: SchoolRef, person: PersonRef) -> Language:
        async with self.db.session() as session:
            ctx = await self._context(session, await self._school(session, school), person)
            return ctx.language

    async def _handle_form(self, form: InteractionForm) -> list[OutboundMessage]:
        """A submitted form runs the same path as the typed command it stands for."""
        language = await self.language_of(form.school, form.author)
        origin = FORM_ORIGINS.get(form.origin)
        if origin is None:
            return [_say(language, "form.bad_origin")]
        if not form.colleagues:
            return [_say(language, "form.no_colleague")]
        knowledge = KnowledgeType.NONE
        for name in form.knowledge:
            if name.upper() not in KnowledgeType.__members__ or name.upper() == "NONE":
                names = ", ".join(t.name.lower() for t in ALL_TYPES if t.name)
                return [_say(language, "form.bad_type", name=name, types=names)]
            knowledge |= KnowledgeType[name.upper()]
        message = InboundMessage(
            school=form.school,
            event_id=form.event_id,
            message_id=form.event_id,
            author=form.author,
            channel=form.channel,
            text=form.note,
            sent_at=form.sent_at,
            mentions=form.colleagues,
            addressed_to_bot=True,
        )
        command = LogInteraction(
            origin,
            form.note,
            knowledge=knowledge if form.knowledge else None,
            plg=form.plg or None,
        )
        now = self.clock.now()
        async with self.db.session() as session:
            school = await self._school(session, form.school)
            if not await self._claim(session, form.school, form.event_id):
                return []
            ctx = await self._context(session, school, form.author)
            replies = await sharing.log_command(ctx.turn(message), command)
            await _keep(session, replies, now)
        return replies

    async def _handle_action(self, event: ActionInvoked) -> list[OutboundMessage]:
        handler = action_handler(event.action)
        now = self.clock.now()
        async with self.db.session() as session:
            school = await self._school(session, event.school)
            if not await self._claim(session, event.school, event.event_id):
                return []
            ctx = await self._context(session, school, event.author)
            if handler is None:
                # A button from an older message or a forged payload: say so, change nothing.
                return [ctx.say("error.unknown_action")]
            replies = await handler(ctx, event)
            await _keep(session, replies, now)
        return replies

    async def first_delivery(self, school: SchoolRef, event_id: str) -> bool:
        """Claim a delivery an adapter answers by itself (a form card, a welcome): the
        same guard as :meth:`handle`, so a re-delivery is answered once, whoever
        answers it."""
        async with self.db.session() as session:
            return await self._claim(session, school, event_id)

    async def _claim(self, session: AsyncSession, school: SchoolRef, event_id: str) -> bool:
        """The one de-duplication guard of every delivery: its key claimed in the
        transaction that stores what it does (the inbox's row is closed by it)."""
        key = f"{school.platform}:{school.tenant_id}:{event_id}"
        return await claim_event(session, key, self.clock.now())

    async def _school(self, session: AsyncSession, ref: SchoolRef) -> School:
        return await directory.ensure_school(
            session,
            platform=ref.platform,
            tenant_id=ref.tenant_id,
            name=ref.name,
            now=self.clock.now(),
            language=self.config.default_language,
        )

    async def _context(
        self,
        session: AsyncSession,
        school: School,
        person: PersonRef,
        command_language: Language | None = None,
    ) -> Context:
        author = await directory.ensure_person(
            session,
            school_id=school.id,
            platform_user_id=person.user_id,
            display_name=person.display_name,
            locale=person.locale,
            now=self.clock.now(),
            email=person.email,
        )
        await first_coordinator(
            session, self.config, school, author, self.clock.now(), self._coordinators_checked
        )
        # Their explicit choice, else the language they typed the command in, else
        # their platform locale, else the school's language.
        language = (
            as_language(author.language)
            or command_language
            or as_language(person.locale)
            or as_language(author.locale)
            or as_language(school.language)
            or self.config.default_language
        )
        return Context(
            session=session,
            config=self.config,
            school=school,
            author=author,
            language=language,
            now=self.clock.now(),
        )


async def _keep(session: AsyncSession, replies: list[OutboundMessage], now: datetime) -> None:
    """Keep the replies in the outbox with what they confirm, so a crash before they
    are sent, or a platform that is down, does not lose them (:mod:`storage.outbox`)."""
    if replies:
        await outbox.keep(session, [(reply, to_record(reply)) for reply in replies], now)


def _say(language: Language, key: str, **values: object) -> OutboundMessage:
    return OutboundMessage(blocks=(Paragraph(text(language, key, **values)),))


async def _forget(session: AsyncSession, school: School, event: MessageDeleted) -> None:
    """A deleted message takes what it logged out of the network."""
    key = f"{event.school.platform}:{event.school.tenant_id}:{event.channel.channel_id}"
    await interactions.delete_interactions_of_message(session, f"{key}:{event.message_id}")
    await round_replies.forget_message(session, f"{key}:{event.message_id}")
    channel = await directory.channel_with_plg(session, school.id, event.channel.channel_id)
    if channel is not None:
        await interactions.delete_post(session, channel[0].id, event.message_id)


__all__ = ["Bot", "FormChoices"]
