"""Nothing cut on Slack: an agenda of 200 replies is more than one Slack message holds
(50 blocks, about 13,000 characters of blocks). Its first part goes where the agenda
belongs, the rest in order in that message's thread, every reply shown once; a button
keeps its whole value. The fake Slack refuses blocks as Slack does."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from adapters.slack.buttons import VALUE_LIMIT, actions_blocks, pressed
from bot.clock import FixedClock
from bot.messages import MAX_BUTTON_VALUE, Button
from tests.rounds.harness import long_reply_numbers, many_replies
from tests.slack.fake_slack import FakeSlack, blocks_problem
from tests.slack.harness import ANOUK, FIXTURE_NOW, Plgbot, Scheduled, start_plgbot
from tests.slack.test_round_scenarios import (
    CLOSES,
    PLG_CHANNEL,
    POSTED,
    QUESTION,
    create_round,
    school,
)

REPLIES = 200


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FIXTURE_NOW)


@pytest.fixture
async def plgbot(database_url: str, slack: FakeSlack, clock: FixedClock) -> AsyncIterator[Plgbot]:
    async with start_plgbot(database_url, slack, clock=clock) as bot:
        yield bot


@pytest.fixture
async def jobs(plgbot: Plgbot, clock: FixedClock) -> AsyncIterator[Scheduled]:
    scheduled = Scheduled(plgbot.fake, plgbot.db, clock)
    yield scheduled
    await scheduled.close()


def shown(calls: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(c["blocks"], ensure_ascii=False) for c in calls)


def assert_every_reply_once(calls: list[dict[str, Any]]) -> None:
    text = shown(calls)
    assert sorted(long_reply_numbers(text)) == list(range(1, REPLIES + 1)), "each, once"
    assert "…" not in text


def assert_slack_takes_each(calls: list[dict[str, Any]]) -> None:
    assert len(calls) > 1
    for number, call in enumerate(calls, start=1):
        assert blocks_problem("chat.postMessage", call) is None
        assert len(call["blocks"]) <= 50
        counter = call["blocks"][-1]["elements"][0]["text"]
        assert counter.startswith(f"{number}/{len(calls)}")


async def test_a_200_reply_agenda_continues_in_the_thread_of_its_first_part(
    plgbot: Plgbot, jobs: Scheduled
) -> None:
    await school(plgbot)
    await create_round(plgbot)
    await jobs.until(POSTED + timedelta(minutes=1))
    await many_replies(plgbot.db, REPLIES, at=POSTED)
    # Anouk reads in English; the PLG's channel gets the school's Dutch.
    await plgbot.expect("response_url", plgbot.command("language en", user=ANOUK))

    before = len(plgbot.fake.of("chat.postMessage"))
    await jobs.until(CLOSES + timedelta(minutes=1))
    posts = [c.args for c in plgbot.fake.of("chat.postMessage")[before:]]
    assert not [c for c in plgbot.fake.calls if c.status != 200 and c.method.startswith("chat")]

    for channel, title in ((PLG_CHANNEL, "Agenda PLG-bijeenkomst"), (ANOUK, "Meeting agenda")):
        first = next(p for p in posts if p["channel"] == channel and p["text"].startswith(title))
        landed = plgbot.fake.messages[channel if channel != ANOUK else f"D{ANOUK[1:]}"]
        first_ts = next(m["ts"] for m in landed if m.get("text") == first["text"])
        rest = [p for p in posts if p.get("thread_ts") == first_ts]
        assert "thread_ts" not in first
        parts = [first, *rest]
        assert_slack_takes_each(parts)
        assert_every_reply_once(parts)
        assert QUESTION in shown(parts)


async def test_a_long_agenda_asked_for_with_a_command_comes_whole_through_its_response_url(
    plgbot: Plgbot, jobs: Scheduled
) -> None:
    await school(plgbot)
    await create_round(plgbot)
    await jobs.until(POSTED + timedelta(minutes=1))
    await many_replies(plgbot.db, REPLIES, at=POSTED)

    seen = len(plgbot.fake.of("response_url"))
    await plgbot.command("ronde agenda 1", user=ANOUK)
    first = (await plgbot.fake.wait_for("response_url", seen + 1))[seen].args
    count = int(first["blocks"][-1]["elements"][0]["text"].split("/")[1].split()[0])
    assert 1 < count <= 5
    calls = await plgbot.fake.wait_for("response_url", seen + count)
    parts = [c.args for c in calls[seen:]]
    assert parts[0]["text"].startswith("Agenda PLG-bijeenkomst")
    assert {p["response_type"] for p in parts} == {"ephemeral"}, "only Anouk sees them"
    assert_slack_takes_each(parts)
    assert_every_reply_once(parts)


async def test_an_agenda_longer_than_a_response_url_takes_goes_whole_to_the_dm(
    plgbot: Plgbot, jobs: Scheduled
) -> None:
    await school(plgbot)
    await create_round(plgbot)
    await jobs.until(POSTED + timedelta(minutes=1))
    await many_replies(plgbot.db, REPLIES, at=POSTED, sentences=4)
    await plgbot.expect("response_url", plgbot.command("language en", user=ANOUK))

    seen = len(plgbot.fake.of("chat.postMessage"))
    hooks = len(plgbot.fake.of("response_url"))
    await plgbot.command("round agenda 1", user=ANOUK)
    first = (await plgbot.fake.wait_for("chat.postMessage", seen + 1))[seen].args
    count = int(first["blocks"][-1]["elements"][0]["text"].split("/")[1].split()[0])
    assert count > 5, "more than a response_url's five messages"
    calls = await plgbot.fake.wait_for("chat.postMessage", seen + count)
    parts = [c.args for c in calls[seen:]]
    dm = f"D{ANOUK[1:]}"
    assert {p["channel"] for p in parts} == {dm}
    assert first["text"].startswith("Meeting agenda")
    first_ts = plgbot.fake.messages[dm][-count]["ts"]
    assert "thread_ts" not in first and {p["thread_ts"] for p in parts[1:]} == {first_ts}
    assert_slack_takes_each(parts)
    assert_every_reply_once(parts)
    assert len(plgbot.fake.of("response_url")) == hooks, "not a part through the response_url"


async def test_a_short_agenda_asked_for_with_a_command_answers_there(
    plgbot: Plgbot, jobs: Scheduled
) -> None:
    await school(plgbot)
    await create_round(plgbot)
    await jobs.until(POSTED + timedelta(minutes=1))
    answer = await plgbot.expect("response_url", plgbot.command("round agenda 1", user=ANOUK))
    assert answer.args["response_type"] == "ephemeral"
    assert answer.args["text"].startswith("Meeting agenda Datateam havo-3")
    assert answer.args["blocks"][-1]["type"] != "context", "one part: no counter"


def test_a_button_keeps_its_whole_value_and_a_long_prompt_is_shortened_to_fit() -> None:
    value = '"é\\' * (MAX_BUTTON_VALUE // 3)
    prompt = "Jouw antwoord op: “" + "ë" * 3000 + "”"
    button = Button("Antwoorden", "round.reply", value, asks_text=prompt, picks_people=prompt)
    [block] = actions_blocks((button,))
    element = block["elements"][0]
    assert len(element["value"]) <= VALUE_LIMIT
    back = pressed(element["value"])
    assert back is not None
    assert (back.action, back.value) == ("round.reply", value), "the core's value, whole"
    assert back.asks_text and back.asks_text.startswith("Jouw antwoord op: “ëëë")
    assert back.picks_people is not None


def test_more_than_25_buttons_are_several_actions_blocks_none_left_out() -> None:
    buttons = tuple(Button(f"Dag {n}", "plg.next_meeting", f"1:2026-12-{n:02d}") for n in range(30))
    blocks = actions_blocks(buttons)
    assert [len(b["elements"]) for b in blocks] == [25, 5]
    assert blocks_problem("chat.postMessage", {"blocks": blocks}) is None
    values = [pressed(e["value"]) for b in blocks for e in b["elements"]]
    assert [v.value for v in values if v] == [b.value for b in buttons]


def test_the_core_never_makes_a_button_value_a_platform_cannot_carry() -> None:
    with pytest.raises(ValueError, match="button value"):
        Button("Kies", "people.pick", "x" * (MAX_BUTTON_VALUE + 1))
