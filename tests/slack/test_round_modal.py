"""The round modal's view within Block Kit's rules, and what a submission reads back
from payloads Slack did not send (crafted ones): dropped, never passed on half-read."""

from __future__ import annotations

import json

from adapters.slack import round_modal
from adapters.slack.payloads import View, ViewState
from bot.events import RoundFields
from bot.rounds.form import CLOSES, SCHEDULE, RoundFormChoices


def choices(channels: tuple[tuple[str, str], ...]) -> RoundFormChoices:
    return RoundFormChoices(
        "en", ("Datateam havo-3",), channels, RoundFields(plg="Datateam havo-3")
    )


def test_without_known_channels_slacks_channel_picker_is_offered() -> None:
    view = round_modal.round_form(choices(()), round_modal.Opened("en"))
    [block] = [b for b in view["blocks"] if b["block_id"] == "channels"]
    assert block["element"]["type"] == "multi_conversations_select"
    submitted = View(
        id="V1",
        type="modal",
        private_metadata=view["private_metadata"],
        state=ViewState(
            values={
                "channels": {
                    "channels_input": {
                        "type": "multi_conversations_select",
                        "selected_conversations": ["C0STAFFRM1", "not a channel!"],
                    }
                }
            }
        ),
    )
    fields = round_modal.fields_of(submitted, round_modal.opened_of(submitted))
    assert fields.channel_ids == ("C0STAFFRM1",)


def test_the_view_keeps_to_block_kit_limits() -> None:
    many = tuple((f"C{i:08d}", f"channel-{i}") for i in range(150))
    view = round_modal.round_form(choices(many), round_modal.Opened("nl", channel_id="C00000003"))
    assert len(view["title"]["text"]) <= 24 and len(view["submit"]["text"]) <= 24
    assert len(view["blocks"]) <= 100
    channels = next(b for b in view["blocks"] if b["block_id"] == "channels")["element"]
    assert len(channels["options"]) == 100
    assert [o["value"] for o in channels["initial_options"]] == ["C00000003"]
    for block in view["blocks"]:
        assert block["type"] == "input" and len(block["label"]["text"]) <= 2000
        for option in block["element"].get("options", []):
            assert len(option["text"]["text"]) <= 75 and len(option["value"]) <= 150
    assert len(view["private_metadata"]) <= 3000


def test_crafted_values_are_dropped_and_metadata_is_checked() -> None:
    metadata = json.dumps({"language": "xx", "round": -3, "channel": "<!channel>"})
    crafted = View(
        id="V1",
        type="modal",
        private_metadata=metadata,
        state=ViewState(
            values={
                "date": {"date_input": {"selected_date": "tomorrow"}},
                "time": {"time_input": {"selected_time": 800}},
                "closes_date": {"closes_date_input": {"selected_date": "2025-11-26"}},
                "schedule": {"schedule_input": {"selected_option": "weekly"}},
                "anonymous": {"anonymous_input": {"selected_options": [{"value": "yes"}]}},
            }
        ),
    )
    opened = round_modal.opened_of(crafted)
    assert (opened.language, opened.number, opened.channel_id) == ("nl", None, None)
    fields = round_modal.fields_of(crafted, opened)
    assert (fields.date, fields.time, fields.closes_date) == ("", "", "2025-11-26")
    assert (fields.schedule, fields.anonymous, fields.round_number) == ("", False, None)


def test_each_refusal_has_a_block_to_stand_next_to() -> None:
    view = round_modal.round_form(choices((("C1", "x"),)), round_modal.Opened("en"))
    blocks = {b["block_id"] for b in view["blocks"]}
    once = RoundFields(schedule="once")
    for field in ("plg", "question", "channels", SCHEDULE, CLOSES, "anonymous", None):
        assert round_modal.block_of(field, RoundFields()) in blocks
        assert round_modal.block_of(field, once) in blocks
    assert round_modal.block_of(SCHEDULE, once) == "date"
    assert round_modal.block_of(CLOSES, once) == "closes_date"


def test_round_form_requests() -> None:
    assert round_modal.request_of("round form") == round_modal.Request(None)
    assert round_modal.request_of("Ronde Formulier #12") == round_modal.Request(12)
    assert round_modal.request_of("round form please") is None
    assert round_modal.request_of("round new Datateam | form") is None
