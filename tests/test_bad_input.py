"""Bad input gets a clear answer in the user's language and stores nothing."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from adapters.console import ConsoleSession
from bot.events import ChannelRef, InboundMessage, MessageDeleted, PersonRef, SchoolRef
from bot.service import Bot
from storage import Database
from storage.models import PLG, Base, Interaction
from tests.helpers import edges, run_script

STAFF = "/as Anouk de Vries\n/as Bram Jansen\n/as anouk"


async def _count(db: Database, model: type[Base]) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("told", "Name a colleague with @"),
        ("verteld", "Noem een collega met @"),
        ("told @anouk #focus", "You can't log an interaction with yourself"),
        ("gehoord van @anouk", "Je kunt geen gesprek met jezelf vastleggen"),
        ("told @nobody #focus", "I don't know @nobody."),
        ("told @bram @nobody @niemand", "I don't know @nobody and @niemand."),
        ("verteld @niemand", "Ik ken @niemand niet."),
        ("told @bram'; DROP TABLE interactions;--", None),
    ],
)
async def test_interaction_commands_that_name_nobody_valid_store_nothing(
    console: ConsoleSession, db: Database, command: str, answer: str | None
) -> None:
    await run_script(console, STAFF)
    out = await run_script(console, command)
    if answer is None:
        # SQL-ish text is just text: logged like any other message, tables intact.
        assert "Logged: you told Bram Jansen." in out
        assert len(await edges(db)) == 1
        return
    assert answer in out
    assert await edges(db) == []


@pytest.mark.parametrize(
    ("line", "language"),
    [
        ("blah blah", "nl"),
        ("¿qué?", "nl"),
        ("مرحبا 👋🏽 שלום", "nl"),
        ("'; DELETE FROM people; --", "nl"),
    ],
)
async def test_nonsense_gets_help_in_the_users_language(
    console: ConsoleSession, db: Database, line: str, language: str
) -> None:
    await run_script(console, STAFF)
    out = await run_script(console, line)
    # One short line with an example, never the whole help.
    expected = "verteld @bram" if language == "nl" else "told @bram"
    assert expected in out
    assert "plg nieuw" not in out and "plg new" not in out
    assert await edges(db) == []
    assert await _count(db, PLG) == 0


@pytest.mark.parametrize("line", ["hulp", "help", "Help!", "?"])
async def test_help_is_short_and_in_the_persons_language_also_when_typed_help(
    console: ConsoleSession, line: str
) -> None:
    # "help" is a Dutch word too: in a Dutch school it is answered in Dutch.
    await run_script(console, STAFF)
    out = await run_script(console, line)
    assert "verteld @collega over" in out and "Meer: hulp gesprekken" in out
    assert "ronde nieuw" not in out, "the topics hold the rest"
    out = await run_script(console, "hulp rondes")
    assert "ronde nieuw PLG | vraag" in out and "verteld @collega" not in out
    out = await run_script(console, "language en\nhelp privacy")
    assert "privacy — what plgbot keeps about you" in out
    out = await run_script(console, "help all")
    assert "plg new NAME" in out and "round new PLG" in out


async def test_a_user_who_chose_english_gets_english_help_for_nonsense(
    console: ConsoleSession,
) -> None:
    await run_script(console, STAFF + "\nlanguage en")
    out = await run_script(console, "blub")
    assert "I didn't understand that." in out
    out = await run_script(console, "taal nl\nblub")
    assert "Dat begreep ik niet." in out
    out = await run_script(console, "taal xx")
    assert "Ik spreek Nederlands (nl) en Engels (en)." in out


def _event(
    text: str, *, event_id: str = "E1", mentions: tuple[PersonRef, ...] = ()
) -> InboundMessage:
    return InboundMessage(
        school=SchoolRef("slack", "T1", "School"),
        event_id=event_id,
        message_id=f"m-{event_id}",
        author=PersonRef("U1", "Anouk"),
        channel=ChannelRef("D1", is_direct=True),
        text=text,
        sent_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
        mentions=mentions,
        addressed_to_bot=True,
    )


async def test_empty_and_whitespace_text_gets_help(bot: Bot, db: Database) -> None:
    for i, text in enumerate(["", "   ", "\n\t"]):
        replies = await bot.handle(_event(text, event_id=f"E{i}"))
        assert "verteld @collega" in replies[0].plain_text
    assert await _count(db, Interaction) == 0


async def test_a_10000_character_command_is_refused_without_storing(bot: Bot, db: Database) -> None:
    text = "told @Bram " + "#focus " * 1500
    replies = await bot.handle(_event(text[:10_000], mentions=(PersonRef("U2", "Bram"),)))
    assert "too long for me (10000 characters)" in replies[0].plain_text
    assert await _count(db, Interaction) == 0


async def test_emoji_and_rtl_names_are_stored_and_shown_intact(bot: Bot, db: Database) -> None:
    colleague = PersonRef("U2", "مريم 🌷 Bakker")
    replies = await bot.handle(_event("told @مريم 🌷 Bakker #focus 🎉", mentions=(colleague,)))
    assert "مريم 🌷 Bakker" in replies[0].plain_text
    assert await _count(db, Interaction) == 1


async def test_a_redelivered_event_is_handled_once(bot: Bot, db: Database) -> None:
    event = _event("told @Bram #focus", mentions=(PersonRef("U2", "Bram"),))
    first = await bot.handle(event)
    again = await bot.handle(event)
    assert first and again == []
    # A new delivery id for the same message (a platform retry with a new envelope)
    # still logs each edge once.
    third = await bot.handle(dataclasses.replace(event, event_id="E1-retry"))
    assert third
    assert await _count(db, Interaction) == 1


async def test_a_deleted_message_takes_its_interactions_out_of_the_network(
    console: ConsoleSession, bot: Bot, db: Database
) -> None:
    await run_script(
        console,
        STAFF + "\nplg new Datateam focus zittenblijven\n"
        "plg koppel Datateam #dt\n/in #dt\n@bram kijk even naar de #resultaten",
    )
    assert len(await edges(db)) == 1
    message_id = console._posted[-1].message_id
    await bot.handle(
        MessageDeleted(
            school=console.school,
            event_id="del-1",
            channel=ChannelRef("dt", "dt"),
            message_id=message_id,
        )
    )
    assert await edges(db) == []


async def test_bots_are_ignored(bot: Bot, db: Database) -> None:
    event = dataclasses.replace(
        _event("told @Bram #focus", mentions=(PersonRef("U2", "Bram"),)),
        author=PersonRef("B1", "Other bot", is_bot=True),
    )
    assert await bot.handle(event) == []
    assert await _count(db, Interaction) == 0


@pytest.mark.parametrize(
    "action",
    [
        "people.set",
        "schoolyear.carry_on",
        "schoolyear.stop",
        "schoolyear.close",
        "round.reply",
        "round.reply_replace",
        "round.reply_add",
        "interaction.file_plg",
        "interaction.set_type",
    ],
)
@pytest.mark.parametrize(
    "value",
    [
        "²",
        "role|²|coordinator",
        "role|" + "9" * 40 + "|coordinator",
        "9" * 5000,
        "1|",
        "|",
        "",
        "²:console:x",
        "9" * 40 + ":console:x",
        "1:",
        "none:console:x",
        "FOCUS:",
        "focus\x00:console:x",
    ],
)
async def test_forged_button_values_are_refused_and_change_nothing(
    bot: Bot, db: Database, action: str, value: str
) -> None:
    from bot.events import ActionInvoked
    from storage.models import Person

    school = SchoolRef("console", "test")
    coordinator = PersonRef("noor", "Noor Hendriks")
    await bot.handle(
        InboundMessage(
            school=school,
            event_id="hello",
            message_id="hello",
            author=coordinator,
            channel=ChannelRef("dm-noor", is_direct=True),
            text="help",
            sent_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
        )
    )
    async with db.session() as session:
        noor = await session.scalar(select(Person).where(Person.platform_user_id == "noor"))
        assert noor is not None
        noor.role = "coordinator"
    replies = await bot.handle(
        ActionInvoked(
            school=school,
            event_id=f"press-{action}-{len(value)}",
            author=coordinator,
            channel=ChannelRef("dm-noor", is_direct=True),
            action=action,
            value=value,
            sent_at=datetime(2026, 11, 20, 10, 1, tzinfo=UTC),
        )
    )
    assert replies, "a forged press is answered, not dropped"
    async with db.session() as session:
        people = (await session.scalars(select(Person))).all()
    assert [(p.platform_user_id, p.role) for p in people] == [("noor", "coordinator")]
