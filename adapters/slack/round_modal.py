"""The lead's question-round modal: drawn from the core's :class:`RoundFormChoices`, read
back into :class:`bot.events.RoundFields`, and the core's refusal shown next to the
field it is about (``response_action: errors``), so the lead keeps what they typed.

Opened by ``/plg round form`` (``/plg ronde formulier``; ``… form 3`` edits round 3),
by the "New question round" button on the Home tab, or by the button plgbot answers
``@plgbot round form`` with (a mention carries no ``trigger_id``, so it cannot open a
modal itself). ``private_metadata`` remembers the round being edited, the channel the
modal was opened from and, for a slash command, its ``response_url``: that is where the
confirmation goes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from adapters.slack.payloads import View
from bot.catalogue import DEFAULT_LANGUAGE, Language, as_language, text
from bot.events import RoundFields
from bot.rounds.form import (
    ANONYMOUS,
    CHANNELS,
    CLOSES,
    PLG_FIELD,
    QUESTION,
    SCHEDULE,
    SCHEDULES,
    RoundFormChoices,
)
from bot.rounds.recurrence import DAYS

CALLBACK_ID = "plgbot_round_form"
OPEN_ACTION = "open_round_form"

PLG, QUESTION_BLOCK, CHANNELS_BLOCK, SCHEDULE_BLOCK = "plg", "question", "channels", "schedule"
WEEKDAY, DATE, TIME = "weekday", "date", "time"
CLOSES_DATE, CLOSES_TIME = "closes_date", "closes_time"
ANONYMOUS_BLOCK = "anonymous"
MAX_QUESTION = 500
# Block Kit: option texts 75 characters, values 150, 100 options; a title 24.
_OPTION_TEXT, _OPTION_VALUE, _OPTIONS, _TITLE = 75, 150, 100, 24
_URL = ("https://", "http://")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}$")
# ``round form``, ``ronde formulier 3``: the words that open the modal instead of the
# typed command's usage (see bot.rounds.commands, where ``form`` means ``new`` elsewhere).
_REQUEST = re.compile(
    r"^\s*(?:round|rounds|ronde|rondes|vraagronde|whiteboard)\s+(?:form|formulier)"
    r"(?:\s+#?(\d{1,9}))?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Request:
    """``round form`` asked for: a new round, or editing round ``number``."""

    number: int | None


@dataclass(frozen=True, slots=True)
class Opened:
    """What the modal remembers between opening and submission."""

    language: Language
    number: int | None = None
    channel_id: str | None = None
    response_url: str | None = None


def request_of(command_text: str) -> Request | None:
    """The form request behind a command's text, or None when it is another command."""
    found = _REQUEST.match(command_text)
    if found is None:
        return None
    return Request(int(found.group(1)) if found.group(1) else None)


def button_value(number: int | None) -> str:
    return "" if number is None else str(number)


def number_of(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def open_button(language: Language, number: int | None) -> dict[str, Any]:
    """The button that opens the modal (Home tab, answer to a mention)."""
    label = (
        text(language, "round_form.open")
        if number is None
        else text(language, "round_form.title_edit", number=number)
    )
    return {
        "type": "button",
        "action_id": OPEN_ACTION,
        "style": "primary",
        "value": button_value(number),
        "text": _plain(label, _OPTION_TEXT),
    }


def round_form(choices: RoundFormChoices, opened: Opened) -> dict[str, Any]:
    """The modal view for ``views.open``, filled in with the round's values when editing."""
    language = choices.language
    values = choices.values

    def t(key: str, **named: object) -> str:
        return text(language, f"round_form.{key}", **named)

    plgs = [name for name in choices.plgs if len(name) <= _OPTION_VALUE][:_OPTIONS]
    plg_options = [_option(name, name) for name in plgs]
    blocks: list[dict[str, Any]] = [
        _input(
            PLG,
            t("plg"),
            _with_initial(
                {"type": "static_select", "options": plg_options},
                "initial_option",
                _find(plg_options, values.plg),
            ),
        ),
        _input(
            QUESTION_BLOCK,
            t("question"),
            {
                "type": "plain_text_input",
                "multiline": True,
                "max_length": MAX_QUESTION,
                **({"initial_value": values.question} if values.question else {}),
            },
            hint=t("question_hint"),
        ),
        _channels(choices, opened, t("channels")),
    ]
    schedules = [_option(t(name), name) for name in SCHEDULES]
    weekdays = [_option(text(language, f"weekday.{day}"), day) for day in DAYS]
    blocks += [
        _input(
            SCHEDULE_BLOCK,
            t("schedule"),
            _with_initial(
                {"type": "static_select", "options": schedules},
                "initial_option",
                _find(schedules, values.schedule),
            ),
        ),
        _input(
            WEEKDAY,
            t("weekday"),
            _with_initial(
                {"type": "static_select", "options": weekdays},
                "initial_option",
                _find(weekdays, values.weekday),
            ),
            optional=True,
        ),
        _input(DATE, t("date"), _picker("datepicker", "initial_date", values.date), optional=True),
        _input(TIME, t("time"), _picker("timepicker", "initial_time", values.time), optional=True),
        _input(
            CLOSES_DATE,
            t("closes_date"),
            _picker("datepicker", "initial_date", values.closes_date),
            optional=True,
            hint=t("closes_hint"),
        ),
        _input(
            CLOSES_TIME,
            t("closes_time"),
            _picker("timepicker", "initial_time", values.closes_time),
            optional=True,
        ),
    ]
    anonymous = _option(t("anonymous_option"), "anonymous")
    blocks.append(
        _input(
            ANONYMOUS_BLOCK,
            t("anonymous"),
            _with_initial(
                {"type": "checkboxes", "options": [anonymous]},
                "initial_options",
                [anonymous] if values.anonymous else None,
            ),
            optional=True,
        )
    )
    editing = choices.values.round_number
    metadata = {
        "language": language,
        "round": editing,
        "channel": opened.channel_id,
        "response_url": opened.response_url,
    }
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain(t("title") if editing is None else t("title_edit", number=editing), _TITLE),
        "submit": _plain(t("submit") if editing is None else t("save"), _TITLE),
        "close": _plain(t("cancel"), _TITLE),
        "private_metadata": json.dumps(metadata)[:3000],
        "blocks": blocks,
    }


def opened_of(view: View) -> Opened:
    """The metadata the modal was opened with; anything odd in it is dropped."""
    try:
        data = json.loads(view.private_metadata) if view.private_metadata else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    language = data.get("language")
    number, channel, url = data.get("round"), data.get("channel"), data.get("response_url")
    return Opened(
        language=(as_language(language) if isinstance(language, str) else None) or DEFAULT_LANGUAGE,
        number=number if isinstance(number, int) and number > 0 else None,
        channel_id=channel if isinstance(channel, str) and channel.isalnum() else None,
        response_url=url if isinstance(url, str) and url.startswith(_URL) else None,
    )


def fields_of(view: View, opened: Opened) -> RoundFields:
    """What the lead entered, as the core's unchecked form fields."""
    values = view.state.values
    anonymous = _all_selected(_state(values, ANONYMOUS_BLOCK))
    return RoundFields(
        plg=_selected(_state(values, PLG)) or "",
        question=_string(_state(values, QUESTION_BLOCK), "value")[: MAX_QUESTION * 10],
        channel_ids=tuple(
            dict.fromkeys(c for c in _all_selected(_state(values, CHANNELS_BLOCK)) if c.isalnum())
        )[:_OPTIONS],
        schedule=_selected(_state(values, SCHEDULE_BLOCK)) or "",
        weekday=_selected(_state(values, WEEKDAY)) or "",
        date=_checked(_string(_state(values, DATE), "selected_date"), _DATE),
        time=_checked(_string(_state(values, TIME), "selected_time"), _TIME),
        closes_date=_checked(_string(_state(values, CLOSES_DATE), "selected_date"), _DATE),
        closes_time=_checked(_string(_state(values, CLOSES_TIME), "selected_time"), _TIME),
        anonymous="anonymous" in anonymous,
        round_number=opened.number,
    )


def block_of(field: str | None, fields: RoundFields) -> str:
    """The block a refusal about ``field`` is shown next to (the PLG when it names
    none: every modal has that block)."""
    if field == SCHEDULE:
        return DATE if fields.schedule == "once" else SCHEDULE_BLOCK
    return {
        PLG_FIELD: PLG,
        QUESTION: QUESTION_BLOCK,
        CHANNELS: CHANNELS_BLOCK,
        CLOSES: CLOSES_DATE,
        ANONYMOUS: ANONYMOUS_BLOCK,
    }.get(field or "", PLG)


def _channels(choices: RoundFormChoices, opened: Opened, label: str) -> dict[str, Any]:
    """The known channels to pick from, the round's own (or the one the modal was
    opened in) already picked. A school where plgbot has seen no channel yet gets
    Slack's channel picker; the core then says which channel it does not know."""
    known = [(cid, name) for cid, name in choices.channels if len(cid) <= _OPTION_VALUE]
    known = known[:_OPTIONS]
    if not known:
        return _input(
            CHANNELS_BLOCK,
            label,
            {
                "type": "multi_conversations_select",
                "filter": {"include": ["public", "private"], "exclude_bot_users": True},
            },
        )
    options = [_option(f"#{name}", cid) for cid, name in known]
    chosen = choices.values.channel_ids or ((opened.channel_id,) if opened.channel_id else ())
    initial = [o for o in options if o["value"] in chosen]
    return _input(
        CHANNELS_BLOCK,
        label,
        _with_initial(
            {"type": "multi_static_select", "options": options},
            "initial_options",
            initial or None,
        ),
    )


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": _plain(label, 2000),
        "element": {**element, "action_id": f"{block_id}_input"},
    }
    if hint:
        block["hint"] = _plain(hint, 2000)
    return block


def _with_initial(element: dict[str, Any], key: str, initial: object) -> dict[str, Any]:
    return {**element, key: initial} if initial else element


def _picker(kind: str, key: str, initial: str) -> dict[str, Any]:
    return _with_initial({"type": kind}, key, initial or None)


def _find(options: list[dict[str, Any]], value: str) -> dict[str, Any] | None:
    return next((o for o in options if o["value"] == value), None)


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _plain(label, _OPTION_TEXT), "value": value[:_OPTION_VALUE]}


def _plain(label: str, limit: int) -> dict[str, Any]:
    clipped = label if len(label) <= limit else label[: limit - 1] + "…"
    return {"type": "plain_text", "text": clipped, "emoji": True}


def _state(values: dict[str, dict[str, dict[str, Any]]], block_id: str) -> dict[str, Any]:
    return values.get(block_id, {}).get(f"{block_id}_input", {})


def _string(state: dict[str, Any], key: str) -> str:
    value = state.get(key)
    return value if isinstance(value, str) else ""


def _checked(value: str, shape: re.Pattern[str]) -> str:
    # Slack's pickers send these shapes; anything else is a crafted payload.
    return value if shape.match(value) else ""


def _selected(state: dict[str, Any]) -> str | None:
    option = state.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return value[:_OPTION_VALUE] if isinstance(value, str) and value else None


def _all_selected(state: dict[str, Any]) -> list[str]:
    picked = state.get("selected_conversations")
    if isinstance(picked, list):
        return [c for c in picked if isinstance(c, str)]
    options = state.get("selected_options")
    if not isinstance(options, list):
        return []
    values = [o.get("value") for o in options if isinstance(o, dict)]
    return [v for v in values if isinstance(v, str)]
