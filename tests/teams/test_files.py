"""File blocks on Teams: pictures on the card as ``data:`` URIs, made smaller until the
message fits Teams' ~28 KB; other files attached when they fit, named with a note in
the reader's language when they do not. Sent through the real TeamsMessenger to the
fake connector, whose recorded body is what Teams would receive."""

from __future__ import annotations

import base64
import io
import json
import random
from typing import Any

from PIL import Image, ImageDraw

from adapters.teams.attachments import MAX_MESSAGE_BYTES
from bot.events import SchoolRef
from bot.messages import File, Heading, Paragraph, message
from tests.teams.conftest import TENANT, Teams, fixture
from tests.teams.scenario import messengers

SCHOOL = SchoolRef("teams", TENANT)
CHANTAL_CHAT = "a:1chantal-personal-conversation"  # from the shared fixture


def network_picture(width: int = 1600, height: int = 1200, nodes: int = 80) -> bytes:
    """Something like a digest's network picture: grey ties, dots coloured by
    department, names; anti-aliased, as matplotlib draws it."""
    rng = random.Random(7)
    scale = 2
    image = Image.new("RGB", (width * scale, height * scale), "white")
    draw = ImageDraw.Draw(image)
    margin = 40 * scale
    points = [
        (
            rng.randrange(margin, width * scale - margin),
            rng.randrange(margin, height * scale - margin),
        )
        for _ in range(nodes)
    ]
    for _ in range(nodes * 2):
        a, b = rng.sample(points, 2)
        draw.line([a, b], fill=(170, 170, 170), width=2 * scale)
    departments = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189)]
    radius = 9 * scale
    for i, (x, y) in enumerate(points):
        box = [x - radius, y - radius, x + radius, y + radius]
        draw.ellipse(box, fill=departments[i % 5], outline="black")
        draw.text((x + radius + 4, y - 12), f"Collega {i}", fill="black", font_size=12 * scale)
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def trend_picture() -> bytes:
    """Like a digest's trend chart: a few coloured lines on white."""
    image = Image.new("RGB", (1200, 800), "white")
    draw = ImageDraw.Draw(image)
    rng = random.Random(3)
    for colour in ("red", "green", "blue", "orange", "purple"):
        points = [(x, rng.randrange(100, 700)) for x in range(50, 1200, 100)]
        draw.line(points, fill=colour, width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def tiny_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _images(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in card["body"] if e.get("type") == "Image"]


def _decoded(uri: str) -> bytes:
    header, _, data = uri.partition(",")
    assert header.endswith(";base64")
    return base64.b64decode(data)


async def send(teams: Teams, *blocks: Any) -> dict[str, Any]:
    """Send a private message with ``blocks`` to Chantal (she writes English) and
    return the body Teams received."""
    await teams.post(fixture("message_personal"))
    teams.connector.clear()
    _, registered = messengers(teams)
    messenger = registered.for_school(SCHOOL)
    await messenger.send_private(school=SCHOOL, user_id="29:1chantal", message=message(*blocks))
    [sent] = teams.connector.sent_to(CHANTAL_CHAT)
    body: dict[str, Any] = sent.body
    return body


async def test_a_small_picture_is_shown_on_the_card_as_it_is(teams: Teams) -> None:
    png = tiny_png()
    body = await send(
        teams, Heading("Digest"), File("network.png", png, "image/png", "PLG network")
    )
    [image] = _images(body["attachments"][0]["content"])
    assert image["url"] == "data:image/png;base64," + base64.b64encode(png).decode()
    assert image["altText"] == "PLG network"
    assert "PLG network" in json.dumps(body["attachments"][0]["content"])


async def test_a_big_network_picture_is_made_smaller_until_the_message_fits(
    teams: Teams,
) -> None:
    png = network_picture()
    assert len(png) > 3 * MAX_MESSAGE_BYTES  # far too big for a Teams message as it is
    body = await send(
        teams,
        Heading("Weekly digest"),
        Paragraph("Who shared PLG knowledge with whom this week."),
        File("network.png", png, "image/png", "PLG network"),
    )
    size = len(json.dumps(body, separators=(",", ":")).encode())
    assert size <= MAX_MESSAGE_BYTES
    [image] = _images(body["attachments"][0]["content"])
    shown = Image.open(io.BytesIO(_decoded(image["url"])))
    assert shown.format == "PNG"
    assert 400 <= shown.width < 1600  # names still readable
    assert abs(shown.height / shown.width - 1200 / 1600) < 0.01  # not distorted


async def test_two_pictures_share_the_room(teams: Teams) -> None:
    body = await send(
        teams,
        File("network.png", network_picture(), "image/png", "PLG network"),
        File("trend.png", trend_picture(), "image/png", "Knowledge types"),
    )
    assert len(json.dumps(body, separators=(",", ":")).encode()) <= MAX_MESSAGE_BYTES
    assert len(_images(body["attachments"][0]["content"])) == 2


async def test_a_small_export_is_attached_and_a_big_one_is_named_with_a_note(
    teams: Teams,
) -> None:
    export = json.dumps({"person": "Chantal Bakker", "interactions": []}).encode()
    body = await send(teams, File("my-data.json", export, "application/json", "Your data"))
    [card, attached] = body["attachments"]
    assert attached["contentType"] == "application/json"
    assert attached["name"] == "my-data.json"
    assert _decoded(attached["contentUrl"]) == export
    assert "my-data.json" in json.dumps(card["content"])

    big = json.dumps({"interactions": [{"with": f"Collega {i}"} for i in range(4000)]}).encode()
    body = await send(teams, File("my-data.json", big, "application/json", "Your data"))
    [card] = body["attachments"]  # nothing attached
    note = json.dumps(card["content"], ensure_ascii=False)
    assert "Your data (my-data.json, " in note
    assert "is too large for a Teams message" in note  # Chantal's English
    assert '"color": "Attention"' in note


async def test_a_picture_that_cannot_be_read_is_named_not_sent(teams: Teams) -> None:
    broken = b"\x89PNG not really" * 4000
    body = await send(teams, File("network.png", broken, "image/png", "PLG network"))
    card = body["attachments"][0]["content"]
    assert _images(card) == []
    assert "is too large for a Teams message" in json.dumps(card)
