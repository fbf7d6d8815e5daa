"""After a PLG's meeting: its leads are asked, once and privately, when the next one is
(issue 18). An agenda never shows a meeting date that has passed
(bot.rounds.agenda), so without a new date the agenda shows none; one tap on a date
here, or ``plg meeting NAME DATE``, sets it. The question is sent by
scheduler/meetings.py."""

from __future__ import annotations

from datetime import date, timedelta

from bot import when
from bot.actions import row_id
from bot.catalogue import Language, text
from bot.events import ActionInvoked
from bot.messages import Actions, Button, OutboundMessage, Paragraph, message
from bot.turn import Context
from storage import directory
from storage.models import PLG

NEXT_ACTION = "plg.next_meeting"
# The dates offered: the same weekday one, two, three and four weeks on.
OFFERED_WEEKS = (1, 2, 3, 4)


def day_text(language: Language, day: date) -> str:
    """``donderdag 17 december 2026``: a date with its weekday (bot.when)."""
    return when.day_text(language, day)


def offered_dates(passed: date, today: date) -> list[date]:
    """Dates after ``today`` on the passed meeting's weekday, a week apart."""
    first = passed + timedelta(weeks=1)
    while first <= today:
        first += timedelta(weeks=1)
    return [first + timedelta(weeks=n - 1) for n in OFFERED_WEEKS]


def next_meeting_question(
    language: Language, plg: PLG, passed: date, today: date
) -> OutboundMessage:
    """The one private question to a lead after the meeting of ``passed``."""
    return message(
        Paragraph(
            text(
                language,
                "plg.meeting_passed",
                name=plg.name,
                date=day_text(language, passed),
            )
        ),
        Actions(
            tuple(
                Button(day_text(language, day), NEXT_ACTION, f"{plg.id}:{day.isoformat()}")
                for day in offered_dates(passed, today)
            )
        ),
        private=True,
    )


async def next_meeting_button(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    """A date tapped under the question; the value is ``PLG_ID:YYYY-MM-DD``. Only the
    PLG's leads may set it, and only to a day still to come."""
    plg_id, _, iso = event.value.partition(":")
    plg = await ctx.session.get(PLG, found) if (found := row_id(plg_id)) else None
    try:
        day = date.fromisoformat(iso) if len(iso) == 10 else None
    except ValueError:
        day = None
    if plg is None or plg.school_id != ctx.school.id or day is None:
        return [ctx.say("error.unknown_action")]
    member = await directory.membership(ctx.session, plg.id, ctx.author.id)
    if member is None or not member.is_lead:
        leads = await directory.leads_of(ctx.session, plg.id)
        names = ctx.enumerate([p.display_name for p in leads]) or "—"
        return [ctx.say("plg.leads_only", name=plg.name, leads=names)]
    if day < ctx.now.date():
        return [ctx.say("plg.meeting_past", date=day.isoformat())]
    await directory.set_next_meeting(ctx.session, plg, day)
    return [ctx.say("plg.meeting_set", name=plg.name, date=day_text(ctx.language, day))]
