"""Slack payload shapes, checked once where a payload enters (HTTP or Socket Mode).

Only the fields plgbot (and Bolt's routing) reads are declared; anything else Slack
sends is ignored. A payload that does not fit is dropped before Bolt sees it, so no
half-parsed dict travels further in.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from adapters.json_tree import tree_problem

SlackId = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,40}$")]
Ts = Annotated[str, StringConstraints(pattern=r"^\d{1,12}\.\d{1,9}$")]
Short = Annotated[str, StringConstraints(max_length=255)]
# Slack caps message text at 40,000 characters; the core refuses long commands itself.
Text = Annotated[str, StringConstraints(max_length=40_000)]
# Message blocks nest a few levels (rich text in a list in a quote); deeper input is
# refused before anything walks it recursively.
MAX_DEPTH = 64


class Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class EventHeader(Shape):
    type: Short
    subtype: Short | None = None


class EventEnvelope(Shape):
    """An Events API delivery. ``event_id`` is the same on every retry of it."""

    type: Literal["event_callback"]
    team_id: SlackId
    event_id: Annotated[str, StringConstraints(pattern=r"^Ev[A-Za-z0-9]{1,60}$")]
    event: EventHeader


class MessageEvent(Shape):
    """``message`` (all subtypes) and ``app_mention``."""

    type: Literal["message", "app_mention"]
    subtype: Short | None = None
    channel: SlackId
    channel_type: Short | None = None
    user: SlackId | None = None
    bot_id: Short | None = None
    text: Text = ""
    ts: Ts | None = None
    thread_ts: Ts | None = None
    parent_user_id: SlackId | None = None
    deleted_ts: Ts | None = None


class AppHomeOpened(Shape):
    type: Literal["app_home_opened"]
    user: SlackId
    tab: Short = "home"


class SlashCommand(Shape):
    command: Short
    text: Annotated[str, StringConstraints(max_length=8000)] = ""
    team_id: SlackId
    team_domain: Short | None = None
    user_id: SlackId
    channel_id: SlackId
    channel_name: Short | None = None
    trigger_id: Short
    response_url: Annotated[str, StringConstraints(pattern=r"^https?://\S{1,500}$")]


class UserRef(Shape):
    id: SlackId


class TeamRef(Shape):
    id: SlackId


class ActionText(Shape):
    text: Short = ""


class Action(Shape):
    action_id: Short
    block_id: Short | None = None
    value: Annotated[str, StringConstraints(max_length=2000)] | None = None
    text: ActionText | None = None


class Container(Shape):
    message_ts: Ts | None = None
    thread_ts: Ts | None = None
    channel_id: SlackId | None = None


class ChannelRefPayload(Shape):
    id: SlackId


class BlockActions(Shape):
    type: Literal["block_actions"]
    user: UserRef
    team: TeamRef | None = None
    trigger_id: Short
    actions: Annotated[list[Action], Field(min_length=1, max_length=25)]
    channel: ChannelRefPayload | None = None
    container: Container | None = None
    response_url: Annotated[str, StringConstraints(pattern=r"^https?://\S{1,500}$")] | None = None


class ViewState(Shape):
    values: dict[str, dict[str, dict[str, Any]]] = {}


class View(Shape):
    id: Short
    # "modal" or "home": Bolt reads it to route a submission (a view without it made
    # Bolt's matcher raise, found by tests/resilience/test_hostile_input.py).
    type: Short
    callback_id: Short = ""
    private_metadata: Annotated[str, StringConstraints(max_length=3000)] = ""
    state: ViewState = ViewState()
    # Changes with every update of the view: a resubmission after fixing has a new one.
    hash: Short = ""


class ViewPayload(Shape):
    """``view_submission`` and ``view_closed``."""

    type: Literal["view_submission", "view_closed"]
    user: UserRef
    team: TeamRef | None = None
    view: View
    trigger_id: Short | None = None


class Shortcut(Shape):
    type: Literal["shortcut", "message_action"]
    callback_id: Short
    user: UserRef
    trigger_id: Short


class Challenge(Shape):
    type: Literal["url_verification"]
    challenge: Short


_BY_TYPE: dict[str, type[Shape]] = {
    "event_callback": EventEnvelope,
    "block_actions": BlockActions,
    "view_submission": ViewPayload,
    "view_closed": ViewPayload,
    "shortcut": Shortcut,
    "message_action": Shortcut,
    "url_verification": Challenge,
}


def problem(body: object) -> str | None:
    """Why ``body`` is not a payload plgbot can route, or None when it is. The reason
    names fields, never their values: it is safe to log."""
    if not isinstance(body, dict):
        return "not a JSON object"
    if (reason := tree_problem(body, MAX_DEPTH)) is not None:
        return reason
    kind = body.get("type")
    if kind is None and "command" in body:
        shape: type[Shape] = SlashCommand
    elif kind == "ssl_check":
        return None
    elif isinstance(kind, str) and kind in _BY_TYPE:
        shape = _BY_TYPE[kind]
    else:
        return "unknown payload type"
    try:
        shape.model_validate(body)
    except ValidationError as error:
        fields = sorted({".".join(str(p) for p in e["loc"]) or "?" for e in error.errors()})
        return f"{shape.__name__}: bad {', '.join(fields[:5])}"
    return None
