"""The Teams listeners (botbuilder's turn handler, one method per activity kind): each
activity becomes a core event (:mod:`adapters.teams.events`), goes to
:meth:`bot.service.Bot.handle`, and the replies go back as cards
(:mod:`adapters.teams.render`), as Slack's :mod:`adapters.slack.listeners` does.

Replies the core marks private go to the author's personal chat with the bot when they
were asked for in a channel or group chat: Teams has no "only visible to you" message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable
from contextvars import ContextVar
from copy import copy
from dataclasses import asdict, replace
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity, ConversationReference
from msrest.exceptions import ClientException, HttpOperationError

from adapters.outbox import Outbox, RefusedError
from adapters.teams import events, log_card, references, render, roster, round_card
from adapters.teams.members import MemberEmails
from adapters.teams.messenger import TeamsMessenger
from bot.catalogue import Language, as_language, text
from bot.events import PersonRef, SchoolRef
from bot.help import lines as help_lines
from bot.messages import Bullets, OutboundMessage, Paragraph, Visibility, message
from bot.rounds.form import RoundFormChoices
from bot.service import Bot
from storage import Database
from storage.events import CURRENT_DELIVERY

log = logging.getLogger("plgbot.teams")

# The turn whose replies are being sent, so a kept reply goes out in it.
_TURN: ContextVar[TurnContext | None] = ContextVar("plgbot_teams_turn", default=None)

# Asking for the card by name: a Teams affordance, since a card is what Teams has for
# forms. Said to the bot like any command ("@plgbot log").
FORM_WORDS = frozenset({"log", "form", "vastleggen", "formulier"})
# "round form" / "ronde formulier", and with a number to edit that round.
ROUND_FORM_WORDS = re.compile(
    r"^(?:round|ronde|vraagronde)\s+(?:form|formulier)(?:\s+(\d{1,9}))?$", re.IGNORECASE
)


class PlgbotTeamsHandler(TeamsActivityHandler):  # type: ignore[misc]
    def __init__(self, bot: Bot, db: Database, messenger: TeamsMessenger) -> None:
        super().__init__()
        self._bot = bot
        self._db = db
        self._messenger = messenger
        # The core's replies go through the outbox: kept with what they confirm, sent
        # at most once (Teams cannot look a message up by a key of ours), and sent
        # later should the Bot Connector be down or the process die first.
        self.outbox = Outbox(db, bot.clock, platform="teams", sender=self)
        self._emails = MemberEmails(db, coordinator_emails=bot.config.coordinator_emails)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        now = self._bot.clock.now()
        if activity.value is not None:
            await self._on_submit(turn_context, activity.value)
            return
        event = events.inbound_message(activity, now=now)
        await self._remember(activity)
        if not event.author.is_bot:
            email = await self._emails.of(turn_context, event.school, event.author.user_id)
            event = replace(event, author=replace(event.author, email=email))
        if event.addressed_to_bot and _asks_for_form(event.text):
            if await self._first_delivery(event.school, event.event_id):
                await self._send_form(turn_context, event.school, event.author)
            return
        asked = _asks_for_round_form(event.text) if event.addressed_to_bot else None
        if asked is not None:
            if await self._first_delivery(event.school, event.event_id):
                await self._send_round_form(turn_context, event.school, event.author, asked[0])
            return
        await self._answer(turn_context, self._bot.handle(event), event.author)

    async def on_message_delete_activity(self, turn_context: TurnContext) -> None:
        await self._bot.handle(events.message_deleted(turn_context.activity))

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        """The bot was added to a team, a group chat or someone's personal scope (or
        members came and went): remember the conversation, and say hello once."""
        activity = turn_context.activity
        await self._remember(activity)
        bot_id = activity.recipient.id if activity.recipient else None
        added = {member.id for member in activity.members_added or []}
        if bot_id in added and await self._first_delivery(
            events.school_of(activity), activity.id or f"added:{activity.conversation.id}"
        ):
            language = as_language(activity.locale) or self._bot.config.default_language
            await turn_context.send_activity(_welcome(language))

    async def _on_submit(self, turn_context: TurnContext, value: Any) -> None:
        activity = turn_context.activity
        action = value.get(render.ACTION_KEY) if isinstance(value, dict) else None
        if action == log_card.LOG_ACTION:
            form = events.interaction_form(activity, value, now=self._bot.clock.now())
            await self._remember(activity)
            await self._answer(turn_context, self._bot.handle(form), form.author)
        elif action == render.BUTTON_ACTION:
            pressed = events.action_invoked(activity, value, now=self._bot.clock.now())
            await self._remember(activity)
            await self._answer(turn_context, self._bot.handle(pressed), pressed.author)
        elif action == round_card.ROUND_FORM_ACTION:
            await self._remember(activity)
            await self._on_round_form(turn_context, value)
        elif action == log_card.OPEN_FORM_ACTION:
            author = events.person_of(activity.from_property, locale=activity.locale)
            school = events.school_of(activity)
            await self._remember(activity)
            if await self._first_delivery(school, activity.id):
                await self._send_form(turn_context, school, author)
        else:
            # Cards of features plgbot does not have (yet) submit here too.
            log.info(
                "ignored a card submit without a plgbot action in %s", activity.conversation.id
            )

    async def _send_form(
        self, turn_context: TurnContext, school: SchoolRef, author: PersonRef
    ) -> None:
        choices = await self._bot.form_choices(school, author)
        people = await roster.colleagues(
            turn_context,
            self._db,
            school,
            author_id=author.user_id,
            now=self._bot.clock.now(),
            default_language=self._bot.config.default_language,
        )
        card = log_card.form_activity(choices.language, colleagues=people, plgs=choices.plgs)
        await self._send(turn_context, card, author, private=True)

    async def _send_round_form(
        self, turn_context: TurnContext, school: SchoolRef, author: PersonRef, number: int | None
    ) -> None:
        """The question-round card, privately (only its lead may fill it in), or the
        core's refusal: not a lead, not their round."""
        choices = await self._bot.round_form(school, author, number)
        if choices.refusal is not None:
            refusal = message(Paragraph(choices.refusal), private=True)
            await self._deliver(turn_context, [refusal], author)
            return
        card = round_card.round_form_activity(await self._named(choices, school))
        await self._send(turn_context, card, author, private=True)

    async def _on_round_form(self, turn_context: TurnContext, value: dict[str, Any]) -> None:
        """A submitted round card: the core's verdict replaces the card. A refusal about
        one field comes back as the card again, as the lead left it, with the message
        under that field."""
        form = events.round_form(turn_context.activity, value, now=self._bot.clock.now())
        outcome = await self._bot.submit_round_form(form)
        replies = list(outcome.messages)
        if not outcome.accepted and outcome.field is not None:
            number = form.fields.round_number
            choices = await self._bot.round_form(form.school, form.author, number)
            if choices.refusal is None:
                card = round_card.round_form_activity(
                    await self._named(choices, form.school),
                    values=form.fields,
                    field=outcome.field,
                    problem="\n".join(reply.plain_text for reply in replies),
                )
                await self._replace_card(turn_context, card, form.author)
                return
        if not outcome.accepted or not replies:
            # Refused as a whole (the card stays, to try again), or a re-delivered
            # submit that was accepted before (nothing to say).
            await self._deliver(turn_context, replies, form.author)
            return
        first, *more = await self._render(replies[0], turn_context, form.author)
        await self._replace_card(turn_context, first, form.author)
        for activity in more:
            await self._send(turn_context, activity, form.author, private=True)
        await self._deliver(turn_context, replies[1:], form.author)

    async def _named(self, choices: RoundFormChoices, school: SchoolRef) -> RoundFormChoices:
        """The channels as Teams names them: what plgbot stored is often only the id."""
        names = await self._messenger.channel_names(school)
        channels = tuple((cid, names.get(cid, name)) for cid, name in choices.channels)
        return replace(choices, channels=channels)

    async def _replace_card(
        self, turn_context: TurnContext, activity: Activity, author: PersonRef
    ) -> None:
        """Update the card that was submitted (so it cannot be submitted twice), else
        send ``activity`` as a new message."""
        card_id = turn_context.activity.reply_to_id
        if card_id and events.conversation_kind(turn_context.activity) == "personal":
            updated = copy(activity)
            updated.id = card_id
            try:
                await turn_context.update_activity(updated)
                return
            except ClientException as error:
                log.info("could not update card %s, sending a new one: %s", card_id, error)
        await self._send(turn_context, activity, author, private=True)

    async def _answer(
        self,
        turn_context: TurnContext,
        handling: Awaitable[list[OutboundMessage]],
        author: PersonRef,
    ) -> None:
        """Await the core's ``handling``, which keeps its replies in the outbox with what
        it recorded, then send them in this turn (see :meth:`send_kept`)."""
        reference = TurnContext.get_conversation_reference(turn_context.activity)
        destination = {
            "reference": reference.serialize(),
            "author": asdict(author),
            "tenant": events.school_of(turn_context.activity).tenant_id,
        }
        delivery = CURRENT_DELIVERY.get()
        if delivery is not None:
            delivery.reply_to = destination
            delivery.person = author.user_id
        turn = _TURN.set(turn_context)
        try:
            await self.outbox.deliver(destination, await handling)
        finally:
            _TURN.reset(turn)

    def findable(self, destination: dict[str, Any], message: OutboundMessage) -> bool:
        # Teams has no message metadata to find a post of ours again by.
        return False

    async def send_kept(
        self, destination: dict[str, Any], message: OutboundMessage, *, key: str | None, again: bool
    ) -> None:
        """Send one kept reply: in the current turn, or (from the outbox's sweep) in a
        turn of the conversation it answers, as the bot."""
        author = PersonRef(**destination["author"])

        async def send(turn_context: TurnContext) -> None:
            if turn_context.activity.channel_data is None:
                # A turn continued from a reference carries no channel data: the
                # school is the tenant the reply was kept for.
                turn_context.activity.channel_data = {"tenant": {"id": destination["tenant"]}}
            try:
                await self._deliver(turn_context, [message], author)
            except HttpOperationError as error:
                status = error.response.status_code if error.response is not None else 0
                if 400 <= status < 500 and status not in (408, 429):
                    raise RefusedError(f"Bot Connector answered {status}") from error
                raise

        current = _TURN.get()
        if current is not None:
            await send(current)
            return
        reference = ConversationReference().deserialize(destination["reference"])
        await self._messenger.continue_in(reference, send)

    async def _deliver(
        self, turn_context: TurnContext, replies: list[OutboundMessage], author: PersonRef
    ) -> None:
        for reply in replies:
            for activity in await self._render(reply, turn_context, author):
                await self._send(
                    turn_context,
                    activity,
                    author,
                    private=reply.visibility is Visibility.PRIVATE,
                )

    async def _render(
        self, reply: OutboundMessage, turn_context: TurnContext, author: PersonRef
    ) -> list[Activity]:
        """The reply as cards (more than one if it is too long for one), with the
        roster for a people picker, and its files."""
        school = events.school_of(turn_context.activity)
        people: list[render.Colleague] = []
        personal = events.conversation_kind(turn_context.activity) == "personal"
        if render.picks_people(reply) and personal:
            # A personal chat has no members to offer: the school's teams do.
            people = await self._messenger.colleagues(school, exclude=author.user_id)
        elif render.picks_people(reply):
            people = await roster.colleagues(
                turn_context,
                self._db,
                school,
                author_id=author.user_id,
                now=self._bot.clock.now(),
                default_language=self._bot.config.default_language,
            )

        async def language() -> Language:
            return await self._bot.language_of(school, author)

        return await render.render(reply, people=people, language=language)

    async def _send(
        self, turn_context: TurnContext, activity: Activity, author: PersonRef, *, private: bool
    ) -> None:
        if private and events.conversation_kind(turn_context.activity) != "personal":
            await self._messenger.send_private_activity(
                school=events.school_of(turn_context.activity),
                user_id=author.user_id,
                activity=activity,
            )
        else:
            await turn_context.send_activity(activity)

    async def _remember(self, activity: Activity) -> None:
        await references.remember(
            self._db,
            activity,
            now=self._bot.clock.now(),
            default_language=self._bot.config.default_language,
        )

    async def _first_delivery(self, school: SchoolRef, event_id: str) -> bool:
        """For what the adapter answers itself: the same key the core uses, so a
        re-delivered activity is answered once, whoever answers it."""
        return await self._bot.first_delivery(school, event_id)


def _asks_for_form(said: str) -> bool:
    return said.strip().strip(".!?").casefold() in FORM_WORDS


def _asks_for_round_form(said: str) -> tuple[int | None] | None:
    """``(None,)`` for a new round's form, ``(3,)`` to edit round 3, None otherwise."""
    found = ROUND_FORM_WORDS.match(" ".join(said.strip().strip(".!?").split()))
    if found is None:
        return None
    return (int(found.group(1)) if found.group(1) else None,)


def _welcome(language: Language) -> Activity:
    commands = help_lines(language, "short")
    welcome: OutboundMessage = message(
        Paragraph(text(language, "help.title")),
        Bullets(commands),
        Paragraph(text(language, "help.topics")),
    )
    return render.with_actions(
        render.message_activity(welcome), [log_card.open_form_action(language)]
    )
