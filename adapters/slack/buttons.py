"""The core's buttons in Slack: an ``actions`` block whose button values carry the core's
``action`` and ``value`` (and the prompts, for buttons that ask for text or colleagues
first), and the small modal that collects them: a text input for ``asks_text``, a
``multi_users_select`` for ``picks_people``.

Only buttons rendered here are turned into :class:`bot.events.ActionInvoked`; any other
action id (an older message's, another app's) is acknowledged and left alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.catalogue import Language, as_language
from bot.messages import Button

ACTION_ID = re.compile(r"^plgbot\.button\.\d{1,3}$")
ANSWER_CALLBACK_ID = "plgbot_answer"
ANSWER_BLOCK = "answer"
PEOPLE_BLOCK = "people"
# Slack's multi_users_select allows up to 100; a survey names a handful of colleagues.
MAX_PEOPLE = 30
# Block Kit: a button value holds 2000 characters, its text 75, a modal title 24,
# private_metadata 3000, a plain-text input 3000.
VALUE_LIMIT, LABEL_LIMIT, TITLE_LIMIT, ANSWER_LIMIT = 2000, 75, 24, 3000
# Buttons in one actions block.
PER_BLOCK = 25


@dataclass(frozen=True, slots=True)
class Pressed:
    """What a pressed core button stands for."""

    action: str
    value: str
    asks_text: str | None
    picks_people: str | None = None

    @property
    def needs_modal(self) -> bool:
        return self.asks_text is not None or self.picks_people is not None


def actions_blocks(buttons: tuple[Button, ...], *, first: int = 0) -> list[dict[str, Any]]:
    """The buttons as ``actions`` blocks of at most 25 each, every one of them with its
    whole core value. Their action ids count on from ``first``: Slack refuses a
    message in which two buttons share one (invalid_blocks)."""
    elements = [
        {
            "type": "button",
            "action_id": f"plgbot.button.{index}",
            "text": {"type": "plain_text", "text": _clip(button.label, LABEL_LIMIT)},
            "value": button_value(button),
        }
        for index, button in enumerate(buttons, start=first)
    ]
    return [
        {"type": "actions", "elements": elements[i : i + PER_BLOCK]}
        for i in range(0, len(elements), PER_BLOCK)
    ]


def button_value(button: Button) -> str:
    """The button's value as JSON within VALUE_LIMIT. The core's value is never cut
    (bot.messages.MAX_BUTTON_VALUE keeps it short); a prompt, only the modal's label,
    is shortened when the whole would not fit."""
    prompts = {"q": button.asks_text, "p": button.picks_people}
    while True:
        value = _json({"a": button.action, "v": button.value, **prompts})
        over = len(value) - VALUE_LIMIT
        given = [k for k, prompt in prompts.items() if prompt]
        if over <= 0 or not given:
            break
        # Each prompt gives up its share of what is too much (a little more: "…").
        cut = -(-over // len(given)) + 1
        for k in given:
            prompt = prompts[k] or ""
            prompts[k] = _clip(prompt, len(prompt) - cut) if len(prompt) > cut + 1 else ""
    if over > 0:
        # Only a value the core should never make (bot.messages.Button) gets here.
        raise ValueError(f"a button value of {len(value)} characters does not fit Slack")
    return value


def _json(data: dict[str, str | None]) -> str:
    # Slack counts characters: no \u escapes for é or ë, no spaces.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def pressed(value: str | None) -> Pressed | None:
    """The core button behind a button value, or None when it is not one of ours."""
    try:
        data = json.loads(value or "")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    action, core_value, prompt, people = data.get("a"), data.get("v"), data.get("q"), data.get("p")
    if not isinstance(action, str) or not action or not isinstance(core_value, str):
        return None
    return Pressed(
        action[:64],
        core_value[:1000],
        prompt if isinstance(prompt, str) else None,
        people if isinstance(people, str) else None,
    )


def answer_modal(button: Pressed, *, label: str, context: dict[str, str | None]) -> dict[str, Any]:
    """The modal asking ``button.picks_people`` and/or ``button.asks_text``; ``context``
    comes back on submission."""
    wants = {"t": button.asks_text is not None, "p": button.picks_people is not None}
    metadata = json.dumps({"a": button.action, "v": button.value, **wants, **context})
    title = {"type": "plain_text", "text": _clip(label or "plgbot", TITLE_LIMIT)}
    blocks = []
    if button.picks_people is not None:
        element = {"type": "multi_users_select", "max_selected_items": MAX_PEOPLE}
        blocks.append(_input(PEOPLE_BLOCK, button.picks_people, element))
    if button.asks_text is not None:
        element = {"type": "plain_text_input", "multiline": True, "max_length": ANSWER_LIMIT}
        blocks.append(_input(ANSWER_BLOCK, button.asks_text, element))
    return {
        "type": "modal",
        "callback_id": ANSWER_CALLBACK_ID,
        "title": title,
        "submit": title,
        "private_metadata": metadata[:3000],
        "blocks": blocks,
    }


def _input(block_id: str, label: str, element: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": _clip(label or "…", 2000)},
        "element": {**element, "action_id": f"{block_id}_input"},
    }


@dataclass(frozen=True, slots=True)
class Answer:
    """A submitted answer modal. ``text`` is None when the button asked for none;
    ``people`` are Slack user ids, in the order picked."""

    action: str
    value: str
    text: str | None
    people: tuple[str, ...] | None
    channel_id: str | None
    message_ts: str | None
    # The person's language when the modal opened, for errors shown in it.
    language: Language | None = None

    def missing(self) -> str | None:
        """The block left empty that should not be (Slack's client prevents it; a
        crafted payload does not)."""
        if self.people is not None and not self.people:
            return PEOPLE_BLOCK
        if self.text is not None and not self.text:
            return ANSWER_BLOCK
        return None


def read_answer(
    private_metadata: str, values: dict[str, dict[str, dict[str, Any]]]
) -> Answer | None:
    try:
        data = json.loads(private_metadata)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    action, value = data.get("a"), data.get("v")
    if not (isinstance(action, str) and isinstance(value, str)):
        return None
    # Older modals (before people pickers) asked for text only.
    wants_text, wants_people = data.get("t", True) is True, data.get("p") is True
    text = values.get(ANSWER_BLOCK, {}).get(f"{ANSWER_BLOCK}_input", {}).get("value")
    picked = values.get(PEOPLE_BLOCK, {}).get(f"{PEOPLE_BLOCK}_input", {}).get("selected_users")
    users = picked if isinstance(picked, list) else []
    people = tuple(
        dict.fromkeys(u for u in users if isinstance(u, str) and u.isalnum() and len(u) <= 40)
    )
    channel, ts, language = data.get("c"), data.get("m"), data.get("l")
    return Answer(
        action=action[:64],
        value=value[:1000],
        text=(text.strip()[:ANSWER_LIMIT] if isinstance(text, str) else "") if wants_text else None,
        people=people[:MAX_PEOPLE] if wants_people else None,
        channel_id=channel if isinstance(channel, str) and channel.isalnum() else None,
        message_ts=ts if isinstance(ts, str) and len(ts) < 32 else None,
        language=as_language(language) if isinstance(language, str) else None,
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
