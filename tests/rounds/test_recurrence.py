"""Reading schedules and closings, and where the parts of a round command go."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.rounds.commands import AnswerRound, parse_answer, read_parts
from bot.rounds.recurrence import (
    Recurrence,
    first_posting,
    looks_like_schedule,
    parse_closing,
    parse_recurrence,
    postings,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("weekly monday 08:00", "weekly mon 08:00"),
        ("wekelijks maandag om 8 uur", "weekly mon 08:00"),
        ("every tuesday 7.30", "weekly tue 07:30"),
        ("elke vrijdag", "weekly fri 08:00"),
        ("fortnightly wednesday 9am", "fortnightly wed 09:00"),
        ("every other thursday 14:15", "fortnightly thu 14:15"),
        ("tweewekelijks di 8u", "fortnightly tue 08:00"),
        ("om de week woensdag 9:00", "fortnightly wed 09:00"),
        ("once 2026-12-01 08:00", "once"),
        ("eenmalig 1-12-2026", "once"),
        ("monday 08:00", "once"),
        ("now", "once"),
        ("nu", "once"),
    ],
)
def test_schedules_are_read_in_english_and_dutch(typed: str, canonical: str) -> None:
    recurrence = parse_recurrence(typed)
    assert recurrence is not None
    assert recurrence.canonical() == canonical
    assert parse_recurrence(recurrence.canonical()) is not None


@pytest.mark.parametrize(
    "typed",
    [
        "0 8 * * 1",
        "*/5 * * * *",
        "every blue moon",
        "weekly",
        "08:00",
        "daily 08:00",
        "once weekly monday",
        "weekly 2026-13-01",
        "monday 25:00",
        "maandag 2026-12-02",
    ],
)
def test_nonsense_is_not_a_schedule(typed: str) -> None:
    assert parse_recurrence(typed) is None
    assert looks_like_schedule(typed)


@pytest.mark.parametrize(
    "question",
    [
        "Do pupils repeat the year because of homework?",
        "Om welke redenen blijven ze zitten?",
        "Elke leerling die blijft zitten: wat speelt er mee?",
    ],
)
def test_questions_are_not_mistaken_for_schedules(question: str) -> None:
    assert not looks_like_schedule(question)
    assert read_parts(f"{question} | #staffroom").question == question


def test_a_one_off_keeps_its_date_and_time_in_the_school_zone() -> None:
    recurrence = parse_recurrence("once 2027-03-28 08:00")
    assert recurrence == Recurrence(0, None, time(8, 0), date(2027, 3, 28))
    now = datetime(2027, 3, 1, tzinfo=UTC)
    assert first_posting(recurrence, AMSTERDAM, now) == datetime(2027, 3, 28, 6, tzinfo=UTC)


def test_weekly_postings_follow_the_wall_clock_into_winter_time() -> None:
    recurrence = parse_recurrence("weekly monday 08:00")
    assert recurrence is not None
    start = first_posting(recurrence, AMSTERDAM, datetime(2026, 10, 15, tzinfo=UTC))
    found = postings(
        recurrence, AMSTERDAM, start=start, since=start, until=datetime(2026, 11, 3, tzinfo=UTC)
    )
    # Winter time starts on Sunday 2026-10-25: 06:00 UTC before, 07:00 UTC after.
    assert found == [
        datetime(2026, 10, 19, 6, tzinfo=UTC),
        datetime(2026, 10, 26, 7, tzinfo=UTC),
        datetime(2026, 11, 2, 7, tzinfo=UTC),
    ]


def test_closings() -> None:
    assert parse_closing("2026-12-01 17:00") is not None
    assert parse_closing("vrijdag") is not None
    assert parse_closing("friday 16:30") is not None
    assert parse_closing("whenever") is None
    assert parse_closing("2026-12-02 friday") is None  # a Wednesday is no Friday


def test_round_parts_in_any_order() -> None:
    draft = read_parts("anoniem | sluit vrijdag 17:00 | #a #b | wekelijks ma 8:00 | Waarom?")
    assert draft.question == "Waarom?"
    assert draft.channels == ("a", "b")
    assert draft.anonymous is True
    assert draft.recurrence is not None and draft.recurrence.canonical() == "weekly mon 08:00"
    assert draft.closing is not None


def test_answers() -> None:
    assert parse_answer("3 Homework") == AnswerRound(3, "add", "Homework")
    assert parse_answer("#3 wijzig ABC123 Nieuw") == AnswerRound(3, "edit", "ABC123 Nieuw")
    assert parse_answer("intrekken") == AnswerRound(None, "withdraw", "")
    assert parse_answer("Homework is rarely checked") == AnswerRound(
        None, "add", "Homework is rarely checked"
    )
