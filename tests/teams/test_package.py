"""`plgbot teams-package`: the zip Teams admins upload."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from click.testing import CliRunner
from PIL import Image

from adapters.cli import main
from adapters.teams.package import MANIFEST_SCHEMA, MANIFEST_VERSION

APP_ID = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"


def _package(tmp_path: Path, *args: str) -> tuple[int, str, Path]:
    out = tmp_path / "plgbot.zip"
    result = CliRunner().invoke(main, ["teams-package", "--output", str(out), *args])
    return result.exit_code, result.output, out


def test_the_package_holds_a_manifest_and_both_icons(tmp_path: Path) -> None:
    code, output, out = _package(tmp_path, "--app-id", APP_ID, "--host", "plgbot.school.nl")

    assert code == 0, output
    assert "https://plgbot.school.nl/api/messages" in output
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == [
            "color.png",
            "manifest.json",
            "nl-nl.json",
            "outline.png",
        ]
        manifest = json.loads(archive.read("manifest.json"))
        dutch = json.loads(archive.read("nl-nl.json"))
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))

    assert manifest["$schema"] == MANIFEST_SCHEMA
    assert manifest["manifestVersion"] == MANIFEST_VERSION == "1.19"
    for field in ("version", "id", "developer", "name", "description", "icons", "accentColor"):
        assert manifest[field], field
    assert set(manifest["developer"]) >= {"name", "websiteUrl", "privacyUrl", "termsOfUseUrl"}
    assert manifest["id"] == APP_ID
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    commands = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert {"help", "network", "told", "plg list", "log", "round form", "answer"} <= set(commands)
    assert len(commands) <= 10
    assert all(
        len(c["title"]) <= 32 and len(c["description"]) <= 128
        for c in bot["commandLists"][0]["commands"]
    )
    assert manifest["validDomains"] == ["plgbot.school.nl"]
    assert manifest["webApplicationInfo"]["id"] == APP_ID
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert dutch["bots[0].commandLists[0].commands[0].title"] == "hulp"
    assert len([k for k in dutch if k.startswith("bots[0]")]) == 2 * len(commands)

    assert (color.format, color.size) == ("PNG", (192, 192))
    assert (outline.format, outline.size, outline.mode) == ("PNG", (32, 32), "RGBA")
    colors = {color for _, color in outline.getcolors() or []}
    assert colors <= {(255, 255, 255, 255), (255, 255, 255, 0)}  # white on transparent
    assert (255, 255, 255, 255) in colors and (255, 255, 255, 0) in colors


def test_a_host_with_scheme_is_cleaned_and_bad_input_is_refused(tmp_path: Path) -> None:
    code, output, out = _package(tmp_path, "--app-id", APP_ID, "--host", "https://Bot.School.NL/")
    assert code == 0, output
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("manifest.json"))["validDomains"] == ["bot.school.nl"]

    code, output, _ = _package(tmp_path, "--app-id", "not-a-guid", "--host", "bot.school.nl")
    assert code != 0 and "GUID" in output
    code, output, _ = _package(tmp_path, "--app-id", APP_ID, "--host", "bot school/api")
    assert code != 0 and "host" in output
