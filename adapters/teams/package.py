"""The Teams app package a school admin uploads: ``manifest.json`` (Teams manifest
schema v1.19), a Dutch localisation file and the two icons, zipped.

v1.19 is the newest schema version the Teams Developer Portal and Teams admin center
accept for bots without preview features; it has everything plgbot needs (bot scopes,
command lists, resource-specific consent to read channel messages, localisation).
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

MANIFEST_VERSION = "1.19"
SCHEMA_BASE = f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}"
MANIFEST_SCHEMA = f"{SCHEMA_BASE}/MicrosoftTeams.schema.json"
LOCALIZATION_SCHEMA = f"{SCHEMA_BASE}/MicrosoftTeams.Localization.schema.json"
ACCENT = "#2E6E65"
COLOR_SIZE = 192
OUTLINE_SIZE = 32
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

# (title, English description, Dutch title, Dutch description); titles are what people
# type after @plgbot. Teams allows at most 10 commands and 32/128 characters.
COMMANDS = (
    ("help", "What plgbot can do", "hulp", "Wat plgbot kan"),
    ("log", "Log a conversation about a PLG with a form", "vastleggen",
     "Leg met een formulier een gesprek over een PLG vast"),
    ("told", "told @colleague … — you shared something about a PLG", "verteld",
     "verteld @collega … — je deelde iets over een PLG"),
    ("heard", "heard @colleague … — a colleague shared with you", "gehoord",
     "gehoord van @collega … — een collega deelde iets met jou"),
    ("network", "Your own ties and what you shared", "netwerk",
     "Je eigen contacten en wat je deelde"),
    ("plg list", "All PLGs of the school", "plg lijst", "Alle PLG's van de school"),
    ("plg link", "plg link NAME — make this channel the PLG's channel", "plg koppel",
     "plg koppel NAAM — maak dit kanaal het kanaal van de PLG"),
    ("round form", "PLG leads: plan a question round for the staff with a form",
     "ronde formulier", "PLG-leiders: plan met een formulier een vraagronde voor collega's"),
    ("answer", "answer N … — your reply to question round N", "antwoord",
     "antwoord N … — je antwoord op vraagronde N"),
)  # fmt: skip


class PackageError(ValueError):
    """An app id or host that Teams would refuse; the message says which."""


@dataclass(frozen=True, slots=True)
class PackageInfo:
    app_id: str
    host: str
    version: str = "1.0.0"
    developer: str = "plgbot"
    website_url: str | None = None
    privacy_url: str | None = None
    terms_url: str | None = None


def build_package(info: PackageInfo) -> bytes:
    """The zip's bytes. The Teams app id is the bot's Microsoft App ID, so one
    registration is one app."""
    _check(info)
    files = {
        "manifest.json": _json(manifest(info)),
        "nl-nl.json": _json(dutch()),
        "color.png": color_icon(),
        "outline.png": outline_icon(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def write_package(info: PackageInfo, path: Path) -> Path:
    path.write_bytes(build_package(info))
    return path


def manifest(info: PackageInfo) -> dict[str, Any]:
    site = info.website_url or f"https://{info.host}/"
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": info.version,
        "id": info.app_id,
        "localizationInfo": {
            "defaultLanguageTag": "en-us",
            "additionalLanguages": [{"languageTag": "nl-nl", "file": "nl-nl.json"}],
        },
        "developer": {
            "name": info.developer,
            "websiteUrl": site,
            "privacyUrl": info.privacy_url or site,
            "termsOfUseUrl": info.terms_url or site,
        },
        "name": {"short": "plgbot", "full": "plgbot: PLG knowledge sharing"},
        "description": {
            "short": "Helps what your PLGs learn reach the whole school.",
            "full": (
                "plgbot logs who talks with whom about the school's professional learning "
                "communities (PLGs), what knowledge they share (focus, process, results, "
                "benefits), and helps PLG leads spread it. Mentions and thread replies in a "
                "PLG's channel count by themselves; anyone can log a conversation with a "
                "command or a form, and see their own network."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": info.app_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal", "team", "groupChat"],
                        "commands": [
                            {"title": title, "description": description}
                            for title, description, _, _ in COMMANDS
                        ],
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [info.host],
        "webApplicationInfo": {
            "id": info.app_id,
            "resource": f"api://{info.host}/botid-{info.app_id}",
        },
        # Resource-specific consent: the team owner lets plgbot read the messages of the
        # team's channels, so mentions and thread replies count without @plgbot.
        "authorization": {
            "permissions": {
                "resourceSpecific": [
                    {"name": "ChannelMessage.Read.Group", "type": "Application"},
                    {"name": "ChatMessage.Read.Chat", "type": "Application"},
                ]
            }
        },
    }


def dutch() -> dict[str, Any]:
    """The Dutch localisation: names, descriptions and the command list."""
    strings: dict[str, Any] = {
        "$schema": LOCALIZATION_SCHEMA,
        "name.short": "plgbot",
        "name.full": "plgbot: kennis delen over PLG's",
        "description.short": "Helpt wat jullie PLG's leren de hele school te bereiken.",
        "description.full": (
            "plgbot legt vast wie met wie praat over de professionele leergemeenschappen "
            "(PLG's) van de school en welke kennis ze delen (focus, proces, resultaten, "
            "meerwaarde), en helpt PLG-trekkers die kennis te verspreiden. Vermeldingen en "
            "antwoorden in het kanaal van een PLG tellen vanzelf mee; iedereen kan een "
            "gesprek vastleggen met een opdracht of een formulier en het eigen netwerk zien."
        ),
    }
    for i, (_, _, title, description) in enumerate(COMMANDS):
        strings[f"bots[0].commandLists[0].commands[{i}].title"] = title
        strings[f"bots[0].commandLists[0].commands[{i}].description"] = description
    return strings


def color_icon() -> bytes:
    """192x192, full colour: the network motif in white on the accent colour."""
    image = Image.new("RGBA", (COLOR_SIZE, COLOR_SIZE), ACCENT)
    _network(ImageDraw.Draw(image), COLOR_SIZE, margin=44, width=10, radius=18)
    return _png(image)


def outline_icon() -> bytes:
    """32x32, white on transparent, as Teams requires for the outline icon."""
    image = Image.new("RGBA", (OUTLINE_SIZE, OUTLINE_SIZE), (255, 255, 255, 0))
    _network(ImageDraw.Draw(image), OUTLINE_SIZE, margin=6, width=2, radius=4)
    # Anti-aliasing leaves half-transparent edge pixels; Teams wants white or nothing.
    alpha = image.getchannel("A").point(lambda a: 255 if a >= 128 else 0)
    image = Image.new("RGBA", image.size, (255, 255, 255, 255))
    image.putalpha(alpha)
    return _png(image)


def _network(draw: ImageDraw.ImageDraw, size: int, *, margin: int, width: int, radius: int) -> None:
    """Three people and their ties: a triangle of dots joined by lines."""
    top = (size // 2, margin)
    left = (margin, size - margin)
    right = (size - margin, size - margin)
    white = (255, 255, 255, 255)
    for a, b in ((top, left), (left, right), (right, top)):
        draw.line([a, b], fill=white, width=width)
    for x, y in (top, left, right):
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=white)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _json(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _check(info: PackageInfo) -> None:
    try:
        uuid.UUID(info.app_id)
    except ValueError:
        raise PackageError(
            f"--app-id must be the bot's Microsoft App ID (a GUID), not {info.app_id!r}"
        ) from None
    if not _HOST.match(info.host):
        raise PackageError(
            f"--host must be a plain host name such as plgbot.school.nl, not {info.host!r}"
        )
    if not re.fullmatch(r"\d+\.\d+\.\d+", info.version):
        raise PackageError(f"--version must look like 1.0.0, not {info.version!r}")
