"""Adaptive Cards: the core's messages (text, buttons, people pickers, files).

Everything the core says is plain text, and so are the names people give themselves.
In an Adaptive Card a ``TextBlock`` (and a ``FactSet``) reads Markdown, so text goes
into ``RichTextBlock``/``TextRun`` elements, which the schema defines as literal: no
Markdown, no HTML, and ``<at>…</at>`` is just text (a Teams mention needs a matching
entity, which plgbot never sends for user-supplied text).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment

from adapters.teams.attachments import MAX_MESSAGE_BYTES, Prepared, files_of, prepare, size_of
from bot.catalogue import Language, text
from bot.messages import (
    Actions,
    Block,
    Bullets,
    Button,
    Facts,
    File,
    Heading,
    OutboundMessage,
    Paragraph,
)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
# The key in Action.Submit data that marks plgbot's own cards.
ACTION_KEY = "plgbot"
BUTTON_ACTION = "action"
# A card must stay under Teams' ~28 KB; a few hundred names fit comfortably.
MAX_COLLEAGUES = 250


@dataclass(frozen=True, slots=True)
class Colleague:
    user_id: str
    name: str


@dataclass(frozen=True, slots=True)
class _Extras:
    """What some blocks need beyond themselves: the people a picker offers, the files
    as they travel (by their order among the message's File blocks), and the language
    of a note about a file that could not be sent."""

    people: Sequence[Colleague] = ()
    files: Mapping[int, Prepared] | None = None
    language: Language | None = None


def message_activity(
    message: OutboundMessage,
    *,
    people: Sequence[Colleague] = (),
    files: Mapping[int, Prepared] | None = None,
    language: Language | None = None,
) -> Activity:
    """The core's message as a card, with the plain text as the notification summary.

    A button that picks people offers ``people`` (as many as fit in the message).
    File blocks show what ``files`` holds for them (:func:`render` prepares it); without
    it, only their titles."""
    if people and picks_people(message):
        bare = size_of(_build(message, _Extras(files=files, language=language)).serialize())
        people = fitting(people, MAX_MESSAGE_BYTES - bare)
    return _build(message, _Extras(people, files, language))


async def render(
    message: OutboundMessage,
    *,
    people: Sequence[Colleague] = (),
    language: Callable[[], Awaitable[Language]],
) -> list[Activity]:
    """The message as one card, or as several when it is longer than a Teams message
    can be (a long agenda), each with its files prepared to fit (see
    :mod:`adapters.teams.attachments`); ``language`` is asked only when a file does not
    fit and a note must say so."""
    return [await _render_one(part, people=people, language=language) for part in split(message)]


def split(message: OutboundMessage) -> list[OutboundMessage]:
    """The message in consecutive parts that each fit in a Teams message; a list of
    bullets may be cut between items. Files count only with their titles here: they
    are made to fit the part they are in."""
    if size_of(message_activity(message).serialize()) <= MAX_MESSAGE_BYTES:
        return [message]
    pieces: list[Block] = []
    for block in message.blocks:
        if isinstance(block, Bullets):
            pieces += [Bullets((item,)) for item in block.items]
        else:
            pieces.append(block)
    empty = replace(message, blocks=())
    # The card around the blocks, and a margin for the summary, which differs per part.
    room = MAX_MESSAGE_BYTES - size_of(message_activity(empty).serialize()) - 600
    parts: list[list[Block]] = [[]]
    used = 0
    for piece in pieces:
        cost = len(json.dumps(_elements_of(piece)).encode()) + 2
        if parts[-1] and used + cost > room:
            parts.append([])
            used = 0
        parts[-1].append(piece)
        used += cost
    return [replace(message, blocks=tuple(_joined(part))) for part in parts]


def _elements_of(block: Block) -> list[dict[str, Any]]:
    if isinstance(block, File):
        return [rich_text(block.title, weight="Bolder")]
    return _elements(block, _Extras())


def _joined(blocks: list[Block]) -> list[Block]:
    """Neighbouring one-item bullet lists as one list again."""
    joined: list[Block] = []
    for block in blocks:
        previous = joined[-1] if joined else None
        if isinstance(block, Bullets) and isinstance(previous, Bullets):
            joined[-1] = Bullets(previous.items + block.items)
        else:
            joined.append(block)
    return joined


async def _render_one(
    message: OutboundMessage,
    *,
    people: Sequence[Colleague],
    language: Callable[[], Awaitable[Language]],
) -> Activity:
    files = files_of(message)
    if not files:
        return message_activity(message, people=people)
    bare = size_of(message_activity(message, people=people).serialize())
    # Each file's element or attachment takes some JSON around its data as well.
    room = MAX_MESSAGE_BYTES - bare - 400 * len(files)
    prepared = await prepare(files, room=room)
    missing = any(p.data_uri is None for p in prepared.values())
    chosen = await language() if missing else None
    return message_activity(message, people=people, files=prepared, language=chosen)


def picks_people(message: OutboundMessage) -> bool:
    """Whether the message has a button that picks people (so it needs the roster)."""
    return any(
        button.picks_people is not None
        for block in message.blocks
        if isinstance(block, Actions)
        for button in block.buttons
    )


def fitting(people: Sequence[Colleague], room: int) -> list[Colleague]:
    """As many people as fit in ``room`` bytes (a choice and a name each)."""
    chosen: list[Colleague] = []
    for person in people[:MAX_COLLEAGUES]:
        cost = len(json.dumps([_choice(person), {person.user_id: person.name}]).encode())
        if cost > room:
            break
        room -= cost
        chosen.append(person)
    return chosen


def _build(message: OutboundMessage, extras: _Extras) -> Activity:
    body: list[dict[str, Any]] = []
    attachments: list[Attachment] = []
    files = iter(range(len(message.blocks)))
    inline = _inline_reply(message)
    for block in message.blocks:
        if isinstance(block, File):
            body += _file(block, next(files), extras, attachments)
        elif isinstance(block, Actions) and inline is not None:
            body += _reply_field(inline)
        else:
            body += _elements(block, extras)
    activity = card_activity(adaptive_card(body), summary=message.plain_text)
    activity.attachments += attachments
    return activity


def _inline_reply(message: OutboundMessage) -> Button | None:
    """A message whose only button asks for text (a round's question) shows the text
    field on the card itself, not behind the button."""
    buttons = [b for block in message.blocks if isinstance(block, Actions) for b in block.buttons]
    if len(buttons) == 1 and buttons[0].asks_text is not None:
        return buttons[0]
    return None


def _reply_field(button: Button) -> list[dict[str, Any]]:
    return [
        _text_input(button.asks_text or button.label),
        {"type": "ActionSet", "actions": [_submit(button)]},
    ]


def _file(
    file: File, index: int, extras: _Extras, attachments: list[Attachment]
) -> list[dict[str, Any]]:
    caption = rich_text(file.title, weight="Bolder")
    prepared = (extras.files or {}).get(index)
    if prepared is None:
        return [caption]
    if prepared.data_uri is None:
        note = text(
            extras.language or "en",
            "teams_file.too_large",
            title=file.title,
            name=file.name,
            kilobytes=max(1, len(file.content) // 1024),
        )
        return [caption, rich_text(note, color="Attention", spacing="Small")]
    if file.is_image:
        image = {"type": "Image", "url": prepared.data_uri, "altText": file.title}
        return [caption, image | {"size": "Auto"}]
    attachments.append(
        Attachment(content_type=file.media_type, content_url=prepared.data_uri, name=file.name)
    )
    return [caption, rich_text(file.name, spacing="Small")]


def with_actions(activity: Activity, actions: list[dict[str, Any]]) -> Activity:
    content: dict[str, Any] = activity.attachments[0].content
    content["actions"] = [*content.get("actions", []), *actions]
    return activity


def _elements(block: Block, extras: _Extras) -> list[dict[str, Any]]:
    match block:
        case Heading(value):
            return [rich_text(value, weight="Bolder", size="Medium")]
        case Paragraph(value):
            return [rich_text(value)]
        case Bullets(items):
            return [rich_text(f"• {item}", spacing="Small") for item in items]
        case Facts(pairs):
            return [
                {
                    "type": "ColumnSet",
                    "spacing": "Small",
                    "columns": [
                        {
                            "type": "Column",
                            "width": "auto",
                            "items": [rich_text(label, weight="Bolder")],
                        },
                        {"type": "Column", "width": "stretch", "items": [rich_text(value)]},
                    ],
                }
                for label, value in pairs
            ]
        case Actions(buttons):
            return [{"type": "ActionSet", "actions": [_button(b, extras) for b in buttons]}]
    return []


def _button(button: Button, extras: _Extras) -> dict[str, Any]:
    """A core button. One that asks for text, or for colleagues, opens an input on the
    card first; the submit carries the button's action and value back unchanged."""
    if button.picks_people is not None:
        return _show_card(button, _people_input(button.picks_people, extras.people))
    if button.asks_text is not None:
        return _show_card(button, _text_input(button.asks_text))
    return _submit(button)


def _submit(button: Button, **more: Any) -> dict[str, Any]:
    data = {ACTION_KEY: BUTTON_ACTION, "action": button.action, "value": button.value, **more}
    return {"type": "Action.Submit", "title": button.label, "data": data}


def _show_card(button: Button, field: dict[str, Any]) -> dict[str, Any]:
    names = {c["value"]: c["title"] for c in field.get("choices", [])}
    submit = _submit(button, names=names) if names else _submit(button)
    return {
        "type": "Action.ShowCard",
        "title": button.label,
        "card": {
            "type": "AdaptiveCard",
            "version": CARD_VERSION,
            "body": [field],
            "actions": [submit],
        },
    }


def _text_input(label: str) -> dict[str, Any]:
    return {
        "type": "Input.Text",
        "id": "text",
        "label": label,
        "isMultiline": True,
        "isRequired": True,
        "maxLength": 4000,
    }


def _people_input(label: str, people: Sequence[Colleague]) -> dict[str, Any]:
    """The team's members to pick from; the names travel back with the submit, so the
    core can greet people plgbot has not met yet by name."""
    return {
        "type": "Input.ChoiceSet",
        "id": "people",
        "label": label,
        "isMultiSelect": True,
        "style": "filtered",
        "choices": [_choice(person) for person in people],
    }


def _choice(person: Colleague) -> dict[str, str]:
    return {"title": person.name, "value": person.user_id}


def rich_text(value: str, **style: str) -> dict[str, Any]:
    run: dict[str, Any] = {"type": "TextRun", "text": value}
    spacing = style.pop("spacing", None)
    run.update({k: v for k, v in style.items()})
    element: dict[str, Any] = {"type": "RichTextBlock", "inlines": [run]}
    if spacing:
        element["spacing"] = spacing
    return element


def adaptive_card(body: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        # Teams renders cards at the width of the conversation instead of a narrow bubble.
        "msteams": {"width": "Full"},
    }


def card_activity(card: dict[str, Any], *, summary: str) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
        summary=summary[:200],
    )
