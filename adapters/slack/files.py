"""The core's :class:`bot.messages.File` blocks in Slack: uploaded into the conversation
(and thread) of the message they belong to, with ``files_upload_v2``
(``files.getUploadURLExternal``, the bytes to the URL it returns, then
``files.completeUploadExternal``, which shares them). A text message cannot carry a
file, so the text goes first and the files follow it.

A file meant for one person (a private reply in a channel, which Slack shows only as
an ephemeral message, or an answer through a slash command's ``response_url``) goes to
their direct message with the bot instead: an upload is never ephemeral.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.web.async_client import AsyncWebClient

from bot.messages import File, OutboundMessage


def files_of(message: OutboundMessage) -> tuple[File, ...]:
    return tuple(block for block in message.blocks if isinstance(block, File))


def has_text(message: OutboundMessage) -> bool:
    """Whether the message is more than its files (else only the files are sent)."""
    return any(not isinstance(block, File) for block in message.blocks)


async def upload(
    client: AsyncWebClient, *, channel: str, files: Sequence[File], thread_ts: str | None = None
) -> str:
    """Upload ``files`` into ``channel`` (a channel or DM id); the first file's id."""
    uploads = [
        {
            "file": f.content,
            "filename": f.name,
            "title": f.title,
            # Read out by screen readers in place of the picture.
            **({"alt_txt": f.title} if f.is_image else {}),
        }
        for f in files
    ]
    answer = await client.files_upload_v2(
        file_uploads=uploads, channel=channel, thread_ts=thread_ts
    )
    shared = answer.get("files") or []
    return str(shared[0]["id"]) if shared else ""


async def direct_channel(client: AsyncWebClient, user_id: str) -> str:
    """The id of the person's DM with the bot (files cannot be shared to a user id)."""
    answer = await client.conversations_open(users=user_id)
    channel = answer.get("channel") or {}
    return str(channel["id"])
