"""The app manifest asks for exactly what the adapter uses: the scopes of the Web API
methods it calls and of the events it listens to, one command, one Request URL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

import adapters.slack

SLACK = Path(adapters.slack.__file__).parent
MANIFEST = SLACK / "manifest.yml"

# Web API method (as slack_sdk names it) -> bot scopes it needs.
METHOD_SCOPES: dict[str, set[str]] = {
    "auth_test": set(),
    "chat_postMessage": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "users_info": {"users:read", "users:read.email"},
    "users_list": {"users:read", "users:read.email"},
    "conversations_info": {"channels:read", "groups:read"},
    "views_open": set(),
    "views_publish": set(),
    # A re-sent scheduled post looks for its earlier self (adapters/slack/messenger.py).
    "conversations_history": {"channels:history", "groups:history", "im:history"},
    "conversations_replies": {"channels:history", "groups:history", "im:history"},
    # Pictures and exports (adapters/slack/files.py), private ones into the DM.
    "files_upload_v2": {"files:write"},
    "conversations_open": {"im:write"},
}
EVENT_SCOPES: dict[str, set[str]] = {
    "app_mention": {"app_mentions:read"},
    "app_home_opened": set(),
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "message.im": {"im:history"},
}


def manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text())
    assert isinstance(data, dict)
    return data


def test_the_adapter_calls_only_methods_the_manifest_has_scopes_for() -> None:
    source = "\n".join(path.read_text() for path in SLACK.glob("*.py"))
    # send_socket_mode_response answers over the Socket Mode connection: no Web API.
    called = set(re.findall(r"client\.(\w+)\(", source)) - {"send_socket_mode_response"}
    assert called == set(METHOD_SCOPES)
    needed = set().union(*METHOD_SCOPES.values(), *EVENT_SCOPES.values(), {"commands"})
    assert set(manifest()["oauth_config"]["scopes"]["bot"]) == needed


def test_events_command_and_urls() -> None:
    data = manifest()
    settings = data["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == set(EVENT_SCOPES)
    [command] = data["features"]["slash_commands"]
    assert command["command"] == "/plg"
    # Mentions in /plg text arrive as <@U…> ids, which is how the adapter resolves them.
    assert command["should_escape"] is True
    urls = {
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    }
    assert urls == {"https://plgbot.example.org/slack/events"}
    assert settings["interactivity"]["is_enabled"] is True
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    assert data["features"]["app_home"]["messages_tab_enabled"] is True


def test_the_manifest_ships_with_the_package() -> None:
    from importlib.resources import files

    assert files("adapters").joinpath("slack/manifest.yml").is_file()
