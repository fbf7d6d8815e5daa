"""Outbound messages as Slack Block Kit: every piece of core text is escaped for
mrkdwn (or sent as plain_text), so nothing a person typed can mention or broadcast."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.slack.buttons import actions_block
from adapters.slack.markup import escape
from bot.messages import Actions, Bullets, Facts, File, Heading, OutboundMessage, Paragraph

# Block Kit limits: a section's text 3000 characters, a header 150, 10 fields per
# section of 2000 each, 50 blocks in a message (100 in a Home tab or modal).
SECTION_LIMIT = 3000
HEADER_LIMIT = 150
FIELDS_PER_SECTION = 10
FIELD_LIMIT = 2000
MESSAGE_BLOCKS = 50

Block = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Rendered:
    """``text`` is the notification and screen-reader fallback; ``blocks`` the layout."""

    text: str
    blocks: list[Block]


def render(message: OutboundMessage, *, max_blocks: int = MESSAGE_BLOCKS) -> Rendered:
    blocks: list[Block] = []
    for block in message.blocks:
        match block:
            case Heading(text):
                blocks.append(header(text))
            case Paragraph(text):
                blocks.extend(sections(escape(text)))
            case Bullets(items):
                blocks.extend(sections("\n".join(f"• {escape(item)}" for item in items)))
            case Facts(pairs):
                blocks.extend(_facts(pairs))
            case Actions(buttons):
                if (actions := actions_block(buttons)) is not None:
                    blocks.append(actions)
            case File():
                pass  # uploaded after the text (adapters.slack.files)
    if len(blocks) > max_blocks:
        blocks = [*blocks[: max_blocks - 1], *sections("…")]
    return Rendered(text=_clip(escape(message.plain_text), SECTION_LIMIT), blocks=blocks)


def header(text: str) -> Block:
    # plain_text is never parsed for mentions or links, so it needs no escaping.
    return {"type": "header", "text": {"type": "plain_text", "text": _clip(text, HEADER_LIMIT)}}


def sections(mrkdwn: str) -> list[Block]:
    """One or more sections for already-escaped mrkdwn, split at line ends so no
    entity or line is cut in half."""
    chunks: list[str] = []
    current = ""
    for line in mrkdwn.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= SECTION_LIMIT:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while len(line) > SECTION_LIMIT:
            cut = _safe_cut(line, SECTION_LIMIT)
            chunks.append(line[:cut])
            line = line[cut:]
        current = line
    if current.strip() or not chunks:
        chunks.append(current or " ")
    return [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in chunks]


def _facts(pairs: tuple[tuple[str, str], ...]) -> list[Block]:
    fields = [
        {"type": "mrkdwn", "text": _clip(f"*{escape(label)}*\n{escape(value)}", FIELD_LIMIT)}
        for label, value in pairs
    ]
    return [
        {"type": "section", "fields": fields[i : i + FIELDS_PER_SECTION]}
        for i in range(0, len(fields), FIELDS_PER_SECTION)
    ]


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: _safe_cut(text, limit - 1)] + "…"


def _safe_cut(text: str, limit: int) -> int:
    """The largest cut point ≤ ``limit`` that does not split an ``&amp;``-style entity."""
    amp = text.rfind("&", max(0, limit - 5), limit)
    if amp != -1 and ";" in text[amp : limit + 5] and text.find(";", amp) >= limit:
        return amp
    return limit
