"""What the core needs to know about a deployment (per-school values come later)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.catalogue import DEFAULT_LANGUAGE, Language
from storage.school_settings import DEFAULTS, SchoolConfig


@dataclass(frozen=True, slots=True)
class BotConfig:
    # design.md: analysis looks at the last N weeks (one school term).
    window_weeks: int = 12
    default_language: Language = DEFAULT_LANGUAGE
    # Commands are short; a 10,000-character "command" is a paste, not a request.
    max_command_length: int = 2000
    # Where people reach ``plgbot serve`` (PLGBOT_PUBLIC_URL): dashboard sign-in links.
    public_url: str = "http://127.0.0.1:8000"
    # PLGBOT_COORDINATOR_EMAIL: who becomes a school's first coordinator when they first
    # talk to plgbot, while the school has none (lower-case addresses).
    coordinator_emails: frozenset[str] = frozenset()


def school_defaults(config: BotConfig) -> SchoolConfig:
    """The defaults for a school without its own settings: design.md's, with the
    deployment's window (``PLGBOT_WINDOW_WEEKS``)."""
    return replace(DEFAULTS, window_weeks=config.window_weeks)
