"""The lead's round form as the core sees it (Slack and Teams draw it; their tests submit
it through the real platform stacks): what it offers, what a submission creates, and
which field a refusal is about, with nothing stored on a refusal."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from adapters.console import ConsoleSession
from bot.events import ChannelRef, PersonRef, RoundFields, RoundForm, SchoolRef
from bot.rounds.form import CHANNELS, CLOSES, PLG_FIELD, QUESTION, SCHEDULE
from bot.service import Bot
from storage import Database
from storage.models import QuestionRound
from tests.helpers import run_script
from tests.rounds.harness import school

SCHOOL = SchoolRef("console", "test")
ANOUK = PersonRef("anouk", "Anouk de Vries")
BRAM = PersonRef("bram", "Bram Jansen")
HOME = ChannelRef("anouk", is_direct=True)
QUESTION_TEXT = "Relatively many havo-3 pupils repeat the year. What could be causes?"


def form(fields: RoundFields, *, author: PersonRef = ANOUK, event_id: str = "f1") -> RoundForm:
    return RoundForm(
        school=SCHOOL,
        event_id=event_id,
        author=author,
        channel=HOME,
        fields=fields,
        sent_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
    )


async def staffroom(bot: Bot) -> str:
    choices = await bot.round_form(SCHOOL, ANOUK)
    by_name = {name: channel_id for channel_id, name in choices.channels}
    return by_name["staffroom"]


async def rounds_stored(db: Database) -> list[QuestionRound]:
    async with db.session() as session:
        return list((await session.scalars(select(QuestionRound))).all())


async def test_a_lead_gets_their_plgs_and_the_known_channels(
    bot: Bot, console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    choices = await bot.round_form(SCHOOL, ANOUK)
    assert choices.refusal is None
    assert choices.plgs == ("Datateam havo-3",)
    assert sorted(name for _, name in choices.channels) == ["datateam", "staffroom"]
    assert choices.values.plg == "Datateam havo-3"
    assert choices.values.schedule == "weekly"


async def test_someone_who_leads_no_plg_gets_a_refusal_instead_of_a_form(
    bot: Bot, console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    choices = await bot.round_form(SCHOOL, BRAM)
    assert choices.refusal is not None and "Only PLG leads" in choices.refusal


async def test_a_submitted_form_schedules_the_round_like_the_typed_command(
    bot: Bot, console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    fields = RoundFields(
        plg="Datateam havo-3",
        question=QUESTION_TEXT,
        channel_ids=(await staffroom(bot),),
        schedule="weekly",
        weekday="mon",
        time="08:00",
        closes_date="",
        anonymous=True,
    )
    outcome = await bot.submit_round_form(form(fields))
    assert outcome.accepted, outcome
    assert "Monday" in outcome.messages[0].plain_text
    (stored,) = await rounds_stored(db)
    assert stored.question == QUESTION_TEXT
    assert stored.recurrence == "weekly mon 08:00"
    assert stored.anonymous is True
    # The same submission delivered again creates nothing more.
    again = await bot.submit_round_form(form(fields))
    assert again.accepted and again.messages == ()
    assert len(await rounds_stored(db)) == 1


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"question": "   "}, QUESTION, "needs a question"),
        ({"question": "W" * 5000}, QUESTION, "5000 characters"),
        ({"channel_ids": ()}, CHANNELS, "Choose at least one channel"),
        ({"channel_ids": ("C-unknown",)}, CHANNELS, "I don't know #C-unknown"),
        ({"schedule": "0 8 * * 1"}, SCHEDULE, "as a schedule"),
        ({"schedule": "once", "date": "2026-11-01"}, SCHEDULE, "has already passed"),
        ({"schedule": "once", "date": ""}, SCHEDULE, "as a schedule"),
        ({"closes_date": "2026-11-19"}, CLOSES, "has already passed"),
        ({"closes_date": "someday"}, CLOSES, "as a closing time"),
        ({"plg": "Nonexistent"}, PLG_FIELD, "Choose one of the PLGs"),
    ],
)
async def test_a_bad_field_is_named_and_nothing_is_scheduled(
    bot: Bot,
    console: ConsoleSession,
    db: Database,
    change: dict[str, object],
    field: str,
    says: str,
) -> None:
    await school(console, db)
    fields = RoundFields(
        plg="Datateam havo-3",
        question=QUESTION_TEXT,
        channel_ids=(await staffroom(bot),),
    )
    outcome = await bot.submit_round_form(form(dataclasses.replace(fields, **change)))  # type: ignore[arg-type]
    assert not outcome.accepted
    assert outcome.field == field
    assert says in outcome.messages[0].plain_text
    assert await rounds_stored(db) == []
    # Fixed and sent again (same event id: the refusal claimed nothing), it is scheduled.
    fixed = await bot.submit_round_form(form(fields))
    assert fixed.accepted and len(await rounds_stored(db)) == 1


async def test_a_colleague_who_does_not_lead_the_plg_is_refused(
    bot: Bot, console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    fields = RoundFields(
        plg="Datateam havo-3", question=QUESTION_TEXT, channel_ids=(await staffroom(bot),)
    )
    outcome = await bot.submit_round_form(form(fields, author=BRAM))
    assert not outcome.accepted and outcome.field == PLG_FIELD
    assert "Only a lead of Datateam havo-3" in outcome.messages[0].plain_text
    assert await rounds_stored(db) == []


async def test_editing_shows_the_round_and_applies_only_what_changed(
    bot: Bot, console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    # A one-off posted now: re-submitting its (past) start time unchanged must be fine.
    await run_script(
        console,
        "/as anouk\nround new Datateam havo-3 | What could be causes? | #staffroom | now",
    )
    (created,) = await rounds_stored(db)
    choices = await bot.round_form(SCHOOL, ANOUK, created.id)
    assert choices.refusal is None
    values = choices.values
    assert values.round_number == created.id and values.schedule == "once"
    assert values.question == "What could be causes?"
    assert values.channel_ids == (await staffroom(bot),)

    edited = dataclasses.replace(values, question="What else could play a role?")
    outcome = await bot.submit_round_form(form(edited, event_id="edit-1"))
    assert outcome.accepted, outcome
    (stored,) = await rounds_stored(db)
    assert stored.question == "What else could play a role?"
    assert stored.starts_at == created.starts_at

    unchanged = await bot.submit_round_form(form(edited, event_id="edit-2"))
    assert unchanged.accepted and "Nothing changed" in unchanged.messages[0].plain_text

    # Bram may not open or submit the edit form of Anouk's round.
    refused = await bot.round_form(SCHOOL, BRAM, created.id)
    assert refused.refusal is not None and "Only a lead" in refused.refusal
    outcome = await bot.submit_round_form(form(edited, author=BRAM, event_id="edit-3"))
    assert not outcome.accepted


async def test_on_the_console_round_form_explains_the_typed_command(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    out = await run_script(console, "/as anouk\nround form")
    assert "Schedule a question round like this" in out
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(QuestionRound)) == 0
