"""The HTTP border: signatures, stale and forged requests, malformed and huge bodies,
payloads with missing or wrongly typed fields, and what reaches the logs."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from slack_bolt.middleware.request_verification.async_request_verification import (
    AsyncRequestVerification,
)
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from adapters.slack.app import bolt_logger
from storage.models import Delivery, Person, School
from tests.slack.fake_slack import BOT_TOKEN
from tests.slack.harness import (
    SECRET,
    Plgbot,
    fixture_form,
    fixture_json,
    fixture_payload,
    sign,
)

SECRET_TEXT = "acht stappen van de datateam-methode"


async def assert_nothing_happened(plgbot: Plgbot) -> None:
    await plgbot.stop()
    assert {c.method for c in plgbot.fake.calls} <= {"auth.test"}
    for model in (Delivery, School, Person):
        assert await plgbot.count(model) == 0


async def test_unsigned_forged_and_stale_requests_get_401_and_store_nothing(
    plgbot: Plgbot,
) -> None:
    body = json.dumps(fixture_json("message_channel_mention.json")).encode()
    now = int(time.time())
    # Slack allows five minutes either way; a minute more than that leaves room for a
    # slow machine (a request sent seconds later is less far in the future).
    attempts: list[dict[str, Any]] = [
        {"signature": ""},
        {"signature": "v0=" + "0" * 64},
        {"signature": sign(body, now, secret="not-the-secret")},
        {"timestamp": now - 360},
        {"timestamp": now + 360},
        {"timestamp": now - 3600, "signature": sign(body, now - 3600)},
    ]
    for attempt in attempts:
        response = await plgbot.post(body, **attempt)
        assert response.status_code == 401, attempt
    # Without the headers at all, and with a timestamp that is no number.
    bare = await plgbot.http.post(f"{plgbot.url}/slack/events", content=body)
    assert bare.status_code == 401
    words = await plgbot.post(body, headers={"X-Slack-Request-Timestamp": "yesterday"})
    assert words.status_code == 401
    # A body changed after signing.
    tampered = await plgbot.post(
        body.replace(b"U0DIRK004", b"U0BRAM002"), signature=sign(body, now), timestamp=now
    )
    assert tampered.status_code == 401
    await assert_nothing_happened(plgbot)


async def test_a_request_signed_within_five_minutes_is_accepted(plgbot: Plgbot) -> None:
    old = int(time.time()) - 240
    response = await plgbot.event(fixture_json("url_verification.json"), timestamp=old)
    assert response.status_code == 200


async def test_malformed_bodies_get_400_never_500(plgbot: Plgbot) -> None:
    cases: list[tuple[bytes, str]] = [
        (b'{"type": "event_callback", "event": ', "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b"", "application/json"),
        (b"null", "application/json"),
        (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        (b"payload=%5B%5D", "application/x-www-form-urlencoded"),
        (b"token=x&team_id=T0SCHOOL01", "application/x-www-form-urlencoded"),
        (json.dumps({"type": "event_callback", "team_id": "T0SCHOOL01"}).encode(), "text/plain"),
        (json.dumps({"type": "something_new"}).encode(), "application/json"),
    ]
    for body, content_type in cases:
        response = await plgbot.post(body, content_type=content_type)
        assert 400 <= response.status_code < 500, (body, response.status_code)
    # Not UTF-8 but correctly signed over the raw bytes.
    raw = b'{"type": "\xff"}'
    stamp = int(time.time())
    digest = hmac.new(SECRET.encode(), b"v0:%d:" % stamp + raw, hashlib.sha256).hexdigest()
    response = await plgbot.post(raw, signature=f"v0={digest}", timestamp=stamp)
    assert 400 <= response.status_code < 500
    await assert_nothing_happened(plgbot)


async def test_payloads_with_missing_or_odd_fields_are_refused_or_ignored(
    plgbot: Plgbot,
) -> None:
    mention = fixture_json("app_mention.json")
    no_event = {k: v for k, v in mention.items() if k != "event"}
    no_user = copy.deepcopy(mention)
    del no_user["event"]["user"]
    no_ts = copy.deepcopy(mention)
    del no_ts["event"]["ts"]
    odd_text = copy.deepcopy(mention)
    odd_text["event"]["text"] = {"not": "text"}
    unknown = copy.deepcopy(mention)
    unknown["event"] = {"type": "reaction_added", "user": "U0BRAM002", "reaction": "tada"}
    # PostgreSQL's text holds no NUL; Slack never sends one.
    nul_text = copy.deepcopy(mention)
    nul_text["event"]["text"] = "verteld <@U0BRAM002> \x00"
    nul_key = copy.deepcopy(mention)
    nul_key["event"]["\x00"] = "x"
    for payload, expected in [
        (nul_text, 400),
        (nul_key, 400),
        (no_event, 400),
        (no_user, 200),
        (no_ts, 200),
        (odd_text, 200),
        (unknown, 200),
    ]:
        payload["event_id"] = f"Ev0ODD{expected}{random.randrange(10**6)}"
        response = await plgbot.event(payload)
        assert response.status_code == expected, payload
    command = fixture_form("slash_command_heard.txt")
    del command["user_id"]
    assert (await plgbot.form(command)).status_code == 400
    nul_command = fixture_form("slash_command_heard.txt") | {"text": "gehoord van \x00"}
    assert (await plgbot.form(nul_command)).status_code == 400
    press = fixture_payload("block_actions_reply_button.txt")
    press["actions"] = []
    assert (await plgbot.interactive(press)).status_code == 400
    await assert_nothing_happened(plgbot)


async def test_a_huge_body_gets_413(plgbot: Plgbot) -> None:
    payload = fixture_json("app_mention.json")
    payload["event"]["text"] = "x" * 2_000_000
    assert (await plgbot.event(payload)).status_code == 413

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b"x" * 64_000

    # Streamed without a Content-Length, it is cut off at the limit all the same.
    streamed = await plgbot.http.post(
        f"{plgbot.url}/slack/events",
        content=chunks(),
        headers={"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=0"},
    )
    assert streamed.status_code == 413
    await assert_nothing_happened(plgbot)


def mutations(payload: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path in a JSON document."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            yield (*path, key)
            yield from mutations(value, (*path, key))
    elif isinstance(payload, list):
        for index, value in enumerate(payload):
            yield (*path, index)
            yield from mutations(value, (*path, index))


def mutated(payload: Any, path: tuple[Any, ...], replacement: Any) -> Any:
    copied = copy.deepcopy(payload)
    target = copied
    for step in path[:-1]:
        target = target[step]
    if replacement is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = replacement
    return copied


@pytest.mark.slow
async def test_no_mutation_of_a_fixture_makes_the_server_fail(plgbot: Plgbot) -> None:
    """Each field of each fixture deleted or replaced by a value of another type: the
    answer is a 2xx or 4xx, never a 5xx."""
    rng = random.Random(7)
    replacements: list[Any] = [KeyError, None, 7, "x", [], {}, [{}], "<@U0BRAM002>" * 50]
    sent = 0
    for name in sorted(p for p in ("app_mention.json", "message_thread_reply.json")):
        payload = fixture_json(name)
        for path in mutations(payload):
            for replacement in rng.sample(replacements, 3):
                if isinstance(path[-1], int) and replacement is KeyError:
                    continue
                body = mutated(payload, path, replacement)
                if isinstance(body, dict):
                    body["event_id"] = f"Ev0FUZZ{sent:05d}"
                response = await plgbot.event(body)
                assert response.status_code < 500, (name, path, replacement)
                sent += 1
    for name in ("block_actions_reply_button.txt", "view_submission_reply.txt"):
        payload = fixture_payload(name)
        for path in mutations(payload):
            for replacement in rng.sample(replacements, 2):
                if isinstance(path[-1], int) and replacement is KeyError:
                    continue
                response = await plgbot.interactive(mutated(payload, path, replacement))
                assert response.status_code < 500, (name, path, replacement)
                sent += 1
    command = fixture_form("slash_command_heard.txt")
    for key in command:
        for value in ("", "x" * 300, "<@U0ANOUK01>", "\x00"):
            fields = {**command, key: value, "response_url": plgbot.fake.hook_url()}
            response = await plgbot.form(fields)
            assert response.status_code < 500, (key, value)
            sent += 1
    assert sent > 200


async def test_bodies_and_secrets_stay_out_of_the_logs(
    plgbot: Plgbot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    mention = fixture_json("message_channel_mention.json")
    body = json.dumps(mention).encode()
    await plgbot.post(body, signature="v0=forged")
    await plgbot.post(body, timestamp=int(time.time()) - 999)
    await plgbot.post(body[:-5])
    await plgbot.event(mention)
    unknown = copy.deepcopy(mention)
    unknown["event"]["type"] = "reaction_added"
    unknown["event_id"] = "Ev0UNKNOWN01"
    await plgbot.event(unknown)
    await plgbot.form(fixture_form("block_actions_reply_button.txt"))
    await plgbot.stop()
    assert caplog.records, "expected the refusals to be logged"
    for secret in (SECRET, BOT_TOKEN, SECRET_TEXT, "Jhj5dZrVaK7ZwHHjRyZWjbDl", "Whiteboard"):
        assert secret not in caplog.text


async def test_bolts_own_body_logging_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    """Should a forged request ever reach Bolt, its INFO line carries no body."""
    caplog.set_level(logging.INFO)
    verification = AsyncRequestVerification(SECRET, base_logger=bolt_logger())
    body = json.dumps(fixture_json("message_channel_mention.json"))
    request = AsyncBoltRequest(
        body=body,
        headers={"x-slack-request-timestamp": str(int(time.time())), "x-slack-signature": "v0=x"},
    )

    async def next_() -> BoltResponse:
        raise AssertionError("a forged request must not pass")

    response = await verification.async_process(
        req=request, resp=BoltResponse(status=200), next=next_
    )
    assert response.status == 401
    assert "Invalid request signature" in caplog.text
    assert SECRET_TEXT not in caplog.text
