"""Nudges (design.md, "Nudges"): a weekly private tip to key figures who shared a PLG's
results but not its process or benefits (or not its focus).

Who gets one, in a school's weekly run: each key figure (:mod:`bot.network.key_figures`) who,
in the last ``nudge_weeks`` weeks (default 4), shared outcomes but not all of focus,
process and benefits, unless they

* stopped nudges (button or ``stop tips``; ``tips on`` brings them back);
* got one this week already (at most one per person per week, see scheduler/nudges.py);
* answered their last nudge with "shared it" less than ``nudge_weeks`` weeks ago (what
  they shared should show up before they are asked again);
* left their last nudge unanswered less than :data:`QUIET_WEEKS` weeks ago; "remind me
  next week" asks for the next one a week later.

The tip names the missing types, gives an example sentence built from the focus of
their own PLG, and suggests an activity from the research. A nudge is *followed* when
the person shares a missing type within ``nudge_follow_days`` days (default 14);
:func:`storage.nudges.mark_followed` stores when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogue import Language, text
from bot.config import school_defaults
from bot.events import ActionInvoked
from bot.knowledge.types import ALL_TYPES, KnowledgeType
from bot.messages import (
    Actions,
    Block,
    Bullets,
    Button,
    Heading,
    OutboundMessage,
    Paragraph,
    message,
)
from bot.network.activities import ACTIVITY_ORIGINS
from bot.network.key_figures import Window, find_key_figures
from bot.turn import Context
from storage import directory
from storage import key_figures as queries
from storage import nudges as store
from storage.models import PLG, Nudge
from storage.school_settings import SchoolConfig, school_config

SHARED, LATER, STOP = "nudge.shared", "nudge.later", "nudge.stop"
WANTED = KnowledgeType.FOCUS | KnowledgeType.PROCESS | KnowledgeType.BENEFITS
# An unanswered nudge is repeated after this many weeks, not every week.
QUIET_WEEKS = 2
# The research's suggestion for the first missing type, in this order.
_ACTIVITY = {
    KnowledgeType.FOCUS: "start",
    KnowledgeType.PROCESS: "mini_plg",
    KnowledgeType.BENEFITS: "session",
}


@dataclass(frozen=True, slots=True)
class NudgePlan:
    """A nudge to send: to whom, what they have not shared, about which PLG."""

    person_id: int
    missing: KnowledgeType
    plg_id: int | None


def due_again(last: Nudge | None, week_start: datetime, config: SchoolConfig) -> bool:
    """Whether someone whose last nudge is ``last`` may get one in this week."""
    if last is None:
        return True
    if last.week_start >= week_start:
        return False
    weeks = {"later": 1, "shared": config.nudge_weeks}.get(last.answer or "", QUIET_WEEKS)
    # Compare whole weeks (a day's margin for a clock change between the two).
    return week_start - last.week_start >= timedelta(weeks=weeks, days=-1)


async def plan_nudges(
    session: AsyncSession,
    school_id: int,
    *,
    now: datetime,
    week_start: datetime,
    config: SchoolConfig,
) -> list[NudgePlan]:
    """This week's nudges for the school (see the module docstring for the rules)."""
    if not config.nudges:
        return []
    figures = await find_key_figures(
        session, school_id, Window.ending(now, config.window_weeks), config
    )
    lookback = Window.ending(now, config.nudge_weeks)
    opted = await queries.opted_out_ids(session, school_id)
    recent = await queries.candidates(
        session,
        [k.person_id for k in figures],
        since=lookback.since,
        until=lookback.until,
        opted_out=opted,
        activities=ACTIVITY_ORIGINS,
    )
    plans = []
    for figure in figures:
        person = figure.person_id
        shared = KnowledgeType(recent[person].knowledge)
        missing = WANTED & ~shared
        if KnowledgeType.OUTCOMES not in shared or not missing:
            continue
        if await store.is_stopped(session, person):
            continue
        if not due_again(await store.last_nudge(session, person), week_start, config):
            continue
        plg = await plg_of(session, person, lookback)
        plans.append(NudgePlan(person, missing, plg.id if plg else None))
    return plans


async def plg_of(session: AsyncSession, person_id: int, window: Window) -> PLG | None:
    """The PLG the person shared most about lately, else the first one they are in."""
    busiest = await queries.busiest_plg(
        session, person_id=person_id, since=window.since, until=window.until
    )
    if busiest is not None:
        return busiest
    own = await directory.plgs_of_person(session, person_id)
    return own[0][0] if own else None


def nudge_message(
    language: Language,
    *,
    missing: KnowledgeType,
    plg: PLG | None,
    weeks: int,
    week_start: datetime,
) -> OutboundMessage:
    """The private tip, with its three buttons (their value names the week)."""

    def t(key: str, **values: object) -> str:
        return text(language, key, **values)

    names = [t(f"types.{name}") for name in missing.names]
    wanted = (
        names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {t('words.and')} {names[-1]}"
    )
    blocks: list[Block] = [Heading(t("nudge.title"))]
    if plg is not None and plg.focus:
        focus = _sentence(plg.focus)
        blocks += [
            Paragraph(t("nudge.intro_plg", weeks=weeks, plg=plg.name, missing=wanted)),
            Paragraph(t("nudge.focus_line", plg=plg.name, focus=focus)),
        ]
        examples = [
            t(f"nudge.example.{name}_{_kind(plg, name)}", focus=focus, plg=plg.name)
            for name in missing.names
        ]
    else:
        blocks.append(Paragraph(t("nudge.intro", weeks=weeks, missing=wanted)))
        examples = [t(f"nudge.example.{name}_generic") for name in missing.names]
    first = next(kind for kind in ALL_TYPES if kind in missing)
    value = week_start.isoformat()
    return message(
        *blocks,
        Paragraph(t("nudge.examples")),
        Bullets(tuple(examples)),
        Paragraph(t(f"nudge.activity.{_ACTIVITY[first]}")),
        Paragraph(t("nudge.log_it")),
        Actions(
            (
                Button(t("nudge.button.shared"), SHARED, value),
                Button(t("nudge.button.later"), LATER, value),
                Button(t("nudge.button.stop"), STOP, value),
            )
        ),
        private=True,
    )


def _sentence(focus: str) -> str:
    """The focus as a sentence, so an example can go on after it."""
    focus = " ".join(focus.split())
    return focus if focus.endswith((".", "?", "!")) else f"{focus}."


def _kind(plg: PLG, type_name: str) -> str:
    """Process examples differ per kind of PLG; the other types read the same."""
    if type_name != "process":
        return "plg"
    return plg.kind if plg.kind in {"data_team", "lesson_study"} else "plg"


async def _this_nudge(ctx: Context, event: ActionInvoked) -> Nudge | None:
    try:
        week_start = datetime.fromisoformat(event.value)
    except ValueError:
        return None
    return await store.nudge_of_week(ctx.session, person_id=ctx.author.id, week_start=week_start)


async def shared_it(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    nudge = await _this_nudge(ctx, event)
    if nudge is None:
        return [ctx.say("nudge.gone")]
    nudge.answer, nudge.answered_at = "shared", ctx.now
    config = await school_config(ctx.session, ctx.school.id, school_defaults(ctx.config))
    return [ctx.say("nudge.thanks_shared", weeks=config.nudge_weeks)]


async def remind_later(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    nudge = await _this_nudge(ctx, event)
    if nudge is None:
        return [ctx.say("nudge.gone")]
    nudge.answer, nudge.answered_at = "later", ctx.now
    return [ctx.say("nudge.later")]


async def stop_button(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    return await stop(ctx)


async def stop(ctx: Context) -> list[OutboundMessage]:
    """The "stop these nudges" button and the ``stop tips`` command."""
    await store.stop_nudges(ctx.session, ctx.author.id, ctx.now)
    return [ctx.say("nudge.stopped")]


async def restart(ctx: Context) -> list[OutboundMessage]:
    """The ``tips on`` command."""
    was_stopped = await store.restart_nudges(ctx.session, ctx.author.id)
    return [ctx.say("nudge.restarted" if was_stopped else "nudge.never_stopped")]
