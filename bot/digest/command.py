"""``digest`` / ``overzicht``: a coordinator (or school leader) asks for the digest of
the week so far, in their own language, privately. Anyone else is told who gets it."""

from __future__ import annotations

from bot.config import school_defaults
from bot.digest.messages import school_message
from bot.digest.week import IsoWeek
from bot.digest.weekly import compute
from bot.messages import OutboundMessage, Paragraph, message
from bot.school_time import zone_of
from bot.staff import coordinators
from bot.turn import Turn

# design.md: coordinators get the digest; the issue adds school leaders.
DIGEST_ROLES = frozenset({"coordinator", "school_leader"})


async def show_digest(turn: Turn) -> list[OutboundMessage]:
    """This week's digest so far, for the people who get it; a refusal for others."""
    if turn.author.role not in DIGEST_ROLES:
        notice = await coordinators.notice(turn)
        refused = Paragraph(turn.t("digest.not_coordinator"))
        return [turn.reply(refused, *([notice] if notice else []))]
    week = IsoWeek.containing(turn.now, zone_of(turn.school))
    digest = await compute(
        turn.session,
        turn.school.id,
        week,
        now=turn.now,
        defaults=school_defaults(turn.config),
        reader_role=turn.author.role,
    )
    found = await school_message(digest, turn.language)
    return [message(*found.blocks, private=True)]
