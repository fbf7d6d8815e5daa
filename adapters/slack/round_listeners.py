"""The question-round modal's listeners: opening it (slash command, Home tab button, the
button offered in answer to ``@plgbot round form``) and submitting it.

A submission is checked by the core *before* Slack gets its answer (within Slack's 3
seconds), because only then can a refusal be shown next to its field with the lead's
input kept. Each submission is one event for the core: view id plus view hash, so a
re-delivery creates nothing twice while a corrected resubmission (a new hash) counts.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.inbox import Inbox
from adapters.slack import deliveries, events, round_modal
from adapters.slack.background import AfterAck
from adapters.slack.identity import Identity
from adapters.slack.payloads import BlockActions, ViewPayload
from adapters.slack.profiles import Profiles
from adapters.slack.replies import Replies, Where
from bot.catalogue import text
from bot.events import ChannelRef, PersonRef, RoundFields, RoundForm, SchoolRef
from bot.messages import Paragraph, Visibility, message
from bot.rounds.form import RoundFormOutcome
from bot.service import Bot

log = logging.getLogger("plgbot.slack")

# Slack shows an error text under its field; a long one helps nobody there.
ERROR_LIMIT = 1000
# Of Slack's 3 seconds for answering a submission, what the core may take.
ACK_BUDGET = 2.5


@dataclass(frozen=True, slots=True)
class RoundFormListeners:
    bot: Bot
    client: AsyncWebClient
    identity: Identity
    profiles: Profiles
    replies: Replies
    work: AfterAck
    inbox: Inbox

    def register(self, app: AsyncApp) -> None:
        """Registered before the catch-all listeners of :mod:`adapters.slack.listeners`."""
        app.action(round_modal.OPEN_ACTION)(self.on_open_button)
        app.view_submission(round_modal.CALLBACK_ID)(self.on_submitted)

    async def on_open_button(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        payload = BlockActions.model_validate(body)
        team = payload.team.id if payload.team else (await self.identity.get()).team_id
        event_id = deliveries.action_id(payload.user.id, payload.trigger_id)
        kept = deliveries.arrival(team, event_id, "open round form", body, payload.user.id)
        await self.inbox.accept(kept, body)
        await ack()

    async def open_of(self, body: dict[str, Any], replayed: bool) -> None:
        """The "open the round form" button, from the inbox."""
        payload = BlockActions.model_validate(body)
        container = payload.container
        channel = (payload.channel.id if payload.channel else None) or (
            container.channel_id if container else None
        )
        where = Where(
            channel_id=channel or payload.user.id,
            user_id=payload.user.id,
            is_direct=channel is None or channel.startswith("D"),
            response_url=payload.response_url,
        )
        number = round_modal.number_of(payload.actions[0].value)
        team = payload.team.id if payload.team else None
        await self.open(team, payload.user.id, payload.trigger_id, where, number, replayed)

    async def open(
        self,
        team_id: str | None,
        user_id: str,
        trigger_id: str,
        where: Where,
        number: int | None,
        replayed: bool = False,
    ) -> None:
        """Open the modal for ``user_id``, or tell them why there is none for them. A
        request taken over after a restart has an expired trigger id: the person gets
        the button that opens the modal instead."""
        me = await self.identity.get()
        school = events.school_of(team_id or me.team_id, me)
        person = await self.profiles.person(school, user_id)
        if replayed:
            await self.offer(school, person, where, number)
            return
        choices = await self.bot.round_form(school, person, number)
        if choices.refusal is not None:
            await self.replies.send(where, [message(Paragraph(choices.refusal), private=True)])
            return
        channel = None if where.is_direct else where.channel_id
        opened = round_modal.Opened(
            choices.language, number, channel_id=channel, response_url=where.response_url
        )
        view = round_modal.round_form(choices, opened)
        await _call(self.client.views_open(trigger_id=trigger_id, view=view))

    async def offer(
        self, school: SchoolRef, person: PersonRef, where: Where, number: int | None
    ) -> None:
        """``@plgbot round form`` carries no trigger id to open a modal with, so the
        answer is a button that does (only the person who asked sees it)."""
        choices = await self.bot.round_form(school, person, number)
        if choices.refusal is not None:
            await self.replies.send(where, [message(Paragraph(choices.refusal), private=True)])
            return
        await self.replies.offer(where, round_modal.open_button(choices.language, number))

    async def on_submitted(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        payload = ViewPayload.model_validate(body)
        view = payload.view
        opened = round_modal.opened_of(view)
        fields = round_modal.fields_of(view, opened)
        user_id = payload.user.id
        # Bolt answers Slack by itself (and the modal closes) when the listener has not
        # acknowledged within 3 seconds: decide before then, without waiting for a stuck
        # database to give up (that work goes on after, see _late).
        submitting = asyncio.ensure_future(self._submit(payload, opened, fields))
        done, _ = await asyncio.wait({submitting}, timeout=ACK_BUDGET)
        if not done or submitting.exception() is not None:
            # The database out of reach, say: the lead keeps the modal and what they
            # typed, instead of Slack's bare "trouble connecting".
            error = submitting.exception() if done else TimeoutError()
            log.error("Slack: round form not taken in time (%s)", type(error).__name__)
            if not done:
                self.work.submit("late round form", lambda: self._late(submitting, opened, user_id))
            sorry = text(opened.language, "slack_form.unavailable")
            await ack(response_action="errors", errors={round_modal.PLG: sorry})
            return
        outcome = submitting.result()
        if not outcome.accepted:
            said = " ".join(m.plain_text for m in outcome.messages) or "…"
            block = round_modal.block_of(outcome.field, fields)
            await ack(response_action="errors", errors={block: said[:ERROR_LIMIT]})
            return
        await ack()
        self.work.submit("round form", lambda: self._confirm(outcome, opened, user_id))

    async def _confirm(
        self, outcome: RoundFormOutcome, opened: round_modal.Opened, user_id: str
    ) -> None:
        """Only the lead sees the confirmation: in their DM, or privately where the modal
        was opened. A re-delivered submission has none (the first was confirmed)."""
        if not outcome.accepted or not outcome.messages:
            return
        if opened.channel_id is None:
            where = Where.direct_to(user_id)
        else:
            where = Where(
                channel_id=opened.channel_id,
                user_id=user_id,
                is_direct=False,
                response_url=opened.response_url,
            )
        private = [replace(m, visibility=Visibility.PRIVATE) for m in outcome.messages]
        await self.replies.send(where, private)

    async def _late(
        self, submitting: asyncio.Future[RoundFormOutcome], opened: round_modal.Opened, user_id: str
    ) -> None:
        """A submission that outlived the acknowledgement: if it went through after all,
        the lead still hears so (and sending the modal again then changes nothing)."""
        try:
            outcome = await submitting
        except Exception as error:
            log.warning("Slack: late round form failed (%s)", type(error).__name__)
            return
        await self._confirm(outcome, opened, user_id)

    async def _submit(
        self, payload: ViewPayload, opened: round_modal.Opened, fields: RoundFields
    ) -> RoundFormOutcome:
        view, user_id = payload.view, payload.user.id
        me = await self.identity.get()
        school = events.school_of(payload.team.id if payload.team else me.team_id, me)
        form = RoundForm(
            school=school,
            event_id=f"view-{view.id}-{view.hash}",
            author=await self.profiles.person(school, user_id),
            channel=(
                ChannelRef(opened.channel_id)
                if opened.channel_id
                else ChannelRef(user_id, is_direct=True)
            ),
            fields=fields,
            sent_at=self.bot.clock.now(),
        )
        return await self.bot.submit_round_form(form)


async def _call(request: Any) -> None:
    """A Web API call whose failure is worth a log line, not an exception."""
    try:
        await request
    except SlackApiError as error:
        log.warning("Slack: %s", error.response.get("error", "API error"))
