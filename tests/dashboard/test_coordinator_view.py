"""What the dashboard computes, checked against a plain recount of the interactions
(the demo school, on SQLite or PostgreSQL like every database test)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.config import BotConfig
from bot.dashboard import views as view
from bot.demo.school import load_demo
from bot.knowledge.types import KnowledgeType
from storage import Database, directory
from storage.models import Interaction, Person, School
from tests.conftest import NOW

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


async def demo_school(db: Database) -> School:
    await load_demo(db, now=NOW)
    async with db.session() as session:
        school = await directory.find_school(session, "demo")
        assert school is not None
        return school


def week_of(moment: datetime) -> str:
    year, week, _ = moment.astimezone(AMSTERDAM).isocalendar()
    return f"{year}-W{week:02d}"


async def test_trends_match_a_recount_of_the_interactions(db: Database) -> None:
    school = await demo_school(db)
    async with db.session() as session:
        settings = await view.settings_of(session, school, BotConfig())
        filters = await view.read_filters(session, school, settings, plg=None, weeks="6")
        trends = await view.trends(session, school, filters, NOW)
        rows = (await session.execute(select(Interaction))).scalars().all()
    since = NOW - timedelta(weeks=6)
    counts: Counter[str] = Counter()
    active: dict[str, set[int]] = {}
    kinds: Counter[tuple[str, str]] = Counter()
    first: dict[frozenset[int], datetime] = {}
    for row in sorted(rows, key=lambda r: r.occurred_at):
        first.setdefault(frozenset((row.source_id, row.target_id)), row.occurred_at)
        if not since <= row.occurred_at <= NOW:
            continue
        week = week_of(row.occurred_at)
        counts[week] += 1
        active.setdefault(week, set()).update((row.source_id, row.target_id))
        for kind in view.TREND_TYPES:
            if KnowledgeType(row.knowledge) & kind:
                kinds[(week, str(kind.name))] += 1
    new_ties = Counter(week_of(at) for at in first.values() if since <= at <= NOW)

    assert trends.staff == 40
    assert [w.week for w in trends.weeks] == sorted({w.week for w in trends.weeks})
    assert len(trends.weeks) in (7, 8)
    for trend in trends.weeks:
        label = trend.week
        assert trend.interactions == counts[label], label
        assert trend.active == len(active.get(label, set())), label
        assert trend.new_ties == new_ties[label], label
        assert trend.knowledge == tuple(kinds[(label, str(k.name))] for k in view.TREND_TYPES)
    assert sum(w.interactions for w in trends.weeks) == sum(counts.values()) > 0
    # Departments: only groups of five or more apart, the rest together (if five or more).
    assert all(d.staff >= view.MIN_GROUP for d in trends.departments)
    assert None in {d.department for d in trends.departments}


async def test_the_picture_leaves_out_who_opted_out_and_merges_small_groups(
    db: Database,
) -> None:
    school = await demo_school(db)
    async with db.session() as session:
        anouk = await directory.find_person(session, school.id, "anouk")
        assert anouk is not None
        settings = await view.settings_of(session, school, BotConfig())
        filters = await view.read_filters(session, school, settings, plg=None, weeks=None)
        before = await view.picture(session, school, settings, filters, NOW)
        await session.execute(update(Person).where(Person.id == anouk.id).values(opted_out_at=NOW))
    async with db.session() as session:
        after = await view.picture(session, school, settings, filters, NOW)
    assert filters.weeks == 12
    assert anouk.id in {n.person_id for n in before.nodes}
    assert before.key_figures[0].name == "Anouk de Vries"
    assert anouk.id not in {n.person_id for n in after.nodes}
    assert all(anouk.id not in (e.source_id, e.target_id) for e in after.edges)
    assert after.key_figures[0].name != "Anouk de Vries"
    # Every edge joins two dots; "reciprocal" means the other direction is there too.
    ids = {n.person_id for n in after.nodes}
    pairs = {(e.source_id, e.target_id) for e in after.edges}
    for edge in after.edges:
        assert edge.source_id in ids and edge.target_id in ids
        assert edge.reciprocal == ((edge.target_id, edge.source_id) in pairs)
    async with db.session() as session:
        people = await directory.people_of_school(session, school.id)
    sizes = Counter(p.department for p in people if p.opted_out_at is None)
    roles = Counter(p.role for p in people if p.opted_out_at is None)
    for node in after.nodes:
        assert node.department is None or sizes[node.department] >= view.MIN_GROUP
        assert node.role is None or roles[node.role] >= view.MIN_GROUP
    coordinator = next(n for n in after.nodes if n.name == "Noor Hendriks")
    assert coordinator.role is None  # the only coordinator: never shown apart
