"""Asking which knowledge types a logged conversation carried, when plgbot is unsure
(design.md): the confirmation offers the five types as buttons. A tap adds the type to
the record, a second tap on the same type takes it off again, so one card both
corrects a wrong guess and adds a second type."""

from __future__ import annotations

from bot.events import ActionInvoked
from bot.knowledge.types import ALL_TYPES, KnowledgeType
from bot.messages import Actions, Button, OutboundMessage
from bot.turn import Context
from storage import reports

TYPE_ACTION = "interaction.set_type"
_BY_NAME = {kind.names[0]: kind for kind in ALL_TYPES}


def type_buttons(ctx: Context, message_key: str) -> Actions:
    """The five types as buttons for the record message ``message_key`` keeps."""
    return Actions(
        tuple(
            Button(ctx.t(f"types.{name}"), TYPE_ACTION, f"{name}:{message_key}")
            for name in _BY_NAME
        )
    )


async def type_button(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    """A type button under a confirmation; the value is ``TYPE:MESSAGE_KEY``."""
    name, _, message_key = event.value.partition(":")
    kind = _BY_NAME.get(name)
    if kind is None or not message_key:
        return [ctx.say("error.unknown_action")]
    knowledge = await reports.toggle_knowledge(
        ctx.session, message_key=message_key, person_id=ctx.author.id, kind=kind.value
    )
    if knowledge is None:
        return [ctx.say("interaction.types_gone")]
    if not knowledge:
        return [ctx.say("interaction.types_cleared")]
    return [ctx.say("interaction.types_set", types=ctx.type_names(KnowledgeType(knowledge)))]
