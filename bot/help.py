"""The help text, and the answer to a message that is no command."""

from __future__ import annotations

from bot.messages import Bullets, OutboundMessage, Paragraph
from bot.staff.coordinators import notice as coordinator_notice
from bot.turn import Context, Turn


def help_message(
    turn: Context, *, unknown: bool = False, notice: Paragraph | None = None
) -> OutboundMessage:
    commands = tuple(line for line in turn.t("help.commands").splitlines() if line.strip())
    return turn.reply(
        Paragraph(turn.t("help.unknown" if unknown else "help.title")),
        Bullets(commands),
        Paragraph(turn.t("help.tip")),
        *((notice,) if notice else ()),
    )


async def show_help(turn: Turn, *, unknown: bool = False) -> list[OutboundMessage]:
    return [help_message(turn, unknown=unknown, notice=await coordinator_notice(turn))]
