"""File blocks (a digest's network picture, a data export) on Slack: the text goes as a
message, the file follows it into the same conversation and thread through
``files_upload_v2`` (upload URL, the bytes, completion), and a private one lands in the
person's DM. The fake Slack checks the three steps the way Slack does and keeps the
bytes it received."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.messenger import SlackMessenger
from adapters.slack.replies import Replies, Where
from bot.clock import FixedClock
from bot.events import SchoolRef
from bot.messages import File, Heading, Paragraph, message
from storage import Database
from tests.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.slack.harness import BRAM, DIRK

SCHOOL = SchoolRef("slack", "T0SCHOOL01")
PLG_CHANNEL = "C0PLGDATA1"


def png(width: int = 3, height: int = 2) -> bytes:
    """A real (tiny, grey) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PICTURE = File("netwerk.png", png(), "image/png", "Wie praat met wie over de PLG")
DIGEST = message(Heading("Weekoverzicht"), Paragraph("12 gesprekken deze week"), PICTURE)


@pytest.fixture
async def client(slack: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    web = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)
    yield web
    if web.session is not None:
        await web.session.close()


async def test_a_picture_posted_to_a_channel_follows_its_text_there(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    messenger = SlackMessenger(client)
    ts = await messenger.post_to_channel(school=SCHOOL, channel_id=PLG_CHANNEL, message=DIGEST)
    [posted] = slack.of("chat.postMessage")
    assert posted.args["channel"] == PLG_CHANNEL
    assert [b["type"] for b in posted.args["blocks"]] == ["header", "section"]
    assert ts == slack.messages[PLG_CHANNEL][0]["ts"]
    [asked] = slack.of("files.getUploadURLExternal")
    assert (asked.args["filename"], int(asked.args["length"])) == ("netwerk.png", len(png()))
    assert asked.args["alt_txt"] == "Wie praat met wie over de PLG"
    [shared] = slack.shared_files(PLG_CHANNEL)
    assert shared.content == png()
    assert shared.title == "Wie praat met wie over de PLG"
    assert shared.thread_ts is None
    # The text first, then the file: the three upload steps in order.
    methods = [c.method for c in slack.calls if c.method != "auth.test"]
    assert methods == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]


async def test_in_a_thread_the_file_goes_into_the_thread(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    messenger = SlackMessenger(client)
    await messenger.post_to_channel(
        school=SCHOOL, channel_id=PLG_CHANNEL, message=DIGEST, thread_id="1763722200.000600"
    )
    [shared] = slack.shared_files()
    assert (shared.channel, shared.thread_ts) == (PLG_CHANNEL, "1763722200.000600")


async def test_privately_the_file_lands_in_the_persons_dm(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    messenger = SlackMessenger(client)
    await messenger.send_private(school=SCHOOL, user_id=DIRK, message=DIGEST)
    [posted] = slack.of("chat.postMessage")
    assert posted.args["channel"] == DIRK
    # Shared into the DM the message landed in: a file cannot be shared to a user id.
    [shared] = slack.shared_files()
    assert (shared.channel, shared.content) == ("D0DIRK004", png())

    export = File("mijn-gegevens.json", b'{"interactions": []}', "application/json", "Je gegevens")
    file_id = await messenger.send_private(school=SCHOOL, user_id=BRAM, message=message(export))
    # Nothing but a file: no empty text message, just the file in the DM.
    assert len(slack.of("chat.postMessage")) == 1
    [opened] = slack.of("conversations.open")
    assert opened.args["users"] == BRAM
    [json_file] = slack.shared_files("D0BRAM002")
    assert (json_file.file_id, json_file.content) == (file_id, b'{"interactions": []}')
    assert json_file.alt_txt is None  # alt text is for pictures


async def test_a_private_reply_with_a_file_in_a_channel_sends_the_file_to_the_dm(
    slack: FakeSlack, client: AsyncWebClient, db: Database
) -> None:
    replies = Replies(client, [], db, FixedClock(datetime(2026, 12, 1, 9, tzinfo=UTC)))
    in_channel = Where(
        channel_id=PLG_CHANNEL, user_id=BRAM, is_direct=False, message_ts="1763722200.000600"
    )
    await replies.send(in_channel, [message(Paragraph("Je gegevens:"), PICTURE, private=True)])
    [ephemeral] = slack.of("chat.postEphemeral")
    assert (ephemeral.args["channel"], ephemeral.args["user"]) == (PLG_CHANNEL, BRAM)
    [shared] = slack.shared_files()
    assert (shared.channel, shared.thread_ts) == ("D0BRAM002", None)
    # In the conversation, the file follows the answer into its thread.
    await replies.send(in_channel, [message(Paragraph("Het plaatje:"), PICTURE, in_thread=True)])
    thread_file = slack.shared_files(PLG_CHANNEL)
    assert [(f.thread_ts, f.content) for f in thread_file] == [("1763722200.000600", png())]
    # A slash command's answer: through its response URL, the file to the DM.
    by_command = Where(
        channel_id=PLG_CHANNEL, user_id=DIRK, is_direct=False, response_url=slack.hook_url()
    )
    await replies.send(by_command, [message(Paragraph("Alsjeblieft"), PICTURE, private=True)])
    assert slack.of("response_url")[-1].args["text"].startswith("Alsjeblieft")
    assert [f.channel for f in slack.shared_files()][-1] == "D0DIRK004"


async def test_an_upload_slack_refuses_is_logged_and_the_next_reply_still_goes(
    slack: FakeSlack, client: AsyncWebClient, db: Database
) -> None:
    replies = Replies(client, [], db, FixedClock(datetime(2026, 12, 1, 9, tzinfo=UTC)))
    slack.fail("files.completeUploadExternal", status=500, times=5)
    where = Where.direct_to(DIRK)
    await replies.send(
        where, [message(Paragraph("Met plaatje"), PICTURE), message(Paragraph("En verder"))]
    )
    assert [c.args["text"] for c in slack.of("chat.postMessage")] == [
        "Met plaatje\n[Wie praat met wie over de PLG: netwerk.png]",
        "En verder",
    ]
    assert slack.shared_files() == []
