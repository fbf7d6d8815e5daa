"""Closing the school year (``schooljaar afsluiten``, ``plgbot schoolyear close``).

A Dutch school year runs from 1 August to 31 July. Closing it keeps the year's figures
(counts only) as history for the dashboard, ends the question rounds, and asks each
PLG's leads whether the PLG carries on into the new year (scheduler.school_year sends
the question; a PLG carries on until a lead closes it). The new year then starts with
the roster as it is: re-import it (``plgbot roster import``) to mark who left.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions import row_id
from bot.catalogue import Language, text
from bot.digest.phrases import date_text, percent
from bot.events import ActionInvoked
from bot.messages import Actions, Bullets, Button, Heading, OutboundMessage, Paragraph
from bot.school_time import localize, zone_of
from bot.turn import Context
from storage import audit, directory
from storage import digests as digest_store
from storage import school_years as store
from storage.models import PLG, School
from storage.staff import school_has_roster

# Who may close the year: it ends every round of the school.
CLOSERS = frozenset({"coordinator", "school_leader"})
CLOSE = "schoolyear.close"
CARRY_ON = "schoolyear.carry_on"
STOP = "schoolyear.stop"
AUDIT_CLOSE = "schoolyear.close"


def year_name(day: date) -> str:
    """The school year ``day`` falls in: 2026-2027 from 1 August 2026 to 31 July 2027."""
    first = day.year if day.month >= 8 else day.year - 1
    return f"{first}-{first + 1}"


def closing_year(day: date) -> str:
    """The year a close on ``day`` closes: the running one, except in August, the
    summer holiday, when it is the year that just ended (closed a little late)."""
    return year_name(date(day.year, 7, 31) if day.month == 8 else day)


@dataclass(frozen=True, slots=True)
class YearSummary:
    """A year's figures, counts only (what is kept as history)."""

    name: str
    started: str  # ISO date
    closed: str
    staff: int
    active: int
    roster: bool
    interactions: int
    new_ties: int
    rounds_ended: int
    plgs: tuple[store.PLGYear, ...]

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> YearSummary:
        plgs = tuple(store.PLGYear(**plg) for plg in data.get("plgs", ()))
        return cls(**{**data, "plgs": plgs})


class YearAlreadyClosedError(Exception):
    def __init__(self, name: str, closed: date) -> None:
        super().__init__(f"{name} was closed on {closed.isoformat()}")
        self.name = name
        self.closed = closed


async def year_start(session: AsyncSession, school: School, now: datetime) -> datetime:
    """Where the running year began: the last close, else 1 August (school time)."""
    last = await store.last_closed(session, school.id)
    if last is not None:
        return last.closed_at
    zone = zone_of(school)
    first = int(closing_year(now.astimezone(zone).date())[:4])
    return localize(date(first, 8, 1), time(0, 0), zone)


async def summarise(session: AsyncSession, school: School, now: datetime) -> YearSummary:
    """The running year's figures as of ``now``."""
    zone = zone_of(school)
    since = await year_start(session, school, now)
    groups = await digest_store.participation_groups(session, school.id, since=since, until=now)
    activity = await digest_store.weekly_activity(session, school.id, [since, now])
    return YearSummary(
        name=closing_year(now.astimezone(zone).date()),
        started=since.astimezone(zone).date().isoformat(),
        closed=now.astimezone(zone).date().isoformat(),
        staff=sum(g.staff for g in groups),
        active=sum(g.active for g in groups),
        roster=await school_has_roster(session, school.id),
        interactions=activity[0].interactions if activity else 0,
        new_ties=await digest_store.new_tie_count(session, school.id, since=since, until=now),
        rounds_ended=await store.running_rounds(session, school.id),
        plgs=tuple(await store.plg_figures(session, school.id, since=since, until=now)),
    )


async def close(
    session: AsyncSession, school: School, now: datetime, *, actor_id: int | None
) -> YearSummary:
    """Close the running year; :class:`YearAlreadyClosedError` if it was closed."""
    summary = await summarise(session, school, now)
    for year in await store.closed_years(session, school.id):
        if year.name == summary.name:
            raise YearAlreadyClosedError(
                year.name, year.closed_at.astimezone(zone_of(school)).date()
            )
    await store.close_year(
        session,
        school_id=school.id,
        name=summary.name,
        started_at=await year_start(session, school, now),
        now=now,
        summary=summary.as_json(),
    )
    await audit.record(
        session,
        school_id=school.id,
        actor_id=actor_id,
        action=AUDIT_CLOSE,
        subject=summary.name,
        at=now,
    )
    return summary


def summary_lines(language: Language, summary: YearSummary) -> list[str]:
    """The year in a few lines, in ``language``."""
    t = _t(language)
    start, end = (
        date_text(language, date.fromisoformat(d)) for d in (summary.started, summary.closed)
    )
    lines = [
        t(
            "participation",
            active=summary.active,
            staff=summary.staff,
            percent=percent(summary.active, summary.staff),
        ),
        t("interactions", count=summary.interactions, new_ties=summary.new_ties),
    ]
    if not summary.roster:
        lines.append(text(language, "digest.no_roster_note"))
    lines += [
        t("plg", name=p.name, members=p.members, interactions=p.interactions, reached=p.reached)
        for p in summary.plgs
    ]
    return [t("period", start=start, end=end), *lines]


def _t(language: Language) -> Any:
    return lambda key, **values: text(language, f"schoolyear.{key}", **values)


# --- in chat -----------------------------------------------------------------------

_PHRASES: dict[tuple[str, ...], Language] = {
    ("schooljaar",): "nl",
    ("schooljaar", "afsluiten"): "nl",
    ("schooljaar", "sluiten"): "nl",
    ("sluit", "schooljaar"): "nl",
    ("sluit", "het", "schooljaar"): "nl",
    ("school", "year"): "en",
    ("close", "school", "year"): "en",
    ("close", "the", "school", "year"): "en",
    ("end", "school", "year"): "en",
}


@dataclass(frozen=True, slots=True)
class CloseYear:
    pass


def parse_close_year(words: list[str]) -> tuple[CloseYear, Language] | None:
    folded = tuple(w for w in (w.lower().strip(",.!:?") for w in words) if w)
    language = _PHRASES.get(folded)
    return (CloseYear(), language) if language else None


async def preview(ctx: Context) -> list[OutboundMessage]:
    """``schooljaar afsluiten``: the year's figures and what closing does, with a button
    to confirm (closing ends every round)."""
    if ctx.author.role not in CLOSERS:
        return [ctx.say("schoolyear.refused")]
    summary = await summarise(ctx.session, ctx.school, ctx.now)
    for year in await store.closed_years(ctx.session, ctx.school.id):
        if year.name == summary.name:
            day = year.closed_at.astimezone(zone_of(ctx.school)).date()
            return [
                ctx.say("schoolyear.already", name=year.name, date=date_text(ctx.language, day))
            ]
    return [
        ctx.reply(
            Heading(ctx.t("schoolyear.title", name=summary.name)),
            Bullets(tuple(summary_lines(ctx.language, summary))),
            Paragraph(
                ctx.t(
                    "schoolyear.what_closing_does",
                    rounds=summary.rounds_ended,
                    plgs=len(summary.plgs),
                )
            ),
            Actions(
                (
                    Button(
                        label=ctx.t("schoolyear.confirm", name=summary.name),
                        action=CLOSE,
                        value=summary.name,
                    ),
                )
            ),
        )
    ]


async def confirmed(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    if ctx.author.role not in CLOSERS:
        return [ctx.say("schoolyear.refused")]
    if event.value != closing_year(ctx.now.astimezone(zone_of(ctx.school)).date()):
        # A button from last year's preview pressed in the new one.
        return [ctx.say("schoolyear.stale", name=event.value)]
    try:
        summary = await close(ctx.session, ctx.school, ctx.now, actor_id=ctx.author.id)
    except YearAlreadyClosedError as closed:
        return [
            ctx.say(
                "schoolyear.already", name=closed.name, date=date_text(ctx.language, closed.closed)
            )
        ]
    return [
        ctx.reply(
            Heading(ctx.t("schoolyear.closed_title", name=summary.name)),
            Bullets(tuple(summary_lines(ctx.language, summary))),
            Paragraph(ctx.t("schoolyear.closed", rounds=summary.rounds_ended)),
        )
    ]


def decision_message(language: Language, plg: PLG, year: str) -> OutboundMessage:
    """What each lead of a PLG of the closed year is asked."""
    from bot.messages import message

    value = f"{plg.id}|{year}"
    return message(
        Paragraph(text(language, "schoolyear.ask_lead", name=plg.name, year=year)),
        Actions(
            (
                Button(text(language, "schoolyear.carry_on"), CARRY_ON, value),
                Button(text(language, "schoolyear.stop_plg"), STOP, value),
            )
        ),
        private=True,
    )


async def carry_on(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    return await _decide(ctx, event, carry_on=True)


async def stop(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    return await _decide(ctx, event, carry_on=False)


async def _decide(ctx: Context, event: ActionInvoked, *, carry_on: bool) -> list[OutboundMessage]:
    plg_id, _, year = event.value.partition("|")
    found = row_id(plg_id)
    plg = await ctx.session.get(PLG, found) if found is not None else None
    if plg is None or plg.school_id != ctx.school.id:
        return [ctx.say("error.unknown_action")]
    membership = await directory.membership(ctx.session, plg.id, ctx.author.id)
    if membership is None or not membership.is_lead:
        return [ctx.say("schoolyear.not_lead", name=plg.name)]
    if plg.year_decision != year:
        key = "schoolyear.closed_plg" if plg.closed_at else "schoolyear.decided"
        return [ctx.say(key, name=plg.name)]
    store.decide(plg, carry_on=carry_on, now=ctx.now)
    return [
        ctx.say("schoolyear.carries_on" if carry_on else "schoolyear.plg_closed", name=plg.name)
    ]
