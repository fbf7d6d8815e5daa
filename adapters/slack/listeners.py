"""Bolt listeners: commit the delivery to the inbox, then acknowledge; the work runs
from the inbox (:class:`adapters.inbox.Inbox`), here or, after a crash, in the next
process.

Bolt runs each listener before it answers Slack (``process_before_response``), so a
delivery that got its 200 is in the database. Deliveries that can produce no record
(chatter in a channel that is no PLG's, the Home tab, buttons of other apps) are
acknowledged without being written. Each listener only reads the payload's shape
(already checked by :mod:`adapters.slack.payloads`); the conversion to core events
lives in :mod:`adapters.slack.events`, the views in :mod:`adapters.slack.modal` and
:mod:`adapters.slack.home`, delivery in :mod:`adapters.slack.replies`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.inbox import Handler, Inbox
from adapters.slack import buttons, deliveries, events, modal, round_modal
from adapters.slack.background import AfterAck
from adapters.slack.home import home_view
from adapters.slack.identity import Identity
from adapters.slack.payloads import (
    AppHomeOpened,
    BlockActions,
    EventEnvelope,
    MessageEvent,
    SlashCommand,
    ViewPayload,
)
from adapters.slack.profiles import ChannelNames, Profiles
from adapters.slack.replies import Replies, Where
from adapters.slack.round_listeners import RoundFormListeners
from bot.catalogue import DEFAULT_LANGUAGE, text
from bot.events import ActionInvoked, ChannelRef, InteractionForm
from bot.service import Bot
from storage import inbox

log = logging.getLogger("plgbot.slack")

ANYTHING = re.compile(r".*", re.DOTALL)
# Slack's event type names (``reaction_added``, ``app_home_opened``...).
_EVENT_NAME = re.compile(r"[a-z_]{1,40}")


@dataclass(frozen=True, slots=True)
class Listeners:
    bot: Bot
    client: AsyncWebClient
    identity: Identity
    profiles: Profiles
    channels: ChannelNames
    replies: Replies
    work: AfterAck
    inbox: Inbox

    def register(self, app: AsyncApp) -> None:
        """Bolt runs the first listener that matches, so the catch-alls come last:
        every payload Slack may send gets its 200, and none is logged as unhandled."""
        app.event("app_mention")(self.on_message)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home_opened)
        app.event(ANYTHING)(self.on_other_event)
        app.command(re.compile(r"^/plg$"))(self.on_command)
        app.action(modal.OPEN_ACTION)(self.on_open_form)
        self.rounds.register(app)
        app.action(buttons.ACTION_ID)(self.on_button)
        app.action(ANYTHING)(self.on_other_action)
        app.view_submission(modal.CALLBACK_ID)(self.on_form_submitted)
        app.view_submission(buttons.ANSWER_CALLBACK_ID)(self.on_answer)
        app.view(ANYTHING)(self.on_other)
        app.shortcut(ANYTHING)(self.on_other)
        app.command(ANYTHING)(self.on_other)
        for kind, handler in self.handlers().items():
            self.inbox.add_handler(kind, handler)

    def handlers(self) -> dict[str, Handler]:
        """What runs each kind of delivery from the inbox."""
        return {
            "message": self._message,
            "command": self._command,
            "open form": self._open_form_of,
            "button": self._button_of,
            "answer": self._answer_of,
            "form": self._log_form_of,
            "open round form": self.rounds.open_of,
        }

    @property
    def rounds(self) -> RoundFormListeners:
        """The question-round modal's side of these listeners."""
        return RoundFormListeners(
            self.bot, self.client, self.identity, self.profiles, self.replies, self.work, self.inbox
        )

    # Events: Bolt answers Slack once the listener returns.

    async def on_message(self, body: dict[str, Any]) -> None:
        envelope = EventEnvelope.model_validate(body)
        try:
            event = MessageEvent.model_validate(body["event"])
        except ValidationError as error:
            log.debug("Slack: dropped a malformed message event (%s)", _fields(error))
            return
        me = await self.identity.get()
        how = events.reading(envelope.event.type, event, me)
        if how is None:
            return
        threaded = event.thread_ts is not None and event.thread_ts != event.ts
        if how == "observe" and not threaded:
            async with self.bot.db.session() as session:
                listens = await inbox.listens_in(
                    session,
                    platform=events.PLATFORM,
                    tenant_id=envelope.team_id,
                    channel_id=event.channel,
                )
            if not listens:
                return
        await self._keep(envelope.team_id, envelope.event_id, "message", body, event.user)

    async def on_home_opened(self, body: dict[str, Any]) -> None:
        # Shows the person's overview: nothing to record, so nothing is kept; Slack gets
        # its answer before the view is published.
        self.work.submit("home", lambda: self._home(body))

    async def on_other_event(self, body: dict[str, Any]) -> None:
        # The type comes from the request body: logged only when it looks like one of
        # Slack's event names, so no request content reaches the log.
        kind = str(body["event"]["type"])
        log.debug("Slack: ignored event %s", kind if _EVENT_NAME.fullmatch(kind) else "(other)")

    # Interactivity and commands: kept first, then acknowledged here.

    async def on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        payload = SlashCommand.model_validate(body)
        await self._keep(
            payload.team_id,
            deliveries.command_id(payload.user_id, payload.trigger_id),
            "command",
            body,
            payload.user_id,
        )
        await ack()

    async def on_open_form(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        payload = BlockActions.model_validate(body)
        await self._keep_action(payload, "open form", body)
        await ack()

    async def on_button(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        payload = BlockActions.model_validate(body)
        if buttons.pressed(payload.actions[0].value) is None:
            await ack()
            log.info("Slack: a button without a core action; acknowledged")
            return
        await self._keep_action(payload, "button", body)
        await ack()

    async def on_answer(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        payload = ViewPayload.model_validate(body)
        answer = buttons.read_answer(payload.view.private_metadata, payload.view.state.values)
        empty = buttons.ANSWER_BLOCK if answer is None else answer.missing()
        if answer is None or empty is not None:
            await ack(response_action="errors", errors={empty or buttons.ANSWER_BLOCK: "…"})
            return
        if payload.user.id in (answer.people or ()):
            refusal = text(answer.language or DEFAULT_LANGUAGE, "slack_form.not_yourself")
            await ack(response_action="errors", errors={buttons.PEOPLE_BLOCK: refusal})
            return
        await self._keep_view(payload, "answer", body)
        await ack()

    async def on_other_action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        # Buttons of older messages or other apps: nothing of plgbot's to run.
        log.info("Slack: no handler for action %s; acknowledged", body["actions"][0]["action_id"])

    async def on_form_submitted(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        payload = ViewPayload.model_validate(body)
        result = modal.read_submission(payload.view, author=payload.user.id)
        if isinstance(result, dict):
            await ack(response_action="errors", errors=result)
            return
        await self._keep_view(payload, "form", body)
        await ack()

    async def on_other(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        log.info("Slack: no handler for %s; acknowledged", body.get("type") or "command")

    # Into the inbox, before the answer.

    async def _keep(
        self, team_id: str | None, event_id: str, kind: str, body: dict[str, Any], user: str | None
    ) -> None:
        """Commit the delivery under the key the core claims it by."""
        team = team_id or (await self.identity.get()).team_id
        await self.inbox.accept(deliveries.arrival(team, event_id, kind, body, user), body)

    async def _keep_action(self, payload: BlockActions, kind: str, body: dict[str, Any]) -> None:
        team = payload.team.id if payload.team else None
        event_id = deliveries.action_id(payload.user.id, payload.trigger_id)
        await self._keep(team, event_id, kind, body, payload.user.id)

    async def _keep_view(self, payload: ViewPayload, kind: str, body: dict[str, Any]) -> None:
        team = payload.team.id if payload.team else None
        await self._keep(team, f"view-{payload.view.id}", kind, body, payload.user.id)

    # From the inbox, after the acknowledgement.

    async def _message(self, body: dict[str, Any], replayed: bool = False) -> None:
        envelope = EventEnvelope.model_validate(body)
        event = MessageEvent.model_validate(body["event"])
        me = await self.identity.get()
        how = events.reading(envelope.event.type, event, me)
        if how is None:
            return
        if how == "delete":
            await self.bot.handle(events.deleted(envelope, event, me))
            return
        inbound, where = await events.message(
            envelope,
            event,
            how,
            me=me,
            people=self.profiles.people,
            channel_name=self.channels.name,
        )
        if how == "command" and (asked := round_modal.request_of(inbound.text)) is not None:
            await self.rounds.offer(inbound.school, inbound.author, where, asked.number)
            return
        await self.replies.answer(where, self.bot.handle(inbound))

    async def _command(self, body: dict[str, Any], replayed: bool = False) -> None:
        payload = SlashCommand.model_validate(body)
        where = Where(
            channel_id=payload.channel_id,
            user_id=payload.user_id,
            is_direct=payload.channel_id.startswith("D"),
            response_url=payload.response_url,
        )
        if (asked := round_modal.request_of(payload.text)) is not None:
            await self.rounds.open(
                payload.team_id, payload.user_id, payload.trigger_id, where, asked.number, replayed
            )
            return
        if payload.text.strip().lower() in modal.COMMAND_WORDS:
            await self._open_form(
                payload.team_id, payload.user_id, payload.trigger_id, where, replayed
            )
            return
        inbound, where = await events.command(
            payload,
            me=await self.identity.get(),
            people=self.profiles.people,
            channel_name=self.channels.name,
            now=self.bot.clock.now(),
        )
        await self.replies.answer(where, self.bot.handle(inbound))

    async def _home(self, body: dict[str, Any]) -> None:
        envelope = EventEnvelope.model_validate(body)
        try:
            event = AppHomeOpened.model_validate(body["event"])
        except ValidationError as error:
            log.debug("Slack: dropped a malformed app_home_opened (%s)", _fields(error))
            return
        if event.tab != "home":
            return
        school = events.school_of(envelope.team_id, await self.identity.get())
        person = await self.profiles.person(school, event.user)
        if person.is_bot:
            return
        overview = await self.bot.overview(school, person)
        language = await self.bot.language_of(school, person)
        leads = (await self.bot.round_form(school, person)).refusal is None
        view = home_view(overview, language, leads=leads)
        await _call(self.client.views_publish(user_id=event.user, view=view))

    async def _open_form_of(self, body: dict[str, Any], replayed: bool) -> None:
        payload = BlockActions.model_validate(body)
        channel = payload.channel.id if payload.channel else None
        where = Where(
            channel_id=channel or payload.user.id,
            user_id=payload.user.id,
            is_direct=channel is None or channel.startswith("D"),
            response_url=payload.response_url,
        )
        team = payload.team.id if payload.team else None
        await self._open_form(team, payload.user.id, payload.trigger_id, where, replayed)

    async def _open_form(
        self, team_id: str | None, user_id: str, trigger_id: str, where: Where, replayed: bool
    ) -> None:
        me = await self.identity.get()
        school = events.school_of(team_id or me.team_id, me)
        person = await self.profiles.person(school, user_id)
        choices = await self.bot.form_choices(school, person)
        if replayed:
            # Slack's trigger id lasts seconds: a form asked for before a restart can
            # no longer be opened, so the person gets the button that opens it.
            await self.replies.offer(where, modal.open_button(choices.language))
            return
        view = modal.log_form(choices, channel_id=None if where.is_direct else where.channel_id)
        await _call(self.client.views_open(trigger_id=trigger_id, view=view))

    async def _button_of(self, body: dict[str, Any], replayed: bool) -> None:
        payload = BlockActions.model_validate(body)
        button = buttons.pressed(payload.actions[0].value)
        if button is not None:
            await self._button(payload, button, replayed)

    async def _button(
        self, payload: BlockActions, button: buttons.Pressed, replayed: bool = False
    ) -> None:
        me = await self.identity.get()
        school = events.school_of(payload.team.id if payload.team else me.team_id, me)
        container = payload.container
        channel_id = (payload.channel.id if payload.channel else None) or (
            container.channel_id if container else None
        )
        message_ts = container.message_ts if container else None
        if button.needs_modal and replayed:
            # Too late to open the modal; the person presses the button again.
            log.info("Slack: a button's modal could not be opened after a restart")
            return
        if button.needs_modal:
            label = payload.actions[0].text.text if payload.actions[0].text else ""
            context = {"c": channel_id, "m": message_ts}
            if button.picks_people is not None:
                # Picking yourself is refused in the modal, in the person's language.
                person = await self.profiles.person(school, payload.user.id)
                context["l"] = await self.bot.language_of(school, person)
            view = buttons.answer_modal(button, label=label, context=context)
            await _call(self.client.views_open(trigger_id=payload.trigger_id, view=view))
            return
        pressed = ActionInvoked(
            school=school,
            event_id=deliveries.action_id(payload.user.id, payload.trigger_id),
            author=await self.profiles.person(school, payload.user.id),
            channel=_channel(channel_id, payload.user.id),
            action=button.action,
            value=button.value,
            sent_at=self.bot.clock.now(),
            message_id=message_ts,
        )
        where = Where(
            channel_id=channel_id or payload.user.id,
            user_id=payload.user.id,
            is_direct=channel_id is None or channel_id.startswith("D"),
            thread_ts=container.thread_ts if container else None,
            response_url=payload.response_url,
        )
        await self.replies.answer(where, self.bot.handle(pressed))

    async def _answer_of(self, body: dict[str, Any], replayed: bool) -> None:
        payload = ViewPayload.model_validate(body)
        answer = buttons.read_answer(payload.view.private_metadata, payload.view.state.values)
        if answer is not None:
            await self._answer(payload, answer)

    async def _answer(self, payload: ViewPayload, answer: buttons.Answer) -> None:
        me = await self.identity.get()
        school = events.school_of(payload.team.id if payload.team else me.team_id, me)
        found = await self.profiles.people(school, (payload.user.id, *(answer.people or ())))
        pressed = ActionInvoked(
            school=school,
            event_id=f"view-{payload.view.id}",
            author=found[payload.user.id],
            channel=_channel(answer.channel_id, payload.user.id),
            action=answer.action,
            value=answer.value,
            sent_at=self.bot.clock.now(),
            text=answer.text,
            message_id=answer.message_ts,
            # The bot itself is no colleague to pick; the core refuses yourself.
            people=tuple(found[u] for u in answer.people or () if u != me.user_id),
        )
        direct = answer.channel_id is None or answer.channel_id.startswith("D")
        where = Where(
            channel_id=answer.channel_id or payload.user.id,
            user_id=payload.user.id,
            is_direct=direct,
        )
        await self.replies.answer(where, self.bot.handle(pressed))

    async def _log_form_of(self, body: dict[str, Any], replayed: bool) -> None:
        payload = ViewPayload.model_validate(body)
        submission = modal.read_submission(payload.view, author=payload.user.id)
        if not isinstance(submission, dict):
            await self._log_form(payload, submission)

    async def _log_form(self, payload: ViewPayload, submission: modal.Submission) -> None:
        me = await self.identity.get()
        team = payload.team.id if payload.team else me.team_id
        school = events.school_of(team, me)
        people = await self.profiles.people(school, (payload.user.id, *submission.colleagues))
        colleagues = tuple(
            people[user_id]
            for user_id in submission.colleagues
            if not people[user_id].is_bot and user_id != me.user_id
        )
        channel = (
            ChannelRef(submission.channel_id, await self.channels.name(submission.channel_id))
            if submission.channel_id
            else ChannelRef(payload.user.id, is_direct=True)
        )
        form = InteractionForm(
            school=school,
            # One modal logs once: a second delivery of the same submission is a no-op.
            event_id=f"view-{payload.view.id}",
            author=people[payload.user.id],
            channel=channel,
            colleagues=colleagues,
            origin=submission.origin,
            knowledge=submission.knowledge,
            plg=submission.plg,
            sent_at=self.bot.clock.now(),
            note=submission.note,
        )
        await self.replies.answer(Where.direct_to(payload.user.id), self.bot.handle(form))


def _channel(channel_id: str | None, user_id: str) -> ChannelRef:
    if channel_id is None:
        return ChannelRef(user_id, is_direct=True)
    return ChannelRef(channel_id, is_direct=channel_id.startswith("D"))


async def _call(request: Any) -> None:
    """A Web API call whose failure is worth a log line, not an exception."""
    try:
        await request
    except SlackApiError as error:
        log.warning("Slack: %s", error.response.get("error", "API error"))


def _fields(error: ValidationError) -> str:
    return ", ".join(sorted({".".join(str(p) for p in e["loc"]) for e in error.errors()}))
