"""A realistic demo school: staff, three PLGs and twelve weeks of interactions.

The network comes from a seeded generator (:mod:`bot.demo.network`), so a seed and a
``now`` always give the same school. It is shaped like the schools in the research: most
staff have a few ties about mostly results and practicalities, a handful have none, and
three clear key figures stand out (a super-sharer, an interactor and a sender; design.md,
"Key figures"). The CLI's ``plgbot demo`` loads it and prints :func:`describe`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogue import as_language, catalogue, text
from bot.demo.names import PLGS, SCHOOL_NAME, STAFF
from bot.demo.network import WEEKS, plan_network
from bot.network import conversations
from bot.network.interactions import edges
from bot.network.metrics import person_metrics
from storage import Database, directory
from storage.interactions import NewInteraction, record_interactions, ties_in_window
from storage.models import School
from storage.reports import REPORTED

PLATFORM = "console"
TOP = 5
_AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True, slots=True)
class DemoPLG:
    name: str
    kind: str
    members: int
    leads: tuple[str, ...]
    channel: str | None
    next_meeting: date | None


@dataclass(frozen=True, slots=True)
class DemoPerson:
    name: str
    handle: str
    role: str
    degree: int
    reciprocal_ties: int
    out_ties: int
    in_ties: int


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the demo school holds; ``created`` is False when it already had staff."""

    school: str
    tenant_id: str
    created: bool
    staff: int
    active_staff: int
    plgs: tuple[DemoPLG, ...]
    interactions: int
    weeks: int
    top: tuple[DemoPerson, ...]


def _next_meeting(today: date, weekday: int, after_days: int) -> date:
    day = today + timedelta(days=after_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


async def demo_exists(db: Database, tenant_id: str = "demo") -> bool:
    """Whether the demo school (or any console school with this tenant id) has staff."""
    async with db.session() as session:
        school = await _find_school(session, tenant_id)
        return school is not None and bool(await directory.people_of_school(session, school.id))


async def load_demo(
    db: Database, *, now: datetime, seed: int = 7, tenant_id: str = "demo"
) -> DemoSummary:
    """Create the demo school in one transaction, with twelve weeks of interactions
    before ``now``. A school that already has staff is left alone (``created=False``)."""
    now = now.astimezone(UTC)
    async with db.session() as session:
        school = await directory.ensure_school(
            session, platform=PLATFORM, tenant_id=tenant_id, name=SCHOOL_NAME, now=now
        )
        if await directory.people_of_school(session, school.id):
            return await _summary(session, school, created=False, now=now)
        # The console may have created the school without a name before anyone spoke.
        school.name = SCHOOL_NAME
        today = now.astimezone(_AMSTERDAM).date()
        ids: dict[str, int] = {}
        for index, member in enumerate(STAFF):
            handle = await directory.free_handle(session, school.id, member.name)
            person = await directory.ensure_person(
                session,
                school_id=school.id,
                platform_user_id=handle,
                display_name=member.name,
                now=now,
                role=member.role,
                department=member.department,
                handle=handle,
            )
            # The demo school's roster was loaded a year ago (storage.roster), with a
            # spread of years in education for the digest's breakdown.
            person.on_roster_since = now - timedelta(days=365)
            person.career_start = today.year - (1 + index * 7 % 31)
            ids[member.name] = person.id
        plg_ids: dict[str, int] = {}
        for spec in PLGS:
            plg = await directory.create_plg(
                session,
                school_id=school.id,
                name=spec.name,
                focus=spec.focus,
                kind=spec.kind,
                now=now - timedelta(weeks=WEEKS + 4),
            )
            assert plg is not None
            plg.next_meeting = _next_meeting(today, spec.meeting_weekday, spec.meeting_after_days)
            plg_ids[spec.name] = plg.id
            for name in spec.leads + spec.members:
                await directory.add_member(
                    session, plg_id=plg.id, person_id=ids[name], lead=name in spec.leads
                )
            channel = await directory.ensure_channel(
                session, school_id=school.id, platform_channel_id=spec.channel, name=spec.channel
            )
            channel.plg_id = plg.id
        events = plan_network(seed, today)
        await record_interactions(
            session,
            [
                NewInteraction(
                    school_id=school.id,
                    source_id=source,
                    target_id=target,
                    origin=event.origin.value,
                    knowledge=event.knowledge,
                    occurred_at=event.at,
                    plg_id=plg_ids[event.plg] if event.plg else None,
                    message_key=f"demo:{n}",
                    # Typed by the actor: a report the other person's may confirm.
                    reported_by_id=ids[event.actor] if event.origin in REPORTED else None,
                )
                for n, event in enumerate(events, start=1)
                for source, target in edges(event.origin, ids[event.actor], ids[event.other])
            ],
        )
        # Colleagues in the story sometimes both logged one conversation: count it once,
        # as plgbot does when they type it.
        await conversations.reconcile(session, school.id, dry_run=False)
        return await _summary(session, school, created=True, now=now)


async def _find_school(session: AsyncSession, tenant_id: str) -> School | None:
    schools = await directory.list_schools(session)
    return next((s for s in schools if (s.platform, s.tenant_id) == (PLATFORM, tenant_id)), None)


async def _summary(
    session: AsyncSession, school: School, *, created: bool, now: datetime
) -> DemoSummary:
    people = await directory.people_of_school(session, school.id)
    counts = await directory.member_counts(session, school.id)
    plgs = []
    for plg in await directory.plgs_of_school(session, school.id):
        leads = await directory.leads_of(session, plg.id)
        channels = await directory.channels_of_plg(session, plg.id)
        plgs.append(
            DemoPLG(
                name=plg.name,
                kind=plg.kind,
                members=counts.get(plg.id, 0),
                leads=tuple(p.display_name for p in leads),
                channel=(channels[0].name or channels[0].platform_channel_id) if channels else None,
                next_meeting=plg.next_meeting,
            )
        )
    ties = await ties_in_window(
        session, school_id=school.id, since=now - timedelta(weeks=WEEKS), until=now
    )
    metrics = person_metrics(ties)
    ranked = sorted(
        (p for p in people if p.id in metrics),
        key=lambda p: (
            -metrics[p.id].degree,
            -metrics[p.id].reciprocal_ties,
            -metrics[p.id].interactions,
            p.display_name,
        ),
    )
    top = tuple(
        DemoPerson(
            name=p.display_name,
            handle=p.handle or p.platform_user_id,
            role=p.role,
            degree=metrics[p.id].degree,
            reciprocal_ties=metrics[p.id].reciprocal_ties,
            out_ties=metrics[p.id].out_ties,
            in_ties=metrics[p.id].in_ties,
        )
        for p in ranked[:TOP]
    )
    return DemoSummary(
        school=school.name,
        tenant_id=school.tenant_id,
        created=created,
        staff=len(people),
        active_staff=len(ranked),
        plgs=tuple(plgs),
        interactions=sum(t.count for t in ties),
        weeks=WEEKS,
        top=top,
    )


def describe(summary: DemoSummary, language: str = "en") -> str:
    """A short plain-text account of the demo school, for the CLI."""
    lang = as_language(language) or "en"

    def t(key: str, **values: object) -> str:
        return text(lang, f"demo.{key}", **values)

    share = round(100 * summary.active_staff / summary.staff) if summary.staff else 0
    lines = [
        t(
            "created" if summary.created else "exists",
            school=summary.school,
            tenant=summary.tenant_id,
        ),
        t(
            "staff",
            staff=summary.staff,
            active=summary.active_staff,
            percent=share,
            weeks=summary.weeks,
        ),
        t("interactions", count=summary.interactions, weeks=summary.weeks),
        t("plgs_title"),
    ]
    for plg in summary.plgs:
        lines.append(
            t(
                "plg_item",
                name=plg.name,
                kind=catalogue(lang).get(f"plg.kind.{plg.kind}", plg.kind),
                members=plg.members,
                leads=", ".join(plg.leads) or "—",
                channel=f"#{plg.channel}" if plg.channel else "—",
                date=plg.next_meeting.isoformat() if plg.next_meeting else "—",
            )
        )
    lines.append(t("top_title", weeks=summary.weeks))
    for person in summary.top:
        lines.append(
            t(
                "top_item",
                name=person.name,
                handle=person.handle,
                role=catalogue(lang).get(f"demo.role.{person.role}", person.role),
                degree=person.degree,
                reciprocal=person.reciprocal_ties,
                out=person.out_ties,
                into=person.in_ties,
            )
        )
    if summary.top:
        lines.append(t("try", handle=summary.top[0].handle))
    return "\n".join(lines)
