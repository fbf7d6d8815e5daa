"""Every user-facing text exists in Dutch and English with the same placeholders."""

from __future__ import annotations

import pytest

from bot.catalogue import as_language, catalogue, placeholders, text


def test_both_languages_have_the_same_keys() -> None:
    assert set(catalogue("en")) == set(catalogue("nl"))


@pytest.mark.parametrize("key", sorted(catalogue("en")))
def test_placeholders_match_between_languages(key: str) -> None:
    assert placeholders(catalogue("en")[key]) == placeholders(catalogue("nl")[key])


def test_texts_differ_between_languages_where_they_should() -> None:
    assert text("en", "help.topics") != text("nl", "help.topics")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("nl", "nl"),
        ("nl-NL", "nl"),
        ("nl_BE", "nl"),
        ("EN", "en"),
        ("en-GB", "en"),
        ("de-DE", None),
        ("", None),
        (None, None),
    ],
)
def test_locales_map_to_supported_languages(value: str | None, expected: str | None) -> None:
    assert as_language(value) == expected
