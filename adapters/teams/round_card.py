"""The lead's question-round form as an Adaptive Card (``@plgbot round form``, ``round
form 3`` to edit round 3): what the core's :class:`bot.rounds.form.RoundFormChoices`
offers, the values so far, and a refused field's message right under that field.

Adaptive Cards' own ``errorMessage`` only shows for the client's checks (a required
field left empty), so the core's verdict is drawn as a red line under the field, and
the card is sent again with everything the lead typed kept. The submit comes back as
a message whose ``value`` holds the inputs and ``{"plgbot": "round_form"}``, read by
:func:`adapters.teams.events.round_form`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botbuilder.schema import Activity

from adapters.teams.render import ACTION_KEY, adaptive_card, card_activity, rich_text
from bot.catalogue import Language, text
from bot.events import RoundFields
from bot.rounds.creation import MAX_QUESTION
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

ROUND_FORM_ACTION = "round_form"
# Where a refusal about a field is shown: under the last input that belongs to it.
_SHOWN_AFTER = {
    PLG_FIELD: "plg",
    QUESTION: "question",
    CHANNELS: "channels",
    SCHEDULE: "time",
    CLOSES: "closes_time",
    ANONYMOUS: "anonymous",
}


def round_form_activity(
    choices: RoundFormChoices,
    *,
    values: RoundFields | None = None,
    field: str | None = None,
    problem: str | None = None,
) -> Activity:
    """The form for ``choices`` filled in with ``values`` (default: the choices' own),
    with ``problem`` shown under ``field``."""
    language = choices.language
    shown = values or choices.values

    def t(key: str, **more: object) -> str:
        return text(language, f"round_form.{key}", **more)

    number = shown.round_number
    title = t("title_edit", number=number) if number is not None else t("title")
    inputs = _inputs(choices, shown, t)
    body: list[dict[str, Any]] = [rich_text(title, weight="Bolder", size="Medium")]
    after = _SHOWN_AFTER.get(field or "")
    for element in inputs:
        body.append(element)
        if problem and element.get("id") == after:
            body.append(rich_text(problem, color="Attention", spacing="Small"))
    if problem and after is None:
        body.insert(1, rich_text(problem, color="Attention"))
    data: dict[str, Any] = {ACTION_KEY: ROUND_FORM_ACTION}
    if number is not None:
        data["round"] = str(number)
    card = adaptive_card(body)
    card["actions"] = [
        {
            "type": "Action.Submit",
            "title": t("save") if number is not None else t("submit"),
            "data": data,
        }
    ]
    return card_activity(card, summary=title)


def _inputs(
    choices: RoundFormChoices, shown: RoundFields, t: Callable[..., str]
) -> list[dict[str, Any]]:
    language: Language = choices.language
    channels = dict(choices.channels)
    # A channel the round already uses stays offered, even if plgbot lost its name.
    for channel_id in shown.channel_ids:
        channels.setdefault(channel_id, channel_id)
    return [
        {
            "type": "Input.ChoiceSet",
            "id": "plg",
            "label": t("plg"),
            "style": "compact",
            "isRequired": True,
            "value": shown.plg,
            "choices": [{"title": name, "value": name} for name in choices.plgs],
        },
        {
            "type": "Input.Text",
            "id": "question",
            "label": t("question"),
            "placeholder": t("question_hint"),
            "isMultiline": True,
            "isRequired": True,
            "maxLength": MAX_QUESTION,
            "value": shown.question,
        },
        {
            "type": "Input.ChoiceSet",
            "id": "channels",
            "label": t("channels"),
            "isMultiSelect": True,
            "style": "filtered",
            "value": ",".join(shown.channel_ids),
            "choices": [
                {"title": f"#{name}", "value": channel_id} for channel_id, name in channels.items()
            ],
        },
        {
            "type": "Input.ChoiceSet",
            "id": "schedule",
            "label": t("schedule"),
            "style": "expanded",
            "value": shown.schedule,
            "choices": [{"title": t(s), "value": s} for s in SCHEDULES],
        },
        {
            "type": "Input.ChoiceSet",
            "id": "weekday",
            "label": t("weekday"),
            "style": "compact",
            "value": shown.weekday,
            "choices": [{"title": text(language, f"weekday.{d}"), "value": d} for d in DAYS],
        },
        {"type": "Input.Date", "id": "date", "label": t("date"), "value": shown.date},
        {"type": "Input.Time", "id": "time", "label": t("time"), "value": shown.time},
        {
            "type": "Input.Date",
            "id": "closes_date",
            "label": t("closes_date"),
            "value": shown.closes_date,
        },
        {
            "type": "Input.Time",
            "id": "closes_time",
            "label": t("closes_time"),
            "value": shown.closes_time,
        },
        rich_text(t("closes_hint"), spacing="Small"),
        {
            "type": "Input.Toggle",
            "id": "anonymous",
            "label": t("anonymous"),
            "title": t("anonymous_option"),
            "valueOn": "true",
            "valueOff": "false",
            "value": "true" if shown.anonymous else "false",
        },
    ]
