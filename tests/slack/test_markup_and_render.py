"""Slack markup in, Block Kit out, and which message is read how: pure functions."""

from __future__ import annotations

import pytest

from adapters.slack.events import reading
from adapters.slack.identity import BotIdentity
from adapters.slack.markup import escape, references, to_plain
from adapters.slack.payloads import MessageEvent, problem
from adapters.slack.render import SECTION_LIMIT, render
from bot.messages import Bullets, Facts, Heading, OutboundMessage, Paragraph
from tests.slack.harness import CHANTAL, Plgbot, fixture_json

ME = BotIdentity("T0SCHOOL01", "De School", None, "U0PLGBOT0", "B0PLGBOT0")


def test_mentions_channels_links_and_entities_become_plain_text() -> None:
    raw = (
        "<@U0PLGBOT0> told <@U0BRAM002> and <@U0CHANT03|chantal> in <#C0PLGDATA1|plg-data> "
        "and <#C0OTHER01>, see <https://school.nl/plg|the plan> &amp; <mailto:a@b.nl> "
        "<!here> <!subteam^S123|@wiskunde> &lt;3"
    )
    assert references(raw).users == ("U0PLGBOT0", "U0BRAM002", "U0CHANT03")
    assert references(raw).channels == (("C0PLGDATA1", "plg-data"), ("C0OTHER01", None))
    plain = to_plain(
        raw,
        names={"U0BRAM002": "Bram Jansen"},
        channel_names={"C0OTHER01": "lerarenkamer"},
        bot_user_id="U0PLGBOT0",
    )
    assert plain == (
        "told @Bram Jansen and @chantal in #plg-data and #lerarenkamer, see the plan & "
        "a@b.nl @here @wiskunde <3"
    )


def test_escaping_keeps_broadcasts_and_mentions_as_text() -> None:
    assert escape("<!channel> & <@U0ANOUK01>") == "&lt;!channel&gt; &amp; &lt;@U0ANOUK01&gt;"
    message = OutboundMessage(
        blocks=(
            Heading("<!here>"),
            Paragraph("Logged: you told <!channel>."),
            Bullets(("a & b", "<@U1>")),
            Facts((("<b>", "<!everyone>"),)),
        )
    )
    rendered = render(message)
    texts = [str(block) for block in rendered.blocks[1:]] + [rendered.text]
    for text in texts:
        assert "<!" not in text and "<@" not in text
    assert rendered.blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "<!here>"},
    }
    assert rendered.blocks[2]["text"]["text"] == "• a &amp; b\n• &lt;@U1&gt;"
    assert rendered.blocks[3]["fields"][0]["text"] == "*&lt;b&gt;*\n&lt;!everyone&gt;"


def test_long_text_is_split_into_sections_without_cutting_an_entity() -> None:
    rendered = render(OutboundMessage(blocks=(Paragraph("&" * 5000),)))
    chunks = [
        block["text"]["text"]
        for part in rendered.parts
        for block in part.blocks
        if block["type"] == "section"
    ]
    assert all(len(chunk) <= SECTION_LIMIT for chunk in chunks)
    assert "".join(chunks) == "&amp;" * 5000


def test_a_message_of_more_than_50_blocks_continues_in_parts_with_nothing_left_out() -> None:
    many = render(OutboundMessage(blocks=tuple(Paragraph(str(i)) for i in range(120))))
    parts = many.parts
    assert len(parts) == 3
    assert all(len(part.blocks) <= 50 for part in parts)
    shown = [b["text"]["text"] for p in parts for b in p.blocks if b["type"] == "section"]
    assert shown == [str(i) for i in range(120)]
    counters = [p.blocks[-1]["elements"][0]["text"] for p in parts]
    assert counters[0].startswith("1/3") and counters[1:] == ["2/3", "3/3"]
    assert parts[1].text.startswith("49\n50")


@pytest.mark.parametrize(
    ("kind", "event", "expected"),
    [
        ("app_mention", {"channel": "C1", "user": "U1", "ts": "1.1"}, "command"),
        ("app_mention", {"channel": "D1", "user": "U1", "ts": "1.1"}, None),
        ("message", {"channel": "D1", "channel_type": "im", "user": "U1", "ts": "1.1"}, "command"),
        ("message", {"channel": "C1", "user": "U1", "ts": "1.1", "text": "hi"}, "observe"),
        ("message", {"channel": "C1", "user": "U1", "ts": "1.1", "text": "<@U0PLGBOT0> x"}, None),
        ("message", {"channel": "C1", "user": "U0PLGBOT0", "ts": "1.1"}, None),
        ("message", {"channel": "C1", "user": "U1", "ts": "1.1", "bot_id": "B9"}, None),
        ("message", {"channel": "C1", "subtype": "channel_join", "user": "U1", "ts": "1.1"}, None),
        ("message", {"channel": "C1", "subtype": "message_changed", "ts": "1.1"}, None),
        ("message", {"channel": "C1", "subtype": "message_deleted", "deleted_ts": "1.1"}, "delete"),
        (
            "message",
            {"channel": "C1", "subtype": "thread_broadcast", "user": "U1", "ts": "1.2"},
            "observe",
        ),
    ],
)
def test_which_message_is_read_how(kind: str, event: dict[str, str], expected: str | None) -> None:
    parsed = MessageEvent.model_validate({"type": kind, **event})
    assert reading(kind, parsed, ME) == expected


def test_payload_shapes() -> None:
    assert problem(fixture_json("app_mention.json")) is None
    assert problem([]) == "not a JSON object"
    assert problem({"type": "nonsense"}) == "unknown payload type"
    broken = fixture_json("app_mention.json")
    broken["event"] = "text"
    reason = problem(broken)
    assert reason is not None and reason.startswith("EventEnvelope: bad event")
    assert "Jhj5dZrVaK7ZwHHjRyZWjbDl" not in reason


async def test_a_name_that_tries_to_broadcast_is_shown_as_text(plgbot: Plgbot) -> None:
    reply = await plgbot.expect(
        "chat.postMessage",
        plgbot.dm("told <@U0MALLORY> about our focus #focus", user=CHANTAL, event_id="Ev0MAL1"),
    )
    assert "Logged: you told &lt;!channel&gt; &amp; &lt;@U0ANOUK01&gt;." in reply.args["text"]
    assert "<!channel>" not in str(reply.args["blocks"])
