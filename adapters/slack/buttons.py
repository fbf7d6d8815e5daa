"""The core's buttons in Slack: an ``actions`` block whose button values carry the core's
``action`` and ``value`` (and the prompt, for buttons that ask for text first), and the
small modal that collects that text.

Only buttons rendered here are turned into :class:`bot.events.ActionInvoked`; any other
action id (an older message's, another app's) is acknowledged and left alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.messages import Button

ACTION_ID = re.compile(r"^plgbot\.button\.\d{1,2}$")
ANSWER_CALLBACK_ID = "plgbot_answer"
ANSWER_BLOCK = "answer"
# Block Kit: a button value holds 2000 characters, its text 75, a modal title 24,
# private_metadata 3000, a plain-text input 3000.
VALUE_LIMIT, LABEL_LIMIT, TITLE_LIMIT, ANSWER_LIMIT = 2000, 75, 24, 3000


@dataclass(frozen=True, slots=True)
class Pressed:
    """What a pressed core button stands for."""

    action: str
    value: str
    asks_text: str | None


def actions_block(buttons: tuple[Button, ...]) -> dict[str, Any] | None:
    elements = []
    for index, button in enumerate(buttons[:25]):
        value = json.dumps({"a": button.action, "v": button.value, "q": button.asks_text})
        if len(value) > VALUE_LIMIT:
            continue
        elements.append(
            {
                "type": "button",
                "action_id": f"plgbot.button.{index}",
                "text": {"type": "plain_text", "text": _clip(button.label, LABEL_LIMIT)},
                "value": value,
            }
        )
    return {"type": "actions", "elements": elements} if elements else None


def pressed(value: str | None) -> Pressed | None:
    """The core button behind a button value, or None when it is not one of ours."""
    try:
        data = json.loads(value or "")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    action, core_value, prompt = data.get("a"), data.get("v"), data.get("q")
    if not isinstance(action, str) or not action or not isinstance(core_value, str):
        return None
    return Pressed(action[:64], core_value[:1000], prompt if isinstance(prompt, str) else None)


def answer_modal(button: Pressed, *, label: str, context: dict[str, str | None]) -> dict[str, Any]:
    """The modal asking ``button.asks_text``; ``context`` comes back on submission."""
    metadata = json.dumps({"a": button.action, "v": button.value, **context})
    title = {"type": "plain_text", "text": _clip(label or "plgbot", TITLE_LIMIT)}
    return {
        "type": "modal",
        "callback_id": ANSWER_CALLBACK_ID,
        "title": title,
        "submit": title,
        "private_metadata": metadata[:3000],
        "blocks": [
            {
                "type": "input",
                "block_id": ANSWER_BLOCK,
                "label": {"type": "plain_text", "text": _clip(button.asks_text or "…", 2000)},
                "element": {
                    "type": "plain_text_input",
                    "action_id": f"{ANSWER_BLOCK}_input",
                    "multiline": True,
                    "max_length": ANSWER_LIMIT,
                },
            }
        ],
    }


@dataclass(frozen=True, slots=True)
class Answer:
    action: str
    value: str
    text: str
    channel_id: str | None
    message_ts: str | None


def read_answer(
    private_metadata: str, values: dict[str, dict[str, dict[str, Any]]]
) -> Answer | None:
    try:
        data = json.loads(private_metadata)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    text = values.get(ANSWER_BLOCK, {}).get(f"{ANSWER_BLOCK}_input", {}).get("value")
    action, value = data.get("a"), data.get("v")
    if not (isinstance(action, str) and isinstance(value, str) and isinstance(text, str)):
        return None
    channel, ts = data.get("c"), data.get("m")
    return Answer(
        action=action[:64],
        value=value[:1000],
        text=text.strip()[:ANSWER_LIMIT],
        channel_id=channel if isinstance(channel, str) and channel.isalnum() else None,
        message_ts=ts if isinstance(ts, str) and len(ts) < 32 else None,
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
