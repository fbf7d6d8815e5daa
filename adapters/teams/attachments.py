"""File blocks on a Teams card, within Teams' limit of about 28 KB per message.

A bot message in Teams cannot carry a file of its own: files go through the person's
OneDrive (the ``FileConsentCard`` flow, personal chats only) or SharePoint (Graph), and
only images may travel inline, as a ``data:`` URI. So, pragmatically:

* an **image** becomes an ``Image`` element on the card whose ``url`` is a ``data:``
  URI: as it is when it fits, else re-encoded with Pillow as a PNG with a palette of 64,
  then 16 colours, at smaller and smaller widths (down to 240 pixels) until it fits the
  room the rest of the card leaves; a digest's network picture of 1600 pixels comes out
  at about 500 pixels wide, with its colours and names still readable;
* **any other file** (a data export) is attached with a ``data:`` URI ``contentUrl``
  when it fits, which the Bot Framework Emulator and Web Chat offer as a download; Teams
  itself may show only its name. A file that does not fit, and an image that cannot be
  made to fit, is named on the card with a note saying so.

The re-encoding is CPU work, so :func:`prepare` runs it in a worker thread.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from bot.messages import File, OutboundMessage

# What a whole message (activity JSON) may take; Teams refuses a little above 28 KB.
MAX_MESSAGE_BYTES = 27_000
# Widths tried, largest first, when an image is too big as it is.
WIDTHS = (1024, 800, 640, 512, 400, 320, 240)
# Palettes tried at each width, richest first.
PALETTES = (64, 16)


@dataclass(frozen=True, slots=True)
class Prepared:
    """What a File block becomes: a ``data:`` URI, or None when it does not fit."""

    file: File
    data_uri: str | None


def data_uri(media_type: str, content: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(content).decode('ascii')}"


def files_of(message: OutboundMessage) -> list[File]:
    return [block for block in message.blocks if isinstance(block, File)]


async def prepare(files: Sequence[File], *, room: int) -> dict[int, Prepared]:
    """Each file (by its index in ``files``) as it will travel; ``room`` is how many
    bytes of the message are left for all of them together."""
    return await asyncio.to_thread(_prepare, list(files), room)


def _prepare(files: list[File], room: int) -> dict[int, Prepared]:
    prepared: dict[int, Prepared] = {}
    left = max(room, 0)
    # Smallest first, so one big picture does not crowd out a small one.
    for index in sorted(range(len(files)), key=lambda i: len(files[i].content)):
        share = left // (len(files) - len(prepared))
        file = files[index]
        uri = _image_uri(file, share) if file.is_image else _file_uri(file, share)
        prepared[index] = Prepared(file, uri)
        left -= len(uri) if uri else 0
    return prepared


def _file_uri(file: File, room: int) -> str | None:
    uri = data_uri(file.media_type, file.content)
    return uri if _encoded_size(uri) <= room else None


def _image_uri(file: File, room: int) -> str | None:
    """The image as is if it fits, else re-encoded smaller until it does."""
    as_is = data_uri(file.media_type, file.content)
    if _encoded_size(as_is) <= room:
        return as_is
    try:
        with Image.open(io.BytesIO(file.content)) as opened:
            image = opened.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    limit = image.width
    for width in (image.width, *WIDTHS):
        if width > limit:
            continue
        scaled = _scaled(image, width)
        sizes = []
        for colours in PALETTES:
            uri = data_uri("image/png", _png(_palette(scaled, colours)))
            size = _encoded_size(uri)
            if size <= room:
                return uri
            sizes.append(size)
        # The size goes with the area: skip the widths that cannot fit either.
        limit = min(width - 1, int(width * math.sqrt(room / min(sizes)) * 1.1))
    return None


def _scaled(image: Image.Image, width: int) -> Image.Image:
    if width >= image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _palette(image: Image.Image, colours: int) -> Image.Image:
    """A network picture is a few flat colours and their anti-aliased edges: a small
    palette keeps it sharp, and makes the PNG many times smaller."""
    return image.quantize(colors=colours, method=Image.Quantize.FASTOCTREE)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _encoded_size(uri: str) -> int:
    """What the URI adds to the activity's JSON (it is ASCII; no escaping needed)."""
    return len(uri) + 2


def size_of(activity_json: dict[str, Any]) -> int:
    """The bytes an activity takes on the wire, as the connector measures them."""
    return len(json.dumps(activity_json, ensure_ascii=False, separators=(",", ":")).encode())
