"""Outbound messages as Slack Block Kit: every piece of core text is escaped for
mrkdwn (or sent as plain_text), so nothing a person typed can mention or broadcast."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from adapters.slack.buttons import actions_blocks
from adapters.slack.markup import escape
from bot.messages import Actions, Bullets, Facts, File, Heading, OutboundMessage, Paragraph

# Block Kit limits: a section's text 3000 characters, a header 150, 10 fields per
# section of 2000 each, 50 blocks in a message (100 in a Home tab or modal).
SECTION_LIMIT = 3000
HEADER_LIMIT = 150
FIELDS_PER_SECTION = 10
FIELD_LIMIT = 2000
MESSAGE_BLOCKS = 50
# Slack also refuses a message whose blocks are long in all (msg_blocks_too_long, seen
# from about 13,200 characters; undocumented): a part stays below this, counted as JSON.
MESSAGE_CHARACTERS = 12_000

Block = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Rendered:
    """``text`` is the notification and screen-reader fallback; ``blocks`` the layout.
    A message too long for one Slack message has ``more``: the parts after the first,
    each counted ("2/3"), to be posted in order in the first part's thread."""

    text: str
    blocks: list[Block]
    more: tuple[Rendered, ...] = ()

    @property
    def parts(self) -> tuple[Rendered, ...]:
        return (replace(self, more=()), *self.more)


def render(message: OutboundMessage) -> Rendered:
    """The message as one Slack message or, when it is too long, as several parts:
    nothing is left out."""
    parts = _parts(blocks_of(message), MESSAGE_BLOCKS - 1)
    text = _clip(escape(message.plain_text), SECTION_LIMIT)
    if len(parts) == 1:
        return Rendered(text=text, blocks=parts[0])
    count = len(parts)
    rendered = [
        Rendered(
            text=text if number == 1 else _clip(_text_of(part), SECTION_LIMIT),
            blocks=[*part, _counter(number, count)],
        )
        for number, part in enumerate(parts, start=1)
    ]
    return replace(rendered[0], more=tuple(rendered[1:]))


def fitted(message: OutboundMessage, max_blocks: int) -> list[Block]:
    """The message's blocks for a view (the Home tab), which cannot continue in a
    thread: what does not fit is marked with "…"."""
    blocks = blocks_of(message)
    if len(blocks) > max_blocks:
        blocks = [*blocks[: max_blocks - 1], *sections("…")]
    return blocks


def blocks_of(message: OutboundMessage) -> list[Block]:
    blocks: list[Block] = []
    buttons_before = 0
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
                blocks.extend(actions_blocks(buttons, first=buttons_before))
                buttons_before += len(buttons)
            case File():
                pass  # uploaded after the text (adapters.slack.files)
    return blocks


def _parts(blocks: list[Block], max_blocks: int) -> list[list[Block]]:
    """Consecutive parts of at most ``max_blocks`` blocks and MESSAGE_CHARACTERS."""
    parts: list[list[Block]] = [[]]
    used = 0
    for block in blocks:
        size = len(json.dumps(block, ensure_ascii=False))
        if parts[-1] and (len(parts[-1]) >= max_blocks or used + size > MESSAGE_CHARACTERS):
            parts.append([])
            used = 0
        parts[-1].append(block)
        used += size
    return parts


def _counter(number: int, count: int) -> Block:
    # Numbers need no language; the thread sign says where the rest is.
    mark = f"{number}/{count}" + (" · 🧵 ↓" if number == 1 else "")
    return {"type": "context", "elements": [{"type": "plain_text", "text": mark}]}


def _text_of(blocks: list[Block]) -> str:
    """The fallback text of a part: its sections' text."""
    texts = [str((b.get("text") or {}).get("text") or "") for b in blocks]
    return "\n".join(t for t in texts if t.strip()) or " "


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
