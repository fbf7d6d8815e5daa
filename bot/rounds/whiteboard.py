"""The whiteboard question-round commands in one place for :mod:`bot.service`, the
lead's view of a round's agenda so far (``round agenda N``), and the Markdown agenda
for the command line."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.catalogue import DEFAULT_LANGUAGE, Language, as_language
from bot.messages import OutboundMessage, Visibility
from bot.rounds import admin as round_admin
from bot.rounds import creation as rounds
from bot.rounds import holidays
from bot.rounds import replies as round_replies
from bot.rounds.agenda import agenda_markdown, agenda_message, compile_agenda
from bot.rounds.commands import (
    AddHoliday,
    AnswerRound,
    ChangeRound,
    EditRound,
    ListHolidays,
    ListRounds,
    NewRound,
    RoundCommand,
    ShowAgenda,
)
from bot.school_time import zone_of
from bot.turn import Turn
from storage import Database
from storage import rounds as store
from storage.models import QuestionRound, School


async def handle(turn: Turn, command: RoundCommand) -> list[OutboundMessage]:
    match command:
        case NewRound():
            return await rounds.new_round(turn, command)
        case EditRound():
            return await round_admin.edit_round(turn, command)
        case ListRounds():
            return await round_admin.list_rounds(turn)
        case ChangeRound():
            return await round_admin.change_round(turn, command)
        case ShowAgenda():
            return await show_agenda(turn, command)
        case AnswerRound():
            return await round_replies.answer(turn, command)
        case ListHolidays():
            return await holidays.list_holidays(turn)
        case AddHoliday():
            return await holidays.add_holiday(turn, command)


async def show_agenda(turn: Turn, command: ShowAgenda) -> list[OutboundMessage]:
    """The agenda of the round's latest occurrence, as it stands: leads only."""
    question_round, problem = await rounds.led_round(turn, command.number)
    if question_round is None:
        return [problem] if problem else []
    occurrence = await store.latest_occurrence(turn.session, question_round.id)
    if occurrence is None:
        return [turn.say("round.not_posted_yet", number=question_round.id)]
    agenda = await compile_agenda(turn.session, question_round, occurrence, now=turn.now)
    shown = agenda_message(turn.language, agenda, zone_of(turn.school))
    return [OutboundMessage(blocks=shown.blocks, visibility=Visibility.PRIVATE)]


class UnknownRoundError(LookupError):
    """``plgbot agenda`` was given a round number that does not exist."""


async def agenda_document(db: Database, round_id: int, language: Language | None = None) -> str:
    """The Markdown agenda of the round's latest occurrence (``plgbot agenda ROUND``),
    in ``language`` or else the school's."""
    async with db.session() as session:
        question_round = await session.get(QuestionRound, round_id)
        school = await session.get(School, question_round.school_id) if question_round else None
        if question_round is None or school is None:
            raise UnknownRoundError(f"there is no round {round_id}")
        occurrence = await store.latest_occurrence(session, round_id)
        if occurrence is None:
            raise UnknownRoundError(f"round {round_id} has not been posted yet")
        agenda = await compile_agenda(session, question_round, occurrence, now=datetime.now(UTC))
    chosen = language or as_language(school.language) or DEFAULT_LANGUAGE
    return agenda_markdown(chosen, agenda, zone_of(school))
