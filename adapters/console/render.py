"""Outbound messages as terminal text."""

from __future__ import annotations

from collections.abc import Mapping

from bot.messages import (
    Actions,
    Bullets,
    Button,
    Facts,
    File,
    Heading,
    OutboundMessage,
    Paragraph,
    Visibility,
)


def render(
    message: OutboundMessage,
    *,
    in_channel: bool,
    number: int | None = None,
    saved: Mapping[str, str] | None = None,
) -> str:
    """``plgbot: ...`` with continuation lines indented; replies only the author sees
    are marked as such when they appear in a shared channel. Buttons show how to press
    them when the message has a ``number``: ``[Reply: /press 12 …]``. A file written
    to disk (``saved``: file name to path) shows where it is."""
    lines: list[str] = []
    for block in message.blocks:
        match block:
            case Heading(text):
                lines.append(text.upper() if text.isascii() else text)
            case Paragraph(text):
                lines.append(text)
            case Bullets(items):
                lines.extend(f"  • {item}" for item in items)
            case Facts(pairs):
                width = max((len(label) for label, _ in pairs), default=0)
                lines.extend(f"  {label.ljust(width)}  {value}" for label, value in pairs)
            case Actions(buttons):
                lines.append(
                    "  ".join(_button(b, i, len(buttons), number) for i, b in enumerate(buttons, 1))
                )
            case File(name=name, title=title, content=content):
                shown = (saved or {}).get(name, name)
                lines.append(f"[{title}: {shown}, {len(content)} bytes]")
    private = message.visibility is Visibility.PRIVATE and in_channel
    prefix = "plgbot (only you): " if private else "plgbot: "
    indent = " " * len(prefix)
    return "\n".join(
        (prefix if i == 0 else indent) + line for i, line in enumerate(lines) if line or i == 0
    )


def _button(button: Button, index: int, count: int, number: int | None) -> str:
    if number is None:
        return f"[{button.label}]"
    target = f"{number}.{index}" if count > 1 else str(number)
    if button.picks_people:
        return f"[{button.label}: /press {target} @name @name …]"
    return f"[{button.label}: /press {target}{' …' if button.asks_text else ''}]"
