"""The "log a conversation" card (``@plgbot log`` / ``vastleggen``, or the welcome
card's button): colleagues from the roster, direction, knowledge types, PLG and a
note. Its submit is read by :func:`adapters.teams.events.interaction_form`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botbuilder.schema import Activity

from adapters.teams.attachments import MAX_MESSAGE_BYTES, size_of
from adapters.teams.render import (
    ACTION_KEY,
    MAX_COLLEAGUES,
    Colleague,
    adaptive_card,
    card_activity,
    fitting,
    rich_text,
)
from bot.catalogue import Language, text
from bot.knowledge.types import ALL_TYPES

LOG_ACTION = "log"
OPEN_FORM_ACTION = "open_form"


def form_activity(
    language: Language, *, colleagues: Sequence[Colleague], plgs: Sequence[str]
) -> Activity:
    """The "log a conversation" card; its submit comes back as a message whose
    ``value`` holds the inputs and ``{"plgbot": "log"}``. It offers as many colleagues
    as fit in a Teams message (Teams ids are long: a few hundred at most)."""
    bare = size_of(_log_form(language, colleagues=(), plgs=plgs).serialize())
    return _log_form(language, colleagues=fitting(colleagues, MAX_MESSAGE_BYTES - bare), plgs=plgs)


def _log_form(
    language: Language, *, colleagues: Sequence[Colleague], plgs: Sequence[str]
) -> Activity:
    shown = list(colleagues)[:MAX_COLLEAGUES]
    types = [t.name.lower() for t in ALL_TYPES if t.name]
    body: list[dict[str, Any]] = [
        rich_text(text(language, "form.title"), weight="Bolder", size="Medium"),
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
    card = adaptive_card(body)
    card["actions"] = [
        {
            "type": "Action.Submit",
            "title": text(language, "form.submit"),
            "data": {ACTION_KEY: LOG_ACTION, "names": {c.user_id: c.name for c in shown}},
        }
    ]
    return card_activity(card, summary=text(language, "form.title"))


def open_form_action(language: Language) -> dict[str, Any]:
    """A button that asks the bot for the form (used on the welcome card)."""
    return {
        "type": "Action.Submit",
        "title": text(language, "form.open"),
        "data": {ACTION_KEY: OPEN_FORM_ACTION},
    }
