"""``plgbot reconcile`` on a copy of the demo data to which the duplicates of the old
way of logging were added (both colleagues' reports stored as two conversations), and
the migration that says who reported what was stored before."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from bot.demo.school import load_demo
from storage import Database, audit, directory
from storage.interactions import NewInteraction, record_interactions
from storage.models import Interaction
from tests.test_cli import plgbot

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
HEARD_BACK, TOLD_BACK = 6, 3


async def _count(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Interaction)) or 0)


async def _demo_with_old_duplicates(path: Path) -> int:
    """The demo school, then for some of its one-way reports the other colleague's
    report of the same conversation a day later, stored as the old code did."""
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.upgrade()
    await load_demo(db, now=NOW)
    async with db.session() as session:
        every = (await session.scalars(select(Interaction).order_by(Interaction.id))).all()

        def alone(row: Interaction) -> bool:
            """No other report of the pair within 8 days: what an added report of it
            confirms is known beforehand."""
            pair = {row.source_id, row.target_id}
            return not any(
                o is not row
                and o.reported_by_id is not None
                and {o.source_id, o.target_id} == pair
                and abs(o.occurred_at - row.occurred_at) <= timedelta(days=9)
                for o in every
            )

        chosen = [r for r in every if r.origin == "told" and alone(r)][: HEARD_BACK + TOLD_BACK]
        assert len(chosen) == HEARD_BACK + TOLD_BACK
        added = []
        for n, row in enumerate(chosen):
            heard = n < HEARD_BACK
            added.append(
                NewInteraction(
                    school_id=row.school_id,
                    # "heard from" points the same way; a "told" back, the other way.
                    source_id=row.source_id if heard else row.target_id,
                    target_id=row.target_id if heard else row.source_id,
                    origin="heard" if heard else "told",
                    knowledge=row.knowledge,
                    occurred_at=row.occurred_at + timedelta(days=1),
                    plg_id=row.plg_id,
                    message_key=f"old:{n}",
                    reported_by_id=row.target_id,
                )
            )
        assert await record_interactions(session, added) == len(chosen)
    total = await _count(db)
    await db.dispose()
    return total


async def test_reconcile_lists_then_merges_the_old_duplicates_and_audits_it(
    tmp_path: Path,
) -> None:
    original = tmp_path / "demo.db"
    total = await _demo_with_old_duplicates(original)
    shutil.copyfile(original, tmp_path / "cli.db")
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    try:
        dry = plgbot(tmp_path, "reconcile", "--school", "demo", "--dry-run")
        assert dry.returncode == 0, dry.stderr
        lines = dry.stdout.strip().splitlines()
        assert lines[-1].startswith(f"Zou samenvoegen: {HEARD_BACK + TOLD_BACK}.")
        assert sum(line.endswith(", gehoord): één vastlegging") for line in lines) == HEARD_BACK
        assert sum(line.endswith("(besproken)") for line in lines) == TOLD_BACK
        assert await _count(db) == total
        async with db.session() as session:
            discussed_before = await session.scalar(
                select(func.count())
                .select_from(Interaction)
                .where(Interaction.origin == "discussed", Interaction.confirmed.is_(True))
            )
        assert discussed_before is not None

        merged = plgbot(tmp_path, "reconcile", "--school", "demo", env={"PLGBOT_LANGUAGE": "en"})
        assert merged.returncode == 0, merged.stderr
        assert merged.stdout.strip().splitlines()[-1] == (
            f"Merged: {HEARD_BACK + TOLD_BACK}. Each of these conversations now counts once."
        )
        # The "heard" reports were the same edge as a "told": gone. A "told" back is the
        # other edge of one discussed conversation: kept.
        assert await _count(db) == total - HEARD_BACK
        async with db.session() as session:
            # A "told" back joined the earlier report's message: one conversation.
            left = (
                await session.scalars(
                    select(Interaction.message_key).where(Interaction.message_key.like("old:%"))
                )
            ).all()
            discussed = await session.scalar(
                select(func.count())
                .select_from(Interaction)
                .where(Interaction.origin == "discussed", Interaction.confirmed.is_(True))
            )
            school = await directory.find_school(session, "demo")
            assert school is not None
            actions = [e.action for e in await audit.entries(session, school.id)]
        assert left == []
        assert discussed == discussed_before + 2 * TOLD_BACK
        assert actions.count(audit.RECONCILE) == 1 and actions.count(audit.CLI_EXPORT) == 1

        again = plgbot(tmp_path, "reconcile", "--school", "demo")
        assert again.stdout.strip() == "Niets samen te voegen: elk gesprek telt één keer."
        unknown = plgbot(tmp_path, "reconcile", "--school", "nowhere")
        assert unknown.returncode != 0 and "no school 'nowhere'" in unknown.stderr
        assert await _count(db) == total - HEARD_BACK
    finally:
        await db.dispose()


async def test_the_migration_knows_who_reported_a_told_or_heard(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await db.upgrade("1000")
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO schools (id, platform, tenant_id, name, language, timezone,"
                    " created_at) VALUES (1, 'slack', 'T1', 'S', 'nl', 'Europe/Amsterdam',"
                    " '2026-11-01 00:00:00')"
                )
            )
            for pid in (1, 2):
                await conn.execute(
                    text(
                        "INSERT INTO people (id, school_id, platform_user_id, display_name, role,"
                        " created_at) VALUES (:id, 1, :u, :u, 'teacher', '2026-11-01 00:00:00')"
                    ),
                    {"id": pid, "u": f"U{pid}"},
                )
            for n, (origin, source, target) in enumerate(
                [("told", 1, 2), ("heard", 2, 1), ("discussed", 1, 2), ("mention", 2, 1)]
            ):
                await conn.execute(
                    text(
                        "INSERT INTO interactions (school_id, source_id, target_id, origin,"
                        " knowledge, occurred_at, message_key) VALUES (1, :s, :t, :o, 0,"
                        " '2026-11-02 00:00:00', :k)"
                    ),
                    {"s": source, "t": target, "o": origin, "k": f"m{n}"},
                )
        await db.upgrade()
        async with db.session() as session:
            rows = (
                await session.execute(
                    select(
                        Interaction.origin, Interaction.reported_by_id, Interaction.confirmed
                    ).order_by(Interaction.id)
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            ("told", 1, False),
            # heard from 2: the report of person 1, the target.
            ("heard", 1, False),
            # Either side may have typed a discussed; a mention is no report.
            ("discussed", None, False),
            ("mention", None, False),
        ]
    finally:
        await db.dispose()
