"""The "log a conversation" modal: building it from the core's form choices, and
reading a submission back, with errors shown next to the field they are about.

Opened by ``/plg log`` (``/plg vastleggen``) or the button on the Home tab. The modal
remembers, in ``private_metadata``, the channel it was opened from (so a PLG channel's
PLG is the default) and the person's language (so errors can be given before any
database is asked: the answer must be back within Slack's 3 seconds).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from adapters.slack.payloads import View
from bot.catalogue import DEFAULT_LANGUAGE, Language, as_language, text
from bot.knowledge.types import ALL_TYPES
from bot.service import FormChoices

CALLBACK_ID = "log_interaction"
OPEN_ACTION = "open_log_form"
COMMAND_WORDS = frozenset({"log", "form", "vastleggen", "formulier"})

COLLEAGUES, DIRECTION, KNOWLEDGE, PLG, NOTE = "colleagues", "direction", "knowledge", "plg", "note"
ORIGINS = ("told", "heard", "discussed")
TYPES = tuple(t.name.lower() for t in ALL_TYPES if t.name)
MAX_NOTE = 2000
MAX_COLLEAGUES = 10
# Block Kit: titles and buttons 24 characters, option texts 75, values 150, 100 options.
_TITLE, _OPTION_TEXT, _OPTION_VALUE, _OPTIONS = 24, 75, 150, 100


def open_button(language: Language) -> dict[str, Any]:
    """The button that opens the modal (Home tab; a form asked for before a restart)."""
    return {
        "type": "button",
        "action_id": OPEN_ACTION,
        "style": "primary",
        "text": {"type": "plain_text", "text": text(language, "form.open"), "emoji": True},
    }


@dataclass(frozen=True, slots=True)
class Submission:
    """A valid submission; the core still checks the PLG and the people."""

    colleagues: tuple[str, ...]
    origin: str
    knowledge: tuple[str, ...]
    plg: str | None
    note: str
    channel_id: str | None
    language: Language


def log_form(choices: FormChoices, *, channel_id: str | None) -> dict[str, Any]:
    """The modal view for ``views.open``, in the person's language."""
    language = choices.language

    def t(key: str) -> str:
        return text(language, f"form.{key}")

    blocks: list[dict[str, Any]] = [
        _input(
            COLLEAGUES,
            t("colleagues"),
            {"type": "multi_users_select", "max_selected_items": MAX_COLLEAGUES},
        ),
        _input(
            DIRECTION,
            t("direction"),
            {"type": "radio_buttons", "options": [_option(t(o), o) for o in ORIGINS]},
        ),
        _input(
            KNOWLEDGE,
            t("types"),
            {
                "type": "checkboxes",
                "options": [_option(text(language, f"types.{name}"), name) for name in TYPES],
            },
            optional=True,
        ),
    ]
    plgs = [name for name in choices.plgs if len(name) <= _OPTION_VALUE][:_OPTIONS]
    if plgs:
        blocks.append(
            _input(
                PLG,
                t("plg"),
                {"type": "static_select", "options": [_option(name, name) for name in plgs]},
                optional=True,
            )
        )
    blocks.append(
        _input(
            NOTE,
            t("note"),
            {"type": "plain_text_input", "multiline": True, "max_length": MAX_NOTE},
            optional=True,
        )
    )
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain(t("title"), _TITLE),
        "submit": _plain(t("submit"), _TITLE),
        "close": _plain(t("cancel"), _TITLE),
        "private_metadata": json.dumps({"channel": channel_id, "language": language}),
        "blocks": blocks,
    }


def read_submission(view: View, *, author: str) -> Submission | dict[str, str]:
    """The submission, or the errors to show (block id → message)."""
    channel_id, language = _metadata(view.private_metadata)

    def t(key: str, **values: object) -> str:
        return text(language, key, **values)

    values = view.state.values
    errors: dict[str, str] = {}
    # Slack enforces the maximum in the client; a crafted payload gets the first ten.
    colleagues = tuple(dict.fromkeys(_users(_state(values, COLLEAGUES))))[:MAX_COLLEAGUES]
    if not colleagues:
        errors[COLLEAGUES] = t("form.no_colleague")
    elif author in colleagues:
        errors[COLLEAGUES] = t("error.self_mention")
    origin = _selected(_state(values, DIRECTION))
    if origin not in ORIGINS:
        errors[DIRECTION] = t("form.bad_origin")
    knowledge = _all_selected(_state(values, KNOWLEDGE))
    unknown = [name for name in knowledge if name not in TYPES]
    if unknown:
        errors[KNOWLEDGE] = t("form.bad_type", name=unknown[0][:40], types=", ".join(TYPES))
    note = _value(_state(values, NOTE))
    if len(note) > MAX_NOTE:
        errors[NOTE] = t("error.too_long", length=len(note), limit=MAX_NOTE)
    plg = _selected(_state(values, PLG))
    if errors:
        return errors
    assert origin is not None
    return Submission(
        colleagues=colleagues,
        origin=origin,
        knowledge=tuple(dict.fromkeys(knowledge)),
        plg=plg[:_OPTION_VALUE] if plg else None,
        note=note,
        channel_id=channel_id,
        language=language,
    )


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False
) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": _plain(label, 2000),
        "element": {**element, "action_id": f"{block_id}_input"},
    }


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _plain(label, _OPTION_TEXT), "value": value[:_OPTION_VALUE]}


def _plain(label: str, limit: int) -> dict[str, Any]:
    clipped = label if len(label) <= limit else label[: limit - 1] + "…"
    return {"type": "plain_text", "text": clipped, "emoji": True}


def _metadata(raw: str) -> tuple[str | None, Language]:
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    channel = data.get("channel")
    language = as_language(data.get("language")) if isinstance(data.get("language"), str) else None
    return (
        channel if isinstance(channel, str) and channel.isalnum() else None,
        language or DEFAULT_LANGUAGE,
    )


def _state(values: dict[str, dict[str, dict[str, Any]]], block_id: str) -> dict[str, Any]:
    return values.get(block_id, {}).get(f"{block_id}_input", {})


def _users(state: dict[str, Any]) -> list[str]:
    users = state.get("selected_users")
    if not isinstance(users, list):
        return []
    return [u for u in users if isinstance(u, str) and u.isalnum() and len(u) <= 40]


def _selected(state: dict[str, Any]) -> str | None:
    option = state.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) and value else None


def _all_selected(state: dict[str, Any]) -> list[str]:
    options = state.get("selected_options")
    if not isinstance(options, list):
        return []
    values = [o.get("value") for o in options if isinstance(o, dict)]
    return [v for v in values if isinstance(v, str)]


def _value(state: dict[str, Any]) -> str:
    value = state.get("value")
    return value if isinstance(value, str) else ""
