"""Where every command and every button press goes: two tables, both read here.

A parsed command (:mod:`bot.commands`) goes to its feature by its type, a button press
(:class:`~bot.events.ActionInvoked`) by its action name (``feature.verb``, as posted in
messages and cards, so those names never change). Both tables are built in this one
module, from the features' plain functions: nothing registers itself by being imported,
and a newcomer finds here, for any command or button, the function that handles it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, get_args

from bot import meetings, plgs
from bot.actions import ActionHandler
from bot.catalogue import as_language, text
from bot.commands import (
    AddAlias,
    Command,
    JoinPLG,
    LinkChannel,
    ListPLGs,
    LogInteraction,
    MakeLead,
    NewPLG,
    RequestDashboard,
    SetLanguage,
    SetMeeting,
    ShowDigest,
    ShowHelp,
    ShowNetwork,
    Unknown,
)
from bot.dashboard import access as dashboard_access
from bot.digest.command import show_digest
from bot.help import not_understood, show_help, topic_of
from bot.messages import OutboundMessage, Paragraph
from bot.network import knowledge_choice, nudges, plg_of_contact, sharing, survey
from bot.network.commands import StartNudges, StopNudges
from bot.network.my_network import my_network
from bot.privacy import commands as privacy
from bot.privacy.commands import PrivacyCommand
from bot.rounds import replies as round_replies
from bot.rounds import whiteboard
from bot.rounds.commands import RoundCommand
from bot.rounds.messages import REPLY_ACTION
from bot.staff import commands as staff_commands
from bot.staff import school_year
from bot.staff.commands import RoleCommand
from bot.turn import Turn

# A command's handler gets the turn and the parsed command (of the type it is routed by).
CommandHandler = Callable[[Turn, Any], Awaitable[list[OutboundMessage]]]


async def _set_language(turn: Turn, command: SetLanguage) -> list[OutboundMessage]:
    language = as_language(command.code)
    if language is None:
        return [turn.say("language.unknown")]
    turn.author.language = language
    # Answer in the new language straight away.
    return [turn.reply(Paragraph(text(language, "language.set")))]


def _each(union: Any, handler: CommandHandler) -> dict[type, CommandHandler]:
    """The same handler for every command of a feature's union of commands."""
    return {kind: handler for kind in get_args(union)}


COMMANDS: Mapping[type, CommandHandler] = {
    LogInteraction: sharing.log_command,
    NewPLG: plgs.new_plg,
    JoinPLG: plgs.join_plg,
    MakeLead: plgs.make_lead,
    LinkChannel: plgs.link_channel,
    SetMeeting: plgs.set_meeting,
    AddAlias: plgs.add_alias,
    ListPLGs: lambda turn, _: plgs.list_plgs(turn),
    ShowNetwork: lambda turn, _: my_network(turn),
    SetLanguage: _set_language,
    ShowHelp: lambda turn, command: show_help(turn, topic_of(list(command.words))),
    RequestDashboard: lambda turn, _: dashboard_access.request_link(turn),
    ShowDigest: lambda turn, _: show_digest(turn),
    **_each(RoundCommand, whiteboard.handle),
    StopNudges: lambda turn, _: nudges.stop(turn),
    StartNudges: lambda turn, _: nudges.restart(turn),
    **_each(PrivacyCommand, privacy.handle),
    **_each(RoleCommand, staff_commands.handle),
    school_year.CloseYear: lambda turn, _: school_year.preview(turn),
    Unknown: lambda turn, _: not_understood(turn),
}


def _actions(routes: Iterable[tuple[str, ActionHandler]]) -> dict[str, ActionHandler]:
    table: dict[str, ActionHandler] = {}
    for name, handler in routes:
        # Two features claiming one name would send one's buttons to the other.
        if name in table:
            raise ValueError(f"two handlers for action {name!r}")
        table[name] = handler
    return table


ACTIONS: Mapping[str, ActionHandler] = _actions(
    [
        (nudges.SHARED, nudges.shared_it),
        (nudges.LATER, nudges.remind_later),
        (nudges.STOP, nudges.stop_button),
        (survey.PICK, survey.picked),
        (survey.DIRECTION, survey.direction),
        (survey.SKIP, survey.skip),
        (staff_commands.PICK, staff_commands.picked),
        (school_year.CLOSE, school_year.confirmed),
        (school_year.CARRY_ON, school_year.carry_on),
        (school_year.STOP, school_year.stop),
        (REPLY_ACTION, round_replies.reply_button),
        (plg_of_contact.FILE_ACTION, plg_of_contact.file_button),
        (sharing.WHO_ACTION, sharing.who_button),
        (knowledge_choice.TYPE_ACTION, knowledge_choice.type_button),
        (meetings.NEXT_ACTION, meetings.next_meeting_button),
        (round_replies.REPLACE_ACTION, round_replies.replace_button),
        (round_replies.ADD_ACTION, round_replies.add_button),
    ]
)


async def run_command(turn: Turn, command: Command) -> list[OutboundMessage]:
    return await COMMANDS[type(command)](turn, command)


def action_handler(name: str) -> ActionHandler | None:
    return ACTIONS.get(name)
