"""User-facing text, one TOML file per language (``en.toml``, ``nl.toml``).

Logic never concatenates sentences: it asks for a message by key and fills named
placeholders. A test checks that every language has the same keys and placeholders.
"""

from __future__ import annotations

import re
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


# ``{count|antwoord|antwoorden}``: the word for ``count``, singular or plural by the
# language's plural rule (Babel's CLDR data: "1 antwoord", "0 antwoorden").
_PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")
# A placeholder right before the template's full stop: "Je vroeg: {question}."
_BEFORE_STOP = re.compile(r"\{(\w+)\}\.")


def placeholders(template: str) -> frozenset[str]:
    plain = _PLURAL.sub(lambda m: "{" + m.group(1) + "}", template)
    return frozenset(name for _, name, _, _ in Formatter().parse(plain) if name)


def text(language: Language, key: str, **values: object) -> str:
    """The message ``key`` in ``language`` with its placeholders filled: plural forms
    chosen, and no full stop after a value that ends a sentence itself ("waarom?")."""
    template = catalogue(language)[key]
    if "|" in template:
        template = _PLURAL.sub(lambda m: _plural(language, values, m), template)
    template = _BEFORE_STOP.sub(
        lambda m: "{" + m.group(1) + "}" if _ends_sentence(values.get(m.group(1))) else m.group(0),
        template,
    )
    return template.format(**values)


def _plural(language: Language, values: dict[str, object], match: re.Match[str]) -> str:
    count = values.get(match.group(1))
    try:
        number = abs(int(str(count)))  # an int, or a count as text ("+1")
    except ValueError:
        number = 2

    return match.group(2) if _plural_form(language, number) == "one" else match.group(3)


@cache
def _plural_form(language: Language, number: int) -> str:
    from babel import Locale

    return str(Locale.parse(language).plural_form(number))


def _ends_sentence(value: object) -> bool:
    return isinstance(value, str) and value.rstrip().endswith((".", "?", "!", "…"))


def as_language(value: str | None) -> Language | None:
    """``nl``, ``nl-NL``, ``nl_BE``, ``EN``... to a supported language, else None."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    for language in LANGUAGES:
        if code == language:
            return language
    return None
