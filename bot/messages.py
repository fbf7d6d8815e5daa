"""Outbound messages: what the core asks an adapter to show.

Text in every block is plain text, never platform markup: each adapter escapes it for
its platform (Slack mrkdwn, Teams markdown/HTML, a terminal), so a display name like
``<!channel>`` can never become a broadcast.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from enum import Enum
from typing import Any

# The longest value a button may carry; see Button.
MAX_BUTTON_VALUE = 500


@dataclass(frozen=True, slots=True)
class Heading:
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Facts:
    """Label/value pairs, shown as a compact table (Slack fields, Teams FactSet)."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Button:
    """A button. ``action`` names the core handler (``round.reply``), ``value`` is opaque
    to the adapter and comes back unchanged. With ``asks_text`` set, the platform first
    collects a text answer with that prompt (Slack: a modal; Teams: an input on the card;
    console: ``/press N text``). With ``picks_people`` set, it first lets the person
    pick colleagues of the school, with that prompt (Slack: a ``multi_users_select``;
    Teams: an ``Input.ChoiceSet`` filled from the team roster; console:
    ``/press N @name @name``); they come back in ``ActionInvoked.people``."""

    label: str
    action: str
    value: str
    asks_text: str | None = None
    picks_people: str | None = None

    def __post_init__(self) -> None:
        # A value is an id or a short name, never a person's text: every platform must
        # be able to carry it whole (Slack holds 2000 characters, JSON-escaped).
        if len(self.value) > MAX_BUTTON_VALUE:
            raise ValueError(f"a button value of {len(self.value)} characters ({self.action})")


@dataclass(frozen=True, slots=True)
class Actions:
    buttons: tuple[Button, ...]


@dataclass(frozen=True, slots=True)
class File:
    """A file sent with the message: a digest's network picture (``image/png``), a
    person's data export (``application/json``). Images are shown inline where the
    platform can (Slack: uploaded into the conversation; Teams: an image on the card);
    other files are attached (console: written to its output folder)."""

    name: str
    content: bytes
    media_type: str
    title: str

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


Block = Heading | Paragraph | Bullets | Facts | Actions | File


class Visibility(Enum):
    """Who sees a reply: everyone in the conversation, or only the person who asked."""

    CONVERSATION = "conversation"
    PRIVATE = "private"


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    blocks: tuple[Block, ...]
    visibility: Visibility = Visibility.CONVERSATION
    in_thread: bool = False

    @property
    def plain_text(self) -> str:
        """A plain-text rendering, used for notifications and terminals."""
        lines: list[str] = []
        for block in self.blocks:
            match block:
                case Heading(text) | Paragraph(text):
                    lines.append(text)
                case Bullets(items):
                    lines.extend(f"• {item}" for item in items)
                case Facts(pairs):
                    lines.extend(f"{label}: {value}" for label, value in pairs)
                case Actions(buttons):
                    lines.append("  ".join(f"[{button.label}]" for button in buttons))
                case File(name=name, title=title):
                    lines.append(f"[{title}: {name}]")
        return "\n".join(lines)


def message(*blocks: Block, private: bool = False, in_thread: bool = False) -> OutboundMessage:
    visibility = Visibility.PRIVATE if private else Visibility.CONVERSATION
    return OutboundMessage(blocks=blocks, visibility=visibility, in_thread=in_thread)


# The JSON form of a message, for the outbox (replies kept until they are sent). Each
# block is ``[kind, fields]``: Heading and Paragraph have the same fields, so the kind
# is named.


def to_record(outbound: OutboundMessage) -> dict[str, Any]:
    """``outbound`` as JSON-able data (:func:`from_record` reads it back)."""
    return {
        "visibility": outbound.visibility.value,
        "in_thread": outbound.in_thread,
        "blocks": [_block_record(block) for block in outbound.blocks],
    }


def from_record(record: dict[str, Any]) -> OutboundMessage:
    return OutboundMessage(
        blocks=tuple(_block(kind, fields) for kind, fields in record["blocks"]),
        visibility=Visibility(record["visibility"]),
        in_thread=bool(record["in_thread"]),
    )


def _block_record(block: Block) -> list[Any]:
    match block:
        case Heading(text):
            return ["heading", {"text": text}]
        case Paragraph(text):
            return ["paragraph", {"text": text}]
        case Bullets(items):
            return ["bullets", {"items": list(items)}]
        case Facts(pairs):
            return ["facts", {"pairs": [list(pair) for pair in pairs]}]
        case Actions(buttons):
            return [
                "actions",
                {
                    "buttons": [
                        {
                            "label": b.label,
                            "action": b.action,
                            "value": b.value,
                            "asks_text": b.asks_text,
                            "picks_people": b.picks_people,
                        }
                        for b in buttons
                    ]
                },
            ]
        case File(name, content, media_type, title):
            encoded = base64.b64encode(content).decode("ascii")
            return [
                "file",
                {"name": name, "content": encoded, "media_type": media_type, "title": title},
            ]
    raise TypeError(f"not a block: {type(block).__name__}")


def _block(kind: str, fields: dict[str, Any]) -> Block:
    match kind:
        case "heading":
            return Heading(fields["text"])
        case "paragraph":
            return Paragraph(fields["text"])
        case "bullets":
            return Bullets(tuple(fields["items"]))
        case "facts":
            return Facts(tuple((label, value) for label, value in fields["pairs"]))
        case "actions":
            return Actions(tuple(Button(**button) for button in fields["buttons"]))
        case "file":
            content = base64.b64decode(fields["content"])
            return File(fields["name"], content, fields["media_type"], fields["title"])
    raise ValueError(f"unknown block kind {kind!r}")
