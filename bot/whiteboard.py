"""The whiteboard question-round commands in one place for :mod:`bot.service`, and the
lead's view of a round's agenda so far (``round agenda N``)."""

from __future__ import annotations

from bot import holidays, round_replies, rounds
from bot.agenda import agenda_message, compile_agenda
from bot.messages import OutboundMessage, Visibility
from bot.round_commands import (
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
from bot.round_messages import zone_of
from bot.turn import Turn
from storage import rounds as store


async def handle(turn: Turn, command: RoundCommand) -> list[OutboundMessage]:
    match command:
        case NewRound():
            return await rounds.new_round(turn, command)
        case EditRound():
            return await rounds.edit_round(turn, command)
        case ListRounds():
            return await rounds.list_rounds(turn)
        case ChangeRound():
            return await rounds.change_round(turn, command)
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
    agenda = await compile_agenda(turn.session, question_round, occurrence)
    shown = agenda_message(turn.language, agenda, zone_of(turn.school))
    return [OutboundMessage(blocks=shown.blocks, visibility=Visibility.PRIVATE)]
