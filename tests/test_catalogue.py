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


def test_counts_take_the_plural_the_language_asks_for() -> None:
    assert text("nl", "digest.nudges", sent=1, followed=0).startswith("1 tip verstuurd")
    assert text("nl", "digest.nudges", sent=2, followed=0).startswith("2 tips verstuurd")
    assert text("en", "digest.nudges", sent=1, followed=1).startswith("1 tip sent")
    assert text("nl", "round.halfway_colleagues", colleagues=1) == (
        "Halverwege: 1 collega heeft al geantwoord."
    )
    assert text("nl", "round.halfway_colleagues", colleagues=3) == (
        "Halverwege: 3 collega's hebben al geantwoord."
    )
    assert text("en", "digest.change_degree", delta="+1").startswith("+1 colleague since")


def test_no_full_stop_after_a_value_that_ends_its_own_sentence() -> None:
    assert text("nl", "plg.meeting_set", name="Datateam", date="wanneer?") == (
        "Volgende bijeenkomst van Datateam: wanneer?"
    )
    assert text("nl", "plg.meeting_set", name="Datateam", date="17 december").endswith(
        "17 december."
    )
