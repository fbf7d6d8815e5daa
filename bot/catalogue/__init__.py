"""User-facing text, one TOML file per language (``en.toml``, ``nl.toml``).

Logic never concatenates sentences: it asks for a message by key and fills named
placeholders. A test checks that every language has the same keys and placeholders.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Literal, cast

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")
DEFAULT_LANGUAGE: Language = "nl"

_DIR = Path(__file__).parent


@cache
def catalogue(language: Language) -> dict[str, str]:
    with (_DIR / f"{language}.toml").open("rb") as f:
        data = tomllib.load(f)
    return _flatten(data)


def _flatten(data: dict[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(cast(dict[str, object], value), f"{full}."))
        else:
            flat[full] = str(value)
    return flat


def placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name)


def text(language: Language, key: str, **values: object) -> str:
    """The message ``key`` in ``language`` with its placeholders filled."""
    return catalogue(language)[key].format(**values)


def as_language(value: str | None) -> Language | None:
    """``nl``, ``nl-NL``, ``nl_BE``, ``EN``... to a supported language, else None."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    for language in LANGUAGES:
        if code == language:
            return language
    return None
