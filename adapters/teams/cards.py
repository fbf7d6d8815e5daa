"""Adaptive Cards: the core's messages, and the "log a conversation" form.

Everything the core says is plain text, and so are the names people give themselves.
In an Adaptive Card a ``TextBlock`` (and a ``FactSet``) reads Markdown, so text goes
into ``RichTextBlock``/``TextRun`` elements, which the schema defines as literal: no
Markdown, no HTML, and ``<at>…</at>`` is just text (a Teams mention needs a matching
entity, which plgbot never sends for user-supplied text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.catalogue import Language, text
from bot.knowledge import ALL_TYPES
from bot.messages import Actions, Block, Bullets, Button, Facts, Heading, OutboundMessage, Paragraph

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
# The key in Action.Submit data that marks plgbot's own cards.
ACTION_KEY = "plgbot"
LOG_ACTION = "log"
OPEN_FORM_ACTION = "open_form"
BUTTON_ACTION = "action"
# A card must stay under Teams' ~28 KB; a few hundred names fit comfortably.
MAX_COLLEAGUES = 250


@dataclass(frozen=True, slots=True)
class Colleague:
    user_id: str
    name: str


def message_activity(message: OutboundMessage) -> Activity:
    """The core's message as a card, with the plain text as the notification summary."""
    card = _card([element for block in message.blocks for element in _elements(block)])
    return _card_activity(card, summary=message.plain_text)


def form_activity(
    language: Language, *, colleagues: Sequence[Colleague], plgs: Sequence[str]
) -> Activity:
    """The "log a conversation" card; its submit comes back as a message whose
    ``value`` holds the inputs and ``{"plgbot": "log"}``."""
    shown = list(colleagues)[:MAX_COLLEAGUES]
    types = [t.name.lower() for t in ALL_TYPES if t.name]
    body: list[dict[str, Any]] = [
        _rich(text(language, "form.title"), weight="Bolder", size="Medium"),
        {
            "type": "Input.ChoiceSet",
            "id": "colleagues",
            "label": text(language, "form.colleagues"),
            "isMultiSelect": True,
            "style": "filtered",
            "isRequired": True,
            "errorMessage": text(language, "form.no_colleague"),
            "choices": [{"title": c.name, "value": c.user_id} for c in shown],
        },
        {
            "type": "Input.ChoiceSet",
            "id": "origin",
            "label": text(language, "form.direction"),
            "style": "expanded",
            "value": "told",
            "isRequired": True,
            "choices": [
                {"title": text(language, f"form.{origin}"), "value": origin}
                for origin in ("told", "heard", "discussed")
            ],
        },
        {
            "type": "Input.ChoiceSet",
            "id": "knowledge",
            "label": text(language, "form.types"),
            "isMultiSelect": True,
            "style": "expanded",
            "choices": [
                {"title": text(language, f"types.{name}"), "value": name} for name in types
            ],
        },
    ]
    if plgs:
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": "plg",
                "label": text(language, "form.plg"),
                "style": "compact",
                "choices": [{"title": name, "value": name} for name in plgs],
            }
        )
    body.append(
        {
            "type": "Input.Text",
            "id": "note",
            "label": text(language, "form.note"),
            "isMultiline": True,
            "maxLength": 1000,
        }
    )
    card = _card(body)
    card["actions"] = [
        {
            "type": "Action.Submit",
            "title": text(language, "form.submit"),
            "data": {ACTION_KEY: LOG_ACTION, "names": {c.user_id: c.name for c in shown}},
        }
    ]
    return _card_activity(card, summary=text(language, "form.title"))


def open_form_action(language: Language) -> dict[str, Any]:
    """A button that asks the bot for the form (used on the welcome card)."""
    return {
        "type": "Action.Submit",
        "title": text(language, "form.open"),
        "data": {ACTION_KEY: OPEN_FORM_ACTION},
    }


def with_actions(activity: Activity, actions: list[dict[str, Any]]) -> Activity:
    content: dict[str, Any] = activity.attachments[0].content
    content["actions"] = [*content.get("actions", []), *actions]
    return activity


def _elements(block: Block) -> list[dict[str, Any]]:
    match block:
        case Heading(value):
            return [_rich(value, weight="Bolder", size="Medium")]
        case Paragraph(value):
            return [_rich(value)]
        case Bullets(items):
            return [_rich(f"• {item}", spacing="Small") for item in items]
        case Facts(pairs):
            return [
                {
                    "type": "ColumnSet",
                    "spacing": "Small",
                    "columns": [
                        {
                            "type": "Column",
                            "width": "auto",
                            "items": [_rich(label, weight="Bolder")],
                        },
                        {"type": "Column", "width": "stretch", "items": [_rich(value)]},
                    ],
                }
                for label, value in pairs
            ]
        case Actions(buttons):
            return [{"type": "ActionSet", "actions": [_button(b) for b in buttons]}]


def _button(button: Button) -> dict[str, Any]:
    """A core button. One that asks for text opens an input on the card first; the
    submit carries the button's action and value back unchanged."""
    data = {ACTION_KEY: BUTTON_ACTION, "action": button.action, "value": button.value}
    submit = {"type": "Action.Submit", "title": button.label, "data": data}
    if button.asks_text is None:
        return submit
    return {
        "type": "Action.ShowCard",
        "title": button.label,
        "card": {
            "type": "AdaptiveCard",
            "version": CARD_VERSION,
            "body": [
                {
                    "type": "Input.Text",
                    "id": "text",
                    "label": button.asks_text,
                    "isMultiline": True,
                    "isRequired": True,
                    "maxLength": 4000,
                }
            ],
            "actions": [submit],
        },
    }


def _rich(value: str, **style: str) -> dict[str, Any]:
    run: dict[str, Any] = {"type": "TextRun", "text": value}
    spacing = style.pop("spacing", None)
    run.update({k: v for k, v in style.items()})
    element: dict[str, Any] = {"type": "RichTextBlock", "inlines": [run]}
    if spacing:
        element["spacing"] = spacing
    return element


def _card(body: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        # Teams renders cards at the width of the conversation instead of a narrow bubble.
        "msteams": {"width": "Full"},
    }


def _card_activity(card: dict[str, Any], *, summary: str) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
        summary=summary[:200],
    )
